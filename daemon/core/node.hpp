#pragma once
// A node of the scope tree: a scope or a job. Plain data; ScopeTree applies the rules.
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/duration.hpp"
#include "common/node_state.hpp"
#include "config/node_spec.hpp"
#include "daemon/core/cause.hpp"
#include "daemon/core/child_queue.hpp"
#include "daemon/core/health_state.hpp"
#include "daemon/core/node_id.hpp"
#include "daemon/core/spec_source.hpp"
#include "daemon/core/time.hpp"

namespace traio {

using Uid = unsigned;

struct JobRun {
  std::optional<int> pid;
  std::optional<int> exit_code;
  std::optional<int> signal;       // the signal that killed it
  std::optional<int> sent_signal;  // the last signal traiod sent it (stop signal or SIGKILL)
  bool stop_requested = false;     // rule 7: ended after its stop signal => cancelled
  bool probing = false;            // a `ready` probe runs for the current run
  bool health_checking = false;    // SPEC §6 `health` checks run for the current run
  bool restart_unhealthy = false;  // stopped by health action restart: its exit restarts it
  // SPEC §6 supervise: stopped because a sibling restarts (one_for_all, rest_for_one); its
  // exit restarts it, not before `restart_with` (the sibling's restart time).
  bool restart_with_sibling = false;
  bool intensity_exceeded = false;  // gave up: its scope's supervise intensity is spent
  SteadyTime restart_with{};
};

// Rule 11: what the restart policy has done so far.
struct RestartState {
  unsigned restarts = 0;                      // runs started after the first
  // Restart times within the policy's window, oldest first. A vector: libstdc++'s deque
  // allocates 576 bytes even when empty, and most jobs never restart.
  std::vector<SteadyTime> recent;
  std::optional<SteadyTime> next_attempt;     // armed: the job waits for its backoff
  std::optional<WallTime> next_attempt_wall;  // the same, for `inspect`
  std::optional<WallTime> last_started_at;    // the start of the current (latest) run
  std::string last_exit;                      // how the previous run ended, in words
};

// SPEC §6 `pause`: set by `traioctl pause` on the node or an ancestor. With --timers
// (`timers`), its own deadline and its restart backoff wait too: what was left of them is
// kept here and armed again on resume.
struct PauseState {
  bool paused = false;
  bool timers = false;
  std::optional<Duration> deadline_left;
  std::optional<Duration> restart_left;
};

// SPEC §6 supervise on a scope: its strategy, and the restarts of its children within the
// period (oldest first), counted against its intensity.
struct Supervision {
  SuperviseSpec spec;
  std::vector<SteadyTime> recent;
};

// One `after` entry resolved to the sibling it names (SPEC §2), and whether its condition
// held when last checked (shown by inspect/ps).
struct AfterLink {
  NodeId id = kNoNode;
  bool met = false;
};

struct Node {
  NodeId id = kNoNode;
  NodeId parent = kNoNode;
  NodeType type = NodeType::Job;
  std::string name;
  std::string path;
  NodeFlags flags;
  NodeState state = NodeState::Open;
  Outcome outcome = Outcome::None;  // sticky: the first cause wins (rule 7)
  std::string reason;               // why it ended, in words
  std::shared_ptr<const Cause> cause;
  // This node as the cause of its parent's outcome; shared so that the parent's cause
  // chain sees the exit code that arrives after the parent already decided (a timeout).
  std::shared_ptr<Cause> as_cause;
  bool claimed = false;             // rule 10: a claimed node no longer bubbles
  bool ready = false;
  std::optional<Duration> timeout;  // its own timeout, as last set
  std::optional<SteadyTime> own_deadline;
  std::optional<WallTime> own_deadline_wall;
  std::size_t depth = 0;            // "/" is 0, "/a" is 1
  WallTime created_at{};
  std::optional<WallTime> started_at;  // the first start (a job's first run; a scope once not pending)
  std::optional<WallTime> ended_at;
  Uid owner_uid = 0;

  // scope
  bool finalized = false;
  std::vector<NodeId> children;                       // in submission order, ended ones too
  std::unordered_map<std::string, NodeId> by_name;    // the latest child of each name
  std::size_t live_children = 0;
  std::size_t live_awaited = 0;
  // SPEC §6 concurrency limit: at most max_parallel children hold a slot (they were started
  // and are not done); the others wait in `queue`, made when the first one waits.
  std::optional<std::size_t> max_parallel;
  std::size_t running_children = 0;
  std::unique_ptr<ChildQueue> queue;
  std::unique_ptr<Supervision> supervision;  // SPEC §6 supervise; null without
  StopOrder stop_order = StopOrder::Parallel;  // SPEC §6: how its children stop

  // as a child of a scope (SPEC §6): its place in the queue, and whether it holds a slot
  int priority = 0;
  bool holds_slot = false;

  // job
  std::shared_ptr<const JobSpec> job;  // shared: runners hold it while the node may be forgotten
  // The current run; exit_code/signal show the latest run that ended. While a job waits for
  // its restart backoff (rule 11) it stays Running with no pid and ready=false, and
  // restart.next_attempt is set: SPEC lists no state of its own for that wait.
  JobRun run;
  RestartState restart;
  std::unique_ptr<HealthState> health;  // SPEC §6; made at the first check of a job with `health`

  // `after` (SPEC §2): while any condition is unmet the node is Pending and nothing of it
  // runs. A pending scope keeps its children's specs here and adds them when released.
  std::vector<AfterSpec> after;
  std::vector<AfterLink> after_links;  // after[i] resolved: the sibling and whether it is met
  std::vector<NodeId> waiters;         // siblings whose `after` names this node
  std::shared_ptr<const ScopeSpec> held_scope;

  // SPEC §6 `delay`: the first start waits this long once `after` lets it start, before it
  // takes a slot. While it waits the node stays Pending and start_at says until when.
  std::optional<Duration> delay;
  std::optional<SteadyTime> start_at;
  std::optional<WallTime> start_at_wall;  // the same, for `inspect` and `ps`

  SpecSource source;  // the spec as submitted (inspect)

  PauseState pause;  // SPEC §6 `pause`: scope_pause.cpp

  // Re-runs (SPEC §6 `restart`, `retry`): the runs of one path are its generations, 1-based.
  // A node added under a name that an ended sibling had (or that the scope's previous
  // generation had) is that node's next generation; the earlier one stays in history.
  unsigned generation = 1;
  NodeId previous_generation = kNoNode;
  // Part of its scope's submitted spec (a tree's children), not spawned into it later: what
  // a re-run of the scope runs again.
  bool in_scope_spec = false;
  bool restored = false;  // read back from the journal: its full spec is not kept
  // A scope's own spec without its children (they keep theirs): what a re-run starts from.
  std::shared_ptr<const ScopeSpec> scope_spec;
  std::size_t spec_child_count = 0;  // its spec's children: a re-run needs them all in history

  bool is_scope() const { return type == NodeType::Scope; }
  bool is_done() const { return state == NodeState::Done; }
  // A live node has not reached Done. A scope that is cancelling is live.
  bool is_live() const { return state != NodeState::Done; }
};

}  // namespace traio
