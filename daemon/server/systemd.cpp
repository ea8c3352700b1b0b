#include "daemon/server/systemd.hpp"

#include <unistd.h>

#include <cstdlib>
#include <string>

#include "daemon/runners/logger.hpp"

namespace traio {
namespace {

namespace asio = boost::asio;

inline constexpr int kListenFdsStart = 3;  // sd_listen_fds(3)

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

}  // namespace

std::optional<int> activated_socket_fd() {
  auto count = env_number("LISTEN_FDS");
  if (!count || *count < 1 || !env_number("LISTEN_PID") || !meant_for_us("LISTEN_PID")) return std::nullopt;
  return kListenFdsStart;
}

SystemdNotifier::SystemdNotifier(asio::io_context& io) : socket_(io), watchdog_(io) {
  const char* path = std::getenv("NOTIFY_SOCKET");
  if (path == nullptr || *path == '\0') return;
  std::string address = path;
  if (address[0] == '@') address[0] = '\0';  // the abstract namespace
  boost::system::error_code ec;
  target_ = asio::local::datagram_protocol::endpoint(address);
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

void SystemdNotifier::start_watchdog(std::function<std::string()> status) {
  if (!enabled() || !watchdog_period_) return;
  status_ = std::move(status);
  arm_watchdog();
}

void SystemdNotifier::arm_watchdog() {
  watchdog_.expires_after(*watchdog_period_ / 2);
  watchdog_.async_wait([this](boost::system::error_code ec) {
    if (ec) return;  // stopped
    notify("WATCHDOG=1\nSTATUS=" + (status_ ? status_() : std::string()));
    arm_watchdog();
  });
}

void SystemdNotifier::stop() {
  watchdog_.cancel();
  boost::system::error_code ignored;
  if (enabled()) {
    notify("STOPPING=1");
    socket_.close(ignored);
  }
}

}  // namespace traio
