#include "daemon/server/boot_trees.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "config/env_files.hpp"

namespace traio {
namespace {

namespace fs = std::filesystem;
using Errors = std::vector<std::string>;

std::vector<fs::path> tree_files(const std::string& dir, Errors& errors) {
  std::vector<fs::path> files;
  std::error_code ec;
  if (dir.empty() || !fs::exists(dir, ec)) return files;  // no boot trees
  if (!fs::is_directory(dir, ec)) {
    errors.push_back(fmt::format("{}: boot_dir is not a directory", dir));
    return files;
  }
  // Hidden files are editors' scratch copies (".#a.json"), as systemd skips them in its .d dirs.
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const fs::path& path = it->path();
    std::error_code kind_ec;
    if (path.extension() == ".json" && path.filename().string()[0] != '.' && it->is_regular_file(kind_ec))
      files.push_back(path);
  }
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
  // These files are as trusted as the config: their env_file is read here (config/env_files.hpp).
  if (auto env_errors = resolve_env_files(*json, file.parent_path().string()); !env_errors.empty()) {
    for (const auto& one : env_errors) errors.push_back(format_parse_error(one, file.string()));
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

BootTrees load_boot_trees(const std::string& dir, const JsonLimits& limits) {
  BootTrees out;
  for (const auto& file : tree_files(dir, out.errors)) load_one(file, limits, out.trees, out.errors);
  return out;
}

BootTrees load_tree_file(const std::string& file, const JsonLimits& limits) {
  BootTrees out;
  std::error_code ec;
  // An ifstream opens a directory and reads nothing: say what it is instead.
  if (fs::is_directory(file, ec)) out.errors.push_back(fmt::format("{}: is a directory, not a tree file", file));
  else load_one(file, limits, out.trees, out.errors);
  return out;
}

}  // namespace traio
