#include "tests/soak/soak_connection.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/protocol.hpp"

namespace traio::soak {

using nlohmann::json;

std::string CallResult::describe() const {
  switch (status) {
    case Status::Ok: return "ok";
    case Status::DaemonError: return error_code + ": " + message;
    case Status::Lost: return "lost: " + message;
    case Status::TimedOut: return "timed out: " + message;
  }
  return "?";
}

CallResult reply_to_result(const json& reply) {
  CallResult r;
  if (reply.value("ok", false)) {
    r.status = CallResult::Status::Ok;
    r.result = reply.contains("result") ? reply["result"] : json::object();
    return r;
  }
  r.status = CallResult::Status::DaemonError;
  const json error = reply.contains("error") ? reply["error"] : json::object();
  r.error_code = error.value("code", "?");
  r.message = error.value("message", "");
  return r;
}

Connection::~Connection() { close(); }

Connection::Connection(Connection&& other) noexcept
    : fd_(other.fd_), next_id_(other.next_id_), buffer_(std::move(other.buffer_)), start_(other.start_) {
  other.fd_ = -1;
}

Connection& Connection::operator=(Connection&& other) noexcept {
  if (this != &other) {
    close();
    fd_ = other.fd_;
    next_id_ = other.next_id_;
    buffer_ = std::move(other.buffer_);
    start_ = other.start_;
    other.fd_ = -1;
  }
  return *this;
}

std::optional<Connection> Connection::open(const std::string& socket_path, std::string* why) {
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    if (why) *why = std::strerror(errno);
    return std::nullopt;
  }
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, socket_path.c_str(), sizeof addr.sun_path - 1);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    if (why) *why = std::strerror(errno);
    ::close(fd);
    return std::nullopt;
  }
  return Connection(fd);
}

void Connection::close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  buffer_.clear();
  start_ = 0;
}

bool Connection::send_raw(const std::string& bytes) {
  std::size_t sent = 0;
  while (fd_ >= 0 && sent < bytes.size()) {
    // MSG_NOSIGNAL: a daemon that dropped us is an answer (EPIPE), not a SIGPIPE.
    ssize_t n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      close();
      return false;
    }
    sent += static_cast<std::size_t>(n);
  }
  return fd_ >= 0;
}

std::int64_t Connection::send(const std::string& op, const json& args) {
  const std::int64_t id = next_id_++;
  send_raw(encode_request(Request{id, op, args}));
  return id;
}

bool Connection::fill(Millis limit) {
  pollfd p{fd_, POLLIN, 0};
  int n = ::poll(&p, 1, static_cast<int>(limit.count()));
  if (n <= 0) return false;  // timeout (or EINTR: the caller loops)
  char chunk[65536];
  ssize_t got = ::recv(fd_, chunk, sizeof chunk, 0);
  if (got < 0 && errno == EINTR) return true;
  if (got <= 0) {
    close();
    return false;
  }
  buffer_.append(chunk, static_cast<std::size_t>(got));
  return true;
}

std::optional<json> Connection::read_line(Millis limit) {
  const auto until = std::chrono::steady_clock::now() + limit;
  for (;;) {
    if (auto nl = buffer_.find('\n', start_); nl != std::string::npos) {
      json parsed = json::parse(buffer_.begin() + static_cast<long>(start_), buffer_.begin() + static_cast<long>(nl),
                                nullptr, false);
      start_ = nl + 1;
      // Read lines are dropped in bulk, not one erase per line: the event recorder reads
      // hundreds of lines per chunk and must keep up with the daemon.
      if (start_ == buffer_.size() || start_ > (1u << 20)) {
        buffer_.erase(0, start_);
        start_ = 0;
      }
      if (parsed.is_discarded()) {
        close();
        return std::nullopt;
      }
      return parsed;
    }
    if (fd_ < 0) return std::nullopt;
    const auto left = std::chrono::duration_cast<Millis>(until - std::chrono::steady_clock::now());
    if (left.count() <= 0) return std::nullopt;
    fill(left);
  }
}

CallResult Connection::call(const std::string& op, const json& args, Millis limit) {
  if (fd_ < 0) return {CallResult::Status::Lost, {}, {}, "not connected"};
  const std::int64_t id = send(op, args);
  return await_reply(id, limit, [](const json&) {});
}

}  // namespace traio::soak
