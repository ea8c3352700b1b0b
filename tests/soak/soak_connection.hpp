#pragma once
// One blocking protocol connection of the soak driver (docs/protocol.md): requests go out
// with encode_request, lines come back one at a time. Blocking and per thread on purpose:
// each client thread is its own peer, as separate traioctl processes would be, and a
// thread may walk away from a connection at any moment (mid-request, mid-stream).
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace traio::soak {

using Millis = std::chrono::milliseconds;

// What became of one call.
struct CallResult {
  enum class Status { Ok, DaemonError, Lost, TimedOut };
  Status status = Status::Lost;
  nlohmann::json result;   // Ok: the result object
  std::string error_code;  // DaemonError: the daemon's code ("not_found")
  std::string message;     // DaemonError: its message; Lost/TimedOut: what happened

  bool ok() const { return status == Status::Ok; }
  std::string describe() const;
};

class Connection {
 public:
  Connection() = default;
  ~Connection();
  Connection(Connection&& other) noexcept;
  Connection& operator=(Connection&& other) noexcept;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Empty when the socket cannot be reached (errno text in `why`).
  static std::optional<Connection> open(const std::string& socket_path, std::string* why = nullptr);

  bool is_open() const { return fd_ >= 0; }
  // Closes at once, whatever is in flight: the abrupt disconnect of a crashed client.
  void close();

  // Sends a request and returns its id without waiting for the reply.
  std::int64_t send(const std::string& op, const nlohmann::json& args);
  // Sends raw bytes (a half line, garbage); false when the connection is gone.
  bool send_raw(const std::string& bytes);
  // The next line as JSON; nullopt when `limit` passes or the connection ends (is_open()
  // then tells which). A line that is not JSON ends the connection (a daemon bug).
  std::optional<nlohmann::json> read_line(Millis limit);
  // send() then read lines until the reply with that id; events and replies of other ids
  // (requests left in flight earlier) are skipped.
  CallResult call(const std::string& op, const nlohmann::json& args, Millis limit = Millis(30000));
  // Reads until the reply to `id`, calling `on_event` for its events (if given).
  template <class OnEvent>
  CallResult await_reply(std::int64_t id, Millis limit, OnEvent&& on_event);

 private:
  explicit Connection(int fd) : fd_(fd) {}
  bool fill(Millis limit);  // reads more bytes into buffer_; false on timeout or EOF

  int fd_ = -1;
  std::int64_t next_id_ = 1;
  std::string buffer_;
  std::size_t start_ = 0;  // buffer_ before this has been read as lines
};

CallResult reply_to_result(const nlohmann::json& reply);

template <class OnEvent>
CallResult Connection::await_reply(std::int64_t id, Millis limit, OnEvent&& on_event) {
  const auto until = std::chrono::steady_clock::now() + limit;
  for (;;) {
    const auto left = std::chrono::duration_cast<Millis>(until - std::chrono::steady_clock::now());
    if (left.count() <= 0) return {CallResult::Status::TimedOut, {}, {}, "no reply within the limit"};
    auto line = read_line(left);
    if (!line) {
      if (!is_open()) return {CallResult::Status::Lost, {}, {}, "connection closed before the reply"};
      continue;
    }
    if (!line->contains("id") || (*line)["id"] != id) continue;
    if (line->contains("event")) {
      on_event((*line)["event"]);
      continue;
    }
    return reply_to_result(*line);
  }
}

}  // namespace traio::soak
