#pragma once
// Node objects on the wire (docs/protocol.md "Node objects"): what inspect, ps and wait return.
#include <optional>
#include <string_view>

#include <nlohmann/json.hpp>

#include "daemon/core/scope_tree.hpp"

namespace traio {

enum class SpecField { Include, Omit };  // inspect shows the submitted spec; ps and wait do not
enum class EndedNodes { Hide, Show };    // ps shows live nodes only unless --all
// ps "brief": only what the human tree shows, so that `ps` of 10,000 nodes stays fast.
enum class NodeFields { All, Brief };

// The effective deadline (rule 6): the earliest own deadline of the node and its ancestors.
std::optional<WallTime> effective_deadline(const ScopeTree& tree, const Node& node);
// "scope" for a scope, else the job's kind ("process", "sleep").
std::string_view node_kind(const Node& node);

// SPEC §6: the children of a scope waiting for a slot of its max_parallel.
// SPEC §6 supervise of a scope: its spec, and the restarts now counted against its intensity.
nlohmann::json supervision_json(const Supervision& supervision);

// SPEC §6 `health` of a job that has it: {"status", "failures", "last": {"at", "ok",
// "message"} or null}; null for a node without `health`.
nlohmann::json health_json(const Node& node);

std::size_t queued_children(const Node& scope);
// ps "brief" shows a scope's max_parallel and slot counts only when it has a limit or a queue.
bool shows_slots(const Node& node);

nlohmann::json cause_json(const Cause* cause);
nlohmann::json node_json(const ScopeTree& tree, const Node& node, SpecField spec);
// `node` itself is always shown (an ended node asked for directly); its descendants nest
// through "children", ended ones only with EndedNodes::Show.
nlohmann::json node_tree_json(const ScopeTree& tree, const Node& node, EndedNodes ended,
                              NodeFields fields = NodeFields::All);
// The fields of a ps "brief" node: path, name, type, kind, state, outcome, pid, exit_code,
// signal, created_at, started_at, ended_at, restarts, next_attempt, after; each only when
// it has a value (null and empty fields are left out); a scope with a limit or a queue adds
// max_parallel, running_children and queued_children.
nlohmann::json brief_node_json(const Node& node);

}  // namespace traio
