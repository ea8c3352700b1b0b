#include "cli/client.hpp"

#include <algorithm>
#include <array>

#include <boost/asio/buffer.hpp>

#include "cli/reply_line.hpp"
#include "cli/socket_transport.hpp"
#include "common/protocol.hpp"

namespace traio::cli {

namespace asio = boost::asio;
using boost::system::error_code;

constexpr std::size_t kReadSize = 128 * 1024;
constexpr std::size_t kSmallLine = 16 * 1024;
constexpr std::size_t kBigLine = 1024 * 1024;

std::string_view to_string(ReplyStatus status) {
  switch (status) {
    case ReplyStatus::Ok: return "ok";
    case ReplyStatus::DaemonError: return "daemon_error";
    case ReplyStatus::Lost: return "lost";
  }
  return "?";
}

Client::Client(asio::io_context& io) : io_(io) {}

Status Client::connect(const std::string& socket_path) {
  auto transport = connect_socket(io_, socket_path);
  if (!transport) return transport.error();
  attach(std::move(*transport));
  return ok_status();
}

void Client::attach(std::unique_ptr<Transport> transport) {
  transport_ = std::move(transport);
  lost_ = false;
}

std::int64_t Client::send(const std::string& op, const nlohmann::json& args, EventFn on_event,
                          ReplyFn on_reply, ResultForm form) {
  const std::int64_t id = next_id_++;
  pending_[id] = Pending{std::move(on_event), std::move(on_reply), form};
  if (lost_ || !transport_) {
    fail_all_pending();
    return id;
  }
  const std::string line = encode_request(Request{id, op, args});
  // Blocking write: requests are small (a tree is at most 1 MiB) and the daemon reads
  // while it writes, so this cannot deadlock against our unread replies.
  const error_code ec = transport_->write_all(asio::buffer(line));
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
  return wait_for(send(op, args, std::move(on_event)));
}

Reply Client::call_for_text(const std::string& op, const nlohmann::json& args) {
  return wait_for(send(op, args, {}, {}, ResultForm::Text));
}

Reply Client::wait_for(std::int64_t id) {
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
  if (lost_ || !transport_) return false;
  std::array<char, kReadSize> chunk;
  bool done = false;
  error_code read_ec;
  std::size_t got = 0;
  transport_->async_read_some(asio::buffer(chunk), [&](error_code ec, std::size_t n) {
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
  // A big reply (ps) comes in many reads: room for it at once rather than by doubling,
  // which copied it and faulted in fresh pages at each step.
  if (const std::size_t need = buffer_.size() + got; need > buffer_.capacity() && need > kSmallLine)
    buffer_.reserve(std::max(kBigLine, 2 * need));
  buffer_.append(chunk.data(), got);
  for (;;) {
    const auto nl = buffer_.find('\n', scanned_);
    if (nl == std::string::npos) {
      scanned_ = buffer_.size();
      break;
    }
    std::string line;
    if (nl + 1 == buffer_.size()) {  // the usual case, one whole line: no copy
      line = std::move(buffer_);
      line.pop_back();
      buffer_.clear();
    } else {
      line = buffer_.substr(0, nl);
      buffer_.erase(0, nl + 1);
    }
    scanned_ = 0;
    dispatch(std::move(line));
  }
  return true;
}

bool Client::dispatch_text(std::string& line) {
  const auto ok = split_ok_reply(line);
  if (!ok) return false;
  auto it = pending_.find(ok->id);
  if (it == pending_.end() || it->second.form != ResultForm::Text) return false;
  // The result is cut out of the line in place: no second half-megabyte buffer.
  const auto begin = static_cast<std::size_t>(ok->result.data() - line.data());
  const std::size_t size = ok->result.size();
  Reply reply;
  reply.status = ReplyStatus::Ok;
  reply.result_text = std::move(line);
  reply.result_text.resize(begin + size);
  reply.result_text.erase(0, begin);
  deliver(ok->id, std::move(reply));
  return true;
}

void Client::dispatch(std::string line) {
  if (dispatch_text(line)) return;
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
    if (auto result = msg.find("result"); result != msg.end()) reply.result = std::move(*result);
    if (reply.result.is_null()) reply.result = nlohmann::json::object();
    // A reply in another shape than split_ok_reply takes: the text is the dump of its result.
    if (it->second.form == ResultForm::Text) {
      reply.result_text = reply.result.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
      reply.result = nullptr;
    }
  } else {
    reply.status = ReplyStatus::DaemonError;
    const auto& err = msg.contains("error") ? msg["error"] : nlohmann::json::object();
    const std::string code = err.value("code", "internal");
    reply.error.code = error_code_from_string(code).value_or(ErrorCode::Internal);
    reply.error.message = err.value("message", code);
  }
  deliver(id, std::move(reply));
}

void Client::deliver(std::int64_t id, Reply reply) {
  auto it = pending_.find(id);
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
