#include "daemon/server/metrics_http.hpp"

#include <stdexcept>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <fmt/format.h>

#include "config/metrics_listen.hpp"
#include "daemon/runners/logger.hpp"
#include "daemon/server/http_request_head.hpp"
#include "daemon/server/socket_setup.hpp"

namespace traio {

namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using asio::local::stream_protocol;

constexpr const char* kTextType = "text/plain; charset=utf-8";

std::string error_body(int status) {
  switch (status) {
    case 404: return "not found: traiod serves /metrics only\n";
    case 405: return "method not allowed: use GET or HEAD\n";
    case 431: return fmt::format("request head larger than {} bytes\n", kMaxRequestHead);
    default: return std::string(reason_phrase(status)) + "\n";
  }
}

tcp::acceptor open_tcp(asio::io_context& io, const MetricsTcp& where) {
  boost::system::error_code ec;
  auto address = asio::ip::make_address(where.host, ec);
  if (ec) throw std::runtime_error(fmt::format("metrics.listen: {}: {}", where.host, ec.message()));
  tcp::endpoint endpoint(address, where.port);
  tcp::acceptor acceptor(io);
  const std::string shown = fmt::format("{}:{}", address.is_v6() ? "[" + where.host + "]" : where.host, where.port);
  if (acceptor.open(endpoint.protocol(), ec); ec)
    throw std::runtime_error(fmt::format("metrics.listen: {}: {}", shown, ec.message()));
  acceptor.set_option(asio::socket_base::reuse_address(true), ec);  // a restart while old connections linger
  if (acceptor.bind(endpoint, ec); ec)
    throw std::runtime_error(fmt::format("metrics.listen: cannot bind {}: {}", shown, ec.message()));
  if (acceptor.listen(asio::socket_base::max_listen_connections, ec); ec)
    throw std::runtime_error(fmt::format("metrics.listen: cannot listen on {}: {}", shown, ec.message()));
  return acceptor;
}

void log_crash(std::exception_ptr crash) {
  if (crash) log(LogLevel::Error, "metrics: the listener stopped on an exception; no new connections");
}

}  // namespace

MetricsHttp::MetricsHttp(asio::io_context& io, MetricsService& metrics) : io_(io), metrics_(metrics) {}

MetricsHttp::~MetricsHttp() { stop(); }

void MetricsHttp::start(const std::string& listen) {
  auto parsed = parse_metrics_listen(listen);
  if (!parsed) throw std::runtime_error("metrics.listen: " + parsed.error().message);
  if (auto* where = std::get_if<MetricsTcp>(&*parsed)) {
    tcp_.emplace(open_tcp(io_, *where));
    const auto bound = tcp_->local_endpoint();
    where_ = fmt::format("http://{}/metrics", bound.address().is_v6()
                                                   ? fmt::format("[{}]:{}", bound.address().to_string(), bound.port())
                                                   : fmt::format("{}:{}", bound.address().to_string(), bound.port()));
    asio::co_spawn(io_, accept_loop(*tcp_), log_crash);
    return;
  }
  // The socket's directory and stale file are handled as for the control socket; 0660 so
  // that only the daemon's user and group can scrape it.
  DaemonConfig::Socket socket{std::get<MetricsUnix>(*parsed).path, 0660, ""};
  try {
    unix_.emplace(open_listener(io_, socket));
  } catch (const std::runtime_error& e) {
    throw std::runtime_error(std::string("metrics.listen: ") + e.what());
  }
  unix_path_ = socket.path;
  where_ = socket.path;
  asio::co_spawn(io_, accept_loop(*unix_), log_crash);
}

void MetricsHttp::stop() {
  if (stopped_) return;
  stopped_ = true;
  boost::system::error_code ignored;
  if (tcp_) tcp_->close(ignored);
  if (unix_) {
    unix_->close(ignored);
    remove_socket_file(unix_path_);
  }
  auto clients = std::move(clients_);
  for (auto& [id, close] : clients) close();
}

template <class Acceptor>
asio::awaitable<void> MetricsHttp::accept_loop(Acceptor& acceptor) {
  asio::steady_timer backoff(io_);
  while (!stopped_) {
    auto [ec, socket] = co_await acceptor.async_accept(asio::as_tuple(asio::use_awaitable));
    if (stopped_ || ec == asio::error::operation_aborted) co_return;
    if (ec) {
      // EMFILE and the like: the connection stays queued; wait rather than spin on it.
      log(LogLevel::Warning, "metrics: accept failed: {}", ec.message());
      backoff.expires_after(std::chrono::milliseconds(100));
      co_await backoff.async_wait(asio::as_tuple(asio::use_awaitable));
      continue;
    }
    admit(std::move(socket));
  }
}

template <class Socket>
void MetricsHttp::admit(Socket socket) {
  if (clients_.size() >= kMaxClients) {
    boost::system::error_code ignored;
    socket.close(ignored);  // the scraper retries; a flood gets nothing but closed sockets
    return;
  }
  auto shared = std::make_shared<Socket>(std::move(socket));
  const std::uint64_t id = next_client_++;
  clients_.emplace(id, [weak = std::weak_ptr<Socket>(shared)] {
    boost::system::error_code ignored;
    if (auto s = weak.lock()) s->close(ignored);
  });
  asio::co_spawn(io_, serve(shared), [this, id](std::exception_ptr crash) {
    clients_.erase(id);
    if (crash) log(LogLevel::Error, "metrics: a connection ended on an exception");
  });
}

template <class Socket>
asio::awaitable<void> MetricsHttp::serve(std::shared_ptr<Socket> socket) {
  // One deadline for the whole exchange: a client that sends slowly or never reads is
  // closed, which ends the read or write below with an error.
  asio::steady_timer deadline(io_, kClientTimeout);
  deadline.async_wait([weak = std::weak_ptr<Socket>(socket)](boost::system::error_code ec) {
    boost::system::error_code ignored;
    if (auto s = weak.lock(); s && !ec) s->close(ignored);
  });
  std::string head;
  HttpAnswer answer;
  char chunk[2048];
  for (;;) {
    auto [ec, n] = co_await socket->async_read_some(asio::buffer(chunk), asio::as_tuple(asio::use_awaitable));
    if (ec) co_return;  // gone, timed out, or the daemon stops
    head.append(chunk, n);
    if (auto end = find_head_end(head); end && *end <= kMaxRequestHead) {
      answer = judge_request_head(std::string_view(head).substr(0, *end));
      break;
    }
    if (head.size() > kMaxRequestHead) {
      answer = HttpAnswer{431};
      break;
    }
  }
  head = std::string();
  std::string response;
  if (answer.status == 200) {
    std::string body = co_await metrics_.scrape(std::nullopt);
    response = http_response(answer, kPrometheusContentType, body);
  } else {
    response = http_response(answer, kTextType, error_body(answer.status));
  }
  auto [ec, n] = co_await asio::async_write(*socket, asio::buffer(response), asio::as_tuple(asio::use_awaitable));
  (void)n;
  boost::system::error_code ignored;
  if (!ec) {
    // Closing with unread bytes would reset the connection, and the client could lose the
    // answer (a 431 most of all): read until it closes, bounded by the deadline.
    socket->shutdown(Socket::shutdown_send, ignored);
    for (;;) {
      auto [read_ec, read] = co_await socket->async_read_some(asio::buffer(chunk), asio::as_tuple(asio::use_awaitable));
      (void)read;
      if (read_ec) break;
    }
  }
  socket->close(ignored);
  deadline.cancel();
}

}  // namespace traio
