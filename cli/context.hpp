#pragma once
// What every command gets: the global options, the default scope, the argv after "--",
// and a way to reach the daemon.
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "cli/client.hpp"

namespace traio::cli {

struct GlobalOptions {
  std::optional<std::string> socket;
  std::optional<std::string> host;
  std::optional<std::string> remote_socket;    // with --host: the remote traiod's socket
  std::string remote_traioctl = "traioctl";    // with --host: the remote traioctl to run
  bool json = false;
};

struct Connection {
  boost::asio::io_context io;
  Client client{io};
};

struct Context {
  GlobalOptions global;
  std::string default_scope = "/";     // rule 12: $TRAIO_SCOPE when set
  std::vector<std::string> trailing;   // the arguments after "--" (spawn's ARGV)
  bool trailing_given = false;         // "--" was on the command line

  // Relative paths are resolved against the default scope (rule 12).
  std::string resolve(std::string_view path) const;
  // Connects (the local socket, or ssh with --host); on failure prints "cannot reach
  // traiod at ..." and returns nullptr (exit 6).
  std::unique_ptr<Connection> connect() const;
  std::string socket_path() const;
  // Where the daemon is, for messages: the socket path, or "HOST (over ssh)".
  std::string daemon_address() const;
};

// Reads $TRAIO_SCOPE (rule 12); "/" when unset or empty.
std::string default_scope_from_env();

}  // namespace traio::cli
