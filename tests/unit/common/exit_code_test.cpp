#include "common/exit_code.hpp"

#include <doctest/doctest.h>

using namespace traio;

TEST_CASE("exit codes: outcomes map to the SPEC §3 table") {
  CHECK(as_int(exit_code_for(Outcome::Succeeded)) == 0);
  CHECK(as_int(exit_code_for(Outcome::Failed)) == 1);
  CHECK(as_int(exit_code_for(Outcome::TimedOut)) == 3);
  CHECK(as_int(exit_code_for(Outcome::Cancelled)) == 4);
  CHECK(as_int(exit_code_for(Outcome::Skipped)) == 9);
  CHECK(as_int(exit_code_for(Outcome::Lost)) == 1);
  CHECK(as_int(exit_code_for(Outcome::None)) == 8);  // still live
}

TEST_CASE("exit codes: daemon errors map to not found, refused, usage or failure") {
  CHECK(as_int(exit_code_for(ErrorCode::NotFound)) == 5);
  CHECK(as_int(exit_code_for(ErrorCode::ScopeClosed)) == 7);
  CHECK(as_int(exit_code_for(ErrorCode::NameTaken)) == 7);
  CHECK(as_int(exit_code_for(ErrorCode::PermissionDenied)) == 7);
  CHECK(as_int(exit_code_for(ErrorCode::LimitExceeded)) == 7);
  CHECK(as_int(exit_code_for(ErrorCode::Unsupported)) == 7);
  CHECK(as_int(exit_code_for(ErrorCode::InvalidRequest)) == 2);
  CHECK(as_int(exit_code_for(ErrorCode::BadJson)) == 2);
  CHECK(as_int(exit_code_for(ErrorCode::UnknownOp)) == 1);
  CHECK(as_int(exit_code_for(ErrorCode::UnsupportedVersion)) == 1);
  CHECK(as_int(exit_code_for(ErrorCode::Internal)) == 1);
}
