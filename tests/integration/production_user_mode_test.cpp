// Issue 6 item 5, user mode: a non-root user runs traiod with no flags; it listens on
// $XDG_RUNTIME_DIR/traio.sock and keeps its state in ~/.local/state/traio (or
// $XDG_STATE_HOME/traio), and traioctl with no flags finds it. Run as nobody through
// setpriv, so root only; skipped with a reason elsewhere.
#include <pwd.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <doctest/doctest.h>

#include "tests/integration/harness.hpp"

using namespace traio::test;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

const std::vector<std::string> kAsNobody = {"/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                                            "--"};
// Variables of the test's own environment that would point either side elsewhere.
const std::vector<std::string> kForeign = {"XDG_STATE_HOME", "XDG_CONFIG_HOME", "XDG_RUNTIME_DIR", "HOME"};

// A directory only nobody may enter, as a user's home and runtime dir are.
fs::path nobodys_dir(const TempDir& dir, const std::string& name) {
  fs::create_directories(dir / name);
  REQUIRE(::chown((dir / name).c_str(), kNobody, kNobody) == 0);
  fs::permissions(dir / name, fs::perms(0700));
  return dir / name;
}

uid_t owner_of(const fs::path& path) {
  struct stat st{};
  REQUIRE_MESSAGE(::stat(path.c_str(), &st) == 0, path.string());
  return st.st_uid;
}

// traioctl as nobody with `env` and no flags and no TRAIO_SOCKET: the user's defaults.
CtlResult ctl_as_nobody(const Env& env, const std::vector<std::string>& args) {
  std::vector<std::string> argv = kAsNobody;
  argv.insert(argv.end(), {"/usr/bin/env", "-u", "TRAIO_SOCKET"});
  for (const auto& name : kForeign)
    if (!env.count(name)) argv.insert(argv.end(), {"-u", name});
  argv.push_back(traioctl_bin());
  argv.insert(argv.end(), args.begin(), args.end());
  return Proc(argv, env).finish(30s);
}

bool ping_as_nobody(const Env& env) {
  const auto until = Clock::now() + 10s;
  while (ctl_as_nobody(env, {"ping"}).code != 0) {
    if (Clock::now() > until) return false;
    ::usleep(50'000);
  }
  return true;
}

Traiod start_as_nobody(const TempDir& dir, const Env& env) {
  std::vector<std::string> unset;
  for (const auto& name : kForeign)
    if (!env.count(name)) unset.push_back(name);
  return Traiod({.env = env,
                 .unset = unset,
                 .wrapper = kAsNobody,
                 .log = dir / "traiod.log",
                 .leftover_marker = "TRAIO_SOCKET=" + env.at("XDG_RUNTIME_DIR") + "/traio.sock"});
}

// A job spawned with no flags runs as the daemon's user (nobody) and says so in its log.
void check_job_runs_as_nobody(const Env& env) {
  auto spawned = ctl_as_nobody(env, {"spawn", "--wait", "--cwd", "/", "--", "id", "-u"});
  CHECK_MESSAGE(spawned.code == 0, spawned.describe());
  auto logs = ctl_as_nobody(env, {"logs", "/job-1"});
  CHECK_MESSAGE(logs.line() == "65534", logs.describe());
}

}  // namespace

TEST_CASE("user mode: traiod without flags listens on $XDG_RUNTIME_DIR/traio.sock with state in ~/.local/state/traio") {
  if (skip_unless_root_and_nobody("running traiod as another user")) return;
  TempDir dir;
  fs::permissions(dir.path(), fs::perms(0755));
  const fs::path home = nobodys_dir(dir, "home");
  const fs::path runtime = nobodys_dir(dir, "run");
  const Env env = {{"HOME", home.string()}, {"XDG_RUNTIME_DIR", runtime.string()}};
  const fs::path socket = runtime / "traio.sock";
  {
    Traiod traiod = start_as_nobody(dir, env);
    REQUIRE_MESSAGE(ping_as_nobody(env), traiod.log());
    CHECK(owner_of(socket) == kNobody);
    CHECK(fs::exists(home / ".local/state/traio/journal"));
    CHECK(owner_of(home / ".local/state/traio") == kNobody);
    check_job_runs_as_nobody(env);
    CHECK(fs::exists(home / ".local/state/traio/logs"));
    CHECK(traiod.stop(SIGTERM) == 0);
    CHECK_MESSAGE(traiod.log().find("listening on " + socket.string()) != std::string::npos, traiod.log());
  }
  CHECK_FALSE(fs::exists(socket));  // removed on stop
}

TEST_CASE("user mode: XDG_STATE_HOME moves the state directory") {
  if (skip_unless_root_and_nobody("running traiod as another user")) return;
  TempDir dir;
  fs::permissions(dir.path(), fs::perms(0755));
  const fs::path home = nobodys_dir(dir, "home");
  const fs::path runtime = nobodys_dir(dir, "run");
  const fs::path state_home = nobodys_dir(dir, "state");
  const Env env = {{"HOME", home.string()}, {"XDG_RUNTIME_DIR", runtime.string()}, {"XDG_STATE_HOME", state_home.string()}};
  Traiod traiod = start_as_nobody(dir, env);
  REQUIRE_MESSAGE(ping_as_nobody(env), traiod.log());
  CHECK(fs::exists(state_home / "traio/journal"));
  CHECK_FALSE(fs::exists(home / ".local"));
  CHECK(traiod.stop(SIGTERM) == 0);
}
