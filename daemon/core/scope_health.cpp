// SPEC §6 `health`: a process job with `health` is checked every interval while it runs and
// is ready (the runner carries StartHealth/StopHealth out and reports each check). After
// `failures` failed checks in a row the job is unhealthy, and its action decides:
//  - restart: the job is stopped (stop signal, grace) and runs again after the backoff of
//    its `restart` spec, whatever its policy (`no` included: the user asked for it here).
//    It counts as a restart of rule 11 (`restarts`, `max` within `window`: a storm fails
//    the job) and of its scope's `supervise` intensity.
//  - fail: the job fails with reason "unhealthy: ..." and is stopped, like a readiness
//    timeout; its scope hears of it by rule 3 once the process is gone. Rule 11 does not
//    restart it (the stop is traiod's own).
#include <algorithm>
#include <string>

#include "daemon/core/scope_tree.hpp"

namespace traio {

void ScopeTree::health_start(Node& n, Effects& out) {
  if (!n.job || n.job->kind != JobKind::Process || !n.job->health || n.run.health_checking) return;
  if (!n.health) n.health = std::make_unique<HealthState>();
  n.health->status = HealthStatus::Starting;  // each run proves itself again
  n.health->failures = 0;
  n.run.health_checking = true;
  out.push_back(StartHealth{n.id});
}

void ScopeTree::health_stop(Node& n, Effects& out) {
  if (!n.run.health_checking) return;
  n.run.health_checking = false;
  out.push_back(StopHealth{n.id});
}

// A report from checks stopped since (the run ended, a cancel) is stale.
void ScopeTree::on_health_check(const Now& now, NodeId id, bool ok, std::string message, Effects& out) {
  auto it = nodes_.find(id);
  if (it == nodes_.end() || it->second.is_scope() || it->second.state != NodeState::Running ||
      !it->second.run.health_checking || !it->second.health)
    return;
  Node& n = it->second;
  HealthState& h = *n.health;
  h.last_at = now.wall;
  h.last_ok = ok;
  h.last_message = std::move(message);
  if (ok) {
    h.failures = 0;
    if (h.status != HealthStatus::Healthy) {
      h.status = HealthStatus::Healthy;
      emit(now, n, EventKind::Healthy, h.last_message, out);
    }
    return;
  }
  const HealthSpec& spec = *n.job->health;
  if (++h.failures < spec.failures) return;
  h.status = HealthStatus::Unhealthy;
  const std::string why = "unhealthy: " + h.last_message;
  emit(now, n, EventKind::Unhealthy,
       std::to_string(h.failures) + (h.failures == 1 ? " check" : " checks") + " failed: " + h.last_message, out);
  health_stop(n, out);
  switch (spec.action) {
    case HealthAction::Restart:
      n.run.restart_unhealthy = true;
      rule7_stop_job(now, n, "restarting: " + why, out);
      break;
    case HealthAction::Fail:
      rule7_cancel(now, n, Outcome::Failed, why, nullptr, out);
      break;
  }
  trim_history(out);
}

// The job stopped for being unhealthy has exited: it runs again after its backoff, unless a
// cancel or timeout decided its end while it was stopping, or this restart is one too many
// (rule 11's storm, its scope's supervise intensity): then its end is final and failed.
bool ScopeTree::health_rerun(const Now& now, Node& n, const std::string& exit_reason, Effects& out) {
  n.run.restart_unhealthy = false;
  if (n.outcome != Outcome::None) return false;
  const std::string why = "unhealthy: " + (n.health ? n.health->last_message : std::string("?"));
  return rule11_schedule_restart(now, n, why, exit_reason, out);
}

}  // namespace traio
