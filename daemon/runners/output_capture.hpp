#pragma once
// output: capture (SPEC §2): the job's stdout and stderr are two pipes that the daemon reads
// on its loop and appends to the job's capture log as tagged records (capture_record.hpp).
//
// Memory stays bounded whatever the job writes: each pipe is read 64 KiB at a time, and a
// chunk is written to the log before the next read is started, so a job that writes faster
// than the disk takes it blocks on its full pipe (backpressure) instead of growing the
// daemon. Per stream, at most one unfinished line (< kMaxRecordLine) is held between reads.
#include <sys/types.h>

#include <array>
#include <cstdint>
#include <optional>
#include <functional>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>

#include "daemon/os/launcher.hpp"
#include "daemon/runners/capture_record.hpp"

namespace traio {

// How a capture log is kept (config `logs`, SPEC §4) and whose it is (`user`, SPEC §2).
struct CaptureOptions {
  std::uint64_t max_bytes = 10ull << 20;  // rotate once the log reaches this size
  unsigned keep = 5;                      // rotated files kept: <log>.1 (newest) .. <log>.<keep>
  std::optional<uid_t> uid;               // chown the log (and its rotations) to this user
  std::optional<gid_t> gid;
};

class OutputCapture {
 public:
  // Opens (creating, or appending to: a restarted job's runs share one log) the log at
  // `log_path` and makes both pipes.
  static os::Result<std::unique_ptr<OutputCapture>> open(boost::asio::io_context& io, const std::string& log_path,
                                                         const CaptureOptions& options = {});
  ~OutputCapture();
  OutputCapture(const OutputCapture&) = delete;
  OutputCapture& operator=(const OutputCapture&) = delete;

  // The child's ends, for the launcher's dup2 onto fds 1 and 2.
  int child_stdout() const { return out_write_.get(); }
  int child_stderr() const { return err_write_.get(); }

  // After the spawn: closes the child's ends here, so that EOF comes once every process of the
  // job has closed its copies, and starts reading both pipes.
  void start();

  // Whether both pipes reached EOF (or failed) and everything read is in the log.
  bool finished() const;
  // Called once, from a fresh handler on the loop (never from inside this object, so the
  // callback may destroy it), when finished() becomes true; at once (posted) if it is.
  void when_finished(std::function<void()> callback);

 private:
  struct Reader;
  OutputCapture(boost::asio::io_context& io, os::UniqueFd log, os::Pipe out, os::Pipe err);
  void read(Reader& reader);
  void on_read(Reader& reader, std::size_t bytes);
  void on_eof(Reader& reader);
  void add_line(Reader& reader, std::string_view time, std::string_view line);
  void flush();
  void notify_if_finished();

  boost::asio::io_context& io_;
  os::UniqueFd log_;
  os::UniqueFd out_write_;
  os::UniqueFd err_write_;
  std::unique_ptr<Reader> out_;
  std::unique_ptr<Reader> err_;
  std::string pending_;  // records not written yet; flushed at 64 KiB and after every chunk
  bool write_failed_ = false;
  std::function<void()> on_finished_;
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);  // handlers check it after we are gone
};

}  // namespace traio
