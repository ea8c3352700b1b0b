#pragma once
// A started child process: its pid (also its process group and session id, DESIGN: each job
// runs in its own session) and its pidfd. Destroying a Child that was not reaped kills its
// whole process group and reaps it, so no path leaves a zombie or a stray behind.
#include <sys/types.h>

#include <optional>
#include <string_view>

#include "daemon/os/sys_error.hpp"
#include "daemon/os/unique_fd.hpp"

namespace traio::os {

// What a signal to a process group found.
enum class Delivery {
  Sent,
  AlreadyGone,  // ESRCH, or the child was reaped already: nothing left to signal
};
std::string_view to_string(Delivery delivery);

enum class ExitKind {
  Exited,  // `code` is the exit status
  Killed,  // `code` is the signal number
};

struct ExitStatus {
  ExitKind kind = ExitKind::Exited;
  int code = 0;
};

class Child {
 public:
  Child(pid_t pid, UniqueFd pidfd) noexcept;
  Child(Child&& other) noexcept;
  Child& operator=(Child&& other) noexcept;
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;
  ~Child();

  pid_t pid() const noexcept { return pid_; }
  // Readable once the main process has exited (wait for it with an Asio stream_descriptor).
  int pidfd() const noexcept { return pidfd_.get(); }
  bool reaped() const noexcept { return reaped_; }

  // kill(-pgid, signo): the whole process group. Never signals after the reap (the pid
  // could belong to someone else by then).
  Result<Delivery> signal_group(int signo) noexcept;

  // nullopt while the main process runs. Once it has exited: SIGKILL what remains of its
  // process group (the zombie still holds the pid, so the group id cannot be reused yet),
  // then reap it and return how it ended.
  Result<std::optional<ExitStatus>> try_reap() noexcept;

 private:
  void kill_and_reap() noexcept;

  pid_t pid_ = -1;
  UniqueFd pidfd_;
  bool reaped_ = false;
};

}  // namespace traio::os
