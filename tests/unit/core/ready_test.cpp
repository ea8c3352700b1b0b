// SPEC §2 `ready`: a process with a probe is ready only once its probe passes; the core
// starts and stops probes as effects, and a readiness timeout is a final failure.
#include "tests/unit/core/tree_harness.hpp"

namespace traio::test {

namespace {

JobSpec probed(std::string name, NodeFlags f = {}) {
  JobSpec spec = process_job(std::move(name), f);
  spec.ready.probe = ReadySpec::Probe::Tcp;
  spec.ready.address = "127.0.0.1:5432";
  spec.ready.timeout = 30s;
  return spec;
}

}  // namespace

TEST_CASE("ready: a process without a probe is ready as soon as it starts") {
  TreeHarness h;
  NodeId id = h.spawn("/", "a");
  h.started("/a");
  CHECK(h.at("/a").ready);
  CHECK(h.count<StartProbe>(h.take(), id) == 0);
}

TEST_CASE("ready: a process with a probe is not ready until the probe passes") {
  TreeHarness h;
  NodeId id = h.spawn("/", probed("db"));
  h.take();
  h.started("/db");
  auto batch = h.take();
  CHECK(h.count<StartProbe>(batch, id) == 1);
  CHECK(TreeHarness::events(batch, EventKind::Ready, "/db").empty());
  CHECK_FALSE(h.at("/db").ready);
  CHECK(h.at("/db").run.probing);
  h.ready("/db");
  batch = h.take();
  CHECK(h.at("/db").ready);
  CHECK_FALSE(h.at("/db").run.probing);
  CHECK(TreeHarness::events(batch, EventKind::Ready, "/db").size() == 1);
}

TEST_CASE("ready: each run of a restarting job starts its own probe") {
  TreeHarness h;
  JobSpec spec = probed("db");
  spec.restart.policy = RestartPolicy::OnFailure;
  NodeId id = h.spawn("/", spec);
  h.started("/db");
  h.ready("/db");
  CHECK(h.count<StartProbe>(h.take(), id) == 1);
  h.exited("/db", 1);
  CHECK_FALSE(h.at("/db").ready);  // not ready while it waits for its restart
  h.advance(1min);
  h.fire_restarts();
  h.started("/db");
  CHECK(h.count<StartProbe>(h.take(), id) == 1);
  CHECK_FALSE(h.at("/db").ready);
  CHECK(h.at("/db").run.probing);
}

TEST_CASE("ready: stopping a probing job stops its probe") {
  TreeHarness h;
  NodeId id = h.spawn("/", probed("db"));
  h.started("/db");
  h.take();
  h.cancel("/db");
  auto batch = h.take();
  CHECK(h.count<StopProbe>(batch, id) == 1);
  CHECK(h.count<StopJob>(batch, id) == 1);
  CHECK_FALSE(h.at("/db").run.probing);
}

TEST_CASE("ready: a run that exits while probing stops its probe") {
  TreeHarness h;
  NodeId id = h.spawn("/", probed("db"));
  h.started("/db");
  h.take();
  h.exited("/db", 1);
  CHECK(h.count<StopProbe>(h.take(), id) == 1);
  CHECK(h.outcome("/db") == Outcome::Failed);
}

TEST_CASE("ready: a readiness timeout fails the job, bubbles, and does not restart it") {
  TreeHarness h;
  h.fork("/", "s");
  JobSpec spec = probed("db");
  spec.restart.policy = RestartPolicy::Always;
  NodeId id = h.spawn("/s", spec);
  NodeId other = h.spawn("/s", "other");
  h.started("/s/db");
  h.take();
  h.record([&](Effects& out) { h.tree.on_ready_failed(h.now, id, "no connection to 127.0.0.1:5432 within 30s", out); });
  auto batch = h.take();
  CHECK(h.count<StopJob>(batch, id) == 1);
  CHECK(h.count<StopProbe>(batch, id) == 0);  // the probe ended by itself
  h.report(id, ExitInfo::signaled(15));
  batch = h.take();
  CHECK(h.count<ScheduleRestart>(batch, id) == 0);
  CHECK(h.outcome("/s/db") == Outcome::Failed);
  CHECK(h.at("/s/db").reason == "not ready: no connection to 127.0.0.1:5432 within 30s");
  CHECK(h.stopped(batch, other));
  CHECK(h.outcome("/s") == Outcome::Failed);
  CHECK(h.at("/s").cause->path == "/s/db");
}

TEST_CASE("ready: probe reports after the probe was stopped are stale") {
  TreeHarness h;
  NodeId id = h.spawn("/", probed("db"));
  h.started("/db");
  h.cancel("/db");
  h.record([&](Effects& out) {
    h.tree.on_job_ready(h.now, id, out);
    h.tree.on_ready_failed(h.now, id, "late", out);
  });
  CHECK_FALSE(h.at("/db").ready);
  h.killed("/db", 15);
  CHECK(h.outcome("/db") == Outcome::Cancelled);
}

}  // namespace traio::test
