#pragma once
// Internal to the launcher: what a freshly cloned or forked child does before execve, for
// both start paths (launch_cloned.cpp, launch_forked.cpp). Everything the child reads is
// prepared by the parent in a ChildPlan; the child makes only async-signal-safe calls (raw
// syscalls, no allocation, no locks) and leaves through execve or _exit. It may share the
// parent's memory (CLONE_VM): it writes nothing but its report.
#include <string>
#include <vector>

#include "daemon/os/launcher.hpp"

namespace traio::os::detail {

// Which step failed, and its errno. `step` stays -1 while nothing failed.
struct ChildReport {
  int step = -1;
  int error = 0;
};

struct ChildPlan {
  const char* program;  // PATH already searched
  char* const* argv;
  char* const* envp;
  const char* cwd;  // nullptr: keep the daemon's
  OutputTarget output;
  int output_fd;
  int error_fd;
  const char* output_file;
  int output_file_flags;
  const Credentials* ids;  // nullptr: keep the daemon's
  // Where a failed step is reported: `report` when the child shares the parent's memory
  // (the parent reads it once the child has exited), else an 8-byte write to `report_fd`.
  ChildReport* report;
  int report_fd;
};

// setsid, credentials, signals back to a clean slate, fds, cwd, close the rest, execve.
[[noreturn]] void run_child(const ChildPlan& plan);

// The plan to start `request` as `program` (PATH searched). `argv` and `envp` are the
// request's, made by c_strings, and outlive the plan like `request` does. A failed step is
// reported to `report` when set, else to `report_fd`.
ChildPlan plan_for(const LaunchRequest& request, const std::string& program, const std::vector<char*>& argv,
                   const std::vector<char*>& envp, ChildReport* report, int report_fd);

}  // namespace traio::os::detail
