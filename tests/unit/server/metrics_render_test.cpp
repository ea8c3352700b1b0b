// The metrics text (SPEC §6 "Watching", docs/metrics.md) from a hand-made snapshot, read
// back by the strict parser of the format.
#include "daemon/server/metrics_render.hpp"

#include <doctest/doctest.h>

#include "daemon/server/prometheus_text.hpp"
#include "tests/support/prometheus_parser.hpp"

using namespace traio;
using namespace traio::test;

namespace {

PromText parsed(const std::string& text) {
  auto result = parse_prometheus_text(text);
  if (auto* error = std::get_if<std::string>(&result)) FAIL(*error << "\n" << text);
  return std::get<PromText>(result);
}

MetricsSnapshot sample_snapshot() {
  MetricsSnapshot s;
  s.version = "1.2.3";
  s.nodes_in(NodeState::Running) = 3;
  s.nodes_in(NodeState::Open) = 2;
  s.nodes_in(NodeState::Done) = 1;
  s.counters.job_starts = 7;
  s.counters.start_failures = 1;
  s.counters.restarts = 2;
  s.counters.ready_failures = 4;
  s.counters.count_ended(Outcome::Failed);
  s.jobs.push_back({"/ci/unit", 1'500'000, 4096});
  s.jobs.push_back({"/ci/no-memory", 250, std::nullopt});
  s.loop_lag_seconds = 0.00025;
  os::SelfUsage self;
  self.cpu_seconds = 1.5;
  self.resident_bytes = 1 << 20;
  self.open_fds = 12;
  self.max_fds = 1024;
  self.start_time_seconds = 1764150000.25;
  s.self = self;
  return s;
}

}  // namespace

TEST_CASE("metrics text: node counts by state and ends by outcome, every state and outcome listed") {
  PromText text = parsed(render_metrics(sample_snapshot()));
  CHECK(text.families.at("traio_nodes").type == "gauge");
  CHECK(text.value("traio_nodes", {{"state", "running"}}) == 3);
  CHECK(text.value("traio_nodes", {{"state", "open"}}) == 2);
  CHECK(text.value("traio_nodes", {{"state", "pending"}}) == 0);
  CHECK(text.count("traio_nodes") == std::size(kMetricStates));
  CHECK(text.families.at("traio_nodes_ended_total").type == "counter");
  CHECK(text.value("traio_nodes_ended_total", {{"outcome", "failed"}}) == 1);
  CHECK(text.value("traio_nodes_ended_total", {{"outcome", "timed_out"}}) == 0);
  CHECK(text.count("traio_nodes_ended_total") == std::size(kMetricOutcomes));
}

TEST_CASE("metrics text: spawns, spawn failures, restarts and probe failures are counters") {
  PromText text = parsed(render_metrics(sample_snapshot()));
  CHECK(text.value("traio_spawns_total") == 7);
  CHECK(text.value("traio_spawn_failures_total") == 1);
  CHECK(text.value("traio_restarts_total") == 2);
  CHECK(text.value("traio_probe_failures_total") == 4);
  for (const char* name : {"traio_spawns_total", "traio_spawn_failures_total", "traio_restarts_total",
                           "traio_probe_failures_total"})
    CHECK(text.families.at(name).type == "counter");
}

TEST_CASE("metrics text: per-job CPU in seconds and memory in bytes -- a reading the cgroup lacks has no series") {
  PromText text = parsed(render_metrics(sample_snapshot()));
  CHECK(text.value("traio_job_cpu_seconds_total", {{"path", "/ci/unit"}}) == doctest::Approx(1.5));
  CHECK(text.value("traio_job_cpu_seconds_total", {{"path", "/ci/no-memory"}}) == doctest::Approx(0.00025));
  CHECK(text.value("traio_job_memory_bytes", {{"path", "/ci/unit"}}) == 4096);
  CHECK_FALSE(text.value("traio_job_memory_bytes", {{"path", "/ci/no-memory"}}).has_value());
}

TEST_CASE("metrics text: build info, loop lag and traiod's own process figures under their standard names") {
  PromText text = parsed(render_metrics(sample_snapshot()));
  CHECK(text.value("traio_build_info", {{"version", "1.2.3"}}) == 1);
  CHECK(text.value("traio_event_loop_lag_seconds") == doctest::Approx(0.00025));
  CHECK(text.value("process_cpu_seconds_total") == doctest::Approx(1.5));
  CHECK(text.value("process_resident_memory_bytes") == 1 << 20);
  CHECK(text.value("process_open_fds") == 12);
  CHECK(text.value("process_max_fds") == 1024);
  CHECK(text.value("process_start_time_seconds") == doctest::Approx(1764150000.25));
  MetricsSnapshot without = sample_snapshot();
  without.self.reset();
  CHECK(parsed(render_metrics(without)).count("process_cpu_seconds_total") == 0);
}

TEST_CASE("metrics text: a label value with backslash, quote and newline is escaped and reads back the same") {
  MetricsSnapshot s = sample_snapshot();
  // Node names cannot hold these, but a label value must survive anything.
  const std::string odd = "/a\\b\"c\nd";
  s.jobs = {{odd, 1, 2}};
  const std::string out = render_metrics(s);
  CHECK(out.find(R"(traio_job_memory_bytes{path="/a\\b\"c\nd"} 2)") != std::string::npos);
  CHECK(parsed(out).value("traio_job_memory_bytes", {{"path", odd}}) == 2);
}

TEST_CASE("metrics text: values print as integers when whole, +Inf, -Inf and NaN as the format spells them") {
  std::string out;
  PrometheusText w(out);
  w.family("x", MetricType::Gauge, "help with \\ and\nnewline");
  w.sample("x", {"k", "1"}, 3);
  w.sample("x", {"k", "2"}, 0.5);
  w.sample("x", {"k", "3"}, std::numeric_limits<double>::infinity());
  w.sample("x", {"k", "4"}, -std::numeric_limits<double>::infinity());
  w.sample("x", {"k", "5"}, std::numeric_limits<double>::quiet_NaN());
  w.sample("x", {"k", "6"}, 123456789012.0);
  CHECK(out ==
        "# HELP x help with \\\\ and\\nnewline\n# TYPE x gauge\nx{k=\"1\"} 3\nx{k=\"2\"} 0.5\nx{k=\"3\"} +Inf\n"
        "x{k=\"4\"} -Inf\nx{k=\"5\"} NaN\nx{k=\"6\"} 123456789012\n");
  auto text = parsed(out);
  CHECK(text.families.at("x").help == "help with \\ and\nnewline");
}

TEST_CASE("the strict parser refuses what the format does not allow") {
  auto refused = [](const std::string& text) { return std::holds_alternative<std::string>(parse_prometheus_text(text)); };
  CHECK_FALSE(refused("# TYPE a counter\na 1\n"));
  CHECK(refused("a 1\n"));                                      // no TYPE
  CHECK(refused("# TYPE a counter\na 1"));                      // no final newline
  CHECK(refused("# TYPE a counter\na 1\na 2\n"));               // the same series twice
  CHECK(refused("# TYPE a gauge\n# TYPE a gauge\na 1\n"));      // TYPE twice
  CHECK(refused("# TYPE 1a gauge\n1a 1\n"));                    // bad name
  CHECK(refused("# TYPE a gauge\na{b=\"x} 1\n"));               // unterminated value
  CHECK(refused("# TYPE a gauge\na{b=\"\\t\"} 1\n"));           // bad escape
  CHECK(refused("# TYPE a gauge\na{b=\"1\",b=\"2\"} 1\n"));     // label twice
  CHECK(refused("# TYPE a gauge\na one\n"));                    // value not a number
  CHECK(refused("# TYPE a counter\na -1\n"));                   // negative counter
  CHECK(refused("# TYPE a gauge\n# TYPE b gauge\nb 1\na 1\n")); // a's group split
  CHECK(refused("# TYPE a gauge\na 1 12x\n"));                  // bad timestamp
  CHECK(refused("# TYPE a gauge\n\na 1\n"));                    // empty line
  CHECK(refused("# TYPE a fancy\na 1\n"));                      // unknown type
}
