// metrics: the Prometheus text of SPEC §6 "Watching" in the reply (docs/protocol.md). Every
// client may ask, as every client may see the tree's shape and states (access.hpp); the
// per-job CPU and memory series of a client that is not privileged are its own jobs' only,
// as inspect would show them.
#include "daemon/server/access.hpp"
#include "daemon/server/metrics_service.hpp"
#include "daemon/server/op_args.hpp"
#include "daemon/server/op_call.hpp"

namespace traio {

boost::asio::awaitable<OpResult> op_metrics(OpCall call) {
  if (auto ok = check_arg_keys(call.args(), {}); !ok) co_return ok.error();
  MetricsService* metrics = call.context().metrics;
  if (metrics == nullptr) co_return Error{ErrorCode::Internal, "this daemon keeps no metrics"};
  const Uid peer = call.session->peer_uid();
  std::string text = co_await metrics->scrape(is_privileged(peer) ? std::nullopt : std::optional<Uid>(peer));
  co_return nlohmann::json{{"content_type", kPrometheusContentType}, {"text", std::move(text)}};
}

}  // namespace traio
