#include "daemon/server/node_json.hpp"

#include <algorithm>

#include "common/duration.hpp"
#include "common/signal_name.hpp"
#include "config/scope_fields.hpp"
#include "daemon/server/generations_json.hpp"
#include "daemon/server/time_format.hpp"

namespace traio {
namespace {

using nlohmann::json;

json optional_int(const std::optional<int>& v) { return v ? json(*v) : json(nullptr); }

json optional_signal(const std::optional<int>& v) { return v ? json(signal_name(*v)) : json(nullptr); }

json optional_time(const std::optional<WallTime>& t) { return t ? json(format_rfc3339(*t)) : json(nullptr); }

json outcome_json(Outcome outcome) {
  if (outcome == Outcome::None) return nullptr;
  return std::string(to_string(outcome));
}

json child_paths(const ScopeTree& tree, const Node& node) {
  json paths = json::array();
  for (NodeId id : node.children) {
    if (const Node* child = tree.find(id)) paths.push_back(child->path);
  }
  return paths;
}

// `after` edges (SPEC §6: `ps --json` can draw the dependency graph): each sibling named,
// its condition, and whether it was met when last checked.
json after_json(const Node& node) {
  json list = json::array();
  for (std::size_t i = 0; i < node.after.size(); ++i) {
    const bool met = i < node.after_links.size() && node.after_links[i].met;
    list.push_back(json{{"name", node.after[i].name}, {"when", std::string(to_string(node.after[i].when))}, {"met", met}});
  }
  return list;
}

// SPEC §6 concurrency limit: a scope's max_parallel (null: none) and how its children use it.
void add_slots(json& j, const Node& scope) {
  j["max_parallel"] = scope.max_parallel ? json(*scope.max_parallel) : json(nullptr);
  j["running_children"] = scope.running_children;
  j["queued_children"] = queued_children(scope);
}

}  // namespace

json supervision_json(const Supervision& s) {
  json j = supervise_to_json(s.spec);
  const SteadyTime now = std::chrono::steady_clock::now();
  j["recent_restarts"] =
      std::count_if(s.recent.begin(), s.recent.end(), [&](SteadyTime at) { return now - at <= s.spec.period; });
  return j;
}

json health_json(const Node& node) {
  if (!node.job || !node.job->health) return nullptr;
  if (!node.health) return {{"status", std::string(to_string(HealthStatus::Starting))}, {"failures", 0}, {"last", nullptr}};
  const HealthState& h = *node.health;
  json last = nullptr;
  if (h.last_at) last = {{"at", format_rfc3339(*h.last_at)}, {"ok", h.last_ok}, {"message", h.last_message}};
  return {{"status", std::string(to_string(h.status))}, {"failures", h.failures}, {"last", std::move(last)}};
}

std::size_t queued_children(const Node& scope) { return scope.queue ? scope.queue->size() : 0; }

bool shows_slots(const Node& node) { return node.is_scope() && (node.max_parallel || queued_children(node) != 0); }

std::string_view node_kind(const Node& node) {
  if (node.is_scope() || !node.job) return "scope";
  return to_string(node.job->kind);
}

std::optional<WallTime> effective_deadline(const ScopeTree& tree, const Node& node) {
  std::optional<WallTime> earliest;
  for (const Node* n = &node; n != nullptr; n = tree.find(n->parent)) {
    if (n->own_deadline_wall && (!earliest || *n->own_deadline_wall < *earliest))
      earliest = n->own_deadline_wall;
    if (n->parent == kNoNode) break;
  }
  return earliest;
}

json cause_json(const Cause* cause) {
  if (cause == nullptr) return nullptr;
  return json{{"path", cause->path},
              {"outcome", outcome_json(cause->outcome)},
              {"message", cause->message},
              {"exit_code", optional_int(cause->exit_code)},
              {"signal", optional_signal(cause->signal)},
              {"cause", cause_json(cause->next.get())}};
}

json node_json(const ScopeTree& tree, const Node& node, SpecField spec) {
  json j{{"path", node.path},
         {"name", node.name},
         {"type", std::string(to_string(node.type))},
         {"kind", node_kind(node)},
         {"state", std::string(to_string(node.state))},
         {"outcome", outcome_json(node.outcome)},
         {"reason", node.reason},
         {"cause", cause_json(node.cause.get())},
         {"master", node.flags.master},
         {"bubble", node.flags.bubble},
         {"awaited", node.flags.awaited},
         {"claimed", node.claimed},
         {"timeout", node.timeout ? json(format_duration(*node.timeout)) : json(nullptr)},
         {"deadline", optional_time(effective_deadline(tree, node))},
         {"pid", optional_int(node.run.pid)},
         {"exit_code", optional_int(node.run.exit_code)},
         {"signal", optional_signal(node.run.signal)},
         {"sent_signal", optional_signal(node.run.sent_signal)},
         {"ready", node.ready},
         {"created_at", format_rfc3339(node.created_at)},
         {"started_at", optional_time(node.started_at)},
         {"start_at", optional_time(node.start_at_wall)},  // SPEC §6 `delay`: when it starts
         {"ended_at", optional_time(node.ended_at)},
         {"restarts", node.restart.restarts},
         {"next_attempt", optional_time(node.restart.next_attempt_wall)},
         {"last_exit", node.restart.last_exit.empty() ? json(nullptr) : json(node.restart.last_exit)},
         {"probing", node.run.probing},
         {"after", after_json(node)},
         {"owner_uid", node.owner_uid},
         {"child_paths", child_paths(tree, node)}};
  j["priority"] = node.priority;
  if (node.pause.paused && node.is_live()) j["paused"] = true;  // SPEC §6 pause: a paused scope keeps its state
  if (node.flags.cleanup) j["on"] = "cleanup";
  j["generation"] = node.generation;
  if (node.generation > 1) j["generations"] = generations_json(tree, node);
  if (node.job && node.job->health) j["health"] = health_json(node);  // SPEC §6
  if (node.is_scope()) {
    j["finalized"] = node.finalized;
    add_slots(j, node);
    if (node.stop_order == StopOrder::Reverse) j["stop_order"] = "reverse";
    if (node.supervision) j["supervise"] = supervision_json(*node.supervision);
  }
  switch (spec) {
    case SpecField::Include:
      j["spec"] = node.source.is_null() ? json::object() : node.source;
      break;
    case SpecField::Omit:
      break;
  }
  return j;
}

// Fields without a value are left out rather than sent as null: a tree of 10,000 waiting
// jobs is then a third smaller, and ps readers treat a missing field as null.
json brief_node_json(const Node& node) {
  json j{{"path", node.path},
         {"name", node.name},
         {"type", std::string(to_string(node.type))},
         {"kind", node_kind(node)},
         {"state", std::string(to_string(node.state))},
         {"created_at", format_rfc3339(node.created_at)}};
  if (node.outcome != Outcome::None) j["outcome"] = outcome_json(node.outcome);
  if (node.run.pid) j["pid"] = *node.run.pid;
  if (node.pause.paused && node.is_live()) j["paused"] = true;
  if (node.run.exit_code) j["exit_code"] = *node.run.exit_code;
  if (node.run.signal) j["signal"] = signal_name(*node.run.signal);
  if (node.started_at) j["started_at"] = format_rfc3339(*node.started_at);
  if (node.ended_at) j["ended_at"] = format_rfc3339(*node.ended_at);
  if (node.restart.restarts != 0) j["restarts"] = node.restart.restarts;
  if (node.ready) j["ready"] = true;  // top's ready mark
  if (node.generation > 1) j["generation"] = node.generation;
  j["owner_uid"] = node.owner_uid;  // ps draws an OWNER column when owners differ
  if (node.restart.next_attempt_wall) j["next_attempt"] = format_rfc3339(*node.restart.next_attempt_wall);
  if (node.start_at_wall) j["start_at"] = format_rfc3339(*node.start_at_wall);
  if (!node.after.empty()) j["after"] = after_json(node);
  if (shows_slots(node)) add_slots(j, node);
  return j;
}

json node_tree_json(const ScopeTree& tree, const Node& node, EndedNodes ended, NodeFields fields) {
  json j = fields == NodeFields::Brief ? brief_node_json(node) : node_json(tree, node, SpecField::Omit);
  json children = json::array();
  for (NodeId id : node.children) {
    const Node* child = tree.find(id);
    if (child == nullptr) continue;
    switch (ended) {
      case EndedNodes::Hide:
        if (!child->is_live()) continue;
        break;
      case EndedNodes::Show:
        break;
    }
    children.push_back(node_tree_json(tree, *child, ended, fields));
  }
  j["children"] = std::move(children);
  return j;
}

}  // namespace traio
