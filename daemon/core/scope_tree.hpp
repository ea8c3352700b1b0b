#pragma once
// The scope tree: the rules of SPEC §1 as a pure state machine. Requests and runner
// reports come in with the time; effects (start/stop a job, arm a deadline, an event) go out.
// No I/O, no clock, no Asio: every rule is tested here by feeding events by hand.
#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/expected.hpp"
#include "config/node_spec.hpp"
#include "daemon/core/effect.hpp"
#include "daemon/core/exit_info.hpp"
#include "daemon/core/node.hpp"
#include "daemon/core/restored_node.hpp"

namespace traio {

struct TreeLimits {
  std::size_t history = 1000;     // ended nodes kept resolvable
  std::size_t max_nodes = 100000; // nodes in the tree, live and ended
  std::size_t max_depth = 64;     // path depth
  // Rule 11: the backoff of a job whose spec leaves it out (config defaults.restart).
  Duration backoff_initial = std::chrono::milliseconds(100);
  Duration backoff_max = std::chrono::minutes(1);
  // Seeds the backoff jitter; fixed in tests so that every delay is known.
  std::uint64_t jitter_seed = 0x7261696f;
};

// Options of a scope made by `fork` (a ScopeSpec without children, not finalized).
struct ForkOptions {
  std::string name;
  NodeFlags flags;
  std::optional<Duration> timeout;
  std::optional<std::size_t> max_parallel = std::nullopt;  // SPEC §6: `fork --max-parallel N`
};

class ScopeTree {
 public:
  explicit ScopeTree(TreeLimits limits = {}, WallTime created = {});

  // --- queries -------------------------------------------------------------------
  const Node* find(NodeId id) const;
  // Resolves "/a/b": the live node of that name, else the latest ended one still in history.
  std::optional<NodeId> resolve(std::string_view path) const;
  const Node& root() const;
  std::size_t node_count() const { return nodes_.size(); }
  std::size_t live_count() const { return live_count_; }
  // Rule 13: the daemon may exit once the root is done.
  bool root_done() const { return root().is_done(); }

  // --- requests (SPEC §3 verbs) --------------------------------------------------
  Expected<NodeId> spawn(const Now& now, NodeId scope, JobSpec spec, nlohmann::json source, Uid owner,
                         Effects& out);
  Expected<NodeId> fork(const Now& now, NodeId scope, ForkOptions options, Uid owner, Effects& out);
  // Submits a whole tree (or a single job) atomically: every name is checked before
  // anything starts. Scopes with finalize=true are finalized once their children are in.
  Expected<NodeId> submit(const Now& now, NodeId scope, const NodeSpec& spec, Uid owner, Effects& out);
  Status finalize(const Now& now, NodeId scope, Effects& out);
  Status cancel(const Now& now, NodeId node, std::string reason, Effects& out);
  // SPEC §6 `cancel --force`: cleanup children and children held by a reverse stop order
  // stop too, at once.
  Status force_cancel(const Now& now, NodeId node, std::string reason, Effects& out);
  Status set_timeout(const Now& now, NodeId node, std::optional<Duration> timeout, Effects& out);
  // SPEC §6 `traioctl limit`: a scope's max_parallel, changed live (nullopt: no limit).
  // Raising it starts queued children at once; lowering it stops nothing that runs.
  Status set_max_parallel(const Now& now, NodeId scope, std::optional<std::size_t> max_parallel, Effects& out);
  void claim(NodeId node);
  // SPEC §6 `traioctl pause`: the node and every live node below it are paused (jobs
  // frozen, queued children held). `timers`: their deadlines and restart backoffs wait too.
  // Pausing a paused node changes nothing. scope_pause.cpp.
  Status pause(const Now& now, NodeId node, bool timers, Effects& out);
  // SPEC §6 `traioctl resume`: undoes every pause on the node and below it.
  Status resume(const Now& now, NodeId node, Effects& out);
  // Rule 13: cancel everything; the root ends once every job is reaped.
  void shutdown(const Now& now, Effects& out);

  // A done node of an earlier daemon run (scope_restore.cpp), under `parent`, which is the
  // root or another restored node. It joins the history like any ended node; no event.
  Expected<NodeId> restore(NodeId parent, RestoredNode restored, Effects& out);

  // SPEC §6 re-runs (scope_rerun.cpp). restart: an ended node runs again from its stored
  // spec, as the next generation of its path under the same live parent. retry: a live
  // scope re-runs its failed, timed-out and skipped children; an ended scope runs again as
  // a new generation that carries its succeeded children over as done. An empty result:
  // nothing to retry.
  Expected<NodeId> restart(const Now& now, NodeId node, Effects& out);
  // `eligible` picks which children of a live scope may be re-run (the server's access rules).
  Expected<std::vector<NodeId>> retry(const Now& now, NodeId scope, const std::function<bool(const Node&)>& eligible,
                                      Effects& out);

  // --- runner reports ------------------------------------------------------------
  void on_job_started(const Now& now, NodeId job, std::optional<int> pid, Effects& out);
  void on_job_ready(const Now& now, NodeId job, Effects& out);
  void on_job_exited(const Now& now, NodeId job, const ExitInfo& exit, Effects& out);
  // The runner sent a signal (stop signal or SIGKILL after the grace): recorded as sent_signal.
  void on_job_signalled(NodeId job, int signo);
  void on_deadline(const Now& now, NodeId node, Effects& out);
  // Rule 11: a ScheduleRestart came due; the job's next run starts (StartJob).
  void on_restart_due(const Now& now, NodeId job, Effects& out);
  // The job's `ready` probe did not pass within its timeout: the job fails (and is stopped).
  void on_ready_failed(const Now& now, NodeId job, std::string message, Effects& out);
  // SPEC §6 `delay`: an ArmDelay came due; the node starts, or queues for a slot.
  void on_delay_due(const Now& now, NodeId node, Effects& out);
  // SPEC §6 `health`: one check of a job's run passed or failed (`message`: what it saw).
  // `failures` failures in a row take the job's health action (scope_health.cpp).
  void on_health_check(const Now& now, NodeId job, bool ok, std::string message, Effects& out);

 private:
  Node& node(NodeId id);
  Expected<NodeId> check_open_scope(NodeId scope) const;
  Status check_name(const Node& scope, const std::string& name) const;
  Status check_capacity(std::size_t extra, std::size_t depth) const;
  Node& add_node(const Now& now, Node& parent, const NodeSpec& spec, Uid owner, Effects& out);
  void add_children(const Now& now, NodeId scope, const ScopeSpec& spec, Effects& out);
  void launch(const Now& now, Node& n, const ScopeSpec* spec, Effects& out);
  Status check_spec_names(const Node& scope, const NodeSpec& spec) const;
  Status check_spec_after(const Node& scope, const NodeSpec& spec) const;
  Status check_children_after(const std::string& path, const ScopeSpec& spec) const;
  std::string generate_name(const Node& scope, NodeType type);

  // re-runs: scope_rerun.cpp
  enum class RerunMode { Everything, FailedOnly };
  struct Rerun;
  Expected<std::vector<NodeId>> rerun(const Now& now, NodeId parent, const std::vector<NodeId>& olds, RerunMode mode,
                                      Effects& out);
  Status check_rerunnable(const Node& old) const;
  NodeSpec rerun_spec(const Node& old, RerunMode mode, std::vector<NodeId>& carried) const;
  std::vector<NodeId> spec_children(const Node& scope) const;
  std::size_t subtree_size(const Node& n) const;
  void carry_over(const Node& old, NodeId parent);
  void link_generation(const Node& parent, Node& n) const;
  static std::shared_ptr<const ScopeSpec> scope_header(const ScopeSpec& spec);

  // the rules, one function each
  void rule2_finalize(const Now& now, Node& scope, Effects& out);
  void rule2_end_when_awaited_done(const Now& now, Node& scope, Effects& out);
  void rule3_bubble(const Now& now, Node& child, Effects& out);
  void rule4_master_ended(const Now& now, Node& child, Effects& out);
  void rule6_arm_deadline(const Now& now, Node& n, Effects& out);
  void rule6_timed_out(const Now& now, Node& n, Effects& out);
  void rule7_cancel(const Now& now, Node& n, Outcome outcome, std::string reason,
                    std::shared_ptr<const Cause> cause, Effects& out);
  void rule7_stop_job(const Now& now, Node& n, const std::string& reason, Effects& out);
  bool rule11_restart(const Now& now, Node& n, Outcome natural, const std::string& why, Effects& out);
  bool rule11_schedule_restart(const Now& now, Node& n, const std::string& why, const std::string& exit_message,
                               Effects& out);
  Duration rule11_backoff(const JobSpec& spec, std::size_t earlier);

  // SPEC §6 supervise: scope_supervise.cpp
  enum class Intensity { Within, Exceeded };
  Intensity supervise_count_restart(const Now& now, Node& scope);
  void supervise_restart_siblings(const Now& now, Node& scope, const Node& trigger, Effects& out);
  void supervise_fail_scope(const Now& now, Node& child, Effects& out);
  bool supervise_rerun_sibling(const Now& now, Node& n, const std::string& why, Effects& out);

  // SPEC §6 cleanup children and stop order: scope_cleanup.cpp
  static bool counts_as_awaited(const Node& n);
  bool forcing() const;
  void cleanup_hold(const Now& now, Node& n, Effects& out);
  void cleanup_release(const Now& now, Node& n, Effects& out);
  void cleanup_start(const Now& now, Node& n, Effects& out);
  void cleanup_outcome(Node& child, Node& scope);
  void stop_order_next(const Now& now, Node& scope, Effects& out);
  void force_stop(const Now& now, Node& n, const std::string& reason, Effects& out);

  // the concurrency limit (SPEC §6): scope_queue.cpp
  void start_or_queue(const Now& now, Node& n, const ScopeSpec* spec, Effects& out);
  void queue_fill(const Now& now, Node& scope, Effects& out);
  void queue_leave(const Node& n);
  void queue_release_slot(Node& scope, Node& child);
  void queue_cancel_waiting(const Now& now, Node& scope, const std::string& reason, Effects& out);

  // `pause` (SPEC §6): scope_pause.cpp
  void pause_one(const Now& now, Node& n, bool timers, Effects& out);
  void resume_one(const Now& now, Node& n, Effects& out);
  static bool pause_holds(const Node& scope, const Node& child);
  // `health` (SPEC §6): scope_health.cpp
  void health_start(Node& n, Effects& out);
  void health_stop(Node& n, Effects& out);
  bool health_rerun(const Now& now, Node& n, const std::string& exit_reason, Effects& out);

  // `delay` (SPEC §6): scope_delay.cpp
  void delay_or_start(const Now& now, Node& n, const ScopeSpec* spec, Effects& out);
  void delay_drop(Node& n, Effects& out);

  // `after` (SPEC §2, §6): scope_after.cpp
  void after_link(Node& n, const std::vector<NodeId>& deps);
  enum class AfterCheck { Initial, Recheck };  // Initial: announce a wait with a Pending event
  void after_settle(const Now& now, Node& n, AfterCheck check, Effects& out);
  void after_notify(const Now& now, Node& dep, Effects& out);
  void after_unlink(const Node& n);

  void decide(Node& n, Outcome outcome, std::string reason, std::shared_ptr<const Cause> cause);
  void stop_children(const Now& now, Node& scope, const std::string& reason, Effects& out);
  void maybe_scope_done(const Now& now, Node& scope, Effects& out);
  void enter_done(const Now& now, Node& n, Effects& out);
  void on_child_done(const Now& now, Node& parent, Node& child, Effects& out);
  void remember_ended(NodeId id);
  void trim_history(Effects& out);
  void forget(NodeId id, Effects& out);
  std::shared_ptr<const Cause> cause_of(Node& decider);
  void refresh_cause(Node& n);
  static bool bubbles(const Node& child);
  void emit(const Now& now, Node& n, EventKind kind, std::string message, Effects& out);

  TreeLimits limits_;
  std::unordered_map<NodeId, Node> nodes_;
  NodeId next_id_ = kRootId;
  std::uint64_t next_seq_ = 1;
  std::uint64_t next_job_name_ = 1;
  std::uint64_t next_scope_name_ = 1;
  std::size_t live_count_ = 0;
  std::deque<NodeId> ended_;  // oldest first: the history forgets from the front
  bool shutting_down_ = false;
  bool forcing_ = false;  // within force_stop: cleanup and ordered children stop too
  std::mt19937_64 jitter_;  // rule 11: backoff jitter, seeded from TreeLimits.jitter_seed
};

}  // namespace traio
