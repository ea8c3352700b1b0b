#pragma once
// After a crash (kill -9) of traiod, the processes of its jobs live on: the restarted daemon
// kills them from what the journal recorded of each run. A cgroup is killed whole; without
// one, the pid is killed with its process group only if it is still the same process (its
// start time matches), so a pid the kernel has since given to another program is left alone.
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace traio::os {

struct Leftover {
  pid_t pid = 0;
  std::uint64_t start_time = 0;  // ProcStat::start_time when the job started
  std::string cgroup;            // the job's cgroup leaf, or empty
};

enum class LeftoverFate {
  Killed,     // something of the job was still running and got SIGKILL
  Gone,       // nothing of it was left
  PidReused,  // the pid names another process now: left alone
  Refused,    // the recorded cgroup is not a traio job leaf: left alone
};

// SIGKILLs what is left of each job, all at once, then waits up to `limit` for them to be
// gone (cgroups empty and removed, main processes dead or zombies). One fate per leftover.
std::vector<LeftoverFate> kill_leftovers(const std::vector<Leftover>& leftovers, std::chrono::milliseconds limit);

// Kills and removes what a crashed run of traiod (pid `old_pid`, known dead: the state
// directory's lock and the journal say so) left under `own_cgroup` in its job cgroups
// ("traio-<old_pid>-<n>/job-<id>"), including jobs started in the instant before the crash
// that the journal does not name. Other runs' directories are never touched: a traiod in
// another PID namespace cannot tell whether their pids are alive. Returns the leaves killed.
std::size_t remove_crashed_run_cgroups(const std::string& own_cgroup, int old_pid, std::chrono::milliseconds limit);

}  // namespace traio::os
