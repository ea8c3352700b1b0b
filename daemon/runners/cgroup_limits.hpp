#pragma once
// SPEC §6 limits on the cgroup v2 tree of ProcessRunner: whether this host can apply them
// (asked at submit, so that a tree the host cannot limit is refused whole), the limit files
// of a job's leaf, and the directories of scopes with limits, which their jobs' leaves nest
// under so that a scope's limit caps its whole subtree (as a systemd slice does):
//   <daemon's cgroup>/traio-<pid>-<n>/scope-<id>/scope-<id>/job-<id>
// Jobs outside limited scopes keep their flat leaves under traio-<pid>-<n>.
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "config/node_spec.hpp"
#include "daemon/core/node_id.hpp"
#include "daemon/os/cgroup.hpp"
#include "daemon/os/cgroup_janitor.hpp"

namespace traio {

// A scope above a job with `limits`, outermost first in ProcessLaunch::scope_limits.
struct ScopeLimit {
  NodeId id = kNoNode;
  LimitsSpec limits;
};

class CgroupLimits {
 public:
  // `own`: the daemon's cgroup; `jobs`: the parent of the jobs' leaves ("" without one).
  void set_dirs(std::string own, std::string jobs);

  // Why `limits` cannot be applied on this host (naming the missing controller), or
  // nullopt when they can. The first call turns the controllers on for the jobs' directory.
  std::optional<std::string> unavailable(const LimitsSpec& limits);

  // Writes memory.max, cpu.max and pids.max of the directory `dir` (an O_PATH fd).
  static os::Result<void> apply(int dir, const LimitsSpec& limits);

  // The directory a job's leaf goes in: that of its innermost limited scope (made, with
  // its limits written, when its first job starts), or `jobs` for none. "" on failure,
  // with `failure` saying why. `janitor` may still hold a directory of the same name.
  std::string parent_for(const std::vector<ScopeLimit>& scopes, std::optional<os::CgroupJanitor>& janitor,
                         std::string& failure);
  // A job under `scopes` has ended and its leaf was handed to `janitor`: the scope
  // directories no job uses any more go after it.
  void release(const std::vector<ScopeLimit>& scopes, std::optional<os::CgroupJanitor>& janitor);

 private:
  struct ScopeDir {
    os::CgroupDir dir;
    std::size_t jobs = 0;
  };
  void probe();
  std::optional<std::string> missing(const char* controller) const;

  std::string own_;
  std::string jobs_;
  bool probed_ = false;
  std::string enabled_;                            // cgroup.subtree_control of jobs_ after the probe
  std::unordered_map<std::string, std::string> why_not_;  // controller -> why it cannot be had
  std::unordered_map<NodeId, ScopeDir> scopes_;
};

}  // namespace traio
