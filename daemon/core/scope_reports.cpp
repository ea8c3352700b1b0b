// What the runners and the deadline timers report, turned into the rules' terms.
// Reports about nodes that are gone or already done are stale (a race the loop allows)
// and are ignored.
#include <algorithm>
#include <string>

#include "common/signal_name.hpp"
#include "daemon/core/scope_tree.hpp"

namespace traio {

namespace {

bool is_success_code(const JobSpec& spec, int code) {
  return std::find(spec.success_exit_codes.begin(), spec.success_exit_codes.end(), code) !=
         spec.success_exit_codes.end();
}

// The outcome of a run that ended on its own (no stop requested).
Outcome natural_outcome(const JobSpec& spec, const ExitInfo& exit, std::string& reason) {
  switch (exit.kind) {
    case ExitKind::Exited:
      reason = "exited with code " + std::to_string(exit.code);
      return is_success_code(spec, exit.code) ? Outcome::Succeeded : Outcome::Failed;
    case ExitKind::Signaled:
      reason = "killed by signal " + signal_name(exit.code);
      return Outcome::Failed;  // a signal traiod did not send (SPEC §1, job kinds)
    case ExitKind::StartFailed:
      reason = exit.message;
      return Outcome::Failed;
    case ExitKind::Completed:
      reason = spec.kind == JobKind::Sleep ? "slept " + format_duration(spec.duration) : "completed";
      return Outcome::Succeeded;
    case ExitKind::Aborted:
      reason = "aborted";
      return Outcome::Cancelled;
  }
  return Outcome::Failed;
}

}  // namespace

void ScopeTree::on_job_started(const Now& now, NodeId id, std::optional<int> pid, Effects& out) {
  auto it = nodes_.find(id);
  if (it == nodes_.end() || it->second.is_scope() || it->second.is_done()) return;
  Node& n = it->second;
  if (n.state == NodeState::Pending || n.state == NodeState::Queued || n.restart.next_attempt) return;  // stale
  n.run.pid = pid;
  if (!n.started_at) n.started_at = now.wall;  // the first run; restart.last_started_at: the latest
  n.restart.last_started_at = now.wall;
  emit(now, n, EventKind::Started, pid ? "pid " + std::to_string(*pid) : std::string{}, out);
  if (n.job && n.job->kind == JobKind::Process) {
    if (n.job->ready.probe != ReadySpec::Probe::None && n.state == NodeState::Running) {
      // Not ready until its probe passes (SPEC §2 `ready`), on every run.
      n.run.probing = true;
      out.push_back(StartProbe{id});
    } else if (n.job->ready.probe == ReadySpec::Probe::None) {
      // A process without a `ready` probe is ready as soon as it runs (SPEC §1).
      on_job_ready(now, id, out);
    }
  }
  after_notify(now, n, out);  // `started`
}

void ScopeTree::on_job_ready(const Now& now, NodeId id, Effects& out) {
  auto it = nodes_.find(id);
  if (it == nodes_.end() || it->second.is_done() || it->second.ready) return;
  Node& n = it->second;
  const bool has_probe = n.job && n.job->kind == JobKind::Process && n.job->ready.probe != ReadySpec::Probe::None;
  // With a probe, only a probe that still runs may say so: one stopped since is stale.
  if (has_probe && !n.run.probing) return;
  n.run.probing = false;
  n.ready = true;
  emit(now, n, EventKind::Ready, {}, out);
  health_start(n, out);  // SPEC §6: a ready job is checked from now on
  after_notify(now, n, out);  // `ready`
}

void ScopeTree::on_job_signalled(NodeId id, int signo) {
  auto it = nodes_.find(id);
  if (it != nodes_.end() && it->second.is_live()) it->second.run.sent_signal = signo;
}

// A job's run ended. After traiod asked it to stop, it is cancelled whatever its exit
// status (rule 7), unless an earlier cause (its timeout) already decided it. A run that
// ended on its own may be restarted (rule 11); only the run it gives up on ends the job.
void ScopeTree::on_job_exited(const Now& now, NodeId id, const ExitInfo& exit, Effects& out) {
  auto it = nodes_.find(id);
  if (it == nodes_.end() || it->second.is_scope() || it->second.is_done()) return;
  Node& n = it->second;
  if (n.state == NodeState::Pending || n.state == NodeState::Queued || n.restart.next_attempt) return;  // stale
  // exit_code and signal describe the latest run, so each exit sets both.
  n.run.exit_code = exit.kind == ExitKind::Exited ? std::optional<int>(exit.code) : std::nullopt;
  n.run.signal = exit.kind == ExitKind::Signaled ? std::optional<int>(exit.code) : std::nullopt;
  if (n.run.probing) {
    n.run.probing = false;
    out.push_back(StopProbe{id});
  }
  health_stop(n, out);
  std::string reason;
  Outcome outcome = natural_outcome(*n.job, exit, reason);
  if (exit.oom && outcome == Outcome::Failed) reason = "oom";  // SPEC §6: what killed it says more than how
  if (n.run.restart_with_sibling && supervise_rerun_sibling(now, n, reason, out)) {  // §6 supervise
    trim_history(out);
    return;
  }
  if (n.run.restart_unhealthy && health_rerun(now, n, reason, out)) {  // §6 health action restart
    trim_history(out);
    return;
  }
  if (!n.run.stop_requested && rule11_restart(now, n, outcome, reason, out)) {
    trim_history(out);
    return;
  }
  if (n.run.stop_requested) {
    decide(n, Outcome::Cancelled, "cancelled (" + reason + ")", nullptr);
  } else {
    decide(n, outcome, reason, nullptr);  // unless a restart storm decided it: then the run's own
  }
  std::string run_text = n.run.stop_requested ? n.reason : reason;
  emit(now, n, EventKind::Exited, exit.kind == ExitKind::StartFailed ? exit.message : run_text, out);
  enter_done(now, n, out);
  if (n.run.intensity_exceeded) supervise_fail_scope(now, n, out);
  trim_history(out);
}

// Rule 6. A deadline that was moved since the timer was armed is stale.
void ScopeTree::on_deadline(const Now& now, NodeId id, Effects& out) {
  auto it = nodes_.find(id);
  if (it == nodes_.end() || it->second.is_done()) return;
  Node& n = it->second;
  if (!n.own_deadline || now.mono < *n.own_deadline) return;
  n.own_deadline.reset();
  rule6_timed_out(now, n, out);
  trim_history(out);
}

// A readiness timeout is a failure (SPEC §2 `ready`): the job is stopped and fails; its
// scope hears of it when the process is gone (rule 3), like any other failure. It is final:
// the stop is traiod's own (stop_requested), so rule 11 does not restart the job. A report
// from a probe that was stopped since (the run ended, a cancel) is stale.
void ScopeTree::on_ready_failed(const Now& now, NodeId id, std::string message, Effects& out) {
  auto it = nodes_.find(id);
  if (it == nodes_.end() || it->second.is_scope() || !it->second.is_live() || it->second.ready ||
      !it->second.run.probing)
    return;
  Node& n = it->second;
  n.run.probing = false;  // the probe ended by itself: no StopProbe
  rule7_cancel(now, n, Outcome::Failed, "not ready: " + message, nullptr, out);
  trim_history(out);
}

}  // namespace traio
