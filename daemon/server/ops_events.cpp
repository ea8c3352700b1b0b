// events: the recent lifecycle events the daemon keeps, then live ones with follow.
#include <fmt/format.h>

#include "common/node_path.hpp"
#include "daemon/server/op_args.hpp"
#include "daemon/server/op_call.hpp"

namespace traio {

boost::asio::awaitable<OpResult> op_events(OpCall call) {
  const auto& args = call.args();
  if (auto ok = check_arg_keys(args, {"path", "follow"}); !ok) co_return ok.error();
  auto filter = string_arg(args, "path", "/");
  if (!filter) co_return filter.error();
  if (auto parts = split_path(*filter); !parts)
    co_return invalid_request(fmt::format("path {}: {}", *filter, parts.error().message));
  auto follow = bool_arg(args, "follow", false);
  if (!follow) co_return follow.error();

  const auto id = call.request.id;
  auto& session = *call.session;
  for (const KeptEvent& event : call.context().events.events()) {
    if (path_in_subtree(event.path, *filter)) session.send(event_line(id, event.json_text));
  }
  if (*follow) {
    // Subscribed right after the snapshot, on the same loop turn: no event is lost or doubled.
    StreamWaker waker(call.session);
    ListenerGuard listener(call.supervisor(), [&](const LifecycleEvent& event) {
      if (path_in_subtree(event.path, *filter)) session.send(encode_event(id, event_json(event)));
    });
    while (session.state() == SessionState::Open) co_await waker.sleep();
  }
  co_return nlohmann::json::object();
}

}  // namespace traio
