// logs: the end of a job's capture log; a scope merges its subtree's jobs by time, each line
// with its job's path (SPEC §3). Each line carries its stream and time (SPEC §2, capture).
// With follow, new lines are streamed as events (ops_logs_follow.cpp).
#include "daemon/server/ops_logs.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "daemon/server/access.hpp"
#include "daemon/server/op_args.hpp"

namespace traio {
namespace {

using nlohmann::json;

// Like tail -f: a follow starts with the last 10 lines unless told otherwise.
constexpr std::size_t kFollowLines = 10;

Expected<std::optional<OutputStream>> stream_arg(const json& args) {
  auto it = args.find("stream");
  if (it == args.end() || it->is_null()) return std::optional<OutputStream>{};
  if (it->is_string())
    if (auto stream = output_stream_from_string(it->get<std::string>())) return std::optional<OutputStream>{*stream};
  return invalid_request("stream: expected \"out\" or \"err\"");
}

}  // namespace

void collect_jobs(const ScopeTree& tree, const Node& node, std::vector<const Node*>& jobs) {
  if (!node.is_scope()) {
    jobs.push_back(&node);
    return;
  }
  for (NodeId id : node.children)
    if (const Node* child = tree.find(id)) collect_jobs(tree, *child, jobs);
}

std::vector<TaggedLine> merged_tail(const Supervisor& supervisor, const Node& node,
                                    std::optional<OutputStream> stream, std::optional<std::size_t> lines,
                                    std::size_t budget) {
  std::vector<const Node*> jobs;
  collect_jobs(supervisor.tree(), node, jobs);
  // The read budget is shared by the subtree, so a scope of many jobs stays bounded too.
  const std::size_t per_job = jobs.empty() ? budget : std::max<std::size_t>(budget / jobs.size(), 64u << 10);
  std::vector<TaggedLine> merged;
  for (const Node* job : jobs) {
    for (auto& line : read_last_records(supervisor.log_path(job->id), stream, lines, per_job))
      merged.push_back({job->path, std::move(line)});
  }
  // Times are fixed-width RFC 3339, so they sort as strings; stable: a job's own order stays.
  if (jobs.size() > 1)
    std::stable_sort(merged.begin(), merged.end(),
                     [](const TaggedLine& a, const TaggedLine& b) { return a.line.time < b.line.time; });
  if (lines && merged.size() > *lines) merged.erase(merged.begin(), merged.end() - static_cast<std::ptrdiff_t>(*lines));
  return merged;
}

json line_json(TaggedLine&& tagged) {
  json out = {{"path", std::move(tagged.path)},
              {"line", std::move(tagged.line.line)},
              {"stream", to_string(tagged.line.stream)}};
  if (!tagged.line.time.empty()) out["time"] = std::move(tagged.line.time);
  return out;
}

boost::asio::awaitable<OpResult> op_logs(OpCall call) {
  const auto& args = call.args();
  if (auto ok = check_arg_keys(args, {"path", "lines", "stream", "follow"}); !ok) co_return ok.error();
  const ScopeTree& tree = call.supervisor().tree();
  auto id = node_arg(tree, args, "path", std::nullopt);
  if (!id) co_return id.error();
  auto lines = count_arg(args, "lines");
  if (!lines) co_return lines.error();
  auto stream = stream_arg(args);
  if (!stream) co_return stream.error();
  auto follow = bool_arg(args, "follow", false);
  if (!follow) co_return follow.error();
  const Node* node = tree.find(*id);
  if (node == nullptr) co_return Error{ErrorCode::NotFound, "node was forgotten"};
  if (auto ok = check_may_read(*node, call.session->peer_uid()); !ok) co_return ok.error();

  if (*follow) co_return co_await follow_logs(std::move(call), *id, *stream, lines->value_or(kFollowLines));
  json out = json::array();
  for (auto& tagged : merged_tail(call.supervisor(), *node, *stream, *lines)) out.push_back(line_json(std::move(tagged)));
  co_return json{{"lines", std::move(out)}};
}

}  // namespace traio
