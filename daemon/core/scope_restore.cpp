// Restored nodes (restored_node.hpp): done nodes of an earlier daemon run, shown again after
// a restart. They never run, never bubble and take no part in the rules: the parent's
// counts of live children are untouched.
#include "common/node_path.hpp"
#include "daemon/core/scope_tree.hpp"

namespace traio {

Expected<NodeId> ScopeTree::restore(NodeId parent_id, RestoredNode restored, Effects& out) {
  auto parent_it = nodes_.find(parent_id);
  if (parent_it == nodes_.end() || !parent_it->second.is_scope())
    return Error{ErrorCode::NotFound, "no scope to restore into"};
  Node& parent = parent_it->second;
  if (auto named = parent.by_name.find(restored.name);
      named != parent.by_name.end() && nodes_.at(named->second).is_live())
    return Error{ErrorCode::NameTaken, "a live node has that name"};
  if (auto ok = check_capacity(1, parent.depth + 1); !ok) return ok.error();

  Node n;
  n.id = next_id_++;
  n.parent = parent.id;
  n.type = restored.type;
  n.path = join_path(parent.path, restored.name);
  n.name = std::move(restored.name);
  n.depth = parent.depth + 1;
  n.flags = restored.flags;
  n.state = NodeState::Done;
  n.outcome = restored.outcome;
  n.reason = std::move(restored.reason);
  n.cause = std::move(restored.cause);
  n.finalized = true;
  n.created_at = restored.created_at;
  n.started_at = restored.started_at;
  n.ended_at = restored.ended_at;
  n.owner_uid = restored.owner;
  n.source = std::move(restored.source);
  n.restored = true;
  n.run.pid = restored.pid;
  n.run.exit_code = restored.exit_code;
  n.run.signal = restored.signal;
  n.restart.restarts = restored.restarts;
  if (n.type == NodeType::Job) {
    auto spec = std::make_shared<JobSpec>();
    spec->kind = restored.kind;
    spec->name = n.name;
    spec->flags = n.flags;
    n.job = std::move(spec);
  }
  const NodeId id = n.id;
  parent.children.push_back(id);
  parent.by_name[n.name] = id;
  nodes_.emplace(id, std::move(n));
  remember_ended(id);
  trim_history(out);
  return id;
}

}  // namespace traio
