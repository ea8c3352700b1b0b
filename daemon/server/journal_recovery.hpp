#pragma once
// Reading back the crash journal of an earlier daemon run (journal.hpp) at startup, before
// the daemon serves anyone: what its live jobs left running is killed (by cgroup, or by pid
// verified against its recorded start time), and its nodes come back under `/` as done
// nodes: ended ones with their outcome, live ones as `lost`. A journal of another boot
// kills nothing (every process of that boot is gone).
#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

#include "daemon/runners/supervisor.hpp"

namespace traio {

struct RecoveryReport {
  int old_pid = 0;             // the run the journal was written by (0: no journal)
  bool other_boot = false;
  bool may_kill = false;       // same boot, and the old daemon is gone
  std::size_t restored = 0;    // nodes back in the tree, lost ones included
  std::size_t lost = 0;
  std::size_t killed = 0;      // jobs whose leftovers were killed
  std::size_t pid_reused = 0;  // recorded pids now naming another process: left alone
  std::size_t refused = 0;     // recorded cgroups that are not traio job leaves: left alone
  std::size_t bad_lines = 0;   // records that did not parse: skipped
};

RecoveryReport recover_journal(const std::vector<std::string>& lines, Supervisor& supervisor,
                               std::chrono::milliseconds kill_limit = std::chrono::seconds(2));

}  // namespace traio
