#pragma once
// systemd without libsystemd (SPEC §4, DESIGN): sd_notify is one datagram to $NOTIFY_SOCKET,
// socket activation hands over the listening socket as fd 3. Neither is required: without
// the variables, both are no-ops.
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include <boost/asio/io_context.hpp>
#include <boost/asio/local/datagram_protocol.hpp>
#include <boost/asio/steady_timer.hpp>

namespace traio {

// The first socket systemd passed when LISTEN_PID is this process and LISTEN_FDS >= 1.
std::optional<int> activated_socket_fd();
// The file path the socket systemd passed is bound to, for TRAIO_SOCKET (rule 12) and the
// log; empty for an abstract or unnamed socket. Startup only: throws std::runtime_error
// when fd `fd` is not a listening Unix stream socket (a misconfigured .socket unit).
std::string activated_socket_path(int fd);

class SystemdNotifier {
 public:
  explicit SystemdNotifier(boost::asio::io_context& io);
  SystemdNotifier(const SystemdNotifier&) = delete;
  SystemdNotifier& operator=(const SystemdNotifier&) = delete;

  bool enabled() const { return socket_.is_open(); }
  // "READY=1", "STOPPING=1", "STATUS=...": newline-separated assignments.
  void notify(std::string_view state);
  // Keeps systemd current until stop(): STATUS= whenever `status` has changed (checked every
  // second, so a burst of spawns costs one datagram), and with WATCHDOG_USEC set for this
  // process, WATCHDOG=1 every half period.
  void start_updates(std::function<std::string()> status);
  void stop();

 private:
  void arm_status();
  void arm_watchdog();
  void send_status_if_changed(std::string_view prefix);

  boost::asio::local::datagram_protocol::socket socket_;
  boost::asio::local::datagram_protocol::endpoint target_;
  boost::asio::steady_timer status_timer_;
  boost::asio::steady_timer watchdog_;
  std::optional<std::chrono::microseconds> watchdog_period_;
  std::function<std::string()> status_;
  std::string last_status_;
};

}  // namespace traio
