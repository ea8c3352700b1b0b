#pragma once
// What a set of processes use, from /proc (SPEC §6 usage, where the job's cgroup has no
// memory controller, or where it has no cgroup at all): the fallback of cgroup_usage.hpp.
#include <sys/types.h>

#include <cstdint>
#include <unordered_map>
#include <vector>

namespace traio::os {

struct ProcessesUsage {
  std::uint64_t cpu_usec = 0;      // utime + stime of each (field 14 + 15 of /proc/<pid>/stat)
  std::uint64_t memory_bytes = 0;  // the sum of their resident sets (/proc/<pid>/statm)
  std::uint64_t memory_peak = 0;   // the largest VmHWM among them (/proc/<pid>/status)
  std::size_t processes = 0;       // how many could be read (the others had exited)
};

// Processes that exit meanwhile are left out; a zombie counts its CPU, not its memory.
ProcessesUsage read_processes_usage(const std::vector<pid_t>& pids);

// Every process of process group `pgid`, from a walk of /proc.
std::vector<pid_t> process_group_members(pid_t pgid);
// Every process of every group, from one walk of /proc: for many jobs at once (ps --stats
// of jobs without cgroups), one walk instead of one per job.
std::unordered_map<pid_t, std::vector<pid_t>> process_groups();

}  // namespace traio::os
