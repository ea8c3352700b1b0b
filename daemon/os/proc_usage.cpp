#include "daemon/os/proc_usage.hpp"

#include <dirent.h>
#include <unistd.h>

#include <charconv>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>
#include <string_view>

#include "daemon/os/proc_stat.hpp"

namespace traio::os {

namespace {

std::string read_whole(const char* path) {
  std::ifstream in(path);
  if (!in) return {};
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

std::uint64_t number_at(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  std::uint64_t value = 0;
  std::from_chars(text.data(), text.data() + text.size(), value);
  return value;
}

// utime + stime in clock ticks (fields 14 and 15, counted after comm as in proc_stat.cpp).
bool cpu_ticks(pid_t pid, std::uint64_t& ticks) {
  char path[64];
  std::snprintf(path, sizeof path, "/proc/%d/stat", static_cast<int>(pid));
  const std::string text = read_whole(path);
  const auto close = text.rfind(')');
  if (close == std::string::npos) return false;
  std::string_view rest(text);
  rest.remove_prefix(close + 1);
  ticks = 0;
  for (int field = 3; field <= 15 && !rest.empty(); ++field) {
    while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
    const auto end = rest.find(' ');
    if (field >= 14) ticks += number_at(rest.substr(0, end));
    if (end == std::string_view::npos) return field == 15;
    rest.remove_prefix(end);
  }
  return true;
}

std::uint64_t resident_bytes(pid_t pid) {
  char path[64];
  std::snprintf(path, sizeof path, "/proc/%d/statm", static_cast<int>(pid));
  const std::string text = read_whole(path);
  const auto space = text.find(' ');
  if (space == std::string::npos) return 0;
  return number_at(std::string_view(text).substr(space + 1)) * static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
}

std::uint64_t peak_bytes(pid_t pid) {
  char path[64];
  std::snprintf(path, sizeof path, "/proc/%d/status", static_cast<int>(pid));
  const std::string text = read_whole(path);
  constexpr std::string_view kKey = "\nVmHWM:";
  const auto at = text.find(kKey);
  if (at == std::string::npos) return 0;
  return number_at(std::string_view(text).substr(at + kKey.size())) * 1024;  // "kB"
}

}  // namespace

ProcessesUsage read_processes_usage(const std::vector<pid_t>& pids) {
  ProcessesUsage usage;
  const auto ticks_per_second = static_cast<std::uint64_t>(::sysconf(_SC_CLK_TCK));
  std::uint64_t ticks_total = 0;
  for (pid_t pid : pids) {
    std::uint64_t ticks = 0;
    if (!cpu_ticks(pid, ticks)) continue;
    ++usage.processes;
    ticks_total += ticks;
    usage.memory_bytes += resident_bytes(pid);
    const std::uint64_t peak = peak_bytes(pid);
    if (peak > usage.memory_peak) usage.memory_peak = peak;
  }
  usage.cpu_usec = ticks_per_second > 0 ? ticks_total * 1000000 / ticks_per_second : 0;
  return usage;
}

namespace {

// Calls `each(pid, pgrp)` for every process of /proc.
template <class F>
void walk_processes(F&& each) {
  DIR* dir = ::opendir("/proc");
  if (dir == nullptr) return;
  while (const dirent* entry = ::readdir(dir)) {
    pid_t pid = 0;
    const std::string_view name(entry->d_name);
    auto [end, ec] = std::from_chars(name.data(), name.data() + name.size(), pid);
    if (ec != std::errc{} || end != name.data() + name.size() || pid <= 0) continue;
    if (auto stat = read_proc_stat(pid)) each(pid, stat->pgrp);
  }
  ::closedir(dir);
}

}  // namespace

std::vector<pid_t> process_group_members(pid_t pgid) {
  std::vector<pid_t> out;
  walk_processes([&](pid_t pid, pid_t pgrp) {
    if (pgrp == pgid) out.push_back(pid);
  });
  return out;
}

std::unordered_map<pid_t, std::vector<pid_t>> process_groups() {
  std::unordered_map<pid_t, std::vector<pid_t>> out;
  walk_processes([&](pid_t pid, pid_t pgrp) { out[pgrp].push_back(pid); });
  return out;
}

}  // namespace traio::os
