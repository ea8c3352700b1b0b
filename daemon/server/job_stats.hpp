#pragma once
// SPEC §6 usage of a running process job for `inspect`, `ps --stats` and the `stats` op:
// CPU time and memory from its cgroup leaf (cpu.stat usage_usec, memory.current,
// memory.peak), or from /proc of its processes where the leaf has no memory controller or
// there is no leaf (os/proc_usage.hpp). Read when asked: nothing polls.
#include <cstdint>
#include <functional>
#include <optional>
#include <unordered_map>
#include <vector>

#include "daemon/core/node.hpp"
#include "daemon/runners/supervisor.hpp"

namespace traio {

struct JobStats {
  std::optional<std::uint64_t> cpu_usec;
  std::optional<std::uint64_t> memory_bytes;
  std::optional<std::uint64_t> memory_peak;
};

// What node_text writes into a node object; every field nullopt: nothing.
using JobStatsReader = std::function<JobStats(const Node&)>;

// The process groups of /proc, walked once when a job without a cgroup first needs them:
// one per request that reads many jobs.
using ProcessGroupIndex = std::optional<std::unordered_map<pid_t, std::vector<pid_t>>>;

// The usage of `node`: all nullopt unless it is a live process job running a process.
// `groups`: where a request keeps its index (nullptr: a walk of /proc for this job alone).
JobStats read_job_stats(const Supervisor& supervisor, const Node& node, ProcessGroupIndex* groups = nullptr);

}  // namespace traio
