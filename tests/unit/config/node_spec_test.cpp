#include <doctest/doctest.h>

#include "tests/unit/config/spec_test_support.hpp"

using namespace traio;
using namespace std::chrono_literals;
using nlohmann::json;
using namespace traio::spec_test;

TEST_CASE("job spec: the SPEC §2 example without its not-yet fields parses with every value") {
  JobSpec job = job_ok(R"({
    "name": "api", "kind": "process", "argv": ["./api", "--port", "8080"],
    "env": {"RUST_LOG": "info"}, "cwd": "/srv/api",
    "master": false, "bubble": true, "awaited": true, "timeout": "10m",
    "stop": {"signal": "TERM", "grace": "5s"}, "output": "capture"})");
  CHECK(job.name == "api");
  CHECK(job.kind == JobKind::Process);
  CHECK(job.argv == std::vector<std::string>{"./api", "--port", "8080"});
  CHECK(job.env == std::map<std::string, std::string>{{"RUST_LOG", "info"}});
  CHECK(job.cwd == "/srv/api");
  CHECK(job.timeout == 10min);
  CHECK(job.stop.signal == 15);
  CHECK(job.stop.grace == 5s);
  CHECK(job.output.mode == OutputMode::Capture);
  CHECK(job.success_exit_codes == std::vector<int>{0});
}

TEST_CASE("job spec: the full SPEC §2 example parses") {
  JobSpec job = job_ok(R"({
    "name": "api", "kind": "process", "argv": ["./api", "--port", "8080"],
    "env": {"RUST_LOG": "info"}, "cwd": "/srv/api",
    "master": false, "bubble": true, "awaited": true, "timeout": "10m",
    "after": ["db"],
    "ready": {"wait_tcp": "127.0.0.1:8080", "timeout": "30s"},
    "stop": {"signal": "TERM", "grace": "5s"},
    "restart": {"policy": "on-failure", "max": 5, "backoff": {"initial": "100ms", "max": "30s"}},
    "output": "capture",
    "user": "www-data"})");
  REQUIRE(job.after.size() == 1);
  CHECK(job.after[0].name == "db");
  CHECK(job.ready.probe == ReadySpec::Probe::Tcp);
  CHECK(job.restart.policy == RestartPolicy::OnFailure);
  CHECK(job.restart.max == 5u);
  CHECK(job.user == "www-data");
}

TEST_CASE("job spec: defaults are filled in") {
  JobSpec job = job_ok(R"({"argv": ["true"]})");
  CHECK(job.name.empty());
  CHECK(job.kind == JobKind::Process);
  CHECK_FALSE(job.flags.master);
  CHECK(job.flags.bubble);
  CHECK(job.flags.awaited);
  CHECK_FALSE(job.timeout.has_value());
  CHECK_FALSE(job.stop.signal.has_value());
  CHECK_FALSE(job.stop.grace.has_value());
  CHECK(job.output.mode == OutputMode::Capture);
}

TEST_CASE("job spec: timeouts as strings or seconds, durations of sleep jobs") {
  CHECK(job_ok(R"({"argv": ["x"], "timeout": 3000})").timeout == 50min);  // seconds, not ms
  CHECK(job_ok(R"({"argv": ["x"], "timeout": 1.5})").timeout == 1500ms);
  CHECK_FALSE(job_ok(R"({"argv": ["x"], "timeout": null})").timeout.has_value());
  JobSpec sleep = job_ok(R"({"kind": "sleep", "duration": "1h30m"})");
  CHECK(sleep.kind == JobKind::Sleep);
  CHECK(sleep.duration == 90min);
  CHECK(has(errors_of(R"({"argv": ["x"], "timeout": "0s"})"), "timeout: must be at least 1ms, got \"0s\" (0s)"));
  CHECK(has(errors_of(R"({"argv": ["x"], "timeout": 0.0001})"), "timeout: must be at least 1ms, got 0.0001 (0s)"));
  CHECK(has(errors_of(R"({"argv": ["x"], "timeout": "-1s"})"), "timeout: negative duration '-1s'"));
  CHECK(has(errors_of(R"({"argv": ["x"], "timeout": true})"),
            "timeout: expected duration (string like \"10s\" or number of seconds), got boolean"));
  CHECK(has(errors_of(R"({"argv": ["x"], "timeout": 1e300})"), "timeout: duration of 1e+300 seconds is too long (at most 36500d)"));
}

TEST_CASE("job spec: output modes and exit codes") {
  CHECK(job_ok(R"({"argv": ["x"], "output": "inherit"})").output.mode == OutputMode::Inherit);
  CHECK(job_ok(R"({"argv": ["x"], "output": "null"})").output.mode == OutputMode::Null);
  JobSpec f = job_ok(R"({"argv": ["x"], "output": {"file": "/tmp/o.log", "append": false}})");
  CHECK(f.output.mode == OutputMode::File);
  CHECK(f.output.file == "/tmp/o.log");
  CHECK(f.output.file_mode == FileMode::Truncate);
  CHECK(job_ok(R"({"argv": ["x"], "output": {"file": "/o"}})").output.file_mode == FileMode::Append);
  CHECK(job_ok(R"({"argv": ["x"], "success_exit_codes": [143, 0, 143]})").success_exit_codes ==
        std::vector<int>{0, 143});
  auto errs = errors_of(R"({"argv": ["x"], "output": {"file": "rel.log", "mode": 1}, "success_exit_codes": [0, 256, "1"]})");
  CHECK(has(errs, "output.file: must be an absolute path, got \"rel.log\""));
  CHECK(has(errs, "output.mode: unknown field"));
  CHECK(has(errs, "success_exit_codes[1]: expected integer 0..255, got 256"));
  CHECK(has(errs, "success_exit_codes[2]: expected integer 0..255, got string"));
  CHECK(has_prefix(errors_of(R"({"argv": ["x"], "output": "file"})"), "output: expected \"capture\""));
  CHECK(has(errors_of(R"({"argv": ["x"], "output": {}})"), "output.file: missing (the path to write to)"));
  CHECK(has_prefix(errors_of(R"({"argv": ["x"], "success_exit_codes": []})"), "success_exit_codes: must not be empty"));
}

TEST_CASE("job spec: signals in every spelling, written back as TERM") {
  for (const char* s : {R"("TERM")", R"("SIGTERM")", R"("term")", "15"}) {
    CAPTURE(s);
    std::string text = std::string(R"({"argv": ["x"], "stop": {"signal": )") + s + "}}";
    auto r = parse_node_spec(json::parse(text), SpecKind::Job);
    REQUIRE(std::holds_alternative<NodeSpec>(r));
    const auto& job = std::get<JobSpec>(std::get<NodeSpec>(r).node);
    CHECK(job.stop.signal == 15);
    CHECK(to_json(job)["stop"]["signal"] == "TERM");
  }
  auto errs = errors_of(R"({"argv": ["x"], "stop": {"signal": "TREM", "grace": "soon", "after": 1}})");
  CHECK(has_prefix(errs, "stop.signal: unknown signal 'TREM'"));
  CHECK(has_prefix(errs, "stop.grace: expected a number at 'soon'"));
  CHECK(has(errs, "stop.after: unknown field"));
  CHECK(has_prefix(errors_of(R"({"argv": ["x"], "stop": {"signal": 0}})"), "stop.signal: no signal number 0"));
}

TEST_CASE("job spec: argv, env and cwd are checked element by element") {
  auto errs = errors_of(R"({"argv": ["", 5, "ok", null], "env": {"A=B": "x", "N": 1, "": "e"}, "cwd": "srv"})");
  CHECK(has(errs, "argv[0]: the program must not be empty"));
  CHECK(has(errs, "argv[1]: expected string, got number"));
  CHECK(has(errs, "argv[3]: expected string, got null"));
  CHECK(has(errs, "env.A=B: a variable name cannot contain '='"));
  CHECK(has(errs, "env.N: expected string, got number"));
  CHECK(has(errs, "env: a variable name is empty"));
  CHECK(has(errs, "cwd: must be an absolute path, got \"srv\""));
  CHECK(has(errors_of(R"({"argv": []})"), "argv: must not be empty (argv[0] is the program)"));
  CHECK(has(errors_of(R"({"argv": "ls -l"})"), "argv: expected array of strings, got string"));
  CHECK(has(errors_of(R"({"name": "x"})"), "argv: missing (a process job needs the program and its arguments)"));
  CHECK(has(errors_of(json{{"argv", {"a", std::string("b\0c", 3)}}}), "argv[1]: contains a NUL byte"));
}

TEST_CASE("job spec: hostile sizes are bounded and the error names the path") {
  json big_argv = {{"argv", json::array()}};
  for (int i = 0; i < 4097; ++i) big_argv["argv"].push_back("x");
  CHECK(has(errors_of(big_argv), "argv: has 4097 elements, at most 4096"));
  json long_arg = {{"argv", {"x", std::string(128 * 1024 + 1, 'a')}}};
  CHECK(has(errors_of(long_arg), "argv[1]: is 131073 bytes long, at most 131072"));
  json big_env = {{"argv", {"x"}}, {"env", json::object()}};
  for (int i = 0; i < 4097; ++i) big_env["env"]["V" + std::to_string(i)] = "1";
  CHECK(has(errors_of(big_env), "env: has 4097 entries, at most 4096"));
  auto huge = errors_of(R"({"argv": ["x"], "success_exit_codes": [18446744073709551615, -1, 1e300]})"_json);
  CHECK(has(huge, "success_exit_codes[0]: expected integer 0..255, got 18446744073709551615"));
  CHECK(has(huge, "success_exit_codes[1]: expected integer 0..255, got -1"));
  CHECK(has(huge, "success_exit_codes[2]: expected integer 0..255, got 1e+300"));
  CHECK(has_prefix(errors_of(R"({"argv": ["x"], "stop": {"signal": 18446744073709551615}})"_json),
                   "stop.signal: no signal number 18446744073709551615"));
}

TEST_CASE("job spec: fields that do not fit the kind are errors") {
  auto errs = errors_of(R"({"kind": "sleep", "duration": "1s", "argv": ["x"], "env": {}, "output": "null"})");
  CHECK(has(errs, "argv: not valid for a sleep job (only for process jobs)"));
  CHECK(has(errs, "env: not valid for a sleep job (only for process jobs)"));
  CHECK(has(errs, "output: not valid for a sleep job (only for process jobs)"));
  CHECK(has(errors_of(R"({"argv": ["x"], "duration": "1s"})"), "duration: not valid for a process job (only for sleep jobs)"));
  CHECK(has(errors_of(R"({"kind": "sleep"})"), "duration: missing (a sleep job needs a duration)"));
  CHECK(has(errors_of(R"({"argv": ["x"], "finalize": true})"),
            "finalize: only a scope (a node with \"children\") can be finalized"));
}

TEST_CASE("job spec: unsupported kinds say so, unknown fields are errors") {
  CHECK(has(errors_of(R"({"kind": "docker"})"),
            "kind: unknown kind \"docker\" (expected \"process\", \"sleep\", \"wait_tcp\" or \"wait_file\")"));
  CHECK(has(errors_of(R"({"argv": ["x"], "argvv": ["y"]})"), "argvv: unknown field"));
}

TEST_CASE("job spec: wrong types, bad names, and every error is collected") {
  auto errs = errors_of(R"({"name": 5, "argv": ["x"], "master": "yes", "bubble": 1, "awaited": null, "extra": 0})");
  CHECK(has(errs, "name: expected string, got number"));
  CHECK(has(errs, "master: expected boolean, got string"));
  CHECK(has(errs, "bubble: expected boolean, got number"));
  CHECK(has(errs, "awaited: expected boolean, got null"));
  CHECK(has(errs, "extra: unknown field"));
  CHECK(errs.size() == 5);
  CHECK(has(errors_of(R"({"name": "..", "argv": ["x"]})"), "name: name '..' must start with a letter or digit"));
  CHECK(has_prefix(errors_of(R"({"name": "café", "argv": ["x"]})"), "name: name 'caf"));
  CHECK(has_prefix(errors_of(R"({"name": "日本", "argv": ["x"]})"), "name: name "));
  CHECK(has_prefix(errors_of(R"({"name": "", "argv": ["x"]})"), "name: name is empty"));
  CHECK(has(errors_of(R"(["x"])"), "expected object, got array"));
}

TEST_CASE("job spec: a job file cannot have children") {
  auto errs = errors_of(R"({"name": "ci", "children": []})", SpecKind::Job);
  CHECK(has(errs, "children: a job file cannot have children; use traioctl run for trees"));
}

TEST_CASE("tree spec: the SPEC §2 tree") {
  NodeSpec tree = parse_ok(R"({"name": "ci", "timeout": "30m", "children": [
    {"name": "db", "argv": ["pg_ctl", "start"], "awaited": false, "ready": {"wait_tcp": "127.0.0.1:5432"}},
    {"name": "tests", "after": ["db"], "children": [
      {"name": "unit", "argv": ["make", "unit"]},
      {"name": "e2e", "argv": ["make", "e2e"], "timeout": "10m"}]}]})");
  REQUIRE(tree.is_scope());
  const auto& ci = std::get<ScopeSpec>(tree.node);
  CHECK(tree.name() == "ci");
  CHECK(ci.timeout == 30min);
  CHECK(ci.finalize);
  REQUIRE(ci.children.size() == 2);
  CHECK(ci.children[0].name() == "db");
  CHECK_FALSE(ci.children[0].flags().awaited);
  CHECK(ci.children[0].source["argv"][0] == "pg_ctl");
  CHECK_FALSE(tree.source.contains("children"));  // each child keeps its own source
  CHECK(tree.source["timeout"] == "30m");
  const auto& tests = std::get<ScopeSpec>(ci.children[1].node);
  REQUIRE(tests.children.size() == 2);
  CHECK(std::get<JobSpec>(tests.children[1].node).timeout == 10min);
}

TEST_CASE("tree spec: an empty children list is a valid scope -- finalize can be turned off") {
  NodeSpec empty = parse_ok(R"({"children": []})");
  REQUIRE(empty.is_scope());
  CHECK(std::get<ScopeSpec>(empty.node).children.empty());
  CHECK_FALSE(std::get<ScopeSpec>(parse_ok(R"({"finalize": false, "kind": "scope", "children": []})").node).finalize);
  CHECK_FALSE(parse_ok(R"({"argv": ["x"]})").is_scope());  // a tree of one job
}

TEST_CASE("tree spec: errors carry the path through the children") {
  auto errs = errors_of(R"({"name": "ci", "children": [
    {"name": "a", "argv": ["x"]},
    {"name": "b", "argv": ["x", 1]},
    {"name": "c", "argv": ["x"], "restart": {"policy": "always", "max": -1}},
    {"name": "a", "argv": ["y"]},
    {"name": "s", "after": ["a"], "max_parallel": 2, "argv": ["x"], "children": [{"name": "z", "bogus": 1, "argv": ["x"]}]},
    7]})");
  CHECK(has(errs, "children[1].argv[1]: expected string, got number"));
  CHECK(has(errs, "children[2].restart.max: expected integer >= 0, got -1"));
  CHECK(has(errs, "children[3].name: duplicate name 'a'"));
  CHECK(has(errs, "children[4].argv: not valid for a scope (a node with \"children\")"));
  CHECK(has(errs, "children[4].children[0].bogus: unknown field"));
  CHECK(has(errs, "children[5]: expected object, got number"));
  CHECK(errs.size() == 6);
  CHECK(has(errors_of(R"({"children": {}})"), "children: expected array of nodes, got object"));
  CHECK(has(errors_of(R"({"children": [], "kind": "process"})"),
            "kind: a node with children is a scope, got kind \"process\""));
}

TEST_CASE("tree spec: a tree built deeper than the guard is refused, not recursed into") {
  json leaf = {{"argv", {"x"}}};
  json tree = leaf;
  for (int i = 0; i < 200; ++i) tree = json{{"children", json::array({std::move(tree)})}};
  auto errs = errors_of(tree);
  REQUIRE(errs.size() == 1);
  CHECK(errs[0].find("nested deeper than 128 scopes") != std::string::npos);
  // nlohmann destroys values recursively: unwind by hand so the test itself stays shallow.
  while (tree.is_object() && tree.contains("children")) {
    json inner = std::move(tree["children"][0]);
    tree = std::move(inner);
  }
}

TEST_CASE("to_json: the normalized form parses back to the same spec") {
  JobSpec job = job_ok(R"({"name": "w", "argv": ["a", "b"], "env": {"K": "V"}, "cwd": "/w", "timeout": 90,
    "master": true, "stop": {"signal": "sigint", "grace": 1.5}, "output": {"file": "/o", "append": false},
    "success_exit_codes": [3, 0]})");
  json normal = to_json(job);
  CHECK(normal["timeout"] == "1m30s");
  CHECK(normal["stop"] == json{{"signal", "INT"}, {"grace", "1.5s"}});
  CHECK(normal["output"] == json{{"file", "/o"}, {"append", false}});
  CHECK(normal["kind"] == "process");
  auto again = parse_node_spec(normal, SpecKind::Job);
  REQUIRE(std::holds_alternative<NodeSpec>(again));
  CHECK(to_json(std::get<JobSpec>(std::get<NodeSpec>(again).node)) == normal);

  json sleep = to_json(job_ok(R"({"kind": "sleep", "duration": 0.25})"));
  CHECK(sleep == json{{"kind", "sleep"}, {"master", false}, {"bubble", true}, {"awaited", true}, {"duration", "250ms"}});
  CHECK(std::holds_alternative<NodeSpec>(parse_node_spec(sleep, SpecKind::Job)));
  CHECK(to_string(OutputMode::File) == "file");
  CHECK(to_string(JobKind::Sleep) == "sleep");
}

TEST_CASE("to_json: restart, ready, after, user and wait fields are written back and parse again") {
  auto round_trip = [](const JobSpec& job) {
    json normal = to_json(job);
    auto again = parse_node_spec(normal, SpecKind::Job);
    if (auto* errors = std::get_if<ParseErrors>(&again)) FAIL(format_parse_errors(*errors));
    CHECK(to_json(std::get<JobSpec>(std::get<NodeSpec>(again).node)) == normal);
    return normal;
  };
  json process = round_trip(job_ok(R"({"name": "api", "argv": ["x"], "user": "www-data", "group": "1000",
    "after": ["db", {"name": "m", "when": "succeeded"}],
    "ready": {"exec": ["check", "-q"], "timeout": 30, "interval": "1s"},
    "restart": {"policy": "on-failure", "max": 5, "backoff": {"initial": "100ms"}}})"));
  CHECK(process["after"] == json::parse(R"([{"name": "db", "when": "ready"}, {"name": "m", "when": "succeeded"}])"));
  CHECK(process["ready"] == json::parse(R"({"exec": ["check", "-q"], "timeout": "30s", "interval": "1s"})"));
  CHECK(process["restart"] ==
        json::parse(R"({"policy": "on-failure", "max": 5, "window": "1m", "backoff": {"initial": "100ms"}})"));
  CHECK(process["user"] == "www-data");
  CHECK(process["group"] == "1000");
  json tcp_probe = round_trip(job_ok(R"({"argv": ["x"], "ready": {"wait_tcp": "[::1]:80"}})"));
  CHECK(tcp_probe["ready"] == json::parse(R"({"wait_tcp": "[::1]:80", "interval": "250ms"})"));
  CHECK(round_trip(job_ok(R"({"argv": ["x"], "ready": {"wait_file": "/r"}})"))["ready"]["wait_file"] == "/r");
  json unlimited = round_trip(job_ok(R"({"argv": ["x"], "restart": "always"})"));
  CHECK(unlimited["restart"] == json::parse(R"({"policy": "always", "max": null, "window": "1m", "backoff": {}})"));

  json plain = round_trip(job_ok(R"({"argv": ["x"], "restart": {"policy": "no", "max": 3}})"));
  for (const char* absent : {"restart", "ready", "after", "user", "group", "address", "interval", "path"}) {
    CAPTURE(absent);
    CHECK_FALSE(plain.contains(absent));
  }
  json tcp = round_trip(job_ok(R"({"kind": "wait_tcp", "address": "db:5432", "restart": "always", "after": ["x"]})"));
  CHECK(tcp["address"] == "db:5432");
  CHECK(tcp["interval"] == "250ms");
  CHECK(tcp["restart"]["policy"] == "always");
  CHECK(tcp["after"][0]["name"] == "x");
  CHECK_FALSE(tcp.contains("argv"));
  json file = round_trip(job_ok(R"({"kind": "wait_file", "path": "/run/x", "timeout": "5s"})"));
  CHECK(file == json::parse(R"({"kind": "wait_file", "path": "/run/x", "timeout": "5s",
                                "master": false, "bubble": true, "awaited": true})"));
  CHECK(round_trip(job_ok(R"({"kind": "sleep", "duration": "1s", "restart": "on-failure"})"))["restart"]["policy"] ==
        "on-failure");
}
