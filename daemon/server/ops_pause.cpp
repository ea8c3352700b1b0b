// pause, resume (SPEC §6 "Pause and resume"): a node's processes frozen and its queued
// children held, then let go. Who may cancel a node may pause it (access.hpp).
#include "daemon/server/access.hpp"
#include "daemon/server/op_args.hpp"
#include "daemon/server/op_call.hpp"

namespace traio {

using nlohmann::json;

OpResult op_pause(OpCall& call) {
  const json& args = call.args();
  if (auto ok = check_arg_keys(args, {"path", "timers"}); !ok) return ok.error();
  const ScopeTree& tree = call.supervisor().tree();
  auto id = node_arg(tree, args, "path", std::nullopt);
  if (!id) return id.error();
  if (auto ok = check_may_act(*tree.find(*id), call.session->peer_uid()); !ok) return ok.error();
  auto timers = bool_arg(args, "timers", false);  // its deadlines and restart backoffs wait too
  if (!timers) return timers.error();
  Status done = call.supervisor().act(
      [&](const Now& now, ScopeTree& t, Effects& out) { return t.pause(now, *id, *timers, out); });
  if (!done) return done.error();
  return json{{"path", tree.find(*id)->path}, {"state", std::string(to_string(tree.find(*id)->state))}};
}

OpResult op_resume(OpCall& call) {
  const json& args = call.args();
  if (auto ok = check_arg_keys(args, {"path"}); !ok) return ok.error();
  const ScopeTree& tree = call.supervisor().tree();
  auto id = node_arg(tree, args, "path", std::nullopt);
  if (!id) return id.error();
  if (auto ok = check_may_act(*tree.find(*id), call.session->peer_uid()); !ok) return ok.error();
  Status done =
      call.supervisor().act([&](const Now& now, ScopeTree& t, Effects& out) { return t.resume(now, *id, out); });
  if (!done) return done.error();
  const Node* node = tree.find(*id);  // a resumed scope that ended at once may be forgotten
  if (node == nullptr) return json{{"path", nullptr}, {"state", "done"}};
  return json{{"path", node->path}, {"state", std::string(to_string(node->state))}};
}

}  // namespace traio
