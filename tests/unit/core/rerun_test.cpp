// SPEC §6 "Re-run": `restart` (a new generation of an ended node from its stored spec) and
// `retry` (only what failed, timed out or was skipped), scope_rerun.cpp.
#include "tests/unit/core/tree_harness.hpp"

namespace traio::test {

namespace {

JobSpec after_succeeded(JobSpec job, const std::string& on) {
  job.after.push_back(AfterSpec{on, AfterWhen::Succeeded});
  return job;
}

NodeFlags no_bubble() { return flags(false, false, true); }

Expected<NodeId> restart(TreeHarness& h, const std::string& path) {
  Expected<NodeId> r = Error{};
  NodeId id = h.id(path);
  h.record([&](Effects& out) { r = h.tree.restart(h.now, id, out); });
  return r;
}

Expected<std::vector<NodeId>> retry(TreeHarness& h, const std::string& path) {
  Expected<std::vector<NodeId>> r = Error{};
  NodeId id = h.id(path);
  h.record([&](Effects& out) { r = h.tree.retry(h.now, id, [](const Node&) { return true; }, out); });
  return r;
}

// The pipeline of the integration test: a, then b after a succeeded, and c that fails.
void run_pipeline(TreeHarness& h, NodeFlags c_flags = {}) {
  h.submit("/", scope_of("ci", {node_of(process_job("a")), node_of(after_succeeded(process_job("b"), "a")),
                                node_of(process_job("c", c_flags))}));
  h.started("/ci/a");
  h.started("/ci/c");
  h.exited("/ci/a", 0);
  h.started("/ci/b");
  h.exited("/ci/b", 0);
  h.exited("/ci/c", 1);
  h.take();
}

}  // namespace

TEST_CASE("restart: an ended job runs again as generation 2 -- the path names the new run, the old stays in history") {
  TreeHarness h;
  NodeId old = h.spawn("/", "build");
  h.started("/build");
  h.exited("/build", 1);
  h.take();
  auto created = restart(h, "/build");
  REQUIRE(created.ok());
  CHECK(*created != old);
  CHECK(h.id("/build") == *created);
  const Node& now_run = h.at("/build");
  CHECK(now_run.generation == 2);
  CHECK(now_run.previous_generation == old);
  CHECK(now_run.state == NodeState::Running);
  CHECK(now_run.owner_uid == 1000);
  CHECK(now_run.job->argv == std::vector<std::string>{"/bin/true"});
  CHECK(h.count<StartJob>(h.take(), *created) == 1);
  const Node* first = h.tree.find(old);
  REQUIRE(first != nullptr);
  CHECK(first->outcome == Outcome::Failed);
  CHECK(first->generation == 1);
  const auto& kids = h.tree.root().children;
  CHECK(std::count(kids.begin(), kids.end(), old) == 1);
  CHECK(std::count(kids.begin(), kids.end(), *created) == 1);
}

TEST_CASE("restart: a third run is generation 3 and chains to the second") {
  TreeHarness h;
  h.spawn("/", "x");
  for (int run = 0; run < 2; ++run) {
    h.started("/x");
    h.exited("/x", 1);
    REQUIRE(restart(h, "/x").ok());
  }
  CHECK(h.at("/x").generation == 3);
  CHECK(h.tree.find(h.at("/x").previous_generation)->generation == 2);
}

TEST_CASE("restart: a live node is refused -- name_taken, and nothing is added") {
  TreeHarness h;
  h.spawn("/", "svc");
  h.started("/svc");
  const std::size_t nodes = h.tree.node_count();
  auto r = restart(h, "/svc");
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == ErrorCode::NameTaken);
  CHECK(r.error().message.find("still running") != std::string::npos);
  CHECK(h.tree.node_count() == nodes);
}

TEST_CASE("restart: a node whose scope is done is refused -- scope_closed") {
  TreeHarness h;
  h.submit("/", scope_of("t", {node_of(process_job("a"))}));
  h.started("/t/a");
  h.exited("/t/a", 0);
  REQUIRE(h.at("/t").is_done());
  auto r = restart(h, "/t/a");
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == ErrorCode::ScopeClosed);
}

TEST_CASE("restart: a node whose scope is cancelling is refused -- scope_closed") {
  TreeHarness h;
  h.submit("/", scope_of("t", {node_of(process_job("a", no_bubble())), node_of(process_job("b"))}));
  h.started("/t/a");
  h.started("/t/b");
  h.exited("/t/a", 1);
  h.cancel("/t");  // b gets its stop signal and has not exited yet
  REQUIRE(h.state("/t") == NodeState::Cancelling);
  auto r = restart(h, "/t/a");
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == ErrorCode::ScopeClosed);
}

TEST_CASE("restart: an ended tree runs again whole -- each child is its path's generation 2") {
  TreeHarness h;
  run_pipeline(h);
  REQUIRE(h.outcome("/ci") == Outcome::Failed);
  auto r = restart(h, "/ci");
  REQUIRE(r.ok());
  auto batch = h.take();
  CHECK(h.at("/ci").generation == 2);
  CHECK(h.at("/ci/a").generation == 2);
  CHECK(h.at("/ci/c").generation == 2);
  CHECK(h.state("/ci/b") == NodeState::Pending);  // waits for the new a
  CHECK(h.count<StartJob>(batch, h.id("/ci/a")) == 1);
  CHECK(h.count<StartJob>(batch, h.id("/ci/c")) == 1);
  h.started("/ci/a");
  h.exited("/ci/a", 0);
  CHECK(h.count<StartJob>(h.take(), h.id("/ci/b")) == 1);
}

TEST_CASE("restart: a job spawned into a scope later is not part of the scope's spec") {
  TreeHarness h;
  h.submit("/", scope_of("t", {node_of(process_job("a"))}, {}, false));
  h.spawn("/t", "extra");
  h.cancel("/t");
  h.reap_stopped();
  REQUIRE(h.at("/t").is_done());
  REQUIRE(restart(h, "/t").ok());
  CHECK(h.at("/t").children.size() == 1);
  CHECK(h.at("/t/a").generation == 2);
}

TEST_CASE("retry: a live scope re-runs exactly its failed, timed-out and skipped children") {
  TreeHarness h;
  h.fork("/", "s");
  JobSpec slow = process_job("slow", no_bubble());
  slow.timeout = 5s;
  h.spawn("/s", process_job("ok", no_bubble()));
  h.spawn("/s", process_job("bad", no_bubble()));
  h.spawn("/s", slow);
  h.spawn("/s", after_succeeded(process_job("skip", no_bubble()), "bad"));
  h.spawn("/s", process_job("stopped", no_bubble()));
  h.spawn("/s", process_job("live", no_bubble()));
  for (const char* p : {"/s/ok", "/s/bad", "/s/slow", "/s/stopped", "/s/live"}) h.started(p);
  h.exited("/s/ok", 0);
  h.exited("/s/bad", 2);
  h.advance(6s);
  h.fire_deadlines();
  h.reap_stopped();
  h.cancel("/s/stopped");
  h.reap_stopped();
  REQUIRE(h.outcome("/s/slow") == Outcome::TimedOut);
  REQUIRE(h.outcome("/s/skip") == Outcome::Skipped);
  REQUIRE(h.outcome("/s/stopped") == Outcome::Cancelled);
  auto r = retry(h, "/s");
  REQUIRE(r.ok());
  CHECK(r->size() == 3);
  CHECK(h.at("/s/bad").generation == 2);
  CHECK(h.at("/s/slow").generation == 2);
  CHECK(h.at("/s/skip").generation == 2);
  CHECK(h.state("/s/skip") == NodeState::Pending);  // waits for the new run of bad
  CHECK(h.at("/s/ok").generation == 1);
  CHECK(h.at("/s/stopped").generation == 1);
  CHECK(h.at("/s/live").generation == 1);
  h.exited("/s/bad", 0);
  CHECK(h.count<StartJob>(h.take(), h.id("/s/skip")) == 1);
}

TEST_CASE("retry: nothing to retry gives an empty result and adds nothing") {
  TreeHarness h;
  h.fork("/", "s");
  h.spawn("/s", "ok");
  h.started("/s/ok");
  h.exited("/s/ok", 0);
  const std::size_t nodes = h.tree.node_count();
  auto r = retry(h, "/s");
  REQUIRE(r.ok());
  CHECK(r->empty());
  CHECK(h.tree.node_count() == nodes);
}

TEST_CASE("retry: an ended scope runs again -- succeeded children are carried over as done, the rest run") {
  TreeHarness h;
  run_pipeline(h);
  NodeId old_scope = h.id("/ci");
  auto r = retry(h, "/ci");
  REQUIRE(r.ok());
  REQUIRE(r->size() == 1);
  auto batch = h.take();
  CHECK(h.id("/ci") != old_scope);
  CHECK(h.at("/ci").generation == 2);
  CHECK(h.at("/ci").previous_generation == old_scope);
  CHECK(h.state("/ci/a") == NodeState::Done);
  CHECK(h.outcome("/ci/a") == Outcome::Succeeded);
  CHECK(h.at("/ci/a").generation == 1);
  CHECK(h.outcome("/ci/b") == Outcome::Succeeded);
  CHECK(h.count<StartJob>(batch, h.id("/ci/a")) == 0);
  CHECK(h.count<StartJob>(batch, h.id("/ci/b")) == 0);
  CHECK(h.count<StartJob>(batch, h.id("/ci/c")) == 1);
  CHECK(h.at("/ci/c").generation == 2);
  CHECK(h.tree.find(h.at("/ci/c").previous_generation)->outcome == Outcome::Failed);
  h.started("/ci/c");
  h.exited("/ci/c", 0);
  CHECK(h.outcome("/ci") == Outcome::Succeeded);
  CHECK(h.tree.find(old_scope)->outcome == Outcome::Failed);
}

TEST_CASE("retry: a carried-over sibling satisfies the after of a re-run job") {
  TreeHarness h;
  h.submit("/", scope_of("ci", {node_of(process_job("a")), node_of(after_succeeded(process_job("b"), "a"))}));
  h.started("/ci/a");
  h.exited("/ci/a", 0);
  h.started("/ci/b");
  h.exited("/ci/b", 1);
  REQUIRE(retry(h, "/ci").ok());
  auto batch = h.take();
  CHECK(h.count<StartJob>(batch, h.id("/ci/b")) == 1);
  CHECK(h.state("/ci/b") == NodeState::Running);
}

TEST_CASE("retry: an ended scope whose run succeeded has nothing to retry") {
  TreeHarness h;
  h.submit("/", scope_of("ci", {node_of(process_job("a"))}));
  h.started("/ci/a");
  h.exited("/ci/a", 0);
  auto r = retry(h, "/ci");
  REQUIRE(r.ok());
  CHECK(r->empty());
}

TEST_CASE("retry: a job is refused -- retry takes a scope") {
  TreeHarness h;
  h.spawn("/", "j");
  h.started("/j");
  h.exited("/j", 1);
  auto r = retry(h, "/j");
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == ErrorCode::InvalidRequest);
}

TEST_CASE("restart: a node restored from the journal is refused -- its spec is not kept") {
  TreeHarness h;
  RestoredNode restored;
  restored.name = "old";
  restored.outcome = Outcome::Failed;
  Effects out;
  REQUIRE(h.tree.restore(kRootId, restored, out).ok());
  auto r = restart(h, "/old");
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == ErrorCode::InvalidRequest);
}

}  // namespace traio::test
