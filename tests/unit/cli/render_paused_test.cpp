// `ps` STATE column for SPEC §6 pause: a paused scope keeps its state and says it is paused.
#include <doctest/doctest.h>

#include "cli/render_node.hpp"

using nlohmann::json;
using namespace traio::cli;

namespace {

const WallClock::time_point kNow = *parse_rfc3339("2026-11-26T13:00:00.000Z");

}  // namespace

TEST_CASE("ps: a paused scope shows paused before its own state, slots included") {
  CHECK(state_text(json{{"type", "scope"}, {"state", "open"}, {"paused", true}}, kNow) == "paused, open");
  const json limited = {{"type", "scope"},          {"state", "finalized"},     {"paused", true},
                        {"max_parallel", 2},        {"running_children", 2},    {"queued_children", 5}};
  CHECK(state_text(limited, kNow) == "paused, finalized (2/2 running, 5 queued)");
}

TEST_CASE("ps: a paused job shows its state paused -- a scope not paused shows its state alone") {
  CHECK(state_text(json{{"type", "job"}, {"state", "paused"}, {"paused", true}}, kNow) == "paused");
  CHECK(state_text(json{{"type", "scope"}, {"state", "open"}}, kNow) == "open");
}
