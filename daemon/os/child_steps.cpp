#include "daemon/os/child_steps.hpp"

#include "daemon/os/reaper.hpp"

#include <fcntl.h>
#include <linux/close_range.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

// The child may run on a stack of its own in the parent's memory (CLONE_VM): no sanitizer
// bookkeeping there, it would poison shadow memory the parent keeps using.
#define TRAIO_CHILD_CODE __attribute__((no_sanitize("address", "undefined")))

namespace traio::os::detail {

namespace {

TRAIO_CHILD_CODE [[noreturn]] void fail_in_child(const ChildPlan& plan, LaunchStep step) {
  const ChildReport report{static_cast<int>(step), errno};
  if (plan.report != nullptr) {
    *plan.report = report;
  } else {
    // Nothing to do if this fails: the parent then sees EOF and the exit status 127.
    [[maybe_unused]] auto n = ::write(plan.report_fd, &report, sizeof report);
  }
  ::_exit(127);
}

// dup2 clears FD_CLOEXEC on the copy, but dup2 onto itself does nothing: clear it by hand.
TRAIO_CHILD_CODE bool place(int fd, int target) {
  if (fd == target) return ::fcntl(fd, F_SETFD, 0) == 0;
  return ::dup2(fd, target) == target;
}

TRAIO_CHILD_CODE bool place_dev_null(int target, int flags) {
  int fd = ::open("/dev/null", flags | O_CLOEXEC);
  return fd >= 0 && place(fd, target);
}

// Raw syscalls, not glibc's wrappers: in a multithreaded parent glibc's setuid family
// would try to signal the parent's other threads (SIGSETXID), which do not exist here.
TRAIO_CHILD_CODE void take_credentials(const ChildPlan& plan) {
  if (plan.ids == nullptr) return;
  const Credentials& ids = *plan.ids;
  if (::syscall(SYS_setgroups, ids.groups.size(), ids.groups.data()) != 0) fail_in_child(plan, LaunchStep::Credentials);
  if (::syscall(SYS_setresgid, ids.gid, ids.gid, ids.gid) != 0) fail_in_child(plan, LaunchStep::Credentials);
  if (::syscall(SYS_setresuid, ids.uid, ids.uid, ids.uid) != 0) fail_in_child(plan, LaunchStep::Credentials);
}

// The daemon handles and ignores signals for Asio: the job starts with default dispositions
// and an empty mask. Every signal is blocked until then (the parent blocked them before the
// clone), so none of the daemon's handlers can run in the child.
TRAIO_CHILD_CODE void reset_signals() {
  struct sigaction dfl{};
  dfl.sa_handler = SIG_DFL;
  for (int sig = 1; sig < NSIG; ++sig) ::sigaction(sig, &dfl, nullptr);  // EINVAL for KILL, STOP, glibc's own
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
}

TRAIO_CHILD_CODE void set_up_output(const ChildPlan& plan) {
  switch (plan.output) {
    case OutputTarget::Null:
      if (!place_dev_null(1, O_WRONLY) || !place(1, 2)) fail_in_child(plan, LaunchStep::Setup);
      return;
    case OutputTarget::Inherit:
      return;  // fds 1 and 2 are the daemon's and are not close-on-exec
    case OutputTarget::Fd:
      if (!place(plan.output_fd, 1) || !place(plan.output_fd, 2)) fail_in_child(plan, LaunchStep::Setup);
      return;
    case OutputTarget::Split:
      if (!place(plan.output_fd, 1) || !place(plan.error_fd, 2)) fail_in_child(plan, LaunchStep::Setup);
      return;
    case OutputTarget::File: {
      // As the job's user: a path it may not write is refused as it would be in its shell.
      // O_NONBLOCK: a FIFO nobody reads fails (ENXIO) instead of hanging the start.
      int fd = ::open(plan.output_file, plan.output_file_flags | O_NONBLOCK, 0640);
      if (fd < 0) fail_in_child(plan, LaunchStep::Output);
      if (::fcntl(fd, F_SETFL, plan.output_file_flags & O_APPEND) != 0 || !place(fd, 1) || !place(1, 2))
        fail_in_child(plan, LaunchStep::Output);
      return;
    }
  }
}

// Every fd but 0-2 and `keep` (above 2, or -1 for none) is gone once the program runs.
// Marking them close-on-exec (Linux 5.11) rather than closing them here matters: the daemon
// waits for this child until its execve has replaced its memory, and the kernel closes
// close-on-exec fds after that point, so the cost of one close per fd the daemon holds (a
// pidfd and a cgroup fd per live job) leaves the daemon's path. `keep` is close-on-exec
// already. Older kernels close here: close_range (5.9), or the loop.
TRAIO_CHILD_CODE void close_other_fds(int keep) {
  if (::syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC) == 0) return;
  if (keep < 3) {
    if (::syscall(SYS_close_range, 3U, ~0U, 0U) == 0) return;
  } else {
    const auto k = static_cast<unsigned>(keep);
    bool below = k == 3 || ::syscall(SYS_close_range, 3U, k - 1, 0U) == 0;
    if (below && ::syscall(SYS_close_range, k + 1, ~0U, 0U) == 0) return;
  }
  for (int fd = 3; fd < 65536; ++fd)
    if (fd != keep) ::close(fd);
}

}  // namespace

TRAIO_CHILD_CODE void run_child(const ChildPlan& plan) {
  if (::setsid() < 0) fail_in_child(plan, LaunchStep::Setup);
  take_credentials(plan);
  reset_signals();
  restore_inherited_fd_limit();
  if (!place_dev_null(0, O_RDONLY)) fail_in_child(plan, LaunchStep::Setup);
  set_up_output(plan);
  if (plan.cwd != nullptr && ::chdir(plan.cwd) != 0) fail_in_child(plan, LaunchStep::Cwd);
  close_other_fds(plan.report_fd);  // a report pipe is close-on-exec: exec closes it
  ::execve(plan.program, plan.argv, plan.envp);
  fail_in_child(plan, LaunchStep::Exec);
}

ChildPlan plan_for(const LaunchRequest& request, const std::string& program, const std::vector<char*>& argv,
                   const std::vector<char*>& envp, ChildReport* report, int report_fd) {
  int file_flags = O_WRONLY | O_CREAT | O_NOCTTY | O_CLOEXEC;
  file_flags |= request.output_file_mode == OpenMode::Append ? O_APPEND : O_TRUNC;
  return ChildPlan{program.c_str(),
                   argv.data(),
                   envp.data(),
                   request.cwd.empty() ? nullptr : request.cwd.c_str(),
                   request.output,
                   request.output_fd,
                   request.error_fd,
                   request.output_file.c_str(),
                   file_flags,
                   request.credentials ? &*request.credentials : nullptr,
                   report,
                   report_fd};
}

}  // namespace traio::os::detail
