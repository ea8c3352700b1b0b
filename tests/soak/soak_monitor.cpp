#include "tests/soak/soak_monitor.hpp"

#include "tests/soak/soak_proc.hpp"

namespace traio::soak {

namespace {
// A single-threaded daemon answering a ping this late has stalled (the loop is blocked).
constexpr Millis kSlowPing(10000);
}  // namespace

bool Monitor::start(const std::string& socket) {
  socket_ = socket;
  std::string why;
  auto c = Connection::open(socket, &why);
  if (!c) {
    ledger_.fail("monitor: cannot connect: " + why);
    return false;
  }
  connection_ = std::move(*c);
  thread_ = std::thread([this] { watch(); });
  return true;
}

void Monitor::stop() {
  stopping_ = true;
  if (thread_.joinable()) thread_.join();
  connection_.close();
}

void Monitor::watch() {
  while (!stopping_) {
    const auto sent = std::chrono::steady_clock::now();
    CallResult pong = connection_.call("ping", nlohmann::json::object(), Millis(60000));
    const auto took = std::chrono::duration_cast<Millis>(std::chrono::steady_clock::now() - sent);
    if (!pong.ok()) {
      ledger_.fail("monitor: ping got no pong: " + pong.describe());
      auto c = Connection::open(socket_);
      if (c) connection_ = std::move(*c);
    } else if (took > kSlowPing) {
      ledger_.fail("monitor: ping took " + std::to_string(took.count()) + " ms");
    }
    if (took.count() > slowest_ms_) slowest_ms_ = took.count();
    if (int fds = fd_count(traiod_); fds > peak_fds_) peak_fds_ = fds;
    if (long rss = rss_kib(traiod_); rss > peak_rss_) peak_rss_ = rss;
    for (int i = 0; i < 5 && !stopping_; ++i) std::this_thread::sleep_for(Millis(100));
  }
}

std::vector<std::string> Monitor::ping_now() const {
  auto c = Connection::open(socket_);
  if (!c) return {"cannot connect to traiod's socket"};
  CallResult pong = c->call("ping", nlohmann::json::object(), Millis(10000));
  if (!pong.ok() || !pong.result.value("pong", false)) return {"ping: " + pong.describe()};
  return {};
}

std::vector<std::string> Monitor::live_nodes() const {
  auto c = Connection::open(socket_);
  if (!c) return {"cannot connect to traiod's socket"};
  CallResult ps = c->call("ps", {{"path", "/"}, {"brief", true}}, Millis(30000));
  if (!ps.ok()) return {"ps: " + ps.describe()};
  std::vector<std::string> live;
  const auto& root = ps.result["node"];
  if (root.contains("children"))
    for (const auto& child : root["children"])
      live.push_back("still live: " + child.value("path", "?") + " (" + child.value("state", "?") + ")");
  return live;
}

}  // namespace traio::soak
