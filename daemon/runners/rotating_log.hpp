#pragma once
// A capture log that never grows past `max_bytes` (config `logs`, SPEC §4): before a record
// that would take it past the limit, the log is renamed to <log>.1 (the older ones move up to
// <log>.<keep>, the oldest is dropped) and a new log is started. With keep = 0 the log is
// truncated instead. Records are whole lines and are never split across two files, so the
// disk holds at most (keep + 1) * max_bytes, plus one record when a single record is longer
// than max_bytes (it then fills a file of its own).
#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "daemon/os/sys_error.hpp"
#include "daemon/os/unique_fd.hpp"

namespace traio {

// How a capture log is kept (config `logs`, SPEC §4) and whose it is (`user`, SPEC §2).
struct CaptureOptions {
  std::uint64_t max_bytes = 10ull << 20;  // rotate before the log would grow past this size
  unsigned keep = 5;                      // rotated files kept: <log>.1 (newest) .. <log>.<keep>
  std::optional<uid_t> uid;               // chown the log (and its rotations) to this user
  std::optional<gid_t> gid;
};

// Writes all of `data`, retrying on EINTR and short writes; false (errno set) on failure.
bool write_all(int fd, std::string_view data);

// "<log>.<generation>": generation 1 is the newest rotation; 0 is the log itself.
std::string rotated_log_path(const std::string& log_path, unsigned generation);

class RotatingLog {
 public:
  // Opens (creating, or appending to) the log at `path`.
  static os::Result<RotatingLog> open(std::string path, const CaptureOptions& options);

  // Appends `records`: whole lines, each ending in '\n'. Returns false (errno set) when the
  // log cannot be written (ENOSPC, EIO, a failed rotation): the caller drops the output, the
  // job goes on. `written`, when given, gets the bytes of `records` that made it to the file:
  // always whole records, since a record cut short by a full disk is cut off the file again.
  bool append(std::string_view records, std::size_t* written = nullptr);

  const std::string& path() const { return path_; }
  std::uint64_t size() const { return size_; }

 private:
  RotatingLog(std::string path, const CaptureOptions& options, os::UniqueFd fd, std::uint64_t size);
  bool start_new_file();
  bool write(std::string_view data);

  std::string path_;
  CaptureOptions options_;
  os::UniqueFd fd_;
  std::uint64_t size_ = 0;  // of the current file
};

}  // namespace traio
