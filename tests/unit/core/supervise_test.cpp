// SPEC §6 "Supervision strategy": which siblings restart with a child, the scope's
// intensity within its period, and `restart.window` starting over after a stable run.
// Fed by hand, manual clock.
#include "tests/unit/core/tree_harness.hpp"

namespace traio::test {

namespace {

JobSpec supervised(std::string name, RestartPolicy policy = RestartPolicy::OnFailure, NodeFlags f = {}) {
  JobSpec spec = process_job(std::move(name), f);
  spec.restart.policy = policy;
  spec.restart.backoff.initial = 100ms;
  spec.restart.backoff.max = 100ms;  // a fixed delay: every restart is due 100 ms after
  return spec;
}

// Scope /s with `supervise` over a, b, c (on-failure) and d (no restart policy), all started.
void supervised_scope(TreeHarness& h, SuperviseStrategy strategy, unsigned intensity = 5,
                      Duration period = 1min, NodeFlags a_flags = {}) {
  NodeSpec s = scope_of("s", {node_of(supervised("a", RestartPolicy::OnFailure, a_flags)), node_of(supervised("b")),
                              node_of(supervised("c")), node_of(process_job("d"))});
  std::get<ScopeSpec>(s.node).supervise = SuperviseSpec{strategy, intensity, period};
  h.submit("/", s);
  for (const char* p : {"/s/a", "/s/b", "/s/c", "/s/d"}) h.started(p);
  h.take();
}

std::vector<std::string> stopped_names(TreeHarness& h, const Effects& batch) {
  std::vector<std::string> names;
  for (NodeId id : h.stops_in(batch)) names.push_back(h.tree.find(id)->name);
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace

TEST_CASE("supervise one_for_one: only the child that failed restarts") {
  TreeHarness h;
  supervised_scope(h, SuperviseStrategy::OneForOne);
  h.exited("/s/b", 1);
  auto batch = h.take();
  CHECK(stopped_names(h, batch).empty());
  CHECK(h.at("/s/b").restart.next_attempt.has_value());
  CHECK(h.at("/s/a").restart.restarts == 0);
  CHECK(h.at("/s/c").restart.restarts == 0);
}

TEST_CASE("supervise one_for_all: every sibling with a restart policy is stopped and runs again with it") {
  TreeHarness h;
  supervised_scope(h, SuperviseStrategy::OneForAll);
  h.exited("/s/b", 1);
  auto batch = h.take();
  CHECK(stopped_names(h, batch) == std::vector<std::string>{"a", "c"});  // not d: no restart policy
  auto stopping = TreeHarness::events(batch, EventKind::Stopping, "/s/a");
  REQUIRE(stopping.size() == 1);
  CHECK(stopping[0].message == "restarting with /s/b (one_for_all)");
  CHECK(h.state("/s/a") == NodeState::Stopping);
  h.killed("/s/a", 15);
  h.killed("/s/c", 15);
  batch = h.take();
  CHECK(h.state("/s/a") == NodeState::Running);
  CHECK(h.outcome("/s/a") == Outcome::None);
  CHECK(h.at("/s/a").restart.restarts == 1);
  CHECK(h.count<ScheduleRestart>(batch, h.id("/s/a")) == 1);
  // All three run again together, when b's backoff is over.
  h.advance(100ms);
  h.fire_restarts();
  batch = h.take();
  for (const char* p : {"/s/a", "/s/b", "/s/c"}) CHECK(h.count<StartJob>(batch, h.id(p)) == 1);
  CHECK(h.count<StartJob>(batch, h.id("/s/d")) == 0);
  CHECK(h.outcome("/s") == Outcome::None);
}

TEST_CASE("supervise rest_for_one: the child and those submitted after it restart, not those before") {
  TreeHarness h;
  supervised_scope(h, SuperviseStrategy::RestForOne);
  h.exited("/s/b", 1);
  auto batch = h.take();
  CHECK(stopped_names(h, batch) == std::vector<std::string>{"c"});
  CHECK(h.state("/s/a") == NodeState::Running);
  CHECK(h.at("/s/a").run.pid.has_value());
}

TEST_CASE("supervise: a sibling that ends on its own while it stops still runs again") {
  TreeHarness h;
  supervised_scope(h, SuperviseStrategy::OneForAll);
  h.exited("/s/b", 1);
  h.take();
  h.exited("/s/a", 0);  // exited before the signal reached it
  auto batch = h.take();
  CHECK(h.state("/s/a") == NodeState::Running);
  CHECK(h.count<ScheduleRestart>(batch, h.id("/s/a")) == 1);
}

TEST_CASE("supervise: a cancel while a sibling stops to restart ends it for good") {
  TreeHarness h;
  supervised_scope(h, SuperviseStrategy::OneForAll);
  h.exited("/s/b", 1);
  h.take();
  h.cancel("/s");
  h.reap_stopped();  // d; a and c were stopping already
  h.killed("/s/a", 15);
  h.killed("/s/c", 15);
  auto batch = h.take();
  CHECK(h.count<ScheduleRestart>(batch, h.id("/s/a")) == 0);
  CHECK(h.outcome("/s/a") == Outcome::Cancelled);
  CHECK(h.outcome("/s/b") == Outcome::Cancelled);  // was waiting for its backoff
  CHECK(h.state("/s") == NodeState::Done);
  CHECK(h.outcome("/s") == Outcome::Cancelled);
}

TEST_CASE("supervise: a child restarting while its scope ends takes no sibling along") {
  TreeHarness h;
  NodeSpec s = scope_of("s", {node_of(supervised("a")), node_of(supervised("b"))});
  auto& scope = std::get<ScopeSpec>(s.node);
  scope.supervise = SuperviseSpec{SuperviseStrategy::OneForAll, 5, 1min};
  scope.stop_order = StopOrder::Reverse;
  scope.children[1] = node_of([] {
    JobSpec b = supervised("b");
    b.after.push_back(AfterSpec{"a", AfterWhen::Started});
    return b;
  }());
  h.submit("/", s);
  h.started("/s/a");
  h.started("/s/b");
  h.cancel("/s");  // reverse: b stops first, a is held
  auto batch = h.take();
  REQUIRE(h.stops_in(batch) == std::vector<NodeId>{h.id("/s/b")});
  h.exited("/s/a", 1);  // a crashes while held: it may restart, but stops nothing to do so
  batch = h.take();
  CHECK(h.at("/s/b").run.restart_with_sibling == false);
  CHECK(h.stops_in(batch).empty());
}

TEST_CASE("supervise: more than intensity restarts within the period fail the child and the scope") {
  TreeHarness h;
  supervised_scope(h, SuperviseStrategy::OneForOne, 2, 1min);
  for (int run = 1; run <= 2; ++run) {  // two restarts: all intensity 2 allows
    h.exited("/s/a", 1);
    h.advance(100ms);
    h.fire_restarts();
    h.started("/s/a");
  }
  h.take();
  h.exited("/s/a", 3);  // a third within the minute: one more than intensity 2
  auto batch = h.take();
  CHECK(h.count<ScheduleRestart>(batch, h.id("/s/a")) == 0);
  CHECK(h.outcome("/s/a") == Outcome::Failed);
  CHECK(h.at("/s/a").reason == "restart intensity of /s exceeded; last run: exited with code 3");
  CHECK(h.outcome("/s") == Outcome::Failed);
  CHECK(h.state("/s") == NodeState::Cancelling);
  CHECK(h.stopped(batch, h.id("/s/b")));
}

TEST_CASE("supervise: the scope fails on its intensity even when the child does not bubble") {
  TreeHarness h;
  supervised_scope(h, SuperviseStrategy::OneForOne, 0, 1min, flags(false, false, true));
  h.exited("/s/a", 1);  // intensity 0: no restart at all
  h.take();
  CHECK(h.outcome("/s/a") == Outcome::Failed);
  CHECK(h.outcome("/s") == Outcome::Failed);
  CHECK(h.at("/s").reason == "restart intensity exceeded: more than 0 restarts within 1m (/s/a)");
  REQUIRE(h.at("/s").cause != nullptr);
  CHECK(h.at("/s").cause->path == "/s/a");
}

TEST_CASE("supervise: restarts older than the period no longer count") {
  TreeHarness h;
  supervised_scope(h, SuperviseStrategy::OneForOne, 1, 10s);
  h.exited("/s/a", 1);
  h.advance(100ms);
  h.fire_restarts();
  h.started("/s/a");
  h.advance(11s);  // the first restart left the period
  h.take();
  h.exited("/s/a", 1);
  CHECK(h.count<ScheduleRestart>(h.take(), h.id("/s/a")) == 1);
  CHECK(h.outcome("/s") == Outcome::None);
}

TEST_CASE("restart.window: after a run longer than the window the count and the backoff start over") {
  TreeHarness h;
  JobSpec spec = supervised("a");
  spec.restart.max = 2;
  spec.restart.window = 10s;
  spec.restart.backoff.max = 10s;
  NodeId id = h.spawn("/", spec);
  h.started("/a");
  h.exited("/a", 1);
  h.advance(200ms);
  h.fire_restarts();
  h.started("/a");
  h.exited("/a", 1);  // two restarts: the next failure within the window is a storm
  CHECK(h.at("/a").restart.recent.size() == 2);
  h.advance(1s);
  h.fire_restarts();
  h.started("/a");
  h.advance(11s);  // a stable run, longer than the window
  h.take();
  h.exited("/a", 1);
  auto batch = h.take();
  CHECK(h.outcome("/a") == Outcome::None);
  CHECK(h.at("/a").restart.recent.size() == 1);
  for (const auto& e : batch)
    if (const auto* s = std::get_if<ScheduleRestart>(&e); s != nullptr && s->id == id)
      CHECK(s->at - h.now.mono <= 100ms);  // the initial backoff again
}

}  // namespace traio::test
