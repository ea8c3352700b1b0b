#pragma once
// The nodes' deadlines (rule 6) as steady timers on the monotonic clock: one per node,
// re-arming replaces, disarming cancels, firing calls back with the node id.
#include <cstdint>
#include <functional>
#include <memory>
#include <unordered_map>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "daemon/core/node_id.hpp"
#include "daemon/core/time.hpp"

namespace traio {

class DeadlineTimers {
 public:
  using OnDeadline = std::function<void(NodeId)>;
  DeadlineTimers(boost::asio::io_context& io, OnDeadline on_deadline);
  DeadlineTimers(const DeadlineTimers&) = delete;
  DeadlineTimers& operator=(const DeadlineTimers&) = delete;

  void arm(NodeId id, SteadyTime at);
  void disarm(NodeId id);
  std::size_t armed() const { return timers_.size(); }

 private:
  struct Armed {
    explicit Armed(boost::asio::io_context& io) : timer(io) {}
    boost::asio::steady_timer timer;
    std::uint64_t generation = 0;
  };
  void on_timer(NodeId id, std::uint64_t generation, boost::system::error_code ec);

  boost::asio::io_context& io_;
  OnDeadline on_deadline_;
  std::unordered_map<NodeId, std::unique_ptr<Armed>> timers_;
  std::uint64_t next_generation_ = 1;
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);
};

}  // namespace traio
