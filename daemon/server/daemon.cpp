#include "daemon/server/daemon.hpp"

#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <stdexcept>

#include <boost/asio/post.hpp>
#include <fmt/format.h>

#include "common/signal_name.hpp"
#include "daemon/runners/logger.hpp"
#include "daemon/server/socket_setup.hpp"

namespace traio {

namespace asio = boost::asio;

Daemon::Daemon(asio::io_context& io, DaemonConfig config, StopSignals signals)
    : io_(io),
      config_(std::move(config)),
      supervisor_(io, config_, config_.socket.path),
      heap_trim_(io),
      metrics_(io, supervisor_),
      context_{io, config_, supervisor_, events_, [this] { request_stop(); }, [this] { return commit_journal(); },
               [this] { return journal_ready(); }, heap_trim_},
      server_(context_),
      signals_(io),
      systemd_(io),
      signal_mode_(signals) {
  context_.metrics = &metrics_;
}

void Daemon::start() {
  // Subscribed before anything can happen, so the ring holds every event from the start.
  ring_listener_ = supervisor_.subscribe([this](const LifecycleEvent& event) { events_.push(event); });
  server_.start();
  start_metrics_http();
  // After the socket: a second daemon on it has been refused, not let kill our jobs. Before
  // the loop runs: no request is served before the old run's leftovers are gone.
  open_journal();
  phase_ = DaemonPhase::Running;
  switch (signal_mode_) {
    case StopSignals::Handle:
      signals_.add(SIGTERM);
      signals_.add(SIGINT);
      wait_signal();
      break;
    case StopSignals::Ignore:
      break;
  }
  log(LogLevel::Info, "listening on {}{}", config_.socket.path,
      server_.socket_activated() ? " (socket from systemd)" : "");
  systemd_.notify("READY=1\nSTATUS=" + status_line());
  systemd_.start_updates([this] {
    return (phase_ == DaemonPhase::Stopping ? "stopping: " : "") + status_line();
  });
}

// SPEC §6 "Watching". A listener that cannot be had stops the start, as a bad socket does;
// the control socket made just before goes with it.
void Daemon::start_metrics_http() {
  if (config_.metrics.listen.empty()) return;
  metrics_http_ = std::make_unique<MetricsHttp>(io_, metrics_);
  try {
    metrics_http_->start(config_.metrics.listen);
  } catch (const std::runtime_error&) {
    if (!server_.socket_activated()) remove_socket_file(config_.socket.path);
    throw;
  }
  log(LogLevel::Info, "metrics on {}", metrics_http_->where());
}

void Daemon::open_journal() {
  if (config_.state_dir.empty()) return;
  std::error_code ec;
  std::filesystem::create_directories(config_.state_dir, ec);
  if (ec) throw std::runtime_error(fmt::format("cannot create the state directory {}: {}", config_.state_dir, ec.message()));
  auto lock = os::lock_exclusive(config_.state_dir + "/lock");
  if (!lock) {
    if (lock.error() == os::errno_code(EWOULDBLOCK))
      throw std::runtime_error(fmt::format("another traiod uses the state directory {}", config_.state_dir));
    throw std::runtime_error(fmt::format("cannot lock {}/lock: {}", config_.state_dir, lock.error().message()));
  }
  state_lock_ = std::move(*lock);
  const std::string path = config_.state_dir + "/journal";
  auto lines = os::read_journal_lines(path);
  if (!lines) {
    log(LogLevel::Error, "journal: cannot read {}: {}; the previous run's nodes are not restored", path,
        lines.error().message());
  } else if (!lines->empty()) {
    recovery_ = recover_journal(*lines, supervisor_);
    // After the recovery, which names what it kills: what the journal missed.
    if (recovery_.may_kill) supervisor_.remove_crashed_run_cgroups(recovery_.old_pid);
  }
  auto file = os::JournalFile::open(path);
  if (!file) {
    // Jobs run without durability rather than not at all (a full disk must not keep the
    // supervisor from starting); every accepting reply then says the journal failed.
    log(LogLevel::Error, "journal: cannot open {}: {}", path, file.error().message());
    return;
  }
  journal_ = std::make_unique<Journal>(io_, supervisor_, std::move(*file));
  (void)journal_->start();  // a failure is logged; the next write tries again
}

Status Daemon::commit_journal() {
  if (!journal_) {
    if (config_.state_dir.empty()) return ok_status();
    return Error{ErrorCode::Internal, "the journal in " + config_.state_dir + " cannot be opened"};
  }
  return journal_->commit();
}

Status Daemon::journal_ready() {
  if (!journal_) return commit_journal();
  return journal_->ready();
}

std::string Daemon::status_line() const {
  const ScopeTree& tree = supervisor_.tree();
  return fmt::format("{} live node(s), {} in history, {} connection(s)", tree.live_count(),
                     tree.node_count() - tree.live_count(), server_.session_count());
}

Expected<NodeId> Daemon::submit_tree(const NodeSpec& spec) {
  const Uid owner = static_cast<Uid>(::getuid());
  return supervisor_.act([&](const Now& now, ScopeTree& tree, Effects& out) {
    return tree.submit(now, kRootId, spec, owner, out);
  });
}

void Daemon::submit_boot_trees(const std::vector<BootTree>& trees) {
  for (const auto& boot : trees) {
    auto id = submit_tree(boot.spec);
    if (!id) {
      log(LogLevel::Error, "boot: {}: {}", boot.file, id.error().message);
      continue;
    }
    const Node* node = supervisor_.tree().find(*id);
    log(LogLevel::Info, "boot: started {} from {}", node ? node->path : std::string("?"), boot.file);
  }
}

void Daemon::wait_signal() {
  signals_.async_wait([this](boost::system::error_code ec, int signo) {
    if (ec) return;  // cancelled: the daemon has stopped
    log(LogLevel::Info, "received SIG{}", signal_name(signo));
    request_stop();
    wait_signal();  // a second SIGTERM is logged, and the stop goes on
  });
}

void Daemon::request_stop() {
  switch (phase_) {
    case DaemonPhase::Created:
    case DaemonPhase::Stopped:
      return;
    case DaemonPhase::Stopping:
      log(LogLevel::Info, "already stopping; waiting for {} live node(s) to end", supervisor_.tree().live_count());
      return;
    case DaemonPhase::Running:
      break;
  }
  phase_ = DaemonPhase::Stopping;
  log(LogLevel::Info, "stopping: cancelling / (rule 13)");
  systemd_.notify("STOPPING=1\nSTATUS=stopping: " + status_line());
  supervisor_.shutdown([this] { on_jobs_reaped(); });
}

void Daemon::on_jobs_reaped() {
  // Posted: the supervisor calls this from inside its own apply loop.
  asio::post(io_, [this] { server_.stop([this] { on_sessions_closed(); }); });
}

void Daemon::on_sessions_closed() {
  phase_ = DaemonPhase::Stopped;
  if (journal_) (void)journal_->commit();  // every outcome, for the history of the next run
  boost::system::error_code ignored;
  signals_.cancel(ignored);
  supervisor_.unsubscribe(ring_listener_);
  systemd_.stop();
  if (metrics_http_) metrics_http_->stop();
  if (!server_.socket_activated()) remove_socket_file(config_.socket.path);
  log(LogLevel::Info, "stopped");
  // Posted last: the ops woken by the closing sessions finish before the loop stops.
  asio::post(io_, [this] { io_.stop(); });
}

}  // namespace traio
