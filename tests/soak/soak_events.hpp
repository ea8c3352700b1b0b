#pragma once
// A client that follows every lifecycle event for the whole soak (`events` with follow on
// `/`): the second witness of each node's outcome, for nodes that left the history before
// their client looked, and a check that no node is reported `done` twice.
#include <atomic>
#include <condition_variable>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>

#include "tests/soak/soak_connection.hpp"
#include "tests/soak/soak_ledger.hpp"

namespace traio::soak {

class EventRecorder {
 public:
  explicit EventRecorder(Ledger& ledger) : ledger_(ledger) {}
  ~EventRecorder() { stop(); }
  EventRecorder(const EventRecorder&) = delete;
  EventRecorder& operator=(const EventRecorder&) = delete;

  // Subscribes before returning, so no later event is missed.
  bool start(const std::string& socket);
  // Closes its connection; a connection lost before this is a failure.
  void stop();

  // The outcome of the first `done` event of `path`, if one came.
  std::optional<std::string> outcome_of(const std::string& path) const;
  // Waits up to `limit` for the done event of `path`; true when it came. Events come in
  // order on one stream, so once a tree's root is seen done here, so is all that ended
  // before it: the recorder may lag behind what `ps` already shows.
  bool wait_for_done(const std::string& path, Millis limit) const;
  // Whether a `created` event of `path` came.
  bool was_created(const std::string& path) const;
  long events_seen() const { return events_; }

 private:
  void follow();

  Ledger& ledger_;
  Connection connection_;
  std::int64_t request_id_ = 0;
  std::thread thread_;
  std::atomic<bool> stopping_{false};
  std::atomic<long> events_{0};
  mutable std::mutex mutex_;
  mutable std::condition_variable done_added_;
  std::map<std::string, std::string> done_;  // path -> outcome
  std::set<std::string> created_;
};

}  // namespace traio::soak
