#pragma once
// Tree files in boot_dir (SPEC §4): validated by --check-config, started under `/` at boot,
// in name order.
#include <string>
#include <variant>
#include <vector>

#include "common/json_limits.hpp"
#include "config/node_spec.hpp"

namespace traio {

struct BootTree {
  std::string file;
  NodeSpec spec;
};

// Every *.json file of `dir`, sorted by name; a missing directory holds none. On failure,
// every error of every file, each "file: json.path: reason".
std::variant<std::vector<BootTree>, std::vector<std::string>> load_boot_trees(const std::string& dir,
                                                                              const JsonLimits& limits);

}  // namespace traio
