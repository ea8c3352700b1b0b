#pragma once
// Node objects on the wire (docs/protocol.md "Node objects"): what inspect, ps and wait return.
#include <optional>

#include <nlohmann/json.hpp>

#include "daemon/core/scope_tree.hpp"

namespace traio {

enum class SpecField { Include, Omit };  // inspect shows the submitted spec; ps and wait do not
enum class EndedNodes { Hide, Show };    // ps shows live nodes only unless --all

// The effective deadline (rule 6): the earliest own deadline of the node and its ancestors.
std::optional<WallTime> effective_deadline(const ScopeTree& tree, const Node& node);

nlohmann::json cause_json(const Cause* cause);
nlohmann::json node_json(const ScopeTree& tree, const Node& node, SpecField spec);
// `node` itself is always shown (an ended node asked for directly); its descendants nest
// through "children", ended ones only with EndedNodes::Show.
nlohmann::json node_tree_json(const ScopeTree& tree, const Node& node, EndedNodes ended);

}  // namespace traio
