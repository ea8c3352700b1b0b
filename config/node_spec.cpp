#include "config/node_spec.hpp"

#include <set>

#include <fmt/format.h>

#include "common/signal_name.hpp"
#include "config/after_parser.hpp"
#include "config/fanout.hpp"
#include "config/job_parser.hpp"
#include "config/limits_parser.hpp"
#include "config/queue_fields.hpp"
#include "config/health_parser.hpp"
#include "config/ready_parser.hpp"
#include "config/restart_parser.hpp"
#include "config/scope_fields.hpp"

namespace traio {

using nlohmann::json;

std::string_view to_string(JobKind kind) {
  switch (kind) {
    case JobKind::Process: return "process";
    case JobKind::Sleep: return "sleep";
    case JobKind::WaitTcp: return "wait_tcp";
    case JobKind::WaitFile: return "wait_file";
  }
  return "process";  // unreachable: the switch is exhaustive
}

std::string_view to_string(RestartPolicy policy) {
  switch (policy) {
    case RestartPolicy::No: return "no";
    case RestartPolicy::OnFailure: return "on-failure";
    case RestartPolicy::Always: return "always";
  }
  return "no";  // unreachable: the switch is exhaustive
}

std::optional<RestartPolicy> restart_policy_from_string(std::string_view text) {
  if (text == "no") return RestartPolicy::No;
  if (text == "on-failure") return RestartPolicy::OnFailure;
  if (text == "always") return RestartPolicy::Always;
  return std::nullopt;
}

std::string_view to_string(AfterWhen when) {
  switch (when) {
    case AfterWhen::Started: return "started";
    case AfterWhen::Ready: return "ready";
    case AfterWhen::Succeeded: return "succeeded";
    case AfterWhen::Done: return "done";
    case AfterWhen::Failed: return "failed";
  }
  return "ready";  // unreachable: the switch is exhaustive
}

std::optional<AfterWhen> after_when_from_string(std::string_view text) {
  if (text == "started") return AfterWhen::Started;
  if (text == "ready") return AfterWhen::Ready;
  if (text == "succeeded") return AfterWhen::Succeeded;
  if (text == "done") return AfterWhen::Done;
  if (text == "failed") return AfterWhen::Failed;
  return std::nullopt;
}

std::string_view to_string(OutputMode mode) {
  switch (mode) {
    case OutputMode::Capture: return "capture";
    case OutputMode::Inherit: return "inherit";
    case OutputMode::Null: return "null";
    case OutputMode::File: return "file";
  }
  return "capture";  // unreachable: the switch is exhaustive
}

const std::string& NodeSpec::name() const {
  return std::visit([](const auto& n) -> const std::string& { return n.name; }, node);
}

const NodeFlags& NodeSpec::flags() const {
  return std::visit([](const auto& n) -> const NodeFlags& { return n.flags; }, node);
}

const std::vector<AfterSpec>& NodeSpec::after() const {
  return std::visit([](const auto& n) -> const std::vector<AfterSpec>& { return n.after; }, node);
}

int NodeSpec::priority() const {
  return std::visit([](const auto& n) { return n.priority; }, node);
}

std::optional<Duration> NodeSpec::delay() const {
  return std::visit([](const auto& n) { return n.delay; }, node);
}

namespace {

// Scopes nest through "children" arrays, so the JSON depth limit (64) already bounds this;
// the guard keeps a JSON built without limits from exhausting the stack.
constexpr int kMaxTreeDepth = 128;

NodeSpec parse_node(const json& object, const std::string& path, FieldErrors& e, int depth);

// Names must be unique among siblings (SPEC §1); omitted names are generated later and
// never collide.
void check_sibling_names(const json& children, const std::string& path, FieldErrors& e) {
  std::set<std::string> seen;
  for (std::size_t i = 0; i < children.size(); ++i) {
    const json& child = children[i];
    if (!child.is_object()) continue;
    auto it = child.find("name");
    if (it == child.end() || !it->is_string()) continue;
    const auto& name = it->get_ref<const std::string&>();
    if (!seen.insert(name).second)
      e.add(field_path(index_path(path, i), "name"), fmt::format("duplicate name '{}'", name));
  }
}

void read_children(const json& v, const std::string& p, FieldErrors& e, int depth, ScopeSpec& scope) {
  if (!v.is_array()) return e.wrong_type(p, "array of nodes", v);
  if (depth >= kMaxTreeDepth) return e.add(p, fmt::format("the tree is nested deeper than {} scopes", kMaxTreeDepth));
  scope.children.reserve(v.size());
  for (std::size_t i = 0; i < v.size(); ++i) {
    std::string ip = index_path(p, i);
    if (!expect_object(v[i], ip, e)) continue;
    scope.children.push_back(parse_node(v[i], ip, e, depth + 1));
  }
  check_sibling_names(v, p, e);
  check_sibling_after(v, p, e);
}


ScopeSpec parse_scope(const json& object, const std::string& path, FieldErrors& e, int depth) {
  ScopeSpec scope;
  for (const auto& [key, value] : object.items()) {
    std::string p = field_path(path, key);
    if (read_node_field(key, value, p, scope.name, scope.flags, scope.timeout, e)) continue;
    if (key == "children") {
      read_children(value, p, e, depth, scope);
    } else if (key == "finalize") {
      if (auto f = read_bool(value, p, e)) scope.finalize = *f;
    } else if (key == "kind") {
      // inspect writes "kind": "scope"; accept it back, nothing else.
      if (value != "scope") e.add(p, fmt::format("a node with children is a scope, got kind {}", json_excerpt(value)));
    } else if (key == "after") {
      read_after(value, p, e, valid_name_of(object), scope.after);
    } else if (key == "max_parallel") {  // SPEC §6 concurrency limit; null: none
      scope.max_parallel = read_max_parallel(value, p, e);
    } else if (key == "priority") {
      if (auto priority = read_priority(value, p, e)) scope.priority = *priority;
    } else if (key == "supervise") {
      scope.supervise = read_supervise(value, p, e);
    } else if (key == "stop_order") {
      if (auto order = read_stop_order(value, p, e)) scope.stop_order = *order;
    } else if (key == "delay") {
      scope.delay = read_duration(value, p, e);
    } else if (key == "limits") {  // SPEC §6: caps the whole subtree
      scope.limits = read_limits(value, p, e);
    } else if (key == "env_file") {
      e.add(p, "not valid for a scope (a node with \"children\"): give it to each process job");
    } else if (is_unsupported_field(key)) {
      e.add(p, "not supported yet");
    } else if (is_job_field(key)) {
      // restart included: restarting children is a scope's `supervise` (SPEC §6).
      e.add(p, "not valid for a scope (a node with \"children\")");
    } else {
      e.add(p, "unknown field");
    }
  }
  return scope;
}

// The stored source of a scope leaves out "children": each child keeps its own source,
// so a tree is stored once, not once per level.
json scope_source(const json& object) {
  json source = object;
  source.erase("children");
  return source;
}

// A job with replicas or a matrix becomes the scope of its members (config/fanout.hpp). Its
// fields are checked once, on its first member at the node's own path, so that a mistake is
// one error, not one per member.
NodeSpec parse_fanout(const json& object, const std::string& path, FieldErrors& e, int depth) {
  auto set = expand_fanout(object, path, e);
  if (!set) return NodeSpec{JobSpec{}, object};
  const std::size_t errors_before = e.count();
  parse_job(set->at("children").at(0), path, e, ChildrenKey::Reject);
  if (e.count() != errors_before) return NodeSpec{JobSpec{}, object};
  json source = scope_source(*set);
  if (auto replicas = object.find("replicas"); replicas != object.end()) source["replicas"] = *replicas;  // for scale
  return NodeSpec{parse_scope(*set, path, e, depth), std::move(source)};
}

NodeSpec parse_node(const json& object, const std::string& path, FieldErrors& e, int depth) {
  if (is_fanout(object)) return parse_fanout(object, path, e, depth);
  if (object.contains("children")) return NodeSpec{parse_scope(object, path, e, depth), scope_source(object)};
  return NodeSpec{parse_job(object, path, e, ChildrenKey::Reject), object};
}

}  // namespace

std::variant<NodeSpec, ParseErrors> parse_node_spec(const json& json_doc, SpecKind kind) {
  ParseErrors errors;
  FieldErrors e(errors);
  if (!expect_object(json_doc, "", e)) return errors;
  NodeSpec spec = kind == SpecKind::Job
                      ? NodeSpec{parse_job(json_doc, "", e, ChildrenKey::Reject), json_doc}
                      : parse_node(json_doc, "", e, 0);
  if (!errors.empty()) return errors;
  return spec;
}

json to_json(const JobSpec& spec) {
  json out = json::object();
  if (!spec.name.empty()) out["name"] = spec.name;
  out["kind"] = to_string(spec.kind);
  out["master"] = spec.flags.master;
  out["bubble"] = spec.flags.bubble;
  out["awaited"] = spec.flags.awaited;
  if (spec.flags.cleanup) out["on"] = "cleanup";
  if (spec.timeout) out["timeout"] = format_duration(*spec.timeout);
  if (!spec.after.empty()) out["after"] = after_to_json(spec.after);
  if (spec.priority != 0) out["priority"] = spec.priority;
  if (spec.delay) out["delay"] = format_duration(*spec.delay);
  if (spec.restart.policy != RestartPolicy::No) out["restart"] = restart_to_json(spec.restart);
  if (spec.limits) out["limits"] = limits_to_json(*spec.limits);
  switch (spec.kind) {
    case JobKind::Sleep:
      out["duration"] = format_duration(spec.duration);
      return out;
    case JobKind::WaitTcp:
      out["address"] = spec.address;
      out["interval"] = format_duration(spec.interval);
      return out;
    case JobKind::WaitFile:
      out["path"] = spec.path;
      return out;
    case JobKind::Process:
      break;
  }
  out["argv"] = spec.argv;
  out["env"] = spec.env;
  if (!spec.cwd.empty()) out["cwd"] = spec.cwd;
  json stop = json::object();
  if (spec.stop.signal) stop["signal"] = signal_name(*spec.stop.signal);
  if (spec.stop.grace) stop["grace"] = format_duration(*spec.stop.grace);
  out["stop"] = stop;
  switch (spec.output.mode) {
    case OutputMode::Capture:
    case OutputMode::Inherit:
    case OutputMode::Null:
      out["output"] = to_string(spec.output.mode);
      break;
    case OutputMode::File:
      out["output"] = {{"file", spec.output.file}, {"append", spec.output.file_mode == FileMode::Append}};
      break;
  }
  out["success_exit_codes"] = spec.success_exit_codes;
  if (spec.ready.probe != ReadySpec::Probe::None) out["ready"] = ready_to_json(spec.ready);
  if (spec.health) out["health"] = health_to_json(*spec.health);
  if (!spec.user.empty()) out["user"] = spec.user;
  if (!spec.group.empty()) out["group"] = spec.group;
  return out;
}

}  // namespace traio
