#pragma once
// What the soak's threads share: counts of what they did, and the failures they saw, each
// with a message that says what went wrong where. Thread-safe.
#include <atomic>
#include <cstddef>
#include <mutex>
#include <string>
#include <vector>

namespace traio::soak {

struct Counts {
  std::atomic<long> nodes_submitted{0};  // every node of every accepted tree, job and fork
  std::atomic<long> nodes_verified{0};   // of those, seen done with an outcome
  std::atomic<long> verified_by_events{0};  // ... through a `done` event (left the history first)
  std::atomic<long> never_created{0};    // children of a scope that never started (pending, or cancelled first)
  std::atomic<long> trees{0};
  std::atomic<long> jobs{0};
  std::atomic<long> forks{0};
  std::atomic<long> spawns_refused_closed{0};  // spawn into a scope that had ended (rule 9)
  std::atomic<long> finalizes{0};
  std::atomic<long> cancels{0};
  std::atomic<long> repeated_cancels{0};
  std::atomic<long> timeouts_set{0};
  std::atomic<long> signals{0};
  std::atomic<long> streams_dropped{0};  // connections closed mid-stream (events, logs, wait)
  std::atomic<long> requests_cut{0};     // connections closed mid-request (half a line)
  std::atomic<long> garbage_lines{0};
  std::atomic<long> reconnects{0};       // a client dropped its own connection with a request in flight
  std::atomic<long> reads{0};            // ps, inspect, logs
  std::atomic<long> requests{0};
  std::atomic<long> outcomes[6]{};       // by outcome (kOutcomes order)
};

inline constexpr const char* kOutcomes[6] = {"succeeded", "failed", "timed_out", "cancelled", "skipped", "lost"};

class Ledger {
 public:
  void fail(const std::string& message);
  std::vector<std::string> failures() const;  // the first kKept, in order
  std::size_t failure_count() const;
  void count_outcome(const std::string& outcome);
  Counts counts;

 private:
  static constexpr std::size_t kKept = 40;
  mutable std::mutex mutex_;
  std::vector<std::string> failures_;
  std::size_t failure_count_ = 0;
  std::size_t other_printed_ = 0;
};

}  // namespace traio::soak
