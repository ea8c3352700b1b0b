// SPEC §6 "Cleanup and stop order": cleanup children start when their scope begins to end,
// shielded from that ending; `cancel --force` and daemon stop end them; `stop_order:
// reverse` stops dependents first and groups of non-awaited children last.
#include "tests/unit/core/tree_harness.hpp"

namespace traio::test {

namespace {

JobSpec cleanup(std::string name) {
  JobSpec spec = process_job(std::move(name));
  spec.flags.cleanup = true;
  return spec;
}

JobSpec after(JobSpec job, const std::string& on, AfterWhen when = AfterWhen::Started) {
  job.after.push_back(AfterSpec{on, when});
  return job;
}

void force_cancel(TreeHarness& h, const std::string& path) {
  NodeId n = h.id(path);
  h.record([&](Effects& out) { REQUIRE(h.tree.force_cancel(h.now, n, {}, out).ok()); });
}

// /s: `work` and the cleanup `dump`, started; the scope is finalized.
void scope_with_cleanup(TreeHarness& h) {
  h.submit("/", scope_of("s", {node_of(process_job("work")), node_of(cleanup("dump"))}));
  h.started("/s/work");
}

NodeSpec reverse_scope(std::vector<NodeSpec> children) {
  NodeSpec s = scope_of("s", std::move(children));
  std::get<ScopeSpec>(s.node).stop_order = StopOrder::Reverse;
  return s;
}

}  // namespace

TEST_CASE("cleanup: a cleanup child waits, pending, until its scope begins to end") {
  TreeHarness h;
  scope_with_cleanup(h);
  auto batch = h.take();
  CHECK(h.state("/s/dump") == NodeState::Pending);
  CHECK(h.count<StartJob>(batch, h.id("/s/dump")) == 0);
  auto pending = TreeHarness::events(batch, EventKind::Pending, "/s/dump");
  REQUIRE(pending.size() == 1);
  CHECK(pending[0].message == "cleanup: starts when /s ends");
}

TEST_CASE("cleanup: when the awaited work is done the cleanup runs, and the scope is done after it") {
  TreeHarness h;
  scope_with_cleanup(h);
  h.take();
  h.exited("/s/work", 0);
  auto batch = h.take();
  CHECK(h.count<StartJob>(batch, h.id("/s/dump")) == 1);
  CHECK(h.state("/s") == NodeState::Cancelling);
  CHECK(h.outcome("/s") == Outcome::Succeeded);
  h.started("/s/dump");
  h.exited("/s/dump", 0);
  CHECK(h.state("/s") == NodeState::Done);
  CHECK(h.outcome("/s") == Outcome::Succeeded);
}

TEST_CASE("cleanup: on cancel it starts instead of being cancelled, and a second cancel leaves it running") {
  TreeHarness h;
  scope_with_cleanup(h);
  h.take();
  h.cancel("/s");
  auto batch = h.take();
  CHECK(h.stopped(batch, h.id("/s/work")));
  CHECK(h.count<StartJob>(batch, h.id("/s/dump")) == 1);
  h.started("/s/dump");
  h.cancel("/s");
  h.cancel("/");  // an ancestor's cancel does not reach it either
  CHECK_FALSE(h.stopped(h.take(), h.id("/s/dump")));
  h.killed("/s/work", 15);
  CHECK(h.state("/s") == NodeState::Cancelling);  // waits for its cleanup
  h.exited("/s/dump", 0);
  CHECK(h.state("/s") == NodeState::Done);
  CHECK(h.outcome("/s") == Outcome::Cancelled);
  CHECK(h.outcome("/s/dump") == Outcome::Succeeded);
}

TEST_CASE("cleanup: its failure fails a scope that would succeed, not one that failed already") {
  TreeHarness h;
  scope_with_cleanup(h);
  h.exited("/s/work", 0);
  h.started("/s/dump");
  h.exited("/s/dump", 2);
  CHECK(h.outcome("/s") == Outcome::Failed);
  CHECK(h.at("/s").reason == "cleanup /s/dump failed: exited with code 2");
  REQUIRE(h.at("/s").cause != nullptr);
  CHECK(h.at("/s").cause->path == "/s/dump");

  TreeHarness g;
  scope_with_cleanup(g);
  g.exited("/s/work", 1);  // bubbles: the scope fails with work as cause
  g.started("/s/dump");
  g.exited("/s/dump", 2);
  CHECK(g.outcome("/s") == Outcome::Failed);
  CHECK(g.at("/s").cause->path == "/s/work");
}

TEST_CASE("cleanup: cancel --force stops a running cleanup, and one not started never starts") {
  TreeHarness h;
  scope_with_cleanup(h);
  h.cancel("/s");
  h.started("/s/dump");
  h.take();
  force_cancel(h, "/s");
  CHECK(h.stopped(h.take(), h.id("/s/dump")));
  h.killed("/s/work", 15);
  h.killed("/s/dump", 15);
  CHECK(h.state("/s") == NodeState::Done);

  TreeHarness g;
  scope_with_cleanup(g);
  g.take();
  force_cancel(g, "/s");
  auto batch = g.take();
  CHECK(g.count<StartJob>(batch, g.id("/s/dump")) == 0);
  CHECK(g.state("/s/dump") == NodeState::Done);
  CHECK(g.outcome("/s/dump") == Outcome::Cancelled);
}

TEST_CASE("cleanup: daemon stop ends a running cleanup") {
  TreeHarness h;
  scope_with_cleanup(h);
  h.cancel("/s");
  h.started("/s/dump");
  h.take();
  h.record([&](Effects& out) { h.tree.shutdown(h.now, out); });
  CHECK(h.stopped(h.take(), h.id("/s/dump")));
}

TEST_CASE("cleanup: its timeout runs from its start, not from its submission") {
  TreeHarness h;
  JobSpec dump = cleanup("dump");
  dump.timeout = 5s;
  h.submit("/", scope_of("s", {node_of(process_job("work")), node_of(dump)}));
  h.started("/s/work");
  CHECK_FALSE(h.deadlines.contains(h.id("/s/dump")));
  h.advance(1min);
  h.exited("/s/work", 0);
  h.started("/s/dump");
  REQUIRE(h.deadlines.contains(h.id("/s/dump")));
  h.advance(5s);
  h.fire_deadlines();
  CHECK(h.stopped(h.take(), h.id("/s/dump")));
  h.killed("/s/dump", 15);
  CHECK(h.outcome("/s/dump") == Outcome::TimedOut);
  CHECK(h.outcome("/s") == Outcome::TimedOut);  // the scope would have succeeded
}

TEST_CASE("cleanup: with after it starts once its scope ends and its sibling lets it") {
  TreeHarness h;
  h.submit("/", scope_of("s", {node_of(process_job("db")), node_of(after(cleanup("dump"), "db", AfterWhen::Done))}));
  h.started("/s/db");
  h.cancel("/s");
  CHECK(h.count<StartJob>(h.effects, h.id("/s/dump")) == 0);
  h.reap_stopped();
  CHECK(h.count<StartJob>(h.take(), h.id("/s/dump")) == 1);
}

TEST_CASE("cleanup: refused directly under the root, which never ends") {
  TreeHarness h;
  Expected<NodeId> r = Error{};
  h.record([&](Effects& out) { r = h.tree.spawn(h.now, kRootId, cleanup("dump"), {}, 1000, out); });
  REQUIRE_FALSE(r);
  CHECK(r.error().code == ErrorCode::InvalidRequest);
}

TEST_CASE("stop_order reverse: dependents stop first, then what they depend on, non-awaited last") {
  TreeHarness h;
  h.submit("/", reverse_scope({node_of(process_job("db")), node_of(after(process_job("app"), "db")),
                               node_of(process_job("exporter", flags(false, true, false)))}));
  for (const char* p : {"/s/db", "/s/app", "/s/exporter"}) h.started(p);
  h.take();
  h.cancel("/s");
  auto batch = h.take();
  CHECK(h.stops_in(batch) == std::vector<NodeId>{h.id("/s/app")});
  h.killed("/s/app", 15);
  batch = h.take();
  CHECK(h.stops_in(batch) == std::vector<NodeId>{h.id("/s/db")});
  h.killed("/s/db", 15);
  batch = h.take();
  CHECK(h.stops_in(batch) == std::vector<NodeId>{h.id("/s/exporter")});
  h.killed("/s/exporter", 15);
  CHECK(h.state("/s") == NodeState::Done);
}

TEST_CASE("stop_order reverse: a lone non-awaited child waits for a non-awaited db that an awaited app needed") {
  TreeHarness h;
  h.submit("/", reverse_scope({node_of(process_job("db", flags(false, true, false))),
                               node_of(after(process_job("app"), "db")),
                               node_of(process_job("exporter", flags(false, true, false)))}));
  for (const char* p : {"/s/db", "/s/app", "/s/exporter"}) h.started(p);
  h.cancel("/s");
  CHECK(h.stops_in(h.take()) == std::vector<NodeId>{h.id("/s/app")});
  h.killed("/s/app", 15);
  CHECK(h.stops_in(h.take()) == std::vector<NodeId>{h.id("/s/db")});  // not the exporter yet
  h.killed("/s/db", 15);
  CHECK(h.stops_in(h.take()) == std::vector<NodeId>{h.id("/s/exporter")});
}

TEST_CASE("stop_order reverse: a non-awaited sidecar after an awaited app stops before the app") {
  TreeHarness h;
  h.submit("/", reverse_scope({node_of(process_job("app")),
                               node_of(after(process_job("shipper", flags(false, true, false)), "app"))}));
  h.started("/s/app");
  h.started("/s/shipper");
  h.take();
  h.cancel("/s");
  CHECK(h.stops_in(h.take()) == std::vector<NodeId>{h.id("/s/shipper")});
  h.killed("/s/shipper", 15);
  CHECK(h.stops_in(h.take()) == std::vector<NodeId>{h.id("/s/app")});
}

TEST_CASE("stop_order reverse: a running cleanup that needs db keeps it up until the cleanup ends") {
  TreeHarness h;
  h.submit("/", reverse_scope({node_of(process_job("db")), node_of(after(cleanup("dump"), "db"))}));
  h.started("/s/db");
  h.cancel("/s");
  auto batch = h.take();
  CHECK(h.count<StartJob>(batch, h.id("/s/dump")) == 1);
  CHECK(h.stops_in(batch).empty());
  h.started("/s/dump");
  h.exited("/s/dump", 0);
  CHECK(h.stops_in(h.take()) == std::vector<NodeId>{h.id("/s/db")});
}

TEST_CASE("stop_order reverse: cancel --force stops every held child at once") {
  TreeHarness h;
  h.submit("/", reverse_scope({node_of(process_job("db")), node_of(after(process_job("app"), "db"))}));
  h.started("/s/db");
  h.started("/s/app");
  h.cancel("/s");
  h.take();
  force_cancel(h, "/s");
  CHECK(h.stops_in(h.take()) == std::vector<NodeId>{h.id("/s/db")});
}

}  // namespace traio::test
