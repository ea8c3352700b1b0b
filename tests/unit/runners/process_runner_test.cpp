// ProcessRunner with real processes on a real io_context: exits, start failures, the job's
// environment, output capture, and the stop sequence (rule 7).
#include <doctest/doctest.h>
#include <signal.h>

#include <cstdlib>

#include "daemon/runners/process_runner.hpp"
#include "tests/unit/os/os_test_support.hpp"
#include "tests/unit/runners/runner_test_support.hpp"

using namespace traio;
using namespace std::chrono_literals;
using test::RecordingReports;
using test::Reported;
using test::TempDir;

namespace {

struct Fixture {
  boost::asio::io_context io;
  RecordingReports reports;
  TempDir dir;
  ProcessRunner runner{io, reports, ProcessDefaults{SIGTERM, 10s}, "/run/test/traio.sock",
                       os::UserInfo{"tester", "/home/tester"}};

  ProcessLaunch launch(NodeId id, JobSpec spec) {
    return ProcessLaunch{id, std::make_shared<const JobSpec>(std::move(spec)), "/ci/job" + std::to_string(id), "/ci",
                         dir.file("job-" + std::to_string(id) + ".log")};
  }
  bool wait_exit(NodeId id, std::chrono::milliseconds limit = 10s) {
    return test::run_until(io, [&] { return reports.exit_of(id).has_value(); }, limit);
  }
};

JobSpec process(std::vector<std::string> argv) {
  JobSpec spec;
  spec.argv = std::move(argv);
  spec.output.mode = OutputMode::Null;
  return spec;
}

}  // namespace

TEST_CASE("process runner: /bin/true reports started with its pid, then exit 0") {
  Fixture f;
  f.runner.start(f.launch(1, process({"/bin/true"})));
  const auto* started = f.reports.find(Reported::Kind::Started, 1);
  REQUIRE(started != nullptr);
  CHECK(started->pid.value_or(0) > 0);
  REQUIRE(f.wait_exit(1));
  CHECK(f.reports.exit_of(1)->kind == ExitKind::Exited);
  CHECK(f.reports.exit_of(1)->code == 0);
  CHECK(f.runner.running() == 0);
  CHECK(test::no_children_left());
}

TEST_CASE("process runner: false reports exit code 1") {
  Fixture f;
  f.runner.start(f.launch(2, process({"false"})));
  REQUIRE(f.wait_exit(2));
  CHECK(f.reports.exit_of(2)->kind == ExitKind::Exited);
  CHECK(f.reports.exit_of(2)->code == 1);
}

TEST_CASE("process runner: a missing program is StartFailed with the errno text") {
  Fixture f;
  f.runner.start(f.launch(3, process({"traio-no-such-program"})));
  auto exit = f.reports.exit_of(3);  // at once, from inside start()
  REQUIRE(exit);
  CHECK(exit->kind == ExitKind::StartFailed);
  CHECK(exit->message == "cannot start 'traio-no-such-program': No such file or directory");
  CHECK(f.reports.find(Reported::Kind::Started, 3) == nullptr);
  CHECK(f.runner.running() == 0);
  CHECK(test::no_children_left());
}

TEST_CASE("process runner: a missing cwd is StartFailed naming the directory") {
  Fixture f;
  auto spec = process({"/bin/true"});
  spec.cwd = "/nonexistent-traio-dir";
  f.runner.start(f.launch(4, spec));
  auto exit = f.reports.exit_of(4);
  REQUIRE(exit);
  CHECK(exit->kind == ExitKind::StartFailed);
  CHECK(exit->message ==
        "cannot start '/bin/true': working directory '/nonexistent-traio-dir': No such file or directory");
}

TEST_CASE("rule 12: a job's environment is the clean base, its env, and TRAIO_* -- no systemd variables") {
  Fixture f;
  ::setenv("NOTIFY_SOCKET", "/run/systemd/notify", 1);
  ::setenv("TRAIO_TEST_DAEMON_ONLY", "1", 1);
  auto spec = process({"env"});
  spec.output.mode = OutputMode::File;
  spec.output.file = f.dir.file("env.txt");
  spec.env = {{"GREETING", "hello world"}, {"LISTEN_FDS", "3"}, {"PATH", "/usr/bin:/bin"}};
  f.runner.start(f.launch(5, spec));
  REQUIRE(f.wait_exit(5));
  ::unsetenv("NOTIFY_SOCKET");
  ::unsetenv("TRAIO_TEST_DAEMON_ONLY");
  auto text = test::read_file(f.dir.file("env.txt"));
  CHECK(text.find("GREETING=hello world\n") != std::string::npos);
  CHECK(text.find("PATH=/usr/bin:/bin\n") != std::string::npos);  // the job's own PATH wins
  CHECK(text.find("HOME=/home/tester\n") != std::string::npos);
  CHECK(text.find("USER=tester\n") != std::string::npos);
  CHECK(text.find("LANG=") != std::string::npos);
  CHECK(text.find("TRAIO_SOCKET=/run/test/traio.sock\n") != std::string::npos);
  CHECK(text.find("TRAIO_SCOPE=/ci\n") != std::string::npos);
  CHECK(text.find("TRAIO_JOB=/ci/job5\n") != std::string::npos);
  CHECK(text.find("NOTIFY_SOCKET") == std::string::npos);
  CHECK(text.find("LISTEN_FDS") == std::string::npos);
  CHECK(text.find("TRAIO_TEST_DAEMON_ONLY") == std::string::npos);  // nothing leaks from the daemon
}

TEST_CASE("process runner: spawn --inherit-env's base replaces the clean one") {
  Fixture f;
  auto spec = process({"/usr/bin/env"});
  spec.base_env = std::map<std::string, std::string>{{"CALLER_VAR", "x"}, {"WATCHDOG_USEC", "1"}};
  f.runner.start(f.launch(6, spec));
  auto env = f.runner.job_environment(f.launch(6, spec));
  CHECK(env.at("CALLER_VAR") == "x");
  CHECK(env.count("HOME") == 0);
  CHECK(env.count("WATCHDOG_USEC") == 0);
  CHECK(env.at("TRAIO_JOB") == "/ci/job6");
  REQUIRE(f.wait_exit(6));
}

TEST_CASE("process runner: capture sends stdout and stderr to the job's log -- cwd is honoured") {
  Fixture f;
  auto spec = process({"sh", "-c", "echo out; pwd; echo err >&2; exit 4"});
  spec.output.mode = OutputMode::Capture;
  spec.cwd = f.dir.path();
  auto launch = f.launch(7, spec);
  f.runner.start(launch);
  REQUIRE(f.wait_exit(7));
  CHECK(f.reports.exit_of(7)->code == 4);
  auto cwd = std::filesystem::canonical(f.dir.path()).string();
  CHECK(test::captured_text(launch.log_path, "out") == "out\n" + cwd + "\n");
  CHECK(test::captured_text(launch.log_path, "err") == "err\n");
  CHECK(test::capture_records(launch.log_path).size() == 3);
}

TEST_CASE("rule 7: a process that ignores its stop signal gets SIGKILL after the grace") {
  Fixture f;
  auto spec = process({"sh", "-c", "trap '' TERM; echo ready; sleep 30"});
  spec.output.mode = OutputMode::File;
  spec.output.file = f.dir.file("ready");
  spec.stop.grace = 300ms;
  f.runner.start(f.launch(8, spec));
  REQUIRE(test::wait_until([&] { return test::read_file(f.dir.file("ready")) == "ready\n"; }));
  auto begin = std::chrono::steady_clock::now();
  f.runner.stop(8);
  f.runner.stop(8);  // a second stop changes nothing
  CHECK(f.reports.signals_of(8) == std::vector<int>{SIGTERM});
  REQUIRE(f.wait_exit(8));
  auto elapsed = std::chrono::steady_clock::now() - begin;
  CHECK(elapsed >= 300ms);
  CHECK(elapsed < 2s);
  CHECK(f.reports.signals_of(8) == std::vector<int>{SIGTERM, SIGKILL});
  CHECK(f.reports.exit_of(8)->kind == ExitKind::Signaled);
  CHECK(f.reports.exit_of(8)->code == SIGKILL);
  CHECK(test::no_children_left());
}

TEST_CASE("rule 7: a process that honours its stop signal ends without SIGKILL") {
  Fixture f;
  auto spec = process({"sleep", "30"});
  spec.stop.signal = SIGINT;
  f.runner.start(f.launch(9, spec));
  f.runner.stop(9);
  REQUIRE(f.wait_exit(9, 5s));
  CHECK(f.reports.signals_of(9) == std::vector<int>{SIGINT});
  CHECK(f.reports.exit_of(9)->kind == ExitKind::Signaled);
  CHECK(f.reports.exit_of(9)->code == SIGINT);
}

TEST_CASE("rule 7: stopping a job that is not running is harmless") {
  Fixture f;
  f.runner.stop(42);  // never started
  f.runner.start(f.launch(10, process({"/bin/true"})));
  REQUIRE(f.wait_exit(10));
  f.runner.stop(10);  // already exited
  CHECK(f.reports.signals_of(10).empty());
  CHECK(f.reports.signals_of(42).empty());
}

TEST_CASE("rule 7: 200 processes that ignore TERM are all killed within about one grace") {
  Fixture f;
  constexpr NodeId kJobs = 200;
  for (NodeId id = 100; id < 100 + kJobs; ++id) {
    auto spec = process({"sh", "-c", "trap '' TERM; exec sleep 60"});
    spec.stop.grace = 1s;
    f.runner.start(f.launch(id, spec));
  }
  REQUIRE(f.runner.running() == kJobs);
  // Wait until each one really ignores TERM (SigIgn bit 15), so the test measures the grace.
  for (NodeId id = 100; id < 100 + kJobs; ++id) {
    int pid = *f.runner.pid(id);
    REQUIRE(test::wait_until([&] {
      auto ign = test::proc_status_field(pid, "SigIgn");
      return ign && (std::stoull(*ign, nullptr, 16) & (1ull << (SIGTERM - 1))) != 0;
    }));
  }
  auto begin = std::chrono::steady_clock::now();
  for (NodeId id = 100; id < 100 + kJobs; ++id) f.runner.stop(id);
  REQUIRE(test::run_until(f.io, [&] { return f.runner.running() == 0; }, 20s));
  auto elapsed = std::chrono::steady_clock::now() - begin;
  CHECK(elapsed >= 1s);
  CHECK(elapsed < 3s);
  for (NodeId id = 100; id < 100 + kJobs; ++id) {
    CHECK(f.reports.signals_of(id) == std::vector<int>{SIGTERM, SIGKILL});
    CHECK(f.reports.exit_of(id)->code == SIGKILL);
  }
  CHECK(test::no_children_left());
}

TEST_CASE("process runner: destroying the runner kills and reaps what still runs") {
  int pid = 0;
  {
    Fixture f;
    f.runner.start(f.launch(11, process({"sleep", "30"})));
    pid = *f.runner.pid(11);
  }
  CHECK(test::process_gone(pid));
  CHECK(test::no_children_left());
}

TEST_CASE("rule 7: stopping a job kills descendants that left its session (cgroup)") {
  Fixture f;
  if (!f.runner.uses_cgroups()) {
    MESSAGE("cgroup v2 is not writable here: only process groups are killed");
    return;
  }
  std::string pid_file = f.dir.file("escaped.pid");
  auto spec = process({"sh", "-c", "setsid sleep 300 & echo $! > " + pid_file + "; wait"});
  spec.stop.grace = 5s;
  f.runner.start(f.launch(20, spec));
  int escaped = 0;
  REQUIRE(test::wait_until([&] {
    std::ifstream in(pid_file);
    return static_cast<bool>(in >> escaped) && test::proc_status_field(escaped, "Name") == "sleep";
  }));
  CHECK(::getsid(escaped) == escaped);  // really out of the job's session
  f.runner.stop(20);
  REQUIRE(f.wait_exit(20, 3s));  // TERM reached every process: no need for the grace
  CHECK(test::process_gone(escaped));
  CHECK(f.reports.signals_of(20) == std::vector<int>{SIGTERM});
}

TEST_CASE("rule 7: a job ends only once the descendants that left its session are gone") {
  Fixture f;
  if (!f.runner.uses_cgroups()) {
    MESSAGE("cgroup v2 is not writable here: only process groups are killed");
    return;
  }
  std::string pid_file = f.dir.file("escaped.pid");
  f.runner.start(f.launch(21, process({"sh", "-c", "setsid sleep 300 & echo $! > " + pid_file + "; sleep 0.2"})));
  int escaped = 0;
  REQUIRE(test::wait_until([&] {
    std::ifstream in(pid_file);
    return static_cast<bool>(in >> escaped) && escaped > 0;
  }));
  REQUIRE(f.wait_exit(21));
  CHECK(f.reports.exit_of(21)->code == 0);
  CHECK(test::process_gone(escaped));  // already when the exit was reported
}
