#include "daemon/os/tree_signal.hpp"

#include <signal.h>
#include <unistd.h>


namespace traio::os {

namespace {

// kill(2) on each pid of `cgroup` outside process group `pgid`.
Result<Delivery> signal_outside_group(const CgroupDir& cgroup, pid_t pgid, int signo) noexcept {
  Delivery delivery = Delivery::AlreadyGone;
  int failure = 0;
  auto read = cgroup.for_each_pid([&](pid_t pid) {
    const pid_t group = ::getpgid(pid);
    if (group < 0 || group == pgid) return;  // ESRCH: exited meanwhile; pgid: signalled above
    if (::kill(pid, signo) == 0) delivery = Delivery::Sent;
    else if (errno != ESRCH && failure == 0) failure = errno;
  });
  if (!read) return read.error();
  if (failure != 0) return errno_code(failure);
  return delivery;
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
