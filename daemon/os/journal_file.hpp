#pragma once
// The file under the crash journal (DESIGN: durability): appended with write(2), made
// durable with fdatasync(2) when a reply must not promise more than the disk holds, and
// replaced atomically (temp file, fsync, rename, fsync of the directory) when compacted.
// A crash of the daemon loses nothing written; a crash of the machine loses at most what
// was not synced, and a torn last line is dropped on reading.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/os/sys_error.hpp"
#include "daemon/os/unique_fd.hpp"

namespace traio::os {

class JournalFile {
 public:
  // Opens `path` for appending (created 0600 when missing).
  static Result<JournalFile> open(std::string path);

  JournalFile() = default;

  Result<void> append(std::string_view bytes) noexcept;  // all of it, or an error
  Result<void> sync() noexcept;                          // fdatasync
  // Replaces the whole file with `content`, durably; on success later appends go there.
  Result<void> replace(std::string_view content);
  std::uint64_t size() const noexcept { return size_; }
  const std::string& path() const noexcept { return path_; }
  bool is_open() const noexcept { return fd_.valid(); }

 private:
  JournalFile(std::string path, UniqueFd fd, std::uint64_t size)
      : path_(std::move(path)), fd_(std::move(fd)), size_(size) {}

  std::string path_;
  UniqueFd fd_;
  std::uint64_t size_ = 0;
};

// The complete lines of the journal at `path`, without their '\n'. A missing file has no
// lines; an unterminated last line (torn by a crash mid-write) is left out.
Result<std::vector<std::string>> read_journal_lines(const std::string& path);

// An exclusive, non-blocking flock(2) on `path` (created 0600): one daemon per state
// directory. EWOULDBLOCK when another process holds it. Held until the fd is closed.
Result<UniqueFd> lock_exclusive(const std::string& path);

}  // namespace traio::os
