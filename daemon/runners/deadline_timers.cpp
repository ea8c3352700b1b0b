#include "daemon/runners/deadline_timers.hpp"

namespace traio {

namespace asio = boost::asio;

DeadlineTimers::DeadlineTimers(asio::io_context& io, OnDeadline on_deadline)
    : io_(io), on_deadline_(std::move(on_deadline)) {}

void DeadlineTimers::arm(NodeId id, SteadyTime at) {
  auto& slot = timers_[id];
  if (!slot) slot = std::make_unique<Armed>(io_);
  // A handler of the previous arming may already be queued (it fired but has not run):
  // the generation tells it apart, so a replaced deadline never fires.
  slot->generation = next_generation_++;
  slot->timer.expires_at(at);
  slot->timer.async_wait([this, id, generation = slot->generation,
                          alive = std::weak_ptr<int>(alive_)](boost::system::error_code ec) {
    if (!alive.expired()) on_timer(id, generation, ec);
  });
}

void DeadlineTimers::disarm(NodeId id) { timers_.erase(id); }

void DeadlineTimers::on_timer(NodeId id, std::uint64_t generation, boost::system::error_code ec) {
  if (ec == asio::error::operation_aborted) return;
  auto it = timers_.find(id);
  if (it == timers_.end() || it->second->generation != generation) return;
  timers_.erase(it);
  on_deadline_(id);
}

}  // namespace traio
