#include "common/exit_code.hpp"

namespace traio {

// SPEC §3 table.
ExitCode exit_code_for(Outcome outcome) {
  switch (outcome) {
    case Outcome::Succeeded: return ExitCode::Success;
    case Outcome::Failed: return ExitCode::Failed;
    case Outcome::TimedOut: return ExitCode::TimedOut;
    case Outcome::Cancelled: return ExitCode::Cancelled;
    case Outcome::Skipped: return ExitCode::Skipped;
    // A node lost in a daemon crash did not succeed; "failed" is the honest answer a
    // script can act on.
    case Outcome::Lost: return ExitCode::Failed;
    // Not decided yet: the node is still live, as when `wait --timeout` expires.
    case Outcome::None: return ExitCode::WaitExpired;
  }
  return ExitCode::Failed;  // unreachable: the switch is exhaustive
}

// Refusals map to 7 and bad input to 2 as SPEC §3 says. The rest (unknown_op,
// unsupported_version, internal) mean client and daemon disagree or the daemon broke:
// neither is a usage error of the user, so they are a plain failure (1).
ExitCode exit_code_for(ErrorCode code) {
  switch (code) {
    case ErrorCode::NotFound: return ExitCode::NotFound;
    case ErrorCode::ScopeClosed:
    case ErrorCode::NameTaken:
    case ErrorCode::PermissionDenied:
    case ErrorCode::LimitExceeded:
    case ErrorCode::Unsupported:
      return ExitCode::Refused;
    case ErrorCode::InvalidRequest:
    case ErrorCode::BadJson:
      return ExitCode::Usage;
    case ErrorCode::UnknownOp:
    case ErrorCode::UnsupportedVersion:
    case ErrorCode::Internal:
      return ExitCode::Failed;
  }
  return ExitCode::Failed;  // unreachable: the switch is exhaustive
}

}  // namespace traio
