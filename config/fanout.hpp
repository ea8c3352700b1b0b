#pragma once
// Replicas and matrices (SPEC §6): one node of a tree file that stands for many. It becomes a
// scope of the same name holding one job per replica or per combination, so that a sibling's
// `after` on it, its flags and its priority speak of the whole set, and `ps` shows the set
// as one line with its members under it:
//   {"name": "web", "replicas": 2, "argv": [...]}
//     -> {"name": "web", "children": [{"name": "web-0", "env": {"TRAIO_REPLICA": "0"}, ...},
//                                     {"name": "web-1", "env": {"TRAIO_REPLICA": "1"}, ...}]}
//   {"name": "test", "matrix": {"py": ["3.11", "3.12"], "shard": [1, 2]}, "argv": ["t", "${py}"]}
//     -> {"name": "test", "children": [{"name": "test-py=3.11-shard=1", "argv": ["t", "3.11"]}, ...]}
// The set's scope takes the node's `after`, `priority`, `master`, `bubble`, `awaited` and
// `max_parallel` (how many members run at once); each
// member keeps the rest (its own timeout, restart, ready...). Matrix variables vary in the
// order of their names, the last fastest; `${var}` is replaced in argv, env values and cwd,
// and any other `${...}` is left for the program (a shell's own variables).
#include <cstddef>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "config/json_fields.hpp"

namespace traio {

// The most members one node may expand to (a typo such as a 10-variable matrix must not
// take the daemon's memory; the daemon's `limits.nodes` applies on top).
inline constexpr std::size_t kMaxFanout = 100000;

// True when `node` asks for replicas or a matrix.
bool is_fanout(const nlohmann::json& node);

// The scope that `node` (a job with "replicas" or "matrix") stands for, or nullopt with the
// errors recorded under `path`.
std::optional<nlohmann::json> expand_fanout(const nlohmann::json& node, const std::string& path, FieldErrors& e);

}  // namespace traio
