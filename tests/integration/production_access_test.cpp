// SPEC §5 access with the real traiod: the socket's mode, owner and group; a second uid
// (nobody, through setpriv; root only) sees the whole tree (ps) but may inspect, read the
// logs of and act on only its own nodes, and its jobs run as itself.
#include <grp.h>
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

struct stat stat_of(const std::string& path) {
  struct stat st{};
  REQUIRE_MESSAGE(::stat(path.c_str(), &st) == 0, path);
  return st;
}

std::vector<std::string> as_uid(uid_t uid, gid_t gid, std::vector<std::string> argv) {
  std::vector<std::string> out = {"/usr/bin/setpriv", "--reuid=" + std::to_string(uid),
                                  "--regid=" + std::to_string(gid), "--clear-groups", "--"};
  out.insert(out.end(), argv.begin(), argv.end());
  return out;
}

// traioctl as `uid`, against `d` (whose socket the test config opens to everyone).
CtlResult ctl_as(const Daemon& d, uid_t uid, const std::vector<std::string>& args) {
  std::vector<std::string> argv = {traioctl_bin()};
  argv.insert(argv.end(), args.begin(), args.end());
  return Proc(as_uid(uid, uid, argv), d.ctl_env()).finish(30s);
}

// One raw protocol request as `uid`, for the error code itself (traioctl shows the message).
json request_as(const Daemon& d, uid_t uid, const json& request) {
  const char* script =
      "import socket, sys\n"
      "s = socket.socket(socket.AF_UNIX)\n"
      "s.connect(sys.argv[1])\n"
      "s.sendall(sys.argv[2].encode() + b'\\n')\n"
      "print(s.makefile().readline(), end='')\n";
  auto r = Proc(as_uid(uid, uid, {"/usr/bin/python3", "-c", script, d.socket(), request.dump()}), {}).finish(30s);
  REQUIRE_MESSAGE(r.code == 0, r.describe());
  return r.json();
}

// A daemon whose socket anyone may connect to: SPEC §5 then decides by the peer's uid.
DaemonOptions open_socket() { return DaemonOptions{R"({"socket": {"mode": "0666"}})"}; }

void open_dir(const Daemon& d) { fs::permissions(d.dir().path(), fs::perms(0755)); }

uid_t uid_of_process(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(in, line);)
    if (line.rfind("Uid:", 0) == 0) return static_cast<uid_t>(std::stoul(line.substr(4)));
  return static_cast<uid_t>(-1);
}

// The node at `path` in a `ps --json` tree.
json find_node(const json& node, const std::string& path) {
  if (node.value("path", "") == path) return node;
  for (const auto& child : node.value("children", json::array()))
    if (auto found = find_node(child, path); !found.is_null()) return found;
  return nullptr;
}

json ps_node(const CtlResult& ps, const std::string& path) {
  REQUIRE_MESSAGE(ps.code == 0, ps.describe());
  json tree = ps.json();
  if (tree.contains("node")) tree = tree["node"];
  return find_node(tree, path);
}

}  // namespace

TEST_CASE("access: the socket is 0660, owned by the daemon's user and group") {
  Daemon d;
  auto st = stat_of(d.socket());
  CHECK(S_ISSOCK(st.st_mode));
  CHECK((st.st_mode & 07777) == 0660);
  CHECK(st.st_uid == ::geteuid());
  CHECK(st.st_gid == ::getegid());
}

TEST_CASE("access: socket.mode and socket.group set the socket's mode and group") {
  // Root may give it any group; another user one of its own.
  const group* gr = ::geteuid() == 0 ? ::getgrnam("adm") : ::getgrgid(::getegid());
  REQUIRE(gr != nullptr);
  const std::string name = gr->gr_name;
  const gid_t gid = gr->gr_gid;
  Daemon d(DaemonOptions{json{{"socket", {{"mode", "0640"}, {"group", name}}}}.dump()});
  auto st = stat_of(d.socket());
  CHECK((st.st_mode & 07777) == 0640);
  CHECK(st.st_gid == gid);
  CHECK(st.st_uid == ::geteuid());
}

TEST_CASE("access: another uid sees root's nodes in ps but may not inspect, read logs of, cancel, signal, time out, finalize or spawn into them") {
  if (skip_unless_root_and_nobody("a second uid")) return;
  Daemon d(open_socket());
  open_dir(d);
  d.ok({"fork", "--name", "svc"});
  const std::string job = d.ok({"spawn", "--scope", "/svc", "--name", "web", "--", "sleep", "32.11"});
  REQUIRE(d.inspect_until(job, is_running)["state"] == "running");

  // The tree's shape and states are open to everyone, and show who owns what; a node's spec
  // and output (argv, env, what it prints: secrets) only to its owner (docs/protocol.md).
  json seen = ps_node(ctl_as(d, kNobody, {"--json", "ps"}), job);
  REQUIRE_MESSAGE(!seen.is_null(), "ps --json as nobody lacks ", job);
  CHECK(seen["owner_uid"] == 0);

  for (const auto& args : std::vector<std::vector<std::string>>{{"inspect", job},
                                                                {"logs", job},
                                                                {"logs", "/svc"},
                                                                {"cancel", job},
                                                                {"cancel", "/svc"},
                                                                {"signal", job, "TERM"},
                                                                {"timeout", job, "1s"},
                                                                {"finalize", "/svc"},
                                                                {"spawn", "--scope", "/svc", "--", "true"},
                                                                {"shutdown"}}) {
    auto r = ctl_as(d, kNobody, args);
    CHECK_MESSAGE(r.code == 7, args[0], ": ", r.describe());
  }
  json reply = request_as(d, kNobody, {{"v", 1}, {"id", 7}, {"op", "cancel"}, {"args", {{"path", job}}}});
  CHECK_MESSAGE(reply["ok"] == false, reply.dump());
  CHECK(reply["error"]["code"] == "permission_denied");
  CHECK(reply["error"]["message"] == "uid 65534 may not act on " + job + " (owned by uid 0)");
  reply = request_as(d, kNobody, {{"v", 1}, {"id", 8}, {"op", "inspect"}, {"args", {{"path", job}}}});
  CHECK(reply["error"]["code"] == "permission_denied");
  CHECK(reply["error"]["message"] == "uid 65534 may not read " + job + " (owned by uid 0)");
  // Nothing happened to root's job.
  json node = d.inspect(job);
  CHECK(node["state"] == "running");
  CHECK(node["sent_signal"].is_null());
  CHECK(node["timeout"].is_null());
}

TEST_CASE("access: another uid's job runs as it, it may cancel it, a third uid may not, and ps shows its owner") {
  if (skip_unless_root_and_nobody("a second uid")) return;
  const passwd* daemon_user = ::getpwnam("daemon");
  REQUIRE(daemon_user != nullptr);
  Daemon d(open_socket());
  open_dir(d);
  auto spawned = ctl_as(d, kNobody, {"spawn", "--cwd", "/", "--", "sleep", "32.12"});
  REQUIRE_MESSAGE(spawned.code == 0, spawned.describe());
  const std::string job = spawned.line();
  REQUIRE(d.inspect_until(job, is_running)["state"] == "running");
  auto pids = processes_with_cmdline("sleep 32.12");
  REQUIRE(pids.size() == 1);
  CHECK(uid_of_process(pids[0]) == kNobody);
  CHECK(ps_node(d.ctl({"--json", "ps"}), job)["owner_uid"] == kNobody);

  auto other = ctl_as(d, daemon_user->pw_uid, {"cancel", job});
  CHECK_MESSAGE(other.code == 7, other.describe());
  CHECK(d.inspect(job)["state"] == "running");

  auto own = ctl_as(d, kNobody, {"cancel", job});
  CHECK_MESSAGE(own.code == 0, own.describe());
  CHECK(d.inspect_until(job, is_done)["outcome"] == "cancelled");
}

TEST_CASE("access: traiod refuses a socket directory another user owns or may write, unless it is sticky") {
  if (skip_unless_root_and_nobody("a second uid")) return;
  struct Case {
    std::string name;
    uid_t owner;
    fs::perms mode;
    std::string refusal;  // empty: accepted
  };
  for (const Case& c : {Case{"nobodys", kNobody, fs::perms(0755), "is owned by uid 65534"},
                        Case{"group-writable", 0, fs::perms(0775), "is writable by its group or others (mode 0775)"},
                        Case{"sticky", 0, fs::perms(01777), ""}}) {
    CAPTURE(c.name);
    TempDir dir;
    const fs::path sockets = dir / c.name;
    fs::create_directory(sockets);
    REQUIRE(::chown(sockets.c_str(), c.owner, c.owner) == 0);
    fs::permissions(sockets, c.mode);
    const std::string socket = (sockets / "traio.sock").string();
    write_file(dir / "traiod.json", json{{"log_dir", (dir / "logs").string()}, {"boot_dir", (dir / "boot").string()}}.dump());
    Traiod traiod({.args = {"--config", (dir / "traiod.json").string(), "--socket", socket, "--state-dir",
                            (dir / "state").string()},
                   .log = dir / "traiod.log",
                   .leftover_marker = "TRAIO_SOCKET=" + socket});
    if (c.refusal.empty()) {
      CHECK_MESSAGE(wait_for_ping(socket), traiod.log());
      CHECK(traiod.stop(SIGTERM) == 0);
    } else {
      CHECK(traiod.stop(0, 10s) == 1);
      CHECK_MESSAGE(traiod.log().find(sockets.string() + " " + c.refusal) != std::string::npos, traiod.log());
      CHECK_FALSE(fs::exists(socket));
    }
  }
}

TEST_CASE("access: root scaling another user's replica set starts the new members as that user") {
  if (skip_unless_root_and_nobody("a second uid")) return;
  Daemon d(open_socket());
  open_dir(d);
  const json tree = {{"name", "s"},
                     {"children", {{{"name", "web"}, {"replicas", 1}, {"argv", {"sleep", "30"}}, {"cwd", "/"}}}}};
  const json reply = request_as(d, kNobody, {{"v", 1}, {"id", 1}, {"op", "submit"}, {"args", {{"scope", "/"}, {"tree", tree}}}});
  REQUIRE_MESSAGE(reply.value("ok", false), reply.dump());
  REQUIRE(d.inspect_until("/s/web/web-0", is_running)["state"] == "running");
  auto scaled = d.ctl({"scale", "/s/web", "2"});  // root, acting on nobody's set
  REQUIRE_MESSAGE(scaled.code == 0, scaled.describe());
  const json member = d.inspect_until("/s/web/web-1", [](const json& n) { return n["state"] == "running" && n["pid"].is_number(); });
  CHECK(member["owner_uid"] == kNobody);
  CHECK(uid_of_process(member["pid"].get<pid_t>()) == kNobody);
  // And nobody may scale its own set, but not one of root's.
  auto own = ctl_as(d, kNobody, {"scale", "/s/web", "1"});
  CHECK_MESSAGE(own.code == 0, own.describe());
  write_file(d.dir() / "r.json", json{{"name", "r"}, {"children", {{{"name", "web"}, {"replicas", 1}, {"argv", {"sleep", "30"}}}}}}.dump());
  auto run = d.ctl_async({"run", (d.dir() / "r.json").string()});
  for (int i = 0; i < 100 && d.ctl({"inspect", "/r/web/web-0"}).code != 0; ++i) ::usleep(50'000);
  auto theirs = ctl_as(d, kNobody, {"scale", "/r/web", "3"});
  CHECK(theirs.code != 0);
  CHECK_MESSAGE(theirs.err.find("may not act") != std::string::npos, theirs.describe());
  CHECK(d.ctl({"cancel", "/s"}).code == 0);
  CHECK(d.ctl({"cancel", "/r"}).code == 0);
  run->finish();
}
