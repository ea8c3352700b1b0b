#pragma once
// Carries out the core's effects on the event loop: runners start and stop jobs, steady
// timers arm deadlines, listeners (server sessions, the logger) receive lifecycle events.
// Every core call goes through act(), which stamps the time and applies the effects.
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>

#include "config/daemon_config.hpp"
#include "daemon/core/scope_tree.hpp"

namespace traio {

class ProcessRunner;
class SleepRunner;
class DeadlineTimers;

class Supervisor {
 public:
  using Listener = std::function<void(const LifecycleEvent&)>;
  using ListenerId = std::uint64_t;

  // `socket_path` is what jobs get as TRAIO_SOCKET (rule 12).
  Supervisor(boost::asio::io_context& io, const DaemonConfig& config, std::string socket_path);
  ~Supervisor();
  Supervisor(const Supervisor&) = delete;
  Supervisor& operator=(const Supervisor&) = delete;

  const ScopeTree& tree() const { return tree_; }
  Now now() const;

  // Runs `call(now, tree, effects)` and then carries out the effects, in order.
  template <class Call>
  auto act(Call&& call) {
    Effects out;
    auto result = call(now(), tree_, out);
    apply(std::move(out));
    return result;
  }

  ListenerId subscribe(Listener listener);
  void unsubscribe(ListenerId id);

  // Rule 13: cancel `/`, wait until every process is reaped, then call `on_done` once.
  void shutdown(std::function<void()> on_done);

  // The capture log of a job (output: capture), whether or not it exists yet.
  std::string log_path(NodeId id) const;

 private:
  void apply(Effects effects);
  void carry_out(const Effect& effect);
  void publish(const LifecycleEvent& event);
  void check_shutdown_done();

  boost::asio::io_context& io_;
  const DaemonConfig& config_;
  std::string socket_path_;
  ScopeTree tree_;
  std::unique_ptr<ProcessRunner> processes_;
  std::unique_ptr<SleepRunner> sleeps_;
  std::unique_ptr<DeadlineTimers> deadlines_;
  std::map<ListenerId, Listener> listeners_;
  ListenerId next_listener_ = 1;
  bool applying_ = false;
  Effects backlog_;  // effects produced by reports that arrive while applying
  std::function<void()> on_shutdown_done_;
};

}  // namespace traio
