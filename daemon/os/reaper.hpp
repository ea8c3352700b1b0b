#pragma once
// Orphans (DESIGN): traiod is a child subreaper, so processes a job left behind come back
// to it when their parent dies, and must be reaped. A job's own main process is reaped
// through its pidfd by its runner: peek first, so its status is never stolen.
#include <sys/types.h>

#include <optional>

#include "daemon/os/sys_error.hpp"

namespace traio::os {

// PR_SET_CHILD_SUBREAPER on (true) or off (false) for this process.
Result<void> set_child_subreaper(bool on) noexcept;

// An exited child not reaped yet (waitid WNOWAIT: it stays a zombie), or nullopt when none
// has exited or there are no children at all (ECHILD is a normal answer).
Result<std::optional<pid_t>> peek_exited_child() noexcept;

// Reaps `pid` if it has exited. Returns whether it was reaped.
Result<bool> reap_pid(pid_t pid) noexcept;

// Raises the limit of open fds (each running job holds a pidfd and a cgroup fd): the soft
// one to the hard one, and both to fs.nr_open (at most 2^20) where traiod may.
Result<unsigned long> raise_fd_limit() noexcept;
// In a job's child, before execve: the fd limit traiod itself was started with. A job gets
// what it would have got from traiod's parent, not 2^20 (programs that loop over every
// possible fd, or size tables by the limit, slow down or fail with a huge one). A raw
// setrlimit: async-signal-safe, and a no-op before raise_fd_limit ran.
void restore_inherited_fd_limit() noexcept;

}  // namespace traio::os
