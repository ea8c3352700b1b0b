#include "daemon/core/lifecycle_event.hpp"

namespace traio {

std::string_view to_string(EventKind kind) {
  switch (kind) {
    case EventKind::Created: return "created";
    case EventKind::Started: return "started";
    case EventKind::Ready: return "ready";
    case EventKind::Finalized: return "finalized";
    case EventKind::Stopping: return "stopping";
    case EventKind::Exited: return "exited";
    case EventKind::Done: return "done";
    case EventKind::TimeoutSet: return "timeout_set";
    case EventKind::Forgotten: return "forgotten";
    case EventKind::Restarting: return "restarting";
    case EventKind::Pending: return "pending";
    case EventKind::Released: return "released";
    case EventKind::Queued: return "queued";
    case EventKind::LimitSet: return "limit_set";
    case EventKind::Paused: return "paused";
    case EventKind::Resumed: return "resumed";
    case EventKind::Healthy: return "healthy";
    case EventKind::Unhealthy: return "unhealthy";
  }
  return "unknown";
}

}  // namespace traio
