// Rule 11: a job with a restart policy is restarted with exponential backoff; only when it
// gives up (more than `max` restarts within `window`: a restart storm, which is a failure)
// does its end count for rules 3-5. While it waits for its backoff it stays Running with no
// pid and ready=false; a cancel or timeout then ends it at once (rule7_stop_job).
#include <algorithm>
#include <random>
#include <string>

#include "daemon/core/scope_tree.hpp"

namespace traio {

namespace {

// Runs that end on their own: on-failure restarts a failure, always restarts every run
// (success too). An aborted async job was stopped, not ended on its own: never restarted.
bool restarts(RestartPolicy policy, Outcome natural) {
  switch (policy) {
    case RestartPolicy::No: return false;
    case RestartPolicy::OnFailure: return natural == Outcome::Failed;
    case RestartPolicy::Always: return natural == Outcome::Succeeded || natural == Outcome::Failed;
  }
  return false;  // unreachable: the switch is exhaustive
}

}  // namespace

// Called for a run that ended on its own (no stop requested). Returns true when the job
// restarts after a backoff; false when its end is final, with a restart storm already
// decided as its outcome.
bool ScopeTree::rule11_restart(const Now& now, Node& n, Outcome natural, const std::string& why, Effects& out) {
  if (!restarts(n.job->restart.policy, natural)) return false;
  return rule11_schedule_restart(now, n, why, why, out);
}

// One restart of `n`, whatever asked for it (its policy, or its health checks): counted
// against rule 11's `max` within `window` and its scope's supervise intensity; one too many
// decides it failed and returns false. Else it waits its backoff as `running` (no process),
// with events `exited` (`exit_message`) and `restarting` (`why`).
bool ScopeTree::rule11_schedule_restart(const Now& now, Node& n, const std::string& why,
                                        const std::string& exit_message, Effects& out) {
  const RestartSpec& spec = n.job->restart;
  RestartState& r = n.restart;
  // Restarts count within `window`: a run longer than the window finds none left, so the
  // count and the backoff start over after a stable run (SPEC §6).
  std::erase_if(r.recent, [&](SteadyTime at) { return now.mono - at > spec.window; });
  if (spec.max && r.recent.size() >= *spec.max) {
    decide(n, Outcome::Failed,
           "restart storm: " + std::to_string(r.recent.size()) + " restarts within " + format_duration(spec.window) +
               "; last run: " + why,
           nullptr);
    return false;
  }
  Node& scope = node(n.parent);
  if (scope.supervision && supervise_count_restart(now, scope) == Intensity::Exceeded) {
    decide(n, Outcome::Failed, "restart intensity of " + scope.path + " exceeded; last run: " + why, nullptr);
    n.run.intensity_exceeded = true;
    return false;
  }
  const Duration delay = rule11_backoff(*n.job, r.recent.size());
  ++r.restarts;
  r.recent.push_back(now.mono);
  r.next_attempt = now.mono + delay;
  r.next_attempt_wall = now.wall + std::chrono::duration_cast<WallTime::duration>(delay);
  r.last_exit = why;
  n.state = NodeState::Running;  // a job stopped for its health was stopping
  n.run.stop_requested = false;
  n.run.pid.reset();  // no process while it waits (an ended job keeps its last pid)
  n.ready = false;
  emit(now, n, EventKind::Exited, exit_message, out);
  emit(now, n, EventKind::Restarting, "in " + format_duration(delay) + ": " + why, out);
  out.push_back(ScheduleRestart{n.id, *r.next_attempt});
  if (scope.supervision) supervise_restart_siblings(now, scope, n, out);
  return true;
}

// Exponential with jitter, always within [initial, max]: the base doubles with each restart
// already in the window (`earlier`), and the delay is drawn from [base/2, base] so that
// jobs that crashed together do not restart together.
Duration ScopeTree::rule11_backoff(const JobSpec& spec, std::size_t earlier) {
  const Duration initial = spec.restart.backoff.initial.value_or(limits_.backoff_initial);
  const Duration max = std::max(initial, spec.restart.backoff.max.value_or(limits_.backoff_max));
  Duration base = initial;
  for (std::size_t k = 0; k < earlier && base < max; ++k) base = std::min(max, base * 2);
  std::uniform_int_distribution<Duration::rep> pick(base.count() / 2, base.count());
  return std::clamp(Duration(pick(jitter_)), initial, max);
}

// The backoff of a ScheduleRestart passed: the next run starts. A call for a job that was
// cancelled, or whose restart was re-armed since, is stale.
void ScopeTree::on_restart_due(const Now& now, NodeId id, Effects& out) {
  auto it = nodes_.find(id);
  if (it == nodes_.end() || it->second.is_scope() || !it->second.is_live()) return;
  Node& n = it->second;
  if (n.state != NodeState::Running || !n.restart.next_attempt || now.mono < *n.restart.next_attempt) return;
  n.restart.next_attempt.reset();
  n.restart.next_attempt_wall.reset();
  // A new run: no pid until it reports, not asked to stop, no probe yet. exit_code and
  // signal keep showing the run before until this one ends.
  n.run.pid.reset();
  n.run.stop_requested = false;
  n.run.probing = false;
  n.run.sent_signal.reset();
  out.push_back(StartJob{id});
}

}  // namespace traio
