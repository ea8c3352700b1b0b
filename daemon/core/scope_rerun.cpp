// Re-runs (SPEC §6 "Re-run"): `restart` runs an ended node again from its stored spec;
// `retry` re-runs what failed. Each re-run is a new node under the same live parent, with
// the same name and the next generation; the earlier run stays in history (the parent's
// `children` keeps both, `by_name` names the newest). docs/semantics.md "Re-run".
#include <unordered_set>

#include "common/node_path.hpp"
#include "daemon/core/scope_tree.hpp"

namespace traio {

namespace {

bool retried_when_live(Outcome outcome) {
  // SPEC §6: only these three. A cancelled child was stopped on purpose.
  return outcome == Outcome::Failed || outcome == Outcome::TimedOut || outcome == Outcome::Skipped;
}

std::size_t spec_size(const NodeSpec& spec) {
  std::size_t count = 1;
  if (spec.is_scope())
    for (const auto& child : std::get<ScopeSpec>(spec.node).children) count += spec_size(child);
  return count;
}

}  // namespace

struct ScopeTree::Rerun {
  NodeId old = kNoNode;
  NodeSpec spec;
  std::vector<NodeId> carried;  // RerunMode::FailedOnly: succeeded children kept as done
  Uid owner = 0;
};

// Everything of a scope's spec but its children, which keep their own (Node::job, and
// Node::scope_spec of sub-scopes): a tree is stored once, not once per level.
std::shared_ptr<const ScopeSpec> ScopeTree::scope_header(const ScopeSpec& spec) {
  // Field by field: copying the spec and clearing its children would copy the whole tree
  // below it, at every level. A field added to ScopeSpec changes its size: copy it here too.
  static_assert(sizeof(ScopeSpec) == 232, "scope_header copies every field of ScopeSpec but children");
  ScopeSpec header;
  header.name = spec.name;
  header.flags = spec.flags;
  header.timeout = spec.timeout;
  header.after = spec.after;
  header.priority = spec.priority;
  header.max_parallel = spec.max_parallel;
  header.supervise = spec.supervise;
  header.stop_order = spec.stop_order;
  header.delay = spec.delay;
  header.limits = spec.limits;
  header.finalize = spec.finalize;
  return std::make_shared<const ScopeSpec>(std::move(header));
}

// A node that takes the name of an ended sibling (or of a child of its scope's previous
// generation) is that node's next generation.
void ScopeTree::link_generation(const Node& parent, Node& n) const {
  const Node* previous = nullptr;
  if (auto it = parent.by_name.find(n.name); it != parent.by_name.end()) {
    previous = find(it->second);
  } else if (const Node* before = find(parent.previous_generation)) {
    if (auto old = before->by_name.find(n.name); old != before->by_name.end()) previous = find(old->second);
  }
  if (previous == nullptr) return;
  n.generation = previous->generation + 1;
  n.previous_generation = previous->id;
  n.in_scope_spec = previous->in_scope_spec;
}

// The children a scope was submitted with, in submission order, each as its newest run.
std::vector<NodeId> ScopeTree::spec_children(const Node& scope) const {
  std::vector<NodeId> ids;
  std::unordered_set<std::string> seen;
  for (NodeId id : scope.children) {
    const Node* c = find(id);
    if (c == nullptr || !c->in_scope_spec || !seen.insert(c->name).second) continue;
    auto latest = scope.by_name.find(c->name);
    ids.push_back(latest != scope.by_name.end() ? latest->second : id);
  }
  return ids;
}

Status ScopeTree::check_rerunnable(const Node& old) const {
  if (old.restored)
    return Error{ErrorCode::InvalidRequest,
                 old.path + " was read back from the journal of an earlier traiod: its spec is not kept, submit it again"};
  if (!old.is_scope()) {
    if (old.job == nullptr) return Error{ErrorCode::Internal, old.path + " has no stored spec"};
    return ok_status();
  }
  if (old.scope_spec == nullptr) return Error{ErrorCode::Internal, old.path + " has no stored spec"};
  const std::vector<NodeId> children = spec_children(old);
  if (children.size() < old.spec_child_count)
    return Error{ErrorCode::LimitExceeded,
                 "part of " + old.path + " has left the history (the `history` limit): submit it again"};
  for (NodeId id : children)
    if (auto ok = check_rerunnable((*find(id))); !ok) return ok;
  return ok_status();
}

NodeSpec ScopeTree::rerun_spec(const Node& old, RerunMode mode, std::vector<NodeId>& carried) const {
  if (!old.is_scope()) {
    JobSpec job = *old.job;
    job.name = old.name;  // a generated name ("job-17") stays the path's
    return NodeSpec{std::move(job), old.source.json()};
  }
  ScopeSpec scope = *old.scope_spec;
  scope.name = old.name;
  for (NodeId id : spec_children(old)) {
    const Node& child = (*find(id));
    if (mode == RerunMode::FailedOnly && child.outcome == Outcome::Succeeded) {
      carried.push_back(id);
      continue;
    }
    std::vector<NodeId> unused;  // a sub-scope that did not succeed runs again whole
    scope.children.push_back(rerun_spec(child, RerunMode::Everything, unused));
  }
  return NodeSpec{std::move(scope), old.source.json()};
}

std::size_t ScopeTree::subtree_size(const Node& n) const {
  std::size_t count = 1;
  for (NodeId id : n.children)
    if (const Node* c = find(id)) count += subtree_size(*c);
  return count;
}

// A done copy of `old` (and its subtree) under the new generation of its scope: it takes no
// part in the rules, like a restored node, and its outcome lets `after` on it hold as before.
void ScopeTree::carry_over(const Node& old, NodeId parent_id) {
  Node n;
  n.id = next_id_++;
  n.parent = parent_id;
  n.type = old.type;
  n.name = old.name;
  n.path = join_path(node(parent_id).path, old.name);
  n.depth = node(parent_id).depth + 1;
  n.flags = old.flags;
  n.state = NodeState::Done;
  n.outcome = old.outcome;
  n.reason = old.reason.empty() ? "carried over by retry" : old.reason + " (carried over by retry)";
  n.cause = old.cause;
  n.ready = old.ready;
  n.timeout = old.timeout;
  n.created_at = old.created_at;
  n.started_at = old.started_at;
  n.ended_at = old.ended_at;
  n.owner_uid = old.owner_uid;
  n.finalized = true;
  n.job = old.job;
  n.run = old.run;
  n.restart.restarts = old.restart.restarts;
  n.after = old.after;
  n.priority = old.priority;
  n.source = old.source;
  n.generation = old.generation;  // the same run, shown again: not a new generation
  n.previous_generation = old.previous_generation;
  n.in_scope_spec = old.in_scope_spec;
  n.scope_spec = old.scope_spec;
  n.spec_child_count = old.spec_child_count;
  n.max_parallel = old.max_parallel;
  const NodeId id = n.id;
  Node& parent = node(parent_id);
  parent.children.push_back(id);
  parent.by_name[n.name] = id;
  nodes_.emplace(id, std::move(n));
  remember_ended(id);
  for (NodeId child : old.children)
    if (const Node* c = find(child)) carry_over(*c, id);
}

Expected<NodeId> ScopeTree::restart(const Now& now, NodeId id, Effects& out) {
  const Node* old = find(id);
  if (old == nullptr) return Error{ErrorCode::NotFound, "no node #" + std::to_string(id)};
  if (id == kRootId) return Error{ErrorCode::InvalidRequest, "the root scope is never restarted: it lives as long as traiod"};
  auto created = rerun(now, old->parent, {id}, RerunMode::Everything, out);
  if (!created) return created.error();
  return created->front();
}

Expected<std::vector<NodeId>> ScopeTree::retry(const Now& now, NodeId scope_id,
                                               const std::function<bool(const Node&)>& eligible, Effects& out) {
  const Node* scope = find(scope_id);
  if (scope == nullptr) return Error{ErrorCode::NotFound, "no node #" + std::to_string(scope_id)};
  if (!scope->is_scope())
    return Error{ErrorCode::InvalidRequest, scope->path + " is a job, not a scope: use restart to run it again"};
  if (scope->is_live()) {
    std::vector<NodeId> olds;
    std::unordered_set<std::string> seen;
    for (NodeId id : scope->children) {
      const Node* c = find(id);
      if (c == nullptr || !seen.insert(c->name).second) continue;
      const Node& latest = (*find(scope->by_name.at(c->name)));
      if (latest.is_done() && retried_when_live(latest.outcome) && eligible(latest)) olds.push_back(latest.id);
    }
    if (olds.empty()) return std::vector<NodeId>{};
    return rerun(now, scope_id, olds, RerunMode::Everything, out);
  }
  // An ended scope runs again; what did not succeed runs again in it (a cancelled child
  // too: the scope's end cancelled it, and the new run needs it to finish).
  bool failed = scope->outcome != Outcome::Succeeded;
  for (NodeId id : spec_children(*scope)) failed = failed || (*find(id)).outcome != Outcome::Succeeded;
  if (!failed) return std::vector<NodeId>{};
  if (scope_id == kRootId) return Error{ErrorCode::ScopeClosed, "traiod is stopping"};
  return rerun(now, scope->parent, {scope_id}, RerunMode::FailedOnly, out);
}

// Adds the next generation of each of `olds` (ended children of `parent_id`) as one
// submission: all are checked first, and `after` among them links the new runs, as
// add_children does for a tree.
Expected<std::vector<NodeId>> ScopeTree::rerun(const Now& now, NodeId parent_id, const std::vector<NodeId>& olds,
                                               RerunMode mode, Effects& out) {
  if (auto open = check_open_scope(parent_id); !open) return open.error();
  const Node& parent = node(parent_id);
  std::vector<Rerun> runs;
  std::size_t count = 0;
  for (NodeId old_id : olds) {
    const Node& old = (*find(old_id));
    auto latest = parent.by_name.find(old.name);
    if (latest != parent.by_name.end() && (*find(latest->second)).is_live())
      return Error{ErrorCode::NameTaken, join_path(parent.path, old.name) +
                                             " is still running: cancel it first, or wait for it to end"};
    if (auto ok = check_rerunnable(old); !ok) return ok.error();
    Rerun r{old_id, {}, {}, old.owner_uid};
    r.spec = rerun_spec(old, mode, r.carried);
    for (const auto& a : r.spec.after())
      if (!parent.by_name.contains(a.name))
        return Error{ErrorCode::InvalidRequest, "after: " + a.name + " is no longer in " + parent.path + " (history)"};
    count += spec_size(r.spec);
    for (NodeId c : r.carried) count += subtree_size((*find(c)));
    runs.push_back(std::move(r));
  }
  if (auto ok = check_capacity(count, parent.depth + 1); !ok) return ok.error();

  struct Held {
    NodeId id;
    NodeState state;  // the state it starts in
    const NodeSpec* spec;
  };
  std::vector<Held> held;
  std::vector<NodeId> deferred, created;
  for (const Rerun& r : runs) {
    Node& c = add_node(now, node(parent_id), r.spec, r.owner, out);
    const NodeId id = c.id;
    created.push_back(id);
    for (NodeId carried : r.carried) carry_over((*find(carried)), id);
    Node& added = node(id);
    if (!added.after.empty()) {
      deferred.push_back(id);
      continue;
    }
    held.push_back({id, added.state, &r.spec});
    added.state = NodeState::Pending;  // until every new run exists (add_children)
  }
  for (const Held& h : held) {
    Node& c = node(h.id);
    if (c.state != NodeState::Pending) continue;  // a sibling ended the scope: cancelled
    c.state = h.state;
    start_or_queue(now, c, h.spec->is_scope() ? &std::get<ScopeSpec>(h.spec->node) : nullptr, out);
  }
  std::erase_if(deferred, [&](NodeId id) { return node(id).state != NodeState::Pending; });
  for (NodeId id : deferred) {
    Node& c = node(id);
    std::vector<NodeId> deps;
    for (const auto& a : c.after) deps.push_back(node(parent_id).by_name.at(a.name));  // checked above
    after_link(c, deps);
  }
  for (NodeId id : deferred) after_settle(now, node(id), AfterCheck::Initial, out);
  trim_history(out);
  return created;
}

}  // namespace traio
