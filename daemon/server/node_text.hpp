#pragma once
// Node objects (docs/protocol.md "Node objects") written straight as JSON text: the same
// bytes as dumping node_json.hpp's objects, without building them. ps of 1000 live jobs
// answers in about a millisecond this way instead of twenty.
#include <string>

#include "daemon/server/job_stats.hpp"
#include "daemon/server/json_text.hpp"
#include "daemon/server/node_json.hpp"

namespace traio {

// The bytes of node_json(tree, node, spec).dump(). With `stats`, a live process job also
// gets cpu_usec, memory_bytes and memory_peak, each where known (SPEC §6 usage).
void write_node(JsonText& out, const ScopeTree& tree, const Node& node, SpecField spec,
                const JobStatsReader* stats = nullptr);
// The bytes of node_tree_json(tree, node, ended, fields).dump(); `stats` as above.
void write_node_tree(JsonText& out, const ScopeTree& tree, const Node& node, EndedNodes ended,
                     NodeFields fields, const JobStatsReader* stats = nullptr);

}  // namespace traio
