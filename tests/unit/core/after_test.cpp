// SPEC §2 `after` and §6 "Dependencies": pending nodes, release, skipped and its cascade,
// names checked atomically at submit, pending scopes holding their children.
#include "tests/unit/core/tree_harness.hpp"

namespace traio::test {

namespace {

JobSpec waits(JobSpec job, const std::string& on, AfterWhen when = AfterWhen::Ready) {
  job.after.push_back(AfterSpec{on, when});
  return job;
}

JobSpec probed(std::string name, NodeFlags f = {}) {
  JobSpec spec = process_job(std::move(name), f);
  spec.ready.probe = ReadySpec::Probe::File;
  spec.ready.path = "/tmp/ready";
  return spec;
}

// The usual pair: `db` (with a ready probe) and `app`, which waits for db on `when`.
NodeId submit_pair(TreeHarness& h, AfterWhen when, NodeFlags db_flags = {}) {
  return h.submit("/", scope_of("t", {node_of(probed("db", db_flags)), node_of(waits(process_job("app"), "db", when))}));
}

}  // namespace

TEST_CASE("after: a job stays pending until its sibling is ready, then is released and starts") {
  TreeHarness h;
  submit_pair(h, AfterWhen::Ready);
  auto batch = h.take();
  NodeId app = h.id("/t/app");
  CHECK(h.state("/t/app") == NodeState::Pending);
  CHECK(h.count<StartJob>(batch, app) == 0);
  CHECK(h.count<StartJob>(batch, h.id("/t/db")) == 1);
  auto pending = TreeHarness::events(batch, EventKind::Pending, "/t/app");
  REQUIRE(pending.size() == 1);
  CHECK(pending[0].message == "waiting for db (ready)");
  h.started("/t/db");  // started, but its probe has not passed
  CHECK(h.state("/t/app") == NodeState::Pending);
  CHECK(h.count<StartJob>(h.take(), app) == 0);
  h.ready("/t/db");
  batch = h.take();
  CHECK(h.count<StartJob>(batch, app) == 1);
  CHECK(h.state("/t/app") == NodeState::Running);
  CHECK(TreeHarness::events(batch, EventKind::Released, "/t/app").size() == 1);
  CHECK(h.at("/t/app").after_links.at(0).met);
}

TEST_CASE("after: when=started releases once the sibling has started") {
  TreeHarness h;
  submit_pair(h, AfterWhen::Started);
  CHECK(h.state("/t/app") == NodeState::Pending);
  h.started("/t/db");
  CHECK(h.state("/t/app") == NodeState::Running);
}

TEST_CASE("after: when=succeeded waits for the sibling to succeed") {
  TreeHarness h;
  submit_pair(h, AfterWhen::Succeeded);
  h.started("/t/db");
  h.ready("/t/db");
  CHECK(h.state("/t/app") == NodeState::Pending);
  h.exited("/t/db", 0);
  CHECK(h.state("/t/app") == NodeState::Running);
}

TEST_CASE("after: when=done releases on any outcome") {
  TreeHarness h;
  submit_pair(h, AfterWhen::Done, flags(false, false, true));
  h.exited("/t/db", 1);
  CHECK(h.outcome("/t/db") == Outcome::Failed);
  CHECK(h.state("/t/app") == NodeState::Running);
}

TEST_CASE("after: when=failed releases when the sibling fails") {
  TreeHarness h;
  submit_pair(h, AfterWhen::Failed, flags(false, false, true));
  h.exited("/t/db", 1);
  CHECK(h.state("/t/app") == NodeState::Running);
  CHECK(h.outcome("/t") == Outcome::None);  // the failure did not bubble
}

TEST_CASE("after: when=failed skips the node when the sibling succeeds") {
  TreeHarness h;
  submit_pair(h, AfterWhen::Failed);
  h.exited("/t/db", 0);
  CHECK(h.outcome("/t/app") == Outcome::Skipped);
  CHECK(h.at("/t/app").reason == "skipped: db succeeded, needed failed");
}

TEST_CASE("after: a condition that can no longer be met skips the node -- skipped does not bubble") {
  TreeHarness h;
  submit_pair(h, AfterWhen::Succeeded, flags(false, false, true));
  NodeId app = h.id("/t/app");
  h.exited("/t/db", 1);
  auto batch = h.take();
  CHECK(h.count<StartJob>(batch, app) == 0);
  CHECK(h.count<StopJob>(batch, app) == 0);
  CHECK(h.state("/t/app") == NodeState::Done);
  CHECK(h.outcome("/t/app") == Outcome::Skipped);
  CHECK(h.at("/t/app").reason == "skipped: db failed, needed succeeded");
  REQUIRE(h.at("/t/app").cause);
  CHECK(h.at("/t/app").cause->path == "/t/db");
  // skipped counts as done for rule 2, and is no failure: the finalized tree succeeds
  CHECK(h.outcome("/t") == Outcome::Succeeded);
}

TEST_CASE("after: skipped cascades to the nodes that wait on the skipped one") {
  TreeHarness h;
  h.submit("/", scope_of("t", {node_of(process_job("db", flags(false, false, true))),
                               node_of(waits(process_job("migrate"), "db", AfterWhen::Succeeded)),
                               node_of(waits(process_job("app"), "migrate", AfterWhen::Done)),
                               node_of(waits(process_job("smoke"), "app", AfterWhen::Started))}));
  h.exited("/t/db", 2);
  CHECK(h.outcome("/t/migrate") == Outcome::Skipped);
  // `done` is met by any outcome, skipped included: app runs
  CHECK(h.state("/t/app") == NodeState::Running);
  CHECK(h.state("/t/smoke") == NodeState::Pending);
  h.cancel("/t/app");  // cancelled before it started: smoke can no longer see it start
  h.reap_stopped();
  CHECK(h.outcome("/t/smoke") == Outcome::Skipped);
  CHECK(h.at("/t/smoke").reason == "skipped: app cancelled, needed started");
}

TEST_CASE("after: a skipped node's waiters are skipped in turn") {
  TreeHarness h;
  h.submit("/", scope_of("t", {node_of(process_job("a", flags(false, false, true))),
                               node_of(waits(process_job("b"), "a", AfterWhen::Succeeded)),
                               node_of(waits(process_job("c"), "b", AfterWhen::Ready))}));
  h.exited("/t/a", 1);
  CHECK(h.outcome("/t/b") == Outcome::Skipped);
  CHECK(h.outcome("/t/c") == Outcome::Skipped);
  CHECK(h.at("/t/c").reason == "skipped: b skipped, needed ready");
  CHECK(h.outcome("/t") == Outcome::Succeeded);
}

TEST_CASE("after: a bubbling failure of the sibling cancels the pending node rather than skipping it") {
  TreeHarness h;
  submit_pair(h, AfterWhen::Succeeded);
  NodeId app = h.id("/t/app");
  h.exited("/t/db", 1);
  CHECK(h.count<StopJob>(h.take(), app) == 0);
  CHECK(h.outcome("/t/app") == Outcome::Cancelled);
  CHECK(h.outcome("/t") == Outcome::Failed);
  CHECK(h.state("/t") == NodeState::Done);
}

TEST_CASE("after: an unknown name is refused at submit and nothing of the submission is added") {
  TreeHarness h;
  h.fork("/", "ci");
  const std::size_t nodes = h.tree.node_count();
  Effects out;
  auto r = h.tree.submit(h.now, h.id("/ci"),
                         scope_of("t", {node_of(process_job("a")),
                                        scope_of("inner", {node_of(waits(process_job("x"), "db"))})}),
                         0, out);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == ErrorCode::InvalidRequest);
  CHECK(r.error().message == "after: no sibling named 'db' in /ci/t/inner");
  CHECK(out.empty());
  CHECK(h.tree.node_count() == nodes);
}

TEST_CASE("after: a node added to a scope may only name that scope's children") {
  TreeHarness h;
  h.fork("/", "ci");
  Effects out;
  auto r = h.tree.spawn(h.now, h.id("/ci"), waits(process_job("app"), "db"), {}, 0, out);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message == "after: no sibling named 'db' in /ci");
  CHECK(out.empty());
}

TEST_CASE("after: a cycle among siblings is refused at submit") {
  TreeHarness h;
  Effects out;
  auto r = h.tree.submit(h.now, kRootId,
                         scope_of("t", {node_of(waits(process_job("a"), "b")), node_of(waits(process_job("b"), "c")),
                                        node_of(waits(process_job("c"), "a"))}),
                         0, out);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == ErrorCode::InvalidRequest);
  CHECK(r.error().message == "after: cycle in /t: a -> b -> c -> a");
  CHECK(h.tree.node_count() == 1);
  auto self = h.tree.submit(h.now, kRootId, scope_of("u", {node_of(waits(process_job("a"), "a"))}), 0, out);
  REQUIRE_FALSE(self.ok());
  CHECK(out.empty());
}

TEST_CASE("after: a node added to a live scope waits on its live sibling by name") {
  TreeHarness h;
  h.spawn("/", probed("db"));
  NodeId app = h.spawn("/", waits(process_job("app"), "db"));
  CHECK(h.state("/app") == NodeState::Pending);
  CHECK(h.count<StartJob>(h.take(), app) == 0);
  h.started("/db");
  h.ready("/db");
  CHECK(h.count<StartJob>(h.take(), app) == 1);
}

TEST_CASE("after: a node added after its sibling ended sees the sibling's outcome at once") {
  TreeHarness h;
  h.spawn("/", "ok");
  h.exited("/ok", 0);
  h.spawn("/", "bad");
  h.exited("/bad", 1);
  NodeId a = h.spawn("/", waits(process_job("a"), "ok", AfterWhen::Succeeded));
  auto batch = h.take();
  CHECK(h.count<StartJob>(batch, a) == 1);
  CHECK(TreeHarness::events(batch, EventKind::Pending, "/a").empty());
  h.spawn("/", waits(process_job("b"), "bad", AfterWhen::Succeeded));
  CHECK(h.outcome("/b") == Outcome::Skipped);
}

TEST_CASE("after: a pending scope holds its children until it is released") {
  TreeHarness h;
  h.submit("/", scope_of("ci", {node_of(probed("db")),
                                scope_of("tests", {node_of(process_job("unit")), node_of(process_job("e2e"))},
                                         {AfterSpec{"db", AfterWhen::Ready}})}));
  CHECK(h.state("/ci/tests") == NodeState::Pending);
  CHECK(h.at("/ci/tests").children.empty());
  CHECK_FALSE(h.tree.resolve("/ci/tests/unit").has_value());
  // nothing can be spawned into it while it has not started
  Effects out;
  auto r = h.tree.spawn(h.now, h.id("/ci/tests"), process_job("late"), {}, 0, out);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == ErrorCode::ScopeClosed);
  h.take();
  h.started("/ci/db");
  h.ready("/ci/db");
  auto batch = h.take();
  CHECK(h.state("/ci/tests") == NodeState::Finalized);  // finalized as its spec says, once released
  CHECK(h.count<StartJob>(batch, h.id("/ci/tests/unit")) == 1);
  CHECK(h.count<StartJob>(batch, h.id("/ci/tests/e2e")) == 1);
  h.exited("/ci/tests/unit", 0);
  h.exited("/ci/tests/e2e", 0);
  CHECK(h.outcome("/ci/tests") == Outcome::Succeeded);
}

TEST_CASE("after: a pending scope asked to finalize is finalized once released") {
  TreeHarness h;
  h.submit("/", scope_of("ci", {node_of(probed("db")),
                                scope_of("tests", {node_of(process_job("unit"))}, {AfterSpec{"db", AfterWhen::Started}},
                                         false)},
                         {}, false));
  h.finalize("/ci/tests");
  CHECK(h.state("/ci/tests") == NodeState::Pending);
  h.started("/ci/db");
  CHECK(h.state("/ci/tests") == NodeState::Finalized);
}

TEST_CASE("after: waiting on a scope's start, ready and success") {
  TreeHarness h;
  h.submit("/", scope_of("t", {node_of(waits(process_job("started"), "s", AfterWhen::Started)),
                               node_of(waits(process_job("ready"), "s", AfterWhen::Ready)),
                               scope_of("s", {node_of(process_job("work"))})}));
  CHECK(h.state("/t/started") == NodeState::Running);  // the scope exists and is not pending
  CHECK(h.state("/t/ready") == NodeState::Pending);    // a scope is ready when it succeeds
  h.exited("/t/s/work", 0);
  CHECK(h.state("/t/ready") == NodeState::Running);
}

TEST_CASE("after: cancelling a pending job ends it at once -- nothing ran") {
  TreeHarness h;
  submit_pair(h, AfterWhen::Ready);
  NodeId app = h.id("/t/app");
  h.take();
  h.cancel("/t/app");
  auto batch = h.take();
  CHECK(h.count<StopJob>(batch, app) == 0);
  CHECK(h.state("/t/app") == NodeState::Done);
  CHECK(h.outcome("/t/app") == Outcome::Cancelled);
  // its sibling becoming ready later changes nothing
  h.started("/t/db");
  h.ready("/t/db");
  CHECK(h.count<StartJob>(h.take(), app) == 0);
}

TEST_CASE("after: cancelling a pending scope ends it at once -- its children are never added") {
  TreeHarness h;
  h.submit("/", scope_of("ci", {node_of(probed("db")),
                                scope_of("tests", {node_of(process_job("unit"))}, {AfterSpec{"db", AfterWhen::Ready}})}));
  h.cancel("/ci/tests");
  CHECK(h.state("/ci/tests") == NodeState::Done);
  CHECK(h.outcome("/ci/tests") == Outcome::Cancelled);
  h.started("/ci/db");
  h.ready("/ci/db");
  CHECK(h.at("/ci/tests").children.empty());
}

TEST_CASE("after: a pending node's timeout ends it timed_out without running") {
  TreeHarness h;
  h.fork("/", "s");
  JobSpec db = probed("db", flags(false, true, false));
  h.spawn("/s", db);
  JobSpec app = waits(process_job("app", flags(false, false, true)), "db");
  app.timeout = 2s;
  NodeId id = h.spawn("/s", app);
  h.advance(2s);
  h.fire_deadlines();
  CHECK(h.count<StopJob>(h.take(), id) == 0);
  CHECK(h.outcome("/s/app") == Outcome::TimedOut);
}

TEST_CASE("after: a finalized scope waits for its pending awaited children (rule 2)") {
  TreeHarness h;
  h.fork("/", "s");
  h.spawn("/s", probed("db", flags(false, true, false)));  // not awaited
  h.spawn("/s", waits(process_job("app"), "db"));
  h.finalize("/s");
  CHECK(h.state("/s") == NodeState::Finalized);  // app is pending but awaited
  h.started("/s/db");
  h.ready("/s/db");
  h.exited("/s/app", 0);
  // app done: the awaited work is over, db (not awaited) is cancelled
  CHECK(h.state("/s") == NodeState::Cancelling);
  h.reap_stopped();
  CHECK(h.outcome("/s") == Outcome::Succeeded);
}

TEST_CASE("after: a pending node waits through its sibling's restarts") {
  TreeHarness h;
  JobSpec db = process_job("db");
  db.restart.policy = RestartPolicy::OnFailure;
  h.submit("/", scope_of("t", {node_of(db), node_of(waits(process_job("app"), "db", AfterWhen::Succeeded))}));
  h.exited("/t/db", 1);
  CHECK(h.state("/t/app") == NodeState::Pending);
  h.advance(1min);
  h.fire_restarts();
  h.started("/t/db");
  h.exited("/t/db", 0);
  CHECK(h.state("/t/app") == NodeState::Running);
}

}  // namespace traio::test
