#include "daemon/runners/output_capture.hpp"

#include <unistd.h>

#include <cstring>

#include <boost/asio/post.hpp>

#include "daemon/runners/logger.hpp"

namespace traio {

namespace asio = boost::asio;

namespace {

constexpr std::size_t kChunk = 64u << 10;  // one read; also the size at which records are written out

// ENOSPC or EIO on the log: the caller drops the output (the job must not block on it).
bool write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

}  // namespace

struct OutputCapture::Reader {
  Reader(asio::io_context& io, os::UniqueFd fd, OutputStream s) : pipe(io, fd.release()), stream(s) {}
  asio::posix::stream_descriptor pipe;  // owns the read end
  OutputStream stream;
  std::array<char, kChunk> buffer;
  std::string partial;  // the unfinished last line, at most kMaxRecordLine bytes between reads
  bool eof = false;
};

os::Result<std::unique_ptr<OutputCapture>> OutputCapture::open(asio::io_context& io, const std::string& log_path,
                                                                const CaptureOptions& options) {
  (void)options;  // rotation and ownership: not implemented yet
  auto log = os::open_output_file(log_path, os::OpenMode::Append);
  if (!log) return log.error();
  auto out = os::make_pipe();
  if (!out) return out.error();
  auto err = os::make_pipe();
  if (!err) return err.error();
  return std::unique_ptr<OutputCapture>(new OutputCapture(io, std::move(*log), std::move(*out), std::move(*err)));
}

OutputCapture::OutputCapture(asio::io_context& io, os::UniqueFd log, os::Pipe out, os::Pipe err)
    : io_(io),
      log_(std::move(log)),
      out_write_(std::move(out.write)),
      err_write_(std::move(err.write)),
      out_(std::make_unique<Reader>(io, std::move(out.read), OutputStream::Out)),
      err_(std::make_unique<Reader>(io, std::move(err.read), OutputStream::Err)) {}

OutputCapture::~OutputCapture() = default;  // alive_ goes first: pending handlers see it expired

void OutputCapture::start() {
  out_write_.reset();
  err_write_.reset();
  read(*out_);
  read(*err_);
}

bool OutputCapture::finished() const { return out_->eof && err_->eof; }

void OutputCapture::when_finished(std::function<void()> callback) {
  on_finished_ = std::move(callback);
  notify_if_finished();
}

void OutputCapture::read(Reader& reader) {
  reader.pipe.async_read_some(asio::buffer(reader.buffer), [this, &reader, alive = std::weak_ptr<int>(alive_)](
                                                                 boost::system::error_code ec, std::size_t bytes) {
    if (alive.expired()) return;
    if (bytes > 0) on_read(reader, bytes);
    if (ec) {  // EOF, or a read error: nothing more comes from this pipe either way
      on_eof(reader);
      return;
    }
    read(reader);  // only now: the chunk is in the log, so memory stays bounded
  });
}

void OutputCapture::on_read(Reader& reader, std::size_t bytes) {
  const std::string time = format_record_time(std::chrono::system_clock::now());
  std::string_view data(reader.buffer.data(), bytes);
  while (!data.empty()) {
    const auto nl = data.find('\n');
    if (nl == std::string_view::npos) {
      // An unfinished line waits for the next read, but never holds more than one record:
      // a longer line is cut into records of kMaxRecordLine bytes.
      reader.partial.append(data);
      std::size_t cut = 0;
      while (reader.partial.size() - cut > kMaxRecordLine) {
        add_line(reader, time, std::string_view(reader.partial).substr(cut, kMaxRecordLine));
        cut += kMaxRecordLine;
      }
      reader.partial.erase(0, cut);
      break;
    }
    if (reader.partial.empty()) {
      add_line(reader, time, data.substr(0, nl));
    } else {
      reader.partial.append(data.substr(0, nl));
      add_line(reader, time, reader.partial);
      reader.partial.clear();
    }
    data.remove_prefix(nl + 1);
  }
  flush();
}

void OutputCapture::on_eof(Reader& reader) {
  if (reader.eof) return;
  // A last line without newline is still output: it becomes a record of its own.
  if (!reader.partial.empty()) {
    add_line(reader, format_record_time(std::chrono::system_clock::now()), reader.partial);
    reader.partial.clear();
    reader.partial.shrink_to_fit();
  }
  reader.eof = true;
  flush();
  notify_if_finished();
}

// A line longer than kMaxRecordLine becomes several records (see capture_record.hpp).
void OutputCapture::add_line(Reader& reader, std::string_view time, std::string_view line) {
  do {
    const auto piece = line.substr(0, kMaxRecordLine);
    append_record(pending_, time, reader.stream, piece);
    line.remove_prefix(piece.size());
    if (pending_.size() >= kChunk) flush();
  } while (!line.empty());
}

void OutputCapture::flush() {
  if (pending_.empty()) return;
  if (!write_failed_ && !write_all(log_.get(), pending_)) {
    write_failed_ = true;  // logged once; the job keeps running, its output is dropped
    log(LogLevel::Warning, "cannot write a capture log: {}; dropping the job's output", std::strerror(errno));
  }
  pending_.clear();
}

void OutputCapture::notify_if_finished() {
  if (!finished() || !on_finished_) return;
  asio::post(io_, [callback = std::move(on_finished_), alive = std::weak_ptr<int>(alive_)] {
    if (!alive.expired()) callback();
  });
  on_finished_ = nullptr;
}

}  // namespace traio
