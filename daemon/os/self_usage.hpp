#pragma once
// What the kernel says of traiod itself, under the names every Prometheus exporter uses
// (process_cpu_seconds_total, ...): the cheap ones, from /proc/self.
#include <cstdint>
#include <optional>

#include "daemon/os/sys_error.hpp"

namespace traio::os {

struct SelfUsage {
  double cpu_seconds = 0;           // user + system
  std::uint64_t resident_bytes = 0;
  std::uint64_t virtual_bytes = 0;
  std::optional<std::uint64_t> open_fds;  // entries of /proc/self/fd: not read (too dear at 10,000 jobs)
  std::uint64_t max_fds = 0;        // RLIMIT_NOFILE (soft)
  double start_time_seconds = 0;    // since the Unix epoch
};

Result<SelfUsage> read_self_usage();

}  // namespace traio::os
