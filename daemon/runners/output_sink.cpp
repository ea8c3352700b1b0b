#include "daemon/runners/output_sink.hpp"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstring>

#include <fmt/format.h>

#include "daemon/runners/logger.hpp"

namespace traio {

namespace {

// A log that cannot be written (a full disk) costs the job its output, never its run: the
// lines are dropped and counted, every flush tries again, and once a write succeeds a record
// says how many lines are missing and why (docs/decisions.md).
class LogSink final : public OutputSink {
 public:
  explicit LogSink(RotatingLog log) : log_(std::move(log)) {}
  ~LogSink() override {
    flush();
    if (dropped_ > 0) (void)write_dropped_notice();  // the job ended quiet after the disk freed up
  }

  void add_line(std::string_view time, OutputStream stream, std::string_view line) override {
    append_record(pending_, time, stream, line);
    if (pending_.size() >= kSinkChunk) flush();
  }

  void flush() override {
    if (pending_.empty()) return;
    std::size_t written = 0;
    if (dropped_ > 0 && !write_dropped_notice()) {
      drop(std::string_view(pending_), errno);
    } else if (!log_.append(pending_, &written)) {
      drop(std::string_view(pending_).substr(written), errno);
    }
    pending_.clear();
  }

 private:
  void drop(std::string_view records, int error) {
    if (dropped_ == 0)  // logged once per episode
      log(LogLevel::Warning, "cannot write the capture log {}: {}; dropping and counting the job's output until it can",
          log_.path(), std::strerror(error));
    dropped_ += static_cast<std::uint64_t>(std::count(records.begin(), records.end(), '\n'));
    why_ = std::strerror(error);
  }

  bool write_dropped_notice() {
    std::string notice;
    append_record(notice, format_record_time(std::chrono::system_clock::now()), OutputStream::Err,
                  fmt::format("[traio] {} lines of output dropped: cannot write the log: {}", dropped_, why_));
    if (!log_.append(notice)) return false;
    log(LogLevel::Info, "the capture log {} is written again; {} lines were dropped", log_.path(), dropped_);
    dropped_ = 0;
    return true;
  }

  RotatingLog log_;
  std::string pending_;  // whole records: RotatingLog never splits one across files
  std::uint64_t dropped_ = 0;  // records not written since the last successful write
  std::string why_;
};

class PrefixedSink final : public OutputSink {
 public:
  PrefixedSink(std::string prefix, int out_fd, int err_fd)
      : prefix_(std::move(prefix)), out_{out_fd, {}, false}, err_{err_fd, {}, false} {}
  ~PrefixedSink() override { flush(); }

  void add_line(std::string_view, OutputStream stream, std::string_view line) override {
    Target& target = target_of(stream);
    target.pending.append(prefix_).append(" ").append(line) += '\n';
    if (target.pending.size() >= kSinkChunk) write_out(target);
  }

  void flush() override {
    write_out(out_);
    write_out(err_);
  }

 private:
  struct Target {
    int fd;
    std::string pending;
    bool failed;
  };

  Target& target_of(OutputStream stream) {
    switch (stream) {
      case OutputStream::Out: return out_;
      case OutputStream::Err: return err_;
    }
    return out_;
  }

  // Whole lines per write, so that lines of several jobs and the daemon's own log interleave
  // line by line on a shared stderr.
  void write_out(Target& target) {
    if (target.pending.empty()) return;
    if (!target.failed && !write_all(target.fd, target.pending)) {
      target.failed = true;
      log(LogLevel::Warning, "cannot write the output of {} to fd {}: {}; dropping it", prefix_, target.fd,
          std::strerror(errno));
    }
    target.pending.clear();
  }

  std::string prefix_;
  Target out_;
  Target err_;
};

}  // namespace

std::unique_ptr<OutputSink> make_log_sink(RotatingLog log) { return std::make_unique<LogSink>(std::move(log)); }

std::unique_ptr<OutputSink> make_prefixed_sink(std::string prefix, int out_fd, int err_fd) {
  return std::make_unique<PrefixedSink>(std::move(prefix), out_fd, err_fd);
}

}  // namespace traio
