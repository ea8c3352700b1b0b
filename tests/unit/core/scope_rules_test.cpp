// SPEC §1 rules 1-5, fed by hand with a manual clock.
#include "tests/unit/core/tree_harness.hpp"

namespace traio::test {

TEST_CASE("rule 1: an open scope does not end when its children end") {
  TreeHarness h;
  h.fork("/", "s");
  h.spawn("/s", "a");
  h.spawn("/s", "b");
  h.started("/s/a");
  h.started("/s/b");
  h.exited("/s/a", 0);
  h.exited("/s/b", 0);
  CHECK(h.state("/s") == NodeState::Open);
  CHECK(h.outcome("/s") == Outcome::None);
  CHECK(h.outcome("/s/a") == Outcome::Succeeded);
  // still usable: more children may come
  h.spawn("/s", "c");
  CHECK(h.state("/s/c") == NodeState::Running);
}

TEST_CASE("rule 1: the root scope is never finalized and never ends with its children") {
  TreeHarness h;
  h.spawn("/", "a");
  h.exited("/a", 3);
  CHECK(h.tree.root().state == NodeState::Open);
  Effects out;
  auto r = h.tree.finalize(h.now, kRootId, out);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == ErrorCode::InvalidRequest);
}

TEST_CASE("rule 2: a finalized scope ends once no awaited child is live") {
  TreeHarness h;
  h.fork("/", "s");
  h.spawn("/s", "a");
  h.spawn("/s", "b");
  h.finalize("/s");
  CHECK(h.state("/s") == NodeState::Finalized);
  h.exited("/s/a", 0);
  CHECK(h.state("/s") == NodeState::Finalized);
  h.exited("/s/b", 0);
  CHECK(h.state("/s") == NodeState::Done);
  CHECK(h.outcome("/s") == Outcome::Succeeded);
  CHECK(h.at("/s").ready);
}

TEST_CASE("rule 2: finalizing an empty scope ends it at once") {
  TreeHarness h;
  h.fork("/", "s");
  h.finalize("/s");
  CHECK(h.state("/s") == NodeState::Done);
  CHECK(h.outcome("/s") == Outcome::Succeeded);
}

TEST_CASE("rule 2: a tree whose children are all submitted is finalized") {
  TreeHarness h;
  ScopeSpec scope;
  scope.name = "t";
  scope.children.push_back(NodeSpec{process_job("a"), {}});
  Effects out;
  auto r = h.tree.submit(h.now, kRootId, NodeSpec{scope, {}}, 0, out);
  REQUIRE(r.ok());
  CHECK(h.state("/t") == NodeState::Finalized);
  h.exited("/t/a", 0);
  CHECK(h.outcome("/t") == Outcome::Succeeded);
}

TEST_CASE("rule 2: spawning into a finalized live scope is allowed and awaited") {
  TreeHarness h;
  h.fork("/", "s");
  h.spawn("/s", "a");
  h.finalize("/s");
  h.spawn("/s", "late");
  h.exited("/s/a", 0);
  CHECK(h.state("/s") == NodeState::Finalized);
  h.exited("/s/late", 0);
  CHECK(h.outcome("/s") == Outcome::Succeeded);
}

TEST_CASE("rule 3: a bubbling failure cancels its siblings and becomes the scope's error") {
  TreeHarness h;
  h.fork("/", "s");
  NodeId a = h.spawn("/s", "a");
  NodeId b = h.spawn("/s", "b");
  h.take();
  h.exited("/s/a", 2);
  auto batch = h.take();
  CHECK(h.stopped(batch, b));
  CHECK_FALSE(h.stopped(batch, a));
  CHECK(h.state("/s") == NodeState::Cancelling);
  CHECK(h.outcome("/s") == Outcome::Failed);
  h.report(b, ExitInfo::signaled(15));
  CHECK(h.state("/s") == NodeState::Done);
  CHECK(h.outcome("/s") == Outcome::Failed);
  CHECK(h.outcome("/s/b") == Outcome::Cancelled);
  REQUIRE(h.at("/s").cause);
  CHECK(h.at("/s").cause->path == "/s/a");
  CHECK(h.at("/s").cause->exit_code == 2);
}

TEST_CASE("rule 3: with bubble=false the failure is recorded on the child only") {
  TreeHarness h;
  h.fork("/", "s");
  h.spawn("/s", "a", flags(false, false, true));
  h.spawn("/s", "b");
  h.take();
  h.exited("/s/a", 1);
  CHECK(h.stops_in(h.take()).empty());
  CHECK(h.outcome("/s/a") == Outcome::Failed);
  CHECK(h.state("/s") == NodeState::Open);
  h.finalize("/s");
  h.exited("/s/b", 0);
  CHECK(h.outcome("/s") == Outcome::Succeeded);
}

TEST_CASE("rule 3: a child's timeout is re-raised by its scope as timed_out") {
  TreeHarness h;
  h.fork("/", "s");
  JobSpec slow = process_job("slow");
  slow.timeout = 2s;
  NodeId slow_id = h.spawn("/s", slow);
  NodeId other = h.spawn("/s", "other");
  h.take();
  h.advance(2s);
  h.fire_deadlines();
  auto batch = h.take();
  // the scope reacts to the timeout at once: both jobs are stopped in the same batch
  CHECK(h.stopped(batch, slow_id));
  CHECK(h.stopped(batch, other));
  CHECK(h.outcome("/s") == Outcome::TimedOut);
  h.report(slow_id, ExitInfo::signaled(15));
  h.report(other, ExitInfo::signaled(15));
  CHECK(h.outcome("/s/slow") == Outcome::TimedOut);
  CHECK(h.outcome("/s/other") == Outcome::Cancelled);
  CHECK(h.outcome("/s") == Outcome::TimedOut);
  REQUIRE(h.at("/s").cause);
  CHECK(h.at("/s").cause->path == "/s/slow");
  CHECK(h.at("/s").cause->signal == 15);  // learnt after the scope had decided
}

TEST_CASE("rule 3: a start failure is a failure that bubbles") {
  TreeHarness h;
  h.fork("/", "s");
  NodeId a = h.spawn("/s", "a");
  h.spawn("/s", "b");
  h.report(a, ExitInfo::start_failed("cannot start 'nope': No such file or directory"));
  CHECK(h.outcome("/s/a") == Outcome::Failed);
  CHECK(h.at("/s/a").reason.find("No such file") != std::string::npos);
  CHECK(h.outcome("/s") == Outcome::Failed);
}

TEST_CASE("rule 3: a signal traiod did not send is a failure") {
  TreeHarness h;
  h.fork("/", "s");
  h.spawn("/s", "a");
  h.killed("/s/a", 9);
  CHECK(h.outcome("/s/a") == Outcome::Failed);
  CHECK(h.at("/s/a").run.signal == 9);
  CHECK(h.outcome("/s") == Outcome::Failed);
}

TEST_CASE("rule 3: success_exit_codes make other codes succeed") {
  TreeHarness h;
  h.fork("/", "s");
  JobSpec j = process_job("a");
  j.success_exit_codes = {0, 143};
  h.spawn("/s", j);
  h.exited("/s/a", 143);
  CHECK(h.outcome("/s/a") == Outcome::Succeeded);
  CHECK(h.state("/s") == NodeState::Open);
}

TEST_CASE("rule 4: a master ending stops its scope, which succeeds") {
  TreeHarness h;
  h.fork("/", "s");
  h.spawn("/s", "m", flags(true, true, true));
  NodeId bg = h.spawn("/s", "bg");
  h.take();
  h.exited("/s/m", 0);
  CHECK(h.stopped(h.take(), bg));
  h.report(bg, ExitInfo::signaled(15));
  CHECK(h.outcome("/s") == Outcome::Succeeded);
  CHECK(h.outcome("/s/bg") == Outcome::Cancelled);
}

TEST_CASE("rule 4: a failing bubbling master fails its scope") {
  TreeHarness h;
  h.fork("/", "s");
  h.spawn("/s", "m", flags(true, true, true));
  h.exited("/s/m", 7);
  CHECK(h.outcome("/s") == Outcome::Failed);
  CHECK(h.at("/s").cause->exit_code == 7);
}

TEST_CASE("rule 4: bubble=false + master=true exits silently even when the master failed") {
  TreeHarness h;
  h.fork("/", "s");
  h.spawn("/s", "m", flags(true, false, true));
  h.spawn("/s", "other");
  h.exited("/s/m", 7);
  h.reap_stopped();
  CHECK(h.outcome("/s/m") == Outcome::Failed);
  CHECK(h.outcome("/s") == Outcome::Succeeded);
}

TEST_CASE("rule 4: cancelling the master ends its scope") {
  TreeHarness h;
  h.fork("/", "s");
  h.spawn("/s", "m", flags(true, true, true));
  h.spawn("/s", "other");
  h.cancel("/s/m");
  h.reap_stopped();  // m exits after its stop signal
  h.reap_stopped();  // then the scope stops `other`
  CHECK(h.outcome("/s/m") == Outcome::Cancelled);
  CHECK(h.state("/s") == NodeState::Done);
  CHECK(h.outcome("/s") == Outcome::Succeeded);
}

TEST_CASE("rule 5: non-awaited children are cancelled once the awaited ones are done") {
  TreeHarness h;
  h.fork("/", "s");
  NodeId bg = h.spawn("/s", "bg", flags(false, true, false));
  h.spawn("/s", "work");
  h.finalize("/s");
  h.take();
  h.exited("/s/work", 0);
  CHECK(h.stopped(h.take(), bg));
  CHECK(h.state("/s") == NodeState::Cancelling);
  h.report(bg, ExitInfo::signaled(15));
  CHECK(h.outcome("/s") == Outcome::Succeeded);
  CHECK(h.outcome("/s/bg") == Outcome::Cancelled);
}

TEST_CASE("rule 5: a scope with only non-awaited children ends when finalized") {
  TreeHarness h;
  h.fork("/", "s");
  h.spawn("/s", "bg", flags(false, true, false));
  h.finalize("/s");
  CHECK(h.state("/s") == NodeState::Cancelling);
  h.reap_stopped();
  CHECK(h.outcome("/s") == Outcome::Succeeded);
}

TEST_CASE("rule 5: a non-awaited child that fails still bubbles") {
  TreeHarness h;
  h.fork("/", "s");
  h.spawn("/s", "bg", flags(false, true, false));
  h.spawn("/s", "work");
  h.exited("/s/bg", 1);
  CHECK(h.outcome("/s") == Outcome::Failed);
}

}  // namespace traio::test
