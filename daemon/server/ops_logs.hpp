#pragma once
// What `logs` and `logs` with follow (ops_logs.cpp, ops_logs_follow.cpp) share.
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <nlohmann/json.hpp>

#include "daemon/server/log_tail.hpp"
#include "daemon/server/op_call.hpp"

namespace traio {

// Jobs of the subtree in submission order, ended ones too (their logs stay).
void collect_jobs(const ScopeTree& tree, const Node& node, std::vector<const Node*>& jobs);

struct TaggedLine {
  std::string path;  // of the job that wrote it
  LogLine line;
};

// The last `lines` lines (all when nullopt) of the subtree's jobs, merged by time, within
// one read of at most `budget` bytes shared by the jobs.
std::vector<TaggedLine> merged_tail(const Supervisor& supervisor, const Node& node,
                                    std::optional<OutputStream> stream, std::optional<std::size_t> lines,
                                    std::size_t budget = kMaxLogRead);

// {"path", "line", "stream", "time"} (no time for a line that is no record).
nlohmann::json line_json(TaggedLine&& tagged);

// logs with follow: the last `lines` lines, then new ones as they are written, until the
// node is done and its output read (SPEC §3 `logs -f`).
boost::asio::awaitable<OpResult> follow_logs(OpCall call, NodeId node, std::optional<OutputStream> stream,
                                             std::size_t lines);

}  // namespace traio
