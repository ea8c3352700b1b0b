#pragma once
// One client connection: NDJSON lines in (bounded by limits.request_bytes), replies out
// through a bounded write queue, many requests in flight (SPEC §5).
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <unordered_set>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/steady_timer.hpp>

#include "daemon/core/node.hpp"
#include "daemon/server/server_context.hpp"

namespace traio {

// A client that does not read its replies is dropped once this much waits in its queue,
// so that it cannot make the daemon hold unbounded memory (the others go on).
inline constexpr std::size_t kMaxQueuedBytes = 8u << 20;

enum class SessionState { Open, Stopping, Closed };

class Session : public std::enable_shared_from_this<Session> {
 public:
  using Socket = boost::asio::local::stream_protocol::socket;

  Session(Socket socket, ServerContext& context, Uid peer_uid);
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // Starts reading requests; `on_closed` runs once, when the connection is closed.
  void start(std::function<void()> on_closed);
  // Queues one encoded line ('\n' ended). Dropped when the session is closed.
  void send(std::string line);
  void close();
  void close_after_flush();
  // The daemon stops: streaming ops are woken to send their final reply, then the
  // session closes once its queue is written.
  void stop();

  SessionState state() const { return state_; }
  bool is_closed() const { return state_ == SessionState::Closed; }
  Uid peer_uid() const { return peer_uid_; }
  // Whether the client has closed its end for good (not a half-close after its requests,
  // which a client still reading replies may do). Asks the socket, without blocking.
  bool peer_gone();
  ServerContext& context() { return context_; }
  // Async ops (wait, logs -f, ...) in flight. A client that half-closes after its requests
  // (`traioctl bridge` at the end of its stdin) still gets their replies: the session
  // closes once the last one has gone out.
  void op_started() { ++ops_in_flight_; }
  void op_finished();

  // Streaming ops (wait, events -f) sleep on a timer that closing or stopping the
  // session cancels, so that they end with it.
  void add_waker(boost::asio::steady_timer* timer) { wakers_.insert(timer); }
  void remove_waker(boost::asio::steady_timer* timer) { wakers_.erase(timer); }

 private:
  boost::asio::awaitable<void> read_loop();
  void write_next();
  void on_written(boost::system::error_code ec);
  void wake_all();

  Socket socket_;
  ServerContext& context_;
  Uid peer_uid_;
  std::function<void()> on_closed_;
  SessionState state_ = SessionState::Open;
  std::string buffer_;
  std::deque<std::string> queue_;
  std::size_t queued_bytes_ = 0;
  bool writing_ = false;
  bool close_when_flushed_ = false;
  int ops_in_flight_ = 0;
  bool requests_ended_ = false;  // the client half-closed: nothing more to read
  std::unordered_set<boost::asio::steady_timer*> wakers_;
};

// A waker bound to a session for the life of one streaming op.
class StreamWaker {
 public:
  explicit StreamWaker(std::shared_ptr<Session> session);
  ~StreamWaker();
  StreamWaker(const StreamWaker&) = delete;
  StreamWaker& operator=(const StreamWaker&) = delete;

  void set_deadline(std::chrono::steady_clock::time_point at) { timer_.expires_at(at); }
  void wake() { timer_.cancel(); }
  // Sleeps until woken, the session closes or stops, or the deadline passes.
  // Returns true when the deadline passed.
  boost::asio::awaitable<bool> sleep();

 private:
  std::shared_ptr<Session> session_;
  boost::asio::steady_timer timer_;
};

}  // namespace traio
