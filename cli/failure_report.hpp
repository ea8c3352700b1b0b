#pragma once
// `run` on a TTY, at the end: each failed job of the tree with its reason and the last
// lines of its log (SPEC §3).
#include <string>

#include "cli/context.hpp"

namespace traio::cli {

void report_failures(Connection& conn, const std::string& tree_path);

}  // namespace traio::cli
