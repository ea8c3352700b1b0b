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
  REQUIRE(std::holds_alternative<DaemonConfig>(loaded));
  const auto& config = std::get<DaemonConfig>(loaded);
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
  REQUIRE(std::holds_alternative<std::vector<std::string>>(loaded));
  const auto& errors = std::get<std::vector<std::string>>(loaded);
  REQUIRE(errors.size() == 2);
  CHECK(errors[0].find("c.json") != std::string::npos);
  CHECK(errors[0].find("colour") != std::string::npos);
  CHECK(errors[1].find("limits.sizes") != std::string::npos);

  DaemonOptions bad_level;
  bad_level.config_file = dir.file("missing.json");
  CHECK(std::holds_alternative<std::vector<std::string>>(load_daemon_config(bad_level)));
  DaemonOptions level;
  level.log_level = "loud";
  CHECK(std::holds_alternative<std::vector<std::string>>(load_daemon_config(level)));
}

TEST_CASE("rule 12: a relative --socket is made absolute for TRAIO_SOCKET") {
  DaemonOptions options;
  test::TempDir dir;
  write(dir.file("c.json"), "{}");
  options.config_file = dir.file("c.json");
  options.socket_path = "rel/traio.sock";
  auto loaded = load_daemon_config(options);
  REQUIRE(std::holds_alternative<DaemonConfig>(loaded));
  const auto& path = std::get<DaemonConfig>(loaded).socket.path;
  CHECK(path.front() == '/');
  CHECK(path.ends_with("/rel/traio.sock"));
}

TEST_CASE("boot trees load in name order -- errors name the file and the field") {
  test::TempDir dir;
  write(dir.file("20-b.json"), R"({"name": "b", "argv": ["true"]})");
  write(dir.file("10-a.json"), R"({"name": "a", "children": []})");
  write(dir.file("notes.txt"), "not a tree");
  auto loaded = load_boot_trees(dir.path(), {});
  REQUIRE(std::holds_alternative<std::vector<BootTree>>(loaded));
  const auto& trees = std::get<std::vector<BootTree>>(loaded);
  REQUIRE(trees.size() == 2);
  CHECK(trees[0].spec.name() == "a");
  CHECK(trees[1].spec.name() == "b");

  write(dir.file("30-c.json"), R"({"name": "c", "argv": 5})");
  write(dir.file("40-d.json"), R"({"name": )");
  auto bad = load_boot_trees(dir.path(), {});
  REQUIRE(std::holds_alternative<std::vector<std::string>>(bad));
  const auto& errors = std::get<std::vector<std::string>>(bad);
  REQUIRE(errors.size() == 2);
  CHECK(errors[0].find("30-c.json: argv") != std::string::npos);
  CHECK(errors[1].find("40-d.json") != std::string::npos);

  auto none = load_boot_trees(dir.file("missing"), {});
  REQUIRE(std::holds_alternative<std::vector<BootTree>>(none));
  CHECK(std::get<std::vector<BootTree>>(none).empty());
}

TEST_CASE("boot trees are started under / at boot") {
  test::TempDir boot;
  write(boot.file("10-a.json"), R"({"name": "svc", "children": [{"name": "x", "argv": ["sleep", "30"]}]})");
  auto loaded = load_boot_trees(boot.path(), {});
  REQUIRE(std::holds_alternative<std::vector<BootTree>>(loaded));
  TestDaemon daemon;
  daemon.submit_boot_trees(std::get<std::vector<BootTree>>(loaded));
  Client client(daemon.socket_path());
  auto node = result_of(client.call(1, "inspect", {{"path", "/svc/x"}}))["node"];
  CHECK(node["state"] == "running");
}
