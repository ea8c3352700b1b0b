#pragma once
// The Unix socket acceptor and the live sessions (SPEC §5): a connection over
// limits.connections gets a limit_exceeded reply and is closed.
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/steady_timer.hpp>

#include "daemon/server/session.hpp"

namespace traio {

// How long a stopping daemon lets clients read their final replies before it hangs up.
inline constexpr std::chrono::seconds kStopGrace{2};

class Server {
 public:
  explicit Server(ServerContext& context);
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Listens on config.socket and starts accepting. Throws std::runtime_error (startup only).
  void start();
  // Stops accepting; sessions send their final replies and close. `on_closed` runs once,
  // when every session has closed.
  void stop(std::function<void()> on_closed);
  std::size_t session_count() const { return sessions_.size(); }
  // The socket came from systemd (LISTEN_FDS): systemd owns its file, we do not remove it.
  bool socket_activated() const { return socket_activated_; }

 private:
  using Socket = boost::asio::local::stream_protocol::socket;

  boost::asio::awaitable<void> accept_loop();
  void admit(Socket socket);
  void refuse(Socket socket, Error why);
  void on_session_closed(std::uint64_t key);
  void maybe_stopped();

  ServerContext& context_;
  std::optional<boost::asio::local::stream_protocol::acceptor> acceptor_;
  // Weak: a session lives as long as its own read loop; the server only counts and stops them.
  std::map<std::uint64_t, std::weak_ptr<Session>> sessions_;
  std::uint64_t next_key_ = 1;
  boost::asio::steady_timer stop_timer_;
  std::function<void()> on_stopped_;
  bool stopping_ = false;
  bool socket_activated_ = false;
};

}  // namespace traio
