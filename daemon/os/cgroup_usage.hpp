#pragma once
// What a job's cgroup v2 leaf says it used (metrics, SPEC §6 "Watching"): read-only,
// relative to a directory fd so that thousands of reads do not walk /sys/fs/cgroup/... each
// time (an open through the full path costs half as much again as one relative to the
// jobs' parent directory).
#include <cstdint>

#include "daemon/os/sys_error.hpp"

namespace traio::os {

// `usage_usec` of `<dir>/<leaf>/cpu.stat`: CPU time of everything the leaf ever held. The
// file exists in every cgroup v2 directory, with or without the cpu controller.
Result<std::uint64_t> read_cgroup_cpu_usec(int dir, const char* leaf) noexcept;
// `<dir>/<leaf>/memory.current`, in bytes. ENOENT where the memory controller is not
// enabled for the leaf (this is a normal answer: there is nothing to read).
Result<std::uint64_t> read_cgroup_memory_bytes(int dir, const char* leaf) noexcept;
// `<dir>/<leaf>/memory.peak` (Linux 5.19+), in bytes; ENOENT as above, or on older kernels.
Result<std::uint64_t> read_cgroup_memory_peak(int dir, const char* leaf) noexcept;

}  // namespace traio::os
