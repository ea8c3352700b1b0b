#pragma once
// The listening socket (SPEC §5): its parent directory, a stale file from a crashed daemon,
// another traiod already listening, and the socket's mode and group.
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>

#include "config/daemon_config.hpp"

namespace traio {

// Binds and listens on config.path. Startup only: throws std::runtime_error with a message
// for the user when it cannot (another traiod answers, the path is not a socket, ...).
boost::asio::local::stream_protocol::acceptor open_listener(boost::asio::io_context& io,
                                                            const DaemonConfig::Socket& config);

// Removes the socket file at daemon stop; a missing file is fine.
void remove_socket_file(const std::string& path);

}  // namespace traio
