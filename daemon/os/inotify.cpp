#include "daemon/os/inotify.hpp"

#include <sys/inotify.h>
#include <unistd.h>

#include <cstring>

namespace traio::os {

Result<Inotify> Inotify::open() noexcept {
  int fd = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (fd < 0) return last_errno();
  return Inotify(UniqueFd(fd));
}

Result<int> Inotify::add_watch(const std::string& path, std::uint32_t mask) noexcept {
  int wd = ::inotify_add_watch(fd_.get(), path.c_str(), mask);
  if (wd < 0) return last_errno();
  return wd;
}

Result<void> Inotify::remove_watch(int wd) noexcept {
  if (::inotify_rm_watch(fd_.get(), wd) < 0 && errno != EINVAL) return last_errno();
  return {};
}

Result<std::vector<InotifyEvent>> Inotify::read_events() {
  // Aligned as the kernel's struct requires; room for about a thousand events per read.
  alignas(struct inotify_event) char buffer[64 * 1024];
  std::vector<InotifyEvent> events;
  ssize_t n;
  do {
    n = ::read(fd_.get(), buffer, sizeof buffer);
  } while (n < 0 && errno == EINTR);
  if (n < 0) {
    if (errno == EAGAIN) return events;
    return last_errno();
  }
  for (ssize_t at = 0; at < n;) {
    struct inotify_event header;
    std::memcpy(&header, buffer + at, sizeof header);
    const char* name = buffer + at + sizeof header;
    // The name is NUL-padded to an alignment boundary.
    std::string entry = header.len > 0 ? std::string(name, ::strnlen(name, header.len)) : std::string();
    events.push_back({header.wd, header.mask, std::move(entry)});
    at += static_cast<ssize_t>(sizeof header + header.len);
  }
  return events;
}

}  // namespace traio::os
