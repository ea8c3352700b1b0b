#include "daemon/runners/rotating_log.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "daemon/os/launcher.hpp"
#include "daemon/runners/logger.hpp"

namespace traio {

namespace {

// A job's log belongs to the job's user (SPEC §2 `user`), so that it may read it. A failure
// is logged and the log stays the daemon's: the output is still kept.
void give_to_user(int fd, const std::string& path, const CaptureOptions& options) {
  if (!options.uid && !options.gid) return;
  const uid_t uid = options.uid.value_or(static_cast<uid_t>(-1));
  const gid_t gid = options.gid.value_or(static_cast<gid_t>(-1));
  if (::fchown(fd, uid, gid) != 0)
    log(LogLevel::Warning, "cannot give the capture log {} to uid {}: {}", path, options.uid.value_or(0),
        std::strerror(errno));
}

// The bytes of `records` made of whole records that fit in `room` (0 when not even one does).
std::size_t whole_records_within(std::string_view records, std::uint64_t room) {
  if (records.size() <= room) return records.size();
  if (room == 0) return 0;
  const auto nl = records.rfind('\n', static_cast<std::size_t>(room) - 1);
  return nl == std::string_view::npos ? 0 : nl + 1;
}

}  // namespace

bool write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

std::string rotated_log_path(const std::string& log_path, unsigned generation) {
  return generation == 0 ? log_path : fmt::format("{}.{}", log_path, generation);
}

os::Result<RotatingLog> RotatingLog::open(std::string path, const CaptureOptions& options) {
  auto fd = os::open_output_file(path, os::OpenMode::Append);
  if (!fd) return fd.error();
  struct stat st{};
  if (::fstat(fd->get(), &st) != 0) return os::errno_code(errno);
  give_to_user(fd->get(), path, options);
  return RotatingLog(std::move(path), options, std::move(*fd), static_cast<std::uint64_t>(st.st_size));
}

RotatingLog::RotatingLog(std::string path, const CaptureOptions& options, os::UniqueFd fd, std::uint64_t size)
    : path_(std::move(path)), options_(options), fd_(std::move(fd)), size_(size) {}

bool RotatingLog::append(std::string_view records, std::size_t* written) {
  const std::size_t total = records.size();
  const auto done = [&](bool ok) {
    if (written != nullptr) *written = total - records.size();
    return ok;
  };
  while (!records.empty()) {
    const std::uint64_t room = size_ < options_.max_bytes ? options_.max_bytes - size_ : 0;
    std::size_t take = whole_records_within(records, room);
    if (take == 0) {
      if (size_ > 0) {  // the next record does not fit: it starts the next file
        if (!start_new_file()) return done(false);
        continue;
      }
      // A record longer than max_bytes (a tiny limit) fills an empty file on its own rather
      // than being cut: records are never split.
      const auto nl = records.find('\n');
      take = nl == std::string_view::npos ? records.size() : nl + 1;
    }
    if (!write(records.substr(0, take))) return done(false);
    records.remove_prefix(take);
  }
  return done(true);
}

bool RotatingLog::write(std::string_view data) {
  if (write_all(fd_.get(), data)) {
    size_ += data.size();
    return true;
  }
  // A full disk takes part of a write (a short write, then ENOSPC): cut the torn record off
  // again, so that the file holds whole records and the next one starts on a line of its own.
  const int error = errno;
  if (::ftruncate(fd_.get(), static_cast<off_t>(size_)) != 0)
    log(LogLevel::Warning, "cannot cut a torn record off the capture log {}: {}", path_, std::strerror(errno));
  errno = error;
  return false;
}

bool RotatingLog::start_new_file() {
  if (options_.keep > 0) {
    // <log>.<keep-1> -> <log>.<keep> replaces (drops) the oldest; a gap (ENOENT) is normal
    // for a log that has not rotated that often yet.
    for (unsigned g = options_.keep; g > 1; --g) {
      const std::string from = rotated_log_path(path_, g - 1);
      if (::rename(from.c_str(), rotated_log_path(path_, g).c_str()) != 0 && errno != ENOENT)
        log(LogLevel::Warning, "cannot rotate {}: {}", from, std::strerror(errno));
    }
    const std::string newest = rotated_log_path(path_, 1);
    if (::rename(path_.c_str(), newest.c_str()) == 0) {
      auto fd = os::open_output_file(path_, os::OpenMode::Append);
      if (!fd) {
        log(LogLevel::Warning, "cannot start a new capture log {}: {}", path_, fd.error().message());
        return false;
      }
      give_to_user(fd->get(), path_, options_);
      fd_ = std::move(*fd);
      size_ = 0;
      return true;
    }
    // The disk bound matters more than the old lines: fall back to truncating.
    log(LogLevel::Warning, "cannot rotate {}: {}; truncating it instead", path_, std::strerror(errno));
  }
  if (::ftruncate(fd_.get(), 0) != 0) {
    log(LogLevel::Warning, "cannot truncate the capture log {}: {}", path_, std::strerror(errno));
    return false;
  }
  size_ = 0;  // O_APPEND: the next write lands at the new end, offset 0
  return true;
}

}  // namespace traio
