#pragma once
// What every session and op handler needs from the daemon.
#include <functional>

#include <boost/asio/io_context.hpp>

#include "common/expected.hpp"
#include "config/daemon_config.hpp"
#include "daemon/runners/supervisor.hpp"
#include "daemon/server/event_ring.hpp"
#include "daemon/server/heap_trim.hpp"

namespace traio {

class MetricsService;

struct ServerContext {
  boost::asio::io_context& io;
  const DaemonConfig& config;
  Supervisor& supervisor;
  const EventRing& events;
  std::function<void()> request_stop;  // the `shutdown` op stops the daemon as SIGTERM does
  // Makes the journal's records durable (Journal::commit): before a reply that accepts a
  // submission. Always succeeds when the daemon keeps no journal.
  std::function<Status()> commit_journal;
  // Whether the journal can take a new submission now (Journal::ready): asked before one is
  // created, so that a journal known to fail refuses it before anything starts.
  std::function<Status()> journal_ready;
  // Told of large requests and replies once they are freed.
  HeapTrim& heap_trim;
  // The `metrics` op's scrapes (SPEC §6 "Watching"); null where nothing keeps them.
  MetricsService* metrics = nullptr;
};

// Unsubscribes a Supervisor listener when an op's coroutine ends, however it ends.
class ListenerGuard {
 public:
  ListenerGuard(Supervisor& supervisor, Supervisor::Listener listener)
      : supervisor_(supervisor), id_(supervisor.subscribe(std::move(listener))) {}
  ~ListenerGuard() { supervisor_.unsubscribe(id_); }
  ListenerGuard(const ListenerGuard&) = delete;
  ListenerGuard& operator=(const ListenerGuard&) = delete;

 private:
  Supervisor& supervisor_;
  Supervisor::ListenerId id_;
};

}  // namespace traio
