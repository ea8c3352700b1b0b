// The fork path: for jobs that run as another user. posix_spawn cannot change credentials,
// so we fork and do its work by hand in the child, in this order: setsid, setgroups, setgid,
// setuid, signals back to a clean slate, fds, chdir, close the rest, execve. Everything the
// child needs is computed before the fork; the child makes only async-signal-safe calls
// (raw syscalls, no allocation, no locks) and leaves through execve or _exit.
#include <fcntl.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <optional>

#include "daemon/os/launch_forked.hpp"

namespace traio::os::detail {

namespace {

// What a child whose start failed writes to the report pipe (8 bytes: atomic, < PIPE_BUF).
struct Report {
  int step;
  int error;
};

// Everything the child reads, prepared by the parent.
struct Plan {
  const char* program;
  char* const* argv;
  char* const* envp;
  const char* cwd;  // nullptr: keep the daemon's
  OutputTarget output;
  int output_fd;
  int error_fd;
  const char* output_file;
  int output_file_flags;
  const Credentials* ids;
  int report_fd;
};

[[noreturn]] void fail_in_child(const Plan& plan, LaunchStep step) {
  const Report report{static_cast<int>(step), errno};
  // Nothing to do if this fails: the parent then sees EOF and the exit status 127.
  [[maybe_unused]] auto n = ::write(plan.report_fd, &report, sizeof report);
  ::_exit(127);
}

// dup2 clears FD_CLOEXEC on the copy, but dup2 onto itself does nothing: clear it by hand.
bool place(int fd, int target) {
  if (fd == target) return ::fcntl(fd, F_SETFD, 0) == 0;
  return ::dup2(fd, target) == target;
}

bool place_dev_null(int target, int flags) {
  int fd = ::open("/dev/null", flags | O_CLOEXEC);
  return fd >= 0 && place(fd, target);
}

// Raw syscalls, not glibc's wrappers: in a multithreaded parent glibc's setuid family
// would try to signal the parent's other threads (SIGSETXID), which do not exist here.
void take_credentials(const Plan& plan) {
  const Credentials& ids = *plan.ids;
  if (::syscall(SYS_setgroups, ids.groups.size(), ids.groups.data()) != 0) fail_in_child(plan, LaunchStep::Credentials);
  if (::syscall(SYS_setresgid, ids.gid, ids.gid, ids.gid) != 0) fail_in_child(plan, LaunchStep::Credentials);
  if (::syscall(SYS_setresuid, ids.uid, ids.uid, ids.uid) != 0) fail_in_child(plan, LaunchStep::Credentials);
}

// The daemon handles and ignores signals for Asio: the job starts with default dispositions
// and an empty mask. Every signal is blocked until then (the parent blocked them before the
// fork), so none of the daemon's handlers can run in the child.
void reset_signals() {
  struct sigaction dfl{};
  dfl.sa_handler = SIG_DFL;
  for (int sig = 1; sig < NSIG; ++sig) ::sigaction(sig, &dfl, nullptr);  // EINVAL for KILL, STOP, glibc's own
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
}

void set_up_output(const Plan& plan) {
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

// Every fd but 0-2 and `keep` (which is above 2): close_range, Linux 5.9; older kernels
// (ENOSYS) get the loop.
void close_other_fds(int keep) {
  const auto k = static_cast<unsigned>(keep);
  bool below = k == 3 || ::syscall(SYS_close_range, 3U, k - 1, 0U) == 0;
  if (below && ::syscall(SYS_close_range, k + 1, ~0U, 0U) == 0) return;
  for (int fd = 3; fd < 65536; ++fd)
    if (fd != keep) ::close(fd);
}

[[noreturn]] void run_child(const Plan& plan) {
  if (::setsid() < 0) fail_in_child(plan, LaunchStep::Setup);
  take_credentials(plan);
  reset_signals();
  if (!place_dev_null(0, O_RDONLY)) fail_in_child(plan, LaunchStep::Setup);
  set_up_output(plan);
  if (plan.cwd != nullptr && ::chdir(plan.cwd) != 0) fail_in_child(plan, LaunchStep::Cwd);
  close_other_fds(plan.report_fd);  // the report pipe is close-on-exec: exec closes it
  ::execve(plan.program, plan.argv, plan.envp);
  fail_in_child(plan, LaunchStep::Exec);
}

int file_flags(const LaunchRequest& request) {
  int flags = O_WRONLY | O_CREAT | O_NOCTTY | O_CLOEXEC;
  switch (request.output_file_mode) {
    case OpenMode::Append: flags |= O_APPEND; break;
    case OpenMode::Truncate: flags |= O_TRUNC; break;
  }
  return flags;
}

// The report pipe's write end must stay above 2: the child's dup2s onto 0-2 would clobber it.
Result<Pipe> report_pipe() {
  auto pipe = make_pipe();
  if (!pipe || pipe->write.get() > 2) return pipe;
  int moved = ::fcntl(pipe->write.get(), F_DUPFD_CLOEXEC, 3);
  if (moved < 0) return last_errno();
  pipe->write = UniqueFd(moved);
  return pipe;
}

// Blocks until the child has exec'd (EOF: the pipe's write end closed with the exec) or
// reported a failed step.
std::optional<Report> read_report(int fd) {
  Report report{};
  ssize_t n;
  do {
    n = ::read(fd, &report, sizeof report);
  } while (n < 0 && errno == EINTR);
  if (n == static_cast<ssize_t>(sizeof report)) return report;
  return std::nullopt;
}

}  // namespace

LaunchResult launch_forked(const LaunchRequest& request, const std::string& program) {
  auto pipe = report_pipe();
  if (!pipe) return LaunchFailure{LaunchStep::Setup, pipe.error()};
  auto argv = c_strings(request.argv);
  auto envp = c_strings(request.env);
  const Plan plan{program.c_str(),
                  argv.data(),
                  envp.data(),
                  request.cwd.empty() ? nullptr : request.cwd.c_str(),
                  request.output,
                  request.output_fd,
                  request.error_fd,
                  request.output_file.c_str(),
                  file_flags(request),
                  &*request.credentials,
                  pipe->write.get()};
  sigset_t all, old;
  sigfillset(&all);
  ::pthread_sigmask(SIG_SETMASK, &all, &old);
  const pid_t pid = ::fork();
  if (pid == 0) run_child(plan);
  const int fork_error = errno;
  ::pthread_sigmask(SIG_SETMASK, &old, nullptr);
  if (pid < 0) return LaunchFailure{LaunchStep::Setup, errno_code(fork_error)};
  pipe->write = UniqueFd();  // else our own copy would keep the pipe open
  if (auto report = read_report(pipe->read.get())) {
    int status;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    return LaunchFailure{static_cast<LaunchStep>(report->step), errno_code(report->error)};
  }
  return adopt(pid);
}

}  // namespace traio::os::detail
