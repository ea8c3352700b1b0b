#include "daemon/os/reaper.hpp"

#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>

namespace traio::os {

Result<void> set_child_subreaper(bool on) noexcept {
  if (::prctl(PR_SET_CHILD_SUBREAPER, on ? 1UL : 0UL, 0UL, 0UL, 0UL) < 0) return last_errno();
  return {};
}

Result<std::optional<pid_t>> peek_exited_child() noexcept {
  siginfo_t info{};
  int rc;
  do {
    rc = ::waitid(P_ALL, 0, &info, WEXITED | WNOHANG | WNOWAIT);
  } while (rc < 0 && errno == EINTR);
  if (rc < 0) {
    if (errno == ECHILD) return std::optional<pid_t>{};  // no children at all
    return last_errno();
  }
  if (info.si_pid == 0) return std::optional<pid_t>{};
  return std::optional<pid_t>{info.si_pid};
}

Result<bool> reap_pid(pid_t pid) noexcept {
  int status;
  pid_t rc;
  do {
    rc = ::waitpid(pid, &status, WNOHANG);
  } while (rc < 0 && errno == EINTR);
  if (rc < 0) {
    if (errno == ECHILD) return false;  // someone reaped it first
    // in_place_error: an error_code would otherwise convert to the bool value
    return Result<bool>(boost::system::in_place_error, last_errno());
  }
  return rc == pid;
}

Result<unsigned long> raise_fd_limit() noexcept {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) < 0) return last_errno();
  if (limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    if (::setrlimit(RLIMIT_NOFILE, &limit) < 0) return last_errno();
  }
  return static_cast<unsigned long>(limit.rlim_cur);
}

}  // namespace traio::os
