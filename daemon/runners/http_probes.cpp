#include "daemon/runners/http_probes.hpp"

#include <algorithm>
#include <array>
#include <vector>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <fmt/format.h>

#include "config/http_url.hpp"

namespace traio {

namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

constexpr Duration kMinAttemptLimit = std::chrono::seconds(2);
constexpr Duration kMinInterval = std::chrono::milliseconds(10);

// What a status line may show in a message: printable ASCII only, the job chose the bytes.
std::string printable(std::string_view text) {
  std::string out;
  for (char c : text.substr(0, 200)) out += (c >= 0x20 && c < 0x7f) ? c : '?';
  return out;
}

}  // namespace

int http_status_code(std::string_view line) {
  if (line.size() < 12 || line.substr(0, 7) != "HTTP/1." || line[8] != ' ') return 0;
  int code = 0;
  for (char c : line.substr(9, 3)) {
    if (c < '0' || c > '9') return 0;
    code = code * 10 + (c - '0');
  }
  if (line.size() > 12 && line[12] != ' ') return 0;
  return code >= 100 && code <= 999 ? code : 0;
}

struct HttpProbes::Probe {
  explicit Probe(asio::io_context& io) : socket(io), timer(io) {}

  std::uint64_t serial = 0;
  std::uint64_t step = 0;  // each connect, write, read and wait is a step
  std::string url;
  HttpUrl parsed;
  std::string request;
  Duration interval{};
  std::vector<tcp::endpoint> endpoints;
  tcp::socket socket;
  asio::steady_timer timer;  // cuts an attempt that hangs, then spaces the attempts
  std::array<char, 256> buffer{};
  std::string response;  // what came of the status line so far, at most kMaxStatusLine bytes
  std::string last_error;
};

HttpProbes::HttpProbes(asio::io_context& io, OnReady on_ready) : io_(io), on_ready_(std::move(on_ready)) {}

HttpProbes::~HttpProbes() = default;

void HttpProbes::start(NodeId id, const std::string& url, Duration interval) {
  cancel(id);
  auto owned = std::make_unique<Probe>(io_);
  Probe& probe = *owned;
  probe.serial = ++next_serial_;
  probe.url = url;
  probe.interval = std::max(interval, kMinInterval);
  probe.last_error = fmt::format("GET {}: no answer yet", url);
  probes_[id] = std::move(owned);
  auto parsed = parse_local_http_url(url);
  if (!parsed) {  // submission checks URLs; should one get here, the probe waits for its timeout
    probe.last_error = parsed.error().message;
    return;
  }
  probe.parsed = std::move(*parsed);
  probe.request = fmt::format("GET {} HTTP/1.1\r\nHost: {}\r\nUser-Agent: traiod\r\nAccept: */*\r\nConnection: close\r\n\r\n",
                              probe.parsed.target, probe.parsed.host_header);
  if (probe.parsed.host == "localhost") {
    probe.endpoints = {tcp::endpoint(asio::ip::address_v4::loopback(), probe.parsed.port),
                       tcp::endpoint(asio::ip::address_v6::loopback(), probe.parsed.port)};
  } else {
    probe.endpoints = {tcp::endpoint(asio::ip::make_address(probe.parsed.host), probe.parsed.port)};
  }
  ++probe.step;
  asio::post(io_, [this, id, serial = probe.serial, step = probe.step, alive = std::weak_ptr<int>(alive_)] {
    if (alive.expired()) return;
    if (Probe* p = current(id, serial, step)) attempt(id, *p);
  });
}

bool HttpProbes::cancel(NodeId id) { return probes_.erase(id) > 0; }

std::string HttpProbes::last_error(NodeId id) const {
  auto it = probes_.find(id);
  return it == probes_.end() ? std::string() : it->second->last_error;
}

HttpProbes::Probe* HttpProbes::current(NodeId id, std::uint64_t serial, std::uint64_t step) {
  auto it = probes_.find(id);
  if (it == probes_.end() || it->second->serial != serial || it->second->step != step) return nullptr;
  return it->second.get();
}

// One limit for the whole attempt (every endpoint, the request and the status line).
void HttpProbes::attempt(NodeId id, Probe& probe) {
  const Duration limit = std::max(probe.interval, kMinAttemptLimit);
  probe.timer.expires_after(limit);
  probe.timer.async_wait([this, id, serial = probe.serial, limit, alive = std::weak_ptr<int>(alive_)](
                             boost::system::error_code ec) {
    if (alive.expired() || ec == asio::error::operation_aborted) return;
    auto it = probes_.find(id);
    if (it == probes_.end() || it->second->serial != serial) return;
    Probe& p = *it->second;
    p.last_error = fmt::format("GET {}: no status line within {}", p.url, format_duration(limit));
    retry_later(id, p);  // closes the socket: what is pending is aborted
  });
  connect(id, probe, 0);
}

void HttpProbes::connect(NodeId id, Probe& probe, std::size_t endpoint) {
  ++probe.step;
  boost::system::error_code ignored;
  probe.socket.close(ignored);
  if (endpoint >= probe.endpoints.size()) {
    retry_later(id, probe);
    return;
  }
  const tcp::endpoint target = probe.endpoints[endpoint];
  boost::system::error_code error;
  probe.socket.open(target.protocol(), error);
  if (error) {
    probe.last_error = fmt::format("GET {}: cannot open a socket: {}", probe.url, error.message());
    retry_later(id, probe);
    return;
  }
  probe.socket.async_connect(target, [this, id, serial = probe.serial, step = probe.step, endpoint,
                                      alive = std::weak_ptr<int>(alive_)](boost::system::error_code ec) {
    if (alive.expired()) return;
    Probe* p = current(id, serial, step);
    if (!p) return;
    if (ec) {
      p->last_error = fmt::format("GET {}: connect: {}", p->url, ec.message());
      connect(id, *p, endpoint + 1);
      return;
    }
    send_request(id, *p);
  });
}

void HttpProbes::send_request(NodeId id, Probe& probe) {
  ++probe.step;
  asio::async_write(probe.socket, asio::buffer(probe.request),
                    [this, id, serial = probe.serial, step = probe.step, alive = std::weak_ptr<int>(alive_)](
                        boost::system::error_code ec, std::size_t) {
                      if (alive.expired()) return;
                      Probe* p = current(id, serial, step);
                      if (!p) return;
                      if (ec) {
                        p->last_error = fmt::format("GET {}: sending the request: {}", p->url, ec.message());
                        retry_later(id, *p);
                        return;
                      }
                      p->response.clear();
                      read_status(id, *p);
                    });
}

void HttpProbes::read_status(NodeId id, Probe& probe) {
  ++probe.step;
  probe.socket.async_read_some(
      asio::buffer(probe.buffer),
      [this, id, serial = probe.serial, step = probe.step, alive = std::weak_ptr<int>(alive_)](
          boost::system::error_code ec, std::size_t bytes) {
        if (alive.expired()) return;
        Probe* p = current(id, serial, step);
        if (!p) return;
        p->response.append(p->buffer.data(), std::min(bytes, kMaxStatusLine - p->response.size()));
        if (auto end = p->response.find('\n'); end != std::string::npos) {
          std::string line = p->response.substr(0, end);
          if (!line.empty() && line.back() == '\r') line.pop_back();
          on_status_line(id, *p, line);
          return;
        }
        if (ec || p->response.size() >= kMaxStatusLine) {
          p->last_error = ec == asio::error::eof || !ec
                              ? fmt::format("GET {}: no HTTP status line in the answer ('{}')", p->url,
                                            printable(p->response))
                              : fmt::format("GET {}: reading the answer: {}", p->url, ec.message());
          retry_later(id, *p);
          return;
        }
        read_status(id, *p);
      });
}

void HttpProbes::on_status_line(NodeId id, Probe& probe, const std::string& line) {
  const int code = http_status_code(line);
  if (code >= 200 && code <= 299) {
    probes_.erase(id);  // closes the socket: the rest of the answer is not read
    on_ready_(id);
    return;
  }
  probe.last_error = code == 0 ? fmt::format("GET {}: not an HTTP status line: '{}'", probe.url, printable(line))
                               : fmt::format("GET {}: {}", probe.url, printable(line));
  retry_later(id, probe);
}

void HttpProbes::retry_later(NodeId id, Probe& probe) {
  ++probe.step;
  boost::system::error_code ignored;
  probe.socket.close(ignored);
  probe.timer.expires_after(probe.interval);
  probe.timer.async_wait([this, id, serial = probe.serial, step = probe.step,
                          alive = std::weak_ptr<int>(alive_)](boost::system::error_code ec) {
    if (alive.expired() || ec == asio::error::operation_aborted) return;
    if (Probe* p = current(id, serial, step)) attempt(id, *p);
  });
}

}  // namespace traio
