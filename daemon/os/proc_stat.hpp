#pragma once
// What /proc/<pid>/stat says of a process. The pair (pid, start_time) names one process
// for the life of the machine: a reused pid comes with a later start time.
#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>

namespace traio::os {

struct ProcStat {
  char state = '?';             // R, S, D, Z (zombie), ...
  pid_t pgrp = 0;
  std::uint64_t start_time = 0;  // clock ticks after boot (field 22)
};

// nullopt when there is no such process (or /proc is not mounted).
std::optional<ProcStat> read_proc_stat(pid_t pid);

// This boot's /proc/sys/kernel/random/boot_id: start times of another boot mean nothing.
std::string boot_id();

}  // namespace traio::os
