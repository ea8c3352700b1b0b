#pragma once
// What the supervisor has seen happen since the daemon started, for the metrics (SPEC §6
// "Watching"). Counted where the runners report and where the core's events are published,
// so the core stays free of bookkeeping it does not need.
#include <array>
#include <cstdint>

#include "common/node_state.hpp"

namespace traio {

struct RunCounters {
  std::uint64_t job_starts = 0;      // runs of jobs that started (a restart is a new run)
  std::uint64_t start_failures = 0;  // runs that could not start (exec failed, bad cwd, ...)
  std::uint64_t restarts = 0;        // rule 11: restarts scheduled
  std::uint64_t ready_failures = 0;  // `ready` probes that gave up (SPEC §2), failed health checks (§6)
  // Nodes that reached Done, by outcome (indexed by Outcome; None stays 0).
  std::array<std::uint64_t, static_cast<std::size_t>(Outcome::Lost) + 1> ended{};

  void count_ended(Outcome outcome) { ++ended[static_cast<std::size_t>(outcome)]; }
  std::uint64_t ended_with(Outcome outcome) const { return ended[static_cast<std::size_t>(outcome)]; }
};

}  // namespace traio
