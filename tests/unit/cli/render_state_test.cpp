// `ps` STATE column for restarts and `after` (issue 5): what a user sees while a job waits
// for its backoff or a node waits on its siblings.
#include <doctest/doctest.h>

#include "cli/render_node.hpp"
#include "cli/render_tree.hpp"

using nlohmann::json;
using namespace traio::cli;
using namespace std::chrono_literals;

namespace {

const WallClock::time_point kNow = *parse_rfc3339("2026-11-25T16:40:00.000Z");

}  // namespace

TEST_CASE("ps: a job waiting on its restart backoff shows when it restarts and how often it did") {
  const json job = {{"state", "running"}, {"next_attempt", "2026-11-25T16:40:02.100Z"}, {"restarts", 3}};
  CHECK(state_text(job, kNow) == "restarting in 2.1s (3 restarts)");
  const json soon = {{"state", "running"}, {"next_attempt", "2026-11-25T16:40:00.250Z"}, {"restarts", 1}};
  CHECK(state_text(soon, kNow) == "restarting in 250ms (1 restart)");
  const json late = {{"state", "running"}, {"next_attempt", "2026-11-25T16:39:59.000Z"}, {"restarts", 2}};
  CHECK(state_text(late, kNow) == "restarting in 0ms (2 restarts)");
}

TEST_CASE("ps: a running job with no restart armed shows its state") {
  CHECK(state_text(json{{"state", "running"}, {"next_attempt", nullptr}, {"restarts", 2}}, kNow) == "running");
  CHECK(state_text(json{{"state", "done"}}, kNow) == "done");
}

TEST_CASE("ps: a pending node names the siblings it still waits on") {
  const json node = {{"state", "pending"},
                     {"after", {{{"name", "db"}, {"when", "ready"}, {"met", false}},
                                {{"name", "cache"}, {"when", "started"}, {"met", true}},
                                {{"name", "migrate"}, {"when", "succeeded"}, {"met", false}}}}};
  CHECK(state_text(node, kNow) == "pending on db, migrate");
  CHECK(state_text(json{{"state", "pending"}}, kNow) == "pending");
}

TEST_CASE("ps: the tree shows restarting and pending rows, and colours skipped like cancelled") {
  const json root = {{"path", "/"}, {"type", "scope"}, {"state", "open"}, {"outcome", nullptr},
                     {"children",
                      {{{"path", "/api"}, {"name", "api"}, {"type", "job"}, {"state", "running"},
                        {"next_attempt", "2026-11-25T16:40:02.100Z"}, {"restarts", 3}, {"outcome", nullptr}},
                       {{"path", "/app"}, {"name", "app"}, {"type", "job"}, {"state", "pending"},
                        {"after", {{{"name", "db"}, {"when", "ready"}, {"met", false}}}}, {"outcome", nullptr}},
                       {{"path", "/smoke"}, {"name", "smoke"}, {"type", "job"}, {"state", "done"},
                        {"outcome", "skipped"}}}}};
  TreeStyle style;
  style.now = kNow;
  const std::string plain = render_tree(root, style);
  CHECK(plain.find("restarting in 2.1s (3 restarts)") != std::string::npos);
  CHECK(plain.find("pending on db") != std::string::npos);
  style.colour = Colour::On;
  const std::string coloured = render_tree(root, style);
  CHECK(coloured.find("\033[33mskipped\033[0m") != std::string::npos);
  CHECK(coloured.find("\033[33mcancelled") == std::string::npos);
}
