#include "daemon/os/cgroup_usage.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <string_view>

#include "daemon/os/unique_fd.hpp"

namespace traio::os {

namespace {

// Both files are a few lines long: one read into a stack buffer, no allocation.
constexpr std::size_t kMaxFile = 512;

Result<std::string_view> read_small(int dir, const char* leaf, const char* file, char (&buffer)[kMaxFile]) noexcept {
  char path[256];
  if (std::snprintf(path, sizeof path, "%s/%s", leaf, file) >= static_cast<int>(sizeof path))
    return errno_code(ENAMETOOLONG);
  UniqueFd fd(::openat(dir, path, O_RDONLY | O_CLOEXEC));
  if (!fd) return last_errno();
  ssize_t n;
  do {
    n = ::read(fd.get(), buffer, sizeof buffer);
  } while (n < 0 && errno == EINTR);
  if (n < 0) return last_errno();
  return std::string_view(buffer, static_cast<std::size_t>(n));
}

// The decimal number at the start of `text`; EINVAL when there is none.
Result<std::uint64_t> leading_number(std::string_view text) noexcept {
  std::uint64_t value = 0;
  std::size_t i = 0;
  for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i) value = value * 10 + (text[i] - '0');
  if (i == 0) return errno_code(EINVAL);
  return value;
}

}  // namespace

Result<std::uint64_t> read_cgroup_cpu_usec(int dir, const char* leaf) noexcept {
  char buffer[kMaxFile];
  auto text = read_small(dir, leaf, "cpu.stat", buffer);
  if (!text) return text.error();
  constexpr std::string_view kKey = "usage_usec ";
  for (std::string_view rest = *text; !rest.empty();) {
    std::size_t eol = rest.find('\n');
    std::string_view line = rest.substr(0, eol);
    if (line.substr(0, kKey.size()) == kKey) return leading_number(line.substr(kKey.size()));
    if (eol == std::string_view::npos) break;
    rest.remove_prefix(eol + 1);
  }
  return errno_code(EINVAL);
}

Result<std::uint64_t> read_cgroup_memory_bytes(int dir, const char* leaf) noexcept {
  char buffer[kMaxFile];
  auto text = read_small(dir, leaf, "memory.current", buffer);
  if (!text) return text.error();
  return leading_number(*text);
}

Result<std::uint64_t> read_cgroup_memory_peak(int dir, const char* leaf) noexcept {
  char buffer[kMaxFile];
  auto text = read_small(dir, leaf, "memory.peak", buffer);
  if (!text) return text.error();
  return leading_number(*text);
}

}  // namespace traio::os
