#pragma once
// traiod as one object: the supervisor, the server and the stop sequence of rule 13.
// main() only parses flags and runs the loop; tests run the same object in-process.
#include <memory>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include "config/daemon_config.hpp"
#include "daemon/server/boot_trees.hpp"
#include "daemon/runners/supervisor.hpp"
#include "daemon/server/event_ring.hpp"
#include "daemon/server/journal.hpp"
#include "daemon/server/journal_recovery.hpp"
#include "daemon/server/metrics_http.hpp"
#include "daemon/server/metrics_service.hpp"
#include "daemon/server/server.hpp"
#include "daemon/server/server_context.hpp"
#include "daemon/server/systemd.hpp"

namespace traio {

// Tests run the daemon inside the test binary and keep SIGTERM/SIGINT for themselves.
enum class StopSignals { Handle, Ignore };
enum class DaemonPhase { Created, Running, Stopping, Stopped };

class Daemon {
 public:
  Daemon(boost::asio::io_context& io, DaemonConfig config, StopSignals signals = StopSignals::Handle);
  Daemon(const Daemon&) = delete;
  Daemon& operator=(const Daemon&) = delete;

  // Listens on the socket and handles signals. Throws std::runtime_error (startup only).
  void start();
  // Rule 13: cancel `/`, wait until every process is reaped, close the sessions, remove the
  // socket, then stop the loop. A second request only says that the stop goes on.
  void request_stop();
  // Submits the boot trees under `/`, in order, owned by the daemon's user (SPEC §4). A
  // tree the core refuses (a name taken twice) is logged and skipped.
  void submit_boot_trees(const std::vector<BootTree>& trees);
  // One tree under `/`, owned by the daemon's user, as a boot tree is (`traiod --run`).
  Expected<NodeId> submit_tree(const NodeSpec& spec);

  DaemonPhase phase() const { return phase_; }
  const DaemonConfig& config() const { return config_; }
  Supervisor& supervisor() { return supervisor_; }
  // What start() found in the journal of the previous run (all zero without one).
  const RecoveryReport& recovery() const { return recovery_; }
  const Journal* journal() const { return journal_.get(); }

 private:
  void open_journal();
  void start_metrics_http();
  Status commit_journal();
  Status journal_ready();
  void wait_signal();
  void on_jobs_reaped();
  void on_sessions_closed();
  std::string status_line() const;

  boost::asio::io_context& io_;
  DaemonConfig config_;
  Supervisor supervisor_;
  os::UniqueFd state_lock_;          // one daemon per state directory
  std::unique_ptr<Journal> journal_;  // after supervisor_: destroyed before it
  RecoveryReport recovery_;
  EventRing events_;
  HeapTrim heap_trim_;
  MetricsService metrics_;
  std::unique_ptr<MetricsHttp> metrics_http_;  // with config metrics.listen
  ServerContext context_;
  Server server_;
  boost::asio::signal_set signals_;
  SystemdNotifier systemd_;
  StopSignals signal_mode_;
  Supervisor::ListenerId ring_listener_ = 0;
  DaemonPhase phase_ = DaemonPhase::Created;
};

}  // namespace traio
