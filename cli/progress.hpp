#pragma once
// `run` on a TTY: one live line on stderr, "3/10 done, 2 running, 1 failed, 12s", redrawn
// from a `ps` of the tree every 250 ms (SPEC §3).
#include <chrono>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "cli/context.hpp"

namespace traio::cli {

struct JobCounts {
  std::size_t total = 0;
  std::size_t done = 0;
  std::size_t running = 0;
  std::size_t failed = 0;
};

// Counts the jobs of a `ps` node tree.
JobCounts count_jobs(const nlohmann::json& node);
std::string progress_text(const JobCounts& counts, std::chrono::milliseconds elapsed);

class ProgressLine {
 public:
  ProgressLine(Connection& conn, std::string path);
  ~ProgressLine();  // stops and clears the line
  ProgressLine(const ProgressLine&) = delete;
  ProgressLine& operator=(const ProgressLine&) = delete;

 private:
  struct State;
  std::shared_ptr<State> state_;  // callbacks hold it weakly: they may outlive us in the loop
};

}  // namespace traio::cli
