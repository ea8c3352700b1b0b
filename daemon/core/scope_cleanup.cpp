// SPEC §6 "Cleanup and stop order". A child with `"on": "cleanup"` waits, pending, until
// its scope begins to end (cancelled, timed out, failed, or its awaited work done); then it
// starts, shielded from that ending: only its own timeout, a forced cancel (`cancel
// --force`) and daemon stop end it. The scope is done after it, and its failure becomes the
// scope's outcome only if the scope would otherwise succeed. A scope with
// `"stop_order": "reverse"` stops a child only once no started sibling depends on it
// (`after`), and the children unrelated to any awaited one last.
#include <algorithm>
#include <numeric>
#include <unordered_map>
#include <string>

#include "daemon/core/scope_tree.hpp"

namespace traio {

namespace {

bool is_held_for_order(const Node& c) {
  // Not yet asked to stop: a running job, or a scope that is still open.
  return !c.flags.cleanup && (c.state == NodeState::Running || c.state == NodeState::Paused ||
                              c.state == NodeState::Open || c.state == NodeState::Finalized);
}

bool has_started(const Node& c) { return c.state != NodeState::Pending && c.state != NodeState::Queued; }

}  // namespace

// A cleanup child counts among its scope's live children (the scope is done after it) but
// not among the awaited ones: the scope's work is done without it, which is what starts it.
bool ScopeTree::counts_as_awaited(const Node& n) { return n.flags.awaited && !n.flags.cleanup; }

bool ScopeTree::forcing() const { return forcing_ || shutting_down_; }

void ScopeTree::cleanup_hold(const Now& now, Node& n, Effects& out) {
  emit(now, n, EventKind::Pending, "cleanup: starts when " + node(n.parent).path + " ends", out);
}

// Its scope began to end: the cleanup child starts, once its own `after` lets it.
void ScopeTree::cleanup_release(const Now& now, Node& n, Effects& out) {
  if (n.state != NodeState::Pending) return;
  if (!n.after.empty()) return after_settle(now, n, AfterCheck::Recheck, out);
  n.state = n.is_scope() ? NodeState::Open : NodeState::Running;
  emit(now, n, EventKind::Released, "cleanup: " + node(n.parent).path + " is ending", out);
  cleanup_start(now, n, out);
}

// No slot of max_parallel: the scope's queue is cancelled by now, and a cleanup must not
// wait behind children that are stopping. Its timeout runs from here.
void ScopeTree::cleanup_start(const Now& now, Node& n, Effects& out) {
  rule6_arm_deadline(now, n, out);
  launch(now, n, nullptr, out);
}

void ScopeTree::cleanup_outcome(Node& child, Node& scope) {
  if (!child.flags.cleanup || !is_failure(child.outcome) || scope.outcome != Outcome::Succeeded) return;
  scope.outcome = child.outcome;
  scope.reason = "cleanup " + child.path + " " + std::string(to_string(child.outcome));
  if (!child.reason.empty()) scope.reason += ": " + child.reason;
  scope.cause = cause_of(child);
  refresh_cause(scope);
}

// Reverse stop order: stops every held child that nothing waits for any more. Called when
// the scope begins to end and after each of its children is done. Children in a group
// (linked by `after`) holding an awaited child stop first, dependents before what they
// depend on; the groups of non-awaited children alone stop once those are done. Grouping
// rather than "non-awaited last" for each child: a non-awaited sidecar `after` an awaited
// app must stop before the app, and each rule alone would deadlock the other.
void ScopeTree::stop_order_next(const Now& now, Node& scope, Effects& out) {
  if (scope.state != NodeState::Cancelling) return;
  // Every child still in the tree, ended ones too: a db that an awaited app needed stays in
  // the app's group after the app is gone, so it still stops before the lone ones.
  std::vector<Node*> kids;
  bool any_held = false;
  for (NodeId id : scope.children) {
    auto it = nodes_.find(id);
    if (it == nodes_.end()) continue;
    kids.push_back(&it->second);
    any_held = any_held || (it->second.is_live() && is_held_for_order(it->second));
  }
  if (!any_held) return;
  // Union-find over the children that are not cleanup ones, joined by `after`.
  std::unordered_map<NodeId, std::size_t> index;
  for (std::size_t i = 0; i < kids.size(); ++i) index.emplace(kids[i]->id, i);
  std::vector<std::size_t> group(kids.size());
  std::iota(group.begin(), group.end(), 0);
  auto root = [&](std::size_t i) {
    while (group[i] != i) i = group[i] = group[group[i]];
    return i;
  };
  std::vector<bool> depended_on(kids.size(), false);
  for (std::size_t i = 0; i < kids.size(); ++i) {
    for (const AfterLink& link : kids[i]->after_links) {
      auto dep = index.find(link.id);
      if (dep == index.end()) continue;
      // A live dependent that has started holds what it depends on.
      if (kids[i]->is_live() && has_started(*kids[i])) depended_on[dep->second] = true;
      if (!kids[i]->flags.cleanup && !kids[dep->second]->flags.cleanup) group[root(i)] = root(dep->second);
    }
  }
  std::vector<bool> awaited_group(kids.size(), false);
  for (std::size_t i = 0; i < kids.size(); ++i)
    if (counts_as_awaited(*kids[i])) awaited_group[root(i)] = true;
  bool first_groups_left = false;  // a live member of a group holding an awaited child
  for (std::size_t i = 0; i < kids.size(); ++i)
    if (kids[i]->is_live() && !kids[i]->flags.cleanup && awaited_group[root(i)]) first_groups_left = true;
  const std::string reason = "scope " + scope.path + " is ending";
  for (std::size_t i = 0; i < kids.size(); ++i) {
    Node& c = *kids[i];
    if (!c.is_live() || !is_held_for_order(c) || depended_on[i]) continue;
    if (!awaited_group[root(i)] && first_groups_left) continue;  // a group of non-awaited children alone: last
    rule7_cancel(now, c, Outcome::Cancelled, reason, nullptr, out);
  }
}

// `cancel --force` and daemon stop: the node and everything under it stop now, cleanup
// children and those held by a reverse stop order included. Jobs already stopping go on
// with their grace period.
void ScopeTree::force_stop(const Now& now, Node& n, const std::string& reason, Effects& out) {
  if (!n.is_live()) return;
  const bool was_forcing = forcing_;
  forcing_ = true;
  if (n.id != kRootId) rule7_cancel(now, n, Outcome::Cancelled, reason, nullptr, out);
  if (n.is_scope() && n.is_live() && (n.state == NodeState::Cancelling || n.id == kRootId)) {
    stop_children(now, n, reason, out);
    for (NodeId id : std::vector<NodeId>(n.children)) {
      auto it = nodes_.find(id);
      if (it != nodes_.end() && it->second.is_live() && it->second.is_scope()) force_stop(now, it->second, reason, out);
    }
    maybe_scope_done(now, n, out);
  }
  forcing_ = was_forcing;
}

Status ScopeTree::force_cancel(const Now& now, NodeId id, std::string reason, Effects& out) {
  if (find(id) == nullptr) return Error{ErrorCode::NotFound, "no node #" + std::to_string(id)};
  if (reason.empty()) reason = "cancelled by request (forced)";
  force_stop(now, node(id), reason, out);
  trim_history(out);
  return ok_status();
}

}  // namespace traio
