#include "daemon/runners/tcp_waits.hpp"

#include <algorithm>
#include <optional>
#include <vector>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <fmt/format.h>

#include "config/tcp_address.hpp"

namespace traio {

namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

constexpr Duration kMinAttemptLimit = std::chrono::seconds(1);
// Below this a refused loopback connect would keep the loop busy (config asks for more).
constexpr Duration kMinInterval = std::chrono::milliseconds(10);
// Attempts per loop turn: each costs a socket, a connect and epoll bookkeeping (tens of us),
// so a turn stays within a few milliseconds.
constexpr int kAttemptsPerTurn = 64;

std::string format_endpoint(const tcp::endpoint& endpoint) {
  const auto address = endpoint.address();
  if (address.is_v6()) return fmt::format("[{}]:{}", address.to_string(), endpoint.port());
  return fmt::format("{}:{}", address.to_string(), endpoint.port());
}

}  // namespace

struct TcpWaits::Wait {
  explicit Wait(asio::io_context& io) : socket(io), timer(io) {}

  std::uint64_t serial = 0;
  std::uint64_t step = 0;  // each attempt and each wait between them is a step
  std::string address;     // as the user wrote it
  std::string host;
  std::uint16_t port = 0;
  std::optional<asio::ip::address> ip;  // the host when it is numeric: no resolution
  Duration interval{};
  tcp::socket socket;
  asio::steady_timer timer;  // cuts an attempt that hangs, then spaces the attempts
  // Only for host names. Asio runs getaddrinfo on an internal thread of its own (the only
  // thread besides the loop: the C library offers no asynchronous resolution); the result
  // comes back to the loop as an ordinary completion.
  std::unique_ptr<tcp::resolver> resolver;
  std::vector<tcp::endpoint> endpoints;
  std::string last_error;

  std::string target(const tcp::endpoint& endpoint) const {
    if (ip) return format_endpoint(endpoint);
    return fmt::format("{} ({})", address, format_endpoint(endpoint));
  }
};

TcpWaits::TcpWaits(asio::io_context& io, OnConnected on_connected)
    : io_(io), on_connected_(std::move(on_connected)) {}

TcpWaits::~TcpWaits() = default;  // closing the sockets aborts what is pending

void TcpWaits::start(NodeId id, const std::string& address, Duration interval) {
  cancel(id);
  auto wait = std::make_unique<Wait>(io_);
  wait->serial = ++next_serial_;
  wait->address = address;
  wait->interval = std::max(interval, kMinInterval);
  wait->last_error = fmt::format("connect {}: no answer yet", address);
  Wait& w = *wait;
  waits_[id] = std::move(wait);
  auto parsed = parse_tcp_address(address);
  if (!parsed) {
    // Submission checks addresses; should one get here, the wait waits for its timeout.
    w.last_error = parsed.error().message;
    return;
  }
  w.host = parsed->host;
  w.port = parsed->port;
  boost::system::error_code not_numeric;
  auto ip = asio::ip::make_address(w.host, not_numeric);
  if (!not_numeric) w.ip = ip;
  attempt_soon(id, w);  // on the loop, so on_connected never runs inside start()
}

bool TcpWaits::cancel(NodeId id) {
  return waits_.erase(id) > 0;  // closes the socket, cancels the timer and the resolution
}

std::string TcpWaits::last_error(NodeId id) const {
  auto it = waits_.find(id);
  return it == waits_.end() ? std::string() : it->second->last_error;
}

TcpWaits::Wait* TcpWaits::current(NodeId id, std::uint64_t serial, std::uint64_t step) {
  auto it = waits_.find(id);
  if (it == waits_.end() || it->second->serial != serial || it->second->step != step) return nullptr;
  return it->second.get();
}

void TcpWaits::attempt_soon(NodeId id, Wait& wait) {
  ++wait.step;
  due_.push_back({id, wait.serial, wait.step});
  if (making_attempts_) return;
  making_attempts_ = true;
  asio::post(io_, [this, alive = std::weak_ptr<int>(alive_)] {
    if (!alive.expired()) make_due_attempts();
  });
}

void TcpWaits::make_due_attempts() {
  for (int made = 0; made < kAttemptsPerTurn && !due_.empty(); ++made) {
    Due due = due_.front();
    due_.pop_front();
    if (Wait* w = current(due.id, due.serial, due.step)) attempt(due.id, *w);  // else cancelled meanwhile
  }
  if (due_.empty()) {
    making_attempts_ = false;
    return;
  }
  asio::post(io_, [this, alive = std::weak_ptr<int>(alive_)] {  // behind what else is ready
    if (!alive.expired()) make_due_attempts();
  });
}

void TcpWaits::attempt(NodeId id, Wait& wait) {
  if (wait.ip) {
    wait.endpoints.assign(1, tcp::endpoint(*wait.ip, wait.port));
    connect(id, wait, 0);
    return;
  }
  ++wait.step;
  if (!wait.resolver) wait.resolver = std::make_unique<tcp::resolver>(io_);
  wait.resolver->async_resolve(
      wait.host, std::to_string(wait.port),
      [this, id, serial = wait.serial, step = wait.step, alive = std::weak_ptr<int>(alive_)](
          boost::system::error_code ec, tcp::resolver::results_type results) {
        if (alive.expired()) return;
        Wait* w = current(id, serial, step);
        if (!w) return;
        if (ec || results.empty()) {
          w->last_error = fmt::format("resolve {}: {}", w->host, ec ? ec.message() : "no address");
          retry_later(id, *w);
          return;
        }
        w->endpoints.clear();
        for (const auto& entry : results) w->endpoints.push_back(entry.endpoint());
        connect(id, *w, 0);
      });
}

// Tries the endpoints in turn; each gets its own socket, closed before the next.
void TcpWaits::connect(NodeId id, Wait& wait, std::size_t endpoint) {
  ++wait.step;
  boost::system::error_code ignored;
  wait.socket.close(ignored);
  if (endpoint >= wait.endpoints.size()) {
    retry_later(id, wait);
    return;
  }
  const tcp::endpoint target = wait.endpoints[endpoint];
  boost::system::error_code error;
  wait.socket.open(target.protocol(), error);
  if (error) {  // EMFILE, most likely: try again later, like a refused connect
    wait.last_error = fmt::format("connect {}: cannot open a socket: {}", wait.target(target), error.message());
    retry_later(id, wait);
    return;
  }
  const Duration limit = std::max(wait.interval, kMinAttemptLimit);
  wait.timer.expires_after(limit);
  wait.timer.async_wait([this, id, serial = wait.serial, step = wait.step, endpoint, limit,
                         alive = std::weak_ptr<int>(alive_)](boost::system::error_code ec) {
    if (alive.expired() || ec == asio::error::operation_aborted) return;
    Wait* w = current(id, serial, step);
    if (!w) return;
    w->last_error = fmt::format("connect {}: no answer within {}", w->target(w->endpoints[endpoint]),
                                format_duration(limit));
    connect(id, *w, endpoint + 1);  // closes the socket: the pending connect is aborted
  });
  wait.socket.async_connect(target, [this, id, serial = wait.serial, step = wait.step, endpoint,
                                     alive = std::weak_ptr<int>(alive_)](boost::system::error_code ec) {
    if (alive.expired()) return;
    Wait* w = current(id, serial, step);
    if (!w) return;
    if (!ec) {
      waits_.erase(id);  // closes the socket: the connect was all we wanted
      on_connected_(id);
      return;
    }
    w->last_error = fmt::format("connect {}: {}", w->target(w->endpoints[endpoint]), ec.message());
    connect(id, *w, endpoint + 1);
  });
}

void TcpWaits::retry_later(NodeId id, Wait& wait) {
  ++wait.step;
  boost::system::error_code ignored;
  wait.socket.close(ignored);
  wait.timer.expires_after(wait.interval);
  wait.timer.async_wait([this, id, serial = wait.serial, step = wait.step,
                         alive = std::weak_ptr<int>(alive_)](boost::system::error_code ec) {
    if (alive.expired() || ec == asio::error::operation_aborted) return;
    if (Wait* w = current(id, serial, step)) attempt_soon(id, *w);
  });
}

}  // namespace traio
