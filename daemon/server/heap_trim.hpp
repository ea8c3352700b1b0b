#pragma once
// Gives the memory of large transient work back to the kernel. glibc's malloc keeps what a
// big request or reply freed (a 10,000-job tree parsed, a ps of it encoded) inside its heap,
// between chunks that stay live (the nodes made meanwhile); such free chunks are never
// returned on their own and count in the daemon's RSS for good: measured with 1000 live
// process jobs, 7 MB of an 18 MB RSS was free heap. malloc_trim(0) releases their pages
// (madvise), but it walks every free chunk each time, released or not: tens of ms for a
// heap of thousands of them on a loaded machine. So it runs kTrimDelay after large work, at
// most once per kTrimDelay (a client polling ps costs one trim per delay, not one per reply),
// on a one-shot timer: an idle daemon does not wake up for it. Work below kTrimAfterBytes is left alone; its chunks
// are reused by the next.
#include <chrono>
#include <cstddef>
#include <memory>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

namespace traio {

inline constexpr std::size_t kTrimAfterBytes = 64u << 10;
inline constexpr std::chrono::milliseconds kTrimDelay{200};

class HeapTrim {
 public:
  explicit HeapTrim(boost::asio::io_context& io, std::chrono::milliseconds delay = kTrimDelay);
  HeapTrim(const HeapTrim&) = delete;
  HeapTrim& operator=(const HeapTrim&) = delete;

  // `bytes` of transient memory (a request line, a reply) have just been freed: when they
  // are at least kTrimAfterBytes, the heap is trimmed `delay` later (once for all such
  // calls until then).
  void note_freed(std::size_t bytes);
  std::size_t trims() const { return trims_; }

 private:
  void trim();

  boost::asio::steady_timer timer_;
  std::chrono::milliseconds delay_;
  bool armed_ = false;
  std::size_t trims_ = 0;
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);  // a fired wait that outlives us
};

}  // namespace traio
