#include "daemon/runners/orphan_reaper.hpp"

#include <csignal>

#include "daemon/os/reaper.hpp"
#include "daemon/runners/logger.hpp"

namespace traio {

OrphanReaper::OrphanReaper(boost::asio::io_context& io, ReapTracked reap_tracked)
    : sigchld_(io, SIGCHLD), reap_tracked_(std::move(reap_tracked)) {
  if (auto on = os::set_child_subreaper(true); !on)
    log(LogLevel::Warning, "cannot become a child subreaper: {}", on.error().message());
  wait_signal();
  reap_all();  // children that exited before the handler was installed
}

OrphanReaper::~OrphanReaper() {
  boost::system::error_code ignored;
  sigchld_.cancel(ignored);
  (void)os::set_child_subreaper(false);  // nothing to do about a failure on the way out
}

void OrphanReaper::wait_signal() {
  sigchld_.async_wait([this, alive = std::weak_ptr<int>(alive_)](boost::system::error_code ec, int) {
    if (alive.expired() || ec == boost::asio::error::operation_aborted) return;
    reap_all();
    wait_signal();
  });
}

void OrphanReaper::reap_all() {
  for (;;) {
    auto pid = os::peek_exited_child();
    if (!pid) {
      log(LogLevel::Error, "waitid: {}", pid.error().message());
      return;
    }
    if (!pid->has_value()) return;
    if (reap_tracked_(**pid)) continue;  // a job's main process: its runner reaped and reported it
    auto reaped = os::reap_pid(**pid);
    if (!reaped) {
      log(LogLevel::Error, "cannot reap orphan pid {}: {}", **pid, reaped.error().message());
      return;
    }
    if (*reaped) {
      ++orphans_reaped_;
      log(LogLevel::Debug, "reaped orphan pid {}", **pid);
    }
  }
}

}  // namespace traio
