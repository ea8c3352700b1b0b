#include "daemon/runners/output_capture.hpp"

#include <boost/asio/post.hpp>

namespace traio {

namespace asio = boost::asio;

namespace {

constexpr std::size_t kChunk = 64u << 10;  // one read

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
  auto log = RotatingLog::open(log_path, options);
  if (!log) return log.error();
  return with_sink(io, make_log_sink(std::move(*log)));
}

os::Result<std::unique_ptr<OutputCapture>> OutputCapture::open_inherit(asio::io_context& io,
                                                                        const std::string& job_path, int out_fd,
                                                                        int err_fd) {
  return with_sink(io, make_prefixed_sink("[" + job_path + "]", out_fd, err_fd));
}

os::Result<std::unique_ptr<OutputCapture>> OutputCapture::with_sink(asio::io_context& io,
                                                                     std::unique_ptr<OutputSink> sink) {
  auto out = os::make_pipe();
  if (!out) return out.error();
  auto err = os::make_pipe();
  if (!err) return err.error();
  return std::unique_ptr<OutputCapture>(new OutputCapture(io, std::move(sink), std::move(*out), std::move(*err)));
}

OutputCapture::OutputCapture(asio::io_context& io, std::unique_ptr<OutputSink> sink, os::Pipe out, os::Pipe err)
    : io_(io),
      sink_(std::move(sink)),
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
    read(reader);  // only now: the chunk is written out, so memory stays bounded
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
  sink_->flush();
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
  sink_->flush();
  notify_if_finished();
}

// A line longer than kMaxRecordLine becomes several records (see capture_record.hpp).
void OutputCapture::add_line(Reader& reader, std::string_view time, std::string_view line) {
  do {
    const auto piece = line.substr(0, kMaxRecordLine);
    sink_->add_line(time, reader.stream, piece);
    if (line_watch_ && !line_watch_(piece)) line_watch_ = nullptr;
    line.remove_prefix(piece.size());
  } while (!line.empty());
}

void OutputCapture::notify_if_finished() {
  if (!finished() || !on_finished_) return;
  asio::post(io_, [callback = std::move(on_finished_), alive = std::weak_ptr<int>(alive_)] {
    if (!alive.expired()) callback();
  });
  on_finished_ = nullptr;
}

}  // namespace traio
