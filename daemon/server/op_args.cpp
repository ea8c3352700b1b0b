#include "daemon/server/op_args.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "common/node_path.hpp"

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

}  // namespace traio
