#pragma once
// traioctl exit codes (SPEC §3). Stable: scripts depend on them.
#include "common/node_state.hpp"

namespace traio {

enum class ExitCode : int {
  Success = 0,
  Failed = 1,
  Usage = 2,
  TimedOut = 3,
  Cancelled = 4,
  NotFound = 5,
  Unreachable = 6,
  Refused = 7,
  WaitExpired = 8,
  Skipped = 9,
};

ExitCode exit_code_for(Outcome outcome);
ExitCode exit_code_for(ErrorCode code);
inline int as_int(ExitCode c) { return static_cast<int>(c); }

}  // namespace traio
