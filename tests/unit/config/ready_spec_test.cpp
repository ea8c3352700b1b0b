#include <doctest/doctest.h>

#include "tests/unit/config/spec_test_support.hpp"

using namespace traio;
using namespace traio::spec_test;
using namespace std::chrono_literals;
using nlohmann::json;

TEST_CASE("ready: no probe unless given") {
  JobSpec job = job_ok(R"({"argv": ["x"]})");
  CHECK(job.ready.probe == ReadySpec::Probe::None);
}

TEST_CASE("ready: a wait_tcp probe with its timeout, the interval defaulting to 250ms") {
  ReadySpec ready = job_ok(R"({"argv": ["x"], "ready": {"wait_tcp": "127.0.0.1:8080", "timeout": "30s"}})").ready;
  CHECK(ready.probe == ReadySpec::Probe::Tcp);
  CHECK(ready.address == "127.0.0.1:8080");
  CHECK(ready.timeout == 30s);
  CHECK(ready.interval == 250ms);
}

TEST_CASE("ready: a wait_file probe and an exec probe with an interval") {
  ReadySpec file = job_ok(R"({"argv": ["x"], "ready": {"wait_file": "/run/app.sock"}})").ready;
  CHECK(file.probe == ReadySpec::Probe::File);
  CHECK(file.path == "/run/app.sock");
  CHECK_FALSE(file.timeout.has_value());
  ReadySpec exec = job_ok(R"({"argv": ["x"], "ready": {"exec": ["pg_isready", "-q"], "interval": "1s"}})").ready;
  CHECK(exec.probe == ReadySpec::Probe::Exec);
  CHECK(exec.argv == std::vector<std::string>{"pg_isready", "-q"});
  CHECK(exec.interval == 1s);
}

TEST_CASE("ready: zero or two probes are an error naming them") {
  CHECK(has(errors_of(R"({"argv": ["x"], "ready": {"timeout": "5s"}})"),
            "ready: needs one probe: \"wait_tcp\", \"wait_file\", \"exec\", \"http\", \"log\" or \"notify\""));
  CHECK(has(errors_of(R"({"argv": ["x"], "ready": {}})"), "ready: needs one probe: \"wait_tcp\", \"wait_file\", \"exec\", \"http\", \"log\" or \"notify\""));
  CHECK(has(errors_of(R"({"argv": ["x"], "ready": {"wait_tcp": "db:80", "exec": ["true"]}})"),
            "ready: has 2 probes (\"wait_tcp\", \"exec\"); give exactly one"));
  CHECK(has(errors_of(R"({"argv": ["x"], "ready": {"wait_tcp": "db:80", "wait_file": "/x", "exec": ["true"]}})"),
            "ready: has 3 probes (\"wait_tcp\", \"wait_file\", \"exec\"); give exactly one"));
}

TEST_CASE("ready: each probe's value is checked like the field it mirrors") {
  auto errs = errors_of(R"({"argv": ["x"], "ready": {"wait_tcp": "db", "timeout": "0s", "interval": "1ms", "https": "x"}})");
  CHECK(has(errs, "ready.wait_tcp: expected HOST:PORT, got 'db'"));
  CHECK(has(errs, "ready.timeout: must be at least 1ms, got \"0s\" (0s)"));
  CHECK(has(errs, "ready.interval: must be at least 10ms, got \"1ms\" (1ms)"));
  CHECK(has(errs, "ready.https: unknown field"));
  CHECK(errs.size() == 4);
  CHECK(has(errors_of(R"({"argv": ["x"], "ready": {"wait_file": "rel"}})"),
            "ready.wait_file: must be an absolute path, got \"rel\""));
  auto exec = errors_of(R"({"argv": ["x"], "ready": {"exec": ["", 3]}})");
  CHECK(has(exec, "ready.exec[0]: the program must not be empty"));
  CHECK(has(exec, "ready.exec[1]: expected string, got number"));
  CHECK(has(errors_of(R"({"argv": ["x"], "ready": {"exec": []}})"), "ready.exec: must not be empty (argv[0] is the program)"));
  CHECK(has(errors_of(R"({"argv": ["x"], "ready": "db:80"})"), "ready: expected object, got string"));
}

TEST_CASE("ready: only process jobs take a probe -- a scope does not") {
  CHECK(has(errors_of(R"({"kind": "sleep", "duration": "1s", "ready": {"exec": ["true"]}})"),
            "ready: not valid for a sleep job (only for process jobs)"));
  CHECK(has(errors_of(R"({"ready": {"exec": ["true"]}, "children": []})"),
            "ready: not valid for a scope (a node with \"children\")"));
}
