// ReadyProbes on a real io_context with real sockets, files and processes: each probe kind
// passes, times out with its last error, and an exec probe's processes never outlive it.
#include <doctest/doctest.h>
#include <signal.h>

#include <filesystem>
#include <fstream>

#include <boost/asio/ip/tcp.hpp>
#include <fmt/format.h>

#include "daemon/os/reaper.hpp"
#include "daemon/runners/ready_probes.hpp"
#include "tests/unit/os/os_test_support.hpp"
#include "tests/unit/runners/runner_test_support.hpp"

using namespace traio;
using namespace std::chrono_literals;
namespace asio = boost::asio;
using asio::ip::tcp;
using test::Reported;

namespace {

unsigned short free_port() {
  asio::io_context io;
  tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  return acceptor.local_endpoint().port();
}

ReadySpec tcp_probe(const std::string& address, std::optional<Duration> timeout = std::nullopt) {
  ReadySpec ready;
  ready.probe = ReadySpec::Probe::Tcp;
  ready.address = address;
  ready.interval = 50ms;
  ready.timeout = timeout;
  return ready;
}

ReadySpec file_probe(const std::string& path, std::optional<Duration> timeout = std::nullopt) {
  ReadySpec ready;
  ready.probe = ReadySpec::Probe::File;
  ready.path = path;
  ready.timeout = timeout;
  return ready;
}

ReadySpec exec_probe(std::vector<std::string> argv, std::optional<Duration> timeout = std::nullopt) {
  ReadySpec ready;
  ready.probe = ReadySpec::Probe::Exec;
  ready.argv = std::move(argv);
  ready.interval = 50ms;
  ready.timeout = timeout;
  return ready;
}

os::LaunchRequest job_launch(const std::string& cwd = {}) {
  os::LaunchRequest request;
  request.argv = {"the-job-itself"};  // replaced by the probe's argv
  request.env = {"PATH=/usr/bin:/bin", "PROBE_TEST=from-the-job"};
  request.cwd = cwd;
  request.output = os::OutputTarget::Inherit;  // replaced: a probe's output is discarded
  return request;
}

int read_pid(const std::string& path) {
  std::string text = test::read_file(path);
  return text.empty() ? 0 : std::stoi(text);
}

struct Fixture {
  asio::io_context io;
  test::RecordingReports reports;
  test::TempDir dir;
  ReadyProbes probes{io, reports};

  bool wait_ready(NodeId id, std::chrono::milliseconds limit = 5s) {
    return test::run_until(io, [&] { return reports.find(Reported::Kind::Ready, id) != nullptr; }, limit);
  }
  const Reported* wait_failed(NodeId id, std::chrono::milliseconds limit = 5s) {
    test::run_until(io, [&] { return reports.find(Reported::Kind::ReadyFailed, id) != nullptr; }, limit);
    return reports.find(Reported::Kind::ReadyFailed, id);
  }
  void run_for(std::chrono::milliseconds span) { test::run_until(io, [] { return false; }, span); }
};

}  // namespace

TEST_CASE("ready wait_tcp: the job becomes ready once its port accepts") {
  Fixture f;
  const auto port = free_port();
  f.probes.start(1, tcp_probe(fmt::format("127.0.0.1:{}", port)), job_launch());
  f.run_for(200ms);
  CHECK(f.reports.log.empty());
  tcp::acceptor listener(f.io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  REQUIRE(f.wait_ready(1));
  CHECK(f.probes.running() == 0);
}

TEST_CASE("ready wait_tcp: a timeout fails the probe with the last connect error") {
  Fixture f;
  const auto port = free_port();
  auto begin = std::chrono::steady_clock::now();
  f.probes.start(1, tcp_probe(fmt::format("127.0.0.1:{}", port), 300ms), job_launch());
  const auto* failed = f.wait_failed(1);
  REQUIRE(failed != nullptr);
  CHECK(std::chrono::steady_clock::now() - begin >= 300ms);
  CHECK(failed->why == fmt::format("wait_tcp not ready after 300ms: connect 127.0.0.1:{}: Connection refused", port));
  CHECK(f.reports.find(Reported::Kind::Ready, 1) == nullptr);
  CHECK(f.probes.running() == 0);
}

TEST_CASE("ready wait_file: the job becomes ready once the path exists") {
  Fixture f;
  f.probes.start(1, file_probe(f.dir.file("run/app.pid")), job_launch());
  f.run_for(100ms);
  CHECK(f.reports.log.empty());
  std::filesystem::create_directory(f.dir.file("run"));
  std::ofstream(f.dir.file("run/app.pid")) << "1\n";
  REQUIRE(f.wait_ready(1));
}

TEST_CASE("ready wait_file: a timeout fails the probe naming the missing path") {
  Fixture f;
  f.probes.start(1, file_probe(f.dir.file("never"), 200ms), job_launch());
  const auto* failed = f.wait_failed(1);
  REQUIRE(failed != nullptr);
  CHECK(failed->why == "wait_file not ready after 200ms: " + f.dir.file("never") + " does not exist");
}

TEST_CASE("ready exec: a command that fails twice, then exits 0, makes the job ready (in its cwd and env)") {
  Fixture f;
  // Counts its runs in a file of the job's cwd; the job's environment must reach it.
  const std::string script =
      "test \"$PROBE_TEST\" = from-the-job || exit 9; "
      "n=$(cat attempts 2>/dev/null || echo 0); n=$((n + 1)); echo $n > attempts; test $n -ge 3";
  f.probes.start(1, exec_probe({"sh", "-c", script}, 10s), job_launch(f.dir.path()));
  REQUIRE(f.wait_ready(1));
  CHECK(test::read_file(f.dir.file("attempts")) == "3\n");
  CHECK(f.reports.find(Reported::Kind::ReadyFailed, 1) == nullptr);
  CHECK(f.probes.running() == 0);
  CHECK(test::no_children_left());
}

TEST_CASE("ready exec: a timeout fails the probe with the command's last exit code") {
  Fixture f;
  f.probes.start(1, exec_probe({"sh", "-c", "exit 2"}, 500ms), job_launch());
  const auto* failed = f.wait_failed(1);
  REQUIRE(failed != nullptr);
  CHECK(failed->why == "exec not ready after 500ms: exec 'sh' exited with code 2");
  CHECK(test::no_children_left());
}

TEST_CASE("ready exec: a command that cannot start is retried -- the timeout says why") {
  Fixture f;
  f.probes.start(1, exec_probe({"traio-no-such-probe"}, 300ms), job_launch());
  const auto* failed = f.wait_failed(1);
  REQUIRE(failed != nullptr);
  CHECK(failed->why ==
        "exec not ready after 300ms: exec 'traio-no-such-probe': cannot start: No such file or directory");
}

TEST_CASE("ready exec: a command still running at its timeout is killed with its process group") {
  Fixture f;
  const std::string pids = f.dir.file("pids");
  f.probes.start(1, exec_probe({"sh", "-c", "sleep 100 & echo $! > " + pids + "; wait"}, 400ms), job_launch());
  REQUIRE(test::wait_until([&] { return read_pid(pids) > 0; }, 5s));
  const int sleeper = read_pid(pids);
  const auto* failed = f.wait_failed(1);
  REQUIRE(failed != nullptr);
  CHECK(failed->why == "exec not ready after 400ms: exec 'sh' has not exited yet");
  CHECK(test::wait_until([&] { return test::process_gone(sleeper); }, 5s));
  CHECK(test::no_children_left());
}

TEST_CASE("ready probes: stop reports nothing and kills a running exec probe with its process group") {
  Fixture f;
  const std::string pids = f.dir.file("pids");
  f.probes.start(1, exec_probe({"sh", "-c", "echo $$ > " + pids + ".sh; sleep 100 & echo $! > " + pids + "; wait"}),
                 job_launch());
  f.probes.start(2, tcp_probe(fmt::format("127.0.0.1:{}", free_port())), job_launch());
  f.probes.start(3, file_probe(f.dir.file("never")), job_launch());
  REQUIRE(test::wait_until([&] { return read_pid(pids) > 0 && read_pid(pids + ".sh") > 0; }, 5s));
  f.run_for(100ms);
  f.probes.stop(1);
  f.probes.stop(2);
  f.probes.stop(3);
  f.probes.stop(4);  // none: harmless
  CHECK(f.probes.running() == 0);
  CHECK(test::process_gone(read_pid(pids + ".sh")));  // reaped by stop itself
  CHECK(test::wait_until([&] { return test::process_gone(read_pid(pids)); }, 5s));
  CHECK(test::no_children_left());
  f.run_for(200ms);
  CHECK(f.reports.log.empty());
}

TEST_CASE("ready exec: an exit the orphan reaper finds first is handed over through reap_tracked") {
  Fixture f;
  f.probes.start(1, exec_probe({"true"}), job_launch());
  std::optional<pid_t> exited;
  REQUIRE(test::wait_until([&] {
    auto peeked = os::peek_exited_child();  // as OrphanReaper does on SIGCHLD
    if (peeked && *peeked) exited = **peeked;
    return exited.has_value();
  }, 5s));
  CHECK_FALSE(f.probes.reap_tracked(*exited + 100000));  // not a probe's
  CHECK(f.probes.reap_tracked(*exited));
  CHECK(f.reports.find(Reported::Kind::Ready, 1) != nullptr);
  CHECK(test::no_children_left());
  f.run_for(100ms);  // the pidfd's own wakeup finds nothing left to do
  int ready = 0;
  for (const auto& r : f.reports.log) ready += r.kind == Reported::Kind::Ready;
  CHECK(ready == 1);
}

TEST_CASE("ready probes: starting a probe for an id that has one replaces it") {
  Fixture f;
  f.probes.start(1, file_probe(f.dir.file("first")), job_launch());
  f.probes.start(1, file_probe(f.dir.file("second")), job_launch());
  CHECK(f.probes.running() == 1);
  std::ofstream(f.dir.file("first")).put('x');
  f.run_for(200ms);
  CHECK(f.reports.log.empty());
  std::ofstream(f.dir.file("second")).put('x');
  REQUIRE(f.wait_ready(1));
}
