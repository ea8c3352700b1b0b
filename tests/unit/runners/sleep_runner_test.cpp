// SleepRunner on a real io_context: completion, and cancellation at once (rule 7).
#include <doctest/doctest.h>

#include "daemon/runners/sleep_runner.hpp"
#include "tests/unit/runners/runner_test_support.hpp"

using namespace traio;
using namespace std::chrono_literals;
using test::Reported;

TEST_CASE("sleep runner: a sleep reports started without pid, then Completed after its duration") {
  boost::asio::io_context io;
  test::RecordingReports reports;
  SleepRunner runner(io, reports);
  auto begin = std::chrono::steady_clock::now();
  runner.start(1, 100ms);
  const auto* started = reports.find(Reported::Kind::Started, 1);
  REQUIRE(started != nullptr);
  CHECK_FALSE(started->pid.has_value());
  CHECK(reports.find(Reported::Kind::Ready, 1) == nullptr);  // ready only by succeeding
  REQUIRE(test::run_until(io, [&] { return reports.exit_of(1).has_value(); }));
  CHECK(std::chrono::steady_clock::now() - begin >= 100ms);
  CHECK(reports.exit_of(1)->kind == ExitKind::Completed);
  CHECK(runner.running() == 0);
}

TEST_CASE("rule 7: a stopped sleep ends at once as Aborted") {
  boost::asio::io_context io;
  test::RecordingReports reports;
  SleepRunner runner(io, reports);
  runner.start(2, 1h);
  auto begin = std::chrono::steady_clock::now();
  runner.stop(2);
  runner.stop(2);
  runner.stop(99);  // unknown: harmless
  REQUIRE(test::run_until(io, [&] { return reports.exit_of(2).has_value(); }, 2s));
  CHECK(std::chrono::steady_clock::now() - begin < 1s);
  CHECK(reports.exit_of(2)->kind == ExitKind::Aborted);
  io.restart();
  io.poll();
  int exits = 0;
  for (const auto& r : reports.log) exits += r.kind == Reported::Kind::Exited;
  CHECK(exits == 1);
}
