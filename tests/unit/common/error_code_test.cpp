#include "common/error_code.hpp"

#include <doctest/doctest.h>

using namespace traio;

TEST_CASE("error codes: the SPEC §5 strings, both ways") {
  const std::pair<ErrorCode, const char*> all[] = {
      {ErrorCode::BadJson, "bad_json"},
      {ErrorCode::InvalidRequest, "invalid_request"},
      {ErrorCode::UnknownOp, "unknown_op"},
      {ErrorCode::UnsupportedVersion, "unsupported_version"},
      {ErrorCode::NotFound, "not_found"},
      {ErrorCode::ScopeClosed, "scope_closed"},
      {ErrorCode::NameTaken, "name_taken"},
      {ErrorCode::PermissionDenied, "permission_denied"},
      {ErrorCode::LimitExceeded, "limit_exceeded"},
      {ErrorCode::Unsupported, "unsupported"},
      {ErrorCode::Internal, "internal"},
  };
  for (auto [code, text] : all) {
    CHECK(to_string(code) == text);
    CHECK(error_code_from_string(text) == code);
  }
  CHECK_FALSE(error_code_from_string("NotFound").has_value());
  CHECK_FALSE(error_code_from_string("").has_value());
}
