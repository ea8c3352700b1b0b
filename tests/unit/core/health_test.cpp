// SPEC §6 `health`: checks start when a job with `health` is ready and stop with its run;
// `failures` failed checks in a row make it unhealthy, and its action restarts it (as a
// rule 11 restart, whatever its policy) or fails it (rule 3 bubbles the failure).
#include "tests/unit/core/tree_harness.hpp"

namespace traio::test {

namespace {

JobSpec checked(std::string name, HealthAction action, unsigned failures = 2) {
  JobSpec spec = process_job(std::move(name));
  HealthSpec health;
  health.check.probe = ReadySpec::Probe::Http;
  health.check.url = "http://127.0.0.1:8080/health";
  health.failures = failures;
  health.action = action;
  spec.health = health;
  spec.restart.backoff.initial = 100ms;
  spec.restart.backoff.max = 100ms;
  return spec;
}

void check(TreeHarness& h, const std::string& path, bool ok, std::string message = "GET: HTTP/1.0 500") {
  NodeId n = h.id(path);
  h.record([&](Effects& out) { h.tree.on_health_check(h.now, n, ok, std::move(message), out); });
}

}  // namespace

TEST_CASE("health: checks start when the job is ready and stop when its run ends") {
  TreeHarness h;
  NodeId id = h.spawn("/", checked("api", HealthAction::Restart));
  h.take();
  h.started("/api");  // no ready probe: ready at once
  auto batch = h.take();
  CHECK(h.count<StartHealth>(batch, id) == 1);
  CHECK(h.at("/api").run.health_checking);
  h.exited("/api", 0);
  CHECK(h.count<StopHealth>(h.take(), id) == 1);
  CHECK_FALSE(h.at("/api").run.health_checking);
}

TEST_CASE("health: a job without health starts no checks") {
  TreeHarness h;
  NodeId id = h.spawn("/", "plain");
  h.started("/plain");
  CHECK(h.count<StartHealth>(h.take(), id) == 0);
  CHECK(h.at("/plain").health == nullptr);
}

TEST_CASE("health: a passing check makes it healthy once -- one event per state change") {
  TreeHarness h;
  h.spawn("/", checked("api", HealthAction::Restart));
  h.started("/api");
  h.take();
  check(h, "/api", true, "GET: 2xx");
  check(h, "/api", true, "GET: 2xx");
  auto batch = h.take();
  CHECK(TreeHarness::events(batch, EventKind::Healthy, "/api").size() == 1);
  const HealthState& s = *h.at("/api").health;
  CHECK(s.status == HealthStatus::Healthy);
  CHECK(s.last_ok);
  CHECK(s.last_message == "GET: 2xx");
  REQUIRE(s.last_at.has_value());
  CHECK(*s.last_at == h.now.wall);
}

TEST_CASE("health: fewer failures in a row than the limit change nothing -- a pass resets the count") {
  TreeHarness h;
  NodeId id = h.spawn("/", checked("api", HealthAction::Fail, 3));
  h.started("/api");
  check(h, "/api", true);
  check(h, "/api", false);
  check(h, "/api", false);
  CHECK(h.at("/api").health->failures == 2u);
  check(h, "/api", true);
  CHECK(h.at("/api").health->failures == 0u);
  check(h, "/api", false);
  check(h, "/api", false);
  auto batch = h.take();
  CHECK_FALSE(h.stopped(batch, id));
  CHECK(TreeHarness::events(batch, EventKind::Unhealthy, "/api").empty());
  CHECK(h.at("/api").health->status == HealthStatus::Healthy);
}

TEST_CASE("health: action restart stops the job and runs it again -- counted as a restart even with policy no") {
  TreeHarness h;
  NodeId id = h.spawn("/", checked("api", HealthAction::Restart));
  h.started("/api", 100);
  h.take();
  check(h, "/api", false);
  check(h, "/api", false);
  auto batch = h.take();
  auto unhealthy = TreeHarness::events(batch, EventKind::Unhealthy, "/api");
  REQUIRE(unhealthy.size() == 1);
  CHECK(unhealthy[0].message == "2 checks failed: GET: HTTP/1.0 500");
  CHECK(h.count<StopHealth>(batch, id) == 1);
  REQUIRE(h.stopped(batch, id));
  CHECK(h.at("/api").health->status == HealthStatus::Unhealthy);
  h.report(id, ExitInfo::signaled(15));
  batch = h.take();
  CHECK(h.at("/api").state == NodeState::Running);  // waiting for its backoff, not done
  CHECK(h.at("/api").outcome == Outcome::None);
  CHECK(h.at("/api").restart.restarts == 1u);
  CHECK(h.at("/api").restart.last_exit == "unhealthy: GET: HTTP/1.0 500");
  CHECK(TreeHarness::events(batch, EventKind::Restarting, "/api").size() == 1);
  h.advance(1s);
  h.fire_restarts();
  CHECK(h.count<StartJob>(h.take(), id) == 1);
  h.started("/api", 101);
  batch = h.take();
  CHECK(h.count<StartHealth>(batch, id) == 1);
  CHECK(h.at("/api").health->status == HealthStatus::Starting);  // the new run proves itself again
  CHECK(h.at("/api").health->failures == 0u);
  CHECK(h.at("/api").run.pid == 101);
}

TEST_CASE("health: action restart beyond the restart max is a restart storm -- the job fails") {
  TreeHarness h;
  JobSpec spec = checked("api", HealthAction::Restart, 1);
  spec.restart.max = 0;
  NodeId id = h.spawn("/", spec);
  h.started("/api");
  check(h, "/api", false);
  h.report(id, ExitInfo::signaled(15));
  CHECK(h.at("/api").state == NodeState::Done);
  CHECK(h.at("/api").outcome == Outcome::Failed);
  CHECK(h.at("/api").reason.find("restart storm") == 0);
}

TEST_CASE("health: action fail fails the job with reason unhealthy and bubbles to its scope -- rule 3") {
  TreeHarness h;
  h.fork("/", "s");
  NodeId id = h.spawn("/s", checked("api", HealthAction::Fail));
  h.spawn("/s", "other");
  h.started("/s/api");
  h.started("/s/other");
  h.take();
  check(h, "/s/api", false);
  check(h, "/s/api", false);
  auto batch = h.take();
  REQUIRE(h.stopped(batch, id));
  h.report(id, ExitInfo::signaled(15));
  CHECK(h.at("/s/api").outcome == Outcome::Failed);
  CHECK(h.at("/s/api").reason == "unhealthy: GET: HTTP/1.0 500");
  CHECK(h.at("/s/api").restart.restarts == 0u);
  h.reap_stopped();
  CHECK(h.at("/s").outcome == Outcome::Failed);
  REQUIRE(h.at("/s").cause != nullptr);
  CHECK(h.at("/s").cause->path == "/s/api");
}

TEST_CASE("health: a cancel while stopping to restart ends the job -- cancelled, not restarted") {
  TreeHarness h;
  NodeId id = h.spawn("/", checked("api", HealthAction::Restart));
  h.started("/api");
  check(h, "/api", false);
  check(h, "/api", false);
  h.cancel("/api");
  h.report(id, ExitInfo::signaled(15));
  CHECK(h.at("/api").state == NodeState::Done);
  CHECK(h.at("/api").outcome == Outcome::Cancelled);
  CHECK(h.at("/api").restart.restarts == 0u);
}

TEST_CASE("health: a result after the checks stopped is stale and ignored") {
  TreeHarness h;
  h.spawn("/", checked("api", HealthAction::Fail, 1));
  h.started("/api");
  h.cancel("/api");
  h.take();
  check(h, "/api", false);
  CHECK(TreeHarness::events(h.take(), EventKind::Unhealthy, "/api").empty());
  CHECK(h.at("/api").reason.find("unhealthy") == std::string::npos);
}

}  // namespace traio::test
