// scale (SPEC §6 `traioctl scale PATH N`): a live replica set made to hold N members,
// NAME-0 … NAME-(N-1). Missing members start from the spec of the set's lowest member (its
// name and TRAIO_REPLICA changed); live members at N and above are cancelled, highest index
// first. A replica set is the scope a tree's job with "replicas" became (config/fanout.hpp).
#include <charconv>
#include <map>
#include <vector>

#include <fmt/format.h>

#include "config/fanout.hpp"
#include "config/node_spec.hpp"
#include "daemon/server/access.hpp"
#include "daemon/server/op_args.hpp"
#include "daemon/server/op_call.hpp"

namespace traio {

using nlohmann::json;

namespace {

// "web-3" of the set "web" -> 3; nullopt for any other name.
std::optional<std::size_t> replica_index(const std::string& set, const std::string& name) {
  if (name.size() <= set.size() + 1 || name.compare(0, set.size(), set) != 0 || name[set.size()] != '-')
    return std::nullopt;
  std::size_t index = 0;
  const char* first = name.data() + set.size() + 1;
  const char* last = name.data() + name.size();
  auto [end, ec] = std::from_chars(first, last, index);
  if (ec != std::errc() || end != last) return std::nullopt;
  return index;
}

struct Members {
  std::map<std::size_t, NodeId> live;  // by index
  const Node* model = nullptr;         // the lowest-indexed member, live or ended
};

Members members_of(const ScopeTree& tree, const Node& set) {
  Members m;
  std::size_t model_index = 0;
  for (NodeId id : set.children) {
    const Node* child = tree.find(id);
    if (child == nullptr) continue;
    auto index = replica_index(set.name, child->name);
    if (!index) continue;
    if (m.model == nullptr || *index < model_index) m.model = child, model_index = *index;
    if (child->is_live()) m.live[*index] = id;
  }
  return m;
}

// The member of index `i`, from the model's spec.
Expected<NodeSpec> member_spec(const Node& set, const Node& model, std::size_t i) {
  json source = model.source.json();
  source["name"] = fmt::format("{}-{}", set.name, i);
  if (source.value("kind", "process") == "process") source["env"]["TRAIO_REPLICA"] = std::to_string(i);
  auto parsed = parse_node_spec(source, SpecKind::Job);
  if (auto* errors = std::get_if<ParseErrors>(&parsed))
    return Error{ErrorCode::Internal, "the set's member spec no longer parses: " + format_parse_errors(*errors)};
  return std::get<NodeSpec>(std::move(parsed));
}

}  // namespace

OpResult op_scale(OpCall& call) {
  const json& args = call.args();
  if (auto ok = check_arg_keys(args, {"path", "replicas"}); !ok) return ok.error();
  auto count = count_arg(args, "replicas");
  if (!count) return count.error();
  if (!*count) return invalid_request("replicas: missing (the number of members, 0 or more)");
  if (**count > kMaxFanout) return invalid_request(fmt::format("replicas: at most {}", kMaxFanout));
  const std::size_t want = **count;
  const ScopeTree& tree = call.supervisor().tree();
  auto id = node_arg(tree, args, "path", std::nullopt);
  if (!id) return id.error();
  const Node& set = *tree.find(*id);
  if (auto ok = check_may_act(set, call.session->peer_uid()); !ok) return ok.error();
  if (!set.is_scope() || !set.source.json().contains("replicas"))
    return invalid_request(set.path + " is not a replica set (a job with \"replicas\" in a tree)");
  if (!set.is_live()) return Error{ErrorCode::ScopeClosed, "replica set " + set.path + " has ended"};
  const Members members = members_of(tree, set);
  if (members.model == nullptr) return Error{ErrorCode::Internal, set.path + " has no member left to copy"};

  std::vector<NodeSpec> to_start;
  for (std::size_t i = 0; i < want; ++i) {
    if (members.live.count(i) != 0) continue;
    auto spec = member_spec(set, *members.model, i);
    if (!spec) return spec.error();
    to_start.push_back(std::move(*spec));
  }
  std::vector<NodeId> to_cancel;
  for (auto it = members.live.rbegin(); it != members.live.rend() && it->first >= want; ++it) to_cancel.push_back(it->second);

  if (!to_start.empty())
    if (auto ok = call.context().journal_ready(); !ok) return ok.error();
  // The new members are the set's, whoever asks: a job without "user" runs as its owner, so
  // root scaling alice's set must not start root's jobs.
  const Uid owner = members.model->owner_uid;
  const std::string reason = fmt::format("scaled to {}", want);
  const std::string set_path = set.path;
  std::vector<NodeId> created_ids;
  json started = json::array(), cancelled = json::array();
  Supervisor& supervisor = call.supervisor();
  supervisor.hold_starts();  // the new members run once the journal holds them
  Status done = supervisor.act([&](const Now& now, ScopeTree& t, Effects& out) -> Status {
    for (auto& spec : to_start) {
      auto& job = std::get<JobSpec>(spec.node);
      auto created = t.spawn(now, *id, std::move(job), spec.source, owner, out);
      if (!created) return created.error();
      created_ids.push_back(*created);
      started.push_back(t.find(*created)->path);
    }
    for (NodeId member : to_cancel) {
      if (const Node* n = t.find(member)) cancelled.push_back(n->path);
      if (auto ok = t.cancel(now, member, reason, out); !ok) return ok;
    }
    return ok_status();
  });
  Status committed = created_ids.empty() ? ok_status() : call.context().commit_journal();
  if (!committed) {  // nothing runs that a crash could make the daemon forget (as for spawn)
    (void)supervisor.act([&](const Now& now, ScopeTree& t, Effects& out) {
      for (NodeId created : created_ids) (void)t.cancel(now, created, "not accepted: " + committed.error().message, out);
      return ok_status();
    });
  }
  supervisor.release_starts();
  if (!done) return done.error();
  if (!committed) return committed.error();
  return json{{"path", set_path}, {"replicas", want}, {"started", started}, {"cancelled", cancelled}};
}

}  // namespace traio
