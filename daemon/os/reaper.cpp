#include "daemon/os/reaper.hpp"

#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include <algorithm>
#include <fstream>
#include <optional>

namespace traio::os {

namespace {

// The limit traiod was started with, which its jobs get back (see restore_inherited_fd_limit).
rlimit g_inherited_nofile{};
bool g_inherited_saved = false;

std::optional<rlim_t> read_nr_open() {
  std::ifstream in("/proc/sys/fs/nr_open");
  unsigned long long value = 0;
  if (!(in >> value) || value == 0) return std::nullopt;
  return static_cast<rlim_t>(value);
}

}  // namespace

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
  if (!g_inherited_saved) {
    g_inherited_nofile = limit;
    g_inherited_saved = true;
  }
  // Each running process job holds two fds (its pidfd and its cgroup directory), so the
  // 20,000 a container or login often gives as the hard limit caps traiod near 10,000 jobs.
  // With CAP_SYS_RESOURCE (root) the hard limit may rise to fs.nr_open, as systemd's
  // LimitNOFILE=524288 does for services; without it, EPERM leaves the hard limit as it was.
  constexpr rlim_t kWanted = 1u << 20;
  if (limit.rlim_max != RLIM_INFINITY && limit.rlim_max < kWanted) {
    rlimit wider = limit;
    wider.rlim_max = std::min<rlim_t>(kWanted, read_nr_open().value_or(limit.rlim_max));
    wider.rlim_cur = wider.rlim_max;
    if (wider.rlim_max > limit.rlim_max && ::setrlimit(RLIMIT_NOFILE, &wider) == 0)
      return static_cast<unsigned long>(wider.rlim_cur);
  }
  if (limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    if (::setrlimit(RLIMIT_NOFILE, &limit) < 0) return last_errno();
  }
  return static_cast<unsigned long>(limit.rlim_cur);
}

// Runs in a job's child, which may share our memory (CLONE_VM): no sanitizer bookkeeping.
__attribute__((no_sanitize("address", "undefined"))) void restore_inherited_fd_limit() noexcept {
  if (g_inherited_saved) ::setrlimit(RLIMIT_NOFILE, &g_inherited_nofile);
}

}  // namespace traio::os
