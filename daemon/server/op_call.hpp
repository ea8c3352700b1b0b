#pragma once
// One request being handled: the op handlers' common signature.
#include <memory>
#include <string>

#include <boost/asio/awaitable.hpp>
#include <nlohmann/json.hpp>

#include "common/expected.hpp"
#include "common/protocol.hpp"
#include "daemon/server/session.hpp"

namespace traio {

struct OpCall {
  std::shared_ptr<Session> session;
  Request request;

  ServerContext& context() const { return session->context(); }
  Supervisor& supervisor() const { return session->context().supervisor; }
  const nlohmann::json& args() const { return request.args; }
};

using OpResult = Expected<nlohmann::json>;
// Ops that answer at once run inline; streaming ones run as their own coroutine so that
// they never hold up the other requests of their connection.
using SyncOp = OpResult (*)(OpCall&);
using AsyncOp = boost::asio::awaitable<OpResult> (*)(OpCall);
// Ops with big results (ps) write the result's JSON text straight into the reply line
// (`out` already holds encode_ok_head); an Error discards what they wrote.
using TextOp = Status (*)(OpCall&, std::string& out);

// ops_misc.cpp
OpResult op_ping(OpCall& call);
OpResult op_version(OpCall& call);
OpResult op_shutdown(OpCall& call);
// ops_lifecycle.cpp
OpResult op_spawn(OpCall& call);
OpResult op_fork(OpCall& call);
OpResult op_submit(OpCall& call);
OpResult op_finalize(OpCall& call);
OpResult op_cancel(OpCall& call);
OpResult op_timeout(OpCall& call);
// ops_limit.cpp
OpResult op_limit(OpCall& call);
OpResult op_scale(OpCall& call);
OpResult op_pause(OpCall& call);   // ops_pause.cpp
OpResult op_resume(OpCall& call);
OpResult op_restart(OpCall& call);  // ops_rerun.cpp
OpResult op_retry(OpCall& call);
// ops_signal.cpp
OpResult op_signal(OpCall& call);
// ops_query.cpp
Status op_ps(OpCall& call, std::string& out);
Status op_inspect(OpCall& call, std::string& out);
// ops_stats.cpp
OpResult op_stats(OpCall& call);
// ops_logs.cpp (streams with follow)
boost::asio::awaitable<OpResult> op_logs(OpCall call);
// ops_wait.cpp
boost::asio::awaitable<OpResult> op_wait(OpCall call);
// ops_events.cpp
boost::asio::awaitable<OpResult> op_events(OpCall call);
// ops_metrics.cpp
boost::asio::awaitable<OpResult> op_metrics(OpCall call);

}  // namespace traio
