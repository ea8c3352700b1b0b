#include "daemon/runners/process_runner.hpp"

#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <string_view>
#include <utility>

#include <fmt/format.h>

#include "daemon/os/cgroup_limits.hpp"
#include "daemon/os/launcher.hpp"
#include "daemon/os/leftovers.hpp"
#include "daemon/os/tree_signal.hpp"
#include "daemon/runners/logger.hpp"
#include "daemon/runners/notify_socket.hpp"
#include "daemon/runners/output_capture.hpp"
#include "daemon/runners/run_as.hpp"

namespace traio {

namespace asio = boost::asio;

struct ProcessRunner::Job {
  Job(asio::io_context& io, std::shared_ptr<const JobSpec> s, os::CgroupDir g, os::Child c)
      : spec(std::move(s)), cgroup(std::move(g)), child(std::move(c)), watch(io, child.pidfd()) {}
  // The Child owns the pidfd: take it back from Asio before the Child closes it (and kills
  // and reaps the process if it still runs).
  ~Job() {
    boost::system::error_code ignored;
    watch.cancel(ignored);
    watch.release();
  }
  Job(const Job&) = delete;
  Job& operator=(const Job&) = delete;

  std::shared_ptr<const JobSpec> spec;
  // The env, cwd and credentials it started with, kept only for its exec probe (which runs
  // as the job does): a copy of the environment per job is most of a job's memory.
  std::unique_ptr<os::LaunchRequest> how;
  os::CgroupDir cgroup;  // before child: destroyed after it, removing what is left
  os::Child child;
  asio::posix::stream_descriptor watch;
  // Made when first needed: most jobs are never stopped, and most leave nothing to settle.
  std::optional<asio::steady_timer> grace;
  std::optional<asio::steady_timer> settle;  // polls the cgroup, then bounds the wait for the output's EOF
  std::unique_ptr<OutputCapture> capture;  // output: capture
  std::unique_ptr<NotifySocket> notify;    // ready: notify; unlinked when the job ends
  bool stopping = false;
  // SPEC §6 pause: how it was frozen, so that it is thawed the same way.
  enum class Frozen { No, Cgroup, Stopped } frozen = Frozen::No;
  std::optional<ExitInfo> exit;  // the main process is reaped; waiting for its cgroup to empty
  int settle_polls = 0;
  // SPEC §6: it runs under limits (its own or its scopes'): its leaf is asked for OOM kills
  // when it ends, and the directories of `scope_limits` are released with it.
  bool limited = false;
  std::vector<ScopeLimit> scope_limits;
};

namespace {

constexpr auto kSettlePoll = std::chrono::milliseconds(5);
constexpr int kMaxSettlePolls = 400;  // 2 s: SIGKILLed processes die long before, unless in D state
// Once the job's processes are gone its pipes hit EOF at once; this only bounds the wait for a
// process that escaped the job's tree (no cgroup, setsid) and still holds a pipe.
constexpr auto kOutputDrainLimit = std::chrono::milliseconds(200);
std::uint64_t g_runner_count = 0;     // names the cgroup of each runner of this process

// TRAIOD_CGROUPS=off makes traiod use process groups only, as on a host without a writable
// cgroup v2 (for tests of that path, and for hosts where cgroups misbehave).
bool cgroups_disabled() {
  const char* value = std::getenv("TRAIOD_CGROUPS");
  return value != nullptr && std::string_view(value) == "off";
}

std::string daemon_cgroup() {
  if (cgroups_disabled()) return {};
  auto own = os::own_cgroup_dir();
  return own ? *own : std::string();
}

// Said once per daemon, at its start: what the fallback cannot do.
void warn_process_groups_only(std::string_view why) {
  log(LogLevel::Warning,
      "no cgroup for jobs ({}): stopping a job signals its process group only; descendants that call "
      "setsid escape it",
      why);
}

os::CgroupDir make_jobs_cgroup(const std::string& own) {
  if (cgroups_disabled()) {
    warn_process_groups_only("TRAIOD_CGROUPS=off");
    return {};
  }
  if (own.empty()) {
    warn_process_groups_only("no writable cgroup v2 hierarchy");
    return {};
  }
  auto dir = os::CgroupDir::create(fmt::format("{}/traio-{}-{}", own, ::getpid(), ++g_runner_count));
  if (!dir) {
    warn_process_groups_only(fmt::format("cannot create {}/traio-*: {}", own, dir.error().message()));
    return {};
  }
  return std::move(*dir);
}

}  // namespace

namespace {

ExitInfo exit_info_of(const os::ExitStatus& status) {
  switch (status.kind) {
    case os::ExitKind::Exited: return ExitInfo::exited(status.code);
    case os::ExitKind::Killed: return ExitInfo::signaled(status.code);
  }
  return ExitInfo::signaled(SIGKILL);
}

os::Result<os::UniqueFd> open_output(const JobSpec& spec) {
  switch (spec.output.mode) {
    case OutputMode::File:
      switch (spec.output.file_mode) {
        case FileMode::Append: return os::open_output_file(spec.output.file, os::OpenMode::Append);
        case FileMode::Truncate: return os::open_output_file(spec.output.file, os::OpenMode::Truncate);
      }
      break;
    case OutputMode::Capture:  // pipes, see OutputCapture
    case OutputMode::Inherit:
    case OutputMode::Null:
      return os::UniqueFd{};
  }
  return os::errno_code(EINVAL);
}

os::OutputTarget output_target(OutputMode mode) {
  switch (mode) {
    case OutputMode::Capture: return os::OutputTarget::Split;
    case OutputMode::File: return os::OutputTarget::Fd;
    case OutputMode::Inherit: return os::OutputTarget::Split;  // pipes: lines get the job's path
    case OutputMode::Null: return os::OutputTarget::Null;
  }
  return os::OutputTarget::Null;
}

std::string output_path(const JobSpec& spec, const std::string& log_path) {
  return spec.output.mode == OutputMode::File ? spec.output.file : log_path;
}

}  // namespace

ProcessRunner::ProcessRunner(asio::io_context& io, JobReports& reports, ProcessDefaults defaults,
                             std::string socket_path, os::UserInfo user)
    : io_(io),
      reports_(reports),
      defaults_(defaults),
      socket_path_(std::move(socket_path)),
      user_(std::move(user)),
      own_cgroup_(daemon_cgroup()),
      jobs_cgroup_(make_jobs_cgroup(own_cgroup_)) {
  if (jobs_cgroup_.valid()) janitor_.emplace();
  limits_.set_dirs(own_cgroup_, jobs_cgroup_.valid() ? jobs_cgroup_.path() : std::string());
}

ProcessRunner::~ProcessRunner() {
  jobs_.clear();  // each Job's Child kills and reaps its group
  if (janitor_) janitor_->drain();  // the leaves inside scope directories go before those (limits_)
}

std::optional<std::string> ProcessRunner::limits_unavailable(const LimitsSpec& limits) {
  return limits_.unavailable(limits);
}

namespace {

bool is_limited(const ProcessLaunch& launch) { return launch.spec->limits || !launch.scope_limits.empty(); }

}  // namespace

std::optional<os::LaunchRequest> ProcessRunner::launched_as(NodeId id) const {
  auto it = jobs_.find(id);
  if (it == jobs_.end()) return std::nullopt;
  if (!it->second->how) return os::LaunchRequest{};  // not an exec probe: nothing of it is read
  return *it->second->how;
}

void ProcessRunner::remove_crashed_run_cgroups(int old_pid) const {
  if (!jobs_cgroup_.valid()) return;
  if (auto killed = os::remove_crashed_run_cgroups(own_cgroup_, old_pid, std::chrono::seconds(2)))
    log(LogLevel::Warning, "killed the processes of {} job(s) of traiod pid {} that its journal did not name", killed,
        old_pid);
}

std::string ProcessRunner::cgroup_path(NodeId id) const {
  auto it = jobs_.find(id);
  if (it == jobs_.end() || !it->second->cgroup.valid()) return {};
  return it->second->cgroup.path();
}

std::optional<int> ProcessRunner::pid(NodeId id) const {
  auto it = jobs_.find(id);
  if (it == jobs_.end()) return std::nullopt;
  return it->second->child.pid();
}

os::EnvMap ProcessRunner::job_environment(const ProcessLaunch& launch) const {
  const JobSpec& spec = *launch.spec;
  os::EnvMap env = spec.base_env ? os::EnvMap(spec.base_env->begin(), spec.base_env->end())
                                 : os::clean_base_environment(user_);
  return with_job_variables(std::move(env), launch);
}

os::EnvMap ProcessRunner::job_environment(const ProcessLaunch& launch, const os::UserInfo& user) const {
  const JobSpec& spec = *launch.spec;
  if (!spec.base_env) return with_job_variables(os::clean_base_environment(user), launch);
  // --inherit-env sends the caller's HOME and USER, which are not this user's: its files
  // would land in someone else's home (as sudo resets them too).
  os::EnvMap env(spec.base_env->begin(), spec.base_env->end());
  os::set_user_variables(env, user);
  return with_job_variables(std::move(env), launch);
}

os::EnvMap ProcessRunner::with_job_variables(os::EnvMap env, const ProcessLaunch& launch) const {
  const JobSpec& spec = *launch.spec;
  for (const auto& [key, value] : spec.env) env[key] = value;
  os::strip_daemon_variables(env);
  // rule 12: a job knows where it sits, so traioctl inside it defaults to its scope
  env["TRAIO_SOCKET"] = socket_path_;
  env["TRAIO_SCOPE"] = launch.scope_path;
  env["TRAIO_JOB"] = launch.job_path;
  return env;
}

// Opens where the output goes: the capture pipes and log, or the user's file.
boost::system::error_code ProcessRunner::prepare_output(const ProcessLaunch& launch, os::LaunchRequest& request, os::UniqueFd& file,
                                   std::unique_ptr<OutputCapture>& capture, std::string& failure) {
  const JobSpec& spec = *launch.spec;
  request.output = output_target(spec.output.mode);
  boost::system::error_code error;
  if (spec.output.mode == OutputMode::Capture || spec.output.mode == OutputMode::Inherit) {
    CaptureOptions options;
    options.max_bytes = defaults_.log_max_bytes;
    options.keep = defaults_.log_keep;
    if (launch.log_owner) {  // a job that runs as another user owns its log (SPEC §2 user)
      options.uid = launch.log_owner->uid;
      options.gid = launch.log_owner->gid;
    }
    // SPEC §2 inherit: the daemon's stdout and stderr, each line prefixed with the job's path
    auto opened = spec.output.mode == OutputMode::Capture ? OutputCapture::open(io_, launch.log_path, options)
                                                          : OutputCapture::open_inherit(io_, launch.job_path);
    if (opened) {
      capture = std::move(*opened);
      request.output_fd = capture->child_stdout();
      request.error_fd = capture->child_stderr();
      return {};
    }
    error = opened.error();
  } else {
    auto opened = open_output(spec);
    if (opened) {
      file = std::move(*opened);
      request.output_fd = file.get();
      return {};
    }
    error = opened.error();
  }
  failure = fmt::format("cannot start '{}': cannot open output '{}': {}", request.argv.empty() ? "" : request.argv[0],
                        output_path(spec, launch.log_path), error.message());
  return error;
}

os::Result<os::Child> ProcessRunner::spawn(const ProcessLaunch& launch, os::CgroupDir& cgroup,
                                            std::unique_ptr<OutputCapture>& capture, std::string& failure,
                                            os::LaunchRequest& how, std::unique_ptr<NotifySocket>& notify) {
  const JobSpec& spec = *launch.spec;
  const std::string program = spec.argv.empty() ? std::string() : spec.argv.front();
  auto identity = job_identity(spec, launch.owner_uid, failure);
  if (!identity) {
    failure = fmt::format("cannot start '{}': {}", program, failure);
    return identity.error();
  }
  os::LaunchRequest request;
  request.argv = spec.argv;
  os::EnvMap env = *identity ? job_environment(launch, (*identity)->user.info) : job_environment(launch);
  if (spec.ready.probe == ReadySpec::Probe::Notify) {
    auto opened = NotifySocket::open(io_, notify_socket_path(launch.id),
                                     *identity ? std::optional((*identity)->ids) : std::nullopt);
    if (!opened) {
      failure = fmt::format("cannot start '{}': cannot create its NOTIFY_SOCKET {}: {}", program,
                            notify_socket_path(launch.id), opened.error().message());
      return opened.error();
    }
    notify = std::move(*opened);
    env["NOTIFY_SOCKET"] = notify->path();
  }
  request.env = os::to_envp(env);
  request.cwd = spec.cwd;
  ProcessLaunch as_run = launch;
  if (*identity) {
    request.credentials = (*identity)->ids;
    as_run.log_owner = request.credentials;
  }
  os::UniqueFd file;  // output: file; the child has its copy once launched
  if (request.credentials && spec.output.mode == OutputMode::File) {
    // Opened by the child once it is the job's user, not by the daemon as root: the user's
    // own permissions decide whether it may write there, and a file it creates is its own.
    request.output = os::OutputTarget::File;
    request.output_file = spec.output.file;
    request.output_file_mode = spec.output.file_mode == FileMode::Append ? os::OpenMode::Append : os::OpenMode::Truncate;
  } else if (auto error = prepare_output(as_run, request, file, capture, failure)) {
    return error;
  }
  cgroup = make_job_cgroup(launch, failure);
  if (!failure.empty()) {
    failure = fmt::format("cannot start '{}': {}", program, failure);
    return os::errno_code(EPERM);
  }
  auto child = launch_in_cgroup(launch.id, request, cgroup);
  if (child) {
    how.env = std::move(request.env);
    how.cwd = std::move(request.cwd);
    how.credentials = request.credentials;
    return std::move(*child);
  }
  failure = describe_start_failure(program, request, child.error());
  return child.error().error;
}

void ProcessRunner::start(const ProcessLaunch& launch) {
  std::string failure;
  os::CgroupDir cgroup;
  std::unique_ptr<OutputCapture> capture;
  os::LaunchRequest how;
  std::unique_ptr<NotifySocket> notify;
  auto child = spawn(launch, cgroup, capture, failure, how, notify);
  if (!child) {
    if (cgroup.valid() && is_limited(launch)) {
      janitor_->remove(std::move(cgroup));  // before its scopes' directories
      limits_.release(launch.scope_limits, janitor_);
    }
    reports_.job_exited(launch.id, ExitInfo::start_failed(std::move(failure)));
    return;
  }
  const int pid = child->pid();
  const bool limited = cgroup.valid() && is_limited(launch);
  cgroup.drop_fd();  // the child is in its leaf: from now on its files open relative to jobs_cgroup_
  auto job = std::make_unique<Job>(io_, launch.spec, std::move(cgroup), std::move(*child));
  if (limited) {
    job->limited = true;
    job->scope_limits = launch.scope_limits;
  }
  if (launch.spec->ready.probe == ReadySpec::Probe::Exec) job->how = std::make_unique<os::LaunchRequest>(std::move(how));
  if (capture) {
    capture->start();
    job->capture = std::move(capture);
  }
  job->notify = std::move(notify);
  watch_exit(launch.id, *job);
  jobs_[launch.id] = std::move(job);
  by_pid_[pid] = launch.id;
  reports_.job_started(launch.id, pid);  // the core marks a process without probe ready
}

// A leaf of its own for the job, made before the spawn: creating a cgroup takes a while,
// and the child must be moved in right after its exec, before it forks. A job under limits
// (SPEC §6) gets its limits written there first, its leaf inside its limited scopes'
// directories, and does not start without them (`failure` says why).
os::CgroupDir ProcessRunner::make_job_cgroup(const ProcessLaunch& launch, std::string& failure) {
  const NodeId id = launch.id;
  const bool limited = is_limited(launch);
  if (!jobs_cgroup_.valid()) {
    if (limited) failure = "cannot apply its limits: traiod has no cgroup v2 directory for jobs";
    return {};
  }
  std::string parent = jobs_cgroup_.path();
  if (!launch.scope_limits.empty()) {
    parent = limits_.parent_for(launch.scope_limits, janitor_, failure);
    if (parent.empty()) return {};
  }
  auto made = make_leaf(id, parent);
  if (limited) {
    os::Result<void> applied = made.valid() ? CgroupLimits::apply(made.fd(), launch.spec->limits.value_or(LimitsSpec{}))
                                            : os::Result<void>(os::errno_code(ENOENT));
    if (!applied) {
      failure = fmt::format("cannot apply its limits to its cgroup: {}", applied.error().message());
      if (made.valid()) janitor_->remove(std::move(made));
      limits_.release(launch.scope_limits, janitor_);
      return {};
    }
  }
  return made;
}

// Directly under jobs_cgroup_, the leaf is made relative to it and can give up its own fd
// once the job runs (CgroupDir::drop_fd); inside a limited scope's directory it keeps it.
os::CgroupDir ProcessRunner::make_leaf(NodeId id, const std::string& parent) {
  const auto leaf = fmt::format("job-{}", id);
  const bool direct = parent == jobs_cgroup_.path();
  auto create = [&] {
    return direct ? os::CgroupDir::create_in(jobs_cgroup_, leaf) : os::CgroupDir::create(parent + "/" + leaf);
  };
  auto dir = create();
  if (!dir && dir.error().value() == EEXIST && janitor_) {
    janitor_->drain();  // a restart of this job: its previous leaf is still queued for removal
    dir = create();
  }
  if (!dir) {
    log(LogLevel::Warning, "job {}: cannot create its cgroup: {}", id, dir.error().message());
    return {};
  }
  return std::move(*dir);
}

// The child must be born in the job's leaf: moving it after its exec would race with its
// first forks. clone3 starts it there (CLONE_INTO_CGROUP); on kernels without that, the
// daemon steps into the leaf for the start and back out, two migrations per job.
os::LaunchResult ProcessRunner::launch_in_cgroup(NodeId id, os::LaunchRequest& request, os::CgroupDir& cgroup) {
  if (cgroup.valid() && clone_into_cgroup_) {
    request.cgroup_fd = cgroup.fd();
    auto child = os::launch_process(request);
    request.cgroup_fd = -1;
    const bool unsupported = !child && child.error().step == os::LaunchStep::Setup &&
                             (child.error().error.value() == ENOSYS || child.error().error.value() == EINVAL);
    if (!unsupported) return child;
    clone_into_cgroup_ = false;
    log(LogLevel::Info, "this kernel cannot start a process in a cgroup (clone3 CLONE_INTO_CGROUP: {}): "
        "traiod steps into each job's cgroup to start it", child.error().error.message());
  }
  const bool inside = enter_cgroup(id, cgroup);
  auto child = os::launch_process(request);
  if (inside) leave_cgroup(cgroup);
  return child;
}

bool ProcessRunner::enter_cgroup(NodeId id, os::CgroupDir& cgroup) const {
  if (!cgroup.valid()) return false;
  if (auto in = cgroup.add(::getpid()); !in) {
    log(LogLevel::Warning, "job {}: cannot enter its cgroup: {}", id, in.error().message());
    cgroup = {};
    return false;
  }
  return true;
}

void ProcessRunner::leave_cgroup(os::CgroupDir& cgroup) {
  if (auto out = os::move_to_cgroup(own_cgroup_, ::getpid()); !out) {
    // The daemon is stuck in the job's leaf: never kill that leaf, and stop using cgroups.
    log(LogLevel::Error, "cannot leave cgroup {}: {}; jobs get no cgroups from now on", cgroup.path(),
        out.error().message());
    cgroup.release();
    jobs_cgroup_.release();
    limits_.set_dirs(own_cgroup_, {});
  }
}

void ProcessRunner::watch_exit(NodeId id, Job& job) {
  job.watch.async_wait(asio::posix::descriptor_base::wait_read,
                       [this, id, alive = std::weak_ptr<int>(alive_)](boost::system::error_code ec) {
                         if (alive.expired() || ec == asio::error::operation_aborted) return;
                         on_exit_readable(id);
                       });
}

void ProcessRunner::on_exit_readable(NodeId id) {
  auto it = jobs_.find(id);
  if (it == jobs_.end()) return;
  Job& job = *it->second;
  if (job.exit) return;  // reaped already, settling
  auto status = job.child.try_reap();
  if (status && !status->has_value()) {
    watch_exit(id, job);  // not exited after all: keep waiting
    return;
  }
  if (status) {
    job.exit = exit_info_of(**status);
  } else {
    // ECHILD: someone else reaped it (SIGCHLD set to SIG_IGN?); its status is lost.
    log(LogLevel::Error, "job {}: cannot reap pid {}: {}", id, job.child.pid(), status.error().message());
    job.exit = ExitInfo::signaled(SIGKILL);
  }
  by_pid_.erase(job.child.pid());
  if (job.grace) job.grace->cancel();
  settle(id);
}

// Rule 7: a job is done only when every process of its tree is gone. Its process group was
// killed with the reap; descendants that left it (setsid) are still in its cgroup.
void ProcessRunner::settle(NodeId id) {
  auto it = jobs_.find(id);
  if (it == jobs_.end()) return;
  Job& job = *it->second;
  if (job.cgroup.valid() && job.settle_polls < kMaxSettlePolls) {
    auto populated = job.cgroup.populated();
    if (populated && *populated) {
      (void)job.cgroup.kill_all();  // a failure shows as populated at the next poll
      ++job.settle_polls;
      if (!job.settle) job.settle.emplace(io_);
      job.settle->expires_after(kSettlePoll);
      job.settle->async_wait([this, id, alive = std::weak_ptr<int>(alive_)](boost::system::error_code ec) {
        if (alive.expired() || ec == asio::error::operation_aborted) return;
        settle(id);
      });
      return;
    }
  }
  await_output(id, job);
}

// The exit is reported once the job's output is in its log, so that `logs` right after
// `wait` shows everything the job wrote. Every process of the job is gone by now, so both
// pipes hit EOF at once, unless a process that escaped its tree (no cgroup, setsid) still
// holds one: then the exit is reported after kOutputDrainLimit, everything the main process
// wrote having been read by then, and the capture reads on in the background until EOF.
void ProcessRunner::await_output(NodeId id, Job& job) {
  if (!job.capture || job.capture->finished()) {
    report_exit(id);
    return;
  }
  job.capture->when_finished([this, id] { report_exit(id); });
  if (!job.settle) job.settle.emplace(io_);
  job.settle->expires_after(kOutputDrainLimit);
  job.settle->async_wait([this, id, alive = std::weak_ptr<int>(alive_)](boost::system::error_code ec) {
    if (alive.expired() || ec == asio::error::operation_aborted) return;
    report_exit(id);
  });
}

void ProcessRunner::report_exit(NodeId id) {
  auto it = jobs_.find(id);
  if (it == jobs_.end() || !it->second->exit) return;
  Job& job = *it->second;
  if (job.capture && !job.capture->finished()) {
    log(LogLevel::Debug, "job {}: a process outside its tree holds its output; reading on", id);
    OutputCapture* capture = job.capture.get();
    capture->when_finished([this, capture] {
      std::erase_if(detached_, [capture](const auto& c) { return c.get() == capture; });
    });
    detached_.push_back(std::move(job.capture));
  }
  ExitInfo exit = std::move(*job.exit);
  if (job.limited && job.cgroup.valid()) exit.oom = os::read_cgroup_oom_kills(job.cgroup.fd()) > 0;
  if (janitor_ && job.cgroup.valid()) janitor_->remove(std::move(job.cgroup));
  if (job.limited) limits_.release(job.scope_limits, janitor_);
  jobs_.erase(it);  // without a janitor, ~CgroupDir removes the empty cgroup here
  reports_.job_exited(id, std::move(exit));
}

std::string ProcessRunner::notify_socket_path(NodeId id) const {
  return fmt::format("{}.notify-{}", socket_path_, id);
}

void ProcessRunner::feed_probe(NodeId id, std::function<bool(std::string_view)> sink) {
  auto it = jobs_.find(id);
  if (it == jobs_.end() || it->second->exit) return;
  Job& job = *it->second;
  if (job.spec->ready.probe == ReadySpec::Probe::Log && job.capture) job.capture->watch_lines(std::move(sink));
  if (job.spec->ready.probe != ReadySpec::Probe::Notify || !job.notify) return;
  job.notify->receive([this, id, sink = std::move(sink)](NotifySocket::Sender sender, std::string_view message) {
    auto found = jobs_.find(id);
    if (found == jobs_.end()) return false;
    const Job& j = *found->second;
    if (!sender_belongs_to_job(sender, j.child.pid(), j.cgroup.valid() ? j.cgroup.path() : std::string(),
                               j.notify->owner_uid())) {
      log(LogLevel::Warning, "job {}: ignored a datagram on its NOTIFY_SOCKET from pid {}, not one of its processes",
          id, sender.pid);
      return true;
    }
    return sink(message);
  });
}

bool ProcessRunner::reap_tracked(int pid) {
  auto it = by_pid_.find(pid);
  if (it == by_pid_.end()) return false;
  on_exit_readable(it->second);
  return true;
}

void ProcessRunner::stop(NodeId id) {
  auto it = jobs_.find(id);
  if (it == jobs_.end() || it->second->stopping || it->second->exit) return;
  Job& job = *it->second;
  job.stopping = true;
  send(id, job, job.spec->stop.signal.value_or(defaults_.stop_signal));
  // A frozen process holds its stop signal until thawed: thawed after it, it handles it at once.
  if (job.frozen != Job::Frozen::No) freeze(id, false);
  // rule 7: no waiting on this job here, so 1000 stops all run their graces side by side
  if (!job.grace) job.grace.emplace(io_);
  job.grace->expires_after(job.spec->stop.grace.value_or(defaults_.stop_grace));
  job.grace->async_wait([this, id, alive = std::weak_ptr<int>(alive_)](boost::system::error_code ec) {
    if (alive.expired() || ec == asio::error::operation_aborted) return;
    on_grace_expired(id);
  });
}

void ProcessRunner::on_grace_expired(NodeId id) {
  auto it = jobs_.find(id);
  if (it == jobs_.end() || it->second->exit) return;
  send(id, *it->second, SIGKILL);
}

void ProcessRunner::freeze(NodeId id, bool frozen) {
  auto it = jobs_.find(id);
  if (it == jobs_.end() || it->second->exit) return;
  Job& job = *it->second;
  if (!frozen) {
    switch (std::exchange(job.frozen, Job::Frozen::No)) {
      case Job::Frozen::No: return;
      case Job::Frozen::Cgroup:
        if (auto thawed = job.cgroup.freeze(false); !thawed)
          log(LogLevel::Error, "job {}: cannot thaw its cgroup: {}", id, thawed.error().message());
        return;
      case Job::Frozen::Stopped: (void)job.child.signal_group(SIGCONT); return;
    }
    return;
  }
  if (job.frozen != Job::Frozen::No || job.stopping) return;
  if (job.cgroup.valid()) {
    if (auto done = job.cgroup.freeze(true); done) {
      job.frozen = Job::Frozen::Cgroup;
      return;
    }
  }
  if (!said_no_freezer_) {
    said_no_freezer_ = true;
    log(LogLevel::Warning, "cgroup freezer unavailable, pausing with SIGSTOP");
  }
  if (auto sent = job.child.signal_group(SIGSTOP); !sent) {
    log(LogLevel::Error, "job {}: cannot stop process group {}: {}", id, job.child.pid(), sent.error().message());
    return;
  }
  job.frozen = Job::Frozen::Stopped;
}

os::Result<void> ProcessRunner::signal(NodeId id, int signo) {
  auto it = jobs_.find(id);
  if (it == jobs_.end() || it->second->exit) return os::errno_code(ESRCH);
  Job& job = *it->second;
  auto delivery = os::signal_tree(job.child, job.cgroup, signo);
  if (!delivery) return delivery.error();
  return {};  // AlreadyGone: it exited meanwhile; its exit report follows, as for a stop
}

void ProcessRunner::send(NodeId id, Job& job, int signo) {
  if (job.cgroup.valid()) {
    // The whole tree, setsid'd descendants included; the group below catches a child that
    // forked before it was moved into the cgroup.
    auto sent = signo == SIGKILL ? job.cgroup.kill_all() : job.cgroup.signal_all(signo);
    if (!sent) log(LogLevel::Warning, "job {}: cannot signal its cgroup: {}", id, sent.error().message());
  }
  auto delivery = job.child.signal_group(signo);
  if (!delivery) {
    log(LogLevel::Error, "job {}: cannot signal process group {}: {}", id, job.child.pid(),
        delivery.error().message());
    return;
  }
  switch (*delivery) {
    case os::Delivery::Sent: reports_.job_signalled(id, signo); break;
    case os::Delivery::AlreadyGone: break;  // ESRCH: it exited first; its exit report follows
  }
}

}  // namespace traio
