#pragma once
// What the core wants done. The daemon carries effects out in order: runners start and
// stop jobs, Asio timers arm deadlines, the server and logger receive events.
#include <variant>
#include <vector>

#include "daemon/core/lifecycle_event.hpp"
#include "daemon/core/node_id.hpp"
#include "daemon/core/time.hpp"

namespace traio {

// Start the job's runner. The runner reads the spec from the tree and reports
// on_job_started / on_job_ready / on_job_exited.
struct StartJob {
  NodeId id;
};

// Stop the job: a process gets its stop signal, then SIGKILL after its grace, to its whole
// process group; an async job stops at once. The runner then reports on_job_exited.
struct StopJob {
  NodeId id;
};

// (Re-)arm the node's own deadline; when it passes, call on_deadline(id). Replaces any
// deadline armed before for that node.
struct ArmDeadline {
  NodeId id;
  SteadyTime at;
};

struct DisarmDeadline {
  NodeId id;
};

struct EmitEvent {
  LifecycleEvent event;
};

// The node left the tree's history; drop whatever the daemon keeps for it (log file stays).
struct ForgetNode {
  NodeId id;
};

// Rule 11: the job's run ended and its restart policy restarts it after a backoff. At `at`,
// call on_restart_due(id), which starts the next run. Replaces any restart armed before.
struct ScheduleRestart {
  NodeId id;
  SteadyTime at;
};

// The job was cancelled (or forgotten) during its backoff wait: drop the armed restart.
struct CancelRestart {
  NodeId id;
};

// A process with a `ready` probe runs: start the probe. It reports on_job_ready when it
// passes, or on_ready_failed when its own timeout expires first.
struct StartProbe {
  NodeId id;
};

// The job's run is ending (stop requested, exited): stop its probe if it still runs.
// Harmless when none runs.
struct StopProbe {
  NodeId id;
};

// SPEC §6 `delay`: the node waits, pending, until `at`; then call on_delay_due(id), which
// lets it start (or queue for a slot). Replaces any delay armed before for that node.
struct ArmDelay {
  NodeId id;
  SteadyTime at;
};

// The delayed node was cancelled (or timed out) before its delay passed: drop the timer.
struct DisarmDelay {
  NodeId id;
};

// SPEC §6 `pause`: freeze the job's processes (cgroup.freeze, else SIGSTOP to its process
// group). Harmless for a job that runs no process (a sleep, a restart backoff).
struct FreezeJob {
  NodeId id;
};

// SPEC §6 `resume`: thaw what FreezeJob froze. Harmless for a job that is not frozen.
struct ThawJob {
  NodeId id;
};

// SPEC §6 `health`: the job (which has `health`) is ready: check it every interval and
// report each result (on_health_check) until StopHealth.
struct StartHealth {
  NodeId id;
};

// The job's run is ending (stop requested, exited): stop its checks. Harmless when none run.
struct StopHealth {
  NodeId id;
};

using Effect = std::variant<StartJob, StopJob, ArmDeadline, DisarmDeadline, EmitEvent, ForgetNode, ScheduleRestart,
                            CancelRestart, StartProbe, StopProbe, ArmDelay, DisarmDelay, FreezeJob, ThawJob,
                            StartHealth, StopHealth>;
using Effects = std::vector<Effect>;

}  // namespace traio
