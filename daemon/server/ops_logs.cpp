// logs: the end of a job's capture log; a scope merges its subtree's jobs by time, each line
// with its job's path (SPEC §3). Each line carries its stream and time (SPEC §2, capture).
#include <algorithm>

#include <fmt/format.h>

#include "daemon/server/log_tail.hpp"
#include "daemon/server/op_args.hpp"
#include "daemon/server/op_call.hpp"

namespace traio {
namespace {

using nlohmann::json;

// Jobs of the subtree in submission order, ended ones too (their logs stay).
void collect_jobs(const ScopeTree& tree, const Node& node, std::vector<const Node*>& jobs) {
  if (!node.is_scope()) {
    jobs.push_back(&node);
    return;
  }
  for (NodeId id : node.children)
    if (const Node* child = tree.find(id)) collect_jobs(tree, *child, jobs);
}

Expected<std::optional<OutputStream>> stream_arg(const json& args) {
  auto it = args.find("stream");
  if (it == args.end() || it->is_null()) return std::optional<OutputStream>{};
  if (it->is_string())
    if (auto stream = output_stream_from_string(it->get<std::string>())) return std::optional<OutputStream>{*stream};
  return invalid_request("stream: expected \"out\" or \"err\"");
}

json line_json(const std::string& path, LogLine&& line) {
  json out = {{"path", path}, {"line", std::move(line.line)}, {"stream", to_string(line.stream)}};
  if (!line.time.empty()) out["time"] = std::move(line.time);
  return out;
}

}  // namespace

OpResult op_logs(OpCall& call) {
  const auto& args = call.args();
  if (auto ok = check_arg_keys(args, {"path", "lines", "stream"}); !ok) return ok.error();
  const ScopeTree& tree = call.supervisor().tree();
  auto id = node_arg(tree, args, "path", std::nullopt);
  if (!id) return id.error();
  auto lines = count_arg(args, "lines");
  if (!lines) return lines.error();
  auto stream = stream_arg(args);
  if (!stream) return stream.error();
  const Node* node = tree.find(*id);
  if (node == nullptr) return Error{ErrorCode::NotFound, "node was forgotten"};

  std::vector<const Node*> jobs;
  collect_jobs(tree, *node, jobs);
  // The read budget is shared by the subtree, so a scope of many jobs stays bounded too.
  const std::size_t budget = jobs.empty() ? kMaxLogRead : std::max<std::size_t>(kMaxLogRead / jobs.size(), 64u << 10);
  struct Tagged {
    const std::string* path;
    LogLine line;
  };
  std::vector<Tagged> merged;
  for (const Node* job : jobs) {
    for (auto& line : read_last_records(call.supervisor().log_path(job->id), *stream, *lines, budget))
      merged.push_back({&job->path, std::move(line)});
  }
  // Times are fixed-width RFC 3339, so they sort as strings; stable: a job's own order stays.
  if (jobs.size() > 1)
    std::stable_sort(merged.begin(), merged.end(), [](const Tagged& a, const Tagged& b) { return a.line.time < b.line.time; });
  if (*lines && merged.size() > **lines) merged.erase(merged.begin(), merged.end() - static_cast<std::ptrdiff_t>(**lines));
  json out = json::array();
  for (auto& tagged : merged) out.push_back(line_json(*tagged.path, std::move(tagged.line)));
  return json{{"lines", std::move(out)}};
}

}  // namespace traio
