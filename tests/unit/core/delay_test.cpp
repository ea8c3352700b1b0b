// SPEC §6 "Re-run": `delay` on a job or a scope. The node starts only when its ArmDelay
// fires; it is pending meanwhile; cancel and timeout end it at once; the delay runs after
// `after` is met and before the node takes a max_parallel slot.
#include <string>
#include <vector>

#include "tests/unit/core/tree_harness.hpp"

namespace traio::test {

namespace {

NodeSpec delayed_job(std::string name, std::optional<Duration> delay, std::vector<AfterSpec> after = {}) {
  JobSpec job = process_job(std::move(name));
  job.delay = delay;
  job.after = std::move(after);
  return NodeSpec{std::move(job), {}};
}

NodeSpec limited_scope(std::string name, std::vector<NodeSpec> children, std::optional<std::size_t> max = std::nullopt,
                  std::optional<Duration> delay = std::nullopt) {
  ScopeSpec scope;
  scope.name = std::move(name);
  scope.max_parallel = max;
  scope.delay = delay;
  scope.children = std::move(children);
  return NodeSpec{std::move(scope), {}};
}

std::size_t starts(const Effects& batch, NodeId id) { return TreeHarness::count<StartJob>(batch, id); }

}  // namespace

TEST_CASE("delay: a delayed job is pending and starts only when its delay timer fires") {
  TreeHarness h;
  const NodeId id = h.submit("/", delayed_job("a", 30s));
  auto batch = h.take();
  CHECK(starts(batch, id) == 0);
  CHECK(TreeHarness::count<ArmDelay>(batch, id) == 1);
  CHECK(h.state("/a") == NodeState::Pending);
  REQUIRE(h.at("/a").start_at_wall.has_value());
  CHECK(*h.at("/a").start_at_wall == h.now.wall + 30s);
  CHECK(TreeHarness::events(batch, EventKind::Pending, "/a").at(0).message == "delayed 30s");
  h.advance(29s);
  h.fire_delays();
  CHECK(starts(h.take(), id) == 0);
  h.advance(1s);
  h.fire_delays();
  batch = h.take();
  CHECK(starts(batch, id) == 1);
  CHECK(h.state("/a") == NodeState::Running);
  CHECK_FALSE(h.at("/a").start_at_wall.has_value());
}

TEST_CASE("delay: a zero delay starts at once") {
  TreeHarness h;
  const NodeId id = h.submit("/", delayed_job("a", Duration(0)));
  auto batch = h.take();
  CHECK(starts(batch, id) == 1);
  CHECK(TreeHarness::count<ArmDelay>(batch, id) == 0);
}

TEST_CASE("delay: a cancel during the delay ends the job at once, cancelled, never started, timer dropped") {
  TreeHarness h;
  const NodeId id = h.submit("/", delayed_job("a", 30s));
  h.take();
  h.cancel("/a");
  auto batch = h.take();
  CHECK(h.state("/a") == NodeState::Done);
  CHECK(h.outcome("/a") == Outcome::Cancelled);
  CHECK(TreeHarness::count<DisarmDelay>(batch, id) == 1);
  CHECK(TreeHarness::count<StopJob>(batch, id) == 0);
  CHECK(h.delays.empty());
  // A timer that fired anyway (it raced the cancel) is stale.
  h.advance(30s);
  h.record([&](Effects& out) { h.tree.on_delay_due(h.now, id, out); });
  CHECK(starts(h.take(), id) == 0);
}

TEST_CASE("delay: a timeout shorter than the delay ends the job timed_out before it starts (rule 6 counts from submission)") {
  TreeHarness h;
  NodeSpec spec = delayed_job("a", 30s);
  std::get<JobSpec>(spec.node).timeout = 10s;
  const NodeId id = h.submit("/", std::move(spec));
  h.take();
  h.advance(10s);
  h.fire_deadlines();
  auto batch = h.take();
  CHECK(h.outcome("/a") == Outcome::TimedOut);
  CHECK(TreeHarness::count<DisarmDelay>(batch, id) == 1);
  CHECK(starts(batch, id) == 0);
}

TEST_CASE("delay: with after, the delay runs once the condition is met") {
  TreeHarness h;
  h.submit("/", limited_scope("t", {delayed_job("db", std::nullopt), delayed_job("app", 5s, {AfterSpec{"db", AfterWhen::Succeeded}})}));
  const NodeId app = h.id("/t/app");
  h.take();
  h.advance(10s);  // longer than the delay: it has not started counting
  h.fire_delays();
  CHECK(starts(h.take(), app) == 0);
  h.started("/t/db");
  h.exited("/t/db", 0);
  auto batch = h.take();
  CHECK(starts(batch, app) == 0);
  CHECK(TreeHarness::count<ArmDelay>(batch, app) == 1);
  CHECK(h.state("/t/app") == NodeState::Pending);
  h.advance(5s);
  h.fire_delays();
  CHECK(starts(h.take(), app) == 1);
}

TEST_CASE("delay: a delayed child holds no max_parallel slot while it waits, then queues in submission order") {
  TreeHarness h;
  h.submit("/", limited_scope("t", {delayed_job("slow", 5s), delayed_job("a", std::nullopt), delayed_job("b", std::nullopt)}, 1));
  auto batch = h.take();
  CHECK(starts(batch, h.id("/t/a")) == 1);  // the delayed one took no slot
  CHECK(h.state("/t/slow") == NodeState::Pending);
  CHECK(h.state("/t/b") == NodeState::Queued);
  h.advance(5s);
  h.fire_delays();
  CHECK(h.state("/t/slow") == NodeState::Queued);  // a is running: no slot free
  h.take();
  h.started("/t/a");
  h.exited("/t/a", 0);
  // Same priority: submission order decides, and slow was submitted before b.
  batch = h.take();
  CHECK(starts(batch, h.id("/t/slow")) == 1);
  CHECK(starts(batch, h.id("/t/b")) == 0);
}

TEST_CASE("delay: a delayed scope adds its children only when the delay passes, and still finalizes") {
  TreeHarness h;
  h.submit("/", limited_scope("s", {delayed_job("a", std::nullopt)}, std::nullopt, 2s));
  h.take();
  CHECK(h.state("/s") == NodeState::Pending);
  CHECK_FALSE(h.tree.resolve("/s/a").has_value());
  h.advance(2s);
  h.fire_delays();
  const NodeId a = h.id("/s/a");
  CHECK(starts(h.take(), a) == 1);
  h.started("/s/a");
  h.exited("/s/a", 0);
  CHECK(h.outcome("/s") == Outcome::Succeeded);  // finalized as a tree from a file is
}

TEST_CASE("delay: cancelling the scope of a delayed child ends the child cancelled, its timer dropped") {
  TreeHarness h;
  h.fork("/", "s");
  const NodeId id = h.submit("/s", delayed_job("a", 30s));
  h.take();
  h.cancel("/s");
  auto batch = h.take();
  CHECK(h.outcome("/s/a") == Outcome::Cancelled);
  CHECK(TreeHarness::count<DisarmDelay>(batch, id) == 1);
  CHECK(h.state("/s") == NodeState::Done);
}

}  // namespace traio::test
