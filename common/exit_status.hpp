#pragma once
// From a node object (docs/protocol.md "Node objects") to the exit code that reports it
// (SPEC §3): the outcome's code, or with `--exit-code child` the deciding job's own exit code
// (128+signal when it died of one). One mapping for `traioctl run`/`wait` and `traiod --run`.
#include <optional>

#include <nlohmann/json.hpp>

#include "common/node_state.hpp"

namespace traio {

enum class ExitCodeMode { Outcome, Child };

// The node's outcome; None while it is live (or when the field is missing).
Outcome node_outcome(const nlohmann::json& node);

// The deciding job's code: the node's own when it is a job, else the deepest cause in its
// chain that carries an exit_code or signal. nullopt when there is none (a sleep, a scope
// that succeeded).
std::optional<int> child_exit_code(const nlohmann::json& node);

// The code for one ended node.
int exit_code_for_node(const nlohmann::json& node, ExitCodeMode mode);

}  // namespace traio
