#pragma once
// Reading an op's `args` object: every key checked, every error an invalid_request that
// names the argument.
#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "common/duration.hpp"
#include "common/expected.hpp"
#include "config/node_spec.hpp"
#include "daemon/core/scope_tree.hpp"

namespace traio {

Error invalid_request(std::string message);

// Unknown keys are refused, all of them named ("unknown args: colour, size").
Status check_arg_keys(const nlohmann::json& args, std::initializer_list<std::string_view> allowed);

Expected<std::string> string_arg(const nlohmann::json& args, std::string_view key, std::string fallback);
Expected<bool> bool_arg(const nlohmann::json& args, std::string_view key, bool fallback);
// A duration string ("1.5s") or a number of seconds; absent or null: nullopt.
Expected<std::optional<Duration>> duration_arg(const nlohmann::json& args, std::string_view key);
// A non-negative integer; absent or null: nullopt.
Expected<std::optional<std::size_t>> count_arg(const nlohmann::json& args, std::string_view key);

// Resolves an absolute path to a node: invalid_request when it is no path, not_found
// ("no node /ci/x") when nothing lives or is remembered there.
Expected<NodeId> resolve_node(const ScopeTree& tree, std::string_view path);
// A job or tree under `key`, parsed as the job files are: every error with its field path.
Expected<NodeSpec> spec_arg(const nlohmann::json& args, std::string_view key, SpecKind kind);
// spawn's `base_env`: an object of strings (the client's environment), absent or null: nullopt.
Expected<std::optional<std::map<std::string, std::string>>> base_env_arg(const nlohmann::json& args);
// SPEC §6 max_parallel: an integer 1..1000000; absent or null: nullopt (no limit).
Expected<std::optional<std::size_t>> max_parallel_arg(const nlohmann::json& args);
// A fork's own args: name (empty, or a valid node name), timeout, master, bubble, awaited,
// max_parallel.
Expected<ForkOptions> fork_options_arg(const nlohmann::json& args);

Expected<NodeId> node_arg(const ScopeTree& tree, const nlohmann::json& args, std::string_view key,
                          std::optional<std::string> fallback);

}  // namespace traio
