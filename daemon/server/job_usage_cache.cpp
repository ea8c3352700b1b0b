#include "daemon/server/job_usage_cache.hpp"

#include <fcntl.h>

#include <algorithm>

#include <boost/asio/post.hpp>

#include "daemon/os/cgroup_usage.hpp"

namespace traio {

bool JobUsageCache::is_fresh(const Entry* entry, const UsageTarget& target, Clock::time_point now) const {
  return entry != nullptr && entry->pid == target.pid && now - entry->read_at < kFresh;
}

std::vector<std::optional<JobUsage>> JobUsageCache::readings(const std::vector<UsageTarget>& targets, TargetSet set,
                                                             std::chrono::microseconds budget) {
  ++scrape_;
  const Clock::time_point start = Clock::now();
  // Stale ones, never read first, then the oldest readings.
  std::vector<std::pair<Clock::time_point, std::size_t>> stale;
  for (std::size_t i = 0; i < targets.size(); ++i) {
    auto it = entries_.find(targets[i].id);
    if (it != entries_.end()) it->second.scrape = scrape_;
    if (is_fresh(it == entries_.end() ? nullptr : &it->second, targets[i], start)) continue;
    const bool same_run = it != entries_.end() && it->second.pid == targets[i].pid;
    stale.emplace_back(same_run ? it->second.read_at : Clock::time_point::min(), i);
  }
  std::sort(stale.begin(), stale.end());
  std::size_t done = 0;
  for (; done < stale.size(); ++done) {
    // The clock is read every 32 reads: a read is microseconds, the budget milliseconds.
    if (done % 32 == 0 && Clock::now() - start >= budget) break;
    read(targets[stale[done].second], Clock::now());
  }
  if (set == TargetSet::All)
    std::erase_if(entries_, [this](const auto& entry) { return entry.second.scrape != scrape_; });

  std::vector<std::optional<JobUsage>> out;
  out.reserve(targets.size());
  for (const auto& target : targets) {
    auto it = entries_.find(target.id);
    if (it == entries_.end() || it->second.pid != target.pid) out.emplace_back(std::nullopt);
    else out.emplace_back(it->second.usage);
  }
  std::vector<UsageTarget> left;
  for (std::size_t i = done; i < stale.size(); ++i) left.push_back(targets[stale[i].second]);
  refresh_later(std::move(left));
  return out;
}

int JobUsageCache::parent_dir(const std::string& cgroup, std::string& leaf) {
  const auto slash = cgroup.rfind('/');
  if (slash == std::string::npos) {
    leaf = cgroup;
    return AT_FDCWD;
  }
  leaf = cgroup.substr(slash + 1);
  const std::string_view parent(cgroup.data(), slash);
  if (!parent_fd_ || parent != parent_path_) {
    parent_path_ = std::string(parent);
    parent_fd_.reset(::open(parent_path_.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  }
  if (!parent_fd_) {
    leaf = cgroup;  // the full path then, relative to nothing
    return AT_FDCWD;
  }
  return parent_fd_.get();
}

void JobUsageCache::read(const UsageTarget& target, Clock::time_point now) {
  std::string leaf;
  const int dir = parent_dir(target.cgroup, leaf);
  auto cpu = os::read_cgroup_cpu_usec(dir, leaf.c_str());
  if (!cpu) {
    entries_.erase(target.id);  // the leaf is gone (the run ended) or unreadable: no series
    return;
  }
  Entry& entry = entries_[target.id];
  if (entry.pid != target.pid) entry = Entry{target.pid, {}, {}, false, scrape_};
  entry.scrape = scrape_;
  entry.read_at = now;
  entry.usage.cpu_usec = *cpu;
  if (!entry.memory_missing) {
    auto memory = os::read_cgroup_memory_bytes(dir, leaf.c_str());
    if (memory) entry.usage.memory_bytes = *memory;
    else if (memory.error() == boost::system::errc::no_such_file_or_directory) entry.memory_missing = true;
  }
}

void JobUsageCache::refresh_later(std::vector<UsageTarget> stale) {
  pending_ = std::move(stale);
  pending_next_ = 0;
  if (pending_.empty() || stepping_) return;
  stepping_ = true;
  boost::asio::post(io_, [this, alive = std::weak_ptr<int>(alive_)] {
    if (alive.lock()) refresh_step();
  });
}

void JobUsageCache::refresh_step() {
  const std::size_t end = std::min(pending_.size(), pending_next_ + kStep);
  const Clock::time_point now = Clock::now();
  for (; pending_next_ < end; ++pending_next_) {
    const UsageTarget& target = pending_[pending_next_];
    // A job that ended since the scrape was forgotten by a later one, or is read in vain.
    auto it = entries_.find(target.id);
    if (it != entries_.end() && it->second.pid != target.pid) continue;
    if (!is_fresh(it == entries_.end() ? nullptr : &it->second, target, now)) read(target, now);
  }
  if (pending_next_ >= pending_.size()) {
    pending_.clear();
    pending_next_ = 0;
    stepping_ = false;
    return;
  }
  boost::asio::post(io_, [this, alive = std::weak_ptr<int>(alive_)] {
    if (alive.lock()) refresh_step();
  });
}

}  // namespace traio
