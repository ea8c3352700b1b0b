#include "daemon/server/generations_json.hpp"

#include <vector>

#include "daemon/server/time_format.hpp"

namespace traio {

using nlohmann::json;

json generations_json(const ScopeTree& tree, const Node& node) {
  std::vector<const Node*> earlier;
  for (const Node* n = tree.find(node.previous_generation); n != nullptr; n = tree.find(n->previous_generation))
    earlier.push_back(n);
  json list = json::array();
  for (auto it = earlier.rbegin(); it != earlier.rend(); ++it) {
    const Node& n = **it;
    list.push_back(json{{"generation", n.generation},
                        {"outcome", n.outcome == Outcome::None ? json(nullptr) : json(std::string(to_string(n.outcome)))},
                        {"exit_code", n.run.exit_code ? json(*n.run.exit_code) : json(nullptr)},
                        {"started_at", n.started_at ? json(format_rfc3339(*n.started_at)) : json(nullptr)},
                        {"ended_at", n.ended_at ? json(format_rfc3339(*n.ended_at)) : json(nullptr)},
                        {"reason", n.reason}});
  }
  return list;
}

}  // namespace traio
