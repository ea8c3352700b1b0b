#include "config/fanout.hpp"

#include <array>
#include <set>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "common/node_path.hpp"

namespace traio {

using json = nlohmann::json;

namespace {

// What the set's scope takes from the node: they speak of the set as a whole (max_parallel:
// how many members run at once).
constexpr std::array<std::string_view, 9> kSetFields = {"after",   "priority",     "master",    "bubble",    "awaited",
                                                        "max_parallel", "supervise", "stop_order", "on"};

using Vars = std::vector<std::pair<std::string, std::string>>;

bool is_var_name(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    if (!letter && !(i > 0 && c >= '0' && c <= '9')) return false;
  }
  return true;
}

// A matrix value as names and substitutions show it: strings as they are, numbers and
// booleans as JSON writes them.
std::optional<std::string> value_text(const json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_number() || value.is_boolean()) return value.dump();
  return std::nullopt;
}

// A value inside a member's name: characters a name cannot hold become '_'.
std::string name_part(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                    c == '_' || c == '-';
    if (!ok) c = '_';
  }
  return out;
}

// "${var}" -> its value for the variables of `vars`; any other "${...}" stays as written.
std::string substitute(std::string_view text, const Vars& vars) {
  std::string out;
  std::size_t pos = 0;
  while (pos < text.size()) {
    const auto open = text.find("${", pos);
    if (open == std::string_view::npos) break;
    const auto close = text.find('}', open + 2);
    if (close == std::string_view::npos) break;
    out.append(text.substr(pos, open - pos));
    const auto name = text.substr(open + 2, close - open - 2);
    const auto* var = [&]() -> const std::pair<std::string, std::string>* {
      for (const auto& v : vars)
        if (v.first == name) return &v;
      return nullptr;
    }();
    if (var != nullptr) out += var->second;
    else out.append(text.substr(open, close + 1 - open));
    pos = close + 1;
  }
  out.append(text.substr(pos));
  return out;
}

void substitute_fields(json& member, const Vars& vars) {
  if (vars.empty()) return;
  if (auto argv = member.find("argv"); argv != member.end() && argv->is_array())
    for (auto& arg : *argv)
      if (arg.is_string()) arg = substitute(arg.get_ref<const std::string&>(), vars);
  if (auto env = member.find("env"); env != member.end() && env->is_object())
    for (auto& [key, value] : env->items())
      if (value.is_string()) value = substitute(value.get_ref<const std::string&>(), vars);
  if (auto cwd = member.find("cwd"); cwd != member.end() && cwd->is_string())
    *cwd = substitute(cwd->get_ref<const std::string&>(), vars);
}

bool is_process(const json& node) {
  auto kind = node.find("kind");
  return kind == node.end() || *kind == "process";
}

// The node as each member starts from it: without what the set's scope takes.
json member_template(const json& node) {
  json member = node;
  member.erase("replicas");
  member.erase("matrix");
  for (auto field : kSetFields) member.erase(std::string(field));
  return member;
}

struct Member {
  std::string name;
  Vars vars;
};

std::optional<std::vector<Member>> replica_members(const json& count, const std::string& name, const std::string& path,
                                                   FieldErrors& e) {
  auto n = read_int(count, path, e, 1, static_cast<std::int64_t>(kMaxFanout));
  if (!n) return std::nullopt;
  std::vector<Member> members;
  members.reserve(static_cast<std::size_t>(*n));
  for (std::int64_t i = 0; i < *n; ++i) members.push_back({fmt::format("{}-{}", name, i), {}});
  return members;
}

std::optional<std::vector<Member>> matrix_members(const json& matrix, const std::string& name, const std::string& path,
                                                  FieldErrors& e) {
  if (!matrix.is_object() || matrix.empty()) {
    e.add(path, "expected an object of variables, each a non-empty array of values");
    return std::nullopt;
  }
  struct Axis {
    std::string var;
    std::vector<std::string> values;
  };
  std::vector<Axis> axes;
  std::size_t combinations = 1;
  const std::size_t errors_before = e.count();
  for (const auto& [var, values] : matrix.items()) {  // nlohmann keeps keys sorted: the name order
    const std::string p = field_path(path, var);
    if (!is_var_name(var)) e.add(p, "a matrix variable is a name of letters, digits and '_' (not first)");
    if (!values.is_array() || values.empty()) {
      e.add(p, "expected a non-empty array of values");
      continue;
    }
    Axis axis{var, {}};
    for (std::size_t i = 0; i < values.size(); ++i) {
      auto text = value_text(values[i]);
      if (!text) e.wrong_type(index_path(p, i), "string, number or boolean", values[i]);
      else axis.values.push_back(std::move(*text));
    }
    if (combinations > kMaxFanout / values.size()) {
      e.add(path, fmt::format("more than {} combinations", kMaxFanout));
      return std::nullopt;
    }
    combinations *= values.size();
    axes.push_back(std::move(axis));
  }
  if (e.count() != errors_before) return std::nullopt;
  std::vector<Member> members;
  members.reserve(combinations);
  std::vector<std::size_t> at(axes.size(), 0);
  for (std::size_t n = 0; n < combinations; ++n) {
    Member member{name, {}};
    for (std::size_t a = 0; a < axes.size(); ++a) {
      const auto& value = axes[a].values[at[a]];
      member.name += fmt::format("-{}={}", axes[a].var, name_part(value));
      member.vars.emplace_back(axes[a].var, value);
    }
    members.push_back(std::move(member));
    for (std::size_t a = axes.size(); a-- > 0;) {  // the last variable varies fastest
      if (++at[a] < axes[a].values.size()) break;
      at[a] = 0;
    }
  }
  return members;
}

// Member names must be valid and distinct: values that differ only in characters a name
// cannot hold ("a/b", "a_b") would collide.
bool check_member_names(const std::vector<Member>& members, const std::string& path, FieldErrors& e) {
  std::set<std::string_view> seen;
  for (const auto& member : members) {
    if (!is_valid_name(member.name)) {
      e.add(path, fmt::format("member {}", name_error(member.name)));
      return false;
    }
    if (!seen.insert(member.name).second) {
      e.add(path, fmt::format("two members would both be named '{}'", member.name));
      return false;
    }
  }
  return true;
}

}  // namespace

bool is_fanout(const json& node) { return node.is_object() && (node.contains("replicas") || node.contains("matrix")); }

std::optional<json> expand_fanout(const json& node, const std::string& path, FieldErrors& e) {
  const bool replicas = node.contains("replicas");
  if (replicas && node.contains("matrix")) {
    e.add(path, "a node has replicas or a matrix, not both");
    return std::nullopt;
  }
  const std::string field = replicas ? "replicas" : "matrix";
  if (node.contains("children")) {
    e.add(field_path(path, field), "only a job can be replicated (a scope with replicas or a matrix: not supported yet)");
    return std::nullopt;
  }
  auto name = node.find("name");
  if (name == node.end() || !name->is_string() || !is_valid_name(name->get_ref<const std::string&>())) {
    e.add(field_path(path, "name"), "a job with replicas or a matrix needs a valid name: its members are named after it");
    return std::nullopt;
  }
  const std::string& set_name = name->get_ref<const std::string&>();
  auto members = replicas ? replica_members(node["replicas"], set_name, field_path(path, field), e)
                          : matrix_members(node["matrix"], set_name, field_path(path, field), e);
  if (!members || !check_member_names(*members, field_path(path, field), e)) return std::nullopt;

  const json base = member_template(node);
  const bool process = is_process(node);
  json children = json::array();
  for (std::size_t i = 0; i < members->size(); ++i) {
    json member = base;
    member["name"] = (*members)[i].name;
    substitute_fields(member, (*members)[i].vars);
    if (replicas && process && (!member.contains("env") || member["env"].is_object()))
      member["env"]["TRAIO_REPLICA"] = std::to_string(i);
    children.push_back(std::move(member));
  }
  json set = json::object();
  set["name"] = set_name;
  for (auto field_name : kSetFields)
    if (auto it = node.find(std::string(field_name)); it != node.end()) set[std::string(field_name)] = *it;
  set["children"] = std::move(children);
  return set;
}

}  // namespace traio
