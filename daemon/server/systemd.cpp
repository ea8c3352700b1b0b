#include "daemon/server/systemd.hpp"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string>

#include <fmt/format.h>

#include "daemon/runners/logger.hpp"

namespace traio {
namespace {

namespace asio = boost::asio;

inline constexpr int kListenFdsStart = 3;  // sd_listen_fds(3)
inline constexpr std::chrono::seconds kStatusPeriod{1};

std::optional<long long> env_number(const char* name) {
  const char* text = std::getenv(name);
  if (text == nullptr || *text == '\0') return std::nullopt;
  char* end = nullptr;
  long long value = std::strtoll(text, &end, 10);
  if (*end != '\0') return std::nullopt;
  return value;
}

// A *_PID variable that is set names the process meant; unset means "whoever reads it".
bool meant_for_us(const char* pid_variable) {
  auto pid = env_number(pid_variable);
  return !pid || *pid == static_cast<long long>(::getpid());
}

int socket_option(int fd, int option) {
  int value = 0;
  socklen_t len = sizeof value;
  if (::getsockopt(fd, SOL_SOCKET, option, &value, &len) != 0)
    throw std::runtime_error(fmt::format("socket from systemd (fd {}): {}", fd, std::strerror(errno)));
  return value;
}

}  // namespace

std::optional<int> activated_socket_fd() {
  auto count = env_number("LISTEN_FDS");
  if (!count || *count < 1 || !env_number("LISTEN_PID") || !meant_for_us("LISTEN_PID")) return std::nullopt;
  return kListenFdsStart;
}

std::string activated_socket_path(int fd) {
  // ENOTSOCK from getsockopt when fd 3 is a file, EBADF when systemd passed nothing there.
  if (socket_option(fd, SO_DOMAIN) != AF_UNIX || socket_option(fd, SO_TYPE) != SOCK_STREAM)
    throw std::runtime_error(fmt::format("socket from systemd (fd {}) is not a Unix stream socket: "
                                         "the .socket unit needs ListenStream=/path",
                                         fd));
  if (socket_option(fd, SO_ACCEPTCONN) == 0)
    throw std::runtime_error(fmt::format("socket from systemd (fd {}) does not listen (Accept=yes?)", fd));
  sockaddr_un address{};
  socklen_t len = sizeof address;
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &len) != 0)
    throw std::runtime_error(fmt::format("socket from systemd (fd {}): {}", fd, std::strerror(errno)));
  const auto path_bytes = len - offsetof(sockaddr_un, sun_path);
  if (len <= offsetof(sockaddr_un, sun_path) || address.sun_path[0] == '\0') return {};  // unnamed, abstract
  return std::string(address.sun_path, ::strnlen(address.sun_path, path_bytes));
}

SystemdNotifier::SystemdNotifier(asio::io_context& io) : socket_(io), status_timer_(io), watchdog_(io) {
  const char* path = std::getenv("NOTIFY_SOCKET");
  if (path == nullptr || *path == '\0') return;
  std::string address = path;
  if (address[0] == '@') address[0] = '\0';  // the abstract namespace, as systemd passes it
  boost::system::error_code ec;
  try {
    target_ = asio::local::datagram_protocol::endpoint(address);
  } catch (const boost::system::system_error& e) {  // longer than sun_path
    log(LogLevel::Warning, "NOTIFY_SOCKET {}: {}", path, e.code().message());
    return;
  }
  socket_.open(asio::local::datagram_protocol(), ec);
  if (ec) {
    log(LogLevel::Warning, "NOTIFY_SOCKET {}: {}", path, ec.message());
    return;
  }
  if (auto usec = env_number("WATCHDOG_USEC"); usec && *usec > 0 && meant_for_us("WATCHDOG_PID"))
    watchdog_period_ = std::chrono::microseconds(*usec);
}

void SystemdNotifier::notify(std::string_view state) {
  if (!enabled()) return;
  boost::system::error_code ec;
  socket_.send_to(asio::buffer(state.data(), state.size()), target_, 0, ec);
  if (ec) log(LogLevel::Debug, "sd_notify: {}", ec.message());  // systemd gone: nothing to tell
}

void SystemdNotifier::start_updates(std::function<std::string()> status) {
  if (!enabled()) return;
  status_ = std::move(status);
  last_status_ = status_();  // what READY=1 just said
  arm_status();
  if (watchdog_period_) arm_watchdog();
}

void SystemdNotifier::send_status_if_changed(std::string_view prefix) {
  std::string now = status_();
  if (now == last_status_ && prefix.empty()) return;
  last_status_ = now;
  notify(fmt::format("{}STATUS={}", prefix, now));
}

void SystemdNotifier::arm_status() {
  status_timer_.expires_after(kStatusPeriod);
  status_timer_.async_wait([this](boost::system::error_code ec) {
    if (ec) return;  // stopped
    send_status_if_changed("");
    arm_status();
  });
}

void SystemdNotifier::arm_watchdog() {
  // At least 1 ms: a WATCHDOG_USEC of 1 must not turn the loop into a busy one.
  watchdog_.expires_after(std::max<std::chrono::microseconds>(*watchdog_period_ / 2, std::chrono::milliseconds(1)));
  watchdog_.async_wait([this](boost::system::error_code ec) {
    if (ec) return;  // stopped
    send_status_if_changed("WATCHDOG=1\n");
    arm_watchdog();
  });
}

void SystemdNotifier::stop() {
  status_timer_.cancel();
  watchdog_.cancel();
  if (!enabled()) return;
  // The daemon said STOPPING=1 when the stop began; this covers a stop that skipped it.
  notify("STOPPING=1");
  boost::system::error_code ignored;
  socket_.close(ignored);
}

}  // namespace traio
