#include "daemon/runners/output_sink.hpp"

#include <cerrno>
#include <cstring>

#include "daemon/runners/logger.hpp"

namespace traio {

namespace {

class LogSink final : public OutputSink {
 public:
  explicit LogSink(RotatingLog log) : log_(std::move(log)) {}
  ~LogSink() override { flush(); }

  void add_line(std::string_view time, OutputStream stream, std::string_view line) override {
    append_record(pending_, time, stream, line);
    if (pending_.size() >= kSinkChunk) flush();
  }

  void flush() override {
    if (pending_.empty()) return;
    if (!failed_ && !log_.append(pending_)) {
      failed_ = true;  // logged once; the job keeps running, its output is dropped
      log(LogLevel::Warning, "cannot write the capture log {}: {}; dropping the job's output", log_.path(),
          std::strerror(errno));
    }
    pending_.clear();
  }

 private:
  RotatingLog log_;
  std::string pending_;  // whole records: RotatingLog never splits one across files
  bool failed_ = false;
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
