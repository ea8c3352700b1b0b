#pragma once
// Drives a ScopeTree by hand with a manual clock and records its effects, so every rule
// and interleaving is checked without processes or sleeping (STYLE: core tests).
#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "daemon/core/scope_tree.hpp"

namespace traio::test {

using namespace std::chrono_literals;

inline JobSpec process_job(std::string name, NodeFlags flags = {}) {
  JobSpec spec;
  spec.name = std::move(name);
  spec.kind = JobKind::Process;
  spec.argv = {"/bin/true"};
  spec.flags = flags;
  return spec;
}

inline NodeFlags flags(bool master, bool bubble, bool awaited) { return NodeFlags{master, bubble, awaited}; }

inline NodeSpec node_of(JobSpec job) { return NodeSpec{std::move(job), {}}; }

inline NodeSpec scope_of(std::string name, std::vector<NodeSpec> children, std::vector<AfterSpec> after = {},
                         bool finalize = true) {
  ScopeSpec scope;
  scope.name = std::move(name);
  scope.children = std::move(children);
  scope.after = std::move(after);
  scope.finalize = finalize;
  return NodeSpec{std::move(scope), {}};
}

struct TreeHarness {
  ScopeTree tree;
  Now now{SteadyTime{} + 1000s, WallTime{} + 1000s};
  Effects effects;  // everything emitted since the last take()

  explicit TreeHarness(TreeLimits limits = {}) : tree(limits) {}

  void advance(Duration d) {
    now.mono += d;
    now.wall += d;
  }

  Effects take() { return std::exchange(effects, {}); }

  NodeId id(const std::string& path) {
    auto id = tree.resolve(path);
    REQUIRE_MESSAGE(id.has_value(), "no node " << path);
    return *id;
  }
  const Node& at(const std::string& path) { return *tree.find(id(path)); }

  NodeId spawn(const std::string& scope, JobSpec spec) {
    Expected<NodeId> r = Error{};
    record([&](Effects& out) { r = tree.spawn(now, id(scope), std::move(spec), {}, 1000, out); });
    REQUIRE_MESSAGE(r.ok(), (r.ok() ? "" : r.error().message));
    return *r;
  }
  NodeId spawn(const std::string& scope, const std::string& name, NodeFlags f = {}) {
    return spawn(scope, process_job(name, f));
  }
  NodeId fork(const std::string& scope, const std::string& name, NodeFlags f = {},
              std::optional<Duration> timeout = std::nullopt) {
    Expected<NodeId> r = Error{};
    record([&](Effects& out) { r = tree.fork(now, id(scope), ForkOptions{name, f, timeout}, 1000, out); });
    REQUIRE_MESSAGE(r.ok(), (r.ok() ? "" : r.error().message));
    return *r;
  }
  void finalize(const std::string& scope) {
    NodeId s = id(scope);
    record([&](Effects& out) { REQUIRE(tree.finalize(now, s, out).ok()); });
  }
  void cancel(const std::string& path) {
    NodeId n = id(path);
    record([&](Effects& out) { REQUIRE(tree.cancel(now, n, "test", out).ok()); });
  }
  void set_timeout(const std::string& path, std::optional<Duration> d) {
    NodeId n = id(path);
    record([&](Effects& out) { REQUIRE(tree.set_timeout(now, n, d, out).ok()); });
  }

  void started(const std::string& path, int pid = 4242) {
    NodeId n = id(path);
    record([&](Effects& out) { tree.on_job_started(now, n, pid, out); });
  }
  void exited(const std::string& path, int code) { report(id(path), ExitInfo::exited(code)); }
  void killed(const std::string& path, int signo) { report(id(path), ExitInfo::signaled(signo)); }
  void report(NodeId n, const ExitInfo& exit) {
    record([&](Effects& out) { tree.on_job_exited(now, n, exit, out); });
  }
  // Fires every armed deadline that has passed, as the daemon's timers would.
  void fire_deadlines() {
    std::vector<NodeId> due;
    for (auto it = deadlines.begin(); it != deadlines.end();) {
      if (it->second <= now.mono) {
        due.push_back(it->first);
        it = deadlines.erase(it);
      } else {
        ++it;
      }
    }
    for (NodeId id : due) record([&](Effects& out) { tree.on_deadline(now, id, out); });
  }
  std::map<NodeId, SteadyTime> deadlines;  // what the daemon's timers would hold
  std::map<NodeId, SteadyTime> restarts;   // armed restarts (rule 11), as the daemon's timers

  // Fires every restart whose backoff has passed, as the daemon's restart timers would.
  void fire_restarts() {
    std::vector<NodeId> due;
    for (auto it = restarts.begin(); it != restarts.end();) {
      if (it->second <= now.mono) {
        due.push_back(it->first);
        it = restarts.erase(it);
      } else {
        ++it;
      }
    }
    for (NodeId id : due) record([&](Effects& out) { tree.on_restart_due(now, id, out); });
  }

  std::map<NodeId, SteadyTime> delays;  // armed `delay`s (SPEC §6), as the daemon's timers

  // Fires every delay that has passed, as the daemon's delay timers would.
  void fire_delays() {
    std::vector<NodeId> due;
    for (auto it = delays.begin(); it != delays.end();) {
      if (it->second <= now.mono) {
        due.push_back(it->first);
        it = delays.erase(it);
      } else {
        ++it;
      }
    }
    for (NodeId id : due) record([&](Effects& out) { tree.on_delay_due(now, id, out); });
  }

  NodeId submit(const std::string& scope, NodeSpec spec) {
    Expected<NodeId> r = Error{};
    record([&](Effects& out) { r = tree.submit(now, id(scope), spec, 1000, out); });
    REQUIRE_MESSAGE(r.ok(), (r.ok() ? "" : r.error().message));
    return *r;
  }
  void ready(const std::string& path) {
    NodeId n = id(path);
    record([&](Effects& out) { tree.on_job_ready(now, n, out); });
  }

  template <class F>
  void record(F&& call) {
    Effects out;
    call(out);
    for (auto& e : out) {
      if (const auto* arm = std::get_if<ArmDeadline>(&e)) deadlines[arm->id] = arm->at;
      if (const auto* dis = std::get_if<DisarmDeadline>(&e)) deadlines.erase(dis->id);
      if (const auto* arm = std::get_if<ScheduleRestart>(&e)) restarts[arm->id] = arm->at;
      if (const auto* dis = std::get_if<CancelRestart>(&e)) restarts.erase(dis->id);
      if (const auto* arm = std::get_if<ArmDelay>(&e)) delays[arm->id] = arm->at;
      if (const auto* dis = std::get_if<DisarmDelay>(&e)) delays.erase(dis->id);
      effects.push_back(std::move(e));
    }
  }

  // The runner's answer to StopJob: every job asked to stop exits with `signo`.
  void reap_stopped(int signo = 15) {
    std::vector<NodeId> stopped;
    for (const auto& e : take()) {
      if (const auto* s = std::get_if<StopJob>(&e)) stopped.push_back(s->id);
    }
    for (NodeId n : stopped) report(n, ExitInfo::signaled(signo));
  }

  std::vector<NodeId> stops_in(const Effects& batch) const {
    std::vector<NodeId> ids;
    for (const auto& e : batch)
      if (const auto* s = std::get_if<StopJob>(&e)) ids.push_back(s->id);
    return ids;
  }
  bool stopped(const Effects& batch, NodeId id) const {
    auto ids = stops_in(batch);
    return std::find(ids.begin(), ids.end(), id) != ids.end();
  }

  // How many effects of type T for `id` the batch holds.
  template <class T>
  static std::size_t count(const Effects& batch, NodeId id) {
    return static_cast<std::size_t>(std::count_if(batch.begin(), batch.end(), [&](const Effect& e) {
      const auto* t = std::get_if<T>(&e);
      return t != nullptr && t->id == id;
    }));
  }
  // The events of `kind` in the batch, for the node at `path`.
  static std::vector<LifecycleEvent> events(const Effects& batch, EventKind kind, const std::string& path) {
    std::vector<LifecycleEvent> found;
    for (const auto& e : batch) {
      const auto* ev = std::get_if<EmitEvent>(&e);
      if (ev != nullptr && ev->event.kind == kind && ev->event.path == path) found.push_back(ev->event);
    }
    return found;
  }

  NodeState state(const std::string& path) { return at(path).state; }
  Outcome outcome(const std::string& path) { return at(path).outcome; }
};

}  // namespace traio::test
