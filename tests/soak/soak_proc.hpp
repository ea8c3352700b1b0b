#pragma once
// What /proc says about traiod and what it started: the soak's after-checks (no zombies,
// no strays, fds and RSS back to their baseline) read only the kernel's view, never the
// daemon's own account of itself.
#include <sys/types.h>

#include <string>
#include <vector>

namespace traio::soak {

struct ProcEntry {
  pid_t pid = 0;
  pid_t ppid = 0;
  char state = '?';  // R, S, D, Z...
};

// Every process in /proc, read once (entries that vanish while reading are left out).
std::vector<ProcEntry> process_table();
// Children, grandchildren... of `root` in `table`.
std::vector<ProcEntry> descendants_of(pid_t root, const std::vector<ProcEntry>& table);

// Open fds of `pid` (entries of /proc/PID/fd); -1 when it cannot be read.
int fd_count(pid_t pid);
// Resident set size of `pid` in KiB (VmRSS); -1 when it cannot be read.
long rss_kib(pid_t pid);
// "pid 123 (ppid 1, state Z): sleep 30" for failure messages.
std::string describe_process(pid_t pid);
// The targets of /proc/PID/fd/*, one "fd -> target" per entry, for a failure message.
std::vector<std::string> fd_targets(pid_t pid);

// Job cgroups traiod made (traio-<pid>-*/..., under its own cgroup in the v2 hierarchy) that
// still hold processes: "<cgroup dir>: pid pid..." each. Empty when it has none or no cgroup.
std::vector<std::string> populated_job_cgroups(pid_t traiod);

}  // namespace traio::soak
