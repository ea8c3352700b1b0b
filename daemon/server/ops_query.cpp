// ps and inspect: node objects (docs/protocol.md "Node objects").
#include "daemon/server/node_json.hpp"
#include "daemon/server/access.hpp"
#include "daemon/server/op_args.hpp"
#include "daemon/server/op_call.hpp"

namespace traio {

OpResult op_ps(OpCall& call) {
  const auto& args = call.args();
  if (auto ok = check_arg_keys(args, {"path", "all", "brief"}); !ok) return ok.error();
  const ScopeTree& tree = call.supervisor().tree();
  auto id = node_arg(tree, args, "path", "/");
  if (!id) return id.error();
  auto all = bool_arg(args, "all", false);
  if (!all) return all.error();
  auto brief = bool_arg(args, "brief", false);
  if (!brief) return brief.error();
  const Node* node = tree.find(*id);
  if (node == nullptr) return Error{ErrorCode::NotFound, "node was forgotten"};
  return nlohmann::json{{"node", node_tree_json(tree, *node, *all ? EndedNodes::Show : EndedNodes::Hide,
                                                *brief ? NodeFields::Brief : NodeFields::All)}};
}

OpResult op_inspect(OpCall& call) {
  const auto& args = call.args();
  if (auto ok = check_arg_keys(args, {"path"}); !ok) return ok.error();
  const ScopeTree& tree = call.supervisor().tree();
  auto id = node_arg(tree, args, "path", std::nullopt);
  if (!id) return id.error();
  const Node* node = tree.find(*id);
  if (node == nullptr) return Error{ErrorCode::NotFound, "node was forgotten"};
  if (auto ok = check_may_read(*node, call.session->peer_uid()); !ok) return ok.error();
  return nlohmann::json{{"node", node_json(tree, *node, SpecField::Include)}};
}

}  // namespace traio
