// Replicas and matrices in tree files (SPEC §6, config/fanout.hpp): what one node expands to.
#include <doctest/doctest.h>

#include "config/fanout.hpp"
#include "tests/unit/config/spec_test_support.hpp"

using namespace traio;
using nlohmann::json;
using namespace traio::spec_test;

namespace {

const ScopeSpec& scope_of(const NodeSpec& spec) {
  REQUIRE(spec.is_scope());
  return std::get<ScopeSpec>(spec.node);
}

const JobSpec& job_of(const NodeSpec& spec) {
  REQUIRE_FALSE(spec.is_scope());
  return std::get<JobSpec>(spec.node);
}

std::vector<std::string> names_of(const ScopeSpec& scope) {
  std::vector<std::string> names;
  for (const auto& child : scope.children) names.push_back(child.name());
  return names;
}

}  // namespace

TEST_CASE("fanout: replicas make a scope of the node's name with web-0.. web-N-1, each told its index") {
  NodeSpec tree = parse_ok(R"({"name": "svc", "children": [
    {"name": "web", "replicas": 3, "argv": ["srv", "--port", "80"], "env": {"MODE": "prod"},
     "restart": "always", "timeout": "1h"}]})");
  const ScopeSpec& web = scope_of(scope_of(tree).children.at(0));
  CHECK(web.name == "web");
  CHECK(names_of(web) == std::vector<std::string>{"web-0", "web-1", "web-2"});
  for (std::size_t i = 0; i < 3; ++i) {
    const JobSpec& member = job_of(web.children[i]);
    CHECK(member.argv == std::vector<std::string>{"srv", "--port", "80"});
    CHECK(member.env.at("TRAIO_REPLICA") == std::to_string(i));
    CHECK(member.env.at("MODE") == "prod");
    CHECK(member.restart.policy == RestartPolicy::Always);  // each member keeps its own fields
    CHECK(member.timeout == std::chrono::hours(1));
  }
}

TEST_CASE("fanout: a matrix makes one member per combination, named after it, last variable fastest, with ${var} substituted") {
  NodeSpec tree = parse_ok(R"({"name": "ci", "children": [
    {"name": "test", "matrix": {"shard": [1, 2], "py": ["3.11", "3.12"]},
     "argv": ["python${py}", "-m", "pytest", "--shard=${shard}", "${HOME}"],
     "env": {"PY": "${py}", "KEEP": "$py ${unknown}"}, "cwd": "/src/${py}"}]})");
  const ScopeSpec& test = scope_of(scope_of(tree).children.at(0));
  // Variables in name order (py before shard), the last one varying fastest.
  CHECK(names_of(test) == std::vector<std::string>{"test-py=3.11-shard=1", "test-py=3.11-shard=2",
                                                    "test-py=3.12-shard=1", "test-py=3.12-shard=2"});
  const JobSpec& last = job_of(test.children[3]);
  CHECK(last.argv == std::vector<std::string>{"python3.12", "-m", "pytest", "--shard=2", "${HOME}"});
  CHECK(last.env.at("PY") == "3.12");
  CHECK(last.env.at("KEEP") == "$py ${unknown}");  // not matrix variables: the program's business
  CHECK(last.cwd == "/src/3.12");
  CHECK(last.env.count("TRAIO_REPLICA") == 0);
}

TEST_CASE("fanout: the set's scope takes after, priority and the flags -- members keep the rest") {
  NodeSpec tree = parse_ok(R"({"name": "p", "max_parallel": 2, "children": [
    {"name": "build", "argv": ["make"]},
    {"name": "shard", "replicas": 2, "argv": ["run"], "after": [{"name": "build", "when": "succeeded"}],
     "priority": 5, "master": true, "bubble": false, "awaited": false, "max_parallel": 1},
    {"name": "report", "argv": ["report"], "after": ["shard"]}]})");
  const ScopeSpec& root = scope_of(tree);
  const ScopeSpec& shard = scope_of(root.children.at(1));
  REQUIRE(shard.after.size() == 1);
  CHECK(shard.after[0].name == "build");
  CHECK(shard.after[0].when == AfterWhen::Succeeded);
  CHECK(shard.priority == 5);
  CHECK(shard.flags.master);
  CHECK_FALSE(shard.flags.bubble);
  CHECK_FALSE(shard.flags.awaited);
  CHECK(shard.max_parallel == 1u);  // how many members run at once
  for (const auto& member : shard.children) {
    CHECK(member.after().empty());
    CHECK(member.priority() == 0);
    CHECK(member.flags().bubble);
  }
  // A sibling's after names the set as a whole.
  CHECK(root.children.at(2).after().at(0).name == "shard");
}

TEST_CASE("fanout: values a name cannot hold become '_' in names, not in substitutions") {
  NodeSpec tree = parse_ok(R"({"name": "t", "children": [
    {"name": "get", "matrix": {"url": ["http://a/x"], "on": [true], "n": [1.5]}, "argv": ["curl", "${url}", "${on}", "${n}"]}]})");
  const ScopeSpec& get = scope_of(scope_of(tree).children.at(0));
  CHECK(names_of(get) == std::vector<std::string>{"get-n=1.5-on=true-url=http___a_x"});
  CHECK(job_of(get.children[0]).argv == std::vector<std::string>{"curl", "http://a/x", "true", "1.5"});
}

TEST_CASE("fanout: a replicated root of a tree file is the set's scope itself") {
  NodeSpec tree = parse_ok(R"({"name": "w", "kind": "sleep", "duration": "1s", "replicas": 2})");
  const ScopeSpec& w = scope_of(tree);
  CHECK(names_of(w) == std::vector<std::string>{"w-0", "w-1"});
  CHECK(job_of(w.children[0]).kind == JobKind::Sleep);  // no env for a sleep job
}

TEST_CASE("fanout: bad replicas and matrices are errors at their path, nothing expanded") {
  auto in_tree = [](const char* node) {
    return errors_of(json{{"name", "s"}, {"children", json::array({json::parse(node)})}});
  };
  CHECK(has(in_tree(R"({"name": "a", "replicas": 0, "argv": ["x"]})"),
            "children[0].replicas: expected integer 1..100000, got 0"));
  CHECK(has_prefix(in_tree(R"({"name": "a", "replicas": 100001, "argv": ["x"]})"), "children[0].replicas: "));
  CHECK(has(in_tree(R"({"name": "a", "replicas": 2, "matrix": {"x": [1]}, "argv": ["x"]})"),
            "children[0]: a node has replicas or a matrix, not both"));
  CHECK(has_prefix(in_tree(R"({"replicas": 2, "argv": ["x"]})"), "children[0].name: a job with replicas"));
  CHECK(has_prefix(in_tree(R"({"name": "a", "replicas": 2, "children": []})"), "children[0].replicas: only a job"));
  CHECK(has_prefix(in_tree(R"({"name": "a", "matrix": {}, "argv": ["x"]})"), "children[0].matrix: expected an object"));
  CHECK(has(in_tree(R"({"name": "a", "matrix": {"x": []}, "argv": ["x"]})"),
            "children[0].matrix.x: expected a non-empty array of values"));
  CHECK(has(in_tree(R"({"name": "a", "matrix": {"x": [{"y": 1}]}, "argv": ["x"]})"),
            "children[0].matrix.x[0]: expected string, number or boolean, got object"));
  CHECK(has_prefix(in_tree(R"({"name": "a", "matrix": {"2x": [1]}, "argv": ["x"]})"), "children[0].matrix.2x: "));
  CHECK(has(in_tree(R"({"name": "a", "matrix": {"x": ["a/b", "a_b"]}, "argv": ["x"]})"),
            "children[0].matrix: two members would both be named 'a-x=a_b'"));
  CHECK(has_prefix(in_tree(R"({"name": "a", "matrix": {"x": ["0123456789012345678901234567890123456789012345678901234567890"]}, "argv": ["x"]})"),
                   "children[0].matrix: member name"));
  // 10 variables of 10 values: refused before anything is built.
  json big = json::object();
  for (int v = 0; v < 10; ++v) big["v" + std::to_string(v)] = json::array({0, 1, 2, 3, 4, 5, 6, 7, 8, 9});
  auto errors = errors_of(json{{"name", "s"}, {"children", json::array({json{{"name", "a"}, {"matrix", big}, {"argv", {"x"}}}})}});
  CHECK(has(errors, "children[0].matrix: more than 100000 combinations"));
}

TEST_CASE("fanout: a mistake in the job's own fields is one error at the node's path, not one per member") {
  auto errors = errors_of(R"({"name": "s", "children": [{"name": "a", "replicas": 50, "argv": ["x"], "timeout": true}]})");
  CHECK(errors.size() == 1);
  CHECK(has_prefix(errors, "children[0].timeout: "));
}

TEST_CASE("fanout: a job file (spawn) cannot hold replicas or a matrix") {
  CHECK(has(errors_of(R"({"name": "a", "replicas": 2, "argv": ["x"]})", SpecKind::Job),
            "replicas: only in a tree (traioctl run or submit): a job file makes one job"));
  CHECK(has(errors_of(R"({"name": "a", "matrix": {"x": [1]}, "argv": ["x"]})", SpecKind::Job),
            "matrix: only in a tree (traioctl run or submit): a job file makes one job"));
}

TEST_CASE("fanout: a matrix of 10,000 combinations expands") {
  json matrix = {{"a", json::array()}, {"b", json::array()}};
  for (int i = 0; i < 100; ++i) {
    matrix["a"].push_back(i);
    matrix["b"].push_back(i);
  }
  NodeSpec tree = parse_ok(json{{"name", "m"}, {"matrix", matrix}, {"argv", {"echo", "${a}", "${b}"}}}.dump().c_str());
  const ScopeSpec& m = scope_of(tree);
  REQUIRE(m.children.size() == 10000);
  CHECK(m.children.back().name() == "m-a=99-b=99");
  CHECK(job_of(m.children.back()).argv == std::vector<std::string>{"echo", "99", "99"});
}
