#pragma once
// Everything one scrape reports (docs/metrics.md), gathered first (metrics_collect.hpp) so
// that the text is a pure function of it (metrics_render.hpp) and testable without a daemon.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/node_state.hpp"
#include "daemon/os/self_usage.hpp"
#include "daemon/runners/run_counters.hpp"

namespace traio {

// The states a node can be in, in the order the metrics list them.
inline constexpr NodeState kMetricStates[] = {
    NodeState::Pending, NodeState::Queued,   NodeState::Running,    NodeState::Paused, NodeState::Stopping,
    NodeState::Open,    NodeState::Finalized, NodeState::Cancelling, NodeState::Done,
};
// The outcomes a node can end with (None is no outcome).
inline constexpr Outcome kMetricOutcomes[] = {Outcome::Succeeded, Outcome::Failed,  Outcome::TimedOut,
                                              Outcome::Cancelled, Outcome::Skipped, Outcome::Lost};

// What a running process job's cgroup said; a reading the cgroup has no file for is absent.
struct JobUsageSample {
  std::string path;
  std::optional<std::uint64_t> cpu_usec;
  std::optional<std::uint64_t> memory_bytes;
};

struct MetricsSnapshot {
  std::array<std::uint64_t, static_cast<std::size_t>(NodeState::Done) + 1> nodes_by_state{};  // by NodeState
  RunCounters counters;
  std::vector<JobUsageSample> jobs;
  std::optional<os::SelfUsage> self;  // absent when /proc cannot be read
  double loop_lag_seconds = 0;
  std::string version;

  std::uint64_t& nodes_in(NodeState state) { return nodes_by_state[static_cast<std::size_t>(state)]; }
  std::uint64_t nodes_in(NodeState state) const { return nodes_by_state[static_cast<std::size_t>(state)]; }
};

}  // namespace traio
