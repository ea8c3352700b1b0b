#pragma once
// Protocol error codes (SPEC §5). Stable: clients match on the string form.
#include <optional>
#include <string_view>

namespace traio {

enum class ErrorCode {
  BadJson,
  InvalidRequest,
  UnknownOp,
  UnsupportedVersion,
  NotFound,
  ScopeClosed,
  NameTaken,
  PermissionDenied,
  LimitExceeded,
  // SPEC §6 limits on a host that cannot apply them (no delegated cgroup v2 controller).
  Unsupported,
  Internal,
};

std::string_view to_string(ErrorCode code);
std::optional<ErrorCode> error_code_from_string(std::string_view text);

}  // namespace traio
