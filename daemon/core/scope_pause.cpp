// SPEC §6 "Pause and resume". `pause PATH` pauses the node and every live node below it: a
// running job becomes Paused and its processes are frozen (FreezeJob); a scope keeps its
// state (open or finalized: whether it still takes children is unchanged) but starts no
// child while paused: a child that would start (submitted, released by `after`, its delay
// passed, a slot freed) is queued instead, held until resume. A paused pending or queued
// node is likewise held when its turn comes. A child added to a paused scope is paused too.
// The node's timers run on, so a timeout while paused cancels as usual (the runner thaws
// what it stops); with --timers its own deadline and its restart backoff are suspended and
// resume with what was left. A job paused in its restart backoff does not restart until
// resumed. Cancel ends a paused node as any other. `resume PATH` undoes every pause on the
// node and below it, a pause made on a descendant included (docs/semantics.md).
#include <string>
#include <utility>

#include "daemon/core/scope_tree.hpp"

namespace traio {

namespace {

// Rounded up: a suspended deadline must not fire before its time once re-armed.
Duration left_until(SteadyTime at, const Now& now) {
  return at > now.mono ? std::chrono::ceil<Duration>(at - now.mono) : Duration{0};
}

// A node that is stopping or done has nothing left to pause: its end is under way.
bool is_ending(const Node& n) {
  return n.state == NodeState::Stopping || n.state == NodeState::Cancelling || n.state == NodeState::Done;
}

}  // namespace

// Whether `child`, about to start, is held by a pause. A scope that is ending starts its
// cleanup children whatever its pause: they are what its end runs.
bool ScopeTree::pause_holds(const Node& scope, const Node& child) {
  const bool starts = scope.state == NodeState::Open || scope.state == NodeState::Finalized;
  return starts && (scope.pause.paused || child.pause.paused);
}

Status ScopeTree::pause(const Now& now, NodeId id, bool timers, Effects& out) {
  const Node* found = find(id);
  if (found == nullptr) return Error{ErrorCode::NotFound, "no node #" + std::to_string(id)};
  if (id == kRootId) return Error{ErrorCode::InvalidRequest, "the root scope cannot be paused: pause a node in it"};
  if (found->is_done()) return Error{ErrorCode::ScopeClosed, found->path + " has already ended"};
  if (is_ending(*found)) return Error{ErrorCode::ScopeClosed, found->path + " is stopping"};
  if (found->pause.paused) return ok_status();  // paused already: no change, --timers or not
  pause_one(now, node(id), timers, out);
  return ok_status();
}

void ScopeTree::pause_one(const Now& now, Node& n, bool timers, Effects& out) {
  if (is_ending(n)) return;
  if (!n.pause.paused) {
    n.pause.paused = true;
    n.pause.timers = timers;
    if (timers && n.own_deadline) {
      n.pause.deadline_left = left_until(*n.own_deadline, now);
      n.own_deadline.reset();
      n.own_deadline_wall.reset();
      out.push_back(DisarmDeadline{n.id});
    }
    // The backoff's time stays set: a cancel still sees a job with no process to stop.
    if (timers && n.restart.next_attempt) {
      n.pause.restart_left = left_until(*n.restart.next_attempt, now);
      out.push_back(CancelRestart{n.id});
    }
    if (!n.is_scope() && n.state == NodeState::Running) {
      n.state = NodeState::Paused;
      out.push_back(FreezeJob{n.id});
    }
    emit(now, n, EventKind::Paused, timers ? "timers suspended" : "", out);
  }
  for (NodeId child : std::vector<NodeId>(n.children)) {
    auto it = nodes_.find(child);
    if (it != nodes_.end() && it->second.is_live()) pause_one(now, it->second, timers, out);
  }
}

Status ScopeTree::resume(const Now& now, NodeId id, Effects& out) {
  const Node* found = find(id);
  if (found == nullptr) return Error{ErrorCode::NotFound, "no node #" + std::to_string(id)};
  if (id == kRootId) return Error{ErrorCode::InvalidRequest, "the root scope is never paused: resume a node in it"};
  if (found->is_done()) return Error{ErrorCode::ScopeClosed, found->path + " has already ended"};
  const NodeId parent = found->parent;
  resume_one(now, node(id), out);
  // A queued child that was held by its own pause competes for its scope's slots again.
  if (parent != kNoNode && node(parent).is_live()) queue_fill(now, node(parent), out);
  trim_history(out);
  return ok_status();
}

// Top down: a scope's children are unpaused before its queue fills, so that what it starts
// is no longer held.
void ScopeTree::resume_one(const Now& now, Node& n, Effects& out) {
  const NodeId id = n.id;
  bool restart_due = false;
  if (n.pause.paused) {
    PauseState was = std::exchange(n.pause, PauseState{});
    if (was.deadline_left) {
      n.own_deadline = now.mono + *was.deadline_left;
      n.own_deadline_wall = now.wall + std::chrono::duration_cast<WallTime::duration>(*was.deadline_left);
      out.push_back(ArmDeadline{id, *n.own_deadline});
    }
    if (was.restart_left && n.restart.next_attempt) {
      n.restart.next_attempt = now.mono + *was.restart_left;
      n.restart.next_attempt_wall = now.wall + std::chrono::duration_cast<WallTime::duration>(*was.restart_left);
      out.push_back(ScheduleRestart{id, *n.restart.next_attempt});
    }
    if (n.state == NodeState::Paused) {
      n.state = NodeState::Running;
      out.push_back(ThawJob{id});
      // Its backoff passed while it was paused: the restart held back starts now.
      restart_due = n.restart.next_attempt && *n.restart.next_attempt <= now.mono;
    }
    if (!is_ending(n)) emit(now, n, EventKind::Resumed, {}, out);
  }
  for (NodeId child : std::vector<NodeId>(n.children)) {
    auto it = nodes_.find(child);
    if (it != nodes_.end() && it->second.is_live()) resume_one(now, it->second, out);
  }
  if (restart_due) on_restart_due(now, id, out);
  Node& again = node(id);  // still here: nothing above ends while we walk
  if (again.is_scope() && again.is_live()) queue_fill(now, again, out);
}

}  // namespace traio
