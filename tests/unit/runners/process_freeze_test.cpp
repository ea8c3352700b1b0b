// ProcessRunner::freeze (SPEC §6 pause) with real processes: a frozen job uses no CPU and
// runs on once thawed; a frozen job that is stopped handles its stop signal at once.
#include <doctest/doctest.h>
#include <signal.h>
#include <unistd.h>

#include <sstream>
#include <string>

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
  ProcessRunner runner{io, reports, ProcessDefaults{SIGTERM, 60s}, "/run/test/traio.sock",
                       os::UserInfo{"tester", "/home/tester"}};

  ProcessLaunch launch(NodeId id, std::vector<std::string> argv) {
    JobSpec spec;
    spec.argv = std::move(argv);
    spec.output.mode = OutputMode::Null;
    return ProcessLaunch{id, std::make_shared<const JobSpec>(std::move(spec)), "/ci/job" + std::to_string(id), "/ci",
                         dir.file("job-" + std::to_string(id) + ".log")};
  }
};

// utime + stime of `pid` in clock ticks (/proc/PID/stat fields 14 and 15).
long cpu_ticks(int pid) {
  const std::string stat = test::read_file("/proc/" + std::to_string(pid) + "/stat");
  const auto close = stat.rfind(')');
  if (close == std::string::npos) return -1;
  std::istringstream fields(stat.substr(close + 2));
  std::string field;
  long ticks = 0;
  for (int i = 3; i <= 15 && fields >> field; ++i)
    if (i == 14 || i == 15) ticks += std::stol(field);
  return ticks;
}

// Runs the loop for `d` (the runner's timers and exit watches run meanwhile).
void run_for(boost::asio::io_context& io, std::chrono::milliseconds d) {
  io.restart();
  io.run_for(d);
}

bool stands_still(boost::asio::io_context& io, int pid) {
  for (int attempt = 0; attempt < 10; ++attempt) {
    const long before = cpu_ticks(pid);
    run_for(io, 500ms);
    if (before >= 0 && cpu_ticks(pid) == before) return true;
  }
  return false;
}

bool burns(boost::asio::io_context& io, int pid) {
  const long before = cpu_ticks(pid);
  for (int attempt = 0; attempt < 50; ++attempt) {
    run_for(io, 100ms);
    if (cpu_ticks(pid) > before) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("process runner: a frozen job uses no CPU and burns again once thawed") {
  Fixture f;
  f.runner.start(f.launch(1, {"sh", "-c", "while :; do :; done"}));
  const int pid = f.runner.pid(1).value_or(0);
  REQUIRE(pid > 0);
  REQUIRE(burns(f.io, pid));
  f.runner.freeze(1, true);
  CHECK(stands_still(f.io, pid));
  f.runner.freeze(1, false);
  CHECK(burns(f.io, pid));
  f.runner.stop(1);
  CHECK(test::run_until(f.io, [&] { return f.reports.exit_of(1).has_value(); }, 10s));
  CHECK(test::no_children_left());
}

TEST_CASE("process runner: a frozen job that is stopped is thawed and handles its stop signal at once") {
  Fixture f;  // a grace of 60s: only the stop signal can end it within the test's bound
  f.runner.start(f.launch(2, {"sh", "-c", "trap 'exit 7' TERM; while :; do sleep 0.05; done"}));
  const int pid = f.runner.pid(2).value_or(0);
  REQUIRE(pid > 0);
  run_for(f.io, 300ms);  // the trap is set
  f.runner.freeze(2, true);
  REQUIRE(stands_still(f.io, pid));
  f.runner.stop(2);
  REQUIRE(test::run_until(f.io, [&] { return f.reports.exit_of(2).has_value(); }, 10s));
  CHECK(f.reports.exit_of(2)->kind == ExitKind::Exited);
  CHECK(f.reports.exit_of(2)->code == 7);
  CHECK(test::no_children_left());
}

TEST_CASE("process runner: freeze and thaw of a job that runs no process change nothing") {
  Fixture f;
  f.runner.freeze(42, true);
  f.runner.freeze(42, false);
  CHECK(f.runner.running() == 0);
}
