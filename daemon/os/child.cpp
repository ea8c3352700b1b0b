#include "daemon/os/child.hpp"

#include <signal.h>
#include <sys/wait.h>

#include <utility>

namespace traio::os {

namespace {

// glibc 2.36 knows P_PIDFD (linux/wait.h); spelled out so the cast is in one place.
int wait_pidfd(int pidfd, siginfo_t& info, int options) noexcept {
  info = {};
  int rc;
  do {
    rc = ::waitid(static_cast<idtype_t>(P_PIDFD), static_cast<id_t>(pidfd), &info, options);
  } while (rc < 0 && errno == EINTR);
  return rc;
}

ExitStatus exit_status_of(const siginfo_t& info) noexcept {
  if (info.si_code == CLD_EXITED) return {ExitKind::Exited, info.si_status};
  return {ExitKind::Killed, info.si_status};  // CLD_KILLED or CLD_DUMPED
}

}  // namespace

std::string_view to_string(Delivery delivery) {
  switch (delivery) {
    case Delivery::Sent: return "sent";
    case Delivery::AlreadyGone: return "already gone";
  }
  return "?";
}

Child::Child(pid_t pid, UniqueFd pidfd) noexcept : pid_(pid), pidfd_(std::move(pidfd)) {}

Child::Child(Child&& other) noexcept
    : pid_(std::exchange(other.pid_, -1)),
      pidfd_(std::move(other.pidfd_)),
      reaped_(std::exchange(other.reaped_, false)) {}

Child& Child::operator=(Child&& other) noexcept {
  if (this != &other) {
    kill_and_reap();
    pid_ = std::exchange(other.pid_, -1);
    pidfd_ = std::move(other.pidfd_);
    reaped_ = std::exchange(other.reaped_, false);
  }
  return *this;
}

Child::~Child() { kill_and_reap(); }

Result<Delivery> Child::signal_group(int signo) noexcept {
  if (pid_ <= 0 || reaped_) return Delivery::AlreadyGone;
  if (::kill(-pid_, signo) == 0) return Delivery::Sent;
  if (errno == ESRCH) return Delivery::AlreadyGone;  // every member exited already
  return last_errno();
}

Result<std::optional<ExitStatus>> Child::try_reap() noexcept {
  if (pid_ <= 0 || reaped_) return errno_code(ECHILD);
  siginfo_t info;
  // WNOWAIT: peek first, so the zombie keeps the pid (and the group id) while we kill the
  // stragglers of its group.
  if (wait_pidfd(pidfd_.get(), info, WEXITED | WNOHANG | WNOWAIT) < 0) {
    if (errno == EAGAIN) return std::optional<ExitStatus>{};  // O_NONBLOCK pidfd: still running
    return last_errno();
  }
  if (info.si_pid == 0) return std::optional<ExitStatus>{};
  if (::kill(-pid_, SIGKILL) < 0 && errno != ESRCH) return last_errno();  // ESRCH: no stragglers
  if (wait_pidfd(pidfd_.get(), info, WEXITED) < 0) return last_errno();
  reaped_ = true;
  return std::optional<ExitStatus>{exit_status_of(info)};
}

void Child::kill_and_reap() noexcept {
  if (pid_ <= 0 || reaped_) return;
  ::kill(-pid_, SIGKILL);  // ESRCH: the group is gone, only the zombie is left
  ::kill(pid_, SIGKILL);   // in case it left its group (setpgid)
  // waitpid, not waitid(P_PIDFD): Asio may have made the pidfd O_NONBLOCK, and a
  // non-blocking pidfd turns the wait into WNOHANG (a zombie would be left behind).
  int status;
  while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  reaped_ = true;
}

}  // namespace traio::os
