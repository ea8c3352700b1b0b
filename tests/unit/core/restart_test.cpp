// SPEC §1 rule 11: restart policies, backoff, restart storms, and how a restarting job
// meets cancellation, timeouts and the rules of its scope. Fed by hand, manual clock.
#include "tests/unit/core/tree_harness.hpp"

namespace traio::test {

namespace {

JobSpec restarting(std::string name, RestartPolicy policy, std::optional<unsigned> max = std::nullopt,
                   NodeFlags f = {}) {
  JobSpec spec = process_job(std::move(name), f);
  spec.restart.policy = policy;
  spec.restart.max = max;
  spec.restart.window = 1min;
  spec.restart.backoff.initial = 100ms;
  spec.restart.backoff.max = 10s;
  return spec;
}

// The delay of the restart the batch schedules for `id`, from the harness's clock.
Duration scheduled_delay(const TreeHarness& h, const Effects& batch, NodeId id) {
  for (const auto& e : batch)
    if (const auto* s = std::get_if<ScheduleRestart>(&e); s != nullptr && s->id == id)
      return std::chrono::duration_cast<Duration>(s->at - h.now.mono);
  FAIL("no ScheduleRestart in the batch");
  return Duration{-1};
}

// Lets the armed restart of `path` come due and reports the new run as started.
void restart_now(TreeHarness& h, const std::string& path) {
  REQUIRE(h.restarts.contains(h.id(path)));
  h.advance(std::chrono::duration_cast<Duration>(h.restarts.at(h.id(path)) - h.now.mono));
  h.fire_restarts();
  h.started(path);
}

}  // namespace

TEST_CASE("rule 11: on-failure restarts a failed run after a backoff") {
  TreeHarness h;
  h.fork("/", "s");
  NodeId id = h.spawn("/s", restarting("a", RestartPolicy::OnFailure));
  h.started("/s/a");
  h.take();
  h.exited("/s/a", 1);
  auto batch = h.take();
  const Node& a = h.at("/s/a");
  CHECK(a.state == NodeState::Running);  // waits for its backoff: no separate state
  CHECK(a.outcome == Outcome::None);
  CHECK_FALSE(a.run.pid.has_value());
  CHECK_FALSE(a.ready);
  CHECK(a.restart.restarts == 1);
  CHECK(a.restart.last_exit == "exited with code 1");
  REQUIRE(a.restart.next_attempt.has_value());
  REQUIRE(a.restart.next_attempt_wall.has_value());
  CHECK(h.count<ScheduleRestart>(batch, id) == 1);
  CHECK(TreeHarness::events(batch, EventKind::Done, "/s/a").empty());
  auto restarting_events = TreeHarness::events(batch, EventKind::Restarting, "/s/a");
  REQUIRE(restarting_events.size() == 1);
  const Duration delay = scheduled_delay(h, batch, id);
  CHECK(restarting_events[0].message == "in " + format_duration(delay) + ": exited with code 1");
  // not before the backoff has passed
  h.advance(delay - 1ms);
  h.record([&](Effects& out) { h.tree.on_restart_due(h.now, id, out); });
  CHECK(h.count<StartJob>(h.take(), id) == 0);
  h.advance(1ms);
  h.fire_restarts();
  CHECK(h.count<StartJob>(h.take(), id) == 1);
  CHECK_FALSE(h.at("/s/a").restart.next_attempt.has_value());
}

TEST_CASE("rule 11: on-failure does not restart a run that succeeded") {
  TreeHarness h;
  NodeId id = h.spawn("/", restarting("a", RestartPolicy::OnFailure));
  h.take();
  h.exited("/a", 0);
  CHECK(h.count<ScheduleRestart>(h.take(), id) == 0);
  CHECK(h.outcome("/a") == Outcome::Succeeded);
}

TEST_CASE("rule 11: on-failure restarts a run killed by a signal traiod did not send, and one that cannot start") {
  TreeHarness h;
  NodeId id = h.spawn("/", restarting("a", RestartPolicy::OnFailure));
  h.killed("/a", 9);
  CHECK(h.count<ScheduleRestart>(h.take(), id) == 1);
  CHECK(h.at("/a").restart.last_exit == "killed by signal KILL");
  restart_now(h, "/a");
  h.report(id, ExitInfo::start_failed("cannot start 'x': No such file or directory"));
  CHECK(h.count<ScheduleRestart>(h.take(), id) == 1);
  CHECK(h.at("/a").restart.restarts == 2);
}

TEST_CASE("rule 11: always restarts a run that succeeded") {
  TreeHarness h;
  NodeId id = h.spawn("/", restarting("a", RestartPolicy::Always));
  h.take();
  h.exited("/a", 0);
  CHECK(h.count<ScheduleRestart>(h.take(), id) == 1);
  CHECK(h.state("/a") == NodeState::Running);
  CHECK(h.at("/a").restart.restarts == 1);
}

TEST_CASE("rule 11: policy no ends the job with its first run") {
  TreeHarness h;
  NodeId id = h.spawn("/", restarting("a", RestartPolicy::No));
  h.exited("/a", 1);
  CHECK(h.count<ScheduleRestart>(h.take(), id) == 0);
  CHECK(h.outcome("/a") == Outcome::Failed);
}

TEST_CASE("rule 11: a job stopped by traiod is not restarted") {
  TreeHarness h;
  NodeId id = h.spawn("/", restarting("a", RestartPolicy::Always));
  h.started("/a");
  h.cancel("/a");
  h.killed("/a", 15);
  CHECK(h.count<ScheduleRestart>(h.take(), id) == 0);
  CHECK(h.outcome("/a") == Outcome::Cancelled);
}

TEST_CASE("rule 11: each new run resets pid and stop flag -- exit_code and signal show the latest run") {
  TreeHarness h;
  NodeId id = h.spawn("/", restarting("a", RestartPolicy::OnFailure));
  h.started("/a", 100);
  h.exited("/a", 3);
  CHECK(h.at("/a").run.exit_code == 3);
  restart_now(h, "/a");  // pid 4242
  CHECK(h.at("/a").run.pid == 4242);
  CHECK(h.at("/a").run.exit_code == 3);  // the latest run that ended
  h.killed("/a", 9);
  CHECK_FALSE(h.at("/a").run.exit_code.has_value());
  CHECK(h.at("/a").run.signal == 9);
  CHECK(h.at("/a").restart.restarts == 2);
  CHECK(h.count<ScheduleRestart>(h.take(), id) == 2);
}

TEST_CASE("rule 11: more than max restarts within the window gives up -- the failure then bubbles (rule 3)") {
  TreeHarness h;
  h.fork("/", "s");
  h.spawn("/s", restarting("a", RestartPolicy::OnFailure, 2));
  NodeId b = h.spawn("/s", "b");
  h.exited("/s/a", 1);
  restart_now(h, "/s/a");
  h.exited("/s/a", 1);
  restart_now(h, "/s/a");
  CHECK(h.state("/s") == NodeState::Open);  // restarts do not count for the scope
  CHECK_FALSE(h.stopped(h.take(), b));
  h.exited("/s/a", 4);
  auto batch = h.take();
  CHECK(h.count<ScheduleRestart>(batch, h.id("/s/a")) == 0);
  CHECK(h.outcome("/s/a") == Outcome::Failed);
  CHECK(h.at("/s/a").reason == "restart storm: 2 restarts within 1m; last run: exited with code 4");
  CHECK(h.at("/s/a").run.exit_code == 4);
  CHECK(h.stopped(batch, b));
  CHECK(h.outcome("/s") == Outcome::Failed);
  REQUIRE(h.at("/s").cause);
  CHECK(h.at("/s").cause->path == "/s/a");
  CHECK(h.at("/s").cause->exit_code == 4);
}

TEST_CASE("rule 11: always gives up too: a restart storm of successes is a failure") {
  TreeHarness h;
  h.spawn("/", restarting("a", RestartPolicy::Always, 1));
  h.exited("/a", 0);
  restart_now(h, "/a");
  h.exited("/a", 0);
  CHECK(h.outcome("/a") == Outcome::Failed);
  CHECK(h.at("/a").reason == "restart storm: 1 restarts within 1m; last run: exited with code 0");
}

TEST_CASE("rule 11: a master that gives up ends its scope (rule 4)") {
  TreeHarness h;
  h.fork("/", "s");
  h.spawn("/s", restarting("m", RestartPolicy::OnFailure, 1, flags(true, false, true)));
  NodeId other = h.spawn("/s", "other");
  h.exited("/s/m", 1);
  CHECK_FALSE(h.stopped(h.take(), other));  // a restart is not an end
  restart_now(h, "/s/m");
  h.exited("/s/m", 1);
  CHECK(h.stopped(h.take(), other));
  h.report(other, ExitInfo::signaled(15));
  CHECK(h.outcome("/s/m") == Outcome::Failed);
  CHECK(h.outcome("/s") == Outcome::Succeeded);  // bubble=false master: the scope exits silently
}

TEST_CASE("rule 11: a finalized scope waits through restarts and ends when the job gives up (rule 2)") {
  TreeHarness h;
  h.fork("/", "s");
  h.spawn("/s", restarting("a", RestartPolicy::OnFailure, 1, flags(false, false, true)));
  h.finalize("/s");
  h.exited("/s/a", 1);
  CHECK(h.state("/s") == NodeState::Finalized);
  restart_now(h, "/s/a");
  h.exited("/s/a", 1);
  CHECK(h.state("/s") == NodeState::Done);
  CHECK(h.outcome("/s") == Outcome::Succeeded);  // the failure did not bubble
  CHECK(h.outcome("/s/a") == Outcome::Failed);
}

TEST_CASE("rule 11: restarts older than the window fall out of it") {
  TreeHarness h;
  JobSpec spec = restarting("a", RestartPolicy::OnFailure, 2);
  spec.restart.window = 10s;
  NodeId id = h.spawn("/", spec);
  h.exited("/a", 1);
  restart_now(h, "/a");
  h.exited("/a", 1);
  restart_now(h, "/a");
  h.advance(11s);  // both earlier restarts are now older than the window
  h.exited("/a", 1);
  CHECK(h.count<ScheduleRestart>(h.take(), id) == 3);
  CHECK(h.state("/a") == NodeState::Running);
  CHECK(h.at("/a").restart.restarts == 3);
  CHECK(h.at("/a").restart.recent.size() == 1);
}

TEST_CASE("rule 11: the backoff stays within [initial, max] and doubles with each restart in the window") {
  TreeHarness h;
  JobSpec spec = restarting("a", RestartPolicy::Always);
  spec.restart.backoff.initial = 100ms;
  spec.restart.backoff.max = 2s;
  NodeId id = h.spawn("/", spec);
  Duration base = 100ms;
  for (int k = 0; k < 8; ++k) {
    h.take();
    h.exited("/a", 0);
    const Duration delay = scheduled_delay(h, h.take(), id);
    CHECK(delay >= 100ms);
    CHECK(delay <= 2s);
    CHECK(delay >= std::max(Duration(100ms), base / 2));  // jitter: within [base/2, base]
    CHECK(delay <= base);
    base = std::min(Duration(2s), base * 2);
    h.advance(delay);
    h.fire_restarts();
    h.started("/a");
  }
}

TEST_CASE("rule 11: without a backoff in the spec the tree's defaults apply") {
  TreeLimits limits;
  limits.backoff_initial = 1s;
  limits.backoff_max = 1s;
  TreeHarness h(limits);
  JobSpec spec = process_job("a");
  spec.restart.policy = RestartPolicy::OnFailure;
  NodeId id = h.spawn("/", spec);
  h.take();
  h.exited("/a", 1);
  CHECK(scheduled_delay(h, h.take(), id) == 1s);
}

TEST_CASE("rule 11: the same jitter seed gives the same delays") {
  auto delays = [](std::uint64_t seed) {
    TreeLimits limits;
    limits.jitter_seed = seed;
    TreeHarness h(limits);
    NodeId id = h.spawn("/", restarting("a", RestartPolicy::Always));
    std::vector<Duration> out;
    for (int k = 0; k < 5; ++k) {
      h.take();
      h.exited("/a", 0);
      out.push_back(scheduled_delay(h, h.take(), id));
      restart_now(h, "/a");
    }
    return out;
  };
  CHECK(delays(7) == delays(7));
}

TEST_CASE("rule 11: a cancel during the backoff wait ends the job at once, with CancelRestart and no StopJob") {
  TreeHarness h;
  h.fork("/", "s");
  NodeId id = h.spawn("/s", restarting("a", RestartPolicy::OnFailure));
  h.exited("/s/a", 1);
  h.take();
  h.cancel("/s/a");
  auto batch = h.take();
  CHECK(h.count<CancelRestart>(batch, id) == 1);
  CHECK(h.count<StopJob>(batch, id) == 0);
  CHECK(h.state("/s/a") == NodeState::Done);
  CHECK(h.outcome("/s/a") == Outcome::Cancelled);
  CHECK(h.at("/s/a").run.exit_code == 1);  // the last run's status stays readable
  CHECK(h.restarts.empty());
  // the restart timer firing anyway is stale
  h.advance(1min);
  h.record([&](Effects& out) { h.tree.on_restart_due(h.now, id, out); });
  CHECK(h.count<StartJob>(h.take(), id) == 0);
}

TEST_CASE("rule 11: cancelling the scope of a job in its backoff ends both at once") {
  TreeHarness h;
  h.fork("/", "s");
  h.spawn("/s", restarting("a", RestartPolicy::OnFailure));
  h.exited("/s/a", 1);
  h.cancel("/s");
  CHECK(h.state("/s") == NodeState::Done);
  CHECK(h.outcome("/s") == Outcome::Cancelled);
}

TEST_CASE("rule 11: the job's timeout runs from its creation across restarts (rule 6)") {
  TreeHarness h;
  h.fork("/", "s");
  JobSpec spec = restarting("a", RestartPolicy::OnFailure);
  spec.restart.backoff.initial = 3s;
  spec.restart.backoff.max = 3s;
  spec.timeout = 5s;
  NodeId id = h.spawn("/s", spec);
  h.advance(1s);
  h.exited("/s/a", 1);  // restarts at 4s
  restart_now(h, "/s/a");
  h.advance(500ms);
  h.exited("/s/a", 1);  // would restart at 7.5s, but the timeout comes first
  h.take();
  h.advance(500ms);
  h.fire_deadlines();
  auto batch = h.take();
  CHECK(h.count<CancelRestart>(batch, id) == 1);
  CHECK(h.count<StopJob>(batch, id) == 0);
  CHECK(h.outcome("/s/a") == Outcome::TimedOut);
  CHECK(h.outcome("/s") == Outcome::TimedOut);  // it bubbles as usual (rule 3)
}

}  // namespace traio::test
