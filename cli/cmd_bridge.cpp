// bridge: stdin/stdout to the local traiod's socket, for `traioctl --host` on the other end
// of an ssh (SPEC §6 "Remote"; docs/remote.md).
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "cli/bridge.hpp"
#include "cli/command.hpp"
#include "cli/output.hpp"

namespace traio::cli {

namespace {

// A plain blocking connect: the bridge is a poll loop over fds, no Asio.
int connect_unix(const std::string& path, std::string& error) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.size() >= sizeof addr.sun_path) {
    error = "socket path is too long";
    return -1;
  }
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    error = std::strerror(errno);
    return -1;
  }
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
    error = std::strerror(errno);
    ::close(fd);
    return -1;
  }
  return fd;
}

int run_bridge_command(const Context& ctx) {
  // Errors go to stderr only: stdout is the protocol stream.
  set_json_errors(false);
  if (ctx.global.host) return fail(ExitCode::Usage, "bridge: --host makes no sense here (it bridges the local traiod)");
  const std::string path = ctx.socket_path();
  std::string error;
  const int fd = connect_unix(path, error);
  if (fd < 0) return fail(ExitCode::Unreachable, "cannot reach traiod at " + path + ": " + error);
  const BridgeEnd end = run_bridge(STDIN_FILENO, STDOUT_FILENO, fd);
  ::close(fd);
  if (!end.clean) return fail(ExitCode::Unreachable, "bridge: " + end.error);
  return 0;
}

}  // namespace

void add_bridge_command(CLI::App& app, Commands& commands) {
  auto* sub = app.add_subcommand(
      "bridge", "connect stdin/stdout to traiod's socket (the remote end of --host)");
  commands.add(sub, run_bridge_command);
}

}  // namespace traio::cli
