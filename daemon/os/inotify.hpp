#pragma once
// A thin owner of an inotify instance (wait_file jobs and probes, DESIGN: one instance for
// all of them). Non-blocking and close-on-exec: the caller waits for readability on the
// event loop, then drains the queued events with read_events().
#include <cstdint>
#include <string>
#include <vector>

#include "daemon/os/sys_error.hpp"
#include "daemon/os/unique_fd.hpp"

namespace traio::os {

struct InotifyEvent {
  int wd = -1;            // -1 with IN_Q_OVERFLOW: events were lost
  std::uint32_t mask = 0;
  std::string name;       // the entry inside the watched directory; empty for the directory itself
};

class Inotify {
 public:
  static Result<Inotify> open() noexcept;

  int fd() const noexcept { return fd_.get(); }

  // inotify_add_watch: a watch descriptor. Watching the same inode twice returns the same
  // wd (with the mask replaced). Errors: ENOENT, ENOTDIR (with IN_ONLYDIR), EACCES, ENOSPC
  // (fs.inotify.max_user_watches reached).
  Result<int> add_watch(const std::string& path, std::uint32_t mask) noexcept;
  // EINVAL is a normal answer: the kernel dropped the watch already (IN_IGNORED is queued).
  Result<void> remove_watch(int wd) noexcept;

  // One read(2) of what is queued (up to 64 KiB of events); empty when nothing is (EAGAIN).
  // Call again while it returns events: a flood is drained in steps, not in one go.
  Result<std::vector<InotifyEvent>> read_events();

 private:
  explicit Inotify(UniqueFd fd) noexcept : fd_(std::move(fd)) {}
  UniqueFd fd_;
};

}  // namespace traio::os
