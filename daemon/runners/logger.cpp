#include "daemon/runners/logger.hpp"

#include <unistd.h>

#include <string>

namespace traio {

namespace {

LogLevel g_level = LogLevel::Info;

int rank(LogLevel level) {
  switch (level) {
    case LogLevel::Debug: return 0;
    case LogLevel::Info: return 1;
    case LogLevel::Warning: return 2;
    case LogLevel::Error: return 3;
  }
  return 3;
}

std::string_view label(LogLevel level) {
  switch (level) {
    case LogLevel::Debug: return "debug";
    case LogLevel::Info: return "info";
    case LogLevel::Warning: return "warning";
    case LogLevel::Error: return "error";
  }
  return "error";
}

}  // namespace

void set_log_level(LogLevel level) { g_level = level; }
LogLevel log_level() { return g_level; }
bool log_enabled(LogLevel level) { return rank(level) >= rank(g_level); }

void log_line(LogLevel level, std::string_view message) {
  if (!log_enabled(level)) return;
  // One write(2) per line, so lines of the daemon and of `inherit` jobs do not interleave.
  std::string line = fmt::format("traiod: [{}] {}\n", label(level), message);
  std::string_view rest = line;
  while (!rest.empty()) {
    ssize_t n = ::write(STDERR_FILENO, rest.data(), rest.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // stderr is gone: nowhere left to complain
    rest.remove_prefix(static_cast<std::size_t>(n));
  }
}

}  // namespace traio
