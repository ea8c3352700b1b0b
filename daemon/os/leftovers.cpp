#include "daemon/os/leftovers.hpp"

#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <thread>

#include "daemon/os/proc_stat.hpp"

namespace traio::os {

namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kPollStep = std::chrono::milliseconds(5);

// A corrupt or forged journal must not make traiod kill an arbitrary cgroup: only a leaf
// named like ProcessRunner's ("<own>/traio-<pid>-<n>/job-<id>") is taken.
bool is_traio_job_leaf(const std::filesystem::path& dir) {
  return dir.filename().string().starts_with("job-") && dir.parent_path().filename().string().starts_with("traio-");
}

bool cgroup_populated(const std::filesystem::path& dir) {
  std::ifstream events(dir / "cgroup.events");
  std::string key;
  int value = 0;
  while (events >> key >> value)
    if (key == "populated") return value != 0;
  return false;  // gone, or unreadable: nothing to wait for
}

bool main_process_alive(const Leftover& leftover) {
  auto stat = read_proc_stat(leftover.pid);
  return stat && stat->start_time == leftover.start_time && stat->state != 'Z';
}

LeftoverFate kill_cgroup(const std::filesystem::path& dir) {
  if (!is_traio_job_leaf(dir)) return LeftoverFate::Refused;
  if (!cgroup_populated(dir)) return LeftoverFate::Gone;
  std::ofstream(dir / "cgroup.kill") << "1";
  return LeftoverFate::Killed;
}

LeftoverFate kill_process_group(const Leftover& leftover) {
  if (leftover.pid <= 0) return LeftoverFate::Gone;
  const auto stat = read_proc_stat(leftover.pid);
  if (stat && stat->start_time != leftover.start_time) return LeftoverFate::PidReused;
  bool killed = false;
  if (stat && stat->state != 'Z') {
    // Still the job's main process: its group too, when it leads one (jobs do).
    if (stat->pgrp == leftover.pid) killed = ::kill(-leftover.pid, SIGKILL) == 0;
    killed = ::kill(leftover.pid, SIGKILL) == 0 || killed;
  } else {
    // The main process is gone, but its group lives on while a member does, and the kernel
    // does not reuse a pid that still names a process group: what is left is the job's.
    killed = ::kill(-leftover.pid, SIGKILL) == 0;
  }
  return killed ? LeftoverFate::Killed : LeftoverFate::Gone;
}

bool still_there(const Leftover& leftover) {
  if (!leftover.cgroup.empty()) return cgroup_populated(leftover.cgroup);
  return main_process_alive(leftover);
}

}  // namespace

std::vector<LeftoverFate> kill_leftovers(const std::vector<Leftover>& leftovers, std::chrono::milliseconds limit) {
  std::vector<LeftoverFate> fates;
  fates.reserve(leftovers.size());
  for (const auto& leftover : leftovers)
    fates.push_back(leftover.cgroup.empty() ? kill_process_group(leftover) : kill_cgroup(leftover.cgroup));

  const auto end = Clock::now() + limit;
  for (std::size_t i = 0; i < leftovers.size(); ++i) {
    if (fates[i] != LeftoverFate::Killed) continue;
    while (still_there(leftovers[i]) && Clock::now() < end) std::this_thread::sleep_for(kPollStep);
  }
  // Empty leaves are removed, then the old run's jobs directories that held them.
  for (std::size_t i = 0; i < leftovers.size(); ++i) {
    if (leftovers[i].cgroup.empty() || fates[i] == LeftoverFate::Refused) continue;
    const std::filesystem::path dir(leftovers[i].cgroup);
    ::rmdir(dir.c_str());
    ::rmdir(dir.parent_path().c_str());
  }
  return fates;
}

std::size_t remove_crashed_run_cgroups(const std::string& own_cgroup, int old_pid, std::chrono::milliseconds limit) {
  if (old_pid <= 0 || own_cgroup.empty()) return 0;
  const std::string prefix = "traio-" + std::to_string(old_pid) + "-";
  std::vector<std::filesystem::path> runs;
  std::vector<Leftover> populated;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(own_cgroup, ec)) {
    if (!entry.is_directory(ec) || !entry.path().filename().string().starts_with(prefix)) continue;
    runs.push_back(entry.path());
    for (const auto& leaf : std::filesystem::directory_iterator(entry.path(), ec)) {
      if (!leaf.is_directory(ec) || !leaf.path().filename().string().starts_with("job-")) continue;
      if (cgroup_populated(leaf.path())) populated.push_back({0, 0, leaf.path().string()});
      else ::rmdir(leaf.path().c_str());
    }
  }
  std::size_t killed = 0;
  for (auto fate : kill_leftovers(populated, limit)) killed += fate == LeftoverFate::Killed;
  for (const auto& run : runs) ::rmdir(run.c_str());
  return killed;
}

}  // namespace traio::os
