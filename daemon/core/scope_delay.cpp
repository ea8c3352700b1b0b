// SPEC §6 "Re-run": `"delay": D` on a job or a scope delays its start by D. The delay runs
// once the node would otherwise start (its `after` conditions are met), and before it
// competes for a slot of its scope's max_parallel: a delayed node holds no slot while it
// waits, so it never keeps a sibling from running. While delayed the node is Pending (SPEC
// has no state of its own for it; docs/semantics.md), nothing of it runs, and a cancel or
// timeout ends it at once, never started, like any pending node. Its timeout counts from
// its submission, as rule 6 says, so the delay is part of it. Only the first start waits:
// restarts (rule 11) wait for their backoff instead.
#include <string>

#include "daemon/core/scope_tree.hpp"

namespace traio {

// Where a node would start (submit, add_children, after_settle): with a delay still to wait,
// it stays Pending and arms a timer; otherwise it takes a slot or queues.
void ScopeTree::delay_or_start(const Now& now, Node& n, const ScopeSpec* spec, Effects& out) {
  if (!n.delay || n.delay->count() <= 0) {
    start_or_queue(now, n, spec, out);
    return;
  }
  const Duration delay = *n.delay;
  n.delay.reset();  // waited once: on_delay_due starts it
  n.state = NodeState::Pending;
  if (n.is_scope() && spec != nullptr) n.held_scope = std::make_shared<const ScopeSpec>(*spec);
  n.start_at = now.mono + delay;
  n.start_at_wall = now.wall + std::chrono::duration_cast<WallTime::duration>(delay);
  emit(now, n, EventKind::Pending, "delayed " + format_duration(delay), out);
  out.push_back(ArmDelay{n.id, *n.start_at});
}

// The delay passed: the node starts now (or queues for a slot). A call for a node that was
// cancelled meanwhile, or whose scope is ending, is stale: the scope cancels it itself.
void ScopeTree::on_delay_due(const Now& now, NodeId id, Effects& out) {
  auto it = nodes_.find(id);
  if (it == nodes_.end()) return;
  Node& n = it->second;
  if (n.state != NodeState::Pending || !n.start_at || now.mono < *n.start_at) return;
  const Node& parent = node(n.parent);
  if (parent.state != NodeState::Open && parent.state != NodeState::Finalized) return;
  n.start_at.reset();
  n.start_at_wall.reset();
  n.state = n.is_scope() ? NodeState::Open : NodeState::Running;
  emit(now, n, EventKind::Released, "delay passed", out);
  start_or_queue(now, n, nullptr, out);  // a scope's children come from held_scope
  trim_history(out);
}

// A delayed node ends before its delay passed: its timer is dropped.
void ScopeTree::delay_drop(Node& n, Effects& out) {
  if (!n.start_at) return;
  n.start_at.reset();
  n.start_at_wall.reset();
  out.push_back(DisarmDelay{n.id});
}

}  // namespace traio
