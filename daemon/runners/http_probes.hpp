#pragma once
// The `ready.http` probe (SPEC §6): a GET of a local URL (config/http_url.hpp) every
// `interval` until one answers with a 2xx status. Each attempt is one HTTP/1.1 request on a
// fresh connection ("Connection: close"); only the status line is read (at most
// kMaxStatusLine bytes: a server that sends more without a line end is a bad answer), so a
// probe holds no more than a socket, a timer and a small buffer. An attempt that gets no
// status line within max(interval, 2 s) is cut and counts as a failure. "localhost" is
// tried as 127.0.0.1, then ::1, without a resolver.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>

#include <boost/asio/io_context.hpp>

#include "common/duration.hpp"
#include "daemon/core/node_id.hpp"

namespace traio {

inline constexpr std::size_t kMaxStatusLine = 1024;

class HttpProbes {
 public:
  using OnReady = std::function<void(NodeId)>;

  HttpProbes(boost::asio::io_context& io, OnReady on_ready);
  ~HttpProbes();
  HttpProbes(const HttpProbes&) = delete;
  HttpProbes& operator=(const HttpProbes&) = delete;

  // Polls `url` (checked at submit) for `id`. on_ready(id) runs on the loop, never from
  // inside start(). Starting an id that polls already replaces its probe.
  void start(NodeId id, const std::string& url, Duration interval);
  // Ends a probe at once without calling on_ready. Returns whether one was running.
  bool cancel(NodeId id);
  // What the last attempt saw: "GET http://127.0.0.1:8080/: HTTP/1.0 503 Service Unavailable".
  std::string last_error(NodeId id) const;

  std::size_t running() const { return probes_.size(); }

 private:
  struct Probe;

  void attempt(NodeId id, Probe& probe);
  void connect(NodeId id, Probe& probe, std::size_t endpoint);
  void send_request(NodeId id, Probe& probe);
  void read_status(NodeId id, Probe& probe);
  void on_status_line(NodeId id, Probe& probe, const std::string& line);
  void retry_later(NodeId id, Probe& probe);
  Probe* current(NodeId id, std::uint64_t serial, std::uint64_t step);

  boost::asio::io_context& io_;
  OnReady on_ready_;
  std::unordered_map<NodeId, std::unique_ptr<Probe>> probes_;
  std::uint64_t next_serial_ = 0;
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);
};

// The status code of an HTTP/1.x status line ("HTTP/1.1 204 No Content" -> 204), or 0 when
// `line` is not one.
int http_status_code(std::string_view line);

}  // namespace traio
