#pragma once
// Where traioctl looks for traiod's socket (SPEC §3): --socket, then $TRAIO_SOCKET, then
// $XDG_RUNTIME_DIR/traio.sock for a non-root user (/tmp/traio-<uid>/traio.sock without
// XDG_RUNTIME_DIR, as default_daemon_config does), then /run/traio/traio.sock.
#include <functional>
#include <optional>
#include <string>

namespace traio::cli {

inline constexpr const char* kSystemSocket = "/run/traio/traio.sock";

struct SocketLookup {
  std::optional<std::string> flag;                 // --socket
  std::optional<std::string> traio_socket;         // $TRAIO_SOCKET
  std::optional<std::string> xdg_runtime_dir;      // $XDG_RUNTIME_DIR
  unsigned uid = 0;
  std::function<bool(const std::string&)> exists;  // does a socket exist at this path?
};

std::string find_socket(const SocketLookup& lookup);
// The lookup for this process: its environment, uid and file system.
SocketLookup socket_lookup_from_env(std::optional<std::string> flag);

}  // namespace traio::cli
