#pragma once
// What runners tell the supervisor. Runners may report from inside start() or stop() (a
// start failure, a sleep that started): the receiver must cope with being called while it
// is carrying out effects (Supervisor queues such reports).
#include <optional>
#include <string>

#include "daemon/core/exit_info.hpp"
#include "daemon/core/node_id.hpp"

namespace traio {

class JobReports {
 public:
  virtual ~JobReports() = default;
  virtual void job_started(NodeId id, std::optional<int> pid) = 0;
  virtual void job_ready(NodeId id) = 0;
  virtual void job_exited(NodeId id, ExitInfo exit) = 0;
  // A signal was delivered to the job's process group (its stop signal, or SIGKILL).
  virtual void job_signalled(NodeId id, int signo) = 0;
  // The job's `ready` probe did not pass within its timeout (`why` says what it saw last).
  virtual void job_ready_failed(NodeId id, std::string why) = 0;
};

}  // namespace traio
