#include "daemon/os/self_usage.hpp"

#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

namespace traio::os {

namespace {

// btime of /proc/stat: when the machine booted, in seconds since the epoch.
std::optional<std::uint64_t> boot_time() {
  std::ifstream in("/proc/stat");
  std::string key;
  std::uint64_t value = 0;
  while (in >> key) {
    if (key == "btime" && in >> value) return value;
    in.ignore(1 << 16, '\n');
  }
  return std::nullopt;
}

[[maybe_unused]] std::optional<std::uint64_t> count_open_fds() {
  DIR* dir = ::opendir("/proc/self/fd");
  if (dir == nullptr) return std::nullopt;
  std::uint64_t count = 0;
  while (dirent* entry = ::readdir(dir))
    if (entry->d_name[0] != '.') ++count;
  ::closedir(dir);
  return count > 0 ? count - 1 : 0;  // less the fd of the listing itself
}

}  // namespace

Result<SelfUsage> read_self_usage() {
  std::ifstream in("/proc/self/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto close_paren = stat.rfind(')');  // the command name may hold spaces and parentheses
  if (close_paren == std::string::npos) return errno_code(EINVAL);
  std::istringstream fields(stat.substr(close_paren + 2));
  // Fields 3.. of proc(5): utime 14, stime 15, starttime 22, vsize 23, rss 24 (pages).
  std::string field;
  std::uint64_t utime = 0, stime = 0, start_ticks = 0, vsize = 0, rss_pages = 0;
  for (int i = 3; i <= 24 && fields >> field; ++i) {
    if (i != 14 && i != 15 && i < 22) continue;  // field 3 is the state letter
    const std::uint64_t value = std::strtoull(field.c_str(), nullptr, 10);
    if (i == 14) utime = value;
    else if (i == 15) stime = value;
    else if (i == 22) start_ticks = value;
    else if (i == 23) vsize = value;
    else if (i == 24) rss_pages = value;
  }
  static const double ticks = static_cast<double>(::sysconf(_SC_CLK_TCK));
  static const std::uint64_t page = static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
  static const std::optional<std::uint64_t> booted = boot_time();
  SelfUsage usage;
  usage.cpu_seconds = static_cast<double>(utime + stime) / ticks;
  usage.resident_bytes = rss_pages * page;
  usage.virtual_bytes = vsize;
  // Not counted: with 10,000 jobs traiod holds 20,000 fds, and listing /proc/self/fd was a
  // fifth of a scrape's time (perf, bench/metrics_scrape.sh). process_max_fds stays.
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) == 0) usage.max_fds = limit.rlim_cur;
  if (booted) usage.start_time_seconds = static_cast<double>(*booted) + static_cast<double>(start_ticks) / ticks;
  return usage;
}

}  // namespace traio::os
