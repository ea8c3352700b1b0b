#pragma once
// A real traiod (the Daemon object) on a temporary socket, its loop on a thread of the test,
// and a raw blocking Unix-socket client that speaks NDJSON by hand.
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <functional>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include "daemon/server/daemon.hpp"
#include "tests/unit/os/os_test_support.hpp"

namespace traio::server_test {

using nlohmann::json;
using namespace std::chrono_literals;

class TestDaemon {
 public:
  explicit TestDaemon(const std::function<void(DaemonConfig&)>& tweak = {}) {
    config_ = default_daemon_config();
    config_.socket.path = dir_.file("run/traio.sock");
    config_.socket.group.clear();
    config_.state_dir = dir_.file("state");
    config_.log_dir = dir_.file("state/logs");
    config_.defaults.stop_grace = 2s;
    if (tweak) tweak(config_);
    daemon_ = std::make_unique<Daemon>(io_, config_, StopSignals::Ignore);
    daemon_->start();
    thread_ = std::thread([this] { io_.run(); });
  }
  ~TestDaemon() { stop(); }
  TestDaemon(const TestDaemon&) = delete;
  TestDaemon& operator=(const TestDaemon&) = delete;

  // Rule 13 as SIGTERM runs it; returns once the loop has stopped.
  void stop() {
    if (!thread_.joinable()) return;
    boost::asio::post(io_, [this] { daemon_->request_stop(); });
    thread_.join();
  }
  // For a daemon stopped from inside (the shutdown op): waits for its loop to end.
  void join() {
    if (thread_.joinable()) thread_.join();
  }

  // Runs on the daemon's loop and waits for it: the daemon is single-threaded.
  void submit_boot_trees(const std::vector<BootTree>& trees) {
    std::promise<void> done;
    boost::asio::post(io_, [&] {
      daemon_->submit_boot_trees(trees);
      done.set_value();
    });
    done.get_future().wait();
  }

  const std::string& socket_path() const { return config_.socket.path; }
  const DaemonConfig& config() const { return config_; }
  const test::TempDir& dir() const { return dir_; }

 private:
  test::TempDir dir_;
  DaemonConfig config_;
  boost::asio::io_context io_;
  std::unique_ptr<Daemon> daemon_;
  std::thread thread_;
};

class Client {
 public:
  explicit Client(const std::string& path) {
    fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    path.copy(addr.sun_path, sizeof addr.sun_path - 1);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  }
  ~Client() { close(); }
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  bool connected() const { return connected_; }
  void close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

  // False when the daemon closed the connection (EPIPE) before everything was written.
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

  bool send(std::int64_t id, const std::string& op, const json& args = json::object()) {
    return send_raw(json{{"v", 1}, {"id", id}, {"op", op}, {"args", args}}.dump() + "\n");
  }

  // The next line, or nullopt on EOF, error or timeout.
  std::optional<std::string> read_line(std::chrono::milliseconds limit = 10s) {
    auto end = std::chrono::steady_clock::now() + limit;
    for (;;) {
      if (auto nl = buffer_.find('\n'); nl != std::string::npos) {
        std::string line = buffer_.substr(0, nl);
        buffer_.erase(0, nl + 1);
        return line;
      }
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(end - std::chrono::steady_clock::now());
      if (left.count() <= 0) return std::nullopt;
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) return std::nullopt;
      char chunk[65536];
      ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        eof_ = true;
        return std::nullopt;
      }
      buffer_.append(chunk, static_cast<std::size_t>(n));
    }
  }

  std::optional<json> read_json(std::chrono::milliseconds limit = 10s) {
    auto line = read_line(limit);
    if (!line) return std::nullopt;
    return json::parse(*line);
  }

  // Sends a request and returns its reply (events of other requests are not expected here).
  json call(std::int64_t id, const std::string& op, const json& args = json::object()) {
    REQUIRE(send(id, op, args));
    auto reply = read_json();
    REQUIRE(reply.has_value());
    return *reply;
  }

  // True once the daemon has closed its side (EOF or reset), within `limit`.
  bool wait_closed(std::chrono::milliseconds limit = 10s) {
    auto end = std::chrono::steady_clock::now() + limit;
    while (!eof_ && std::chrono::steady_clock::now() < end) {
      read_line(std::chrono::duration_cast<std::chrono::milliseconds>(end - std::chrono::steady_clock::now()));
    }
    return eof_;
  }

 private:
  int fd_ = -1;
  bool connected_ = false;
  bool eof_ = false;
  std::string buffer_;
};

inline json result_of(const json& reply) {
  INFO(reply.dump());
  REQUIRE(reply.value("ok", false));
  return reply.at("result");
}

inline std::string error_code_of(const json& reply) {
  INFO(reply.dump());
  REQUIRE_FALSE(reply.value("ok", true));
  return reply.at("error").at("code").get<std::string>();
}

}  // namespace traio::server_test
