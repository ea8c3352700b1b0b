#include <doctest/doctest.h>

#include "config/limits_parser.hpp"
#include "tests/unit/config/spec_test_support.hpp"

using namespace traio;
using nlohmann::json;
using namespace traio::spec_test;

TEST_CASE("limits spec: memory, cpu and pids of a process job are read") {
  JobSpec job = job_ok(R"({"argv": ["x"], "limits": {"memory": "2GiB", "cpu": "150%", "pids": 512}})");
  REQUIRE(job.limits);
  CHECK(job.limits->memory_bytes == 2ull << 30);
  CHECK(job.limits->cpu_percent == 150u);
  CHECK(job.limits->pids == 512u);
}

TEST_CASE("limits spec: memory may be a number of bytes and each key may be left out") {
  JobSpec job = job_ok(R"({"argv": ["x"], "limits": {"memory": 33554432}})");
  REQUIRE(job.limits);
  CHECK(job.limits->memory_bytes == 32ull << 20);
  CHECK_FALSE(job.limits->cpu_percent);
  CHECK_FALSE(job.limits->pids);
}

TEST_CASE("limits spec: a scope takes limits for its whole subtree") {
  NodeSpec spec = parse_ok(R"({"name": "s", "limits": {"pids": 64}, "children": [{"argv": ["x"]}]})");
  const auto& scope = std::get<ScopeSpec>(spec.node);
  REQUIRE(scope.limits);
  CHECK(scope.limits->pids == 64u);
}

TEST_CASE("limits spec: bad values and unknown keys are errors at their JSON path") {
  auto errors = errors_of(R"({"children": [{"argv": ["x"], "limits": {"memory": "lots", "cpu": "1.5", "pids": 0,
                                                                        "io": 1}}]})");
  CHECK(has_prefix(errors, "children[0].limits.memory: "));
  CHECK(has(errors, "children[0].limits.cpu: expected a share of one CPU such as \"50%\" or \"150%\", got \"1.5\""));
  CHECK(has(errors, "children[0].limits.pids: expected integer 1..4194304, got 0"));
  CHECK(has(errors, "children[0].limits.io: unknown field"));
  CHECK(has(errors_of(R"({"argv": ["x"], "limits": {"cpu": "0%"}})"), "limits.cpu: must be between 1% and 100000%, got 0%"));
  CHECK(has(errors_of(R"({"argv": ["x"], "limits": {}})"), "limits: is empty: give memory, cpu or pids"));
  CHECK(has(errors_of(R"({"argv": ["x"], "limits": 5})"), "limits: expected object, got number"));
}

TEST_CASE("limits spec: an async job cannot have limits") {
  CHECK(has(errors_of(R"({"kind": "sleep", "duration": "1s", "limits": {"pids": 5}})"),
            "limits: not valid for a sleep job (only for process jobs and scopes)"));
}

TEST_CASE("limits spec: the JSON form parses back to the same limits") {
  JobSpec job = job_ok(R"({"argv": ["x"], "limits": {"memory": "512MiB", "cpu": "50%", "pids": 10}})");
  json back = to_json(job);
  CHECK(back["limits"] == json{{"memory", "512MiB"}, {"cpu", "50%"}, {"pids", 10}});
  JobSpec again = job_ok(back.dump().c_str());
  REQUIRE(again.limits);
  CHECK(again.limits->memory_bytes == 512ull << 20);
  CHECK(again.limits->cpu_percent == 50u);
}

TEST_CASE("limits spec: cpu percent becomes cpu.max quota and period") {
  CHECK(cpu_max_text(150) == "150000 100000");
  CHECK(cpu_max_text(50) == "50000 100000");
}
