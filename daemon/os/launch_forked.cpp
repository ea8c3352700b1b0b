// The fork path: for jobs that run as another user where clone3 is missing (launch_cloned
// does the same work without copying the daemon's memory). posix_spawn cannot change
// credentials, so we fork and the child does the steps of child_steps.cpp.
#include <fcntl.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <optional>

#include "daemon/os/launch_forked.hpp"

#include "daemon/os/child_steps.hpp"

namespace traio::os::detail {

namespace {

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
std::optional<ChildReport> read_report(int fd) {
  ChildReport report{};
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
  const ChildPlan plan = plan_for(request, program, argv, envp, nullptr, pipe->write.get());
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
