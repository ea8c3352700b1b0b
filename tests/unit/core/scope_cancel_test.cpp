// SPEC §1 rules 6-10, 12 and 13: timeouts, cancellation, fork, closed scopes, claims,
// current scope, daemon stop.
#include "tests/unit/core/tree_harness.hpp"

namespace traio::test {

TEST_CASE("rule 6: a scope timeout cancels the scope -- it ends timed_out") {
  TreeHarness h;
  h.fork("/", "s", {}, 5s);
  h.spawn("/s", "a");
  h.advance(4s);
  h.fire_deadlines();
  CHECK(h.state("/s") == NodeState::Open);
  h.advance(1s);
  h.fire_deadlines();
  CHECK(h.state("/s") == NodeState::Cancelling);
  h.reap_stopped();
  CHECK(h.outcome("/s") == Outcome::TimedOut);
  CHECK(h.outcome("/s/a") == Outcome::Cancelled);
  CHECK(h.at("/s").reason == "timed out after 5s");
}

TEST_CASE("rule 6: an outer deadline cancels inner scopes, which end cancelled") {
  TreeHarness h;
  h.fork("/", "outer", {}, 1s);
  h.fork("/outer", "inner", {}, 10s);
  h.spawn("/outer/inner", "job");
  h.advance(1s);
  h.fire_deadlines();
  h.reap_stopped();
  CHECK(h.outcome("/outer") == Outcome::TimedOut);
  CHECK(h.outcome("/outer/inner") == Outcome::Cancelled);
  CHECK(h.outcome("/outer/inner/job") == Outcome::Cancelled);
  CHECK(h.deadlines.empty());  // the inner deadline was disarmed when it ended
}

TEST_CASE("rule 6: a scope's own timeout bubbles to its parent as timed_out") {
  TreeHarness h;
  h.fork("/", "outer");
  h.fork("/outer", "inner", {}, 1s);
  h.spawn("/outer/inner", "job");
  h.spawn("/outer", "sibling");
  h.advance(1s);
  h.fire_deadlines();
  h.reap_stopped();
  CHECK(h.outcome("/outer/inner") == Outcome::TimedOut);
  CHECK(h.outcome("/outer") == Outcome::TimedOut);
  CHECK(h.at("/outer").cause->path == "/outer/inner");
  CHECK(h.outcome("/outer/sibling") == Outcome::Cancelled);
}

TEST_CASE("rule 6: traioctl timeout resets a live node's own timeout from now") {
  TreeHarness h;
  h.fork("/", "s", {}, 2s);
  h.advance(1s);
  h.set_timeout("/s", 10s);  // now due at 11s from start
  h.advance(5s);
  h.fire_deadlines();
  CHECK(h.state("/s") == NodeState::Open);
  h.set_timeout("/s", 1s);
  h.advance(1s);
  h.fire_deadlines();
  CHECK(h.outcome("/s") == Outcome::TimedOut);
}

TEST_CASE("rule 6: timeout none removes the deadline") {
  TreeHarness h;
  h.fork("/", "s", {}, 1s);
  h.set_timeout("/s", std::nullopt);
  CHECK(h.deadlines.empty());
  h.advance(10s);
  h.fire_deadlines();
  CHECK(h.state("/s") == NodeState::Open);
}

TEST_CASE("rule 6: a stale deadline (moved later since it was armed) is ignored") {
  TreeHarness h;
  NodeId s = h.fork("/", "s", {}, 1s);
  h.set_timeout("/s", 10s);
  h.advance(1s);
  Effects out;
  h.tree.on_deadline(h.now, s, out);  // the old timer fires anyway
  CHECK(h.state("/s") == NodeState::Open);
}

TEST_CASE("rule 7: cancelling a scope stops every job of its subtree in one batch") {
  TreeHarness h;
  h.fork("/", "s");
  h.fork("/s", "inner");
  std::vector<NodeId> jobs;
  for (int i = 0; i < 50; ++i) jobs.push_back(h.spawn("/s", "j" + std::to_string(i)));
  jobs.push_back(h.spawn("/s/inner", "deep"));
  h.take();
  h.cancel("/s");
  auto batch = h.take();
  CHECK(h.stops_in(batch).size() == jobs.size());
  // done only when every process is reaped
  for (std::size_t i = 0; i + 1 < jobs.size(); ++i) h.report(jobs[i], ExitInfo::signaled(15));
  CHECK(h.state("/s") == NodeState::Cancelling);
  h.report(jobs.back(), ExitInfo::exited(0));
  CHECK(h.state("/s") == NodeState::Done);
  CHECK(h.outcome("/s") == Outcome::Cancelled);
  CHECK(h.outcome("/s/inner/deep") == Outcome::Cancelled);
}

TEST_CASE("rule 7: a job that ends after its stop signal is cancelled whatever its status") {
  TreeHarness h;
  h.fork("/", "s");
  h.spawn("/s", "a");
  h.cancel("/s/a");
  h.exited("/s/a", 1);
  CHECK(h.outcome("/s/a") == Outcome::Cancelled);
  CHECK(h.at("/s/a").run.exit_code == 1);  // recorded beside
  CHECK(h.state("/s") == NodeState::Open);  // a cancel is no failure (rule 8)
}

TEST_CASE("rule 7: cancelling a node that is cancelling or done changes nothing") {
  TreeHarness h;
  h.fork("/", "s");
  h.spawn("/s", "a");
  h.cancel("/s");
  auto first = h.take();
  CHECK(h.stops_in(first).size() == 1);
  h.cancel("/s");
  CHECK(h.stops_in(h.take()).empty());
  h.reap_stopped();
  h.cancel("/s");
  CHECK(h.outcome("/s") == Outcome::Cancelled);
}

TEST_CASE("rule 7: the first cause wins") {
  TreeHarness h;
  h.fork("/", "s", {}, 1s);
  h.spawn("/s", "a");
  h.spawn("/s", "b");
  h.exited("/s/a", 3);  // failure decides first
  h.advance(2s);
  h.fire_deadlines();  // the timeout comes later
  h.reap_stopped();
  CHECK(h.outcome("/s") == Outcome::Failed);
  CHECK(h.at("/s").cause->path == "/s/a");
}

TEST_CASE("rule 7: cancelling the root cancels everything in it but the root lives on") {
  TreeHarness h;
  h.spawn("/", "a");
  h.fork("/", "s");
  h.cancel("/");
  h.reap_stopped();
  CHECK(h.outcome("/a") == Outcome::Cancelled);
  CHECK(h.outcome("/s") == Outcome::Cancelled);
  CHECK(h.tree.root().state == NodeState::Open);
  h.spawn("/", "b");
}

TEST_CASE("rule 8: a sub-scope's failure counts as a failure of a child") {
  TreeHarness h;
  h.fork("/", "outer");
  h.fork("/outer", "inner");
  h.spawn("/outer/inner", "job");
  h.spawn("/outer", "sibling");
  h.exited("/outer/inner/job", 4);
  h.reap_stopped();
  CHECK(h.outcome("/outer/inner") == Outcome::Failed);
  CHECK(h.outcome("/outer") == Outcome::Failed);
  // causes chain down to the deciding job
  const auto& cause = h.at("/outer").cause;
  REQUIRE(cause);
  CHECK(cause->path == "/outer/inner");
  REQUIRE(cause->next);
  CHECK(cause->next->path == "/outer/inner/job");
  CHECK(cause->next->exit_code == 4);
}

TEST_CASE("rule 8: a sub-scope's cancellation is no failure") {
  TreeHarness h;
  h.fork("/", "outer");
  h.fork("/outer", "inner");
  h.spawn("/outer/inner", "job");
  h.cancel("/outer/inner");
  h.reap_stopped();
  CHECK(h.outcome("/outer/inner") == Outcome::Cancelled);
  CHECK(h.state("/outer") == NodeState::Open);
}

TEST_CASE("rule 8: fork --no-bubble isolates a failing sub-scope") {
  TreeHarness h;
  h.fork("/", "outer");
  h.fork("/outer", "inner", flags(false, false, true));
  h.spawn("/outer/inner", "job");
  h.exited("/outer/inner/job", 1);
  CHECK(h.outcome("/outer/inner") == Outcome::Failed);
  CHECK(h.state("/outer") == NodeState::Open);
}

TEST_CASE("rule 9: spawning or forking into a cancelling or done scope is refused") {
  TreeHarness h;
  NodeId s = h.fork("/", "s");
  h.spawn("/s", "a");
  h.cancel("/s");
  Effects out;
  auto r = h.tree.spawn(h.now, s, process_job("b"), {}, 0, out);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == ErrorCode::ScopeClosed);
  h.reap_stopped();
  auto f = h.tree.fork(h.now, s, ForkOptions{"x", {}, {}}, 0, out);
  REQUIRE_FALSE(f.ok());
  CHECK(f.error().code == ErrorCode::ScopeClosed);
}

TEST_CASE("rule 10: a claimed node no longer bubbles") {
  TreeHarness h;
  h.fork("/", "s");
  NodeId a = h.spawn("/s", "a");
  h.spawn("/s", "b");
  h.tree.claim(a);
  h.exited("/s/a", 1);
  CHECK(h.outcome("/s/a") == Outcome::Failed);
  CHECK(h.state("/s") == NodeState::Open);
}

TEST_CASE("rule 10: claiming a node that already ended changes nothing") {
  TreeHarness h;
  h.fork("/", "s");
  NodeId a = h.spawn("/s", "a");
  h.spawn("/s", "b");
  h.exited("/s/a", 1);
  h.tree.claim(a);
  CHECK_FALSE(h.at("/s/a").claimed);
  CHECK(h.outcome("/s") == Outcome::Failed);
}

TEST_CASE("rule 12: a job's scope and own path are known to the tree") {
  TreeHarness h;
  h.fork("/", "ci");
  NodeId j = h.spawn("/ci", "build");
  const Node* job = h.tree.find(j);
  REQUIRE(job != nullptr);
  CHECK(job->path == "/ci/build");
  CHECK(h.tree.find(job->parent)->path == "/ci");
}

TEST_CASE("rule 13: shutdown cancels everything -- the root ends once every job is reaped") {
  TreeHarness h;
  h.fork("/", "s");
  h.spawn("/s", "a");
  h.spawn("/", "b");
  h.record([&](Effects& out) { h.tree.shutdown(h.now, out); });
  CHECK_FALSE(h.tree.root_done());
  Effects out;
  auto r = h.tree.spawn(h.now, kRootId, process_job("late"), {}, 0, out);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == ErrorCode::ScopeClosed);
  h.reap_stopped();
  CHECK(h.tree.root_done());
  CHECK(h.tree.live_count() == 0);
}

TEST_CASE("rule 13: shutdown of an empty daemon ends at once") {
  TreeHarness h;
  h.record([&](Effects& out) { h.tree.shutdown(h.now, out); });
  CHECK(h.tree.root_done());
}

}  // namespace traio::test
