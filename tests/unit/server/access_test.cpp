// SPEC §5 access rules, with a real client process running as another uid.
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>

#include <doctest/doctest.h>

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

TEST_CASE("another uid may read and fork under /, and act only on the nodes it created") {
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
  CHECK(result_of(root.call(3, "inspect", {{"path", "/roots"}}))["node"]["state"] == "open");

  CHECK(reply_as(kNobody, daemon, "cancel", {{"path", mine}})["ok"] == true);
}

TEST_CASE("another uid may not start processes: they would run as the daemon's user") {
  if (::geteuid() != 0) return;
  TestDaemon daemon(open_to_everyone);
  auto reply = reply_as(kNobody, daemon, "spawn", {{"job", {{"argv", {"id", "-u"}}}}});
  CHECK(error_code_of(reply) == "permission_denied");
  json tree = {{"name", "t"}, {"children", {{{"name", "p"}, {"argv", {"true"}}}}}};
  CHECK(error_code_of(reply_as(kNobody, daemon, "submit", {{"tree", tree}})) == "permission_denied");
  Client root(daemon.socket_path());
  CHECK(error_code_of(root.call(1, "inspect", {{"path", "/t"}})) == "not_found");
}
