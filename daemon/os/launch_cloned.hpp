#pragma once
// Internal to the launcher: the clone3 path, the fast one. Not for use outside daemon/os.
#include <string>

#include "daemon/os/launcher.hpp"

namespace traio::os::detail {

// Starts `request` with clone3(CLONE_VM | CLONE_VFORK | CLONE_PIDFD), plus CLONE_INTO_CGROUP
// when `request.cgroup_fd` is set: the child is born in the job's cgroup, so neither the
// daemon nor the child is ever migrated, and no descendant can start outside it. Like
// vfork, it shares the daemon's memory until its exec, so nothing is copied; unlike glibc's
// posix_spawn it can take credentials and report which step failed.
// Setup step with ENOSYS: no clone3 on this kernel or architecture (callers fall back);
// EINVAL with a cgroup_fd: the kernel knows no CLONE_INTO_CGROUP (before 5.7).
LaunchResult launch_cloned(const LaunchRequest& request, const std::string& program);

}  // namespace traio::os::detail
