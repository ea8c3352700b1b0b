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

using Effect = std::variant<StartJob, StopJob, ArmDeadline, DisarmDeadline, EmitEvent, ForgetNode>;
using Effects = std::vector<Effect>;

}  // namespace traio
