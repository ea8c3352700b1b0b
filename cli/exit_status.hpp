#pragma once
// From a `wait` result to traioctl's exit code (SPEC §3). The per-node mapping lives in
// common/exit_status.hpp, shared with `traiod --run`.
#include <nlohmann/json.hpp>

#include "common/exit_status.hpp"

namespace traio::cli {

using traio::child_exit_code;
using traio::exit_code_for_node;
using traio::ExitCodeMode;
using traio::node_outcome;

// The code for a `wait` result: 8 when it expired; else the code of the first node (in
// argument order) whose outcome is not `succeeded`; else 0.
int exit_code_for_wait(const nlohmann::json& wait_result, ExitCodeMode mode);

}  // namespace traio::cli
