// HealthChecks on a real io_context with real files and processes: a check runs one
// interval after start and every interval after the previous one, each result is reported
// with what the probe saw, and stop() ends the checks at once.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <vector>

#include "daemon/runners/health_checks.hpp"
#include "tests/unit/os/os_test_support.hpp"
#include "tests/unit/runners/runner_test_support.hpp"

using namespace traio;
using namespace std::chrono_literals;
namespace asio = boost::asio;

namespace {

struct Result {
  NodeId id;
  bool ok;
  std::string message;
};

HealthSpec exec_health(std::vector<std::string> argv, Duration interval, Duration timeout) {
  HealthSpec health;
  health.check.probe = ReadySpec::Probe::Exec;
  health.check.argv = std::move(argv);
  health.interval = interval;
  health.timeout = timeout;
  health.check.timeout = timeout;
  health.check.interval = timeout;
  return health;
}

os::LaunchRequest job_launch() {
  os::LaunchRequest request;
  request.argv = {"the-job-itself"};
  request.env = {"PATH=/usr/bin:/bin"};
  request.output = os::OutputTarget::Inherit;
  return request;
}

struct Fixture {
  asio::io_context io;
  test::TempDir dir;
  std::vector<Result> results;
  HealthChecks checks{io, [this](NodeId id, bool ok, std::string message) {
                        results.push_back({id, ok, std::move(message)});
                      }};
  bool wait_results(std::size_t n, std::chrono::milliseconds limit = 10s) {
    return test::run_until(io, [&] { return results.size() >= n; }, limit);
  }
};

}  // namespace

TEST_CASE("health checks: an exec check that exits 0 passes every interval, the first one interval after start") {
  Fixture f;
  auto begin = std::chrono::steady_clock::now();
  f.checks.start(1, exec_health({"true"}, 100ms, 2s), job_launch());
  REQUIRE(f.wait_results(2));
  CHECK(std::chrono::steady_clock::now() - begin >= 200ms);
  CHECK(f.results[0].id == 1u);
  CHECK(f.results[0].ok);
  CHECK(f.results[0].message == "exec 'true' exited with code 0");
  CHECK(f.results[1].ok);
  f.checks.stop(1);
  CHECK(f.checks.running() == 0);
}

TEST_CASE("health checks: a failing exec check reports what it saw -- the exit code") {
  Fixture f;
  f.checks.start(1, exec_health({"sh", "-c", "exit 3"}, 50ms, 300ms), job_launch());
  REQUIRE(f.wait_results(1));
  CHECK_FALSE(f.results[0].ok);
  CHECK(f.results[0].message == "exec 'sh' exited with code 3");
  f.checks.stop(1);
}

TEST_CASE("health checks: a file check follows the file -- passes while it exists, fails after it is removed") {
  Fixture f;
  const std::string path = f.dir.file("alive");
  std::ofstream(path) << "1\n";
  HealthSpec health;
  health.check.probe = ReadySpec::Probe::File;
  health.check.path = path;
  health.interval = 50ms;
  health.timeout = 200ms;
  health.check.timeout = 200ms;
  f.checks.start(7, health, job_launch());
  REQUIRE(f.wait_results(1));
  CHECK(f.results[0].ok);
  std::filesystem::remove(path);
  REQUIRE(test::run_until(f.io, [&] { return !f.results.back().ok; }, 10s));
  CHECK(f.results.back().message == path + " does not exist");
  f.checks.stop(7);
}

TEST_CASE("health checks: stop ends the checks at once -- no result after it, no timer left") {
  Fixture f;
  f.checks.start(1, exec_health({"true"}, 100ms, 2s), job_launch());
  f.checks.stop(1);
  test::run_until(f.io, [] { return false; }, 400ms);
  CHECK(f.results.empty());
  CHECK(f.checks.running() == 0);
  CHECK(f.io.stopped());  // run_until ran out of work: nothing was left armed
}
