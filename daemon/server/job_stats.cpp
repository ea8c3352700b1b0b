#include "daemon/server/job_stats.hpp"

#include <fcntl.h>

#include <fstream>

#include "daemon/os/cgroup.hpp"
#include "daemon/os/cgroup_usage.hpp"
#include "daemon/os/proc_usage.hpp"

namespace traio {

namespace {

template <class T>
std::optional<std::uint64_t> value_of(const T& result) {
  return result ? std::optional<std::uint64_t>(*result) : std::nullopt;
}

std::vector<pid_t> cgroup_members(const std::string& cgroup) {
  std::vector<pid_t> pids;
  std::ifstream in(cgroup + "/cgroup.procs");
  for (pid_t pid = 0; in >> pid;) pids.push_back(pid);
  return pids;
}

}  // namespace

JobStats read_job_stats(const Supervisor& supervisor, const Node& node, ProcessGroupIndex* groups) {
  JobStats stats;
  if (!node.job || node.job->kind != JobKind::Process || !node.is_live() || !node.run.pid) return stats;
  const std::string cgroup = supervisor.job_cgroup(node.id);
  std::vector<pid_t> pids;
  if (!cgroup.empty()) {
    stats.cpu_usec = value_of(os::read_cgroup_cpu_usec(AT_FDCWD, cgroup.c_str()));
    stats.memory_bytes = value_of(os::read_cgroup_memory_bytes(AT_FDCWD, cgroup.c_str()));
    stats.memory_peak = value_of(os::read_cgroup_memory_peak(AT_FDCWD, cgroup.c_str()));
    if (stats.cpu_usec && stats.memory_bytes && stats.memory_peak) return stats;
    pids = cgroup_members(cgroup);
  } else {
    // A job leads its own process group.
    if (groups == nullptr) {
      pids = os::process_group_members(*node.run.pid);
    } else {
      if (!*groups) *groups = os::process_groups();
      if (auto it = (*groups)->find(*node.run.pid); it != (*groups)->end()) pids = it->second;
    }
  }
  const os::ProcessesUsage usage = os::read_processes_usage(pids);
  if (usage.processes == 0) return stats;
  if (!stats.cpu_usec) stats.cpu_usec = usage.cpu_usec;
  if (!stats.memory_bytes) stats.memory_bytes = usage.memory_bytes;
  if (!stats.memory_peak) stats.memory_peak = usage.memory_peak;
  return stats;
}

}  // namespace traio
