#pragma once
// The local transport: a connection to traiod's Unix socket.
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>

#include "cli/transport.hpp"
#include "common/expected.hpp"

namespace traio::cli {

// Error message is the errno text ("No such file or directory").
Expected<std::unique_ptr<Transport>> connect_socket(boost::asio::io_context& io,
                                                    const std::string& socket_path);

}  // namespace traio::cli
