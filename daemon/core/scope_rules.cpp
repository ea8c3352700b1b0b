// The rules of SPEC §1, one function each, and the cascade that carries a node's end up
// the tree. Every function here is called from a request or a runner report in
// scope_tree.cpp / scope_reports.cpp; effects are appended to `out` in the order they
// must be carried out.
#include <algorithm>
#include <string>

#include "common/unreachable.hpp"
#include "daemon/core/scope_tree.hpp"

namespace traio {

// A child bubbles unless it was told not to or someone claimed its outcome (rules 3, 10).
bool ScopeTree::bubbles(const Node& child) { return child.flags.bubble && !child.claimed; }

// The first cause wins (rule 7): an outcome, once decided, is never replaced.
void ScopeTree::decide(Node& n, Outcome outcome, std::string reason, std::shared_ptr<const Cause> cause) {
  if (n.outcome != Outcome::None) return;
  n.outcome = outcome;
  n.reason = std::move(reason);
  n.cause = std::move(cause);
  refresh_cause(n);
}

std::shared_ptr<const Cause> ScopeTree::cause_of(Node& decider) {
  if (!decider.as_cause) decider.as_cause = std::make_shared<Cause>();
  refresh_cause(decider);
  return decider.as_cause;
}

// The decider's summary is shared with its ancestors' causes; it is refreshed when the
// decider learns more (its exit code arrives after a timeout already decided the scope).
void ScopeTree::refresh_cause(Node& n) {
  if (!n.as_cause) return;
  Cause& c = *n.as_cause;
  c.path = n.path;
  c.outcome = n.outcome;
  c.message = n.reason;
  c.exit_code = n.run.exit_code;
  c.signal = n.run.signal;
  c.next = n.cause;
}

// Rule 2: finalizing a scope lets it end as soon as no awaited child is live.
void ScopeTree::rule2_finalize(const Now& now, Node& scope, Effects& out) {
  if (scope.state == NodeState::Pending || scope.state == NodeState::Queued) {
    scope.finalized = true;  // its children are held (`after`, §6 queue): launch() finalizes it
    return;
  }
  if (scope.finalized || scope.state != NodeState::Open) return;
  scope.finalized = true;
  scope.state = NodeState::Finalized;
  emit(now, scope, EventKind::Finalized, {}, out);
  rule2_end_when_awaited_done(now, scope, out);
}

// Rules 2 and 5: once the awaited children are done, the scope succeeds and its
// non-awaited children are cancelled. An empty finalized scope ends at once.
void ScopeTree::rule2_end_when_awaited_done(const Now& now, Node& scope, Effects& out) {
  if (scope.state != NodeState::Finalized || scope.live_awaited != 0) return;
  rule7_cancel(now, scope, Outcome::Succeeded, "all awaited children are done", nullptr, out);
}

// Rule 3: a failing child that bubbles cancels its scope, which takes the child's outcome
// (failed, or timed_out: traio re-raises the child's own error) with the child as cause.
void ScopeTree::rule3_bubble(const Now& now, Node& child, Effects& out) {
  if (!is_failure(child.outcome) || !bubbles(child) || child.parent == kRootId) return;
  Node& scope = node(child.parent);
  std::string reason = child.path + " " + std::string(to_string(child.outcome));
  if (!child.reason.empty()) reason += ": " + child.reason;
  rule7_cancel(now, scope, child.outcome, std::move(reason), cause_of(child), out);
}

// Rule 4: when a master child ends, for any reason, its scope stops. A bubbling failure
// already decided the scope's outcome (rule 3); otherwise the scope succeeds, even when a
// non-bubbling master failed.
void ScopeTree::rule4_master_ended(const Now& now, Node& child, Effects& out) {
  if (!child.flags.master || child.parent == kRootId) return;
  Node& scope = node(child.parent);
  rule7_cancel(now, scope, Outcome::Succeeded, "master " + child.path + " ended", cause_of(child), out);
}

// Rule 6: a node with a timeout is cancelled that long after it was created (or after
// `traioctl timeout` reset it). Ancestors' deadlines cascade through cancellation.
void ScopeTree::rule6_arm_deadline(const Now& now, Node& n, Effects& out) {
  if (!n.timeout) return;
  n.own_deadline = now.mono + *n.timeout;
  n.own_deadline_wall = now.wall + std::chrono::duration_cast<WallTime::duration>(*n.timeout);
  out.push_back(ArmDeadline{n.id, *n.own_deadline});
}

// Rule 6: the node's own deadline passed. It ends timed_out; what it contains ends
// cancelled. A bubbling child's timeout reaches its scope now, not after its grace period,
// so its siblings start stopping at once.
void ScopeTree::rule6_timed_out(const Now& now, Node& n, Effects& out) {
  std::string reason = "timed out after " + format_duration(n.timeout.value_or(Duration{0}));
  rule7_cancel(now, n, Outcome::TimedOut, std::move(reason), nullptr, out);
  if (n.is_live() && n.outcome == Outcome::TimedOut) rule3_bubble(now, n, out);
}

// Rule 7: cancelling a node cancels its whole subtree at once. A job gets its stop
// signal (the runner escalates to SIGKILL after the grace); a scope is done once every
// child is. Cancelling a node that is already stopping or done changes nothing.
void ScopeTree::rule7_cancel(const Now& now, Node& n, Outcome outcome, std::string reason,
                             std::shared_ptr<const Cause> cause, Effects& out) {
  switch (n.state) {
    case NodeState::Done:
    case NodeState::Cancelling:
      return;
    case NodeState::Stopping:
      // Stopping to restart with a sibling (§6 supervise) or as unhealthy (§6 health): it
      // now ends instead.
      if (n.run.restart_with_sibling || n.run.restart_unhealthy) decide(n, outcome, reason, std::move(cause));
      return;
    case NodeState::Pending:
    case NodeState::Queued:
      // Nothing of a pending or queued node runs (SPEC §2 `after`, §6 queue), a scope's
      // children are only held: it ends at once, without ever starting.
      queue_leave(n);
      delay_drop(n, out);
      decide(n, outcome, reason, std::move(cause));
      emit(now, n, EventKind::Stopping, reason, out);
      enter_done(now, n, out);
      return;
    case NodeState::Running:
    case NodeState::Paused:
      decide(n, outcome, reason, std::move(cause));
      rule7_stop_job(now, n, reason, out);
      return;
    case NodeState::Open:
    case NodeState::Finalized:
      decide(n, outcome, reason, std::move(cause));
      n.state = NodeState::Cancelling;
      emit(now, n, EventKind::Stopping, reason, out);
      stop_children(now, n, "scope " + n.path + " is ending", out);
      maybe_scope_done(now, n, out);
      return;
  }
}

// Rule 7 for a job whose outcome is decided. One waiting for its restart backoff (rule 11)
// has no process: it ends at once and its armed restart is dropped; no StopJob.
void ScopeTree::rule7_stop_job(const Now& now, Node& n, const std::string& reason, Effects& out) {
  if (n.restart.next_attempt) {
    n.restart.next_attempt.reset();
    n.restart.next_attempt_wall.reset();
    out.push_back(CancelRestart{n.id});
    emit(now, n, EventKind::Stopping, reason, out);
    enter_done(now, n, out);
    return;
  }
  n.state = NodeState::Stopping;
  n.run.stop_requested = true;
  emit(now, n, EventKind::Stopping, reason, out);
  if (n.run.probing) {
    n.run.probing = false;
    out.push_back(StopProbe{n.id});
  }
  health_stop(n, out);
  out.push_back(StopJob{n.id});
}

// Every live child is cancelled in parallel: all stop effects go out in one batch. Two
// exceptions (SPEC §6): cleanup children start now instead, and a scope with
// `stop_order: reverse` holds a child until its dependents are done (scope_cleanup.cpp).
// Both yield to a forced stop (`cancel --force`, daemon stop).
void ScopeTree::stop_children(const Now& now, Node& scope, const std::string& reason, Effects& out) {
  // The queue first: a slot freed while the others stop must not start a queued child.
  queue_cancel_waiting(now, scope, reason, out);
  const std::vector<NodeId> children = scope.children;  // a child may end while we iterate
  const bool ordered = scope.stop_order == StopOrder::Reverse && !forcing();
  for (NodeId id : children) {
    auto it = nodes_.find(id);
    if (it == nodes_.end() || !it->second.is_live()) continue;
    Node& c = it->second;
    if (c.flags.cleanup && !forcing()) {
      cleanup_release(now, c, out);
    } else if (!ordered || c.state == NodeState::Pending || c.state == NodeState::Queued) {
      rule7_cancel(now, c, Outcome::Cancelled, reason, nullptr, out);  // nothing of it runs: no order
    }
  }
  if (ordered) stop_order_next(now, scope, out);
}

void ScopeTree::maybe_scope_done(const Now& now, Node& scope, Effects& out) {
  if (scope.state == NodeState::Cancelling && scope.live_children == 0) enter_done(now, scope, out);
}

void ScopeTree::enter_done(const Now& now, Node& n, Effects& out) {
  if (n.outcome == Outcome::None) TRAIO_UNREACHABLE("a node ended without an outcome");
  n.state = NodeState::Done;
  n.ended_at = now.wall;
  if (n.outcome == Outcome::Succeeded) n.ready = true;  // a scope or async job is ready when it succeeds
  if (n.own_deadline) out.push_back(DisarmDeadline{n.id});
  --live_count_;
  refresh_cause(n);
  emit(now, n, EventKind::Done, n.reason, out);
  remember_ended(n.id);
  after_unlink(n);
  if (n.parent != kNoNode) on_child_done(now, node(n.parent), n, out);
  // Siblings waiting on this one (`after`) look once its scope has reacted: a bubbling
  // failure cancels them rather than releasing or skipping them.
  after_notify(now, n, out);
}

// A child is done: the rules decide what that means for its scope.
void ScopeTree::on_child_done(const Now& now, Node& scope, Node& child, Effects& out) {
  --scope.live_children;
  if (counts_as_awaited(child)) --scope.live_awaited;
  queue_release_slot(scope, child);
  switch (scope.state) {
    case NodeState::Open:
    case NodeState::Finalized:
      rule3_bubble(now, child, out);
      rule4_master_ended(now, child, out);
      rule2_end_when_awaited_done(now, scope, out);
      break;
    case NodeState::Cancelling:
      // The scope's outcome is decided; it waits for its last child. A cleanup child's
      // failure still counts if the scope would otherwise succeed (SPEC §6).
      cleanup_outcome(child, scope);
      if (scope.stop_order == StopOrder::Reverse) stop_order_next(now, scope, out);
      break;
    case NodeState::Done:
    case NodeState::Pending:
    case NodeState::Queued:
    case NodeState::Running:
    case NodeState::Paused:
    case NodeState::Stopping:
      TRAIO_UNREACHABLE("a child ended under a scope that cannot have live children");
  }
  maybe_scope_done(now, scope, out);
  queue_fill(now, scope, out);  // §6: the freed slot goes to the next queued child
}

// History (SPEC §1): ended nodes stay resolvable until `history` newer ones have ended.
// Forgetting is deferred to the end of each request or report, so no node that a caller
// still holds is erased under it.
void ScopeTree::remember_ended(NodeId id) { ended_.push_back(id); }

void ScopeTree::trim_history(Effects& out) {
  while (ended_.size() > limits_.history) {
    NodeId id = ended_.front();
    ended_.pop_front();
    forget(id, out);
  }
}

void ScopeTree::forget(NodeId id, Effects& out) {
  auto it = nodes_.find(id);
  if (it == nodes_.end() || id == kRootId) return;
  Node& n = it->second;
  if (n.is_live()) TRAIO_UNREACHABLE("forgetting a live node");
  for (NodeId child : std::vector<NodeId>(n.children)) forget(child, out);
  if (auto parent = nodes_.find(n.parent); parent != nodes_.end()) {
    Node& p = parent->second;
    std::erase(p.children, id);
    if (auto named = p.by_name.find(n.name); named != p.by_name.end() && named->second == id) p.by_name.erase(named);
  }
  out.push_back(ForgetNode{id});
  nodes_.erase(it);
}

void ScopeTree::emit(const Now& now, Node& n, EventKind kind, std::string message, Effects& out) {
  LifecycleEvent event;
  event.seq = next_seq_++;
  event.time = now.wall;
  event.kind = kind;
  event.id = n.id;
  event.path = n.path;
  event.state = n.state;
  event.outcome = n.outcome;
  event.message = std::move(message);
  out.push_back(EmitEvent{std::move(event)});
}

}  // namespace traio
