#include "daemon/server/op_args.hpp"

#include <algorithm>
#include <variant>

#include <fmt/format.h>

#include "common/node_path.hpp"
#include "config/queue_fields.hpp"

namespace traio {

using nlohmann::json;

Error invalid_request(std::string message) { return {ErrorCode::InvalidRequest, std::move(message)}; }

Status check_arg_keys(const json& args, std::initializer_list<std::string_view> allowed) {
  if (!args.is_object()) return invalid_request("args: expected an object");
  std::vector<std::string> unknown;
  for (const auto& [key, value] : args.items()) {
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) unknown.push_back(key);
  }
  if (unknown.empty()) return ok_status();
  return invalid_request(fmt::format("unknown arg{}: {}", unknown.size() > 1 ? "s" : "",
                                     fmt::join(unknown, ", ")));
}

namespace {
const json* find_arg(const json& args, std::string_view key) {
  auto it = args.find(key);
  if (it == args.end() || it->is_null()) return nullptr;
  return &*it;
}
}  // namespace

Expected<std::string> string_arg(const json& args, std::string_view key, std::string fallback) {
  const json* v = find_arg(args, key);
  if (v == nullptr) return fallback;
  if (!v->is_string()) return invalid_request(fmt::format("{}: expected a string", key));
  return v->get<std::string>();
}

Expected<bool> bool_arg(const json& args, std::string_view key, bool fallback) {
  const json* v = find_arg(args, key);
  if (v == nullptr) return fallback;
  if (!v->is_boolean()) return invalid_request(fmt::format("{}: expected true or false", key));
  return v->get<bool>();
}

Expected<std::optional<Duration>> duration_arg(const json& args, std::string_view key) {
  const json* v = find_arg(args, key);
  if (v == nullptr) return std::optional<Duration>{};
  Expected<Duration> d = Error{};
  if (v->is_string()) {
    d = parse_duration(v->get<std::string>());
  } else if (v->is_number()) {
    d = duration_from_seconds(v->get<double>());
  } else {
    return invalid_request(fmt::format("{}: expected a duration (\"1.5s\") or a number of seconds", key));
  }
  if (!d) return invalid_request(fmt::format("{}: {}", key, d.error().message));
  return std::optional<Duration>(*d);
}

Expected<std::optional<std::size_t>> count_arg(const json& args, std::string_view key) {
  const json* v = find_arg(args, key);
  if (v == nullptr) return std::optional<std::size_t>{};
  if (!v->is_number_integer() || v->get<long long>() < 0)
    return invalid_request(fmt::format("{}: expected an integer >= 0", key));
  return std::optional<std::size_t>(v->get<std::size_t>());
}

Expected<NodeId> resolve_node(const ScopeTree& tree, std::string_view path) {
  auto parts = split_path(path);
  if (!parts) return invalid_request(fmt::format("path {}: {}", path, parts.error().message));
  auto id = tree.resolve(path);
  if (!id) return Error{ErrorCode::NotFound, fmt::format("no node {}", path)};
  return *id;
}

Expected<NodeId> node_arg(const ScopeTree& tree, const json& args, std::string_view key,
                          std::optional<std::string> fallback) {
  const json* v = find_arg(args, key);
  if (v == nullptr) {
    if (!fallback) return invalid_request(fmt::format("{}: missing", key));
    return resolve_node(tree, *fallback);
  }
  if (!v->is_string()) return invalid_request(fmt::format("{}: expected a path", key));
  return resolve_node(tree, v->get_ref<const std::string&>());
}

Expected<ForkOptions> fork_options_arg(const nlohmann::json& args) {
  ForkOptions options;
  auto name = string_arg(args, "name", "");
  if (!name) return name.error();
  if (!name->empty() && !is_valid_name(*name)) return invalid_request(fmt::format("name: {}", name_error(*name)));
  options.name = *name;
  auto timeout = duration_arg(args, "timeout");
  if (!timeout) return timeout.error();
  options.timeout = *timeout;
  auto master = bool_arg(args, "master", false);
  auto bubble = bool_arg(args, "bubble", true);
  auto awaited = bool_arg(args, "awaited", true);
  for (const auto* flag : {&master, &bubble, &awaited})
    if (!*flag) return flag->error();
  options.flags = NodeFlags{*master, *bubble, *awaited};
  auto max_parallel = max_parallel_arg(args);
  if (!max_parallel) return max_parallel.error();
  options.max_parallel = *max_parallel;
  return options;
}

Expected<std::optional<std::size_t>> max_parallel_arg(const json& args) {
  const json* v = find_arg(args, "max_parallel");
  if (v == nullptr) return std::optional<std::size_t>{};
  if (!v->is_number_integer() || v->get<long long>() < 1 || v->get<long long>() > kMaxParallelLimit)
    return invalid_request(
        fmt::format("max_parallel: expected an integer 1..{} or null (no limit), got {}", kMaxParallelLimit, v->dump()));
  return std::optional<std::size_t>(v->get<std::size_t>());
}

Expected<NodeSpec> spec_arg(const nlohmann::json& args, std::string_view key, SpecKind kind) {
  auto it = args.find(key);
  if (it == args.end()) return invalid_request(fmt::format("{}: missing", key));
  auto parsed = parse_node_spec(*it, kind);
  if (auto* errors = std::get_if<ParseErrors>(&parsed)) return invalid_request(format_parse_errors(*errors));
  return std::get<NodeSpec>(std::move(parsed));
}

Expected<std::optional<std::map<std::string, std::string>>> base_env_arg(const nlohmann::json& args) {
  auto it = args.find("base_env");
  if (it == args.end() || it->is_null()) return std::optional<std::map<std::string, std::string>>{};
  if (!it->is_object()) return invalid_request("base_env: expected an object of strings");
  std::map<std::string, std::string> env;
  for (const auto& [key, value] : it->items()) {
    if (!value.is_string()) return invalid_request(fmt::format("base_env.{}: expected a string", key));
    env.emplace(key, value.get<std::string>());
  }
  return std::optional<std::map<std::string, std::string>>(std::move(env));
}

}  // namespace traio
