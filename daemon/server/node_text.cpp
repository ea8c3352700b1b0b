#include "daemon/server/node_text.hpp"

#include "common/duration.hpp"
#include "common/signal_name.hpp"
#include "daemon/server/generations_json.hpp"

namespace traio {

namespace {

// Members are written in the order of their keys: nlohmann's objects are sorted maps, and
// the bytes must stay those of their dump.

struct Walk {
  EndedNodes ended;
  NodeFields fields;
  const JobStatsReader* stats = nullptr;  // ps --stats (SPEC §6 usage)
};

JobStats stats_of(const JobStatsReader* stats, const Node& node) {
  if (stats == nullptr || !node.job || !node.is_live() || !node.run.pid) return {};
  return (*stats)(node);
}

void stat_field(JsonText& w, const char* key, const std::optional<std::uint64_t>& value) {
  if (!value) return;
  w.key(key);
  w.integer(static_cast<std::int64_t>(*value));
}

void optional_int(JsonText& w, const std::optional<int>& v) {
  if (v) {
    w.integer(*v);
  } else {
    w.null();
  }
}

void optional_count(JsonText& w, const std::optional<std::size_t>& v) {
  if (v) {
    w.integer(static_cast<std::int64_t>(*v));
  } else {
    w.null();
  }
}

void optional_signal(JsonText& w, const std::optional<int>& v) {
  if (v) {
    w.string(signal_name(*v));
  } else {
    w.null();
  }
}

void optional_time(JsonText& w, const std::optional<WallTime>& t) {
  if (t) {
    w.time(*t);
  } else {
    w.null();
  }
}

void outcome(JsonText& w, Outcome o) {
  if (o == Outcome::None) {
    w.null();
  } else {
    w.string(to_string(o));
  }
}

void cause(JsonText& w, const Cause* c) {
  if (c == nullptr) {
    w.null();
    return;
  }
  w.begin_object();
  w.key("cause");
  cause(w, c->next.get());
  w.key("exit_code");
  optional_int(w, c->exit_code);
  w.key("message");
  w.string(c->message);
  w.key("outcome");
  outcome(w, c->outcome);
  w.key("path");
  w.string(c->path);
  w.key("signal");
  optional_signal(w, c->signal);
  w.end_object();
}

void after(JsonText& w, const Node& node) {
  w.begin_array();
  for (std::size_t i = 0; i < node.after.size(); ++i) {
    w.begin_object();
    w.key("met");
    w.boolean(i < node.after_links.size() && node.after_links[i].met);
    w.key("name");
    w.string(node.after[i].name);
    w.key("when");
    w.string(to_string(node.after[i].when));
    w.end_object();
  }
  w.end_array();
}

void child_paths(JsonText& w, const ScopeTree& tree, const Node& node) {
  w.begin_array();
  for (NodeId id : node.children) {
    if (const Node* child = tree.find(id)) w.string(child->path);
  }
  w.end_array();
}

void write_tree(JsonText& w, const ScopeTree& tree, const Node& node, const Walk& walk);

void children(JsonText& w, const ScopeTree& tree, const Node& node, const Walk& walk) {
  w.begin_array();
  for (NodeId id : node.children) {
    const Node* child = tree.find(id);
    if (child == nullptr) continue;
    switch (walk.ended) {
      case EndedNodes::Hide:
        if (!child->is_live()) continue;
        break;
      case EndedNodes::Show:
        break;
    }
    write_tree(w, tree, *child, walk);
  }
  w.end_array();
}

// node_json's members; `walk` adds "children" (ps), SpecField::Include adds "spec" (inspect).
void full(JsonText& w, const ScopeTree& tree, const Node& node, SpecField spec, const Walk* walk,
          const JobStatsReader* stats_reader) {
  const JobStats stats = stats_of(stats_reader, node);
  w.begin_object();
  w.key("after");
  after(w, node);
  w.key("awaited");
  w.boolean(node.flags.awaited);
  w.key("bubble");
  w.boolean(node.flags.bubble);
  w.key("cause");
  cause(w, node.cause.get());
  w.key("child_paths");
  child_paths(w, tree, node);
  if (walk != nullptr) {
    w.key("children");
    children(w, tree, node, *walk);
  }
  w.key("claimed");
  w.boolean(node.claimed);
  stat_field(w, "cpu_usec", stats.cpu_usec);
  w.key("created_at");
  w.time(node.created_at);
  w.key("deadline");
  optional_time(w, effective_deadline(tree, node));
  w.key("ended_at");
  optional_time(w, node.ended_at);
  w.key("exit_code");
  optional_int(w, node.run.exit_code);
  if (node.is_scope()) {
    w.key("finalized");
    w.boolean(node.finalized);
  }
  w.key("generation");
  w.integer(node.generation);
  if (node.generation > 1) {
    w.key("generations");
    w.json(generations_json(tree, node));
  }
  if (node.job && node.job->health) {  // SPEC §6
    w.key("health");
    w.json(health_json(node));
  }
  w.key("kind");
  w.string(node_kind(node));
  w.key("last_exit");
  if (node.restart.last_exit.empty()) {
    w.null();
  } else {
    w.string(node.restart.last_exit);
  }
  w.key("master");
  w.boolean(node.flags.master);
  if (node.is_scope()) {
    w.key("max_parallel");
    optional_count(w, node.max_parallel);
  }
  stat_field(w, "memory_bytes", stats.memory_bytes);
  stat_field(w, "memory_peak", stats.memory_peak);
  w.key("name");
  w.string(node.name);
  w.key("next_attempt");
  optional_time(w, node.restart.next_attempt_wall);
  if (node.flags.cleanup) {
    w.key("on");
    w.string("cleanup");
  }
  w.key("outcome");
  outcome(w, node.outcome);
  w.key("owner_uid");
  w.integer(node.owner_uid);
  w.key("path");
  w.string(node.path);
  if (node.pause.paused && node.is_live()) {  // SPEC §6 pause: a paused scope keeps its state
    w.key("paused");
    w.boolean(true);
  }
  w.key("pid");
  optional_int(w, node.run.pid);
  w.key("priority");
  w.integer(node.priority);
  w.key("probing");
  w.boolean(node.run.probing);
  if (node.is_scope()) {
    w.key("queued_children");
    w.integer(static_cast<std::int64_t>(queued_children(node)));
  }
  w.key("ready");
  w.boolean(node.ready);
  w.key("reason");
  w.string(node.reason);
  w.key("restarts");
  w.integer(node.restart.restarts);
  if (node.is_scope()) {
    w.key("running_children");
    w.integer(static_cast<std::int64_t>(node.running_children));
  }
  w.key("sent_signal");
  optional_signal(w, node.run.sent_signal);
  w.key("signal");
  optional_signal(w, node.run.signal);
  switch (spec) {
    case SpecField::Include:
      w.key("spec");
      if (node.source.is_null()) {
        w.begin_object();
        w.end_object();
      } else {
        w.json(node.source);
      }
      break;
    case SpecField::Omit:
      break;
  }
  w.key("start_at");  // SPEC §6 `delay`: when a delayed node starts
  optional_time(w, node.start_at_wall);
  w.key("started_at");
  optional_time(w, node.started_at);
  w.key("state");
  w.string(to_string(node.state));
  if (node.is_scope() && node.stop_order == StopOrder::Reverse) {
    w.key("stop_order");
    w.string("reverse");
  }
  if (node.is_scope() && node.supervision) {
    w.key("supervise");
    w.json(supervision_json(*node.supervision));
  }
  w.key("timeout");
  if (node.timeout) {
    w.string(format_duration(*node.timeout));
  } else {
    w.null();
  }
  w.key("type");
  w.string(to_string(node.type));
  w.end_object();
}

// brief_node_json's members: those without a value are left out.
void brief(JsonText& w, const ScopeTree& tree, const Node& node, const Walk& walk) {
  const JobStats stats = stats_of(walk.stats, node);
  w.begin_object();
  if (!node.after.empty()) {
    w.key("after");
    after(w, node);
  }
  w.key("children");
  children(w, tree, node, walk);
  stat_field(w, "cpu_usec", stats.cpu_usec);
  w.key("created_at");
  w.time(node.created_at);
  if (node.ended_at) {
    w.key("ended_at");
    w.time(*node.ended_at);
  }
  if (node.run.exit_code) {
    w.key("exit_code");
    w.integer(*node.run.exit_code);
  }
  if (node.generation > 1) {
    w.key("generation");
    w.integer(node.generation);
  }
  w.key("kind");
  w.string(node_kind(node));
  const bool slots = shows_slots(node);
  if (slots) {
    w.key("max_parallel");
    optional_count(w, node.max_parallel);
  }
  stat_field(w, "memory_bytes", stats.memory_bytes);
  stat_field(w, "memory_peak", stats.memory_peak);
  w.key("name");
  w.string(node.name);
  if (node.restart.next_attempt_wall) {
    w.key("next_attempt");
    w.time(*node.restart.next_attempt_wall);
  }
  if (node.outcome != Outcome::None) {
    w.key("outcome");
    w.string(to_string(node.outcome));
  }
  w.key("owner_uid");
  w.integer(node.owner_uid);
  w.key("path");
  w.string(node.path);
  if (node.pause.paused && node.is_live()) {
    w.key("paused");
    w.boolean(true);
  }
  if (node.run.pid) {
    w.key("pid");
    w.integer(*node.run.pid);
  }
  if (slots) {
    w.key("queued_children");
    w.integer(static_cast<std::int64_t>(queued_children(node)));
  }
  if (node.ready) {  // top's ready mark
    w.key("ready");
    w.boolean(true);
  }
  if (node.restart.restarts != 0) {
    w.key("restarts");
    w.integer(node.restart.restarts);
  }
  if (slots) {
    w.key("running_children");
    w.integer(static_cast<std::int64_t>(node.running_children));
  }
  if (node.run.signal) {
    w.key("signal");
    w.string(signal_name(*node.run.signal));
  }
  if (node.start_at_wall) {
    w.key("start_at");
    w.time(*node.start_at_wall);
  }
  if (node.started_at) {
    w.key("started_at");
    w.time(*node.started_at);
  }
  w.key("state");
  w.string(to_string(node.state));
  w.key("type");
  w.string(to_string(node.type));
  w.end_object();
}

void write_tree(JsonText& w, const ScopeTree& tree, const Node& node, const Walk& walk) {
  switch (walk.fields) {
    case NodeFields::All:
      full(w, tree, node, SpecField::Omit, &walk, walk.stats);
      break;
    case NodeFields::Brief:
      brief(w, tree, node, walk);
      break;
  }
}

}  // namespace

void write_node(JsonText& out, const ScopeTree& tree, const Node& node, SpecField spec,
                const JobStatsReader* stats) {
  full(out, tree, node, spec, nullptr, stats);
}

void write_node_tree(JsonText& out, const ScopeTree& tree, const Node& node, EndedNodes ended,
                     NodeFields fields, const JobStatsReader* stats) {
  write_tree(out, tree, node, Walk{ended, fields, stats});
}

}  // namespace traio
