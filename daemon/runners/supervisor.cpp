#include "daemon/runners/supervisor.hpp"

#include <unistd.h>

#include <algorithm>
#include <ctime>
#include <filesystem>
#include <utility>

#include <fmt/format.h>

#include "daemon/os/environment.hpp"
#include "daemon/os/reaper.hpp"
#include "daemon/runners/deadline_timers.hpp"
#include "daemon/runners/health_checks.hpp"
#include "daemon/runners/logger.hpp"
#include "daemon/runners/orphan_reaper.hpp"
#include "daemon/runners/process_runner.hpp"
#include "daemon/runners/ready_probes.hpp"
#include "daemon/runners/sleep_runner.hpp"
#include "daemon/runners/wait_runner.hpp"

namespace traio {

namespace {

// SPEC §6: the scopes above `node` with limits, outermost first.
std::vector<ScopeLimit> scope_limits_of(const ScopeTree& tree, const Node& node) {
  std::vector<ScopeLimit> out;
  for (const Node* scope = tree.find(node.parent); scope != nullptr; scope = tree.find(scope->parent))
    if (scope->scope_spec && scope->scope_spec->limits) out.push_back(ScopeLimit{scope->id, *scope->scope_spec->limits});
  std::reverse(out.begin(), out.end());
  return out;
}

}  // namespace

namespace {

TreeLimits tree_limits(const DaemonConfig& config) {
  TreeLimits limits;
  limits.history = config.history;
  limits.max_nodes = config.limits.nodes;
  limits.max_depth = config.limits.depth;
  limits.backoff_initial = config.defaults.backoff_initial;
  limits.backoff_max = config.defaults.backoff_max;
  limits.jitter_seed = static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
  return limits;
}

void make_log_dir(const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (dir.empty() || fs::is_directory(dir, ec)) return;
  fs::create_directories(dir, ec);
  if (!ec) fs::permissions(dir, fs::perms(0750), ec);  // job output is not for everyone
  if (ec) log(LogLevel::Warning, "cannot create log directory {}: {}", dir, ec.message());
}

// "20261125T163000-4242": when this daemon started, and its pid.
std::string make_run_tag() {
  std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm utc{};
  ::gmtime_r(&now, &utc);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%S", &utc);
  return fmt::format("{}-{}", stamp, ::getpid());
}

os::UserInfo daemon_user() {
  auto user = os::current_user();
  if (user) return *user;
  log(LogLevel::Warning, "cannot look up the daemon's user: {}; jobs get no HOME/USER", user.error().message());
  return {};
}

// Flips `flag` back on every exit path, exceptions included.
struct FlagGuard {
  bool& flag;
  ~FlagGuard() { flag = false; }
};

}  // namespace

Supervisor::Supervisor(boost::asio::io_context& io, const DaemonConfig& config, std::string socket_path)
    : io_(io),
      config_(config),
      socket_path_(std::move(socket_path)),
      run_tag_(make_run_tag()),
      tree_(tree_limits(config), std::chrono::system_clock::now()) {
  make_log_dir(config_.log_dir);
  // Each running job holds a pidfd: 10,000 jobs need more than the usual soft limit of 1024.
  if (auto limit = os::raise_fd_limit(); !limit)
    log(LogLevel::Warning, "cannot raise the open file limit: {}", limit.error().message());
  JobReports& reports = *this;  // private base: converted here, where it is accessible
  ProcessDefaults defaults{config_.defaults.stop_signal, config_.defaults.stop_grace, config_.logs.max_bytes,
                           config_.logs.keep};
  processes_ = std::make_unique<ProcessRunner>(io_, reports, defaults, socket_path_, daemon_user());
  sleeps_ = std::make_unique<SleepRunner>(io_, reports);
  waits_ = std::make_unique<WaitRunner>(io_, reports);
  probes_ = std::make_unique<ReadyProbes>(io_, reports);
  health_ = std::make_unique<HealthChecks>(
      io_, [this](NodeId id, bool ok, std::string message) { on_health_check(id, ok, std::move(message)); });
  deadlines_ = std::make_unique<DeadlineTimers>(io_, [this](NodeId id) { on_deadline(id); });
  restarts_ = std::make_unique<DeadlineTimers>(io_, [this](NodeId id) { on_restart_due(id); });
  delays_ = std::make_unique<DeadlineTimers>(io_, [this](NodeId id) { on_delay_due(id); });
}

// The runners go first: a process still running is killed and reaped by its Child.
Supervisor::~Supervisor() = default;

Now Supervisor::now() const { return Now{std::chrono::steady_clock::now(), std::chrono::system_clock::now()}; }

Supervisor::ListenerId Supervisor::subscribe(Listener listener) {
  ListenerId id = next_listener_++;
  listeners_.emplace(id, std::make_shared<Listener>(std::move(listener)));
  return id;
}

void Supervisor::unsubscribe(ListenerId id) { listeners_.erase(id); }

void Supervisor::shutdown(std::function<void()> on_done) {
  on_shutdown_done_ = std::move(on_done);
  act([](const Now& now, ScopeTree& tree, Effects& out) { tree.shutdown(now, out); });
  check_shutdown_done();  // the root may have been done already
}

// Node ids start again with every daemon run: the run's tag keeps a new job-2 from writing
// into (and showing) the log of an earlier run's job-2.
std::string Supervisor::log_path(NodeId id) const {
  return fmt::format("{}/{}-job-{}.log", config_.log_dir, run_tag_, id);
}

void Supervisor::enable_orphan_reaping() {
  if (orphans_) return;
  orphans_ = std::make_unique<OrphanReaper>(io_, [this](pid_t pid) {
    // A job's main process or an exec probe: their owners reap them, keeping the status.
    return processes_->reap_tracked(pid) || probes_->reap_tracked(pid) || health_->reap_tracked(pid);
  });
}

std::size_t Supervisor::orphans_reaped() const { return orphans_ ? orphans_->orphans_reaped() : 0; }

std::size_t Supervisor::running_jobs() const {
  return processes_->running() + sleeps_->running() + waits_->running();
}

// --- reports --------------------------------------------------------------------

void Supervisor::job_started(NodeId id, std::optional<int> pid) {
  ++counters_.job_starts;
  report([id, pid](const Now& now, ScopeTree& tree, Effects& out) { tree.on_job_started(now, id, pid, out); });
}

void Supervisor::job_ready(NodeId id) {
  report([id](const Now& now, ScopeTree& tree, Effects& out) { tree.on_job_ready(now, id, out); });
}

void Supervisor::job_exited(NodeId id, ExitInfo exit) {
  if (exit.kind == ExitKind::StartFailed) ++counters_.start_failures;
  report([id, exit = std::move(exit)](const Now& now, ScopeTree& tree, Effects& out) {
    tree.on_job_exited(now, id, exit, out);
  });
}

void Supervisor::job_signalled(NodeId id, int signo) {
  report([id, signo](const Now&, ScopeTree& tree, Effects&) { tree.on_job_signalled(id, signo); });
}

void Supervisor::job_ready_failed(NodeId id, std::string why) {
  ++counters_.ready_failures;
  report([id, why = std::move(why)](const Now& now, ScopeTree& tree, Effects& out) {
    tree.on_ready_failed(now, id, why, out);
  });
}

void Supervisor::on_restart_due(NodeId id) {
  report([id](const Now& now, ScopeTree& tree, Effects& out) { tree.on_restart_due(now, id, out); });
}

void Supervisor::on_delay_due(NodeId id) {
  report([id](const Now& now, ScopeTree& tree, Effects& out) { tree.on_delay_due(now, id, out); });
}

void Supervisor::on_health_check(NodeId id, bool ok, std::string message) {
  if (!ok) ++counters_.ready_failures;  // a probe that failed, as the metrics count them
  report([id, ok, message = std::move(message)](const Now& now, ScopeTree& tree, Effects& out) {
    tree.on_health_check(now, id, ok, message, out);
  });
}

void Supervisor::on_deadline(NodeId id) {
  report([id](const Now& now, ScopeTree& tree, Effects& out) { tree.on_deadline(now, id, out); });
}

// A runner may report from inside start() or stop(), that is while we apply effects: the
// tree is then not entered again mid-apply; the report waits until the backlog is empty.
void Supervisor::report(Report r) {
  if (applying_) {
    reports_.push_back(std::move(r));
    return;
  }
  Effects out;
  r(now(), tree_, out);
  apply(std::move(out));
}

// --- effects --------------------------------------------------------------------

void Supervisor::apply(Effects effects) {
  for (auto& effect : effects) backlog_.push_back(std::move(effect));
  if (applying_) return;  // the outer apply() carries them out, in order
  {
    applying_ = true;
    FlagGuard guard{applying_};
    drain();
  }
  check_shutdown_done();
}

void Supervisor::drain() {
  for (;;) {
    if (!backlog_.empty()) {
      Effect effect = std::move(backlog_.front());
      backlog_.pop_front();
      carry_out(effect);
    } else if (!reports_.empty()) {
      Report r = std::move(reports_.front());
      reports_.pop_front();
      Effects out;
      r(now(), tree_, out);
      for (auto& effect : out) backlog_.push_back(std::move(effect));
    } else {
      return;
    }
  }
}

void Supervisor::carry_out(const Effect& effect) {
  std::visit(
      [this](const auto& e) {
        using T = std::decay_t<decltype(e)>;
        if constexpr (std::is_same_v<T, StartJob>) {
          start_job(e.id);
        } else if constexpr (std::is_same_v<T, StopJob>) {
          stop_job(e.id);
        } else if constexpr (std::is_same_v<T, ArmDeadline>) {
          deadlines_->arm(e.id, e.at);
        } else if constexpr (std::is_same_v<T, DisarmDeadline>) {
          deadlines_->disarm(e.id);
        } else if constexpr (std::is_same_v<T, EmitEvent>) {
          publish(e.event);
        } else if constexpr (std::is_same_v<T, ScheduleRestart>) {
          restarts_->arm(e.id, e.at);
        } else if constexpr (std::is_same_v<T, CancelRestart>) {
          restarts_->disarm(e.id);
        } else if constexpr (std::is_same_v<T, StartProbe>) {
          start_probe(e.id);
        } else if constexpr (std::is_same_v<T, StopProbe>) {
          stop_probe(e.id);
        } else if constexpr (std::is_same_v<T, ArmDelay>) {
          delays_->arm(e.id, e.at);
        } else if constexpr (std::is_same_v<T, DisarmDelay>) {
          delays_->disarm(e.id);
        } else if constexpr (std::is_same_v<T, FreezeJob>) {
          processes_->freeze(e.id, true);  // SPEC §6 pause: a sleep or wait has no process to freeze
        } else if constexpr (std::is_same_v<T, ThawJob>) {
          processes_->freeze(e.id, false);
        } else if constexpr (std::is_same_v<T, StartHealth>) {
          start_health(e.id);
        } else if constexpr (std::is_same_v<T, StopHealth>) {
          health_->stop(e.id);
        } else {
          static_assert(std::is_same_v<T, ForgetNode>);
          deadlines_->disarm(e.id);  // a finished job left nothing in the runners
          restarts_->disarm(e.id);
          health_->stop(e.id);
        }
      },
      effect);
}

void Supervisor::hold_starts() { holding_starts_ = true; }

void Supervisor::release_starts() {
  holding_starts_ = false;
  Effects starts;
  for (NodeId id : std::exchange(held_starts_, {})) starts.push_back(StartJob{id});
  apply(std::move(starts));
}

void Supervisor::start_job(NodeId id) {
  if (holding_starts_) {
    held_starts_.push_back(id);
    return;
  }
  const Node* node = tree_.find(id);
  if (node == nullptr || !node->job) {
    log(LogLevel::Error, "start of node {}: not a job in the tree", id);
    return;
  }
  switch (node->job->kind) {
    case JobKind::Process: {
      const Node* scope = tree_.find(node->parent);
      processes_->start(ProcessLaunch{id, node->job, node->path, scope ? scope->path : std::string("/"),
                                      log_path(id), node->owner_uid, std::nullopt, scope_limits_of(tree_, *node)});
      break;
    }
    case JobKind::Sleep:
      sleeps_->start(id, node->job->duration);
      break;
    case JobKind::WaitTcp:
    case JobKind::WaitFile:
      waits_->start(id, *node->job);
      break;
  }
}

// The probe of a process job that has just started (StartProbe comes from its started
// report, so the process runs). An exec probe runs as the job does: its env, cwd and user.
void Supervisor::start_probe(NodeId id) {
  const Node* node = tree_.find(id);
  if (node == nullptr || !node->job) return;
  auto how = processes_->launched_as(id);
  if (!how) return;  // already gone: its exit report follows and ends the probing
  probes_->start(id, node->job->ready, std::move(*how));
  // log and notify probes read what the job writes and sends: the runner hands it over
  const ReadySpec::Probe kind = node->job->ready.probe;
  if (kind == ReadySpec::Probe::Log || kind == ReadySpec::Probe::Notify)
    processes_->feed_probe(id, [probes = probes_.get(), id](std::string_view text) { return probes->offer(id, text); });
}

void Supervisor::stop_probe(NodeId id) { probes_->stop(id); }

// SPEC §6 `health`: the job is ready; an exec check runs as the job does.
void Supervisor::start_health(NodeId id) {
  const Node* node = tree_.find(id);
  if (node == nullptr || !node->job || !node->job->health) return;
  auto how = processes_->launched_as(id);
  if (!how) return;  // already gone: its exit report follows and ends the checking
  health_->start(id, *node->job->health, std::move(*how));
}

void Supervisor::stop_job(NodeId id) {
  if (auto held = std::find(held_starts_.begin(), held_starts_.end(), id); held != held_starts_.end()) {
    held_starts_.erase(held);
    job_exited(id, ExitInfo::start_failed("stopped before it started"));
    return;
  }
  const Node* node = tree_.find(id);
  if (node == nullptr || !node->job) {
    processes_->stop(id);  // all are harmless for an id they do not run
    sleeps_->stop(id);
    waits_->stop(id);
    return;
  }
  switch (node->job->kind) {
    case JobKind::Process: processes_->stop(id); break;
    case JobKind::Sleep: sleeps_->stop(id); break;
    case JobKind::WaitTcp:
    case JobKind::WaitFile: waits_->stop(id); break;
  }
}

void Supervisor::publish(const LifecycleEvent& event) {
  if (event.kind == EventKind::Restarting) ++counters_.restarts;
  if (event.kind == EventKind::Done) counters_.count_ended(event.outcome);
  if (event.kind == EventKind::Done) {
    log(LogLevel::Info, "{}: done, {}{}{}", event.path, to_string(event.outcome), event.message.empty() ? "" : ": ",
        event.message);
  } else if (log_enabled(LogLevel::Debug)) {
    log(LogLevel::Debug, "{}: {}{}{}", event.path, to_string(event.kind), event.message.empty() ? "" : " ",
        event.message);
  }
  // A copy of the ids: a listener may unsubscribe (itself or another) while we call it, and
  // holding the shared_ptr keeps the running callback alive.
  std::vector<std::pair<ListenerId, std::weak_ptr<Listener>>> targets;
  targets.reserve(listeners_.size());
  for (const auto& [id, listener] : listeners_) targets.emplace_back(id, listener);
  for (const auto& [id, weak] : targets) {
    if (!listeners_.count(id)) continue;
    if (auto listener = weak.lock()) (*listener)(event);
  }
}

void Supervisor::check_shutdown_done() {
  if (!on_shutdown_done_ || applying_ || !tree_.root_done()) return;
  auto done = std::move(on_shutdown_done_);
  on_shutdown_done_ = nullptr;
  done();
}

Status Supervisor::signal(NodeId id, int signo) {
  const Node* node = tree_.find(id);
  if (node == nullptr || !node->job || node->job->kind != JobKind::Process)
    return Error{ErrorCode::NotFound, fmt::format("node {} is no process job", id)};
  auto sent = processes_->signal(id, signo);
  if (sent) return ok_status();
  if (sent.error() == boost::system::errc::no_such_process)
    return Error{ErrorCode::NotFound, fmt::format("{} runs no process", node->path)};
  return Error{ErrorCode::Internal, fmt::format("cannot signal {}: {}", node->path, sent.error().message())};
}

std::string Supervisor::job_cgroup(NodeId id) const { return processes_->cgroup_path(id); }

std::optional<std::string> Supervisor::limits_unavailable(const LimitsSpec& limits) {
  return processes_->limits_unavailable(limits);
}


void Supervisor::remove_crashed_run_cgroups(int old_pid) const { processes_->remove_crashed_run_cgroups(old_pid); }

Expected<NodeId> Supervisor::restore(NodeId parent, RestoredNode node) {
  return act([&](const Now&, ScopeTree& tree, Effects& out) { return tree.restore(parent, std::move(node), out); });
}

}  // namespace traio
