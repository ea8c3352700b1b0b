#pragma once
// `ps --graph`: the dependency graph of each scope (SPEC §6 dependencies). Siblings are laid
// out in stages: a node's stage is one past the latest stage of the siblings its `after`
// names, so stage 1 starts at once and each later stage waits on earlier ones. Each row
// names what the node waits for and whether that condition held:
//   /pipeline  done, succeeded
//     stage 1
//       build    done, succeeded
//     stage 2
//       unit     done, succeeded  <- build succeeded (met)
//     stage 3
//       alert    done, skipped    <- package failed (never)
// A sub-scope's own graph follows its row, indented.
#include <string>

#include <nlohmann/json.hpp>

#include "cli/render_node.hpp"

namespace traio::cli {

// `root` is a `ps` result's node with full fields (its children nest through "children").
std::string render_graph(const nlohmann::json& root, WallClock::time_point now);

}  // namespace traio::cli
