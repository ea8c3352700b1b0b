// SPEC §6 `health`: the probes of `ready` that can be asked again, with interval, a
// per-check timeout, failures and action; errors carry the JSON path of the field.
#include <doctest/doctest.h>

#include "tests/unit/config/spec_test_support.hpp"

namespace traio {

using namespace spec_test;
using namespace std::chrono_literals;
using nlohmann::json;

TEST_CASE("health spec: an http check with every field is read") {
  JobSpec job = job_ok(R"({"argv": ["x"], "health": {"http": "http://127.0.0.1:8080/health", "interval": "5s",
                          "timeout": "1s", "failures": 2, "action": "fail"}})");
  REQUIRE(job.health.has_value());
  CHECK(job.health->check.probe == ReadySpec::Probe::Http);
  CHECK(job.health->check.url == "http://127.0.0.1:8080/health");
  CHECK(job.health->interval == 5s);
  CHECK(job.health->timeout == 1s);
  CHECK(job.health->check.timeout == 1s);  // each check gets the per-check timeout
  CHECK(job.health->failures == 2u);
  CHECK(job.health->action == HealthAction::Fail);
}

TEST_CASE("health spec: defaults are interval 10s, timeout 2s, failures 3, action restart") {
  JobSpec job = job_ok(R"({"argv": ["x"], "health": {"exec": ["check", "-q"]}})");
  REQUIRE(job.health.has_value());
  CHECK(job.health->check.probe == ReadySpec::Probe::Exec);
  CHECK(job.health->check.argv == std::vector<std::string>{"check", "-q"});
  CHECK(job.health->interval == 10s);
  CHECK(job.health->timeout == 2s);
  CHECK(job.health->failures == 3u);
  CHECK(job.health->action == HealthAction::Restart);
  CHECK_FALSE(job_ok(R"({"argv": ["x"]})").health.has_value());
}

TEST_CASE("health spec: to_json writes every field and parses back to the same spec") {
  JobSpec job = job_ok(R"({"argv": ["x"], "health": {"wait_tcp": "127.0.0.1:80", "failures": 4}})");
  json out = to_json(job);
  CHECK(out["health"] == json::parse(R"({"wait_tcp": "127.0.0.1:80", "interval": "10s", "timeout": "2s",
                                         "failures": 4, "action": "restart"})"));
  JobSpec again = job_ok(out.dump().c_str());
  REQUIRE(again.health.has_value());
  CHECK(again.health->check.address == "127.0.0.1:80");
  CHECK(again.health->failures == 4u);
  CHECK(to_json(again)["health"] == out["health"]);
}

TEST_CASE("health spec: log and notify are refused -- they cannot be asked again") {
  auto errs = errors_of(R"({"argv": ["x"], "health": {"log": "ok"}})");
  CHECK(has_prefix(errs, "health.log: cannot be a health check"));
  errs = errors_of(R"({"argv": ["x"], "health": {"notify": true}})");
  CHECK(has_prefix(errs, "health.notify: cannot be a health check"));
}

TEST_CASE("health spec: bad fields are errors with their JSON path") {
  auto errs = errors_of(R"({"children": [{"argv": ["x"], "health": {"http": "http://example.com/", "failures": 0,
                           "action": "explode", "interval": "1ms", "retries": 2}}]})");
  CHECK(has_prefix(errs, "children[0].health.http: "));
  CHECK(has(errs, "children[0].health.failures: expected integer 1..4294967295, got 0"));
  CHECK(has(errs, "children[0].health.action: expected \"restart\" or \"fail\", got \"explode\""));
  CHECK(has_prefix(errs, "children[0].health.interval: "));
  CHECK(has(errs, "children[0].health.retries: unknown field"));
  CHECK(has_prefix(errors_of(R"({"argv": ["x"], "health": {"interval": "1s"}})"), "health: needs one probe"));
  CHECK(has(errors_of(R"({"argv": ["x"], "health": "http"})"), "health: expected object, got string"));
}

TEST_CASE("health spec: only process jobs take health") {
  CHECK(has(errors_of(R"({"kind": "sleep", "duration": "1s", "health": {"exec": ["x"]}})"),
            "health: not valid for a sleep job (only for process jobs)"));
}

}  // namespace traio
