#include "daemon/server/heap_trim.hpp"

#include <malloc.h>

#include "daemon/runners/logger.hpp"

namespace traio {

HeapTrim::HeapTrim(boost::asio::io_context& io, std::chrono::milliseconds delay) : timer_(io), delay_(delay) {}

void HeapTrim::note_freed(std::size_t bytes) {
  // Not pushed back by later work: a client polling ps all the time still gets trims, at
  // most one per delay.
  if (bytes < kTrimAfterBytes || armed_) return;
  armed_ = true;
  timer_.expires_after(delay_);
  // operation_aborted: destroyed with the daemon.
  timer_.async_wait([this, alive = std::weak_ptr<int>(alive_)](boost::system::error_code ec) {
    if (!ec && !alive.expired()) trim();
  });
}

void HeapTrim::trim() {
  armed_ = false;
  const auto start = std::chrono::steady_clock::now();
  ::malloc_trim(0);
  ++trims_;
  log(LogLevel::Debug, "heap trimmed in {} us",
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - start).count());
}

}  // namespace traio
