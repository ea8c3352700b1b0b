#include <limits>

#include <doctest/doctest.h>

#include "tests/unit/config/spec_test_support.hpp"

using namespace traio;
using namespace traio::spec_test;
using namespace std::chrono_literals;
using nlohmann::json;

TEST_CASE("rule 11: restart defaults to no, with no limit and a one minute window") {
  JobSpec job = job_ok(R"({"argv": ["x"]})");
  CHECK(job.restart.policy == RestartPolicy::No);
  CHECK_FALSE(job.restart.max.has_value());
  CHECK(job.restart.window == 1min);
  CHECK_FALSE(job.restart.backoff.initial.has_value());
  CHECK_FALSE(job.restart.backoff.max.has_value());
}

TEST_CASE("rule 11: restart as a policy string") {
  CHECK(job_ok(R"({"argv": ["x"], "restart": "no"})").restart.policy == RestartPolicy::No);
  CHECK(job_ok(R"({"argv": ["x"], "restart": "on-failure"})").restart.policy == RestartPolicy::OnFailure);
  CHECK(job_ok(R"({"argv": ["x"], "restart": "always"})").restart.policy == RestartPolicy::Always);
  CHECK(has(errors_of(R"({"argv": ["x"], "restart": "sometimes"})"),
            "restart: expected \"no\", \"on-failure\" or \"always\", got \"sometimes\""));
  CHECK(has(errors_of(R"({"argv": ["x"], "restart": true})"),
            "restart: expected \"no\", \"on-failure\", \"always\" or object, got boolean"));
}

TEST_CASE("rule 11: restart as an object with max, window and backoff") {
  JobSpec job = job_ok(R"({"argv": ["x"], "restart": {"policy": "on-failure", "max": 5, "window": "10m",
                           "backoff": {"initial": "100ms", "max": "30s"}}})");
  CHECK(job.restart.policy == RestartPolicy::OnFailure);
  CHECK(job.restart.max == 5u);
  CHECK(job.restart.window == 10min);
  CHECK(job.restart.backoff.initial == 100ms);
  CHECK(job.restart.backoff.max == 30s);
  JobSpec zero = job_ok(R"({"argv": ["x"], "restart": {"policy": "always", "max": 0, "backoff": {"max": "2s"}}})");
  CHECK(zero.restart.max == 0u);
  CHECK(zero.restart.window == 1min);
  CHECK_FALSE(zero.restart.backoff.initial.has_value());
  CHECK(zero.restart.backoff.max == 2s);
  CHECK_FALSE(job_ok(R"({"argv": ["x"], "restart": {"policy": "always", "max": null}})").restart.max.has_value());
  CHECK(job_ok(R"({"argv": ["x"], "restart": {"policy": "always", "max": 99999999999}})").restart.max ==
        std::numeric_limits<unsigned>::max());
}

TEST_CASE("rule 11: every bad restart field is reported with its path") {
  auto errs = errors_of(R"({"argv": ["x"], "restart": {"policy": "never", "max": -1, "window": "0s",
                            "backoff": {"initial": "0s", "max": "soon", "factor": 2}, "jitter": true}})");
  CHECK(has(errs, "restart.policy: expected \"no\", \"on-failure\" or \"always\", got \"never\""));
  CHECK(has(errs, "restart.max: expected integer >= 0, got -1"));
  CHECK(has(errs, "restart.window: must be at least 1ms, got \"0s\" (0s)"));
  CHECK(has(errs, "restart.backoff.initial: must be at least 1ms, got \"0s\" (0s)"));
  CHECK(has_prefix(errs, "restart.backoff.max: expected a number at 'soon'"));
  CHECK(has(errs, "restart.backoff.factor: unknown field"));
  CHECK(has(errs, "restart.jitter: unknown field"));
  CHECK(errs.size() == 7);
  CHECK(has(errors_of(R"({"argv": ["x"], "restart": {"max": 3}})"),
            "restart.policy: missing (\"no\", \"on-failure\" or \"always\")"));
  CHECK(has(errors_of(R"({"argv": ["x"], "restart": {"policy": "always", "max": 1.5}})"),
            "restart.max: expected integer >= 0, got 1.5"));
  CHECK(has(errors_of(R"({"argv": ["x"], "restart": {"policy": 1}})"),
            "restart.policy: expected \"no\", \"on-failure\" or \"always\", got number"));
  CHECK(has(errors_of(R"({"argv": ["x"], "restart": {"policy": "always", "backoff": []}})"),
            "restart.backoff: expected object, got array"));
}

TEST_CASE("rule 11: a backoff whose initial delay exceeds its max is an error on initial") {
  CHECK(has(errors_of(R"({"argv": ["x"], "restart": {"policy": "always", "backoff": {"initial": "1m", "max": "30s"}}})"),
            "restart.backoff.initial: must not exceed backoff.max (1m > 30s)"));
  CHECK(job_ok(R"({"argv": ["x"], "restart": {"policy": "always", "backoff": {"initial": "1s", "max": "1s"}}})")
            .restart.backoff.initial == 1s);
}

TEST_CASE("rule 11: every job kind may restart, a scope may not") {
  CHECK(job_ok(R"({"kind": "sleep", "duration": "1s", "restart": "always"})").restart.policy == RestartPolicy::Always);
  CHECK(job_ok(R"({"kind": "wait_tcp", "address": "db:80", "restart": "always"})").restart.policy == RestartPolicy::Always);
  CHECK(job_ok(R"({"kind": "wait_file", "path": "/x", "restart": {"policy": "on-failure"}})").restart.policy ==
        RestartPolicy::OnFailure);
  CHECK(has(errors_of(R"({"restart": "always", "children": []})"),
            "restart: not valid for a scope (a node with \"children\")"));
  CHECK(has(errors_of(R"({"children": [{"name": "s", "restart": "always", "children": []}]})"),
            "children[0].restart: not valid for a scope (a node with \"children\")"));
}
