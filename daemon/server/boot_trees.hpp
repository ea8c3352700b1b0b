#pragma once
// Tree files in boot_dir (SPEC §4): validated by --check-config, started under `/` at boot,
// in name order. A broken file is reported and skipped; the others still start.
#include <string>
#include <vector>

#include "common/json_limits.hpp"
#include "config/node_spec.hpp"

namespace traio {

struct BootTree {
  std::string file;
  NodeSpec spec;
};

struct BootTrees {
  std::vector<BootTree> trees;      // the good files, sorted by name
  std::vector<std::string> errors;  // every error of every bad file, each "file: json.path: reason"
};

// Every *.json file of `dir`; a missing directory holds none.
BootTrees load_boot_trees(const std::string& dir, const JsonLimits& limits);
// One tree file (`traiod --run`, SPEC §6): its tree, or every error it has.
BootTrees load_tree_file(const std::string& file, const JsonLimits& limits);

}  // namespace traio
