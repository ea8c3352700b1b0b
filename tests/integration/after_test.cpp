// SPEC §6 "Dependencies" end to end through traioctl: every `when`, `skipped` with its cause
// and exit code 9, and `after` waiting through a sibling's restarts.
#include <doctest/doctest.h>

#include "tests/integration/harness.hpp"

using namespace traio::test;
using nlohmann::json;

namespace {

json after(const std::string& name, const std::string& when) { return json::array({{{"name", name}, {"when", when}}}); }

CtlResult run_tree_file(const Daemon& d, const std::string& file, const json& tree) {
  write_file(d.dir() / file, tree.dump());
  return d.ctl({"run", (d.dir() / file).string()}, {}, 60s);
}

}  // namespace

TEST_CASE("after: each condition starts or skips its node, and a skipped node names the sibling that decided it") {
  Daemon d;
  json tree = {{"name", "w"},
               {"children",
                {{{"name", "bad"}, {"bubble", false}, {"argv", {"sh", "-c", "exit 4"}}},
                 {{"name", "good"}, {"argv", {"true"}}},
                 {{"name", "long"}, {"awaited", false}, {"argv", {"sleep", "30"}}},
                 {{"name", "on-failed"}, {"after", after("bad", "failed")}, {"argv", {"true"}}},
                 {{"name", "on-done"}, {"after", after("bad", "done")}, {"argv", {"true"}}},
                 {{"name", "on-succeeded"}, {"after", after("good", "succeeded")}, {"argv", {"true"}}},
                 {{"name", "on-started"}, {"after", after("long", "started")}, {"argv", {"true"}}},
                 {{"name", "on-ready"}, {"after", after("long", "ready")}, {"argv", {"true"}}},
                 {{"name", "never-succeeded"}, {"after", after("bad", "succeeded")}, {"argv", {"true"}}},
                 {{"name", "never-failed"}, {"after", after("good", "failed")}, {"argv", {"true"}}}}}};
  auto r = run_tree_file(d, "w.json", tree);
  CHECK_MESSAGE(r.code == 0, r.describe());  // skipped is no failure; bad did not bubble
  for (const char* ran : {"on-failed", "on-done", "on-succeeded", "on-started", "on-ready"}) {
    CAPTURE(ran);
    CHECK(d.inspect(std::string("/w/") + ran)["outcome"] == "succeeded");
  }
  for (const char* skipped : {"never-succeeded", "never-failed"}) {
    CAPTURE(skipped);
    auto node = d.inspect(std::string("/w/") + skipped);
    CHECK(node["outcome"] == "skipped");
    CHECK(node["pid"].is_null());  // it never started
  }
  CHECK(d.inspect("/w/never-succeeded")["cause"]["path"] == "/w/bad");
  CHECK(d.inspect("/w/never-failed")["cause"]["path"] == "/w/good");
  // A script waiting on a skipped node learns it from the exit code.
  auto wait = d.ctl({"wait", "/w/never-succeeded"});
  CHECK_MESSAGE(wait.code == 9, wait.describe());
  CHECK(d.inspect("/w/long")["outcome"] == "cancelled");  // not awaited: stopped at the end
}

TEST_CASE("after: a dependent waits through its sibling's restarts and starts after the run that succeeds") {
  Daemon d;
  const auto count = d.dir() / "count";
  // Fails twice, then succeeds: restarted on failure.
  const std::string flaky = "n=$(cat " + count.string() + " 2>/dev/null || echo 0); n=$((n+1)); echo $n > " +
                            count.string() + "; [ $n -ge 3 ]";
  json tree = {{"name", "r"},
               {"children",
                {{{"name", "flaky"},
                  {"restart", {{"policy", "on-failure"}, {"max", 5}, {"backoff", {{"initial", "50ms"}, {"max", "100ms"}}}}},
                  {"argv", {"sh", "-c", flaky}}},
                 {{"name", "next"}, {"after", after("flaky", "succeeded")},
                  {"argv", {"sh", "-c", "cat " + count.string() + " > " + (d.dir() / "seen").string()}}}}}};
  auto r = run_tree_file(d, "r.json", tree);
  CHECK_MESSAGE(r.code == 0, r.describe());
  CHECK(d.inspect("/r/flaky")["restarts"] == 2);
  CHECK(d.inspect("/r/next")["outcome"] == "succeeded");
  CHECK(read_file(d.dir() / "seen") == "3\n");  // it ran after the third run, the one that succeeded
}
