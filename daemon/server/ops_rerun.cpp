// restart and retry (SPEC §6 "Re-run"): an ended node runs again from its stored spec as
// the next generation of its path (ScopeTree::restart), or a scope re-runs what failed
// (ScopeTree::retry). The new runs belong to the old ones' owners; only the owner of the
// node (or a privileged peer) may ask, as for cancel.
#include <vector>

#include "daemon/server/access.hpp"
#include "daemon/server/op_args.hpp"
#include "daemon/server/op_call.hpp"

namespace traio {

namespace {

using nlohmann::json;

bool runs_process(const ScopeTree& tree, const Node& n) {
  if (!n.is_scope()) return n.job != nullptr && n.job->kind == JobKind::Process;
  for (NodeId id : n.children)
    if (const Node* c = tree.find(id); c != nullptr && runs_process(tree, *c)) return true;
  return false;
}

// As spawn: the new runs start only once the journal holds them; a journal that cannot
// take them cancels them at once, so nothing runs that a crash could make traiod forget.
template <class Create>
Expected<std::vector<NodeId>> create_journalled(OpCall& call, Create&& create) {
  if (auto ok = call.context().journal_ready(); !ok) return ok.error();
  Supervisor& supervisor = call.supervisor();
  supervisor.hold_starts();
  Expected<std::vector<NodeId>> created = supervisor.act(std::forward<Create>(create));
  if (created && !created->empty()) {
    if (auto ok = call.context().commit_journal(); !ok) {
      (void)supervisor.act([&](const Now& now, ScopeTree& t, Effects& out) {
        for (NodeId id : *created) (void)t.cancel(now, id, "not accepted: " + ok.error().message, out);
        return ok_status();
      });
      created = ok.error();
    }
  }
  supervisor.release_starts();
  return created;
}

json runs_json(const ScopeTree& tree, const std::vector<NodeId>& ids) {
  json runs = json::array();
  for (NodeId id : ids)
    if (const Node* n = tree.find(id)) runs.push_back(json{{"path", n->path}, {"generation", n->generation}});
  return runs;
}

// The node asked for, and the peer's right to re-run it.
Expected<NodeId> rerun_target(OpCall& call) {
  const json& args = call.args();
  if (auto ok = check_arg_keys(args, {"path"}); !ok) return ok.error();
  const ScopeTree& tree = call.supervisor().tree();
  auto id = node_arg(tree, args, "path", std::nullopt);
  if (!id) return id.error();
  const Node& node = *tree.find(*id);
  const Uid peer = call.session->peer_uid();
  if (auto ok = check_may_act(node, peer); !ok) return ok.error();
  if (runs_process(tree, node))
    if (auto ok = check_may_run_jobs(peer); !ok) return ok.error();
  return *id;
}

}  // namespace

OpResult op_restart(OpCall& call) {
  auto id = rerun_target(call);
  if (!id) return id.error();
  auto created = create_journalled(call, [&](const Now& now, ScopeTree& t, Effects& out) -> Expected<std::vector<NodeId>> {
    auto one = t.restart(now, *id, out);
    if (!one) return one.error();
    return std::vector<NodeId>{*one};
  });
  if (!created) return created.error();
  const ScopeTree& tree = call.supervisor().tree();
  json runs = runs_json(tree, *created);
  json result = runs.empty() ? json{{"path", tree.find(*id)->path}} : runs.front();
  return result;
}

OpResult op_retry(OpCall& call) {
  auto id = rerun_target(call);
  if (!id) return id.error();
  const Uid peer = call.session->peer_uid();
  const auto eligible = [peer](const Node& n) { return check_may_act(n, peer).ok(); };
  auto created = create_journalled(
      call, [&](const Now& now, ScopeTree& t, Effects& out) { return t.retry(now, *id, eligible, out); });
  if (!created) return created.error();
  const ScopeTree& tree = call.supervisor().tree();
  const Node* scope = tree.find(*id);
  return json{{"path", scope != nullptr ? scope->path : std::string()}, {"runs", runs_json(tree, *created)}};
}

}  // namespace traio
