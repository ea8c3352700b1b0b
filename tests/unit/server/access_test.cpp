// SPEC §5 access rules, with a real client process running as another uid.
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>

#include <doctest/doctest.h>

#include "daemon/server/access.hpp"
#include "tests/unit/server/server_test_support.hpp"

using namespace traio;
using namespace traio::server_test;

namespace {

constexpr uid_t kNobody = 65534;

// One request from a child process that dropped to `uid`; the reply line, or "" on failure.
// The child only makes syscalls: it was forked from a multithreaded process.
std::string call_as(uid_t uid, const std::string& socket_path, const std::string& op, const json& args) {
  const std::string request = json{{"v", 1}, {"id", 1}, {"op", op}, {"args", args}}.dump() + "\n";
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  socket_path.copy(addr.sun_path, sizeof addr.sun_path - 1);
  int out[2];
  REQUIRE(::pipe(out) == 0);
  pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    ::close(out[0]);
    if (::setresgid(uid, uid, uid) != 0 || ::setresuid(uid, uid, uid) != 0) ::_exit(10);
    int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) ::_exit(11);
    if (::write(fd, request.data(), request.size()) != static_cast<ssize_t>(request.size())) ::_exit(12);
    char buf[8192];
    ssize_t n;
    while ((n = ::read(fd, buf, sizeof buf)) > 0) {
      if (::write(out[1], buf, static_cast<size_t>(n)) != n) ::_exit(13);
      if (buf[n - 1] == '\n') break;
    }
    ::_exit(0);
  }
  ::close(out[1]);
  std::string reply;
  char buf[8192];
  ssize_t n;
  while ((n = ::read(out[0], buf, sizeof buf)) > 0) reply.append(buf, static_cast<size_t>(n));
  ::close(out[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  INFO("client exit status " << status);
  CHECK((WIFEXITED(status) && WEXITSTATUS(status) == 0));
  return reply;
}

json reply_as(uid_t uid, const TestDaemon& daemon, const std::string& op, const json& args = json::object()) {
  auto line = call_as(uid, daemon.socket_path(), op, args);
  REQUIRE_FALSE(line.empty());
  return json::parse(line);
}

void open_to_everyone(DaemonConfig& c) {
  c.socket.mode = 0666;
  std::filesystem::permissions(std::filesystem::path(c.socket.path).parent_path().parent_path(),
                               std::filesystem::perms(0755));
}

}  // namespace

TEST_CASE("another uid may see ps and fork under /, and inspect or act on only the nodes it created") {
  if (::geteuid() != 0) return;  // needs root to be another user
  TestDaemon daemon(open_to_everyone);
  Client root(daemon.socket_path());
  result_of(root.call(1, "fork", {{"name", "roots"}}));

  CHECK(result_of(reply_as(kNobody, daemon, "ping"))["pong"] == true);
  CHECK(result_of(reply_as(kNobody, daemon, "ps"))["node"]["path"] == "/");
  auto mine = result_of(reply_as(kNobody, daemon, "fork", {{"name", "mine"}}))["path"];
  CHECK(result_of(root.call(2, "inspect", {{"path", mine}}))["node"]["owner_uid"] == kNobody);
  // An async job runs nothing as anyone: allowed in its own scope.
  CHECK(reply_as(kNobody, daemon, "spawn", {{"scope", mine}, {"job", {{"kind", "sleep"}, {"duration", "1s"}}}})["ok"] ==
        true);

  CHECK(error_code_of(reply_as(kNobody, daemon, "fork", {{"scope", "/roots"}})) == "permission_denied");
  CHECK(error_code_of(reply_as(kNobody, daemon, "cancel", {{"path", "/roots"}})) == "permission_denied");
  CHECK(error_code_of(reply_as(kNobody, daemon, "finalize", {{"path", "/roots"}})) == "permission_denied");
  CHECK(error_code_of(reply_as(kNobody, daemon, "timeout", {{"path", "/roots"}, {"timeout", "1s"}})) ==
        "permission_denied");
  CHECK(error_code_of(reply_as(kNobody, daemon, "wait", {{"paths", {"/roots"}}, {"claim", true}})) ==
        "permission_denied");
  CHECK(error_code_of(reply_as(kNobody, daemon, "shutdown")) == "permission_denied");
  CHECK(error_code_of(reply_as(kNobody, daemon, "inspect", {{"path", "/roots"}})) == "permission_denied");
  CHECK(error_code_of(reply_as(kNobody, daemon, "logs", {{"path", "/roots"}})) == "permission_denied");
  CHECK(error_code_of(reply_as(kNobody, daemon, "logs", {{"path", "/roots"}, {"follow", true}})) == "permission_denied");
  CHECK(result_of(reply_as(kNobody, daemon, "inspect", {{"path", mine}}))["node"]["owner_uid"] == kNobody);
  CHECK(result_of(root.call(3, "inspect", {{"path", "/roots"}}))["node"]["state"] == "open");

  CHECK(reply_as(kNobody, daemon, "cancel", {{"path", mine}})["ok"] == true);
}

TEST_CASE("users: under a root daemon, another uid's process jobs run as that uid") {
  if (::geteuid() != 0) return;
  TestDaemon daemon(open_to_everyone);
  const std::string check = "[ \"$(id -u)\" = 65534 ] && [ \"$USER\" = nobody ] && [ \"$LOGNAME\" = nobody ]";
  auto path = result_of(reply_as(kNobody, daemon, "spawn", {{"job", {{"argv", {"sh", "-c", check}}, {"cwd", "/"}}}}))["path"];
  json tree = {{"name", "t"}, {"children", {{{"name", "p"}, {"argv", {"sh", "-c", check}}, {"cwd", "/"}}}}};
  result_of(reply_as(kNobody, daemon, "submit", {{"tree", tree}}));
  Client root(daemon.socket_path());
  auto nodes = result_of(root.call(1, "wait", {{"paths", {path, "/t/p"}}}))["nodes"];
  for (const auto& node : nodes) {
    INFO(node.dump());
    CHECK(node["outcome"] == "succeeded");
    CHECK(node["owner_uid"] == kNobody);
  }
}

TEST_CASE("users: another uid may name only itself as user, and only groups it is in") {
  if (::geteuid() != 0) return;
  TestDaemon daemon(open_to_everyone);
  auto spawn_as = [&](json job) {
    job["argv"] = {"true"};
    return reply_as(kNobody, daemon, "spawn", {{"job", job}});
  };
  CHECK(error_code_of(spawn_as({{"user", "root"}})) == "permission_denied");
  CHECK(error_code_of(spawn_as({{"user", "0"}})) == "permission_denied");
  CHECK(error_code_of(spawn_as({{"user", "traio-no-such-user"}})) == "permission_denied");
  CHECK(error_code_of(spawn_as({{"group", "root"}})) == "permission_denied");
  CHECK(spawn_as({{"user", "nobody"}})["ok"] == true);
  CHECK(spawn_as({{"user", "65534"}, {"group", "nogroup"}})["ok"] == true);
  json tree = {{"name", "t"}, {"children", {{{"name", "ok"}, {"argv", {"true"}}},
                                             {{"name", "p"}, {"argv", {"true"}}, {"user", "root"}}}}};
  CHECK(error_code_of(reply_as(kNobody, daemon, "submit", {{"tree", tree}})) == "permission_denied");
  Client root(daemon.socket_path());
  CHECK(error_code_of(root.call(1, "inspect", {{"path", "/t"}})) == "not_found");
}

TEST_CASE("users: a non-root daemon runs jobs only as itself") {
  if (::geteuid() != 0) return;  // needs root to become a non-root daemon process
  // check_may_run_as reads the daemon's own euid: a child that is nobody plays the daemon.
  pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    if (::setresgid(65534, 65534, 65534) != 0 || ::setresuid(kNobody, kNobody, kNobody) != 0) ::_exit(10);
    if (check_may_run_as(kNobody, "root", "").ok()) ::_exit(11);
    if (check_may_run_as(0, "root", "").ok()) ::_exit(12);  // not even for a root client
    if (check_may_run_as(kNobody, "", "root").ok()) ::_exit(13);
    if (!check_may_run_as(kNobody, "nobody", "").ok()) ::_exit(14);  // itself: nothing to switch
    if (!check_may_run_as(kNobody, "", "").ok()) ::_exit(15);
    if (check_may_run_as(kNobody, "root", "").error().code != ErrorCode::PermissionDenied) ::_exit(16);
    if (check_may_run_jobs(1234).ok()) ::_exit(17);  // another uid would borrow the daemon's
    ::_exit(0);
  }
  int status = 0;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
}

TEST_CASE("signal: another uid may signal only the jobs it created") {
  if (::geteuid() != 0) return;
  TestDaemon daemon(open_to_everyone);
  Client root(daemon.socket_path());
  result_of(root.call(1, "spawn", {{"job", {{"name", "r"}, {"argv", {"sleep", "30"}}, {"output", "null"}}}}));
  CHECK(error_code_of(reply_as(kNobody, daemon, "signal", {{"path", "/r"}, {"signal", "KILL"}})) ==
        "permission_denied");
  // Root's job inside nobody's scope: signalling the scope leaves it alone.
  auto mine = result_of(reply_as(kNobody, daemon, "fork", {{"name", "mine"}}))["path"].get<std::string>();
  result_of(root.call(2, "spawn", {{"scope", mine}, {"job", {{"name", "r"}, {"argv", {"sleep", "30"}}, {"output", "null"}}}}));
  result_of(reply_as(kNobody, daemon, "spawn", {{"scope", mine}, {"job", {{"name", "n"}, {"argv", {"sleep", "30"}}, {"output", "null"}}}}));
  REQUIRE(test::wait_until([&] {
    return result_of(root.call(3, "inspect", {{"path", mine + "/n"}}))["node"]["state"] == "running";
  }));
  CHECK(result_of(reply_as(kNobody, daemon, "signal", {{"path", mine}, {"signal", "CONT"}}))["signalled"] == 1);
  CHECK(result_of(root.call(4, "signal", {{"path", mine}, {"signal", "CONT"}}))["signalled"] == 2);
  result_of(root.call(5, "cancel", {{"path", mine}}));
  result_of(root.call(6, "cancel", {{"path", "/r"}}));
}
