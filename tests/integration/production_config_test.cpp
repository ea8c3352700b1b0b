// SPEC §4 config and boot trees with the real traiod: --check-config reports every error of
// the config and the boot trees and starts nothing; flags override the file; a broken boot
// tree is skipped and the others start under /, in name order.
#include <signal.h>
#include <sys/stat.h>

#include <filesystem>

#include <doctest/doctest.h>

#include "tests/integration/harness.hpp"

using namespace traio::test;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

// A config file that keeps everything inside `dir` (no /run, /var/lib or /etc).
fs::path write_config(const TempDir& dir, const json& extra = json::object()) {
  json config = {{"socket", {{"path", (dir / "traio.sock").string()}}},
                 {"state_dir", (dir / "state").string()},
                 {"log_dir", (dir / "logs").string()},
                 {"boot_dir", (dir / "boot").string()},
                 {"defaults", {{"stop", {{"grace", "2s"}}}}}};
  config.merge_patch(extra);
  write_file(dir / "traiod.json", config.dump(2));
  return dir / "traiod.json";
}

CtlResult check_config(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {TRAIOD_BIN, "--check-config"};
  argv.insert(argv.end(), args.begin(), args.end());
  return Proc(argv, {}).finish(10s);
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// Where a line holding `part` starts in `text`, or npos.
size_t position_of(const std::string& text, const std::string& part) { return text.find(part); }

}  // namespace

TEST_CASE("check-config: a good config with good boot trees exits 0 and starts nothing") {
  TempDir dir;
  fs::create_directory(dir / "boot");
  write_file(dir / "boot" / "10-web.json", R"({"name": "web", "children": [{"name": "srv", "argv": ["sleep", "30"]}]})");
  write_file(dir / "boot" / "20-db.json", R"({"name": "db", "argv": ["sleep", "30"]})");
  write_file(dir / "boot" / "README", "not a tree: ignored");
  const fs::path config = write_config(dir, {{"history", 50}, {"logs", {{"max_bytes", "1MiB"}}}});
  auto r = check_config({"--config", config.string()});
  CHECK_MESSAGE(r.code == 0, r.describe());
  CHECK_MESSAGE(contains(r.out, "config ok"), r.describe());
  CHECK_MESSAGE(contains(r.out, "2 boot tree(s)"), r.describe());
  CHECK(r.err.empty());
  CHECK_FALSE(fs::exists(dir / "traio.sock"));
  CHECK_FALSE(fs::exists(dir / "state"));
}

TEST_CASE("check-config: exits 2 naming every bad key and every bad boot tree, and starts nothing") {
  TempDir dir;
  fs::create_directory(dir / "boot");
  write_file(dir / "boot" / "10-good.json", R"({"name": "good", "argv": ["true"]})");
  write_file(dir / "boot" / "20-bad.json", R"({"name": "bad", "children": [{"argv": ["true"], "restart": {"max": -1}}]})");
  const fs::path config = write_config(dir, {{"limits", {{"depth", "deep"}}}, {"colour", true}});
  auto r = check_config({"--config", config.string()});
  CHECK_MESSAGE(r.code == 2, r.describe());
  // One line per error, each naming the file and the key path.
  CHECK_MESSAGE(contains(r.err, "traiod: " + config.string() + ": limits.depth: "), r.describe());
  CHECK_MESSAGE(contains(r.err, "traiod: " + config.string() + ": colour: "), r.describe());
  CHECK_MESSAGE(contains(r.err, "traiod: " + (dir / "boot" / "20-bad.json").string() + ": children[0].restart.max: "),
                r.describe());
  CHECK_FALSE(contains(r.err, "10-good.json"));
  CHECK(r.out.empty());
  CHECK_FALSE(fs::exists(dir / "traio.sock"));
  CHECK_FALSE(fs::exists(dir / "state"));

  // Started for real, the same config is refused before anything exists.
  auto started = Proc({TRAIOD_BIN, "--config", config.string()}, {}).finish(10s);
  CHECK_MESSAGE(started.code == 2, started.describe());
  CHECK_FALSE(fs::exists(dir / "traio.sock"));
}

TEST_CASE("check-config: a config that is not JSON says where, an unknown group and a bad flag are errors too") {
  TempDir dir;
  write_file(dir / "broken.json", "{\n  \"history\": 5,\n}\n");
  auto broken = check_config({"--config", (dir / "broken.json").string()});
  CHECK_MESSAGE(broken.code == 2, broken.describe());
  CHECK_MESSAGE(contains(broken.err, "broken.json: not valid JSON: parse error at line 3"), broken.describe());

  const fs::path config = write_config(dir, {{"socket", {{"group", "traio-no-such-group"}}}});
  auto r = check_config({"--config", config.string(), "--log-level", "loud"});
  CHECK_MESSAGE(r.code == 2, r.describe());
  CHECK_MESSAGE(contains(r.err, "socket.group: no group 'traio-no-such-group'"), r.describe());
  CHECK_MESSAGE(contains(r.err, "--log-level: unknown level 'loud'"), r.describe());

  auto missing = check_config({"--config", (dir / "missing.json").string()});
  CHECK_MESSAGE(missing.code == 2, missing.describe());
  CHECK(contains(missing.err, "missing.json: cannot read"));
}

TEST_CASE("config: --socket, --state-dir and --log-level override the file's values") {
  TempDir dir;
  const fs::path config = write_config(dir, {{"log_level", "error"}});
  const std::string flag_socket = (dir / "flag.sock").string();
  const std::string flag_state = (dir / "flag-state").string();
  auto checked = check_config({"--config", config.string(), "--socket", flag_socket, "--state-dir", flag_state});
  CHECK_MESSAGE(checked.code == 0, checked.describe());
  CHECK_MESSAGE(contains(checked.out, "socket " + flag_socket + ", state " + flag_state), checked.describe());

  Traiod traiod({.args = {"--config", config.string(), "--socket", flag_socket, "--state-dir", flag_state,
                          "--log-level", "debug"},
                 .log = dir / "traiod.log",
                 .leftover_marker = "TRAIO_SOCKET=" + flag_socket});
  REQUIRE_MESSAGE(wait_for_ping(flag_socket), traiod.log());
  CHECK_FALSE(fs::exists(dir / "traio.sock"));  // the file's socket
  CHECK(fs::exists(flag_state + "/journal"));
  CHECK_FALSE(fs::exists(dir / "state"));
  CHECK(traiod.stop(SIGTERM) == 0);
  // The file said "error"; the flag's "debug" shows every lifecycle step.
  CHECK_MESSAGE(contains(traiod.log(), "[debug]"), traiod.log());
}

TEST_CASE("boot trees: every good file starts under / in name order -- a broken one is logged and skipped") {
  TempDir boot;
  write_file(boot / "a.json", R"({"name": "alpha", "children": [{"name": "srv", "argv": ["sleep", "31.61"]}]})");
  write_file(boot / "b.json", R"({"name": "beta", "children": [{"name": "x", "argv": "sleep 5"}]})");
  write_file(boot / "c.json", R"({"name": "gamma", "argv": ["sleep", "31.62"]})");
  Daemon d(DaemonOptions{json{{"boot_dir", boot.path().string()}}.dump()});
  CHECK(d.inspect_until("/alpha/srv", is_running)["state"] == "running");
  CHECK(d.inspect_until("/gamma", is_running)["state"] == "running");
  CHECK(d.ctl({"inspect", "/beta"}).code == 5);  // not found: never submitted
  const std::string log = d.log();
  const size_t alpha = position_of(log, "boot: started /alpha from " + (boot / "a.json").string());
  const size_t gamma = position_of(log, "boot: started /gamma from " + (boot / "c.json").string());
  REQUIRE_MESSAGE(alpha != std::string::npos, log);
  REQUIRE_MESSAGE(gamma != std::string::npos, log);
  CHECK_MESSAGE(alpha < gamma, log);
  CHECK_MESSAGE(contains(log, (boot / "b.json").string() + ": children[0].argv: "), log);
  CHECK(d.ctl({"ping"}).code == 0);
  // Both came from a file, owned by the daemon's user.
  CHECK(d.inspect("/alpha")["owner_uid"] == ::getuid());
}
