#include "cli/socket_transport.hpp"

#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/write.hpp>

namespace traio::cli {

namespace asio = boost::asio;
using boost::system::error_code;

namespace {

class SocketTransport final : public Transport {
 public:
  explicit SocketTransport(asio::io_context& io) : socket_(io) {}

  error_code connect(const std::string& path) {
    error_code ec;
    socket_.connect(asio::local::stream_protocol::endpoint(path), ec);
    return ec;
  }

  void async_read_some(asio::mutable_buffer into, ReadHandler done) override {
    socket_.async_read_some(into, std::move(done));
  }

  error_code write_all(asio::const_buffer data) override {
    error_code ec;
    asio::write(socket_, data, ec);
    return ec;
  }

 private:
  asio::local::stream_protocol::socket socket_;
};

}  // namespace

Expected<std::unique_ptr<Transport>> connect_socket(asio::io_context& io, const std::string& socket_path) {
  // The endpoint constructor throws when the path does not fit in sun_path.
  if (socket_path.size() >= sizeof(sockaddr_un::sun_path))
    return Error{ErrorCode::Internal, "socket path is too long"};
  auto transport = std::make_unique<SocketTransport>(io);
  if (const error_code ec = transport->connect(socket_path)) return Error{ErrorCode::Internal, ec.message()};
  return std::unique_ptr<Transport>(std::move(transport));
}

}  // namespace traio::cli
