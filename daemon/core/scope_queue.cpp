// SPEC §6 "Concurrency limit": a scope with max_parallel N runs at most N children at once
// (a sub-scope counts as one). A child that would start when all N slots are taken is
// queued instead; each time a slot frees, the best queued child starts: higher priority
// first, then submission order. A child waiting on `after` competes for a slot only once
// its condition is met. Whatever holds a slot keeps it until it is done: a job waiting for
// its restart backoff (rule 11) keeps it, since it will run again; cleanup and non-awaited
// children count like any other (docs/semantics.md).
#include <string>

#include "daemon/core/scope_tree.hpp"

namespace traio {

namespace {

bool has_free_slot(const Node& scope) {
  return !scope.max_parallel || scope.running_children < *scope.max_parallel;
}

bool starts_children(const Node& scope) {
  return scope.state == NodeState::Open || scope.state == NodeState::Finalized;
}

}  // namespace

// Where a child would otherwise start (submit, add_children, after_settle): it takes a slot
// and starts, or waits in its scope's queue, held like a pending node.
void ScopeTree::start_or_queue(const Now& now, Node& n, const ScopeSpec* spec, Effects& out) {
  Node& scope = node(n.parent);
  // A queue that is not empty has no free slot for a newcomer: it waits its turn. A paused
  // scope (or a paused child) starts nothing until resumed (scope_pause.cpp).
  const bool held = pause_holds(scope, n);
  if (!held && has_free_slot(scope) && (!scope.queue || scope.queue->empty())) {
    n.holds_slot = true;
    ++scope.running_children;
    launch(now, n, spec, out);
    return;
  }
  n.state = NodeState::Queued;
  if (n.is_scope() && spec != nullptr) n.held_scope = std::make_shared<const ScopeSpec>(*spec);
  if (!scope.queue) scope.queue = std::make_unique<ChildQueue>();
  scope.queue->push(n.id, n.priority);
  if (held) {
    emit(now, n, EventKind::Queued, "held: " + (n.pause.paused ? n.path : scope.path) + " is paused", out);
    return;
  }
  emit(now, n, EventKind::Queued,
       "waiting for a slot: " + std::to_string(scope.running_children) + " of max_parallel " +
           (scope.max_parallel ? std::to_string(*scope.max_parallel) : std::string("none")) + " running",
       out);
}

// Starts queued children while the scope has free slots. A scope that is ending starts
// nothing: it cancels its queue instead (rule 7).
void ScopeTree::queue_fill(const Now& now, Node& scope, Effects& out) {
  std::vector<NodeId> paused;  // children paused themselves keep their place, held
  while (starts_children(scope) && !scope.pause.paused && scope.queue && !scope.queue->empty() &&
         has_free_slot(scope)) {
    Node& c = node(*scope.queue->pop());
    if (pause_holds(scope, c)) {
      paused.push_back(c.id);
      continue;
    }
    c.state = c.is_scope() ? NodeState::Open : NodeState::Running;
    c.holds_slot = true;
    ++scope.running_children;
    launch(now, c, nullptr, out);  // a scope's children come from held_scope
  }
  for (NodeId id : paused) scope.queue->push(id, node(id).priority);
}

void ScopeTree::queue_leave(const Node& n) {
  if (n.state != NodeState::Queued || n.parent == kNoNode) return;
  Node& scope = node(n.parent);
  if (scope.queue) scope.queue->erase(n.id, n.priority);
}

void ScopeTree::queue_release_slot(Node& scope, Node& child) {
  if (!child.holds_slot) return;
  child.holds_slot = false;
  --scope.running_children;
}

// Rule 7 for the queue: every queued child ends cancelled without having started. The
// queue is emptied first, so a slot that frees meanwhile starts none of them.
void ScopeTree::queue_cancel_waiting(const Now& now, Node& scope, const std::string& reason, Effects& out) {
  if (!scope.queue || scope.queue->empty()) return;
  std::vector<NodeId> waiting;
  while (auto id = scope.queue->pop()) waiting.push_back(*id);
  for (NodeId id : waiting) {
    auto it = nodes_.find(id);
    if (it != nodes_.end() && it->second.is_live()) rule7_cancel(now, it->second, Outcome::Cancelled, reason, nullptr, out);
  }
}

Status ScopeTree::set_max_parallel(const Now& now, NodeId id, std::optional<std::size_t> max_parallel, Effects& out) {
  if (find(id) == nullptr) return Error{ErrorCode::NotFound, "no node #" + std::to_string(id)};
  Node& n = node(id);
  if (!n.is_scope()) return Error{ErrorCode::InvalidRequest, n.path + " is a job: only a scope has max_parallel"};
  if (max_parallel && *max_parallel == 0) return Error{ErrorCode::InvalidRequest, "max_parallel must be at least 1"};
  if (n.is_done()) return Error{ErrorCode::ScopeClosed, n.path + " has already ended"};
  n.max_parallel = max_parallel;
  emit(now, n, EventKind::LimitSet, max_parallel ? std::to_string(*max_parallel) : "none", out);
  // Raised: queued children start now. Lowered: the running ones finish, new starts wait.
  queue_fill(now, n, out);
  trim_history(out);
  return ok_status();
}

}  // namespace traio
