#include "daemon/server/server.hpp"

#include <sys/socket.h>

#include <stdexcept>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <fmt/format.h>

#include "common/protocol.hpp"
#include "daemon/runners/logger.hpp"
#include "daemon/server/socket_setup.hpp"
#include "daemon/server/systemd.hpp"

namespace traio {
namespace {

namespace asio = boost::asio;

// SPEC §5: nodes created on a connection belong to its peer's uid.
std::optional<Uid> peer_uid(asio::local::stream_protocol::socket& socket) {
  ucred cred{};
  socklen_t len = sizeof cred;
  if (::getsockopt(socket.native_handle(), SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) return std::nullopt;
  return static_cast<Uid>(cred.uid);
}

}  // namespace

Server::Server(ServerContext& context) : context_(context), stop_timer_(context.io) {}

void Server::start() {
  if (auto fd = activated_socket_fd()) {
    boost::system::error_code ec;
    acceptor_.emplace(context_.io);
    if (acceptor_->assign(asio::local::stream_protocol(), *fd, ec); ec)
      throw std::runtime_error(fmt::format("socket from systemd (fd {}): {}", *fd, ec.message()));
    socket_activated_ = true;
  } else {
    acceptor_.emplace(open_listener(context_.io, context_.config.socket));
  }
  asio::co_spawn(context_.io, accept_loop(), [](std::exception_ptr crash) {
    if (crash) log(LogLevel::Error, "the acceptor stopped on an exception; no new connections");
  });
}

asio::awaitable<void> Server::accept_loop() {
  asio::steady_timer backoff(context_.io);
  bool failing = false;  // logged once per episode, not ten times a second
  while (acceptor_ && acceptor_->is_open()) {
    auto [ec, socket] = co_await acceptor_->async_accept(asio::as_tuple(asio::use_awaitable));
    if (stopping_ || ec == asio::error::operation_aborted) co_return;
    if (ec) {
      // EMFILE/ENFILE and the like: the pending connection stays queued, so wait a little
      // instead of spinning on the same error.
      if (!failing) log(LogLevel::Warning, "accept failed: {}; retrying every 100 ms", ec.message());
      failing = true;
      backoff.expires_after(std::chrono::milliseconds(100));
      co_await backoff.async_wait(asio::as_tuple(asio::use_awaitable));
      continue;
    }
    if (failing) log(LogLevel::Info, "accepting connections again");
    failing = false;
    admit(std::move(socket));
  }
}

void Server::admit(Socket socket) {
  if (sessions_.size() >= context_.config.limits.connections) {
    refuse(std::move(socket), {ErrorCode::LimitExceeded,
                               fmt::format("too many connections (limit {})", context_.config.limits.connections)});
    return;
  }
  auto uid = peer_uid(socket);
  if (!uid) {
    refuse(std::move(socket), {ErrorCode::Internal, "cannot read the peer's credentials"});
    return;
  }
  auto session = std::make_shared<Session>(std::move(socket), context_, *uid);
  const auto key = next_key_++;
  sessions_.emplace(key, session);
  session->start([this, key] { on_session_closed(key); });
}

void Server::refuse(Socket socket, Error why) {
  log(LogLevel::Warning, "refusing a connection: {}", why.message);
  auto held = std::make_shared<Socket>(std::move(socket));
  auto line = std::make_shared<std::string>(encode_error(0, why));
  // The socket closes when the write is done (or failed): `held` is its last owner.
  asio::async_write(*held, asio::buffer(*line), [held, line](boost::system::error_code, std::size_t) {});
}

void Server::on_session_closed(std::uint64_t key) {
  sessions_.erase(key);
  maybe_stopped();
}

void Server::stop(std::function<void()> on_closed) {
  if (stopping_) return;
  stopping_ = true;
  on_stopped_ = std::move(on_closed);
  if (acceptor_) {
    boost::system::error_code ignored;
    acceptor_->close(ignored);
  }
  // Copied: stopping a session may close it at once, which erases it from sessions_.
  auto sessions = sessions_;
  for (auto& [key, weak] : sessions)
    if (auto s = weak.lock()) s->stop();
  stop_timer_.expires_after(kStopGrace);
  stop_timer_.async_wait([this](boost::system::error_code ec) {
    if (ec) return;
    auto left = sessions_;
    for (auto& [key, weak] : left)
      if (auto s = weak.lock()) s->close();  // a client that does not read its last replies
  });
  maybe_stopped();
}

void Server::maybe_stopped() {
  if (!stopping_ || !sessions_.empty() || !on_stopped_) return;
  stop_timer_.cancel();
  auto done = std::move(on_stopped_);
  on_stopped_ = nullptr;
  done();
}

}  // namespace traio
