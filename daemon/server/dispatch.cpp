#include "daemon/server/dispatch.hpp"

#include <exception>

#include <boost/asio/co_spawn.hpp>

#include "common/request_line.hpp"
#include "daemon/runners/logger.hpp"
#include "daemon/server/op_call.hpp"

namespace traio {
namespace {

namespace asio = boost::asio;

// A query changes nothing: its only effect is its reply.
enum class OpKind { Acts, Query };

struct OpEntry {
  std::string_view name;
  SyncOp sync;
  AsyncOp async;
  OpKind kind;
  TextOp text = nullptr;
};

constexpr OpEntry kOps[] = {
    {"ping", op_ping, nullptr, OpKind::Query},
    {"version", op_version, nullptr, OpKind::Query},
    {"shutdown", op_shutdown, nullptr, OpKind::Acts},
    {"spawn", op_spawn, nullptr, OpKind::Acts},
    {"fork", op_fork, nullptr, OpKind::Acts},
    {"submit", op_submit, nullptr, OpKind::Acts},
    {"finalize", op_finalize, nullptr, OpKind::Acts},
    {"cancel", op_cancel, nullptr, OpKind::Acts},
    {"timeout", op_timeout, nullptr, OpKind::Acts},
    {"limit", op_limit, nullptr, OpKind::Acts},
    {"scale", op_scale, nullptr, OpKind::Acts},
    {"pause", op_pause, nullptr, OpKind::Acts},
    {"resume", op_resume, nullptr, OpKind::Acts},
    {"restart", op_restart, nullptr, OpKind::Acts},
    {"retry", op_retry, nullptr, OpKind::Acts},
    {"ps", nullptr, nullptr, OpKind::Query, op_ps},
    {"inspect", nullptr, nullptr, OpKind::Query, op_inspect},
    {"logs", nullptr, op_logs, OpKind::Query},
    {"wait", nullptr, op_wait, OpKind::Acts},  // --claim claims the outcome
    {"events", nullptr, op_events, OpKind::Query},
    {"signal", op_signal, nullptr, OpKind::Acts},
    {"metrics", nullptr, op_metrics, OpKind::Query},
    {"stats", op_stats, nullptr, OpKind::Query},
};

void reply(Session& session, std::int64_t id, const OpResult& result) {
  session.send(result ? encode_ok(id, *result) : encode_error(id, result.error()));
}

std::string describe(std::exception_ptr crash) {
  try {
    std::rethrow_exception(crash);
  } catch (const std::exception& e) {
    return e.what();
  } catch (...) {
    return "unknown exception";
  }
}

asio::awaitable<void> run_async(AsyncOp op, OpCall call) {
  auto session = call.session;
  auto id = call.request.id;
  OpResult result = co_await op(std::move(call));
  reply(*session, id, result);
}

// The reply line is built in place: head, the op's result text, tail, one send.
void run_text_op(const OpEntry& entry, OpCall& call) {
  std::string line = encode_ok_head(call.request.id);
  Status done = Error{};
  try {
    done = entry.text(call, line);
  } catch (const std::exception& e) {  // a bug: answer it rather than take the daemon down
    log(LogLevel::Error, "op {} failed: {}", entry.name, e.what());
    done = Error{ErrorCode::Internal, e.what()};
  }
  if (!done) {
    call.session->send(encode_error(call.request.id, done.error()));
    return;
  }
  line += kOkReplyTail;
  call.session->send(std::move(line));
}

void run_op(const OpEntry& entry, OpCall call) {
  if (entry.text != nullptr) {
    run_text_op(entry, call);
    return;
  }
  if (entry.sync != nullptr) {
    OpResult result = Error{};
    try {
      result = entry.sync(call);
    } catch (const std::exception& e) {  // a bug: answer it rather than take the daemon down
      log(LogLevel::Error, "op {} failed: {}", entry.name, e.what());
      result = Error{ErrorCode::Internal, e.what()};
    }
    reply(*call.session, call.request.id, result);
    return;
  }
  auto session = call.session;
  auto id = call.request.id;
  auto name = entry.name;
  session->op_started();
  asio::co_spawn(session->context().io, run_async(entry.async, std::move(call)),
                 [session, id, name](std::exception_ptr crash) {
                   if (crash) {
                     std::string what = describe(crash);
                     log(LogLevel::Error, "op {} failed: {}", name, what);
                     session->send(encode_error(id, {ErrorCode::Internal, what}));
                   }
                   session->op_finished();
                 });
}

}  // namespace

LineVerdict handle_line(const std::shared_ptr<Session>& session, std::string_view line) {
  const auto& limits = session->context().config.limits;
  auto decoded = decode_request_line(line, JsonLimits{static_cast<std::size_t>(limits.request_bytes), limits.depth});
  if (auto* refusal = std::get_if<LineRefusal>(&decoded)) {
    session->send(encode_error(refusal->id, refusal->error));
    return refusal->close_connection ? LineVerdict::Close : LineVerdict::KeepOpen;
  }
  auto request = std::get<Request>(std::move(decoded));
  const std::int64_t id = request.id;
  for (const OpEntry& entry : kOps) {
    if (entry.name == request.op) {
      // A query from a client that has gone is answered to nobody: a few hundred clients
      // each asking for a big `ps` and leaving kept traiod busy for minutes. What acts is
      // still done (a client may send a spawn and close without reading the reply).
      if (entry.kind == OpKind::Query && session->peer_gone()) {
        session->close();
        return LineVerdict::KeepOpen;
      }
      run_op(entry, OpCall{session, std::move(request)});
      return LineVerdict::KeepOpen;
    }
  }
  session->send(encode_error(id, {ErrorCode::UnknownOp, fmt::format("unknown op '{}'", request.op)}));
  return LineVerdict::KeepOpen;
}

}  // namespace traio
