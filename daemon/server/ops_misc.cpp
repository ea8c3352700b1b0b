// ping, version, shutdown.
#include <boost/asio/post.hpp>

#include "daemon/runners/logger.hpp"
#include "common/version.hpp"
#include "daemon/server/access.hpp"
#include "daemon/server/op_args.hpp"
#include "daemon/server/op_call.hpp"

namespace traio {

OpResult op_ping(OpCall& call) {
  if (auto ok = check_arg_keys(call.args(), {}); !ok) return ok.error();
  return nlohmann::json{{"pong", true}, {"version", kVersion}};
}

OpResult op_version(OpCall& call) {
  if (auto ok = check_arg_keys(call.args(), {}); !ok) return ok.error();
  return nlohmann::json{{"version", kVersion}, {"protocol", kProtocolVersion}};
}

OpResult op_shutdown(OpCall& call) {
  if (auto ok = check_arg_keys(call.args(), {}); !ok) return ok.error();
  if (!is_privileged(call.session->peer_uid()))
    return Error{ErrorCode::PermissionDenied, "only root and the daemon's user may stop traiod"};
  log(LogLevel::Info, "shutdown requested by uid {}", call.session->peer_uid());
  // Posted: the {} reply is queued first, then the daemon stops as on SIGTERM (rule 13).
  boost::asio::post(call.context().io, [stop = call.context().request_stop] { stop(); });
  return nlohmann::json::object();
}

}  // namespace traio
