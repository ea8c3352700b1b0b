// SPEC §6 "Supervision strategy" and "Cleanup and stop order": a scope's `supervise` and
// `stop_order`, any node's `"on": "cleanup"`.
#include <doctest/doctest.h>

#include "tests/unit/config/spec_test_support.hpp"

namespace traio {
namespace {

using namespace spec_test;

TEST_CASE("supervise spec: strategy, intensity and period are read, each with a default") {
  const NodeSpec full_tree =
      parse_ok(R"({"supervise": {"strategy": "rest_for_one", "intensity": 2, "period": "10s"}, "children": []})");
  const auto& full = std::get<ScopeSpec>(full_tree.node);
  REQUIRE(full.supervise);
  CHECK(full.supervise->strategy == SuperviseStrategy::RestForOne);
  CHECK(full.supervise->intensity == 2);
  CHECK(full.supervise->period == std::chrono::seconds(10));
  const NodeSpec bare_tree = parse_ok(R"({"supervise": {}, "children": []})");
  const auto& bare = std::get<ScopeSpec>(bare_tree.node);
  REQUIRE(bare.supervise);
  CHECK(bare.supervise->strategy == SuperviseStrategy::OneForOne);
  CHECK(bare.supervise->intensity == 5);
  CHECK(bare.supervise->period == std::chrono::minutes(1));
  CHECK_FALSE(std::get<ScopeSpec>(parse_ok(R"({"children": []})").node).supervise);
}

TEST_CASE("supervise spec: a bad strategy, intensity, period or key is refused with its path") {
  auto errors = errors_of(
      R"({"supervise": {"strategy": "all", "intensity": -1, "period": "soon", "max": 3}, "children": []})");
  CHECK(has(errors, R"(supervise.strategy: expected "one_for_one", "one_for_all" or "rest_for_one", got "all")"));
  CHECK(has_prefix(errors, "supervise.intensity: expected integer"));
  CHECK(has_prefix(errors, "supervise.period: "));
  CHECK(has(errors, "supervise.max: unknown field"));
  CHECK(has_prefix(errors_of(R"({"supervise": "one_for_all", "children": []})"), "supervise: expected object"));
}

TEST_CASE("supervise spec: supervise and stop_order belong to scopes, not jobs") {
  CHECK(has(errors_of(R"({"argv": ["x"], "supervise": {}})", SpecKind::Job),
            "supervise: only a scope (a node with \"children\") has children to supervise or stop in order"));
  CHECK(has_prefix(errors_of(R"({"children": [{"argv": ["x"], "stop_order": "reverse"}]})"),
                   "children[0].stop_order: only a scope"));
}

TEST_CASE("stop_order spec: parallel by default, reverse when asked, nothing else") {
  CHECK(std::get<ScopeSpec>(parse_ok(R"({"children": []})").node).stop_order == StopOrder::Parallel);
  CHECK(std::get<ScopeSpec>(parse_ok(R"({"stop_order": "reverse", "children": []})").node).stop_order ==
        StopOrder::Reverse);
  CHECK(has(errors_of(R"({"stop_order": "backwards", "children": []})"),
            R"(stop_order: expected "parallel" or "reverse", got "backwards")"));
}

TEST_CASE("cleanup spec: on cleanup marks a job or a scope, and survives to_json") {
  NodeSpec tree = parse_ok(R"({"children": [{"name": "dump", "argv": ["x"], "on": "cleanup"},
                                            {"name": "s", "on": "cleanup", "children": []},
                                            {"name": "w", "argv": ["x"]}]})");
  const auto& children = std::get<ScopeSpec>(tree.node).children;
  CHECK(children[0].flags().cleanup);
  CHECK(children[1].flags().cleanup);
  CHECK_FALSE(children[2].flags().cleanup);
  CHECK(to_json(std::get<JobSpec>(children[0].node))["on"] == "cleanup");
  CHECK(has(errors_of(R"({"children": [{"argv": ["x"], "on": "stop"}]})"),
            R"(children[0].on: expected "cleanup", got "stop")"));
}

}  // namespace
}  // namespace traio
