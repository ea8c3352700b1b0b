// logs: the end of a job's capture log; a scope merges its subtree's jobs, each line with
// its job's path (SPEC §3).
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

}  // namespace

OpResult op_logs(OpCall& call) {
  const auto& args = call.args();
  if (auto ok = check_arg_keys(args, {"path", "lines", "stream"}); !ok) return ok.error();
  const ScopeTree& tree = call.supervisor().tree();
  auto id = node_arg(tree, args, "path", std::nullopt);
  if (!id) return id.error();
  auto lines = count_arg(args, "lines");
  if (!lines) return lines.error();
  if (args.contains("stream") && !args["stream"].is_null())
    return invalid_request("stream: not supported yet: the capture log does not record which stream a line came from");
  const Node* node = tree.find(*id);
  if (node == nullptr) return Error{ErrorCode::NotFound, "node was forgotten"};

  std::vector<const Node*> jobs;
  collect_jobs(tree, *node, jobs);
  // The read budget is shared by the subtree, so a scope of many jobs stays bounded too.
  const std::size_t budget = jobs.empty() ? kMaxLogRead : std::max<std::size_t>(kMaxLogRead / jobs.size(), 64u << 10);
  json out = json::array();
  for (const Node* job : jobs) {
    for (auto& line : read_last_lines(call.supervisor().log_path(job->id), *lines, budget))
      out.push_back({{"path", job->path}, {"line", std::move(line)}});
  }
  if (*lines && out.size() > **lines) out.erase(out.begin(), out.end() - static_cast<std::ptrdiff_t>(**lines));
  return json{{"lines", std::move(out)}};
}

}  // namespace traio
