#pragma once
// Internal to the launcher: the fork path for jobs with credentials, and what both paths
// share. Not for use outside daemon/os.
#include <sys/types.h>

#include <string>
#include <vector>

#include "daemon/os/launcher.hpp"

namespace traio::os::detail {

// Starts `request` (with credentials) through fork: the child takes the job's ids, resets
// its signals, sets up its fds and cwd, and execs `program` (PATH already searched). A
// failed step's errno comes back through a close-on-exec pipe.
LaunchResult launch_forked(const LaunchRequest& request, const std::string& program);

// "KEY=value" (or argv) strings as a NULL-ended array; `strings` must outlive it.
std::vector<char*> c_strings(const std::vector<std::string>& strings);

// pidfd_open for a child we just started; on failure kills its group and reaps it.
LaunchResult adopt(pid_t pid);

}  // namespace traio::os::detail
