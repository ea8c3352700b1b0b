// `ps` STATE column of a scope with max_parallel (SPEC §6): how its slots are used.
#include <doctest/doctest.h>

#include "cli/render_node.hpp"

using nlohmann::json;
using namespace traio::cli;

TEST_CASE("ps: a scope with max_parallel shows running of max and how many are queued") {
  const auto now = *parse_rfc3339("2026-11-25T16:40:00.000Z");
  const json scope = {{"state", "finalized"}, {"max_parallel", 8}, {"running_children", 8}, {"queued_children", 992}};
  CHECK(state_text(scope, now) == "finalized (8/8 running, 992 queued)");
  CHECK(state_text(json{{"state", "open"}, {"max_parallel", nullptr}}, now) == "open");
  CHECK(state_text(json{{"state", "done"}, {"max_parallel", 2}}, now) == "done");
}
