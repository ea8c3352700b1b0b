#pragma once
// The soak's after-checks on a quiet traiod (every submitted node done): each returns the
// problems it found, one clear message each, and polls for a few seconds first, since a
// process may still be on its way out the instant the last node ended.
#include <sys/types.h>

#include <string>
#include <vector>

namespace traio::soak {

// Z-state children of traiod: an exit it has not reaped.
std::vector<std::string> zombies_of(pid_t traiod);

// Processes that belong to this daemon, found three ways because each alone can miss one:
// - descendants of traiod (it is a child subreaper, so orphans come back under it);
// - processes whose environment carries TRAIO_SOCKET=<socket> (every job and what it
//   starts inherit it, rule 12; this finds one that left traiod's tree);
// - processes still in one of traiod's job cgroups (traio-<pid>-*), which is what
//   cgroup.kill acts on: a process that cleared its environment and escaped is still there.
std::vector<std::string> strays_of(pid_t traiod, const std::string& socket);

// Waits (up to 5 s) for traiod's fd count to be at most `baseline`; the problem names
// every fd then open when it is not.
std::vector<std::string> fds_back_to(pid_t traiod, int baseline);

// traiod's open fds once they stop changing (three equal counts 200 ms apart, or 5 s).
int settled_fd_count(pid_t traiod);

}  // namespace traio::soak
