#pragma once
// The CPU and memory readings of running process jobs for the metrics, from their cgroup
// files. One read costs ~8 µs here (open, read, close of a kernfs file), so 10,000 jobs
// would cost 80 ms of the loop per scrape, over the 50 ms a scrape may take (issue 10).
// Readings are therefore kept: a scrape reads stale ones, oldest first, for at most
// `budget`, and serves the others as last read; what it left stale is read after its
// reply, in steps of a few hundred per turn of the loop. A reading is thus at most about
// one scrape interval old, and nothing runs between scrapes (no timer: an idle daemon
// stays idle).
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "daemon/core/node_id.hpp"
#include "daemon/os/unique_fd.hpp"

namespace traio {

// A job to read: its node, the pid of its current run (a restart is a new cgroup under the
// same name) and its cgroup leaf.
struct UsageTarget {
  NodeId id = kNoNode;
  int pid = 0;
  std::string cgroup;
};

struct JobUsage {
  std::optional<std::uint64_t> cpu_usec;
  std::optional<std::uint64_t> memory_bytes;
};

// Whether `targets` are every running job (those missing ended: their readings go) or
// only some (a client's own jobs: the others' readings stay for the next full scrape).
enum class TargetSet { All, Some };

class JobUsageCache {
 public:
  using Clock = std::chrono::steady_clock;
  // Readings younger than this are served as they are, even to a scrape with time left.
  static constexpr std::chrono::milliseconds kFresh{1000};
  static constexpr std::size_t kStep = 256;  // reads per turn of the loop after a scrape

  explicit JobUsageCache(boost::asio::io_context& io) : io_(io) {}
  JobUsageCache(const JobUsageCache&) = delete;
  JobUsageCache& operator=(const JobUsageCache&) = delete;

  // The readings of `targets`, in their order (nullopt: not read yet).
  std::vector<std::optional<JobUsage>> readings(const std::vector<UsageTarget>& targets, TargetSet set,
                                                std::chrono::microseconds budget);
  std::size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    int pid = 0;
    JobUsage usage;
    Clock::time_point read_at{};
    bool memory_missing = false;  // no memory.current in this run's leaf: not asked again
    std::uint64_t scrape = 0;     // the last scrape that listed the job
  };

  bool is_fresh(const Entry* entry, const UsageTarget& target, Clock::time_point now) const;
  void read(const UsageTarget& target, Clock::time_point now);
  void refresh_later(std::vector<UsageTarget> stale);
  void refresh_step();
  // An fd of the directory that holds the leaves (they all share one), reopened when it moves.
  int parent_dir(const std::string& cgroup, std::string& leaf);

  boost::asio::io_context& io_;
  std::unordered_map<NodeId, Entry> entries_;
  std::uint64_t scrape_ = 0;
  std::vector<UsageTarget> pending_;  // left stale by the last scrape, read in steps
  std::size_t pending_next_ = 0;
  bool stepping_ = false;
  std::string parent_path_;
  os::UniqueFd parent_fd_;
  // Posted steps hold it weakly: they do nothing once the cache is gone.
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);
};

}  // namespace traio
