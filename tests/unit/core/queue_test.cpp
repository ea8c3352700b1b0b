// SPEC §6 "Concurrency limit": max_parallel slots, state queued, priority then submission
// order, `after` before the queue, cancel of queued children, `limit` live.
#include <string>
#include <vector>

#include "tests/unit/core/tree_harness.hpp"

namespace traio::test {

namespace {

NodeSpec job_node(std::string name, int priority = 0) {
  JobSpec job = process_job(std::move(name));
  job.priority = priority;
  return NodeSpec{std::move(job), {}};
}

NodeSpec limited(std::string name, std::optional<std::size_t> max, std::vector<NodeSpec> children, int priority = 0) {
  ScopeSpec scope;
  scope.name = std::move(name);
  scope.max_parallel = max;
  scope.priority = priority;
  scope.children = std::move(children);
  return NodeSpec{std::move(scope), {}};
}

std::vector<NodeSpec> jobs(std::size_t count) {
  std::vector<NodeSpec> out;
  for (std::size_t i = 0; i < count; ++i) out.push_back(job_node("j" + std::to_string(i)));
  return out;
}

// The paths of the jobs a batch starts, in order.
std::vector<std::string> started(TreeHarness& h, const Effects& batch) {
  std::vector<std::string> paths;
  for (const auto& e : batch)
    if (const auto* s = std::get_if<StartJob>(&e)) paths.push_back(h.tree.find(s->id)->path);
  return paths;
}

std::size_t running_jobs(TreeHarness& h, const std::string& scope) {
  std::size_t n = 0;
  for (NodeId id : h.at(scope).children) {
    const Node* c = h.tree.find(id);
    if (c != nullptr && c->state == NodeState::Running) ++n;
  }
  return n;
}

}  // namespace

TEST_CASE("queue: a scope with max_parallel 2 runs 2 children, queues the rest and starts one per end") {
  TreeHarness h;
  h.submit("/", limited("t", 2, jobs(5)));
  auto batch = h.take();
  CHECK(started(h, batch) == std::vector<std::string>{"/t/j0", "/t/j1"});
  CHECK(h.state("/t/j2") == NodeState::Queued);
  CHECK(h.state("/t/j4") == NodeState::Queued);
  CHECK(TreeHarness::events(batch, EventKind::Queued, "/t/j2").size() == 1);
  CHECK(h.at("/t").running_children == 2);
  for (int i = 0; i < 5; ++i) {
    CHECK(running_jobs(h, "/t") <= 2);
    const std::string next = "/t/j" + std::to_string(i);
    h.started(next);
    h.exited(next, 0);
    batch = h.take();
    if (i + 2 < 5) CHECK(started(h, batch) == std::vector<std::string>{"/t/j" + std::to_string(i + 2)});
  }
  CHECK(h.outcome("/t") == Outcome::Succeeded);
}

TEST_CASE("queue: higher priority starts first, then submission order") {
  TreeHarness h;
  h.submit("/", limited("t", 1, {job_node("a"), job_node("b", 5), job_node("c", 5), job_node("d", -1), job_node("e")}));
  std::vector<std::string> order = started(h, h.take());
  for (int i = 0; i < 5 && !order.empty(); ++i) {
    h.exited(order.back(), 0);
    for (auto& p : started(h, h.take())) order.push_back(p);
  }
  CHECK(order == std::vector<std::string>{"/t/b", "/t/c", "/t/a", "/t/e", "/t/d"});
}

TEST_CASE("queue: a spawn of higher priority overtakes the queued ones, not the running one") {
  TreeHarness h;
  h.submit("/", limited("t", 1, {job_node("a"), job_node("b")}, 0));
  h.take();
  JobSpec urgent = process_job("urgent");
  urgent.priority = 9;
  h.spawn("/t", urgent);
  CHECK(h.state("/t/urgent") == NodeState::Queued);
  CHECK(h.state("/t/a") == NodeState::Running);
  h.exited("/t/a", 0);
  CHECK(started(h, h.take()) == std::vector<std::string>{"/t/urgent"});
}

TEST_CASE("queue: a sub-scope counts as one slot, whatever it runs inside") {
  TreeHarness h;
  h.submit("/", limited("t", 1, {limited("s", std::nullopt, jobs(3)), job_node("after")}));
  auto batch = h.take();
  CHECK(started(h, batch).size() == 3);  // the three jobs of /t/s
  CHECK(h.state("/t/after") == NodeState::Queued);
  for (int i = 0; i < 3; ++i) h.exited("/t/s/j" + std::to_string(i), 0);
  CHECK(h.outcome("/t/s") == Outcome::Succeeded);
  CHECK(started(h, h.take()) == std::vector<std::string>{"/t/after"});
}

TEST_CASE("queue: a queued sub-scope holds its children until its slot, and refuses spawns meanwhile") {
  TreeHarness h;
  h.submit("/", limited("t", 1, {job_node("first"), limited("s", std::nullopt, jobs(2))}));
  h.take();
  CHECK(h.state("/t/s") == NodeState::Queued);
  CHECK(h.at("/t/s").children.empty());
  Effects out;
  auto refused = h.tree.spawn(h.now, h.id("/t/s"), process_job("x"), {}, 1000, out);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().code == ErrorCode::ScopeClosed);
  h.exited("/t/first", 0);
  CHECK(started(h, h.take()) == std::vector<std::string>{"/t/s/j0", "/t/s/j1"});
  CHECK(h.state("/t/s") == NodeState::Finalized);  // a tree's scope is finalized once it starts
}

TEST_CASE("queue: a child waiting on after is pending, and only then competes for a slot") {
  TreeHarness h;
  JobSpec b = process_job("b");
  b.after.push_back(AfterSpec{"a", AfterWhen::Done});
  h.submit("/", limited("t", 1, {job_node("a"), NodeSpec{b, {}}, job_node("c")}));
  h.take();
  CHECK(h.state("/t/a") == NodeState::Running);
  CHECK(h.state("/t/b") == NodeState::Pending);
  CHECK(h.state("/t/c") == NodeState::Queued);
  h.exited("/t/a", 0);
  // a's slot went to c, queued first; b, released now, queues behind it.
  CHECK(started(h, h.take()) == std::vector<std::string>{"/t/c"});
  CHECK(h.state("/t/b") == NodeState::Queued);
  h.exited("/t/c", 0);
  CHECK(started(h, h.take()) == std::vector<std::string>{"/t/b"});
}

TEST_CASE("queue: cancelling a queued child ends it cancelled without starting it") {
  TreeHarness h;
  h.submit("/", limited("t", 1, jobs(3)));
  h.take();
  h.cancel("/t/j1");
  auto batch = h.take();
  CHECK(h.state("/t/j1") == NodeState::Done);
  CHECK(h.outcome("/t/j1") == Outcome::Cancelled);
  CHECK(h.count<StopJob>(batch, h.id("/t/j1")) == 0);
  CHECK(h.state("/t/j0") == NodeState::Running);  // the running one is untouched
  h.exited("/t/j0", 0);
  CHECK(started(h, h.take()) == std::vector<std::string>{"/t/j2"});
  h.exited("/t/j2", 0);
  CHECK(h.outcome("/t") == Outcome::Succeeded);  // a cancelled child is no failure (rule 8)
  CHECK_FALSE(h.at("/t/j1").started_at);
}

TEST_CASE("queue: cancelling the scope empties its queue -- queued children never start") {
  TreeHarness h;
  h.submit("/", limited("t", 2, jobs(6)));
  h.take();
  h.cancel("/t");
  auto batch = h.take();
  for (int i = 2; i < 6; ++i) {
    const std::string p = "/t/j" + std::to_string(i);
    CHECK(h.state(p) == NodeState::Done);
    CHECK(h.outcome(p) == Outcome::Cancelled);
  }
  CHECK(h.stops_in(batch).size() == 2);
  h.effects = batch;
  h.reap_stopped();
  CHECK(started(h, h.take()).empty());
  CHECK(h.outcome("/t") == Outcome::Cancelled);
  CHECK(h.state("/t") == NodeState::Done);
}

TEST_CASE("queue: cancelling the root starts none of its queued children") {
  TreeHarness h;
  h.record([&](Effects& out) { REQUIRE(h.tree.set_max_parallel(h.now, kRootId, 1, out).ok()); });
  JobSpec backoff = process_job("flaky");
  backoff.restart.policy = RestartPolicy::Always;
  h.spawn("/", backoff);
  h.spawn("/", "waiting");
  h.started("/flaky");
  h.exited("/flaky", 1);  // now in its backoff: cancelling it ends it at once, freeing the slot
  h.take();
  CHECK(h.state("/waiting") == NodeState::Queued);
  h.cancel("/");
  CHECK(started(h, h.take()).empty());
  CHECK(h.outcome("/waiting") == Outcome::Cancelled);
  CHECK(h.outcome("/flaky") == Outcome::Cancelled);
}

TEST_CASE("queue: a job in its restart backoff keeps its slot") {
  TreeHarness h;
  JobSpec flaky = process_job("flaky");
  flaky.restart.policy = RestartPolicy::OnFailure;
  flaky.restart.max = 1;
  h.submit("/", limited("t", 1, {NodeSpec{flaky, {}}, job_node("next")}));
  h.take();
  h.started("/t/flaky");
  h.exited("/t/flaky", 1);  // restarts after a backoff
  CHECK(started(h, h.take()).empty());
  CHECK(h.state("/t/next") == NodeState::Queued);
  h.advance(10s);
  h.fire_restarts();
  CHECK(started(h, h.take()) == std::vector<std::string>{"/t/flaky"});
  h.exited("/t/flaky", 1);  // a storm: it gives up, its slot frees (the failure bubbles)
  CHECK(h.outcome("/t/flaky") == Outcome::Failed);
  CHECK(h.outcome("/t/next") == Outcome::Cancelled);  // rule 3 cancelled the scope first
  CHECK(started(h, h.take()).empty());
}

TEST_CASE("queue: non-awaited children hold slots like any other") {
  TreeHarness h;
  h.submit("/", limited("t", 1, {NodeSpec{process_job("side", flags(false, true, false)), {}}, job_node("work")}));
  h.take();
  CHECK(h.state("/t/side") == NodeState::Running);
  CHECK(h.state("/t/work") == NodeState::Queued);
  h.exited("/t/side", 0);
  CHECK(started(h, h.take()) == std::vector<std::string>{"/t/work"});
}

TEST_CASE("queue: raising the limit starts queued children at once, none removes it") {
  TreeHarness h;
  h.submit("/", limited("t", 1, jobs(6)));
  h.take();
  NodeId t = h.id("/t");
  h.record([&](Effects& out) { REQUIRE(h.tree.set_max_parallel(h.now, t, 3, out).ok()); });
  auto batch = h.take();
  CHECK(started(h, batch) == std::vector<std::string>{"/t/j1", "/t/j2"});
  CHECK(TreeHarness::events(batch, EventKind::LimitSet, "/t").at(0).message == "3");
  h.record([&](Effects& out) { REQUIRE(h.tree.set_max_parallel(h.now, t, std::nullopt, out).ok()); });
  CHECK(started(h, h.take()) == std::vector<std::string>{"/t/j3", "/t/j4", "/t/j5"});
  CHECK_FALSE(h.at("/t").max_parallel);
}

TEST_CASE("queue: lowering the limit stops nothing that runs -- new starts wait") {
  TreeHarness h;
  h.submit("/", limited("t", 3, jobs(5)));
  h.take();
  NodeId t = h.id("/t");
  h.record([&](Effects& out) { REQUIRE(h.tree.set_max_parallel(h.now, t, 1, out).ok()); });
  auto batch = h.take();
  CHECK(h.stops_in(batch).empty());
  CHECK(running_jobs(h, "/t") == 3);
  h.exited("/t/j0", 0);
  h.exited("/t/j1", 0);
  CHECK(started(h, h.take()).empty());  // 1 still runs: at the new limit
  h.exited("/t/j2", 0);
  CHECK(started(h, h.take()) == std::vector<std::string>{"/t/j3"});
}

TEST_CASE("queue: limit on a job is refused -- on an ended scope too, and 0 is no limit") {
  TreeHarness h;
  h.submit("/", limited("t", 1, jobs(1)));
  Effects out;
  auto on_job = h.tree.set_max_parallel(h.now, h.id("/t/j0"), 2, out);
  REQUIRE_FALSE(on_job.ok());
  CHECK(on_job.error().code == ErrorCode::InvalidRequest);
  auto zero = h.tree.set_max_parallel(h.now, h.id("/t"), 0, out);
  REQUIRE_FALSE(zero.ok());
  CHECK(zero.error().code == ErrorCode::InvalidRequest);
  h.exited("/t/j0", 0);
  auto ended = h.tree.set_max_parallel(h.now, h.id("/t"), 2, out);
  REQUIRE_FALSE(ended.ok());
  CHECK(ended.error().code == ErrorCode::ScopeClosed);
}

TEST_CASE("queue: fork with max_parallel limits the forked scope and shows in its source") {
  TreeHarness h;
  Expected<NodeId> r = Error{};
  h.record([&](Effects& out) { r = h.tree.fork(h.now, kRootId, ForkOptions{"f", {}, std::nullopt, 2}, 1000, out); });
  REQUIRE(r.ok());
  CHECK(h.at("/f").max_parallel == 2u);
  CHECK(h.at("/f").source.json()["max_parallel"] == 2);
  for (int i = 0; i < 4; ++i) h.spawn("/f", "j" + std::to_string(i));
  CHECK(started(h, h.take()).size() == 2);
  CHECK(h.state("/f/j2") == NodeState::Queued);
}

TEST_CASE("queue: a queued job's own timeout ends it timed_out without starting -- rule 6") {
  TreeHarness h;
  JobSpec slow = process_job("late");
  slow.timeout = 5s;
  slow.flags.bubble = false;
  h.submit("/", limited("t", 1, {job_node("first"), NodeSpec{slow, {}}}));
  h.take();
  h.advance(6s);
  h.fire_deadlines();
  CHECK(h.outcome("/t/late") == Outcome::TimedOut);
  CHECK(started(h, h.take()).empty());
  CHECK(h.state("/t/first") == NodeState::Running);
}

}  // namespace traio::test
