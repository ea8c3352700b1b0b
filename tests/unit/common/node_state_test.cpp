#include "common/node_state.hpp"

#include <doctest/doctest.h>

using namespace traio;

TEST_CASE("node state: types, states and outcomes round-trip through their strings") {
  CHECK(to_string(NodeType::Scope) == "scope");
  CHECK(to_string(NodeType::Job) == "job");
  CHECK(node_type_from_string("scope") == NodeType::Scope);
  CHECK(node_type_from_string("job") == NodeType::Job);
  CHECK_FALSE(node_type_from_string("Job").has_value());

  const char* states[] = {"pending", "queued",    "running",    "paused", "stopping",
                          "open",    "finalized", "cancelling", "done"};
  for (const char* s : states) {
    auto state = node_state_from_string(s);
    REQUIRE(state.has_value());
    CHECK(to_string(*state) == s);
  }
  CHECK_FALSE(node_state_from_string("ready").has_value());  // ready is a flag, not a state

  const char* outcomes[] = {"succeeded", "failed", "timed_out", "cancelled", "skipped", "lost"};
  for (const char* o : outcomes) {
    auto outcome = outcome_from_string(o);
    REQUIRE(outcome.has_value());
    CHECK(to_string(*outcome) == o);
  }
  CHECK(to_string(Outcome::None).empty());
  CHECK_FALSE(outcome_from_string("").has_value());
}

TEST_CASE("rule 3: failed and timed_out are failures -- rule 8: cancelled and skipped are not") {
  CHECK(is_failure(Outcome::Failed));
  CHECK(is_failure(Outcome::TimedOut));
  CHECK_FALSE(is_failure(Outcome::Cancelled));
  CHECK_FALSE(is_failure(Outcome::Skipped));
  CHECK_FALSE(is_failure(Outcome::Succeeded));
  CHECK_FALSE(is_failure(Outcome::None));
  CHECK_FALSE(is_failure(Outcome::Lost));
}
