// SPEC §6 "Concurrency limit": a scope's max_parallel and any node's priority.
#include <doctest/doctest.h>

#include "tests/unit/config/spec_test_support.hpp"

namespace traio {
namespace {

using nlohmann::json;
using namespace spec_test;

TEST_CASE("queue spec: max_parallel on a scope and priority on its children are read") {
  NodeSpec tree = parse_ok(R"({"name": "fan", "max_parallel": 8, "children": [
    {"name": "a", "argv": ["x"], "priority": 5},
    {"name": "b", "argv": ["x"], "priority": -3},
    {"name": "c", "argv": ["x"]},
    {"name": "s", "priority": 2, "max_parallel": 1, "children": []}]})");
  const auto& fan = std::get<ScopeSpec>(tree.node);
  CHECK(fan.max_parallel == 8u);
  CHECK(fan.children[0].priority() == 5);
  CHECK(fan.children[1].priority() == -3);
  CHECK(fan.children[2].priority() == 0);  // the default
  CHECK(fan.children[3].priority() == 2);
  CHECK(std::get<ScopeSpec>(fan.children[3].node).max_parallel == 1u);
}

TEST_CASE("queue spec: a scope without max_parallel, or with null, has no limit") {
  CHECK_FALSE(std::get<ScopeSpec>(parse_ok(R"({"children": []})").node).max_parallel);
  CHECK_FALSE(std::get<ScopeSpec>(parse_ok(R"({"max_parallel": null, "children": []})").node).max_parallel);
}

TEST_CASE("queue spec: a job file takes priority") {
  CHECK(job_ok(R"({"argv": ["x"], "priority": 7})").priority == 7);
  CHECK(job_ok(R"({"argv": ["x"]})").priority == 0);
}

TEST_CASE("queue spec: max_parallel below 1, not an integer or too large is refused with its path") {
  CHECK(has(errors_of(R"({"children": [{"max_parallel": 0, "children": []}]})"),
            "children[0].max_parallel: expected integer 1..1000000, got 0"));
  CHECK(has(errors_of(R"({"max_parallel": -2, "children": []})"), "max_parallel: expected integer 1..1000000, got -2"));
  CHECK(has(errors_of(R"({"max_parallel": 1.5, "children": []})"), "max_parallel: expected integer 1..1000000, got 1.5"));
  CHECK(has_prefix(errors_of(R"({"max_parallel": "8", "children": []})"), "max_parallel: expected integer 1..1000000, got string"));
  CHECK(has(errors_of(R"({"max_parallel": 1000001, "children": []})"),
            "max_parallel: expected integer 1..1000000, got 1000001"));
}

TEST_CASE("queue spec: max_parallel on a job is refused -- in a tree and in a job file") {
  const std::string why = "max_parallel: only a scope (a node with \"children\") can limit how many children run at once";
  CHECK(has(errors_of(R"({"children": [{"argv": ["x"], "max_parallel": 2}]})"), "children[0]." + why));
  CHECK(has(errors_of(R"({"argv": ["x"], "max_parallel": 2})", SpecKind::Job), why));
}

TEST_CASE("queue spec: a priority that is not an integer is refused with its path") {
  CHECK(has(errors_of(R"({"children": [{"argv": ["x"], "priority": 1.5}]})"),
            "children[0].priority: expected integer -1000000000..1000000000, got 1.5"));
  CHECK(has_prefix(errors_of(R"({"argv": ["x"], "priority": "high"})", SpecKind::Job),
                   "priority: expected integer -1000000000..1000000000, got string"));
  CHECK(has(errors_of(R"({"argv": ["x"], "priority": 10000000000})", SpecKind::Job),
            "priority: expected integer -1000000000..1000000000, got 10000000000"));
}

TEST_CASE("queue spec: to_json writes a job's priority back and it parses again") {
  JobSpec job = job_ok(R"({"argv": ["x"], "priority": -4})");
  json back = to_json(job);
  CHECK(back["priority"] == -4);
  CHECK(std::get<JobSpec>(parse_ok(back.dump().c_str(), SpecKind::Job).node).priority == -4);
  CHECK_FALSE(to_json(job_ok(R"({"argv": ["x"]})")).contains("priority"));
}

}  // namespace
}  // namespace traio
