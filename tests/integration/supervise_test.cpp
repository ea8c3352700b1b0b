// SPEC §6 "Supervision strategy" end to end: which siblings a restart takes along (checked
// by pid), and a restart storm beyond the scope's intensity failing the scope.
#include <doctest/doctest.h>

#include "tests/integration/harness.hpp"

using namespace traio::test;
using nlohmann::json;

namespace {

json restart_policy() {
  return {{"policy", "on-failure"}, {"backoff", {{"initial", "50ms"}, {"max", "100ms"}}}};
}

// A job that runs until the file `go` appears, removes it and fails: the test decides
// when it fails, and its next run waits again.
json fails_on(const std::string& name, const std::filesystem::path& go) {
  const std::string script =
      "while [ ! -e " + go.string() + " ]; do sleep 0.05; done; rm -f " + go.string() + "; exit 1";
  return {{"name", name}, {"restart", restart_policy()}, {"argv", {"sh", "-c", script}}};
}

json sleeper(const std::string& name, bool restarts) {
  json job = {{"name", name}, {"argv", {"sleep", "60"}}};
  if (restarts) job["restart"] = restart_policy();
  return job;
}

struct Pids {
  int a, b, c, d;
};

Pids pids_of(const Daemon& d) {
  REQUIRE(d.wait_for_node("/sup/d"));
  auto pid = [&](const char* p) {
    auto node = d.inspect_until(std::string("/sup/") + p, [](const json& n) { return n["pid"].is_number(); }, 10s);
    REQUIRE_MESSAGE(node["pid"].is_number(), p);
    return node["pid"].get<int>();
  };
  return {pid("a"), pid("b"), pid("c"), pid("d")};
}

// /sup with `strategy` over a, b, c (restart on failure) and d (no restart policy); the
// child named `failing` fails once. Returns the pids before and after its restart; `run`
// holds the `traioctl run` of the tree, which the test ends by cancelling /sup.
std::pair<Pids, Pids> fail_once(const Daemon& d, const std::string& strategy, const std::string& failing,
                                std::unique_ptr<Proc>& run) {
  const auto go = d.dir() / "go";
  json children = json::array();
  for (const char* name : {"a", "b", "c"})
    children.push_back(name == failing ? fails_on(name, go) : sleeper(name, true));
  children.push_back(sleeper("d", false));
  json tree = {{"name", "sup"}, {"supervise", {{"strategy", strategy}, {"intensity", 3}, {"period", "1m"}}},
               {"children", children}};
  write_file(d.dir() / "sup.json", tree.dump());
  run = d.ctl_async({"run", (d.dir() / "sup.json").string()});
  const Pids before = pids_of(d);
  write_file(go, "");
  auto node = d.inspect_until("/sup/" + failing,
                              [](const json& n) { return n["restarts"] == 1 && n["pid"].is_number(); }, 10s);
  REQUIRE_MESSAGE(node["restarts"] == 1, node.dump());
  // The siblings taken along are running again too (or were never stopped).
  for (const char* p : {"/sup/a", "/sup/b", "/sup/c"})
    d.inspect_until(p, [](const json& n) { return n["pid"].is_number() && n["state"] == "running"; }, 10s);
  return {before, pids_of(d)};
}

}  // namespace

TEST_CASE("supervise one_for_one: only the child that failed gets a new process") {
  Daemon d;
  std::unique_ptr<Proc> run;
  auto [before, after] = fail_once(d, "one_for_one", "b", run);
  CHECK(after.b != before.b);
  CHECK(after.a == before.a);
  CHECK(after.c == before.c);
  CHECK(after.d == before.d);
  CHECK(d.inspect("/sup/a")["restarts"] == 0);
  d.ok({"cancel", "/sup"});
  CHECK(run->finish().code == 4);  // cancelled
}

TEST_CASE("supervise one_for_all: every sibling with a restart policy gets a new process, the others keep theirs") {
  Daemon d;
  std::unique_ptr<Proc> run;
  auto [before, after] = fail_once(d, "one_for_all", "b", run);
  CHECK(after.a != before.a);
  CHECK(after.b != before.b);
  CHECK(after.c != before.c);
  CHECK(after.d == before.d);  // no restart policy: left alone
  CHECK(d.inspect("/sup/a")["restarts"] == 1);
  CHECK(d.inspect("/sup/a")["last_exit"] == "killed by signal TERM");
  CHECK(d.inspect("/sup")["supervise"]["recent_restarts"] == 1);  // one restart of the scope, not three
  d.ok({"cancel", "/sup"});
  CHECK(run->finish().code == 4);  // cancelled
}

TEST_CASE("supervise rest_for_one: the child and those after it get new processes, those before keep theirs") {
  Daemon d;
  std::unique_ptr<Proc> run;
  auto [before, after] = fail_once(d, "rest_for_one", "b", run);
  CHECK(after.a == before.a);
  CHECK(after.b != before.b);
  CHECK(after.c != before.c);
  CHECK(after.d == before.d);
  d.ok({"cancel", "/sup"});
  CHECK(run->finish().code == 4);  // cancelled
}

TEST_CASE("supervise: more restarts than the intensity within the period fail the scope, and run says so") {
  Daemon d;
  json tree = {{"name", "storm"},
               {"supervise", {{"strategy", "one_for_all"}, {"intensity", 2}, {"period", "1m"}}},
               {"children",
                {{{"name", "crash"}, {"bubble", false}, {"restart", restart_policy()}, {"argv", {"sh", "-c", "exit 3"}}},
                 sleeper("peer", true)}}};
  write_file(d.dir() / "storm.json", tree.dump());
  auto r = d.ctl({"run", (d.dir() / "storm.json").string()}, {}, 30s);
  CHECK_MESSAGE(r.code == 1, r.describe());
  auto scope = d.inspect("/storm");
  CHECK(scope["outcome"] == "failed");
  CHECK(scope["reason"] == "restart intensity exceeded: more than 2 restarts within 1m (/storm/crash)");
  CHECK(d.inspect("/storm/crash")["restarts"] == 2);
  CHECK(d.inspect("/storm/peer")["restarts"] == 2);  // taken along twice, then cancelled with the scope
  CHECK(d.inspect("/storm/peer")["outcome"] == "cancelled");
}
