#pragma once
// Runs sleep jobs: one steady timer each. Completion reports Completed; a stop cancels the
// timer and reports Aborted (rule 7: async jobs stop at once).
#include <memory>
#include <unordered_map>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "common/duration.hpp"
#include "daemon/runners/job_reports.hpp"

namespace traio {

class SleepRunner {
 public:
  SleepRunner(boost::asio::io_context& io, JobReports& reports);
  SleepRunner(const SleepRunner&) = delete;
  SleepRunner& operator=(const SleepRunner&) = delete;

  // Reports job_started(nullopt) at once. No job_ready: a sleep is ready when it succeeds.
  void start(NodeId id, Duration duration);
  // Harmless for a sleep that is not running.
  void stop(NodeId id);
  std::size_t running() const { return timers_.size(); }

 private:
  void on_timer(NodeId id, boost::system::error_code ec);

  boost::asio::io_context& io_;
  JobReports& reports_;
  // In place: a node of the map is stable, and 10,000 live sleeps are 10,000 fewer blocks.
  std::unordered_map<NodeId, boost::asio::steady_timer> timers_;
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);
};

}  // namespace traio
