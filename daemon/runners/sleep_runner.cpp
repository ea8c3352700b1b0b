#include "daemon/runners/sleep_runner.hpp"

namespace traio {

namespace asio = boost::asio;

SleepRunner::SleepRunner(asio::io_context& io, JobReports& reports) : io_(io), reports_(reports) {}

void SleepRunner::start(NodeId id, Duration duration) {
  auto it = timers_.try_emplace(id, io_).first;
  it->second.expires_after(duration);
  it->second.async_wait([this, id, alive = std::weak_ptr<int>(alive_)](boost::system::error_code ec) {
    if (!alive.expired()) on_timer(id, ec);
  });
  reports_.job_started(id, std::nullopt);
}

void SleepRunner::stop(NodeId id) {
  auto it = timers_.find(id);
  if (it == timers_.end()) return;
  // The handler runs with operation_aborted and reports; if the timer fired already, its
  // handler is queued and reports Completed instead: the sleep did finish first.
  it->second.cancel();
}

void SleepRunner::on_timer(NodeId id, boost::system::error_code ec) {
  if (timers_.erase(id) == 0) return;
  reports_.job_exited(id, ec == asio::error::operation_aborted ? ExitInfo::aborted() : ExitInfo::completed());
}

}  // namespace traio
