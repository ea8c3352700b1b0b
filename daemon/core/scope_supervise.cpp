// SPEC §6 "Supervision strategy" (OTP). A scope with `supervise` restarts its children that
// have a restart policy (rule 11) by its strategy: one_for_one only the child that ended,
// one_for_all every live sibling with a policy too, rest_for_one the siblings submitted
// after it. A sibling restarted with it is stopped with its stop signal and grace, and runs
// again once stopped, not before the child that ended does. Each restart of the scope's
// children (the siblings taken along are part of it) counts once against `intensity`
// within `period`; one more fails the child and its scope (rule 3 upward). Children
// without a restart policy and sub-scopes are left alone (docs/semantics.md).
#include <algorithm>
#include <string>

#include "daemon/core/scope_tree.hpp"

namespace traio {

namespace {

std::string intensity_text(const SuperviseSpec& s) {
  return "more than " + std::to_string(s.intensity) + " restarts within " + format_duration(s.period);
}

}  // namespace

ScopeTree::Intensity ScopeTree::supervise_count_restart(const Now& now, Node& scope) {
  Supervision& s = *scope.supervision;
  std::erase_if(s.recent, [&](SteadyTime at) { return now.mono - at > s.spec.period; });
  if (s.recent.size() >= s.spec.intensity) return Intensity::Exceeded;
  s.recent.push_back(now.mono);
  return Intensity::Within;
}

void ScopeTree::supervise_restart_siblings(const Now& now, Node& scope, const Node& trigger, Effects& out) {
  const SuperviseStrategy strategy = scope.supervision->spec.strategy;
  if (strategy == SuperviseStrategy::OneForOne || !trigger.restart.next_attempt) return;
  // An ending scope restarts no sibling: those it still holds (a cleanup child restarting,
  // a reverse stop order) are about to stop for good.
  if (scope.state != NodeState::Open && scope.state != NodeState::Finalized) return;
  const std::string reason =
      "restarting with " + trigger.path + " (" + std::string(to_string(strategy)) + ")";
  bool after_trigger = false;
  for (NodeId id : std::vector<NodeId>(scope.children)) {
    if (id == trigger.id) {
      after_trigger = true;
      continue;
    }
    if (strategy == SuperviseStrategy::RestForOne && !after_trigger) continue;
    auto it = nodes_.find(id);
    if (it == nodes_.end()) continue;
    Node& c = it->second;
    // Only a run that is on: one waiting for its own backoff restarts anyway, one not yet
    // started (pending, queued) or stopping is not running.
    if (c.is_scope() || c.state != NodeState::Running || c.restart.next_attempt || !c.job ||
        c.job->restart.policy == RestartPolicy::No)
      continue;
    c.run.restart_with_sibling = true;
    c.run.restart_with = *trigger.restart.next_attempt;
    rule7_stop_job(now, c, reason, out);
  }
}

// A sibling stopped for a restart (above) has exited: it runs again, unless a cancel or a
// timeout decided its end while it was stopping.
bool ScopeTree::supervise_rerun_sibling(const Now& now, Node& n, const std::string& why, Effects& out) {
  n.run.restart_with_sibling = false;
  if (n.outcome != Outcome::None) return false;
  const SteadyTime at = std::max(now.mono, n.run.restart_with);
  RestartState& r = n.restart;
  ++r.restarts;
  r.next_attempt = at;
  r.next_attempt_wall = now.wall + std::chrono::duration_cast<WallTime::duration>(at - now.mono);
  r.last_exit = why;
  n.state = NodeState::Running;
  n.run.stop_requested = false;
  n.run.pid.reset();
  n.ready = false;
  emit(now, n, EventKind::Exited, why, out);
  emit(now, n, EventKind::Restarting,
       "with a sibling, in " + format_duration(std::chrono::duration_cast<Duration>(at - now.mono)), out);
  out.push_back(ScheduleRestart{n.id, at});
  return true;
}

// The child gave up since its scope's intensity is spent; it is done now. The scope fails
// with it as cause, whether or not the child bubbles.
void ScopeTree::supervise_fail_scope(const Now& now, Node& child, Effects& out) {
  Node& scope = node(child.parent);
  if (!scope.is_live() || !scope.supervision) return;
  rule7_cancel(now, scope, Outcome::Failed,
               "restart intensity exceeded: " + intensity_text(scope.supervision->spec) + " (" + child.path + ")",
               cause_of(child), out);
}

}  // namespace traio
