#include "daemon/os/proc_stat.hpp"

#include <charconv>
#include <fstream>
#include <iterator>
#include <string_view>

namespace traio::os {

std::optional<ProcStat> read_proc_stat(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  if (!in) return std::nullopt;
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // "pid (comm) state ppid pgrp ...": comm may hold spaces and parentheses, so fields are
  // counted from the last ')'.
  const auto close = text.rfind(')');
  if (close == std::string::npos) return std::nullopt;
  std::string_view rest(text);
  rest.remove_prefix(close + 1);
  ProcStat stat;
  // Fields after comm, numbered from 3 (state) as in proc(5).
  for (int field = 3; field <= 22 && !rest.empty(); ++field) {
    while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
    const auto end = rest.find(' ');
    const std::string_view value = rest.substr(0, end);
    if (field == 3 && !value.empty()) stat.state = value.front();
    if (field == 5) std::from_chars(value.data(), value.data() + value.size(), stat.pgrp);
    if (field == 22) {
      if (std::from_chars(value.data(), value.data() + value.size(), stat.start_time).ec != std::errc{})
        return std::nullopt;
      return stat;
    }
    if (end == std::string_view::npos) break;
    rest.remove_prefix(end);
  }
  return std::nullopt;
}

std::string boot_id() {
  std::ifstream in("/proc/sys/kernel/random/boot_id");
  std::string id;
  std::getline(in, id);
  return id;
}

}  // namespace traio::os
