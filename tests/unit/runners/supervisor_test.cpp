// Supervisor with the real core, real processes and real timers: effects carried out in
// order, reports fed back, events published, deadlines, and the shutdown of rule 13.
#include <doctest/doctest.h>
#include <signal.h>
#include <sys/stat.h>

#include "daemon/runners/supervisor.hpp"
#include "tests/unit/os/os_test_support.hpp"
#include "tests/unit/runners/runner_test_support.hpp"

using namespace traio;
using namespace std::chrono_literals;
using test::TempDir;

namespace {

struct Fixture {
  TempDir dir;
  DaemonConfig config = make_config(dir);
  boost::asio::io_context io;
  Supervisor supervisor{io, config, "/run/test/traio.sock"};
  std::vector<LifecycleEvent> events;
  Supervisor::ListenerId listener = supervisor.subscribe([this](const LifecycleEvent& e) { events.push_back(e); });

  static DaemonConfig make_config(const TempDir& dir) {
    DaemonConfig c;
    c.log_dir = dir.file("logs/jobs");
    c.defaults.stop_grace = 5s;
    return c;
  }

  NodeId spawn(NodeId scope, JobSpec spec) {
    auto id = supervisor.act([&](const Now& now, ScopeTree& tree, Effects& out) {
      return tree.spawn(now, scope, std::move(spec), nlohmann::json::object(), 0, out);
    });
    REQUIRE_MESSAGE(id.ok(), (id.ok() ? "" : id.error().message));
    return *id;
  }
  NodeId fork(const std::string& name) {
    auto id = supervisor.act([&](const Now& now, ScopeTree& tree, Effects& out) {
      return tree.fork(now, kRootId, ForkOptions{name, NodeFlags{}, std::nullopt}, 0, out);
    });
    REQUIRE(id.ok());
    return *id;
  }
  const LifecycleEvent* event(NodeId id, EventKind kind) const {
    for (const auto& e : events)
      if (e.id == id && e.kind == kind) return &e;
    return nullptr;
  }
  bool run_until_done(NodeId id, std::chrono::milliseconds limit = 10s) {
    return test::run_until(io, [&] { return event(id, EventKind::Done) != nullptr; }, limit);
  }
  const Node& node(NodeId id) const { return *supervisor.tree().find(id); }
};

JobSpec sleep_job(Duration d) {
  JobSpec spec;
  spec.kind = JobKind::Sleep;
  spec.duration = d;
  return spec;
}

JobSpec process_job(std::vector<std::string> argv, NodeFlags flags = {}) {
  JobSpec spec;
  spec.argv = std::move(argv);
  spec.flags = flags;
  return spec;
}

}  // namespace

TEST_CASE("supervisor: a sleep job spawned through act() runs and emits Done succeeded") {
  Fixture f;
  NodeId id = f.spawn(kRootId, sleep_job(50ms));
  CHECK(f.event(id, EventKind::Created) != nullptr);
  CHECK(f.event(id, EventKind::Started) != nullptr);  // reported from inside start(), queued
  REQUIRE(f.run_until_done(id));
  CHECK(f.event(id, EventKind::Done)->outcome == Outcome::Succeeded);
  CHECK(f.node(id).ready);
  CHECK(f.supervisor.running_jobs() == 0);
  for (std::size_t i = 1; i < f.events.size(); ++i) CHECK(f.events[i - 1].seq < f.events[i].seq);
}

TEST_CASE("supervisor: a process job reports its pid, exit code and outcome") {
  Fixture f;
  NodeId id = f.spawn(kRootId, process_job({"sh", "-c", "exit 3"}, NodeFlags{false, false, true}));
  const auto* started = f.event(id, EventKind::Started);
  REQUIRE(started != nullptr);
  CHECK(started->message.rfind("pid ", 0) == 0);
  REQUIRE(f.run_until_done(id));
  CHECK(f.node(id).outcome == Outcome::Failed);
  CHECK(f.node(id).run.exit_code == 3);
  CHECK(test::no_children_left());
}

TEST_CASE("supervisor: a start failure reported inside apply ends the job with its message") {
  Fixture f;
  NodeId id = f.spawn(kRootId, process_job({"traio-no-such-program"}, NodeFlags{false, false, true}));
  // No loop turn needed: the report was queued and applied before act() returned.
  const auto* done = f.event(id, EventKind::Done);
  REQUIRE(done != nullptr);
  CHECK(done->outcome == Outcome::Failed);
  const auto* exited = f.event(id, EventKind::Exited);
  REQUIRE(exited != nullptr);
  CHECK(exited->message == "cannot start 'traio-no-such-program': No such file or directory");
}

TEST_CASE("rule 12: a job gets TRAIO_SCOPE and TRAIO_JOB -- capture goes to log_path()") {
  Fixture f;
  NodeId scope = f.fork("ci");
  auto spec = process_job({"sh", "-c", "echo $TRAIO_SOCKET $TRAIO_SCOPE $TRAIO_JOB; echo oops >&2"});
  spec.name = "unit";
  NodeId id = f.spawn(scope, spec);
  REQUIRE(f.run_until_done(id));
  CHECK(f.node(id).outcome == Outcome::Succeeded);
  CHECK(test::captured_text(f.supervisor.log_path(id), "out") == "/run/test/traio.sock /ci /ci/unit\n");
  CHECK(test::captured_text(f.supervisor.log_path(id), "err") == "oops\n");
}

TEST_CASE("supervisor: the log directory is created with mode 0750") {
  Fixture f;
  struct stat st{};
  REQUIRE(::stat(f.config.log_dir.c_str(), &st) == 0);
  CHECK(S_ISDIR(st.st_mode));
  CHECK((st.st_mode & 0777) == 0750);
  auto path = f.supervisor.log_path(7);
  CHECK(path.rfind(f.config.log_dir + "/", 0) == 0);
  CHECK(path.size() > 10);
  CHECK(path.substr(path.size() - 10) == "-job-7.log");
}

TEST_CASE("rule 6: a job's timeout fires through the deadline timers") {
  Fixture f;
  auto spec = sleep_job(1h);
  spec.timeout = 150ms;
  spec.flags.bubble = false;
  auto begin = std::chrono::steady_clock::now();
  NodeId id = f.spawn(kRootId, spec);
  REQUIRE(f.run_until_done(id, 5s));
  auto elapsed = std::chrono::steady_clock::now() - begin;
  CHECK(elapsed >= 150ms);
  CHECK(elapsed < 2s);
  CHECK(f.node(id).outcome == Outcome::TimedOut);
}

TEST_CASE("rule 7: cancelling a process that ignores TERM ends it cancelled, sent_signal KILL") {
  Fixture f;
  auto spec = process_job({"sh", "-c", "trap '' TERM; echo ready; exec sleep 30"});
  spec.stop.grace = 200ms;
  NodeId id = f.spawn(kRootId, spec);
  REQUIRE(test::run_until(f.io, [&] { return test::captured_text(f.supervisor.log_path(id), "out") == "ready\n"; }));
  auto status = f.supervisor.act([&](const Now& now, ScopeTree& tree, Effects& out) {
    return tree.cancel(now, id, "test", out);
  });
  REQUIRE(status.ok());
  REQUIRE(f.run_until_done(id, 5s));
  CHECK(f.node(id).outcome == Outcome::Cancelled);
  CHECK(f.node(id).run.sent_signal == SIGKILL);
  CHECK(f.node(id).run.signal == SIGKILL);
  CHECK(test::no_children_left());
}

TEST_CASE("rule 13: shutdown stops every job and calls on_done once, after every process is reaped") {
  Fixture f;
  auto stubborn = process_job({"sh", "-c", "trap '' TERM; exec sleep 30"});
  stubborn.stop.grace = 200ms;
  NodeId p1 = f.spawn(kRootId, stubborn);
  NodeId p2 = f.spawn(kRootId, process_job({"sleep", "30"}));
  NodeId s1 = f.spawn(kRootId, sleep_job(1h));
  int calls = 0;
  f.supervisor.shutdown([&] {
    ++calls;
    CHECK(f.supervisor.running_jobs() == 0);
  });
  REQUIRE(test::run_until(f.io, [&] { return calls > 0; }, 5s));
  test::run_until(f.io, [] { return false; }, 50ms);
  CHECK(calls == 1);
  CHECK(f.supervisor.tree().root_done());
  for (NodeId id : {p1, p2, s1}) CHECK(f.node(id).outcome == Outcome::Cancelled);
  CHECK(test::no_children_left());
}

TEST_CASE("supervisor: a listener may unsubscribe itself from inside its callback") {
  Fixture f;
  int calls = 0;
  Supervisor::ListenerId self = 0;
  self = f.supervisor.subscribe([&](const LifecycleEvent&) {
    ++calls;
    f.supervisor.unsubscribe(self);
  });
  NodeId id = f.spawn(kRootId, sleep_job(10ms));
  REQUIRE(f.run_until_done(id));
  CHECK(calls == 1);
  CHECK(f.events.size() > 2);  // the other listener saw everything
}

TEST_CASE("supervisor: act() from inside a listener runs after the current effects") {
  Fixture f;
  NodeId target = f.spawn(kRootId, sleep_job(1h));
  bool cancelled = false;
  f.supervisor.subscribe([&](const LifecycleEvent& e) {
    if (e.kind == EventKind::Created && e.id != target && !cancelled) {
      cancelled = true;
      auto st = f.supervisor.act([&](const Now& now, ScopeTree& tree, Effects& out) {
        return tree.cancel(now, target, "from a listener", out);
      });
      CHECK(st.ok());
    }
  });
  NodeId other = f.spawn(kRootId, sleep_job(1h));
  REQUIRE(f.run_until_done(target, 2s));
  CHECK(f.node(target).outcome == Outcome::Cancelled);
  CHECK(f.node(other).is_live());
}

TEST_CASE("supervisor: held starts -- a job stopped before release never runs, the others start on release") {
  Fixture f;
  NodeId scope = f.fork("held");
  f.supervisor.hold_starts();
  NodeId refused = f.spawn(scope, process_job({"/bin/sleep", "30"}, NodeFlags{false, true, true}));
  NodeId kept = f.spawn(kRootId, process_job({"/bin/true"}));
  CHECK(f.event(refused, EventKind::Started) == nullptr);  // held, not started
  CHECK(f.event(kept, EventKind::Started) == nullptr);
  (void)f.supervisor.act([&](const Now& now, ScopeTree& tree, Effects& out) {
    return tree.cancel(now, refused, "not accepted: test", out);
  });
  f.supervisor.release_starts();
  REQUIRE(f.run_until_done(refused));
  CHECK(f.event(refused, EventKind::Started) == nullptr);
  CHECK(f.event(refused, EventKind::Done)->outcome == Outcome::Cancelled);
  CHECK_FALSE(f.node(refused).run.pid.has_value());
  // The bubbling job's refusal is a cancel, not a failure: its scope lives on.
  CHECK(f.node(scope).state == NodeState::Open);
  REQUIRE(f.run_until_done(kept));
  CHECK(f.event(kept, EventKind::Started) != nullptr);
  CHECK(f.event(kept, EventKind::Done)->outcome == Outcome::Succeeded);
}
