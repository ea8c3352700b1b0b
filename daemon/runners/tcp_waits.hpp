#pragma once
// Waits for TCP addresses to accept a connection (the `wait_tcp` job kind and the
// `ready.wait_tcp` probe): a connect attempt, and after a failure another one `interval`
// later, until one succeeds. Each attempt opens its own socket and closes it whatever the
// outcome, so an idle wait holds only a timer. An attempt that gets no answer (a
// blackholed address) is cut after max(interval, 1 s). Attempts that fall due together
// (10,000 waits started at once keep in step) are made a few dozen per loop turn, so the
// loop serves clients in between.
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>

#include <boost/asio/io_context.hpp>

#include "common/duration.hpp"
#include "daemon/core/node_id.hpp"

namespace traio {

class TcpWaits {
 public:
  using OnConnected = std::function<void(NodeId)>;

  TcpWaits(boost::asio::io_context& io, OnConnected on_connected);
  ~TcpWaits();
  TcpWaits(const TcpWaits&) = delete;
  TcpWaits& operator=(const TcpWaits&) = delete;

  // Waits until `address` ("host:port", "[::1]:80") accepts a connection. `on_connected(id)`
  // runs on the loop, never from inside start(). A host name is resolved at every attempt,
  // and a resolution that fails is retried like a refused connect. Starting an id that
  // waits already replaces its wait.
  void start(NodeId id, const std::string& address, Duration interval);
  // Ends a wait at once (its socket closed, its timer cancelled) without calling
  // on_connected. Returns whether one was running.
  bool cancel(NodeId id);
  // What the last attempt saw, for a probe's timeout message:
  // "connect 127.0.0.1:8080: Connection refused".
  std::string last_error(NodeId id) const;

  std::size_t running() const { return waits_.size(); }

 private:
  struct Wait;

  void attempt_soon(NodeId id, Wait& wait);
  void make_due_attempts();
  void attempt(NodeId id, Wait& wait);
  void connect(NodeId id, Wait& wait, std::size_t endpoint);
  void retry_later(NodeId id, Wait& wait);
  // The wait `id` if it is still the one a handler was made for, at the same step.
  Wait* current(NodeId id, std::uint64_t serial, std::uint64_t step);

  boost::asio::io_context& io_;
  OnConnected on_connected_;
  std::unordered_map<NodeId, std::unique_ptr<Wait>> waits_;
  struct Due {
    NodeId id;
    std::uint64_t serial;
    std::uint64_t step;
  };
  std::deque<Due> due_;  // attempts to make, oldest first
  bool making_attempts_ = false;  // a make_due_attempts is posted
  std::uint64_t next_serial_ = 0;
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);
};

}  // namespace traio
