#pragma once
// From node objects to traioctl's exit code (SPEC §3): outcome codes, or with
// `--exit-code child` the deciding job's own exit code (128+signal when it died of one).
#include <optional>

#include <nlohmann/json.hpp>

#include "common/node_state.hpp"

namespace traio::cli {

enum class ExitCodeMode { Outcome, Child };

// The node's outcome; None while it is live (or when the field is missing).
Outcome node_outcome(const nlohmann::json& node);

// The deciding job's code: the node's own when it is a job, else the deepest cause in its
// chain that carries an exit_code or signal. nullopt when there is none (a sleep, a scope
// that succeeded).
std::optional<int> child_exit_code(const nlohmann::json& node);

// The code for one ended node.
int exit_code_for_node(const nlohmann::json& node, ExitCodeMode mode);

// The code for a `wait` result: 8 when it expired; else the code of the first node (in
// argument order) whose outcome is not `succeeded`; else 0.
int exit_code_for_wait(const nlohmann::json& wait_result, ExitCodeMode mode);

}  // namespace traio::cli
