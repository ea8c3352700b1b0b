#pragma once
// The earlier runs of a re-run node (SPEC §6 "Re-run"), for inspect and ps --json.
#include <nlohmann/json.hpp>

#include "daemon/core/scope_tree.hpp"

namespace traio {

// The generations before `node`'s that are still in history, oldest first: each with
// generation, outcome, exit_code, started_at, ended_at and reason.
nlohmann::json generations_json(const ScopeTree& tree, const Node& node);

}  // namespace traio
