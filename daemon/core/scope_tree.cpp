// The scope tree: queries and the requests of SPEC §3. The rules themselves are in
// scope_rules.cpp, the runners' reports in scope_reports.cpp.
#include "daemon/core/scope_tree.hpp"

#include <algorithm>
#include <string>

#include "common/node_path.hpp"
#include "common/unreachable.hpp"

namespace traio {

namespace {

Error not_found(NodeId id) { return {ErrorCode::NotFound, "no node #" + std::to_string(id)}; }

// How many nodes a spec adds, and how deep below its parent it reaches.
void measure(const NodeSpec& spec, std::size_t level, std::size_t& count, std::size_t& depth) {
  ++count;
  depth = std::max(depth, level);
  if (!spec.is_scope()) return;
  for (const auto& child : std::get<ScopeSpec>(spec.node).children) measure(child, level + 1, count, depth);
}

}  // namespace

ScopeTree::ScopeTree(TreeLimits limits, WallTime created) : limits_(limits), jitter_(limits.jitter_seed) {
  Node root;
  root.id = kRootId;
  root.type = NodeType::Scope;
  root.path = "/";
  root.state = NodeState::Open;
  root.created_at = created;
  root.started_at = created;
  nodes_.emplace(kRootId, std::move(root));
  next_id_ = kRootId + 1;
  live_count_ = 1;
}

// --- queries -------------------------------------------------------------------------

const Node* ScopeTree::find(NodeId id) const {
  auto it = nodes_.find(id);
  return it == nodes_.end() ? nullptr : &it->second;
}

Node& ScopeTree::node(NodeId id) {
  auto it = nodes_.find(id);
  if (it == nodes_.end()) TRAIO_UNREACHABLE("node id not in the tree");
  return it->second;
}

const Node& ScopeTree::root() const { return nodes_.at(kRootId); }

std::optional<NodeId> ScopeTree::resolve(std::string_view path) const {
  auto names = split_path(path);
  if (!names) return std::nullopt;
  const Node* at = &root();
  for (const auto& name : *names) {
    auto it = at->by_name.find(name);
    if (it == at->by_name.end()) return std::nullopt;
    at = find(it->second);
    if (at == nullptr) return std::nullopt;
  }
  return at->id;
}

// --- checks shared by the requests ---------------------------------------------------

// Rule 9: spawning or forking into a scope that is cancelling or done is refused.
Expected<NodeId> ScopeTree::check_open_scope(NodeId scope) const {
  const Node* s = find(scope);
  if (s == nullptr) return not_found(scope);
  if (!s->is_scope()) return Error{ErrorCode::InvalidRequest, s->path + " is a job, not a scope"};
  if (shutting_down_) return Error{ErrorCode::ScopeClosed, "traiod is stopping"};
  switch (s->state) {
    case NodeState::Open:
    case NodeState::Finalized:
      return scope;
    case NodeState::Cancelling:
      return Error{ErrorCode::ScopeClosed, "scope " + s->path + " is cancelling"};
    case NodeState::Done:
      return Error{ErrorCode::ScopeClosed, "scope " + s->path + " is done"};
    case NodeState::Pending:
      // Its own children are held until it is released (SPEC §2 `after`); one added now
      // would run before the scope has started.
      return Error{ErrorCode::ScopeClosed, "scope " + s->path + " is pending: it has not started"};
    case NodeState::Queued:
      // Likewise held until its parent's max_parallel gives it a slot (SPEC §6).
      return Error{ErrorCode::ScopeClosed, "scope " + s->path + " is queued: it has not started"};
    case NodeState::Running:
    case NodeState::Paused:
    case NodeState::Stopping:
      break;
  }
  TRAIO_UNREACHABLE("a scope in a job state");
}

// Names are unique among live siblings (SPEC §1); an ended sibling's name may be reused.
Status ScopeTree::check_name(const Node& scope, const std::string& name) const {
  if (!is_valid_name(name)) return Error{ErrorCode::InvalidRequest, name_error(name)};
  auto it = scope.by_name.find(name);
  if (it != scope.by_name.end()) {
    const Node* other = find(it->second);
    if (other != nullptr && other->is_live())
      return Error{ErrorCode::NameTaken, "name '" + name + "' is taken in " + scope.path};
  }
  return ok_status();
}

Status ScopeTree::check_capacity(std::size_t extra, std::size_t depth) const {
  if (nodes_.size() + extra > limits_.max_nodes)
    return Error{ErrorCode::LimitExceeded, "the tree would hold " + std::to_string(nodes_.size() + extra) +
                                               " nodes (limit " + std::to_string(limits_.max_nodes) + ")"};
  if (depth > limits_.max_depth)
    return Error{ErrorCode::LimitExceeded,
                 "the tree would be " + std::to_string(depth) + " levels deep (limit " +
                     std::to_string(limits_.max_depth) + ")"};
  return ok_status();
}

// A whole tree is checked before any of it is added, so a refused submit adds nothing.
Status ScopeTree::check_spec_names(const Node& scope, const NodeSpec& spec) const {
  if (!spec.name().empty()) {
    if (auto ok = check_name(scope, spec.name()); !ok) return ok;
  }
  if (!spec.is_scope()) return ok_status();
  std::vector<std::string> seen;
  for (const auto& child : std::get<ScopeSpec>(spec.node).children) {
    const auto& name = child.name();
    if (name.empty()) continue;
    if (!is_valid_name(name)) return Error{ErrorCode::InvalidRequest, name_error(name)};
    if (std::find(seen.begin(), seen.end(), name) != seen.end())
      return Error{ErrorCode::NameTaken, "name '" + name + "' appears twice among siblings"};
    seen.push_back(name);
    if (child.is_scope()) {
      Node empty;  // a new scope has no live children to clash with
      if (auto ok = check_spec_names(empty, child); !ok) return ok;
    }
  }
  return ok_status();
}

std::string ScopeTree::generate_name(const Node& scope, NodeType type) {
  for (;;) {
    std::string name = type == NodeType::Job ? "job-" + std::to_string(next_job_name_++)
                                             : "scope-" + std::to_string(next_scope_name_++);
    if (!scope.by_name.contains(name)) return name;
  }
}

// --- building nodes --------------------------------------------------------------------

Node& ScopeTree::add_node(const Now& now, Node& parent, const NodeSpec& spec, Uid owner, Effects& out) {
  const NodeType type = spec.is_scope() ? NodeType::Scope : NodeType::Job;
  std::string name = spec.name();
  if (name.empty()) name = generate_name(parent, type);
  NodeId id = next_id_++;
  Node n;
  n.id = id;
  n.parent = parent.id;
  n.type = type;
  n.path = join_path(parent.path, name);
  n.name = std::move(name);
  n.depth = parent.depth + 1;
  n.flags = spec.flags();
  n.after = spec.after();
  n.priority = spec.priority();
  n.delay = spec.delay();
  // A node with `after` is pending until its siblings let it start (SPEC §2): a job gets no
  // StartJob, a scope keeps its children's specs until it is released.
  // A cleanup node waits, pending, for its scope to begin to end (SPEC §6).
  if (!n.after.empty() || n.flags.cleanup) {
    n.state = NodeState::Pending;
  } else {
    n.state = type == NodeType::Scope ? NodeState::Open : NodeState::Running;
  }
  n.timeout = std::visit([](const auto& s) { return s.timeout; }, spec.node);
  n.created_at = now.wall;
  n.pause.paused = parent.pause.paused;  // held until the scope is resumed (scope_pause.cpp)
  n.owner_uid = owner;
  n.source = spec.source;
  if (const auto* scope = std::get_if<ScopeSpec>(&spec.node)) n.scope_spec = scope_header(*scope);
  if (const auto* scope = std::get_if<ScopeSpec>(&spec.node)) n.spec_child_count = scope->children.size();
  link_generation(parent, n);
  if (const auto* job = std::get_if<JobSpec>(&spec.node)) n.job = std::make_shared<const JobSpec>(*job);
  if (const auto* scope = std::get_if<ScopeSpec>(&spec.node)) {
    n.max_parallel = scope->max_parallel;
    n.stop_order = scope->stop_order;
    if (scope->supervise) n.supervision = std::make_unique<Supervision>(Supervision{*scope->supervise, {}});
    if (n.state == NodeState::Pending) n.held_scope = std::make_shared<const ScopeSpec>(*scope);
  }
  parent.children.push_back(id);
  parent.by_name[n.name] = id;
  ++parent.live_children;
  if (counts_as_awaited(n)) ++parent.live_awaited;
  ++live_count_;
  Node& added = nodes_.emplace(id, std::move(n)).first->second;
  emit(now, added, EventKind::Created, {}, out);
  // A pending node's timeout runs from its creation too; a cleanup node's from its start.
  if (!added.flags.cleanup) rule6_arm_deadline(now, added, out);
  return added;
}

// Adds a new scope's children. Every child exists before any starts: a child that ends its
// scope the moment it starts (an empty master scope, rule 4) must find its siblings there to
// cancel, rather than have them added to a scope that is already done (they would stay
// live under it for ever). Until its turn, a child is held as pending, so such a cancel
// ends it at once with nothing to stop. Those with `after` are settled once every sibling
// exists, since they may name a sibling submitted after them.
void ScopeTree::add_children(const Now& now, NodeId scope_id, const ScopeSpec& spec, Effects& out) {
  struct Held {
    NodeId id;
    NodeState state;  // the state it starts in
    const NodeSpec* spec;
  };
  std::vector<Held> held;
  std::vector<NodeId> deferred;
  for (const auto& child : spec.children) {
    Node& c = add_node(now, node(scope_id), child, node(scope_id).owner_uid, out);
    c.in_scope_spec = true;
    if (c.flags.cleanup) {
      cleanup_hold(now, c, out);
      if (!c.after.empty()) deferred.push_back(c.id);  // linked now, settled when released
      continue;
    }
    if (!c.after.empty()) {
      deferred.push_back(c.id);
      continue;
    }
    held.push_back({c.id, c.state, &child});
    c.state = NodeState::Pending;
  }
  // Children submitted together take the free slots of a max_parallel scope by priority
  // (SPEC §6); equal ones keep their submission order.
  std::stable_sort(held.begin(), held.end(),
                   [](const Held& a, const Held& b) { return a.spec->priority() > b.spec->priority(); });
  for (const Held& h : held) {
    Node& c = node(h.id);
    if (c.state != NodeState::Pending) continue;  // a sibling ended the scope: cancelled
    c.state = h.state;
    delay_or_start(now, c, h.spec->is_scope() ? &std::get<ScopeSpec>(h.spec->node) : nullptr, out);
  }
  std::erase_if(deferred, [&](NodeId id) { return node(id).state != NodeState::Pending; });
  for (NodeId id : deferred) {
    Node& c = node(id);
    std::vector<NodeId> deps;
    for (const auto& a : c.after) deps.push_back(node(scope_id).by_name.at(a.name));  // checked at submit
    after_link(c, deps);
  }
  for (NodeId id : deferred) after_settle(now, node(id), AfterCheck::Initial, out);
}

// Starts what a node runs: a job's first run, or a scope's children (from the submission,
// or from held_scope when a pending scope is released). A pending scope that was asked to
// finalize is finalized now.
void ScopeTree::launch(const Now& now, Node& n, const ScopeSpec* spec, Effects& out) {
  if (!n.is_scope()) {
    out.push_back(StartJob{n.id});
    return;
  }
  const NodeId id = n.id;
  n.started_at = now.wall;
  const bool finalize_requested = n.finalized;
  n.finalized = false;
  std::shared_ptr<const ScopeSpec> held = std::move(n.held_scope);
  if (spec == nullptr) spec = held.get();
  if (spec != nullptr) add_children(now, id, *spec, out);
  if (finalize_requested || (spec != nullptr && spec->finalize)) rule2_finalize(now, node(id), out);
  after_notify(now, node(id), out);  // `started`: a scope that is no longer pending
}

// --- requests --------------------------------------------------------------------------

Expected<NodeId> ScopeTree::spawn(const Now& now, NodeId scope, JobSpec spec, nlohmann::json source, Uid owner,
                                  Effects& out) {
  NodeSpec node_spec{std::move(spec), std::move(source)};
  return submit(now, scope, node_spec, owner, out);
}

Expected<NodeId> ScopeTree::fork(const Now& now, NodeId scope, ForkOptions options, Uid owner, Effects& out) {
  ScopeSpec spec;
  spec.name = std::move(options.name);
  spec.flags = options.flags;
  spec.timeout = options.timeout;
  spec.max_parallel = options.max_parallel;
  spec.finalize = false;  // a forked scope stays open until `finalize` (rule 1)
  nlohmann::json source = {{"name", spec.name}, {"master", spec.flags.master},
                           {"bubble", spec.flags.bubble}, {"awaited", spec.flags.awaited}};
  if (spec.timeout) source["timeout"] = format_duration(*spec.timeout);
  if (spec.max_parallel) source["max_parallel"] = *spec.max_parallel;
  return submit(now, scope, NodeSpec{std::move(spec), std::move(source)}, owner, out);
}

Expected<NodeId> ScopeTree::submit(const Now& now, NodeId scope, const NodeSpec& spec, Uid owner, Effects& out) {
  auto open = check_open_scope(scope);
  if (!open) return open.error();
  const Node& parent = node(scope);
  if (auto ok = check_spec_names(parent, spec); !ok) return ok.error();
  if (scope == kRootId && spec.flags().cleanup)
    return Error{ErrorCode::InvalidRequest, "\"on\": \"cleanup\" needs a scope that ends: \"/\" never does"};
  std::size_t count = 0, depth = 0;
  measure(spec, 1, count, depth);
  // Live work comes before history: a tree full of ended nodes forgets the oldest of them
  // for the new ones, rather than refusing every spawn until `history` more have ended
  // (which, with the tree full, they never would). Live nodes are never forgotten.
  while (nodes_.size() + count > limits_.max_nodes && !ended_.empty()) {
    const NodeId oldest = ended_.front();
    ended_.pop_front();
    forget(oldest, out);
  }
  if (auto ok = check_capacity(count, parent.depth + depth); !ok) return ok.error();
  if (auto ok = check_spec_after(parent, spec); !ok) return ok.error();
  // Its `after` names resolve to the scope's children before it joins them (a name it
  // shares with an ended sibling means that sibling, not itself).
  std::vector<NodeId> deps;
  for (const auto& a : spec.after()) deps.push_back(parent.by_name.at(a.name));
  Node& n = add_node(now, node(scope), spec, owner, out);
  const NodeId id = n.id;
  if (n.flags.cleanup) {
    cleanup_hold(now, n, out);
    if (!n.after.empty()) after_link(n, deps);
  } else if (n.after.empty()) {
    delay_or_start(now, n, spec.is_scope() ? &std::get<ScopeSpec>(spec.node) : nullptr, out);
  } else {
    after_link(n, deps);
    after_settle(now, n, AfterCheck::Initial, out);
  }
  trim_history(out);
  return id;
}

Status ScopeTree::finalize(const Now& now, NodeId scope, Effects& out) {
  const Node* s = find(scope);
  if (s == nullptr) return not_found(scope);
  if (!s->is_scope()) return Error{ErrorCode::InvalidRequest, s->path + " is a job, not a scope"};
  if (scope == kRootId) return Error{ErrorCode::InvalidRequest, "the root scope is never finalized (rule 1)"};
  rule2_finalize(now, node(scope), out);
  trim_history(out);
  return ok_status();
}

Status ScopeTree::cancel(const Now& now, NodeId id, std::string reason, Effects& out) {
  if (find(id) == nullptr) return not_found(id);
  if (reason.empty()) reason = "cancelled by request";
  Node& n = node(id);
  if (id == kRootId) {
    // The root lives as long as the daemon (rule 1): cancelling it cancels everything in it.
    stop_children(now, n, std::move(reason), out);
  } else {
    rule7_cancel(now, n, Outcome::Cancelled, std::move(reason), nullptr, out);
  }
  trim_history(out);
  return ok_status();
}

Status ScopeTree::set_timeout(const Now& now, NodeId id, std::optional<Duration> timeout, Effects& out) {
  if (find(id) == nullptr) return not_found(id);
  Node& n = node(id);
  if (id == kRootId) return Error{ErrorCode::InvalidRequest, "the root scope cannot time out"};
  if (n.is_done()) return Error{ErrorCode::ScopeClosed, n.path + " has already ended"};
  n.timeout = timeout;
  if (timeout) {
    rule6_arm_deadline(now, n, out);  // rule 6: D from now, as traio lets a timeout be overridden
  } else {
    n.own_deadline.reset();
    n.own_deadline_wall.reset();
    out.push_back(DisarmDeadline{id});
  }
  emit(now, n, EventKind::TimeoutSet, timeout ? format_duration(*timeout) : "none", out);
  return ok_status();
}

// Rule 10: whoever waits with --claim takes over the outcome, so the node stops bubbling.
// A node that already ended has already bubbled or not: nothing changes.
void ScopeTree::claim(NodeId id) {
  auto it = nodes_.find(id);
  if (it != nodes_.end() && it->second.is_live()) it->second.claimed = true;
}

// Rule 13: everything is cancelled with grace; the root is done once every job is reaped.
void ScopeTree::shutdown(const Now& now, Effects& out) {
  if (shutting_down_) return;
  shutting_down_ = true;
  Node& root = node(kRootId);
  decide(root, Outcome::Cancelled, "traiod is stopping", nullptr);
  root.state = NodeState::Cancelling;
  emit(now, root, EventKind::Stopping, root.reason, out);
  force_stop(now, root, "traiod is stopping", out);  // cleanup children too (SPEC §6)
  trim_history(out);
}

}  // namespace traio
