#pragma once
// Follows one job's capture log as it grows (`logs -f`, SPEC §3), polled by the caller with a
// bounded read each time, so that a job writing fast cannot hold up the loop.
//
// The log rotates under the follower (runners/rotating_log.hpp): once the file being read is
// no longer the one at the log's path, it is complete (the capture writes only the newest),
// so it is read to its end, and then the file written after it: the next newer rotation, or
// the log itself. A log that got shorter was truncated (logs.keep = 0): it is read again from
// its start. A follower that falls more than `keep` rotations behind goes on with the oldest
// file left; the lines of the files deleted meanwhile are lost to it.
#include <sys/stat.h>
#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "daemon/os/unique_fd.hpp"

namespace traio {

class LogFollower {
 public:
  // End: lines written from now on (the log's current end; the caller showed what is before).
  // Start: every line (for a job that has not written yet).
  enum class From { End, Start };
  using LineFn = std::function<void(std::string_view line)>;

  LogFollower(std::string path, From from);

  // Passes each whole line (without its newline) written since the last call to `on_line`,
  // reading at most about `budget` bytes. Returns true when everything written so far has
  // been read (an unfinished last line aside), false when the budget ran out first.
  bool poll(std::size_t budget, const LineFn& on_line);

  const std::string& path() const { return path_; }

 private:
  bool open_file(const std::string& file);
  bool open_next_file();
  bool is_current(const struct stat& st) const;
  void take(std::string_view data, const LineFn& on_line);

  std::string path_;
  From from_;
  os::UniqueFd fd_;  // the file being read: the log, or a rotation of it not read to its end
  dev_t dev_ = 0;
  ino_t ino_ = 0;
  std::uint64_t offset_ = 0;
  std::string partial_;  // an unfinished line, between two polls
};

}  // namespace traio
