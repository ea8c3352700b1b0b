#pragma once
// Carries out the core's effects on the event loop: runners start and stop jobs, steady
// timers arm deadlines, listeners (server sessions, the logger) receive lifecycle events.
// Every core call goes through act(), which stamps the time and applies the effects.
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "config/daemon_config.hpp"
#include "daemon/core/scope_tree.hpp"
#include "daemon/runners/job_reports.hpp"
#include "daemon/runners/run_counters.hpp"

namespace traio {

class ProcessRunner;
class SleepRunner;
class WaitRunner;
class ReadyProbes;
class HealthChecks;
class DeadlineTimers;
class OrphanReaper;

class Supervisor : private JobReports {
 public:
  using Listener = std::function<void(const LifecycleEvent&)>;
  using ListenerId = std::uint64_t;

  // `socket_path` is what jobs get as TRAIO_SOCKET (rule 12). `config` must outlive this.
  // Creates config.log_dir (mode 0750) when it does not exist.
  Supervisor(boost::asio::io_context& io, const DaemonConfig& config, std::string socket_path);
  ~Supervisor() override;
  Supervisor(const Supervisor&) = delete;
  Supervisor& operator=(const Supervisor&) = delete;

  const ScopeTree& tree() const { return tree_; }
  Now now() const;

  // Runs `call(now, tree, effects)` and then carries out the effects, in order. Safe to call
  // from a listener: effects produced while others are being applied run after them.
  template <class Call>
  auto act(Call&& call) {
    Effects out;
    using Result = decltype(call(now(), tree_, out));
    if constexpr (std::is_void_v<Result>) {
      call(now(), tree_, out);
      apply(std::move(out));
    } else {
      auto result = call(now(), tree_, out);
      apply(std::move(out));
      return result;
    }
  }

  // A submission is accepted only once the journal holds it (DESIGN: durability), and a
  // refused one must not have run at all. Between hold_starts() and release_starts(), the
  // jobs the tree starts wait; a held job that is stopped meanwhile (its node cancelled
  // because the journal failed) ends without ever starting. release_starts() starts the
  // rest. Not nested; the op calls both in one turn of the loop.
  void hold_starts();
  void release_starts();

  // Listeners may subscribe and unsubscribe (themselves included) from inside a callback.
  ListenerId subscribe(Listener listener);
  void unsubscribe(ListenerId id);

  // Rule 13: cancel `/`, wait until every process is reaped, then call `on_done` once.
  void shutdown(std::function<void()> on_done);

  // The capture log of a job (output: capture), whether or not it exists yet:
  // <log_dir>/<run>-job-<id>.log, <run> naming this daemon run.
  std::string log_path(NodeId id) const;

  // Makes the daemon a child subreaper that reaps orphans on SIGCHLD (DESIGN). Off by
  // default: it is a process-wide setting, for traiod, not for every test binary.
  void enable_orphan_reaping();
  std::size_t orphans_reaped() const;

  // Jobs whose runner is still busy (processes not reaped yet, sleeps not ended).
  std::size_t running_jobs() const;
  // Starts, failures, restarts and ends seen since the daemon started (metrics).
  const RunCounters& counters() const { return counters_; }

  // `traioctl signal`: `signo` to the processes of job `id`. Not a stop: the node's state
  // does not change and sent_signal is not recorded. not_found when it runs no process.
  Status signal(NodeId id, int signo);

  // The cgroup leaf of a running process job, or "" (no cgroup, or no process).
  std::string job_cgroup(NodeId id) const;
  // SPEC §6: why this host cannot apply `limits` (naming the missing cgroup v2
  // controller), or nullopt when it can.
  std::optional<std::string> limits_unavailable(const LimitsSpec& limits);
  // Kills and removes the job cgroups of the crashed run `old_pid` (ProcessRunner).
  void remove_crashed_run_cgroups(int old_pid) const;

  // Adds a done node of an earlier daemon run (ScopeTree::restore) and carries out the
  // effects (a node the history forgets).
  Expected<NodeId> restore(NodeId parent, RestoredNode node);

 private:
  using Report = std::function<void(const Now&, ScopeTree&, Effects&)>;

  // JobReports: what the runners tell us, queued while effects are being applied.
  void job_started(NodeId id, std::optional<int> pid) override;
  void job_ready(NodeId id) override;
  void job_exited(NodeId id, ExitInfo exit) override;
  void job_signalled(NodeId id, int signo) override;
  void job_ready_failed(NodeId id, std::string why) override;
  void on_deadline(NodeId id);
  void on_restart_due(NodeId id);
  void on_delay_due(NodeId id);
  void on_health_check(NodeId id, bool ok, std::string message);
  void report(Report report);

  void apply(Effects effects);
  void drain();
  void carry_out(const Effect& effect);
  void start_job(NodeId id);
  void stop_job(NodeId id);
  void start_probe(NodeId id);
  void stop_probe(NodeId id);
  void start_health(NodeId id);
  void publish(const LifecycleEvent& event);
  void check_shutdown_done();

  boost::asio::io_context& io_;
  const DaemonConfig& config_;
  std::string socket_path_;
  std::string run_tag_;  // in log file names
  ScopeTree tree_;
  std::unique_ptr<ProcessRunner> processes_;
  std::unique_ptr<SleepRunner> sleeps_;
  std::unique_ptr<WaitRunner> waits_;     // wait_tcp, wait_file
  std::unique_ptr<ReadyProbes> probes_;  // `ready` of process jobs
  std::unique_ptr<HealthChecks> health_;  // SPEC §6 `health` of process jobs
  std::unique_ptr<DeadlineTimers> deadlines_;
  std::unique_ptr<DeadlineTimers> restarts_;  // rule 11: backoff waits
  std::unique_ptr<DeadlineTimers> delays_;    // SPEC §6 `delay`: first starts that wait
  std::unique_ptr<OrphanReaper> orphans_;
  std::map<ListenerId, std::shared_ptr<Listener>> listeners_;
  ListenerId next_listener_ = 1;
  bool applying_ = false;
  bool holding_starts_ = false;
  std::vector<NodeId> held_starts_;  // StartJob effects waiting for release_starts()
  std::deque<Effect> backlog_;   // effects not carried out yet, in order
  std::deque<Report> reports_;   // runner reports that arrived while applying
  std::function<void()> on_shutdown_done_;
  RunCounters counters_;
};

}  // namespace traio
