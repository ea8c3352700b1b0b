// ps and inspect: node objects (docs/protocol.md "Node objects"), written straight into
// the reply line (node_text.hpp): ps of a big tree is the largest reply traiod sends.
// inspect, and ps with `stats`, add the usage of live process jobs (SPEC §6).
#include "daemon/server/access.hpp"
#include "daemon/server/node_text.hpp"
#include "daemon/server/op_args.hpp"
#include "daemon/server/op_call.hpp"

namespace traio {

namespace {

// A little more than a live job takes in each form (about 200 and 510 bytes).
constexpr std::size_t kBriefNodeBytes = 256;
constexpr std::size_t kFullNodeBytes = 640;

}  // namespace

Status op_ps(OpCall& call, std::string& out) {
  const auto& args = call.args();
  if (auto ok = check_arg_keys(args, {"path", "all", "brief", "stats"}); !ok) return ok.error();
  const ScopeTree& tree = call.supervisor().tree();
  auto id = node_arg(tree, args, "path", "/");
  if (!id) return id.error();
  auto all = bool_arg(args, "all", false);
  if (!all) return all.error();
  auto brief = bool_arg(args, "brief", false);
  if (!brief) return brief.error();
  auto stats = bool_arg(args, "stats", false);  // SPEC §6 usage of live jobs: the peer's own, or all when privileged
  if (!stats) return stats.error();
  const Node* node = tree.find(*id);
  if (node == nullptr) return Error{ErrorCode::NotFound, "node was forgotten"};
  // One allocation for the reply, sized for the whole tree (pages never written cost
  // nothing): growing half a megabyte by doubling copies it and faults its pages again.
  const std::size_t nodes = *all ? tree.node_count() : tree.live_count();
  out.reserve(out.size() + nodes * (*brief ? kBriefNodeBytes : kFullNodeBytes));
  JsonText w(out);
  w.begin_object();
  w.key("node");
  const Uid peer = call.session->peer_uid();
  const Supervisor& supervisor = call.supervisor();
  ProcessGroupIndex groups;
  const JobStatsReader reader = [&](const Node& n) {
    return is_privileged(peer) || n.owner_uid == peer ? read_job_stats(supervisor, n, &groups) : JobStats{};
  };
  write_node_tree(w, tree, *node, *all ? EndedNodes::Show : EndedNodes::Hide,
                  *brief ? NodeFields::Brief : NodeFields::All, *stats ? &reader : nullptr);
  w.end_object();
  return ok_status();
}

Status op_inspect(OpCall& call, std::string& out) {
  const auto& args = call.args();
  if (auto ok = check_arg_keys(args, {"path"}); !ok) return ok.error();
  const ScopeTree& tree = call.supervisor().tree();
  auto id = node_arg(tree, args, "path", std::nullopt);
  if (!id) return id.error();
  const Node* node = tree.find(*id);
  if (node == nullptr) return Error{ErrorCode::NotFound, "node was forgotten"};
  if (auto ok = check_may_read(*node, call.session->peer_uid()); !ok) return ok.error();
  JsonText w(out);
  w.begin_object();
  w.key("node");
  const Supervisor& supervisor = call.supervisor();
  const JobStatsReader reader = [&](const Node& n) { return read_job_stats(supervisor, n); };
  write_node(w, tree, *node, SpecField::Include, &reader);
  w.end_object();
  return ok_status();
}

}  // namespace traio
