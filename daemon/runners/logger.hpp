#pragma once
// traiod's log: "traiod: [level] message" lines on stderr (journald adds the time stamps).
// The level is process-wide: set once from the config, read everywhere.
#include <string_view>

#include <fmt/format.h>

#include "config/daemon_config.hpp"

namespace traio {

void set_log_level(LogLevel level);
LogLevel log_level();
bool log_enabled(LogLevel level);
void log_line(LogLevel level, std::string_view message);

template <class... Args>
void log(LogLevel level, fmt::format_string<Args...> format, Args&&... args) {
  if (log_enabled(level)) log_line(level, fmt::format(format, std::forward<Args>(args)...));
}

}  // namespace traio
