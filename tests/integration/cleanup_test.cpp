// SPEC §6 "Cleanup and stop order" end to end: a cleanup child runs when its scope ends
// and `wait` returns after it; `stop_order: reverse` stops the app before its db; `cancel
// --force` ends a cleanup that is running.
#include <doctest/doctest.h>

#include "tests/integration/harness.hpp"

using namespace traio::test;
using nlohmann::json;

namespace {

// A service that logs its start and its stop signal to `log`, then runs until stopped.
json service(const std::string& name, const std::filesystem::path& log) {
  const std::string script = "trap 'echo " + name + "-stop >> " + log.string() + "; exit 0' TERM; echo " + name +
                             "-start >> " + log.string() + "; while :; do sleep 0.05; done";
  return {{"name", name}, {"argv", {"sh", "-c", script}}};
}

void wait_running(const Daemon& d, const std::string& path) {
  REQUIRE(d.wait_for_node(path));
  auto node = d.inspect_until(path, [](const json& n) { return n["pid"].is_number(); }, 10s);
  REQUIRE_MESSAGE(node["pid"].is_number(), node.dump());
}

}  // namespace

TEST_CASE("cleanup: on cancel the app stops before the db, the cleanup runs, and its file exists when wait returns") {
  Daemon d;
  const auto log = d.dir() / "log";
  const auto dump = d.dir() / "dump.sql";
  json app = service("app", log);
  app["after"] = json::array({{{"name", "db"}, {"when", "started"}}});
  json cleanup = {{"name", "dump"},
                  {"on", "cleanup"},
                  {"argv", {"sh", "-c", "sleep 0.3; echo dump >> " + log.string() + "; echo data > " + dump.string()}}};
  json tree = {{"name", "svc"}, {"stop_order", "reverse"}, {"children", {service("db", log), app, cleanup}}};
  write_file(d.dir() / "svc.json", tree.dump());
  auto run = d.ctl_async({"run", (d.dir() / "svc.json").string()});
  wait_running(d, "/svc/app");
  CHECK(d.inspect("/svc/dump")["state"] == "pending");
  d.ok({"cancel", "/svc"});
  auto wait = d.ctl({"wait", "/svc"});
  CHECK_MESSAGE(wait.code == 4, wait.describe());  // the scope was cancelled; the cleanup succeeded
  CHECK(read_file(dump) == "data\n");
  const std::string order = read_file(log);
  CHECK_MESSAGE(order.find("app-stop") < order.find("db-stop"), order);
  CHECK(d.inspect("/svc/dump")["outcome"] == "succeeded");
  CHECK(d.inspect("/svc/dump")["on"] == "cleanup");
  CHECK(run->finish().code == 4);
}

TEST_CASE("cleanup: it runs when the work is done, and its failure fails a scope that would succeed") {
  Daemon d;
  json tree = {{"name", "t"},
               {"children",
                {{{"name", "work"}, {"argv", {"true"}}},
                 {{"name", "tidy"}, {"on", "cleanup"}, {"argv", {"sh", "-c", "exit 3"}}}}}};
  write_file(d.dir() / "t.json", tree.dump());
  auto r = d.ctl({"run", (d.dir() / "t.json").string()});
  CHECK_MESSAGE(r.code == 1, r.describe());
  auto scope = d.inspect("/t");
  CHECK(scope["outcome"] == "failed");
  CHECK(scope["reason"] == "cleanup /t/tidy failed: exited with code 3");
  CHECK(scope["cause"]["path"] == "/t/tidy");
}

TEST_CASE("cleanup: a second cancel leaves a running cleanup alone, cancel --force ends it") {
  Daemon d;
  json tree = {{"name", "t"},
               {"children",
                {{{"name", "work"}, {"argv", {"sleep", "60"}}},
                 {{"name", "slow"}, {"on", "cleanup"}, {"argv", {"sleep", "60"}}}}}};
  write_file(d.dir() / "t.json", tree.dump());
  auto run = d.ctl_async({"run", (d.dir() / "t.json").string()});
  wait_running(d, "/t/work");
  d.ok({"cancel", "/t"});
  wait_running(d, "/t/slow");
  d.ok({"cancel", "/t"});
  CHECK(d.ctl({"wait", "--timeout", "500ms", "/t"}).code == 8);  // still waiting for its cleanup
  CHECK(d.inspect("/t/slow")["state"] == "running");
  d.ok({"cancel", "--force", "/t"});
  auto wait = d.ctl({"wait", "--timeout", "10s", "/t"});
  CHECK_MESSAGE(wait.code == 4, wait.describe());
  CHECK(d.inspect("/t/slow")["outcome"] == "cancelled");
  CHECK(run->finish().code == 4);
}
