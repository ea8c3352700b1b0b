#pragma once
// SPEC §6 `health`: what the checks of a job's current run have found, for `inspect` and
// for the core to decide when `failures` checks in a row make the job unhealthy.
#include <optional>
#include <string>
#include <string_view>

#include "daemon/core/time.hpp"

namespace traio {

// starting: no check has answered in this run yet; healthy: the last check passed, or fewer
// than `failures` checks in a row failed; unhealthy: `failures` checks in a row failed.
enum class HealthStatus { Starting, Healthy, Unhealthy };
std::string_view to_string(HealthStatus status);

struct HealthState {
  HealthStatus status = HealthStatus::Starting;
  unsigned failures = 0;  // checks failed in a row
  // The last check (kept across runs: it says why the previous run was restarted).
  std::optional<WallTime> last_at;
  bool last_ok = false;
  std::string last_message;
};

}  // namespace traio
