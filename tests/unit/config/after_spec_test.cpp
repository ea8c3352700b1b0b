#include <doctest/doctest.h>

#include "tests/unit/config/spec_test_support.hpp"

using namespace traio;
using namespace traio::spec_test;
using nlohmann::json;

namespace {

const ScopeSpec& scope_of(const NodeSpec& node) {
  REQUIRE(node.is_scope());
  return std::get<ScopeSpec>(node.node);
}

}  // namespace

TEST_CASE("after: names wait until ready, objects name their condition") {
  JobSpec job = job_ok(R"({"name": "api", "argv": ["x"], "after": ["db", {"name": "migrate", "when": "succeeded"},
                           {"name": "cache"}]})");
  REQUIRE(job.after.size() == 3);
  CHECK(job.after[0].name == "db");
  CHECK(job.after[0].when == AfterWhen::Ready);
  CHECK(job.after[1].name == "migrate");
  CHECK(job.after[1].when == AfterWhen::Succeeded);
  CHECK(job.after[2].when == AfterWhen::Ready);
  for (const char* when : {"started", "ready", "succeeded", "done", "failed"}) {
    CAPTURE(when);
    json doc = {{"argv", {"x"}}, {"after", {{{"name", "a"}, {"when", when}}}}};
    auto parsed = parse_node_spec(doc, SpecKind::Job);
    REQUIRE(std::holds_alternative<NodeSpec>(parsed));
    CHECK(to_string(std::get<JobSpec>(std::get<NodeSpec>(parsed).node).after[0].when) == when);
  }
  CHECK(job_ok(R"({"argv": ["x"]})").after.empty());
}

TEST_CASE("after: a spawned job's names are left for the daemon to check against live siblings") {
  CHECK(job_ok(R"({"argv": ["x"], "after": ["not-submitted-here"]})").after.size() == 1);
  CHECK(job_ok(R"({"kind": "sleep", "duration": "1s", "after": ["a"]})").after.size() == 1);
  CHECK(job_ok(R"({"kind": "wait_file", "path": "/x", "after": ["a"]})").after.size() == 1);
}

TEST_CASE("after: bad entries, duplicates and the node's own name are errors") {
  auto errs = errors_of(R"({"name": "api", "argv": ["x"], "after": ["db", "db", "api", "..", 5,
                            {"when": "ready"}, {"name": "m", "when": "later", "extra": 1}]})");
  CHECK(has(errs, "after[1]: duplicate name 'db'"));
  CHECK(has(errs, "after[2]: 'api' is this node's own name: a node cannot wait for itself"));
  CHECK(has(errs, "after[3]: name '..' must start with a letter or digit"));
  CHECK(has(errs, "after[4]: expected sibling name or {\"name\", \"when\"}, got number"));
  CHECK(has(errs, "after[5].name: missing (the sibling to wait for)"));
  CHECK(has(errs, "after[6].when: expected \"started\", \"ready\", \"succeeded\", \"done\" or \"failed\", got \"later\""));
  CHECK(has(errs, "after[6].extra: unknown field"));
  CHECK(errs.size() == 7);
  CHECK(has(errors_of(R"({"argv": ["x"], "after": "db"})"), "after: expected array of sibling names, got string"));
  CHECK(has(errors_of(R"({"argv": ["x"], "after": [{"name": "db", "when": 1}]})"),
            "after[0].when: expected \"started\", \"ready\", \"succeeded\", \"done\" or \"failed\", got number"));
  // The same sibling under two conditions is a duplicate too: one condition per sibling.
  CHECK(has(errors_of(R"({"argv": ["x"], "after": ["db", {"name": "db", "when": "started"}]})"),
            "after[1]: duplicate name 'db'"));
}

TEST_CASE("after: scopes take it and their children are checked against their siblings") {
  NodeSpec tree = parse_ok(R"({"name": "ci", "children": [
    {"name": "db", "argv": ["pg_ctl", "start"], "awaited": false, "ready": {"wait_tcp": "127.0.0.1:5432"}},
    {"name": "tests", "after": ["db"], "children": [
      {"name": "unit", "argv": ["make", "unit"]},
      {"name": "e2e", "argv": ["make", "e2e"], "after": [{"name": "unit", "when": "done"}]}]}]})");
  const ScopeSpec& ci = scope_of(tree);
  REQUIRE(ci.children.size() == 2);
  CHECK(ci.children[1].after().size() == 1);
  CHECK(ci.children[1].after()[0].name == "db");
  const ScopeSpec& tests = scope_of(ci.children[1]);
  CHECK(tests.children[1].after()[0].when == AfterWhen::Done);
  // The top node of a tree waits for live siblings under the scope it is run in.
  CHECK(scope_of(parse_ok(R"({"name": "t", "after": ["elsewhere"], "children": []})")).after.size() == 1);
  CHECK(has(errors_of(R"({"name": "t", "after": ["t"], "children": []})"),
            "after[0]: 't' is this node's own name: a node cannot wait for itself"));
}

TEST_CASE("after: a name that is not a sibling in the same children array is an error") {
  auto errs = errors_of(R"({"children": [
    {"name": "a", "argv": ["x"]},
    {"name": "b", "argv": ["x"], "after": ["x", {"name": "a"}, {"name": "c", "when": "done"}]},
    {"name": "s", "children": [{"name": "inner", "argv": ["x"], "after": ["a"]}]},
    {"argv": ["x"], "after": ["job-1"]}]})");
  CHECK(has(errs, "children[1].after[0]: no sibling named 'x'"));
  CHECK(has(errs, "children[1].after[2]: no sibling named 'c'"));
  CHECK(has(errs, "children[2].children[0].after[0]: no sibling named 'a'"));  // a cousin, not a sibling
  CHECK(has(errs, "children[3].after[0]: no sibling named 'job-1'"));           // generated names are unknown here
  CHECK(errs.size() == 4);
}

TEST_CASE("after: cycles among siblings are errors naming the cycle") {
  CHECK(has(errors_of(R"({"children": [{"name": "a", "argv": ["x"], "after": ["b"]},
                                        {"name": "b", "argv": ["x"], "after": ["a"]}]})"),
            "children[0].after: cycle a -> b -> a"));
  auto three = errors_of(R"({"children": [{"name": "z", "argv": ["x"]},
                                          {"name": "c", "argv": ["x"], "after": ["a"]},
                                          {"name": "a", "argv": ["x"], "after": ["b", "z"]},
                                          {"name": "b", "children": [], "after": [{"name": "c", "when": "done"}]},
                                          {"name": "d", "argv": ["x"], "after": ["a"]}]})");
  CHECK(three == std::vector<std::string>{"children[1].after: cycle c -> a -> b -> c"});
  auto two = errors_of(R"({"children": [{"name": "p", "argv": ["x"], "after": ["q"]},
                                        {"name": "q", "argv": ["x"], "after": ["p", "r"]},
                                        {"name": "r", "argv": ["x"], "after": ["s"]},
                                        {"name": "s", "argv": ["x"], "after": ["r"]}]})");
  CHECK(has(two, "children[0].after: cycle p -> q -> p"));
  CHECK(has(two, "children[2].after: cycle r -> s -> r"));
  CHECK(two.size() == 2);
  auto nested = errors_of(R"({"children": [{"name": "s", "children": [
      {"name": "x", "argv": ["x"], "after": ["y"]}, {"name": "y", "argv": ["x"], "after": ["x"]}]}]})");
  CHECK(has(nested, "children[0].children[0].after: cycle x -> y -> x"));
}

TEST_CASE("after: a long chain of siblings is checked without deep recursion") {
  json tree = {{"children", json::array()}};
  const int n = 20000;
  for (int i = 0; i < n; ++i) {
    json child = {{"name", "n" + std::to_string(i)}, {"argv", {"x"}}};
    if (i > 0) child["after"] = {"n" + std::to_string(i - 1)};
    tree["children"].push_back(child);
  }
  CHECK(std::holds_alternative<NodeSpec>(parse_node_spec(tree, SpecKind::Tree)));
  tree["children"][0]["after"] = {"n" + std::to_string(n - 1)};
  auto errs = errors_of(tree);
  REQUIRE(errs.size() == 1);
  CHECK(errs[0] == "children[0].after: cycle n0 -> n19999 -> n19998 -> n19997 -> n19996 -> n19995 -> n19994 -> n19993 -> ... (19992 more) -> n0");
}
