#pragma once
// A signal a user sends to a job's whole process tree (`traioctl signal`), each process
// once. A stop may send twice (cgroup, then process group: it is about to kill anyway); a
// program that counts SIGUSR1 or reloads on SIGHUP must see one.
#include "daemon/os/cgroup.hpp"
#include "daemon/os/child.hpp"

namespace traio::os {

// The process group first, in one kill(2) (a child forked meanwhile is in it), then the
// processes of `cgroup` (when valid) that left that group (setsid), one by one.
// AlreadyGone when nothing was found to signal.
Result<Delivery> signal_tree(Child& child, CgroupDir& cgroup, int signo) noexcept;

}  // namespace traio::os
