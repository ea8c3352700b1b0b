// WaitRunner on a real io_context: wait_tcp and wait_file jobs report started at once,
// then Completed, or Aborted at once on stop (rule 7); thousands of them stay cheap.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include <boost/asio/ip/tcp.hpp>
#include <fmt/format.h>

#include "daemon/os/reaper.hpp"
#include "daemon/runners/wait_runner.hpp"
#include "tests/unit/os/os_test_support.hpp"
#include "tests/unit/runners/runner_test_support.hpp"

using namespace traio;
using namespace std::chrono_literals;
namespace asio = boost::asio;
using asio::ip::tcp;
using test::Reported;

namespace {

JobSpec wait_tcp(const std::string& address, Duration interval = 50ms) {
  JobSpec spec;
  spec.kind = JobKind::WaitTcp;
  spec.address = address;
  spec.interval = interval;
  return spec;
}

JobSpec wait_file(const std::string& path) {
  JobSpec spec;
  spec.kind = JobKind::WaitFile;
  spec.path = path;
  return spec;
}

unsigned short free_port() {
  asio::io_context io;
  tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  return acceptor.local_endpoint().port();
}

std::size_t open_fds() {
  std::size_t count = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator("/proc/self/fd")) ++count;
  return count;
}

struct Fixture {
  asio::io_context io;
  test::RecordingReports reports;
  WaitRunner runner{io, reports};

  bool wait_exit(NodeId id, std::chrono::milliseconds limit = 5s) {
    return test::run_until(io, [&] { return reports.exit_of(id).has_value(); }, limit);
  }
};

}  // namespace

TEST_CASE("wait runner: a wait_tcp job reports started without pid, then Completed once a listener opens") {
  Fixture f;
  const auto port = free_port();
  f.runner.start(1, wait_tcp(fmt::format("127.0.0.1:{}", port)));
  const auto* started = f.reports.find(Reported::Kind::Started, 1);
  REQUIRE(started != nullptr);
  CHECK_FALSE(started->pid.has_value());
  CHECK(f.runner.running() == 1);
  test::run_until(f.io, [] { return false; }, 200ms);
  CHECK_FALSE(f.reports.exit_of(1));
  tcp::acceptor listener(f.io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  REQUIRE(f.wait_exit(1));
  CHECK(f.reports.exit_of(1)->kind == ExitKind::Completed);
  CHECK(f.reports.find(Reported::Kind::Ready, 1) == nullptr);  // ready only by succeeding
  CHECK(f.runner.running() == 0);
}

TEST_CASE("wait runner: a wait_file job reports started, then Completed once the file appears") {
  Fixture f;
  test::TempDir dir;
  f.runner.start(2, wait_file(dir.file("sub/flag")));
  REQUIRE(f.reports.find(Reported::Kind::Started, 2) != nullptr);
  CHECK_FALSE(f.reports.exit_of(2));
  test::run_until(f.io, [] { return false; }, 100ms);
  std::filesystem::create_directory(dir.file("sub"));
  std::ofstream(dir.file("sub/flag")).put('x');
  REQUIRE(f.wait_exit(2));
  CHECK(f.reports.exit_of(2)->kind == ExitKind::Completed);
}

TEST_CASE("wait runner: a wait_file job whose path exists completes from the loop, not from start()") {
  Fixture f;
  test::TempDir dir;
  f.runner.start(3, wait_file(dir.path()));
  CHECK(f.reports.find(Reported::Kind::Started, 3) != nullptr);
  CHECK_FALSE(f.reports.exit_of(3));
  REQUIRE(f.wait_exit(3));
  CHECK(f.reports.exit_of(3)->kind == ExitKind::Completed);
}

TEST_CASE("rule 7: a stopped wait_tcp or wait_file job ends at once as Aborted, once") {
  Fixture f;
  test::TempDir dir;
  f.runner.start(1, wait_tcp(fmt::format("127.0.0.1:{}", free_port())));
  f.runner.start(2, wait_file(dir.file("never")));
  test::run_until(f.io, [] { return false; }, 100ms);
  f.runner.stop(1);
  f.runner.stop(2);
  CHECK(f.reports.exit_of(1).value_or(ExitInfo::completed()).kind == ExitKind::Aborted);
  CHECK(f.reports.exit_of(2).value_or(ExitInfo::completed()).kind == ExitKind::Aborted);
  f.runner.stop(1);
  f.runner.stop(99);  // unknown: harmless
  std::ofstream(dir.file("never")).put('x');
  test::run_until(f.io, [] { return false; }, 200ms);
  int exits = 0;
  for (const auto& r : f.reports.log) exits += r.kind == Reported::Kind::Exited;
  CHECK(exits == 2);
  CHECK(f.runner.running() == 0);
}

TEST_CASE("wait runner: 2,000 wait_tcp jobs to a closed port make thousands of attempts, leak no fd, and all abort at once") {
  REQUIRE(os::raise_fd_limit());
  Fixture f;
  const int count = 2000;
  const std::string address = fmt::format("127.0.0.1:{}", free_port());
  boost::asio::steady_timer warm_up(f.io, 1ms);  // Asio makes its epoll and timer fds on first use
  warm_up.wait();
  const std::size_t fds_before = open_fds();
  for (int i = 0; i < count; ++i) f.runner.start(static_cast<NodeId>(i + 1), wait_tcp(address, 100ms));
  test::run_until(f.io, [] { return false; }, 1500ms);  // a dozen attempts each on an idle machine
  CHECK(f.reports.log.size() == static_cast<std::size_t>(count));  // started, nothing else
  CHECK(open_fds() <= fds_before + count);  // a socket lives only during an attempt
  auto begin = std::chrono::steady_clock::now();
  for (int i = 0; i < count; ++i) f.runner.stop(static_cast<NodeId>(i + 1));
  auto took = std::chrono::steady_clock::now() - begin;
  MESSAGE("stopping 2,000 wait_tcp jobs took "
          << std::chrono::duration_cast<std::chrono::microseconds>(took).count() << " us");
  CHECK(took < 1s);
  int aborted = 0;
  for (const auto& r : f.reports.log) aborted += r.kind == Reported::Kind::Exited && r.exit.kind == ExitKind::Aborted;
  CHECK(aborted == count);
  CHECK(f.runner.running() == 0);
  test::run_until(f.io, [] { return false; }, 100ms);
  CHECK(open_fds() == fds_before);
}

TEST_CASE("wait runner: 10,000 idle wait_file jobs leave the loop idle") {
  Fixture f;
  test::TempDir dir;
  const int count = 10000;
  for (int i = 0; i < count; ++i)
    f.runner.start(static_cast<NodeId>(i + 1), wait_file(dir.file("missing/f" + std::to_string(i))));
  f.io.restart();
  while (f.io.poll() > 0) {
  }  // every wait placed
  // Idle means no handler runs: the loop blocks until the deadline.
  std::size_t handlers = 0;
  auto until = std::chrono::steady_clock::now() + 300ms;
  while (std::chrono::steady_clock::now() < until) {
    f.io.restart();
    handlers += f.io.run_one_until(until);
  }
  CHECK(handlers == 0);
  for (int i = 0; i < count; ++i) f.runner.stop(static_cast<NodeId>(i + 1));
  CHECK(f.runner.running() == 0);
}
