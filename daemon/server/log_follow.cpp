#include "daemon/server/log_follow.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>

#include "daemon/runners/capture_record.hpp"
#include "daemon/runners/rotating_log.hpp"

namespace traio {

namespace {

constexpr std::size_t kReadStep = 16u << 10;
// A line that is no record (not written by traiod) may have no end: past this it is passed
// on in pieces, so that the follower's memory stays bounded.
constexpr std::size_t kMaxPartial = kMaxRecordLine + 64;

}  // namespace

LogFollower::LogFollower(std::string path, From from) : path_(std::move(path)), from_(from) {
  // At once, in the same loop turn as the caller's read of the log's end: nothing is written
  // between the two, so no line is shown twice or lost.
  open_file(path_);
  from_ = From::Start;  // a log that appears later holds only new lines
}

bool LogFollower::open_file(const std::string& file) {
  os::UniqueFd fd(::open(file.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY));
  if (!fd) return false;
  struct stat st{};
  if (::fstat(fd.get(), &st) != 0) return false;
  fd_ = std::move(fd);
  dev_ = st.st_dev;
  ino_ = st.st_ino;
  offset_ = from_ == From::End ? static_cast<std::uint64_t>(st.st_size) : 0;
  partial_.clear();
  return true;
}

bool LogFollower::is_current(const struct stat& st) const { return st.st_dev == dev_ && st.st_ino == ino_; }

bool LogFollower::poll(std::size_t budget, const LineFn& on_line) {
  if (!fd_ && !open_file(path_)) return true;  // the job has written nothing yet
  std::array<char, kReadStep> buffer;
  for (;;) {
    while (budget > 0) {
      const ssize_t n = ::pread(fd_.get(), buffer.data(), std::min(buffer.size(), budget),
                                static_cast<off_t>(offset_));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;  // the end (or EIO: tried again at the next poll)
      offset_ += static_cast<std::uint64_t>(n);
      budget -= static_cast<std::size_t>(n);
      take(std::string_view(buffer.data(), static_cast<std::size_t>(n)), on_line);
    }
    if (budget == 0) return false;
    struct stat st{};
    if (::stat(path_.c_str(), &st) != 0) return true;
    if (is_current(st)) {
      if (static_cast<std::uint64_t>(st.st_size) >= offset_) return true;
      offset_ = 0;  // truncated (keep = 0): its new lines start at 0
      partial_.clear();
      continue;
    }
    // Rotated away and read to its end: it is complete. Records never span two files.
    if (!partial_.empty()) {
      on_line(partial_);
      partial_.clear();
    }
    if (!open_next_file()) return true;
  }
}

// The file written after ours: the rotation one newer than where ours is now, or the log.
bool LogFollower::open_next_file() {
  unsigned generation = 1;
  for (;; ++generation) {
    struct stat st{};
    if (::stat(rotated_log_path(path_, generation).c_str(), &st) != 0) break;
    if (is_current(st)) return open_file(rotated_log_path(path_, generation - 1));
  }
  // Ours was deleted (we fell more than `keep` rotations behind): the oldest file left.
  return open_file(rotated_log_path(path_, generation - 1));
}

void LogFollower::take(std::string_view data, const LineFn& on_line) {
  while (!data.empty()) {
    const auto nl = data.find('\n');
    if (nl == std::string_view::npos) {
      partial_.append(data);
      if (partial_.size() > kMaxPartial) {
        on_line(partial_);
        partial_.clear();
      }
      return;
    }
    if (partial_.empty()) {
      on_line(data.substr(0, nl));
    } else {
      partial_.append(data.substr(0, nl));
      on_line(partial_);
      partial_.clear();
    }
    data.remove_prefix(nl + 1);
  }
}

}  // namespace traio
