// traiod's config loading (SPEC §4): flags over the file over the defaults, every error
// reported; boot trees in name order.
#include <fstream>

#include <doctest/doctest.h>

#include "daemon/server/boot_trees.hpp"
#include "daemon/server/daemon_options.hpp"
#include "tests/unit/server/server_test_support.hpp"

using namespace traio;
using namespace traio::server_test;

namespace {
void write(const std::string& path, const std::string& text) { std::ofstream(path) << text; }
}  // namespace

TEST_CASE("flags override the config file, which overrides the defaults") {
  test::TempDir dir;
  write(dir.file("c.json"), R"({"history": 7, "socket": {"path": "/tmp/from-file.sock"}, "log_level": "error"})");
  DaemonOptions options;
  options.config_file = dir.file("c.json");
  options.socket_path = dir.file("flag.sock");
  options.log_level = "debug";
  auto loaded = load_daemon_config(options);
  REQUIRE(loaded.ok());
  const auto& config = loaded.config;
  CHECK(config.history == 7);
  CHECK(config.socket.path == dir.file("flag.sock"));
  CHECK(config.log_level == LogLevel::Debug);
}

TEST_CASE("unknown config keys and a bad log level are reported, every one") {
  test::TempDir dir;
  write(dir.file("c.json"), R"({"colour": 1, "limits": {"sizes": 2}})");
  DaemonOptions options;
  options.config_file = dir.file("c.json");
  auto loaded = load_daemon_config(options);
  const auto& errors = loaded.errors;
  REQUIRE(errors.size() == 2);
  CHECK(errors[0].find("c.json") != std::string::npos);
  CHECK(errors[0].find("colour") != std::string::npos);
  CHECK(errors[1].find("limits.sizes") != std::string::npos);

  DaemonOptions bad_level;
  bad_level.config_file = dir.file("missing.json");
  CHECK_FALSE(load_daemon_config(bad_level).ok());
  DaemonOptions level;
  level.log_level = "loud";
  CHECK_FALSE(load_daemon_config(level).ok());
}

TEST_CASE("rule 12: a relative --socket is made absolute for TRAIO_SOCKET") {
  DaemonOptions options;
  test::TempDir dir;
  write(dir.file("c.json"), "{}");
  options.config_file = dir.file("c.json");
  options.socket_path = "rel/traio.sock";
  auto loaded = load_daemon_config(options);
  REQUIRE(loaded.ok());
  const auto& path = loaded.config.socket.path;
  CHECK(path.front() == '/');
  CHECK(path.ends_with("/rel/traio.sock"));
}

TEST_CASE("boot trees load in name order -- errors name the file and the field") {
  test::TempDir dir;
  write(dir.file("20-b.json"), R"({"name": "b", "argv": ["true"]})");
  write(dir.file("10-a.json"), R"({"name": "a", "children": []})");
  write(dir.file("notes.txt"), "not a tree");
  write(dir.file(".#30-scratch.json"), "{");
  auto loaded = load_boot_trees(dir.path(), {});
  CHECK(loaded.errors.empty());
  const auto& trees = loaded.trees;
  REQUIRE(trees.size() == 2);
  CHECK(trees[0].spec.name() == "a");
  CHECK(trees[1].spec.name() == "b");

  write(dir.file("30-c.json"), R"({"name": "c", "argv": 5})");
  write(dir.file("40-d.json"), R"({"name": )");
  auto bad = load_boot_trees(dir.path(), {});
  const auto& errors = bad.errors;
  REQUIRE(errors.size() == 2);
  CHECK(errors[0].find("30-c.json: argv") != std::string::npos);
  CHECK(errors[1].find("40-d.json") != std::string::npos);
  REQUIRE(bad.trees.size() == 2);  // the good files still load
  CHECK(bad.trees[1].spec.name() == "b");

  auto none = load_boot_trees(dir.file("missing"), {});
  CHECK(none.trees.empty());
  CHECK(none.errors.empty());
  auto not_dir = load_boot_trees(dir.file("10-a.json"), {});
  REQUIRE(not_dir.errors.size() == 1);
  CHECK(not_dir.errors[0].find("not a directory") != std::string::npos);
}

TEST_CASE("a bad config keeps its valid keys, and says whether boot_dir can be trusted") {
  test::TempDir dir;
  write(dir.file("c.json"), R"({"history": 7, "colour": 1, "socket": {"group": "traio-no-such-group"}})");
  DaemonOptions options;
  options.config_file = dir.file("c.json");
  auto loaded = load_daemon_config(options);
  REQUIRE(loaded.errors.size() == 2);
  CHECK(loaded.errors[0].find("colour") != std::string::npos);
  CHECK(loaded.errors[1] == dir.file("c.json") + ": socket.group: no group 'traio-no-such-group'");
  CHECK(loaded.config.history == 7);
  CHECK(loaded.boot_dir == BootDirSource::Known);

  write(dir.file("b.json"), R"({"boot_dir": "relative"})");
  options.config_file = dir.file("b.json");
  CHECK(load_daemon_config(options).boot_dir == BootDirSource::Unknown);
  write(dir.file("broken.json"), "{\n  \"history\": 7,\n}");
  options.config_file = dir.file("broken.json");
  auto broken = load_daemon_config(options);
  REQUIRE(broken.errors.size() == 1);
  CHECK(broken.errors[0].find("not valid JSON: parse error at line 3") != std::string::npos);
  CHECK(broken.boot_dir == BootDirSource::Unknown);
}

TEST_CASE("boot trees are started under / at boot") {
  test::TempDir boot;
  write(boot.file("10-a.json"), R"({"name": "svc", "children": [{"name": "x", "argv": ["sleep", "30"]}]})");
  auto loaded = load_boot_trees(boot.path(), {});
  REQUIRE(loaded.errors.empty());
  TestDaemon daemon;
  daemon.submit_boot_trees(loaded.trees);
  Client client(daemon.socket_path());
  auto node = result_of(client.call(1, "inspect", {{"path", "/svc/x"}}))["node"];
  CHECK(node["state"] == "running");
}
