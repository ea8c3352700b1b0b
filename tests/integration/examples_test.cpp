// The example trees of examples/README.md, run with `traioctl run`: outcome, exit code, time.
#include <doctest/doctest.h>

#include "tests/integration/harness.hpp"

using namespace traio::test;

namespace {


CtlResult run_example(Daemon& d, const std::string& file) {
  return d.ctl({"run", examples_dir() + "/" + file}, {}, 60s);
}

}  // namespace

TEST_CASE("examples: parallel jobs under a scope timeout all finish (rule 2, rule 6)") {
  Daemon d;
  auto r = run_example(d, "parallel-timeout.json");
  CHECK_MESSAGE(r.code == 0, r.describe());
  CHECK(r.elapsed >= 900ms);  // the 1 s jobs ran in parallel...
  CHECK(r.elapsed < 4s);      // ...not one after the other, and before the 5 s timeout
  auto node = d.inspect("/parallel-timeout");
  CHECK(node["outcome"] == "succeeded");
  CHECK(node["child_paths"].size() == 10);
}

TEST_CASE("examples: a job outliving the scope timeout makes the run time out (rule 6)") {
  Daemon d;
  auto r = run_example(d, "parallel-timeout-expired.json");
  CHECK_MESSAGE(r.code == 3, r.describe());
  CHECK(r.elapsed >= 900ms);
  CHECK(r.elapsed < 5s);
  CHECK(d.inspect("/parallel-timeout-expired")["outcome"] == "timed_out");
  CHECK(d.inspect("/parallel-timeout-expired/fetch-0")["outcome"] == "succeeded");
  CHECK(d.inspect("/parallel-timeout-expired/fetch-2")["outcome"] == "cancelled");
}

TEST_CASE("examples: a bubble=false failure leaves the scope to its timeout (rule 3)") {
  Daemon d;
  auto r = run_example(d, "no-bubble.json");
  CHECK_MESSAGE(r.code == 3, r.describe());
  CHECK(r.elapsed >= 900ms);  // the failure at 0.1 s did not end the scope
  CHECK(r.elapsed < 5s);
  CHECK(d.inspect("/no-bubble/trivial")["outcome"] == "failed");
  CHECK(d.inspect("/no-bubble/fetch")["outcome"] == "cancelled");
}

TEST_CASE("examples: a master job ending stops its scope (rule 4)") {
  Daemon d;
  auto r = run_example(d, "master.json");
  CHECK_MESSAGE(r.code == 0, r.describe());
  CHECK(r.elapsed >= 150ms);
  CHECK(r.elapsed < 3s);  // far less than fetch's 10 s
  CHECK(d.inspect("/master")["outcome"] == "succeeded");
  CHECK(d.inspect("/master/fetch")["outcome"] == "cancelled");
}

TEST_CASE("examples: a background job is cancelled when the real work is done (rule 5)") {
  Daemon d;
  auto r = run_example(d, "background.json");
  CHECK_MESSAGE(r.code == 0, r.describe());
  CHECK(r.elapsed >= 900ms);
  CHECK(r.elapsed < 4s);
  CHECK(d.inspect("/background/heartbeat")["outcome"] == "cancelled");
  CHECK(d.inspect("/background/job")["outcome"] == "succeeded");
}

TEST_CASE("examples: an outer timeout cancels a nested scope (rule 6, rule 8)") {
  Daemon d;
  auto r = run_example(d, "nested-fork.json");
  CHECK_MESSAGE(r.code == 3, r.describe());
  CHECK(r.elapsed >= 900ms);
  CHECK(r.elapsed < 2500ms);  // before the inner 3 s timeout
  CHECK(d.inspect("/nested-fork")["outcome"] == "timed_out");
  CHECK(d.inspect("/nested-fork/inner")["outcome"] == "cancelled");
  CHECK(d.inspect("/nested-fork/inner/fetch")["outcome"] == "cancelled");
}

TEST_CASE("examples: a failing test bubbles through its sub-scope (rule 3, rule 8)") {
  Daemon d;
  auto r = run_example(d, "failing-test.json");
  CHECK_MESSAGE(r.code == 1, r.describe());
  CHECK(r.elapsed < 5s);  // soak's 30 s were cut short
  auto root = d.inspect("/failing-test");
  CHECK(root["outcome"] == "failed");
  CHECK(root["cause"]["path"] == "/failing-test/tests");
  CHECK(root["cause"]["cause"]["path"] == "/failing-test/tests/e2e");
  CHECK(d.inspect("/failing-test/tests/soak")["outcome"] == "cancelled");
  CHECK(d.inspect("/failing-test/lint")["outcome"] == "succeeded");
}

TEST_CASE("examples: run --exit-code child exits with the deciding job's code") {
  Daemon d;
  auto r = d.ctl({"run", examples_dir() + "/failing-test.json", "--exit-code", "child"}, {}, 60s);
  CHECK_MESSAGE(r.code == 2, r.describe());
}

TEST_CASE("examples: a pipeline runs its steps in dependency order and skips the alert (SPEC §6 dependencies)") {
  Daemon d;
  auto r = run_example(d, "pipeline.json");
  CHECK_MESSAGE(r.code == 0, r.describe());
  CHECK(r.elapsed >= 550ms);  // build 0.2 s, then unit 0.3 s, then package 0.1 s: one after the other
  CHECK(r.elapsed < 5s);
  CHECK(d.inspect("/pipeline")["outcome"] == "succeeded");
  CHECK(d.inspect("/pipeline/alert")["outcome"] == "skipped");  // package did not fail
  // Each step started only once what it waits for had ended.
  auto started = [&](const std::string& name) { return d.inspect("/pipeline/" + name)["started_at"].get<std::string>(); };
  auto ended = [&](const std::string& name) { return d.inspect("/pipeline/" + name)["ended_at"].get<std::string>(); };
  CHECK(started("unit") >= ended("build"));
  CHECK(started("lint") >= ended("build"));
  CHECK(started("package") >= ended("unit"));
  CHECK(started("package") >= ended("lint"));
  CHECK(started("app") >= ended("migrate"));
  // ps --graph draws the stages; --json carries the edges.
  const std::string graph = d.ok({"ps", "--all", "--graph", "/pipeline"});
  CHECK_MESSAGE(graph.find("  stage 4\n    alert    done, skipped    <- package failed (never)") != std::string::npos, graph);
  CHECK_MESSAGE(graph.find("package  done, succeeded  <- unit succeeded (met), lint succeeded (met)") != std::string::npos, graph);
  auto ps = d.ctl({"--json", "ps", "--all", "/pipeline"});
  REQUIRE_MESSAGE(ps.code == 0, ps.describe());
  const auto listing = ps.json();
  const auto& package = listing["node"]["children"][3];
  CHECK(package["name"] == "package");
  CHECK(package["after"].size() == 2);
  CHECK(package["after"][0]["name"] == "unit");
  CHECK(package["after"][0]["when"] == "succeeded");
}

TEST_CASE("examples: a matrix under max_parallel, then replicas after it (SPEC §6 replicas and matrices)") {
  Daemon d;
  auto r = run_example(d, "matrix.json");
  CHECK_MESSAGE(r.code == 0, r.describe());
  CHECK(r.elapsed >= 600ms);  // six 0.3 s tests four at a time: two rounds
  CHECK(r.elapsed < 5s);
  CHECK(d.inspect("/matrix/test")["child_paths"].size() == 6);
  CHECK(d.inspect("/matrix/test/test-py=3.12-shard=3")["outcome"] == "succeeded");
  CHECK(d.inspect("/matrix/web/web-1")["outcome"] == "succeeded");
  auto logs = d.ctl({"logs", "/matrix/web"});
  CHECK(logs.out.find("replica 1 serving") != std::string::npos);
}
