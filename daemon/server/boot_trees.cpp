#include "daemon/server/boot_trees.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

namespace traio {
namespace {

namespace fs = std::filesystem;
using Errors = std::vector<std::string>;

std::vector<fs::path> tree_files(const std::string& dir, Errors& errors) {
  std::vector<fs::path> files;
  std::error_code ec;
  if (dir.empty() || !fs::is_directory(dir, ec)) return files;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
    if (it->path().extension() == ".json") files.push_back(it->path());
  if (ec) errors.push_back(fmt::format("{}: cannot list: {}", dir, ec.message()));
  std::sort(files.begin(), files.end());
  return files;
}

void load_one(const fs::path& file, const JsonLimits& limits, std::vector<BootTree>& trees, Errors& errors) {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    errors.push_back(fmt::format("{}: cannot read", file.string()));
    return;
  }
  std::stringstream text;
  text << in.rdbuf();
  auto json = parse_json_limited(text.str(), limits);
  if (!json) {
    errors.push_back(fmt::format("{}: {}", file.string(), json.error().message));
    return;
  }
  auto parsed = parse_node_spec(*json, SpecKind::Tree);
  if (auto* e = std::get_if<ParseErrors>(&parsed)) {
    for (const auto& one : *e) errors.push_back(format_parse_error(one, file.string()));
    return;
  }
  trees.push_back({file.string(), std::get<NodeSpec>(std::move(parsed))});
}

}  // namespace

std::variant<std::vector<BootTree>, std::vector<std::string>> load_boot_trees(const std::string& dir,
                                                                              const JsonLimits& limits) {
  Errors errors;
  std::vector<BootTree> trees;
  for (const auto& file : tree_files(dir, errors)) load_one(file, limits, trees, errors);
  if (!errors.empty()) return errors;
  return trees;
}

}  // namespace traio
