// SPEC §6 "Pause and resume": jobs frozen and thawed, a paused scope's queue held, cancel
// and timeouts while paused, --timers suspending deadlines and restart backoffs.
#include <string>
#include <vector>

#include "tests/unit/core/tree_harness.hpp"

namespace traio::test {

namespace {

Status pause(TreeHarness& h, const std::string& path, bool timers = false) {
  NodeId n = h.id(path);
  Status result = ok_status();
  h.record([&](Effects& out) { result = h.tree.pause(h.now, n, timers, out); });
  return result;
}

Status resume(TreeHarness& h, const std::string& path) {
  NodeId n = h.id(path);
  Status result = ok_status();
  h.record([&](Effects& out) { result = h.tree.resume(h.now, n, out); });
  return result;
}

NodeSpec limited(std::string name, std::size_t max, std::size_t count) {
  ScopeSpec scope;
  scope.name = std::move(name);
  scope.max_parallel = max;
  for (std::size_t i = 0; i < count; ++i) scope.children.push_back(node_of(process_job("j" + std::to_string(i))));
  return NodeSpec{std::move(scope), {}};
}

JobSpec restarting_job(std::string name) {
  JobSpec job = process_job(std::move(name));
  job.restart.policy = RestartPolicy::Always;
  job.restart.backoff.initial = 10s;
  job.restart.backoff.max = 10s;
  return job;
}

}  // namespace

TEST_CASE("pause: a running job becomes paused and is frozen -- resume thaws it and it runs again") {
  TreeHarness h;
  const NodeId job = h.spawn("/", "j");
  h.started("/j");
  h.take();
  REQUIRE(pause(h, "/j").ok());
  auto batch = h.take();
  CHECK(h.state("/j") == NodeState::Paused);
  CHECK(TreeHarness::count<FreezeJob>(batch, job) == 1);
  CHECK(TreeHarness::events(batch, EventKind::Paused, "/j").size() == 1);
  REQUIRE(resume(h, "/j").ok());
  batch = h.take();
  CHECK(h.state("/j") == NodeState::Running);
  CHECK(TreeHarness::count<ThawJob>(batch, job) == 1);
  CHECK(TreeHarness::events(batch, EventKind::Resumed, "/j").size() == 1);
}

TEST_CASE("pause: pausing a scope pauses every running job below it and the scope keeps its state") {
  TreeHarness h;
  h.fork("/", "s");
  h.spawn("/s", "a");
  h.fork("/s", "inner");
  h.spawn("/s/inner", "b");
  h.take();
  REQUIRE(pause(h, "/s").ok());
  auto batch = h.take();
  CHECK(h.state("/s") == NodeState::Open);
  CHECK(h.at("/s").pause.paused);
  CHECK(h.state("/s/a") == NodeState::Paused);
  CHECK(h.state("/s/inner/b") == NodeState::Paused);
  CHECK(TreeHarness::count<FreezeJob>(batch, h.id("/s/inner/b")) == 1);
  REQUIRE(resume(h, "/s").ok());
  CHECK(h.state("/s/a") == NodeState::Running);
  CHECK(h.state("/s/inner/b") == NodeState::Running);
  CHECK_FALSE(h.at("/s/inner").pause.paused);
}

TEST_CASE("pause: a paused max_parallel scope starts no queued child when a running one ends -- resume does") {
  TreeHarness h;
  h.submit("/", limited("t", 1, 2));
  h.take();
  REQUIRE(pause(h, "/t").ok());
  h.exited("/t/j0", 0);
  auto batch = h.take();
  CHECK(TreeHarness::count<StartJob>(batch, h.id("/t/j1")) == 0);
  CHECK(h.state("/t/j1") == NodeState::Queued);
  REQUIRE(resume(h, "/t").ok());
  batch = h.take();
  CHECK(TreeHarness::count<StartJob>(batch, h.id("/t/j1")) == 1);
  CHECK(h.state("/t/j1") == NodeState::Running);
}

TEST_CASE("pause: a queued job paused itself is skipped when a slot frees -- it takes one once resumed") {
  TreeHarness h;
  h.submit("/", limited("t", 1, 3));
  h.take();
  REQUIRE(pause(h, "/t/j1").ok());
  CHECK(h.state("/t/j1") == NodeState::Queued);
  h.exited("/t/j0", 0);
  auto batch = h.take();
  CHECK(TreeHarness::count<StartJob>(batch, h.id("/t/j1")) == 0);
  CHECK(TreeHarness::count<StartJob>(batch, h.id("/t/j2")) == 1);
  REQUIRE(resume(h, "/t/j1").ok());
  CHECK(h.take().size() == 1);  // the resumed event only: the slot is taken
  h.exited("/t/j2", 0);
  CHECK(TreeHarness::count<StartJob>(h.take(), h.id("/t/j1")) == 1);
}

TEST_CASE("pause: a queued job paused itself starts on resume when a slot is free") {
  TreeHarness h;
  h.submit("/", limited("t", 1, 2));
  h.take();
  REQUIRE(pause(h, "/t/j1").ok());
  h.exited("/t/j0", 0);
  CHECK(TreeHarness::count<StartJob>(h.take(), h.id("/t/j1")) == 0);
  REQUIRE(resume(h, "/t/j1").ok());
  CHECK(TreeHarness::count<StartJob>(h.take(), h.id("/t/j1")) == 1);
  CHECK(h.state("/t/j1") == NodeState::Running);
}

TEST_CASE("pause: a child spawned into a paused scope is held, queued, until resume") {
  TreeHarness h;
  h.fork("/", "s");
  REQUIRE(pause(h, "/s").ok());
  const NodeId late = h.spawn("/s", "late");
  auto batch = h.take();
  CHECK(TreeHarness::count<StartJob>(batch, late) == 0);
  CHECK(h.state("/s/late") == NodeState::Queued);
  REQUIRE(resume(h, "/s").ok());
  batch = h.take();
  CHECK(TreeHarness::count<StartJob>(batch, late) == 1);
}

TEST_CASE("pause: a pending child released by after while its scope is paused does not start") {
  TreeHarness h;
  h.fork("/", "s");
  h.spawn("/s", "first");
  JobSpec second = process_job("second");
  second.after = {AfterSpec{"first", AfterWhen::Succeeded}};
  const NodeId id = h.spawn("/s", std::move(second));
  REQUIRE(pause(h, "/s").ok());
  h.exited("/s/first", 0);
  auto batch = h.take();
  CHECK(TreeHarness::count<StartJob>(batch, id) == 0);
  REQUIRE(resume(h, "/s").ok());
  CHECK(TreeHarness::count<StartJob>(h.take(), id) == 1);
}

TEST_CASE("pause: cancel of a paused job stops it and it ends cancelled") {
  TreeHarness h;
  const NodeId job = h.spawn("/", "j");
  h.started("/j");
  REQUIRE(pause(h, "/j").ok());
  h.take();
  h.cancel("/j");
  auto batch = h.effects;
  CHECK(TreeHarness::count<StopJob>(batch, job) == 1);
  CHECK(h.state("/j") == NodeState::Stopping);
  h.reap_stopped();
  CHECK(h.state("/j") == NodeState::Done);
  CHECK(h.outcome("/j") == Outcome::Cancelled);
}

TEST_CASE("pause: without --timers a timeout while paused cancels the job as usual") {
  TreeHarness h;
  JobSpec spec = process_job("j");
  spec.timeout = 5s;
  const NodeId job = h.spawn("/", std::move(spec));
  h.started("/j");
  REQUIRE(pause(h, "/j").ok());
  h.take();
  h.advance(6s);
  h.fire_deadlines();
  CHECK(TreeHarness::count<StopJob>(h.effects, job) == 1);
  h.reap_stopped();
  CHECK(h.outcome("/j") == Outcome::TimedOut);
}

TEST_CASE("pause: --timers suspends a deadline and resume re-arms it with the time that was left") {
  TreeHarness h;
  JobSpec spec = process_job("j");
  spec.timeout = 5s;
  const NodeId job = h.spawn("/", std::move(spec));
  h.started("/j");
  h.advance(2s);
  REQUIRE(pause(h, "/j", true).ok());
  CHECK(TreeHarness::count<DisarmDeadline>(h.take(), job) == 1);
  h.advance(60s);
  h.fire_deadlines();
  CHECK(h.state("/j") == NodeState::Paused);
  REQUIRE(resume(h, "/j").ok());
  CHECK(h.deadlines.at(job) == h.now.mono + 3s);
  h.advance(2s);
  h.fire_deadlines();
  CHECK(h.state("/j") == NodeState::Running);
  h.advance(1s);
  h.fire_deadlines();
  CHECK(h.state("/j") == NodeState::Stopping);
  h.reap_stopped();
  CHECK(h.outcome("/j") == Outcome::TimedOut);
}

TEST_CASE("pause: a job in its restart backoff does not restart until resumed") {
  TreeHarness h;
  const NodeId job = h.spawn("/", restarting_job("r"));
  h.started("/r");
  h.exited("/r", 1);
  REQUIRE(h.restarts.count(job) == 1);
  REQUIRE(pause(h, "/r").ok());
  h.advance(20s);
  h.take();
  h.fire_restarts();
  CHECK(TreeHarness::count<StartJob>(h.take(), job) == 0);
  REQUIRE(resume(h, "/r").ok());
  CHECK(TreeHarness::count<StartJob>(h.take(), job) == 1);
  CHECK(h.state("/r") == NodeState::Running);
}

TEST_CASE("pause: --timers suspends a restart backoff and resume re-arms what was left") {
  TreeHarness h;
  const NodeId job = h.spawn("/", restarting_job("r"));
  h.started("/r");
  h.exited("/r", 1);
  h.advance(4s);
  REQUIRE(pause(h, "/r", true).ok());
  CHECK(h.restarts.count(job) == 0);
  h.advance(60s);
  REQUIRE(resume(h, "/r").ok());
  CHECK(h.restarts.at(job) == h.now.mono + 6s);
  h.take();
  h.advance(6s);
  h.fire_restarts();
  CHECK(TreeHarness::count<StartJob>(h.take(), job) == 1);
}

TEST_CASE("pause: cancel of a job paused with --timers in its backoff ends it at once") {
  TreeHarness h;
  const NodeId job = h.spawn("/", restarting_job("r"));
  h.started("/r");
  h.exited("/r", 1);
  REQUIRE(pause(h, "/r", true).ok());
  h.take();
  h.cancel("/r");
  CHECK(TreeHarness::count<StopJob>(h.effects, job) == 0);
  CHECK(h.state("/r") == NodeState::Done);
  CHECK(h.outcome("/r") == Outcome::Cancelled);
}

TEST_CASE("pause: pausing a paused node changes nothing -- pausing a done node is scope_closed") {
  TreeHarness h;
  h.spawn("/", "j");
  h.started("/j");
  REQUIRE(pause(h, "/j").ok());
  h.take();
  REQUIRE(pause(h, "/j", true).ok());
  CHECK(h.take().empty());
  h.spawn("/", "k");
  h.exited("/k", 0);
  auto done = pause(h, "/k");
  REQUIRE_FALSE(done.ok());
  CHECK(done.error().code == ErrorCode::ScopeClosed);
  auto root = pause(h, "/");
  REQUIRE_FALSE(root.ok());
  CHECK(root.error().code == ErrorCode::InvalidRequest);
}

TEST_CASE("pause: cancel of a paused scope ends it and its paused jobs") {
  TreeHarness h;
  h.fork("/", "s");
  h.spawn("/s", "a");
  h.started("/s/a");
  REQUIRE(pause(h, "/s").ok());
  h.take();
  h.cancel("/s");
  h.reap_stopped();
  CHECK(h.state("/s") == NodeState::Done);
  CHECK(h.outcome("/s/a") == Outcome::Cancelled);
}

}  // namespace traio::test
