#pragma once
// Makes traiod a child subreaper and reaps on SIGCHLD whatever comes back to it: orphans a
// job left behind (DESIGN), and, as PID 1 of a container, any orphan at all. A job's main
// process that shows up here is handed to `reap_tracked`, which reaps and reports it, so its
// exit status is never lost; only untracked pids are reaped here.
#include <sys/types.h>

#include <functional>
#include <memory>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

namespace traio {

class OrphanReaper {
 public:
  // Returns true when `pid` is a job's main process (it is then reaped by its runner).
  using ReapTracked = std::function<bool(pid_t)>;

  OrphanReaper(boost::asio::io_context& io, ReapTracked reap_tracked);
  ~OrphanReaper();  // stops being a subreaper
  OrphanReaper(const OrphanReaper&) = delete;
  OrphanReaper& operator=(const OrphanReaper&) = delete;

  // One SIGCHLD can stand for many exits: loops until no exited child is left.
  void reap_all();
  std::size_t orphans_reaped() const { return orphans_reaped_; }

 private:
  void wait_signal();

  boost::asio::signal_set sigchld_;
  ReapTracked reap_tracked_;
  std::size_t orphans_reaped_ = 0;
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);
};

}  // namespace traio
