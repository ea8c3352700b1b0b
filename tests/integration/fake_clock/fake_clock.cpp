// An LD_PRELOAD shim for the wall-clock tests (issue 7, faults): it shifts CLOCK_REALTIME,
// and only it, by a number of seconds that a test changes while the process runs, so that
// traiod sees its wall clock jump without anyone touching the system's clock.
//
// FAKE_CLOCK_OFFSET_FILE names a file of at least kOffsetBytes bytes holding the offset in
// seconds as text ("3600", "-3600", padded with spaces). The test rewrites it in place; the
// shim maps it once and parses it on every call, so a change shows at once and costs no
// system call. Without the variable, or with an unreadable file, the offset is 0.
//
// clock_gettime (CLOCK_REALTIME and CLOCK_REALTIME_COARSE), gettimeofday and time are all
// replaced: libstdc++'s system_clock calls clock_gettime, but glibc's own time() and
// gettimeofday() use its internal clock_gettime, which a preload does not reach.
#include <dlfcn.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>

namespace {

constexpr int kOffsetBytes = 32;

using ClockGettime = int (*)(clockid_t, timespec*);

std::atomic<const char*> g_mapped{nullptr};  // the offset file, mapped; null until first use
std::atomic<bool> g_tried{false};
std::atomic<ClockGettime> g_real{nullptr};

const char* offset_text() {
  const char* mapped = g_mapped.load();
  if (mapped != nullptr || g_tried.exchange(true)) return mapped;
  const char* path = std::getenv("FAKE_CLOCK_OFFSET_FILE");
  if (path == nullptr) return nullptr;
  const int fd = ::open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return nullptr;
  void* map = ::mmap(nullptr, kOffsetBytes, PROT_READ, MAP_SHARED, fd, 0);
  ::close(fd);
  if (map == MAP_FAILED) return nullptr;
  g_mapped.store(static_cast<const char*>(map));
  return static_cast<const char*>(map);
}

long long offset_seconds() {
  const char* text = offset_text();
  if (text == nullptr) return 0;
  char copy[kOffsetBytes];
  int n = 0;
  for (; n < kOffsetBytes - 1 && text[n] != '\0'; ++n) copy[n] = text[n];
  copy[n] = '\0';
  return std::strtoll(copy, nullptr, 10);
}

int real_clock_gettime(clockid_t clock, timespec* ts) {
  ClockGettime real = g_real.load();
  if (real == nullptr) {
    real = reinterpret_cast<ClockGettime>(::dlsym(RTLD_NEXT, "clock_gettime"));
    g_real.store(real);
  }
  return real(clock, ts);
}

}  // namespace

extern "C" int clock_gettime(clockid_t clock, timespec* ts) noexcept {
  const int rc = real_clock_gettime(clock, ts);
  if (rc == 0 && (clock == CLOCK_REALTIME || clock == CLOCK_REALTIME_COARSE)) ts->tv_sec += offset_seconds();
  return rc;
}

extern "C" int gettimeofday(timeval* __restrict tv, void* __restrict) noexcept {
  timespec ts{};
  if (clock_gettime(CLOCK_REALTIME, &ts) != 0) return -1;
  tv->tv_sec = ts.tv_sec;
  tv->tv_usec = ts.tv_nsec / 1000;
  return 0;
}

extern "C" time_t time(time_t* out) noexcept {
  timespec ts{};
  if (clock_gettime(CLOCK_REALTIME, &ts) != 0) return static_cast<time_t>(-1);
  if (out != nullptr) *out = ts.tv_sec;
  return ts.tv_sec;
}
