// DeadlineTimers on a real io_context (rule 6): firing, replacing, disarming.
#include <doctest/doctest.h>

#include <vector>

#include "daemon/runners/deadline_timers.hpp"
#include "tests/unit/runners/runner_test_support.hpp"

using namespace traio;
using namespace std::chrono_literals;

TEST_CASE("rule 6: an armed deadline fires once at its time") {
  boost::asio::io_context io;
  std::vector<NodeId> fired;
  DeadlineTimers timers(io, [&](NodeId id) { fired.push_back(id); });
  auto begin = std::chrono::steady_clock::now();
  timers.arm(7, begin + 100ms);
  REQUIRE(test::run_until(io, [&] { return !fired.empty(); }));
  CHECK(std::chrono::steady_clock::now() - begin >= 100ms);
  CHECK(fired == std::vector<NodeId>{7});
  CHECK(timers.armed() == 0);
}

TEST_CASE("rule 6: re-arming replaces the deadline, disarming cancels it") {
  boost::asio::io_context io;
  std::vector<NodeId> fired;
  DeadlineTimers timers(io, [&](NodeId id) { fired.push_back(id); });
  auto begin = std::chrono::steady_clock::now();
  timers.arm(1, begin + 50ms);
  timers.arm(1, begin + 250ms);  // later: the first one must not fire
  timers.arm(2, begin + 50ms);
  timers.disarm(2);
  timers.disarm(3);  // never armed: harmless
  REQUIRE(test::run_until(io, [&] { return !fired.empty(); }));
  CHECK(std::chrono::steady_clock::now() - begin >= 250ms);
  test::run_until(io, [] { return false; }, 100ms);
  CHECK(fired == std::vector<NodeId>{1});
}

TEST_CASE("rule 6: a due deadline moved later before the loop ran does not fire") {
  boost::asio::io_context io;
  std::vector<NodeId> fired;
  DeadlineTimers timers(io, [&](NodeId id) { fired.push_back(id); });
  timers.arm(5, std::chrono::steady_clock::now() - 1s);  // due at once, handler not run yet
  timers.arm(5, std::chrono::steady_clock::now() + 1h);
  test::run_until(io, [] { return false; }, 100ms);
  CHECK(fired.empty());
  CHECK(timers.armed() == 1);
}
