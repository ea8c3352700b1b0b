// stats: the usage of the jobs asked for (SPEC §6 usage), for `traioctl top` and scripts
// that follow a few jobs without taking the whole tree each time (docs/protocol.md).
// Paths that name no live process job, or a job the peer may not read, are left out: a
// job may end between the client's listing and its question.
#include <fmt/format.h>

#include "daemon/server/access.hpp"
#include "daemon/server/job_stats.hpp"
#include "daemon/server/op_args.hpp"
#include "daemon/server/op_call.hpp"

namespace traio {

namespace {

constexpr std::size_t kMaxStatsPaths = 1000;

}  // namespace

OpResult op_stats(OpCall& call) {
  using nlohmann::json;
  const json& args = call.args();
  if (auto ok = check_arg_keys(args, {"paths"}); !ok) return ok.error();
  auto it = args.find("paths");
  if (it == args.end() || !it->is_array()) return invalid_request("paths: expected an array of job paths");
  if (it->size() > kMaxStatsPaths)
    return Error{ErrorCode::LimitExceeded, fmt::format("paths: {} paths, at most {}", it->size(), kMaxStatsPaths)};
  const ScopeTree& tree = call.supervisor().tree();
  const Uid peer = call.session->peer_uid();
  json jobs = json::array();
  ProcessGroupIndex groups;
  for (const json& path : *it) {
    if (!path.is_string()) return invalid_request("paths: expected an array of job paths");
    auto id = tree.resolve(path.get_ref<const std::string&>());
    const Node* node = id ? tree.find(*id) : nullptr;
    if (node == nullptr || !check_may_read(*node, peer)) continue;
    const JobStats stats = read_job_stats(call.supervisor(), *node, &groups);
    if (!stats.cpu_usec && !stats.memory_bytes && !stats.memory_peak) continue;
    json entry = {{"path", node->path}};
    if (stats.cpu_usec) entry["cpu_usec"] = *stats.cpu_usec;
    if (stats.memory_bytes) entry["memory_bytes"] = *stats.memory_bytes;
    if (stats.memory_peak) entry["memory_peak"] = *stats.memory_peak;
    jobs.push_back(std::move(entry));
  }
  return json{{"jobs", std::move(jobs)}};
}

}  // namespace traio
