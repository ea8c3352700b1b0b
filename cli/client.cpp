#include "cli/client.hpp"

#include <array>

#include <boost/asio/buffer.hpp>
#include <boost/asio/write.hpp>

#include "common/protocol.hpp"

namespace traio::cli {

namespace asio = boost::asio;
using boost::system::error_code;

std::string_view to_string(ReplyStatus status) {
  switch (status) {
    case ReplyStatus::Ok: return "ok";
    case ReplyStatus::DaemonError: return "daemon_error";
    case ReplyStatus::Lost: return "lost";
  }
  return "?";
}

Client::Client(asio::io_context& io) : io_(io), socket_(io) {}

Status Client::connect(const std::string& socket_path) {
  error_code ec;
  // The endpoint constructor throws when the path does not fit in sun_path.
  if (socket_path.size() >= sizeof(sockaddr_un::sun_path))
    return Error{ErrorCode::Internal, "socket path is too long"};
  socket_.connect(asio::local::stream_protocol::endpoint(socket_path), ec);
  if (ec) return Error{ErrorCode::Internal, ec.message()};
  return ok_status();
}

std::int64_t Client::send(const std::string& op, const nlohmann::json& args, EventFn on_event,
                          ReplyFn on_reply) {
  const std::int64_t id = next_id_++;
  pending_[id] = Pending{std::move(on_event), std::move(on_reply)};
  if (lost_) {
    fail_all_pending();
    return id;
  }
  const std::string line = encode_request(Request{id, op, args});
  error_code ec;
  // Blocking write: requests are small (a tree is at most 1 MiB) and the daemon reads
  // while it writes, so this cannot deadlock against our unread replies.
  asio::write(socket_, asio::buffer(line), ec);
  // A failed write (EPIPE) is not yet a lost connection: a daemon that refused it (over
  // limits.connections) has sent its reason first, as an id 0 error that the reader finds
  // before the end of the stream.
  if (ec && ec != asio::error::broken_pipe && ec != asio::error::connection_reset) {
    lost_ = true;
    fail_all_pending();
  }
  return id;
}

Reply Client::call(const std::string& op, const nlohmann::json& args, EventFn on_event) {
  const std::int64_t id = send(op, args, std::move(on_event));
  for (;;) {
    if (auto it = replies_.find(id); it != replies_.end()) {
      Reply reply = std::move(it->second);
      replies_.erase(it);
      return reply;
    }
    if (!read_more()) {
      fail_all_pending();
    }
  }
}

// Runs the loop until some bytes arrive (other handlers, like signals and timers, run
// meanwhile), then dispatches every complete line.
bool Client::read_more() {
  if (lost_) return false;
  std::array<char, 65536> chunk;
  bool done = false;
  error_code read_ec;
  std::size_t got = 0;
  socket_.async_read_some(asio::buffer(chunk), [&](error_code ec, std::size_t n) {
    read_ec = ec;
    got = n;
    done = true;
  });
  while (!done) {
    if (io_.run_one() == 0) io_.restart();
  }
  if (read_ec) {
    lost_ = true;
    return false;
  }
  buffer_.append(chunk.data(), got);
  for (;;) {
    const auto nl = buffer_.find('\n', scanned_);
    if (nl == std::string::npos) {
      scanned_ = buffer_.size();
      break;
    }
    std::string line = buffer_.substr(0, nl);
    buffer_.erase(0, nl + 1);
    scanned_ = 0;
    dispatch(line);
  }
  return true;
}

void Client::dispatch(const std::string& line) {
  auto msg = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (!msg.is_object() || !msg.contains("id") || !msg["id"].is_number_integer()) return;
  const auto id = msg["id"].get<std::int64_t>();
  if (id == 0 && msg.contains("error")) {  // about the connection, not one request: all fail
    Reply refused;
    refused.status = ReplyStatus::DaemonError;
    const std::string code = msg["error"].value("code", "internal");
    refused.error.code = error_code_from_string(code).value_or(ErrorCode::Internal);
    refused.error.message = msg["error"].value("message", code);
    fail_all_pending(refused);
    return;
  }
  auto it = pending_.find(id);
  if (it == pending_.end()) return;  // a reply we no longer care about
  if (auto ev = msg.find("event"); ev != msg.end()) {
    if (it->second.on_event) it->second.on_event(*ev);
    return;
  }
  Reply reply;
  if (msg.value("ok", false)) {
    reply.status = ReplyStatus::Ok;
    reply.result = msg.contains("result") ? msg["result"] : nlohmann::json::object();
  } else {
    reply.status = ReplyStatus::DaemonError;
    const auto& err = msg.contains("error") ? msg["error"] : nlohmann::json::object();
    const std::string code = err.value("code", "internal");
    reply.error.code = error_code_from_string(code).value_or(ErrorCode::Internal);
    reply.error.message = err.value("message", code);
  }
  ReplyFn on_reply = std::move(it->second.on_reply);
  pending_.erase(it);
  if (on_reply) {
    on_reply(reply);
  } else {
    replies_[id] = std::move(reply);
  }
}

// The connection is gone: every request still waiting gets a Lost reply (or the daemon's
// error about the connection).
void Client::fail_all_pending(const Reply& with) {
  auto pending = std::move(pending_);
  pending_.clear();
  for (auto& [id, p] : pending) {
    Reply lost = with;
    if (p.on_reply) {
      p.on_reply(lost);
    } else {
      replies_[id] = lost;
    }
  }
}

}  // namespace traio::cli
