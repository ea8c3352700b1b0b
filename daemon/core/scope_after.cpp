// `after` (SPEC §2, §6 "Dependencies"): a node waits, Pending, until its named siblings
// meet its conditions; then it is released and starts. When a condition can no longer be
// met it never starts and ends skipped, which is no failure (it does not bubble) and in
// turn skips the nodes that wait on it.
#include <algorithm>
#include <string>
#include <unordered_map>

#include "common/node_path.hpp"
#include "daemon/core/after_condition.hpp"
#include "daemon/core/scope_tree.hpp"

namespace traio {

namespace {

Error no_sibling(const std::string& name, const std::string& scope_path) {
  return {ErrorCode::InvalidRequest, "after: no sibling named '" + name + "' in " + scope_path};
}

// Depth-first search for a cycle among siblings; `trail` is the path to the current one.
// 0: not visited, 1: on the trail, 2: finished.
bool find_cycle(const std::vector<NodeSpec>& children, const std::unordered_map<std::string, std::size_t>& index,
                std::size_t at, std::vector<int>& mark, std::vector<std::size_t>& trail) {
  mark[at] = 1;
  trail.push_back(at);
  for (const auto& a : children[at].after()) {
    const std::size_t next = index.at(a.name);
    if (mark[next] == 1) {
      trail.push_back(next);
      return true;
    }
    if (mark[next] == 0 && find_cycle(children, index, next, mark, trail)) return true;
  }
  trail.pop_back();
  mark[at] = 2;
  return false;
}

std::string cycle_text(const std::vector<NodeSpec>& children, const std::vector<std::size_t>& trail) {
  // The trail ends with the node that closes the cycle; print from its first occurrence.
  auto first = std::find(trail.begin(), trail.end(), trail.back());
  std::string text;
  for (auto it = first; it != trail.end(); ++it) {
    if (!text.empty()) text += " -> ";
    text += children[*it].name();
  }
  return text;
}

}  // namespace

// A node added to an existing scope may wait on that scope's children, live or ended (still
// in history). Checked before anything of the submission is added.
Status ScopeTree::check_spec_after(const Node& scope, const NodeSpec& spec) const {
  for (const auto& a : spec.after()) {
    if (!scope.by_name.contains(a.name)) return no_sibling(a.name, scope.path);
  }
  if (!spec.is_scope()) return ok_status();
  const std::string name = spec.name().empty() ? "(unnamed)" : spec.name();
  return check_children_after(join_path(scope.path, name), std::get<ScopeSpec>(spec.node));
}

// Inside a submitted tree, `after` names siblings in the same children array; a name that is
// not there, or a cycle among them, refuses the whole submission.
Status ScopeTree::check_children_after(const std::string& path, const ScopeSpec& spec) const {
  const auto& children = spec.children;
  std::unordered_map<std::string, std::size_t> index;
  for (std::size_t i = 0; i < children.size(); ++i) {
    if (!children[i].name().empty()) index.emplace(children[i].name(), i);
  }
  for (const auto& child : children) {
    for (const auto& a : child.after()) {
      if (!index.contains(a.name)) return no_sibling(a.name, path);
    }
  }
  std::vector<int> mark(children.size(), 0);
  for (std::size_t i = 0; i < children.size(); ++i) {
    std::vector<std::size_t> trail;
    if (mark[i] == 0 && find_cycle(children, index, i, mark, trail))
      return Error{ErrorCode::InvalidRequest, "after: cycle in " + path + ": " + cycle_text(children, trail)};
  }
  for (const auto& child : children) {
    if (!child.is_scope()) continue;
    const std::string name = child.name().empty() ? "(unnamed)" : child.name();
    if (auto ok = check_children_after(join_path(path, name), std::get<ScopeSpec>(child.node)); !ok) return ok;
  }
  return ok_status();
}

void ScopeTree::after_link(Node& n, const std::vector<NodeId>& deps) {
  n.after_links.clear();
  for (NodeId dep : deps) {
    n.after_links.push_back(AfterLink{dep, false});
    Node& d = node(dep);
    if (std::find(d.waiters.begin(), d.waiters.end(), n.id) == d.waiters.end()) d.waiters.push_back(n.id);
  }
}

// A node that left Pending no longer listens to its siblings (a long-lived sibling would
// otherwise collect the ids of every node that ever waited on it).
void ScopeTree::after_unlink(const Node& n) {
  for (const auto& link : n.after_links) {
    if (auto it = nodes_.find(link.id); it != nodes_.end()) std::erase(it->second.waiters, n.id);
  }
}

// Looks at a pending node's conditions: all met, it is released and starts; one that can no
// longer be met skips it; otherwise it waits (announced once, by the initial check).
void ScopeTree::after_settle(const Now& now, Node& n, AfterCheck check, Effects& out) {
  if (n.state != NodeState::Pending) return;
  const Node& parent = node(n.parent);
  // A scope that is ending cancels its pending children itself (rule 7): none starts now.
  // A cleanup child is the other way round: it may start only once its scope is ending.
  const bool parent_starts = n.flags.cleanup ? parent.state == NodeState::Cancelling
                                             : parent.state == NodeState::Open || parent.state == NodeState::Finalized;
  if (!parent_starts) return;
  bool all_met = true;
  std::optional<std::size_t> never;  // the first condition that can no longer be met
  for (std::size_t i = 0; i < n.after_links.size(); ++i) {
    const Node* dep = find(n.after_links[i].id);
    // A sibling leaves the history only after it ended, and a pending node is settled when
    // its siblings end: a missing one is an ended one whose outcome we no longer know.
    const AfterStatus status = dep != nullptr ? after_status(*dep, n.after[i].when) : AfterStatus::Never;
    n.after_links[i].met = status == AfterStatus::Met;
    all_met = all_met && n.after_links[i].met;
    if (status == AfterStatus::Never && !never) never = i;
  }
  if (never) {
    const AfterSpec& a = n.after[*never];
    Node* dep = nodes_.contains(n.after_links[*never].id) ? &node(n.after_links[*never].id) : nullptr;
    std::string what = dep != nullptr ? std::string(to_string(dep->outcome)) : "left the history";
    decide(n, Outcome::Skipped, "skipped: " + a.name + " " + what + ", needed " + std::string(to_string(a.when)),
           dep != nullptr ? cause_of(*dep) : nullptr);
    enter_done(now, n, out);  // cascades to the nodes that wait on this one
    return;
  }
  if (all_met) {
    n.state = n.is_scope() ? NodeState::Open : NodeState::Running;
    std::string names;
    for (const auto& a : n.after) names += (names.empty() ? "" : ", ") + a.name + " " + std::string(to_string(a.when));
    emit(now, n, EventKind::Released, names, out);
    after_unlink(n);
    if (n.flags.cleanup) cleanup_start(now, n, out);
    else delay_or_start(now, n, nullptr, out);  // §6: its delay runs now, then it competes for a slot
    return;
  }
  switch (check) {
    case AfterCheck::Initial:
      emit(now, n, EventKind::Pending, after_waiting_text(n), out);
      break;
    case AfterCheck::Recheck:
      break;
  }
}

// A sibling started, became ready or ended: its pending waiters look again.
void ScopeTree::after_notify(const Now& now, Node& dep, Effects& out) {
  if (dep.waiters.empty()) return;
  const std::vector<NodeId> waiters = dep.waiters;  // settling may cascade back here
  for (NodeId id : waiters) {
    auto it = nodes_.find(id);
    if (it != nodes_.end()) after_settle(now, it->second, AfterCheck::Recheck, out);
  }
}

}  // namespace traio
