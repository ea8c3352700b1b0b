// limit (SPEC §6 `traioctl limit PATH N|none`): a scope's max_parallel, changed live.
// Raising it starts queued children at once; lowering it stops nothing (docs/protocol.md).
#include "daemon/server/access.hpp"
#include "daemon/server/op_args.hpp"
#include "daemon/server/op_call.hpp"

namespace traio {

using nlohmann::json;

OpResult op_limit(OpCall& call) {
  const json& args = call.args();
  if (auto ok = check_arg_keys(args, {"path", "max_parallel"}); !ok) return ok.error();
  // Absent is a mistake, not "no limit": null says that on purpose, as for `timeout`.
  if (!args.contains("max_parallel")) return invalid_request("max_parallel: missing (an integer >= 1, or null for none)");
  const ScopeTree& tree = call.supervisor().tree();
  auto id = node_arg(tree, args, "path", std::nullopt);
  if (!id) return id.error();
  if (auto ok = check_may_act(*tree.find(*id), call.session->peer_uid()); !ok) return ok.error();
  auto max_parallel = max_parallel_arg(args);
  if (!max_parallel) return max_parallel.error();
  Status done = call.supervisor().act([&](const Now& now, ScopeTree& t, Effects& out) {
    return t.set_max_parallel(now, *id, *max_parallel, out);
  });
  if (!done) return done.error();
  const Node* scope = tree.find(*id);
  if (scope == nullptr) return json::object();  // it ended at once and left the history
  return json{{"max_parallel", scope->max_parallel ? json(*scope->max_parallel) : json(nullptr)},
              {"running_children", scope->running_children},
              {"queued_children", scope->queue ? scope->queue->size() : 0}};
}

}  // namespace traio
