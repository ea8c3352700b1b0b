#include "daemon/server/session.hpp"

#include <poll.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "common/protocol.hpp"
#include "common/request_line.hpp"
#include "daemon/server/dispatch.hpp"
#include "daemon/runners/logger.hpp"

namespace traio {

namespace asio = boost::asio;

Session::Session(Socket socket, ServerContext& context, Uid peer_uid)
    : socket_(std::move(socket)), context_(context), peer_uid_(peer_uid) {}

void Session::start(std::function<void()> on_closed) {
  on_closed_ = std::move(on_closed);
  asio::co_spawn(socket_.get_executor(), read_loop(), [self = shared_from_this()](std::exception_ptr crash) {
    if (crash) {
      log(LogLevel::Error, "session crashed; closing the connection");
      self->close();
    }
  });
}

asio::awaitable<void> Session::read_loop() {
  auto self = shared_from_this();
  // One byte more than the limit for the newline that ends a line of exactly the limit.
  const std::size_t max_line = static_cast<std::size_t>(context_.config.limits.request_bytes) + 1;
  while (state_ == SessionState::Open) {
    auto [ec, n] = co_await asio::async_read_until(socket_, asio::dynamic_buffer(buffer_, max_line), '\n',
                                                   asio::as_tuple(asio::use_awaitable));
    if (state_ != SessionState::Open) break;
    if (ec == asio::error::not_found) {  // the buffer is full and holds no newline
      send(encode_error(0, {ErrorCode::LimitExceeded,
                            fmt::format("request line longer than {} bytes", max_line - 1)}));
      close_after_flush();
      break;
    }
    if (ec == asio::error::eof && !peer_gone()) {  // a half-close: replies still go out
      requests_ended_ = true;
      if (ops_in_flight_ == 0) close_after_flush();
      break;
    }
    if (ec) {  // eof, reset by peer, or we closed it: the client is gone
      close();
      break;
    }
    std::string_view line = request_line_text(std::string_view(buffer_.data(), n));
    LineVerdict verdict = LineVerdict::KeepOpen;
    if (!line.empty()) verdict = handle_line(self, line);
    buffer_.erase(0, n);
    // A large request (a tree) leaves the buffer that large for the life of the session: a
    // `traioctl run` waits on it for as long as its tree runs.
    if (buffer_.capacity() >= kTrimAfterBytes && buffer_.size() < kTrimAfterBytes / 4) {
      buffer_.shrink_to_fit();
      context_.heap_trim.note_freed(n);
    }
    switch (verdict) {
      case LineVerdict::KeepOpen:
        break;
      case LineVerdict::Close:
        close_after_flush();
        co_return;
    }
  }
}

bool Session::peer_gone() {
  // AF_UNIX reports POLLHUP only once the peer has shut down both ways (closed): a client
  // that only shut down its sending side gets POLLRDHUP and keeps its replies.
  pollfd p{socket_.native_handle(), POLLRDHUP, 0};
  return ::poll(&p, 1, 0) == 1 && (p.revents & POLLHUP) != 0;
}

void Session::send(std::string line) {
  if (state_ == SessionState::Closed) return;
  // A single large reply (logs) is let through when nothing waits before it.
  if (queued_bytes_ > 0 && queued_bytes_ + line.size() > kMaxQueuedBytes) {
    log(LogLevel::Warning, "dropping a client that does not read its replies ({} bytes queued)",
           queued_bytes_);
    close();
    return;
  }
  queued_bytes_ += line.size();
  queue_.push_back(std::move(line));
  if (!writing_) write_next();
}

void Session::write_next() {
  if (queue_.empty()) {
    if (close_when_flushed_) close();
    return;
  }
  writing_ = true;
  asio::async_write(socket_, asio::buffer(queue_.front()),
                    [self = shared_from_this()](boost::system::error_code ec, std::size_t) {
                      self->on_written(ec);
                    });
}

void Session::on_written(boost::system::error_code ec) {
  writing_ = false;
  if (state_ == SessionState::Closed) {
    queue_.clear();  // kept until now: the aborted write still referred to its front
    return;
  }
  if (ec) {  // EPIPE/ECONNRESET: the client went away mid-reply
    close();
    return;
  }
  const std::size_t written = queue_.front().size();
  queued_bytes_ -= written;
  queue_.pop_front();
  context_.heap_trim.note_freed(written);
  write_next();
}

void Session::op_finished() {
  if (--ops_in_flight_ == 0 && requests_ended_) close_after_flush();
}

void Session::close_after_flush() {
  if (state_ == SessionState::Closed) return;
  close_when_flushed_ = true;
  // Nothing more is read: a client past a limit or a stopping daemon gets no further replies
  // than those queued.
  boost::system::error_code ignored;
  socket_.shutdown(Socket::shutdown_receive, ignored);
  if (!writing_ && queue_.empty()) close();
}

void Session::stop() {
  if (state_ != SessionState::Open) return;
  state_ = SessionState::Stopping;
  wake_all();
  // The woken ops run before this: their final replies are queued, then the session closes.
  asio::post(socket_.get_executor(), [self = shared_from_this()] { self->close_after_flush(); });
}

void Session::close() {
  if (state_ == SessionState::Closed) return;
  state_ = SessionState::Closed;
  boost::system::error_code ignored;
  socket_.close(ignored);
  if (!writing_) queue_.clear();  // else on_written clears it: the write refers to its front
  queued_bytes_ = 0;
  wake_all();
  if (on_closed_) {
    auto notify = std::move(on_closed_);
    on_closed_ = nullptr;
    notify();
  }
}

void Session::wake_all() {
  // Copied: a woken op unregisters its waker only when it resumes, but be safe anyway.
  auto wakers = wakers_;
  for (auto* timer : wakers) timer->cancel();
}

StreamWaker::StreamWaker(std::shared_ptr<Session> session)
    : session_(std::move(session)), timer_(session_->context().io) {
  timer_.expires_at(asio::steady_timer::time_point::max());
  session_->add_waker(&timer_);
}

StreamWaker::~StreamWaker() { session_->remove_waker(&timer_); }

asio::awaitable<bool> StreamWaker::sleep() {
  if (session_->state() != SessionState::Open) co_return false;
  auto [ec] = co_await timer_.async_wait(asio::as_tuple(asio::use_awaitable));
  co_return !ec;
}

}  // namespace traio
