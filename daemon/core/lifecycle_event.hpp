#pragma once
// What the core tells the world: one event per lifecycle step of a node. The server streams
// them (`events`), wakes waiters on Done, and the daemon logs them (traio's logger).
#include <cstdint>
#include <string>
#include <string_view>

#include "common/node_state.hpp"
#include "daemon/core/node_id.hpp"
#include "daemon/core/time.hpp"

namespace traio {

enum class EventKind {
  Created,     // a node was added to the tree
  Started,     // a job's process/timer started (pid set for processes)
  Ready,       // a job became ready
  Finalized,   // a scope was finalized
  Stopping,    // cancellation reached the node (reason in message)
  Exited,      // a job's run ended (before its outcome is final for the scope)
  Done,        // the node is done: outcome is final
  TimeoutSet,  // a node's own timeout was changed
  Forgotten,   // the node left the history
  Restarting,  // rule 11: a job's run ended and it starts again after a backoff (message: when, why)
  Pending,     // a node waits for its `after` dependencies (message: which)
  Released,    // a pending node's dependencies are met: it starts now
  Queued,      // §6: the node waits for a free slot of its scope's max_parallel (message: place)
  LimitSet,    // §6: a scope's max_parallel was changed (message: N or "none")
  Paused,      // §6: `traioctl pause` reached the node (message: "timers suspended" with --timers)
  Resumed,     // §6: `traioctl resume` reached the node
  Healthy,     // §6 health: a check passed after none had, or after the job was unhealthy
  Unhealthy,   // §6 health: `failures` checks in a row failed (message: the last one's error)
};

std::string_view to_string(EventKind kind);

struct LifecycleEvent {
  std::uint64_t seq = 0;  // strictly increasing
  WallTime time;
  EventKind kind = EventKind::Created;
  NodeId id = kNoNode;
  std::string path;
  NodeState state = NodeState::Open;
  Outcome outcome = Outcome::None;
  std::string message;
};

}  // namespace traio
