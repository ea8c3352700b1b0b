// HeapTrim: the heap that large transient work freed goes back to the kernel at the end of
// a delay after the last large work (glibc malloc; under AddressSanitizer only the scheduling is checked).
#include <doctest/doctest.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "daemon/server/heap_trim.hpp"

using namespace traio;

namespace {

[[maybe_unused]] std::size_t resident_bytes() {  // not compared under ASan
  std::ifstream statm("/proc/self/statm");
  std::size_t size = 0;
  std::size_t resident = 0;
  statm >> size >> resident;
  return resident * static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
}

// 32 MiB in 16 KiB blocks, each followed by a small block that stays: once the large ones
// are freed they cannot merge into the top of the heap, which is all glibc gives back alone.
struct FragmentedHeap {
  static constexpr std::size_t kBlocks = 2048;
  static constexpr std::size_t kBlock = 16u << 10;
  std::vector<void*> large;
  std::vector<void*> small;

  FragmentedHeap() {
    for (std::size_t i = 0; i < kBlocks; ++i) {
      void* block = std::malloc(kBlock);
      std::memset(block, 0x5a, kBlock);  // resident
      large.push_back(block);
      small.push_back(std::malloc(32));
    }
  }
  void free_large() {
    for (void* block : large) std::free(block);
    large.clear();
  }
  ~FragmentedHeap() {
    free_large();
    for (void* block : small) std::free(block);
  }
};

}  // namespace

TEST_CASE("heap trim -- memory freed by large work is given back after the delay") {
  boost::asio::io_context io;
  HeapTrim trim(io, std::chrono::milliseconds(1));
  FragmentedHeap heap;
  heap.free_large();
#if !defined(__SANITIZE_ADDRESS__)  // ASan keeps freed memory in quarantine: no RSS to compare
  const std::size_t before = resident_bytes();
#endif
  trim.note_freed(FragmentedHeap::kBlocks * FragmentedHeap::kBlock);
  CHECK(trim.trims() == 0);  // not from inside the work that freed it, but once the loop runs
  io.run();
  CHECK(trim.trims() == 1);
#if !defined(__SANITIZE_ADDRESS__)
  const std::size_t after = resident_bytes();
  MESSAGE("resident before the trim ", before >> 10, " KiB, after ", after >> 10, " KiB");
  CHECK(after + (16u << 20) < before);
#endif
}

TEST_CASE("heap trim -- work below kTrimAfterBytes schedules no trim") {
  boost::asio::io_context io;
  HeapTrim trim(io, std::chrono::milliseconds(1));
  trim.note_freed(kTrimAfterBytes - 1);
  io.run();
  CHECK(trim.trims() == 0);
}

TEST_CASE("heap trim -- a burst of large replies within the delay costs one trim") {
  boost::asio::io_context io;
  HeapTrim trim(io, std::chrono::milliseconds(50));
  for (int i = 0; i < 10; ++i) trim.note_freed(kTrimAfterBytes);
  io.run();
  CHECK(trim.trims() == 1);
  io.restart();
  trim.note_freed(kTrimAfterBytes);
  io.run();
  CHECK(trim.trims() == 2);
}
