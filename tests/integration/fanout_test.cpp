// SPEC §6 "Replicas and matrices" end to end: a tree file's replicated and matrix jobs run as
// real processes, each with its own index or combination, under the set's scope.
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
