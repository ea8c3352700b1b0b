#pragma once
// For fault and limit tests: a raw NDJSON connection to a real traiod (what traioctl hides:
// half a line, a close before the reply, many connections at once), and what /proc says of
// the daemon (its open fds, its CPU time).
#include <dirent.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include "tests/integration/harness.hpp"

namespace traio::test {

class RawClient {
 public:
  explicit RawClient(const std::string& socket_path) {
    fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    socket_path.copy(addr.sun_path, sizeof addr.sun_path - 1);
    connected_ = fd_ >= 0 && ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  }
  ~RawClient() { close(); }
  RawClient(const RawClient&) = delete;
  RawClient& operator=(const RawClient&) = delete;

  bool connected() const { return connected_; }
  void close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

  // False when the daemon hung up (EPIPE) before everything was written.
  bool send_raw(const std::string& data) {
    std::size_t done = 0;
    while (done < data.size()) {
      ssize_t n = ::send(fd_, data.data() + done, data.size() - done, MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      done += static_cast<std::size_t>(n);
    }
    return true;
  }
  bool send(std::int64_t id, const std::string& op, const nlohmann::json& args = nlohmann::json::object()) {
    return send_raw(nlohmann::json{{"v", 1}, {"id", id}, {"op", op}, {"args", args}}.dump() + "\n");
  }

  // The next line, or nullopt on EOF, error or timeout.
  std::optional<std::string> read_line(Millis limit = 10s) {
    const auto end = Clock::now() + limit;
    for (;;) {
      if (auto nl = buffer_.find('\n'); nl != std::string::npos) {
        std::string line = buffer_.substr(0, nl);
        buffer_.erase(0, nl + 1);
        return line;
      }
      const auto left = std::chrono::duration_cast<Millis>(end - Clock::now()).count();
      if (left <= 0 || fd_ < 0) return std::nullopt;
      pollfd p{fd_, POLLIN, 0};
      int ready = ::poll(&p, 1, static_cast<int>(left));
      if (ready < 0 && errno == EINTR) continue;
      if (ready <= 0) return std::nullopt;
      char chunk[65536];
      ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return std::nullopt;
      buffer_.append(chunk, static_cast<std::size_t>(n));
    }
  }
  std::optional<nlohmann::json> read_json(Millis limit = 10s) {
    auto line = read_line(limit);
    if (!line) return std::nullopt;
    return nlohmann::json::parse(*line, nullptr, false);
  }
  // The final reply to request `id` (skipping stream events and other ids), or nullopt.
  std::optional<nlohmann::json> reply_to(std::int64_t id, Millis limit = 10s) {
    const auto end = Clock::now() + limit;
    while (Clock::now() < end) {
      auto j = read_json(std::chrono::duration_cast<Millis>(end - Clock::now()));
      if (!j) return std::nullopt;
      if (j->is_object() && j->value("id", std::int64_t{-1}) == id && j->contains("ok")) return j;
    }
    return std::nullopt;
  }
  std::optional<nlohmann::json> call(std::int64_t id, const std::string& op,
                                     const nlohmann::json& args = nlohmann::json::object(), Millis limit = 10s) {
    if (!send(id, op, args)) return std::nullopt;
    return reply_to(id, limit);
  }
  // True once the daemon has closed the connection (EOF or reset) within `limit`.
  bool wait_closed(Millis limit = 5s) {
    const auto end = Clock::now() + limit;
    while (Clock::now() < end) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) continue;
      char chunk[65536];
      ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
      if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN)) return true;
    }
    return false;
  }

 private:
  int fd_ = -1;
  bool connected_ = false;
  std::string buffer_;
};

// One `ping` at a time over a connection of its own, timed from request to reply
// (traioctl's start-up would swamp what this measures: how long a request waits for the
// daemon's loop).
class Pinger {
 public:
  explicit Pinger(const std::string& socket) : client_(socket) { REQUIRE(client_.connected()); }

  Millis ping() {
    const auto start = Clock::now();
    auto reply = client_.call(++id_, "ping", nlohmann::json::object(), 60s);
    REQUIRE_MESSAGE((reply && (*reply)["result"].value("pong", false)), (reply ? reply->dump() : "no reply"));
    return std::chrono::duration_cast<Millis>(Clock::now() - start);
  }

 private:
  RawClient client_;
  std::int64_t id_ = 0;
};

// "ok" of a reply, and its error code ("" when it succeeded or is no reply).
inline bool reply_ok(const std::optional<nlohmann::json>& reply) {
  return reply && reply->is_object() && reply->value("ok", false);
}
inline std::string error_code(const std::optional<nlohmann::json>& reply) {
  if (!reply || !reply->is_object() || !reply->contains("error")) return "";
  return (*reply)["error"].value("code", "");
}
inline std::string error_message(const std::optional<nlohmann::json>& reply) {
  if (!reply || !reply->is_object() || !reply->contains("error")) return "";
  return (*reply)["error"].value("message", "");
}

// Open file descriptors of a process (/proc/PID/fd), -1 when it cannot be read.
inline int open_fd_count(pid_t pid) {
  const std::string dir = "/proc/" + std::to_string(pid) + "/fd";
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return -1;
  int count = 0;
  while (dirent* e = ::readdir(d))
    if (e->d_name[0] != '.') ++count;
  ::closedir(d);
  return count;
}

// Polls until the process holds at most `baseline` fds; returns the last count seen. A
// session the client closed is closed by the daemon a moment later, not at once.
inline int fd_count_settled(pid_t pid, int baseline, Millis limit = 5s) {
  const auto end = Clock::now() + limit;
  int count = open_fd_count(pid);
  while (count > baseline && Clock::now() < end) {
    ::usleep(50'000);
    count = open_fd_count(pid);
  }
  return count;
}

// User plus system CPU time of a process, in clock ticks (/proc/PID/stat fields 14 and 15).
inline long cpu_ticks(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto close_paren = stat.rfind(')');  // the command name may hold spaces
  if (close_paren == std::string::npos) return -1;
  std::istringstream fields(stat.substr(close_paren + 2));
  std::string field;
  long utime = 0, stime = 0;
  for (int i = 3; i <= 15 && fields >> field; ++i) {
    if (i == 14) utime = std::stol(field);
    if (i == 15) stime = std::stol(field);
  }
  return utime + stime;
}

}  // namespace traio::test
