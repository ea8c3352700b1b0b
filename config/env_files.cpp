#include "config/env_files.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>
#include <variant>
#include <vector>

#include <fmt/format.h>

#include "config/env_file.hpp"
#include "config/json_fields.hpp"

namespace traio {

using nlohmann::json;

namespace {

std::string resolve_path(const std::string& file, const std::string& base_dir) {
  if (file.front() == '/' || base_dir.empty()) return file;
  return base_dir + (base_dir.ends_with('/') ? "" : "/") + file;
}

// The file's variables added to `vars` (later ones win), or false with the error recorded.
bool read_one(const std::string& file, const std::string& path, std::map<std::string, std::string>& vars,
              FieldErrors& e) {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    e.add(path, fmt::format("{}: cannot read: {}", file, std::strerror(errno)));
    return false;
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) {  // a directory opens, then fails to read (EISDIR)
    e.add(path, fmt::format("{}: cannot read", file));
    return false;
  }
  const std::string content = text.str();
  if (content.size() > kMaxEnvFileBytes) {
    e.add(path, fmt::format("{}: is {} bytes long, at most {}", file, content.size(), kMaxEnvFileBytes));
    return false;
  }
  auto parsed = parse_env_file(content);
  if (const auto* error = std::get_if<EnvFileLineError>(&parsed)) {
    e.add(path, fmt::format("{}:{}: {}", file, error->line, error->message));
    return false;
  }
  for (auto& [key, value] : std::get<EnvAssignments>(parsed)) vars[key] = std::move(value);
  return true;
}

// "env_file" as a list of non-empty strings, or an error.
std::vector<std::string> file_list(const json& v, const std::string& path, FieldErrors& e) {
  std::vector<std::string> files;
  auto one = [&](const json& item, const std::string& p) {
    auto s = read_string(item, p, e);
    if (!s) return;
    if (s->empty() || s->find('\0') != std::string::npos) return e.add(p, "expected a file path");
    files.push_back(std::move(*s));
  };
  if (v.is_array()) {
    if (v.empty()) e.add(path, "must not be empty (give a path, or leave env_file out)");
    for (std::size_t i = 0; i < v.size(); ++i) one(v[i], index_path(path, i));
  } else if (v.is_string()) {
    one(v, path);
  } else {
    e.wrong_type(path, "path or array of paths", v);
  }
  return files;
}

void resolve_job(json& job, const std::string& path, const std::string& base_dir, FieldErrors& e) {
  auto it = job.find("env_file");
  if (it == job.end()) return;
  const std::string p = field_path(path, "env_file");
  if (auto kind = job.find("kind"); kind != job.end() && *kind != "process") {
    e.add(p, "only a process job has an environment");
    return;
  }
  const std::size_t before = e.count();
  const std::vector<std::string> files = file_list(*it, p, e);
  if (e.count() != before) return;
  std::map<std::string, std::string> vars;
  for (const auto& file : files) {
    if (!read_one(resolve_path(file, base_dir), p, vars, e)) return;
  }
  json env = json::object();
  for (auto& [key, value] : vars) env[key] = std::move(value);
  if (auto explicit_env = job.find("env"); explicit_env != job.end()) {
    if (!explicit_env->is_object()) return;  // the parser reports the wrong type
    for (const auto& [key, value] : explicit_env->items()) env[key] = value;  // explicit env wins
  }
  job["env"] = std::move(env);
  job.erase("env_file");
}

void resolve_node(json& node, const std::string& path, const std::string& base_dir, FieldErrors& e, int depth) {
  if (!node.is_object() || depth > 128) return;  // the parser reports both
  auto children = node.find("children");
  if (children == node.end()) return resolve_job(node, path, base_dir, e);
  if (node.contains("env_file"))
    e.add(field_path(path, "env_file"), "not valid for a scope (give it to each process job)");
  if (!children->is_array()) return;
  for (std::size_t i = 0; i < children->size(); ++i)
    resolve_node((*children)[i], index_path(field_path(path, "children"), i), base_dir, e, depth + 1);
}

}  // namespace

ParseErrors resolve_env_files(json& spec, const std::string& base_dir) {
  ParseErrors errors;
  FieldErrors e(errors);
  resolve_node(spec, "", base_dir, e, 0);
  return errors;
}

}  // namespace traio
