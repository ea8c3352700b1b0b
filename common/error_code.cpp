#include "common/error_code.hpp"

#include <array>

namespace traio {

std::string_view to_string(ErrorCode code) {
  switch (code) {
    case ErrorCode::BadJson: return "bad_json";
    case ErrorCode::InvalidRequest: return "invalid_request";
    case ErrorCode::UnknownOp: return "unknown_op";
    case ErrorCode::UnsupportedVersion: return "unsupported_version";
    case ErrorCode::NotFound: return "not_found";
    case ErrorCode::ScopeClosed: return "scope_closed";
    case ErrorCode::NameTaken: return "name_taken";
    case ErrorCode::PermissionDenied: return "permission_denied";
    case ErrorCode::LimitExceeded: return "limit_exceeded";
    case ErrorCode::Unsupported: return "unsupported";
    case ErrorCode::Internal: return "internal";
  }
  return "internal";  // unreachable: the switch is exhaustive (-Wswitch-enum)
}

std::optional<ErrorCode> error_code_from_string(std::string_view text) {
  static constexpr std::array kAll = {
      ErrorCode::BadJson,     ErrorCode::InvalidRequest, ErrorCode::UnknownOp,
      ErrorCode::UnsupportedVersion, ErrorCode::NotFound, ErrorCode::ScopeClosed,
      ErrorCode::NameTaken,   ErrorCode::PermissionDenied, ErrorCode::LimitExceeded,
      ErrorCode::Unsupported, ErrorCode::Internal,
  };
  for (ErrorCode code : kAll)
    if (to_string(code) == text) return code;
  return std::nullopt;
}

}  // namespace traio
