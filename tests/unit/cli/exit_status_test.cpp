#include <doctest/doctest.h>

#include "cli/exit_status.hpp"

using nlohmann::json;
using traio::cli::child_exit_code;
using traio::cli::exit_code_for_node;
using traio::cli::exit_code_for_wait;
using traio::cli::ExitCodeMode;

TEST_CASE("exit codes: each outcome maps to its SPEC §3 code") {
  const std::pair<const char*, int> table[] = {
      {"succeeded", 0}, {"failed", 1}, {"timed_out", 3}, {"cancelled", 4}, {"skipped", 9}};
  for (const auto& [outcome, code] : table) {
    CAPTURE(outcome);
    CHECK(exit_code_for_node(json{{"type", "job"}, {"outcome", outcome}}, ExitCodeMode::Outcome) == code);
  }
}

TEST_CASE("--exit-code child: a job gives its own exit code, or 128+signal") {
  CHECK(child_exit_code(json{{"type", "job"}, {"exit_code", 7}, {"signal", nullptr}}) == 7);
  CHECK(child_exit_code(json{{"type", "job"}, {"exit_code", nullptr}, {"signal", "KILL"}}) == 137);
  CHECK(child_exit_code(json{{"type", "job"}, {"exit_code", nullptr}, {"signal", 15}}) == 143);
  CHECK_FALSE(child_exit_code(json{{"type", "job"}, {"kind", "sleep"}, {"exit_code", nullptr}}));
}

TEST_CASE("--exit-code child: a scope gives the deepest code of its cause chain") {
  const json scope = {
      {"type", "scope"}, {"outcome", "failed"},
      {"cause", {{"path", "/ci/tests"}, {"outcome", "failed"}, {"exit_code", nullptr},
                 {"cause", {{"path", "/ci/tests/unit"}, {"outcome", "failed"}, {"exit_code", 42},
                            {"cause", nullptr}}}}}};
  CHECK(child_exit_code(scope) == 42);
  CHECK(exit_code_for_node(scope, ExitCodeMode::Child) == 42);
  CHECK(exit_code_for_node(scope, ExitCodeMode::Outcome) == 1);
}

TEST_CASE("--exit-code child: without any code the outcome's code is used") {
  const json scope = {{"type", "scope"}, {"outcome", "timed_out"}, {"cause", nullptr}};
  CHECK(exit_code_for_node(scope, ExitCodeMode::Child) == 3);
}

TEST_CASE("wait on several paths: the first unsuccessful one in argument order decides") {
  const json result = {{"expired", false},
                       {"nodes", {{{"path", "/a"}, {"type", "job"}, {"outcome", "succeeded"}},
                                  {{"path", "/b"}, {"type", "job"}, {"outcome", "cancelled"}},
                                  {{"path", "/c"}, {"type", "job"}, {"outcome", "failed"}}}}};
  CHECK(exit_code_for_wait(result, ExitCodeMode::Outcome) == 4);
  json all_ok = result;
  all_ok["nodes"][1]["outcome"] = "succeeded";
  all_ok["nodes"][2]["outcome"] = "succeeded";
  CHECK(exit_code_for_wait(all_ok, ExitCodeMode::Outcome) == 0);
}

TEST_CASE("wait --timeout: an expired wait exits 8") {
  const json result = {{"expired", true},
                       {"nodes", {{{"path", "/a"}, {"state", "running"}, {"outcome", nullptr}}}}};
  CHECK(exit_code_for_wait(result, ExitCodeMode::Outcome) == 8);
  CHECK(exit_code_for_wait(result, ExitCodeMode::Child) == 8);
}
