#include "cli/render_graph.hpp"

#include <algorithm>
#include <map>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "cli/render_tree.hpp"

namespace traio::cli {

using nlohmann::json;

namespace {

// "done, succeeded", or the STATE column's words for a live node ("pending on db").
std::string status_of(const json& node, WallClock::time_point now) {
  std::string text = state_text(node, now);
  if (node.value("state", "") == "done") text += ", " + scalar_text(node.value("outcome", json()));
  return text;
}

// One `after` entry: "db ready (met)"; unmet ones say whether they may still be met.
std::string edge_text(const json& edge, const json& node) {
  std::string text = fmt::format("{} {}", edge.value("name", "?"), edge.value("when", "?"));
  if (edge.value("met", false)) return text + " (met)";
  const bool ended = node.value("state", "") == "done";
  return text + (ended ? " (never)" : " (waiting)");
}

// Each child's stage (1-based): one past the latest of the siblings it waits for. `after`
// names siblings only and has no cycles (the daemon refuses them), but a name the listing
// lacks (a forgotten node) counts as stage 0, and the depth guard stops a cycle anyway.
std::vector<int> stages_of(const json& children) {
  std::map<std::string, std::size_t> index;
  for (std::size_t i = 0; i < children.size(); ++i) index[children[i].value("name", "")] = i;
  std::vector<int> stage(children.size(), 0);
  auto compute = [&](auto& self, std::size_t i, int depth) -> int {
    if (stage[i] != 0) return stage[i];
    int s = 1;
    if (depth < 1000 && children[i].contains("after"))
      for (const auto& edge : children[i]["after"]) {
        auto it = index.find(edge.value("name", ""));
        if (it != index.end() && it->second != i) s = std::max(s, self(self, it->second, depth + 1) + 1);
      }
    return stage[i] = s;
  };
  for (std::size_t i = 0; i < children.size(); ++i) compute(compute, i, 0);
  return stage;
}

void render_scope(const json& scope, const std::string& indent, WallClock::time_point now, std::string& out) {
  const json children = scope.value("children", json::array());
  if (children.empty()) return;
  const auto stage = stages_of(children);
  const int last = *std::max_element(stage.begin(), stage.end());
  std::size_t width = 0, status_width = 0;
  std::vector<std::string> status;
  for (const auto& child : children) {
    width = std::max(width, display_width(child.value("name", "")));
    status.push_back(status_of(child, now));
    status_width = std::max(status_width, display_width(status.back()));
  }
  for (int s = 1; s <= last; ++s) {
    out += fmt::format("{}  stage {}\n", indent, s);
    for (std::size_t i = 0; i < children.size(); ++i) {
      if (stage[i] != s) continue;
      const json& child = children[i];
      const std::string name = child.value("name", "");
      std::string row = fmt::format("{}    {}{}  {}", indent, name, std::string(width - display_width(name), ' '), status[i]);
      if (child.contains("after") && !child["after"].empty()) {
        std::vector<std::string> edges;
        for (const auto& edge : child["after"]) edges.push_back(edge_text(edge, child));
        row += fmt::format("{}  <- {}", std::string(status_width - display_width(status[i]), ' '), fmt::join(edges, ", "));
      }
      out += row + "\n";
      if (child.value("type", "") == "scope") render_scope(child, indent + "    ", now, out);
    }
  }
}

}  // namespace

std::string render_graph(const json& root, WallClock::time_point now) {
  std::string out = fmt::format("{}  {}\n", root.value("path", "/"), status_of(root, now));
  render_scope(root, "", now, out);
  return out;
}

}  // namespace traio::cli
