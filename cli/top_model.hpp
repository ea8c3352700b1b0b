#pragma once
// `traioctl top`'s picture of the tree (SPEC §6 "Watching"): one `ps` snapshot, then kept
// current by the `events` stream, log lines and `stats` samples. Pure: no I/O, no clock
// (times come in with the data), so it is unit-tested without a daemon or a terminal.
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli/render_node.hpp"

namespace traio::cli {

struct TopNode {
  std::string path;
  std::string name;
  std::string parent;              // "" for the root
  bool scope = false;              // from the snapshot's type, or inferred from a scope state
  std::string state;
  std::string outcome;             // "" until decided
  bool ready = false;
  bool paused = false;
  bool started = false;            // a run has started: the next `started` is a restart
  long long restarts = 0;
  std::optional<WallClock::time_point> created_at;
  std::optional<WallClock::time_point> ended_at;
  std::string last_log;            // the newest line the node wrote ("" for none seen)
  std::optional<double> cpu_percent;       // from two `stats` samples
  std::optional<long long> memory_bytes;
  std::vector<std::string> children;       // paths, in creation order

  bool live() const { return state != "done"; }
};

class TopModel {
 public:
  // The `ps` result's "node" (brief or full): replaces everything.
  void load_snapshot(const nlohmann::json& root);
  // One `events` event. A `created` for a path we hold (a restart's new run) starts it
  // afresh; events of paths we do not hold (ended before the snapshot) are ignored.
  // Returns whether the picture changed.
  bool apply_event(const nlohmann::json& event);
  // One `logs` line ({"path", "line", ...}). `only_if_empty`: an older line (the initial
  // per-job tail) must not replace one the follow stream brought already.
  bool apply_log_line(const nlohmann::json& line, bool only_if_empty = false);
  // A `stats` result ({"jobs": [{"path", "cpu_usec"?, "memory_bytes"?, ...}]}) sampled at
  // `at`: CPU% is the cpu_usec delta over the time since the previous sample of that path.
  bool apply_stats(const nlohmann::json& result, std::chrono::steady_clock::time_point at);
  // Drops ended nodes (and their ended subtrees) that ended more than `linger` before
  // `now`: without --all, top shows an ending for a while, not forever.
  bool prune_ended(WallClock::time_point now, std::chrono::milliseconds linger);

  const TopNode* find(const std::string& path) const;
  const TopNode* root() const { return find(root_); }
  std::size_t size() const { return nodes_.size(); }
  // Live nodes by state ("running": 3), and "done" counted by outcome ("failed": 1).
  std::map<std::string, std::size_t> counts() const;
  std::uint64_t events_seen() const { return events_seen_; }

 private:
  struct CpuSample {
    long long cpu_usec = 0;
    std::chrono::steady_clock::time_point at;
  };

  TopNode& add(const std::string& path);  // with its parent linked (created if unknown)
  void remove(const std::string& path);   // with its subtree
  void load(const nlohmann::json& node, const std::string& parent);

  std::string root_ = "/";
  std::map<std::string, TopNode> nodes_;
  std::map<std::string, CpuSample> cpu_;
  std::uint64_t events_seen_ = 0;
};

// "/a/b" -> "/a", "/a" -> "/", "/" -> "".
std::string parent_path(const std::string& path);
// The last segment ("/" for the root).
std::string base_name(const std::string& path);

}  // namespace traio::cli
