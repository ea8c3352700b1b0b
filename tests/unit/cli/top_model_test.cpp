// `traioctl top`'s model: a `ps` snapshot kept current by events, log lines and stats.
#include <doctest/doctest.h>

#include "cli/top_model.hpp"

using nlohmann::json;
using namespace traio::cli;

namespace {

const json kSnapshot = {
    {"path", "/"}, {"name", ""}, {"type", "scope"}, {"state", "open"}, {"created_at", "2026-11-26T12:00:00.000Z"},
    {"children",
     {{{"path", "/ci"}, {"name", "ci"}, {"type", "scope"}, {"state", "finalized"}, {"created_at", "2026-11-26T12:59:00.000Z"},
       {"children",
        {{{"path", "/ci/unit"}, {"name", "unit"}, {"type", "job"}, {"state", "running"},
          {"created_at", "2026-11-26T12:59:00.000Z"}, {"started_at", "2026-11-26T12:59:00.100Z"}, {"restarts", 2}},
         {{"path", "/ci/lint"}, {"name", "lint"}, {"type", "job"}, {"state", "pending"},
          {"created_at", "2026-11-26T12:59:00.000Z"}}}}}}}};

json event(const std::string& kind, const std::string& path, const std::string& state, const json& outcome = nullptr,
           const std::string& time = "2026-11-26T13:00:00.000Z") {
  return {{"seq", 1}, {"time", time}, {"kind", kind}, {"path", path}, {"state", state}, {"outcome", outcome}, {"message", ""}};
}

}  // namespace

TEST_CASE("top model: the snapshot gives every node, children in order, types and restarts") {
  TopModel model;
  model.load_snapshot(kSnapshot);
  REQUIRE(model.size() == 4);
  REQUIRE(model.root() != nullptr);
  CHECK(model.root()->children == std::vector<std::string>{"/ci"});
  CHECK(model.find("/ci")->children == std::vector<std::string>{"/ci/unit", "/ci/lint"});
  CHECK(model.find("/ci")->scope);
  CHECK_FALSE(model.find("/ci/unit")->scope);
  CHECK(model.find("/ci/unit")->restarts == 2);
  CHECK(model.find("/ci/unit")->name == "unit");
}

TEST_CASE("top model: a created event adds the node under its parent, last among its siblings") {
  TopModel model;
  model.load_snapshot(kSnapshot);
  CHECK(model.apply_event(event("created", "/ci/e2e", "pending")));
  REQUIRE(model.find("/ci/e2e") != nullptr);
  CHECK(model.find("/ci")->children.back() == "/ci/e2e");
  CHECK(model.find("/ci/e2e")->created_at == parse_rfc3339("2026-11-26T13:00:00.000Z"));
}

TEST_CASE("top model: state, ready, done and outcome follow the events") {
  TopModel model;
  model.load_snapshot(kSnapshot);
  model.apply_event(event("started", "/ci/lint", "running"));
  CHECK(model.find("/ci/lint")->state == "running");
  model.apply_event(event("ready", "/ci/lint", "running"));
  CHECK(model.find("/ci/lint")->ready);
  model.apply_event(event("done", "/ci/lint", "done", "failed", "2026-11-26T13:00:05.000Z"));
  const TopNode& lint = *model.find("/ci/lint");
  CHECK_FALSE(lint.live());
  CHECK(lint.outcome == "failed");
  CHECK_FALSE(lint.ready);
  CHECK(lint.ended_at == parse_rfc3339("2026-11-26T13:00:05.000Z"));
  CHECK(model.counts().at("failed") == 1);
}

TEST_CASE("top model: a started event after the first run counts a restart") {
  TopModel model;
  model.load_snapshot(kSnapshot);
  model.apply_event(event("restarting", "/ci/unit", "pending"));
  model.apply_event(event("started", "/ci/unit", "running"));
  CHECK(model.find("/ci/unit")->restarts == 3);
  model.apply_event(event("started", "/ci/lint", "running"));
  CHECK(model.find("/ci/lint")->restarts == 0);
}

TEST_CASE("top model: paused and resumed mark a scope that keeps its state") {
  TopModel model;
  model.load_snapshot(kSnapshot);
  model.apply_event(event("paused", "/ci", "finalized"));
  CHECK(model.find("/ci")->paused);
  CHECK(model.find("/ci")->state == "finalized");
  model.apply_event(event("resumed", "/ci", "finalized"));
  CHECK_FALSE(model.find("/ci")->paused);
}

TEST_CASE("top model: events of unknown paths are ignored -- forgotten removes only an ended node") {
  TopModel model;
  model.load_snapshot(kSnapshot);
  CHECK_FALSE(model.apply_event(event("done", "/gone", "done", "succeeded")));
  CHECK_FALSE(model.apply_event(event("forgotten", "/ci/unit", "running")));
  CHECK(model.find("/ci/unit") != nullptr);
  model.apply_event(event("done", "/ci/unit", "done", "cancelled"));
  CHECK(model.apply_event(event("forgotten", "/ci/unit", "done", "cancelled")));
  CHECK(model.find("/ci/unit") == nullptr);
  CHECK(model.find("/ci")->children == std::vector<std::string>{"/ci/lint"});
}

TEST_CASE("top model: a new run of a held path starts afresh") {
  TopModel model;
  model.load_snapshot(kSnapshot);
  model.apply_log_line({{"path", "/ci/unit"}, {"line", "old run"}});
  model.apply_event(event("done", "/ci/unit", "done", "failed"));
  model.apply_event(event("created", "/ci/unit", "pending"));
  const TopNode& unit = *model.find("/ci/unit");
  CHECK(unit.live());
  CHECK(unit.outcome.empty());
  CHECK(unit.restarts == 0);
  CHECK(unit.last_log.empty());
  CHECK(model.find("/ci")->children.size() == 2);
}

TEST_CASE("top model: log lines set the last line -- an initial tail does not replace a newer one") {
  TopModel model;
  model.load_snapshot(kSnapshot);
  CHECK(model.apply_log_line({{"path", "/ci/unit"}, {"line", "compiling"}, {"stream", "out"}}));
  CHECK_FALSE(model.apply_log_line({{"path", "/ci/unit"}, {"line", "older"}}, /*only_if_empty=*/true));
  CHECK(model.find("/ci/unit")->last_log == "compiling");
  CHECK_FALSE(model.apply_log_line({{"path", "/nope"}, {"line", "x"}}));
}

TEST_CASE("top model: stats give memory at once and CPU% from the second sample") {
  TopModel model;
  model.load_snapshot(kSnapshot);
  const auto t0 = std::chrono::steady_clock::time_point{} + std::chrono::seconds(100);
  model.apply_stats({{"jobs", {{{"path", "/ci/unit"}, {"cpu_usec", 1'000'000}, {"memory_bytes", 4096}}}}}, t0);
  CHECK(model.find("/ci/unit")->memory_bytes == 4096);
  CHECK_FALSE(model.find("/ci/unit")->cpu_percent.has_value());
  model.apply_stats({{"jobs", {{{"path", "/ci/unit"}, {"cpu_usec", 1'500'000}, {"memory_peak", 9000}}}}},
                    t0 + std::chrono::seconds(2));
  REQUIRE(model.find("/ci/unit")->cpu_percent.has_value());
  CHECK(*model.find("/ci/unit")->cpu_percent == doctest::Approx(25.0));
}

TEST_CASE("top model: stats without the fields or for unknown paths change nothing") {
  TopModel model;
  model.load_snapshot(kSnapshot);
  CHECK_FALSE(model.apply_stats(json::object(), {}));
  CHECK_FALSE(model.apply_stats({{"jobs", {{{"path", "/nope"}, {"cpu_usec", 5}}}}}, {}));
  CHECK_FALSE(model.apply_stats({{"jobs", {{{"path", "/ci/unit"}}}}}, {}));
}

TEST_CASE("top model: prune drops ended subtrees after the linger, keeps a live child's ended parent") {
  TopModel model;
  model.load_snapshot(kSnapshot);
  model.apply_event(event("done", "/ci/lint", "done", "succeeded", "2026-11-26T13:00:00.000Z"));
  const auto now = *parse_rfc3339("2026-11-26T13:00:05.000Z");
  CHECK_FALSE(model.prune_ended(now, std::chrono::seconds(10)));
  CHECK(model.prune_ended(now, std::chrono::seconds(1)));
  CHECK(model.find("/ci/lint") == nullptr);
  CHECK(model.find("/ci/unit") != nullptr);
}
