#pragma once
// Watches traiod through the soak: a ping every half second on a connection of its own (a
// daemon that stops answering, or answers after more than kSlowPing, is a failure) and
// the peaks of its fd count and RSS.
#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "tests/soak/soak_connection.hpp"
#include "tests/soak/soak_ledger.hpp"

namespace traio::soak {

class Monitor {
 public:
  Monitor(Ledger& ledger, pid_t traiod) : ledger_(ledger), traiod_(traiod) {}
  ~Monitor() { stop(); }
  Monitor(const Monitor&) = delete;
  Monitor& operator=(const Monitor&) = delete;

  bool start(const std::string& socket);
  void stop();

  // A ping on a fresh connection, now: the problem when it gets no pong.
  std::vector<std::string> ping_now() const;
  // Nodes still live under `/` (`ps`): each one a problem once the clients have drained.
  std::vector<std::string> live_nodes() const;

  Millis slowest_ping() const { return Millis(slowest_ms_.load()); }
  int peak_fds() const { return peak_fds_; }
  long peak_rss_kib() const { return peak_rss_; }

 private:
  void watch();

  Ledger& ledger_;
  pid_t traiod_;
  std::string socket_;
  Connection connection_;
  std::thread thread_;
  std::atomic<bool> stopping_{false};
  std::atomic<long> slowest_ms_{0};
  std::atomic<int> peak_fds_{0};
  std::atomic<long> peak_rss_{0};
};

}  // namespace traio::soak
