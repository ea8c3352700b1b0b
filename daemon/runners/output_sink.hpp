#pragma once
// Where the lines of a job's output go once OutputCapture has read them from its pipes:
// the job's capture log as records (output: capture), or the daemon's own stdout and stderr,
// each line prefixed with the job's path (output: inherit, SPEC §2).
//
// A sink buffers at most about kSinkChunk bytes: it writes them out when that much is
// waiting and on every flush(), which OutputCapture calls after each chunk it read. The job
// must never block on its output: a capture log that cannot be written (ENOSPC, EIO) drops
// and counts the lines and is tried again on the next flush, and says how many it lost once
// it is written again; a prefixed target that fails (a closed stdout) is logged once and its
// output dropped from then on.
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "daemon/runners/capture_record.hpp"
#include "daemon/runners/rotating_log.hpp"

namespace traio {

inline constexpr std::size_t kSinkChunk = 64u << 10;

class OutputSink {
 public:
  virtual ~OutputSink() = default;
  // One line of `stream` without its newline, at most kMaxRecordLine bytes, read at `time`.
  virtual void add_line(std::string_view time, OutputStream stream, std::string_view line) = 0;
  virtual void flush() = 0;
};

// Records (capture_record.hpp) appended to a log that rotates (rotating_log.hpp).
std::unique_ptr<OutputSink> make_log_sink(RotatingLog log);

// "<prefix> <line>\n" to `out_fd` for stdout, to `err_fd` for stderr; the fds stay the
// caller's (the daemon's fds 1 and 2 for output: inherit, with prefix "[/job/path]").
std::unique_ptr<OutputSink> make_prefixed_sink(std::string prefix, int out_fd, int err_fd);

}  // namespace traio
