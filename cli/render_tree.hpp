#pragma once
// `ps`: the node tree drawn with box-drawing characters, one row per node, columns for
// type/kind, state, outcome, pid, age and exit code (SPEC §3), CPU and memory with --stats.
// Colour only when asked.
#include <string>

#include <nlohmann/json.hpp>

#include "cli/render_node.hpp"

namespace traio::cli {

enum class Colour { Off, On };

struct TreeStyle {
  Colour colour = Colour::Off;
  WallClock::time_point now = WallClock::now();
  bool stats = false;  // ps --stats: CPU and MEM columns (SPEC §6 usage)
};

// `root` is a node object nesting its children through "children" (the `ps` result's node).
std::string render_tree(const nlohmann::json& root, const TreeStyle& style);

// Display width of UTF-8 text (code points; our glyphs are all one column wide).
std::size_t display_width(const std::string& text);

}  // namespace traio::cli
