#include "daemon/os/tree_signal.hpp"

#include <signal.h>
#include <unistd.h>

#include <fstream>

namespace traio::os {

namespace {

// kill(2) on each pid of `cgroup` outside process group `pgid`.
Result<Delivery> signal_outside_group(const CgroupDir& cgroup, pid_t pgid, int signo) noexcept {
  try {
    std::ifstream procs(cgroup.path() + "/cgroup.procs");
    if (!procs) return last_errno();
    Delivery delivery = Delivery::AlreadyGone;
    for (pid_t pid; procs >> pid;) {
      const pid_t group = ::getpgid(pid);
      if (group < 0 || group == pgid) continue;  // ESRCH: exited meanwhile; pgid: signalled above
      if (::kill(pid, signo) == 0) delivery = Delivery::Sent;
      else if (errno != ESRCH) return last_errno();
    }
    return delivery;
  } catch (const std::bad_alloc&) {
    return errno_code(ENOMEM);
  }
}

}  // namespace

Result<Delivery> signal_tree(Child& child, CgroupDir& cgroup, int signo) noexcept {
  if (child.reaped()) return Delivery::AlreadyGone;
  auto group = child.signal_group(signo);
  if (!group) return group.error();
  if (!cgroup.valid()) return *group;
  auto outside = signal_outside_group(cgroup, child.pid(), signo);
  if (!outside) return outside.error();
  return *group == Delivery::Sent || *outside == Delivery::Sent ? Delivery::Sent : Delivery::AlreadyGone;
}

}  // namespace traio::os
