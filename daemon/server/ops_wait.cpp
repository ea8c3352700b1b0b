// wait: replies once every path is done, or when its timeout passes (docs/protocol.md).
#include <algorithm>

#include "daemon/server/access.hpp"
#include "daemon/server/node_json.hpp"
#include "daemon/server/op_args.hpp"
#include "daemon/server/op_call.hpp"

namespace traio {
namespace {

using nlohmann::json;

struct WaitTarget {
  std::string path;
  NodeId id;
};

Expected<std::vector<WaitTarget>> targets_arg(const ScopeTree& tree, const json& args) {
  auto it = args.find("paths");
  if (it == args.end() || !it->is_array() || it->empty())
    return invalid_request("paths: expected a non-empty array of paths");
  std::vector<WaitTarget> targets;
  for (const json& p : *it) {
    if (!p.is_string()) return invalid_request("paths: expected a non-empty array of paths");
    auto id = resolve_node(tree, p.get_ref<const std::string&>());
    if (!id) return id.error();
    targets.push_back({p.get<std::string>(), *id});
  }
  return targets;
}

// A node that left the history has ended long ago: it counts as done.
bool all_done(const ScopeTree& tree, const std::vector<WaitTarget>& targets) {
  return std::all_of(targets.begin(), targets.end(), [&](const WaitTarget& t) {
    const Node* n = tree.find(t.id);
    return n == nullptr || !n->is_live();
  });
}

json nodes_json(const ScopeTree& tree, const std::vector<WaitTarget>& targets) {
  json nodes = json::array();
  for (const auto& t : targets) {
    if (const Node* n = tree.find(t.id)) {
      nodes.push_back(node_json(tree, *n, SpecField::Omit));
    } else {
      nodes.push_back({{"path", t.path}, {"state", "done"}, {"outcome", nullptr}, {"forgotten", true}});
    }
  }
  return nodes;
}

}  // namespace

boost::asio::awaitable<OpResult> op_wait(OpCall call) {
  const json& args = call.args();
  if (auto ok = check_arg_keys(args, {"paths", "timeout", "claim"}); !ok) co_return ok.error();
  Supervisor& supervisor = call.supervisor();
  const ScopeTree& tree = supervisor.tree();
  auto targets = targets_arg(tree, args);
  if (!targets) co_return targets.error();
  auto timeout = duration_arg(args, "timeout");
  if (!timeout) co_return timeout.error();
  auto claim = bool_arg(args, "claim", false);
  if (!claim) co_return claim.error();
  if (*claim) {
    for (const auto& t : *targets)  // taking over an outcome is acting on the node (SPEC §5)
      if (auto ok = check_may_act(*tree.find(t.id), call.session->peer_uid()); !ok) co_return ok.error();
    // rule 10: the claim is taken now and holds even if this client goes away.
    for (const auto& t : *targets)
      supervisor.act([&](const Now&, ScopeTree& tr, Effects&) {
        tr.claim(t.id);
        return true;
      });
  }
  bool expired = false;
  if (!all_done(tree, *targets)) {
    StreamWaker waker(call.session);
    if (*timeout) waker.set_deadline(std::chrono::steady_clock::now() + **timeout);
    ListenerGuard listener(supervisor, [&](const LifecycleEvent& event) {
      if (event.kind != EventKind::Done) return;
      for (const auto& t : *targets)
        if (t.id == event.id) waker.wake();
    });
    while (!all_done(tree, *targets) && call.session->state() == SessionState::Open) {
      if (co_await waker.sleep()) {
        expired = true;
        break;
      }
    }
    if (!expired && !all_done(tree, *targets)) co_return Error{ErrorCode::Internal, "the daemon is stopping"};
  }
  co_return json{{"expired", expired}, {"nodes", nodes_json(tree, *targets)}};
}

}  // namespace traio
