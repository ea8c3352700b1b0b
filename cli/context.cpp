#include "cli/context.hpp"

#include <sys/wait.h>

#include <cstdlib>

#include "cli/output.hpp"
#include "cli/socket_path.hpp"
#include "cli/ssh_command.hpp"
#include "cli/ssh_transport.hpp"
#include "common/node_path.hpp"

namespace traio::cli {

std::string Context::resolve(std::string_view path) const {
  return resolve_path(default_scope, path);
}

std::string Context::socket_path() const {
  return find_socket(socket_lookup_from_env(global.socket));
}

std::string Context::daemon_address() const {
  return global.host ? *global.host + " (over ssh)" : socket_path();
}

namespace {

// Why a remote session ended before its first reply, from ssh's wait status.
std::string remote_failure(int status) {
  if (!WIFEXITED(status)) return "ssh was " + describe_wait_status(status);
  switch (WEXITSTATUS(status)) {
    case 255: return "ssh failed (exit code 255: host unreachable or login refused)";
    case 127:
      return "command not found (exit code 127: the ssh of $TRAIO_SSH, or the remote traioctl: "
             "see --remote-traioctl)";
    case 6: return "the remote traioctl bridge could not reach its traiod (exit code 6)";
    default: return "the remote session ended (" + describe_wait_status(status) + ")";
  }
}

// --host: ssh to the remote `traioctl bridge`, then one ping, so that a host, login or
// remote daemon that is not there is told here (exit 6) rather than as a lost reply.
std::unique_ptr<Connection> connect_remote(const GlobalOptions& global) {
  const char* traio_ssh = std::getenv("TRAIO_SSH");
  auto argv = ssh_argv(RemoteTarget{*global.host, global.remote_socket, global.remote_traioctl},
                       traio_ssh ? std::optional<std::string>(traio_ssh) : std::nullopt);
  if (!argv) {
    fail(ExitCode::Usage, argv.error().message);
    return nullptr;
  }
  auto conn = std::make_unique<Connection>();
  auto ssh = SshTransport::start(conn->io, *argv);
  if (!ssh) {
    fail(ExitCode::Unreachable, "cannot reach traiod on " + *global.host + ": cannot start ssh: " +
                                    ssh.error().message);
    return nullptr;
  }
  SshTransport* session = ssh->get();
  conn->client.attach(std::move(*ssh));
  const Reply pong = conn->client.call("ping", nlohmann::json::object());
  if (pong.status == ReplyStatus::Lost) {
    fail(ExitCode::Unreachable,
         "cannot reach traiod on " + *global.host + ": " + remote_failure(session->finish()));
    return nullptr;
  }
  return conn;
}

}  // namespace

std::unique_ptr<Connection> Context::connect() const {
  if (global.host) return connect_remote(global);
  auto conn = std::make_unique<Connection>();
  const std::string path = socket_path();
  if (auto st = conn->client.connect(path); !st) {
    fail(ExitCode::Unreachable, "cannot reach traiod at " + path + ": " + st.error().message);
    return nullptr;
  }
  return conn;
}

std::string default_scope_from_env() {
  const char* scope = std::getenv("TRAIO_SCOPE");
  if (scope == nullptr || *scope == '\0') return "/";
  // A relative $TRAIO_SCOPE makes no sense; read it from the root.
  return resolve_path("/", scope);
}

}  // namespace traio::cli
