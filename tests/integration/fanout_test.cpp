// SPEC §6 "Replicas and matrices" end to end: a tree file's replicated and matrix jobs run as
// real processes, each with its own index or combination, under the set's scope.
#include <unistd.h>

#include <filesystem>

#include <doctest/doctest.h>

#include "tests/integration/harness.hpp"

using namespace traio::test;
using nlohmann::json;
namespace fs = std::filesystem;

TEST_CASE("fanout: replicas and a matrix run one process each, told their index or combination, and after on the set waits for all") {
  Daemon d;
  const fs::path out = d.dir() / "out";
  fs::create_directories(out);
  json tree = {
      {"name", "fan"},
      {"children",
       {{{"name", "web"}, {"replicas", 3}, {"argv", {"sh", "-c", "echo $TRAIO_REPLICA > " + out.string() + "/web-$TRAIO_REPLICA"}}},
        {{"name", "test"},
         {"matrix", {{"py", {"3.11", "3.12"}}, {"shard", {1, 2}}}},
         {"argv", {"sh", "-c", "echo ${py}:${shard} > " + out.string() + "/test-${py}-${shard}"}}},
        {{"name", "report"},
         {"after", {{{"name", "web"}, {"when", "succeeded"}}, {{"name", "test"}, {"when", "succeeded"}}}},
         {"argv", {"sh", "-c", "ls " + out.string() + " | wc -l > " + (d.dir() / "count").string()}}}}}};
  write_file(d.dir() / "fan.json", tree.dump());
  auto run = d.ctl({"run", (d.dir() / "fan.json").string()});
  REQUIRE_MESSAGE(run.code == 0, run.describe());
  for (int i = 0; i < 3; ++i) CHECK(read_file(out / ("web-" + std::to_string(i))) == std::to_string(i) + "\n");
  for (const char* py : {"3.11", "3.12"})
    for (int shard : {1, 2})
      CHECK(read_file(out / (std::string("test-") + py + "-" + std::to_string(shard))) ==
            std::string(py) + ":" + std::to_string(shard) + "\n");
  CHECK(read_file(d.dir() / "count") == "7\n");  // report ran after all seven members
  // The members are nodes of their own, under the set's scope, by the names SPEC gives them.
  auto ps = d.ctl({"--json", "ps", "--all", "/fan/test"});
  REQUIRE_MESSAGE(ps.code == 0, ps.describe());
  const json node = ps.json().contains("node") ? ps.json()["node"] : ps.json();
  std::vector<std::string> names;
  for (const auto& child : node["children"]) names.push_back(child["name"]);
  CHECK(names == std::vector<std::string>{"test-py=3.11-shard=1", "test-py=3.11-shard=2", "test-py=3.12-shard=1",
                                          "test-py=3.12-shard=2"});
  auto one = d.ctl({"--json", "inspect", "/fan/test/test-py=3.12-shard=2"});
  REQUIRE_MESSAGE(one.code == 0, one.describe());
  CHECK(one.json().dump().find("succeeded") != std::string::npos);
}

TEST_CASE("fanout: a failing replica fails its set, and the set's failure bubbles as one cause") {
  Daemon d;
  json tree = {{"name", "fan"},
               {"children", {{{"name", "w"}, {"replicas", 4}, {"argv", {"sh", "-c", "[ $TRAIO_REPLICA != 2 ] || exit 3; sleep 30"}}}}}};
  write_file(d.dir() / "fail.json", tree.dump());
  auto run = d.ctl({"run", (d.dir() / "fail.json").string()});
  CHECK_MESSAGE(run.code != 0, run.describe());
  auto ps = d.ctl({"--json", "inspect", "/fan/w/w-2"});
  REQUIRE_MESSAGE(ps.code == 0, ps.describe());
  CHECK(ps.json().dump().find("failed") != std::string::npos);
  auto other = d.ctl({"--json", "inspect", "/fan/w/w-0"});
  CHECK(other.json().dump().find("cancelled") != std::string::npos);  // its siblings were stopped
}

TEST_CASE("fanout: a bad matrix is refused with its path, nothing started") {
  Daemon d;
  write_file(d.dir() / "bad.json", R"({"name": "b", "children": [{"name": "t", "matrix": {"x": []}, "argv": ["true"]}]})");
  auto run = d.ctl({"run", (d.dir() / "bad.json").string()});
  CHECK(run.code != 0);
  CHECK_MESSAGE(run.err.find("children[0].matrix.x") != std::string::npos, run.describe());
  CHECK(d.ok({"ps"}).find("/b") == std::string::npos);
}

TEST_CASE("fanout: scale starts the missing replicas and cancels the extra ones, highest index first") {
  Daemon d;
  const fs::path out = d.dir() / "out";
  fs::create_directories(out);
  json tree = {{"name", "svc"},
               {"children",
                {{{"name", "web"}, {"replicas", 2},
                  {"argv", {"sh", "-c", "echo $TRAIO_REPLICA > " + out.string() + "/web-$TRAIO_REPLICA; exec sleep 60"}}}}}};
  write_file(d.dir() / "svc.json", tree.dump());
  auto run = d.ctl_async({"run", (d.dir() / "svc.json").string()});
  for (int i = 0; i < 100 && d.ctl({"inspect", "/svc/web/web-1"}).code != 0; ++i) ::usleep(50'000);
  REQUIRE(d.inspect_until("/svc/web/web-1", [](const json& n) { return n["state"] == "running"; })["state"] == "running");

  auto up = d.ctl({"--json", "scale", "/svc/web", "4"});
  REQUIRE_MESSAGE(up.code == 0, up.describe());
  CHECK(up.json()["started"] == json({"/svc/web/web-2", "/svc/web/web-3"}));
  for (const char* name : {"web-2", "web-3"}) {
    CAPTURE(name);
    CHECK(d.inspect_until(std::string("/svc/web/") + name, [](const json& n) { return n["state"] == "running"; })["state"] ==
          "running");
  }
  for (int i = 0; i < 100 && !fs::exists(out / "web-3"); ++i) ::usleep(50'000);
  CHECK(read_file(out / "web-3") == "3\n");  // told its index like the first ones

  auto down = d.ctl({"--json", "scale", "/svc/web", "1"});
  REQUIRE_MESSAGE(down.code == 0, down.describe());
  CHECK(down.json()["cancelled"] == json({"/svc/web/web-3", "/svc/web/web-2", "/svc/web/web-1"}));
  for (const char* name : {"web-1", "web-2", "web-3"}) {
    CAPTURE(name);
    CHECK(d.inspect_until(std::string("/svc/web/") + name, [](const json& n) { return n["state"] == "done"; })["outcome"] ==
          "cancelled");
  }
  CHECK(d.inspect("/svc/web/web-0")["state"] == "running");
  CHECK(d.inspect("/svc/web")["state"] != "done");  // scaled down, not failed

  // Back up: web-1 again (an ended member's name is free), nothing else.
  auto again = d.ctl({"--json", "scale", "/svc/web", "2"});
  REQUIRE_MESSAGE(again.code == 0, again.describe());
  CHECK(again.json()["started"] == json({"/svc/web/web-1"}));

  // Not a replica set, a bad count: clear errors.
  auto job = d.ctl({"scale", "/svc/web/web-0", "3"});
  CHECK(job.code == 2);
  CHECK_MESSAGE(job.err.find("not a replica set") != std::string::npos, job.describe());
  CHECK(d.ctl({"scale", "/svc/web", "many"}).code == 2);
  CHECK(d.ctl({"cancel", "/svc"}).code == 0);
  run->finish();
}
