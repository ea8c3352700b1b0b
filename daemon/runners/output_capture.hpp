#pragma once
// output: capture (SPEC §2): the job's stdout and stderr are two pipes that the daemon reads
// on its loop and appends to the job's capture log as tagged records (capture_record.hpp),
// rotated at logs.max_bytes (rotating_log.hpp). output: inherit goes through the same pipes,
// to the daemon's stdout and stderr with the job's path in front of each line (output_sink.hpp).
//
// Memory stays bounded whatever the job writes: each pipe is read 64 KiB at a time, and a
// chunk is written out before the next read is started, so a job that writes faster than
// the disk takes it blocks on its full pipe (backpressure) instead of growing the daemon.
// Per stream, at most one unfinished line (< kMaxRecordLine) is held between reads.
#include <unistd.h>

#include <array>
#include <functional>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>

#include "daemon/os/launcher.hpp"
#include "daemon/runners/capture_record.hpp"
#include "daemon/runners/output_sink.hpp"
#include "daemon/runners/rotating_log.hpp"

namespace traio {

class OutputCapture {
 public:
  // Opens (creating, or appending to: a restarted job's runs share one log) the log at
  // `log_path` and makes both pipes.
  static os::Result<std::unique_ptr<OutputCapture>> open(boost::asio::io_context& io, const std::string& log_path,
                                                         const CaptureOptions& options = {});
  // output: inherit: each line goes to `out_fd` or `err_fd` (the daemon's own by default) as
  // "[<job_path>] <line>".
  static os::Result<std::unique_ptr<OutputCapture>> open_inherit(boost::asio::io_context& io,
                                                                 const std::string& job_path,
                                                                 int out_fd = STDOUT_FILENO,
                                                                 int err_fd = STDERR_FILENO);
  ~OutputCapture();
  OutputCapture(const OutputCapture&) = delete;
  OutputCapture& operator=(const OutputCapture&) = delete;

  // The child's ends, for the launcher's dup2 onto fds 1 and 2.
  int child_stdout() const { return out_write_.get(); }
  int child_stderr() const { return err_write_.get(); }

  // After the spawn: closes the child's ends here, so that EOF comes once every process of the
  // job has closed its copies, and starts reading both pipes.
  void start();

  // A `ready.log` probe (SPEC §6): each line read from now on (each piece of at most
  // kMaxRecordLine bytes), from either stream, goes to `watch` as well, until it returns false.
  void watch_lines(std::function<bool(std::string_view)> watch) { line_watch_ = std::move(watch); }

  // Whether both pipes reached EOF (or failed) and everything read is written out.
  bool finished() const;
  // Called once, from a fresh handler on the loop (never from inside this object, so the
  // callback may destroy it), when finished() becomes true; at once (posted) if it is.
  void when_finished(std::function<void()> callback);

 private:
  struct Reader;
  static os::Result<std::unique_ptr<OutputCapture>> with_sink(boost::asio::io_context& io,
                                                              std::unique_ptr<OutputSink> sink);
  OutputCapture(boost::asio::io_context& io, std::unique_ptr<OutputSink> sink, os::Pipe out, os::Pipe err);
  void read(Reader& reader);
  void on_read(Reader& reader, std::size_t bytes);
  void on_eof(Reader& reader);
  void add_line(Reader& reader, std::string_view time, std::string_view line);
  void notify_if_finished();

  boost::asio::io_context& io_;
  std::unique_ptr<OutputSink> sink_;
  os::UniqueFd out_write_;
  os::UniqueFd err_write_;
  std::unique_ptr<Reader> out_;
  std::unique_ptr<Reader> err_;
  std::function<void()> on_finished_;
  std::function<bool(std::string_view)> line_watch_;  // only jobs with a log probe pay for it
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);  // handlers check it after we are gone
};

}  // namespace traio
