#pragma once
// The metrics endpoint (SPEC §6 "Watching", config `metrics.listen`): GET /metrics over
// HTTP/1.1 on a loopback TCP port or a Unix socket, one request per connection. A client
// gets at most kMaxRequestHead bytes of head (431 past it) and kClientTimeout in all; at
// most kMaxClients are served at once (the others are closed at once): a hostile client
// can hold neither the loop nor memory.
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/local/stream_protocol.hpp>

#include "daemon/server/metrics_service.hpp"

namespace traio {

inline constexpr std::chrono::seconds kClientTimeout{10};
inline constexpr std::size_t kMaxClients = 16;

class MetricsHttp {
 public:
  MetricsHttp(boost::asio::io_context& io, MetricsService& metrics);
  ~MetricsHttp();
  MetricsHttp(const MetricsHttp&) = delete;
  MetricsHttp& operator=(const MetricsHttp&) = delete;

  // Listens on `listen` (config/metrics_listen.hpp). Throws std::runtime_error (startup only).
  void start(const std::string& listen);
  // Closes the listener and every connection; removes the Unix socket file.
  void stop();
  // "http://127.0.0.1:9101/metrics" or the socket path, for the log.
  const std::string& where() const { return where_; }

 private:
  template <class Acceptor>
  boost::asio::awaitable<void> accept_loop(Acceptor& acceptor);
  template <class Socket>
  boost::asio::awaitable<void> serve(std::shared_ptr<Socket> socket);
  template <class Socket>
  void admit(Socket socket);

  boost::asio::io_context& io_;
  MetricsService& metrics_;
  std::optional<boost::asio::ip::tcp::acceptor> tcp_;
  std::optional<boost::asio::local::stream_protocol::acceptor> unix_;
  std::string unix_path_;
  std::string where_;
  std::map<std::uint64_t, std::function<void()>> clients_;  // closes each open connection
  std::uint64_t next_client_ = 1;
  bool stopped_ = false;
};

}  // namespace traio
