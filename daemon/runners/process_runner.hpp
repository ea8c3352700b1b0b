#pragma once
// Runs process jobs: spawns them (os/launcher) with their output captured (output_capture)
// or sent where the spec says, learns of their exit from the pidfd turning
// readable, reaps them, and stops them with their stop signal, then SIGKILL after the grace
// (rule 7), always to the whole process tree: its cgroup v2 leaf when cgroups are writable,
// and its process group in any case.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>

#include "common/duration.hpp"
#include "config/node_spec.hpp"
#include "daemon/os/cgroup.hpp"
#include "daemon/os/cgroup_janitor.hpp"
#include "daemon/os/child.hpp"
#include "daemon/os/environment.hpp"
#include "daemon/os/launcher.hpp"
#include "daemon/runners/cgroup_limits.hpp"
#include "daemon/runners/job_reports.hpp"

namespace traio {

class NotifySocket;
class OutputCapture;

struct ProcessDefaults {
  int stop_signal = 15;
  Duration stop_grace = std::chrono::seconds(10);
  std::uint64_t log_max_bytes = 10ull << 20;  // config logs.max_bytes
  unsigned log_keep = 5;                      // config logs.keep
};

// Everything a start needs besides the spec: where the job sits and where its output goes.
struct ProcessLaunch {
  NodeId id = kNoNode;
  std::shared_ptr<const JobSpec> spec;
  std::string job_path;    // TRAIO_JOB (rule 12)
  std::string scope_path;  // TRAIO_SCOPE (rule 12)
  std::string log_path;    // output: capture
  // The uid of the client that submitted it (Node.owner_uid): under a root daemon, a job
  // without `user` runs as that client (SPEC §5).
  uid_t owner_uid = 0;
  // Set by the runner for a job that runs as another user: its capture log is that user's.
  std::optional<os::Credentials> log_owner = std::nullopt;
  // SPEC §6: the scopes above it with `limits`, outermost first; its leaf nests under theirs.
  std::vector<ScopeLimit> scope_limits = {};
};

class ProcessRunner {
 public:
  ProcessRunner(boost::asio::io_context& io, JobReports& reports, ProcessDefaults defaults,
                std::string socket_path, os::UserInfo user);
  ~ProcessRunner();
  ProcessRunner(const ProcessRunner&) = delete;
  ProcessRunner& operator=(const ProcessRunner&) = delete;

  // Reports job_started(pid) on success, job_exited(StartFailed) on failure; both at once.
  void start(const ProcessLaunch& launch);
  // Harmless for a job that is not running (never started, already exited, already stopping).
  void stop(NodeId id);
  // SPEC §6 pause: freezes (or thaws) the job's processes through its cgroup's
  // cgroup.freeze, or with SIGSTOP (SIGCONT) to its process group when it has no cgroup.
  // Harmless for a job that runs no process. A frozen job that is stopped is thawed after
  // its stop signal is sent, so that it handles it.
  void freeze(NodeId id, bool frozen);
  // `traioctl signal`: `signo` to the job's whole process tree, each process once
  // (os/tree_signal.hpp). No stop: nothing is reported (a job the signal kills ends as if
  // someone else had sent it).
  // ESRCH when the job runs no process (not started, or ended).
  os::Result<void> signal(NodeId id, int signo);

  // When `pid` is the main process of a running job that has exited: reaps and reports it
  // now (the orphan reaper found it first) and returns true.
  bool reap_tracked(int pid);

  std::size_t running() const { return jobs_.size(); }
  // Whether jobs get their own cgroup v2 leaf (else only their process group is killed).
  bool uses_cgroups() const { return jobs_cgroup_.valid(); }
  // SPEC §6: why this host cannot apply `limits` (the missing cgroup v2 controller), or
  // nullopt when it can.
  std::optional<std::string> limits_unavailable(const LimitsSpec& limits);
  std::optional<int> pid(NodeId id) const;
  // The cgroup leaf of a running job ("" without one): the journal records it, so that a
  // restarted daemon can kill what a crashed one left.
  std::string cgroup_path(NodeId id) const;
  // os::remove_crashed_run_cgroups under the daemon's cgroup: after the journal's recovery,
  // what the crashed run `old_pid` left there that the journal did not name.
  void remove_crashed_run_cgroups(int old_pid) const;
  // How a running job was started (env, cwd, credentials; no argv, no output): an exec
  // `ready` probe runs the same way. nullopt when the job runs no process.
  std::optional<os::LaunchRequest> launched_as(NodeId id) const;

  // Hands what a `log` or `notify` probe of running job `id` reads to `sink`: each line of
  // its output (a piece of at most kMaxRecordLine bytes), or each datagram its processes send
  // to its NOTIFY_SOCKET; until `sink` returns false or the job ends. Nothing for other jobs.
  void feed_probe(NodeId id, std::function<bool(std::string_view)> sink);
  // Where the NOTIFY_SOCKET of a job with a `notify` probe is bound: beside the daemon's
  // socket, whose directory every user who may submit jobs can reach.
  std::string notify_socket_path(NodeId id) const;

  // The environment a job starts with: base (clean, or spec.base_env), spec.env, TRAIO_*.
  os::EnvMap job_environment(const ProcessLaunch& launch) const;
  // The same for a job that runs as `user`: HOME, USER and LOGNAME are its own.
  os::EnvMap job_environment(const ProcessLaunch& launch, const os::UserInfo& user) const;

 private:
  struct Job;
  os::Result<os::Child> spawn(const ProcessLaunch& launch, os::CgroupDir& cgroup,
                              std::unique_ptr<OutputCapture>& capture, std::string& failure, os::LaunchRequest& how,
                              std::unique_ptr<NotifySocket>& notify);
  boost::system::error_code prepare_output(const ProcessLaunch& launch, os::LaunchRequest& request, os::UniqueFd& file,
                      std::unique_ptr<OutputCapture>& capture, std::string& failure);
  os::EnvMap with_job_variables(os::EnvMap env, const ProcessLaunch& launch) const;
  os::CgroupDir make_job_cgroup(const ProcessLaunch& launch, std::string& failure);
  os::CgroupDir make_leaf(NodeId id, const std::string& parent);
  os::LaunchResult launch_in_cgroup(NodeId id, os::LaunchRequest& request, os::CgroupDir& cgroup);
  bool enter_cgroup(NodeId id, os::CgroupDir& cgroup) const;
  void leave_cgroup(os::CgroupDir& cgroup);
  void watch_exit(NodeId id, Job& job);
  void on_exit_readable(NodeId id);
  void settle(NodeId id);
  void await_output(NodeId id, Job& job);
  void report_exit(NodeId id);
  void on_grace_expired(NodeId id);
  void send(NodeId id, Job& job, int signo);

  boost::asio::io_context& io_;
  JobReports& reports_;
  ProcessDefaults defaults_;
  std::string socket_path_;
  os::UserInfo user_;
  std::string own_cgroup_;     // the daemon's own cgroup v2 directory
  os::CgroupDir jobs_cgroup_;  // parent of the jobs' leaves; outlives them (declared first)
  std::optional<os::CgroupJanitor> janitor_;  // removes ended jobs' leaves; joined before the parent goes
  CgroupLimits limits_;  // SPEC §6; its scope directories go before the janitor is joined
  bool clone_into_cgroup_ = true;  // until the kernel says it cannot (before Linux 5.7)
  bool said_no_freezer_ = false;   // the SIGSTOP fallback of freeze() is logged once
  std::unordered_map<NodeId, std::unique_ptr<Job>> jobs_;
  std::unordered_map<int, NodeId> by_pid_;  // main pids of running jobs
  // Captures of ended jobs whose pipes a process outside the job's tree still holds: read
  // on until EOF, then dropped.
  std::vector<std::unique_ptr<OutputCapture>> detached_;
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);  // handlers check it after we are gone
};

}  // namespace traio
