// Restored nodes (scope_restore.cpp): done nodes of an earlier daemon run, read back from
// the crash journal. They are resolvable, take no part in the rules, free their names for
// new nodes and leave the history like any ended node.
#include "tests/unit/core/tree_harness.hpp"

namespace traio::test {

namespace {

RestoredNode restored(NodeType type, std::string name, Outcome outcome) {
  RestoredNode r;
  r.type = type;
  r.name = std::move(name);
  r.outcome = outcome;
  r.reason = "from the journal";
  return r;
}

}  // namespace

TEST_CASE("restore: a restored scope and its job are done, resolvable, and leave the root's live counts alone") {
  TreeHarness h;
  Effects out;
  auto scope = h.tree.restore(kRootId, restored(NodeType::Scope, "ci", Outcome::Lost), out);
  REQUIRE(scope.ok());
  auto job = h.tree.restore(*scope, restored(NodeType::Job, "unit", Outcome::Failed), out);
  REQUIRE(job.ok());
  CHECK(h.tree.resolve("/ci/unit") == *job);
  const Node* n = h.tree.find(*job);
  CHECK(n->is_done());
  CHECK(n->outcome == Outcome::Failed);
  CHECK(n->reason == "from the journal");
  CHECK(n->job != nullptr);
  CHECK(h.tree.find(*scope)->outcome == Outcome::Lost);
  CHECK(h.tree.live_count() == 1);  // the root only
  CHECK(h.tree.root().live_children == 0);
  CHECK(out.empty());
}

TEST_CASE("restore: a new node may take a restored node's name -- the path then names the new one") {
  TreeHarness h;
  Effects out;
  auto old_id = h.tree.restore(kRootId, restored(NodeType::Job, "web", Outcome::Lost), out);
  REQUIRE(old_id.ok());
  NodeId fresh = h.spawn("/", "web");
  CHECK(fresh != *old_id);
  CHECK(h.tree.resolve("/web") == fresh);
  // ...and a restore under a live name is refused.
  auto clash = h.tree.restore(kRootId, restored(NodeType::Job, "web", Outcome::Lost), out);
  REQUIRE_FALSE(clash.ok());
  CHECK(clash.error().code == ErrorCode::NameTaken);
}

TEST_CASE("restore: only into a scope that exists -- restored nodes leave with the history") {
  TreeLimits limits;
  limits.history = 2;
  TreeHarness h(limits);
  Effects out;
  auto job = h.tree.restore(kRootId, restored(NodeType::Job, "j", Outcome::Succeeded), out);
  REQUIRE(job.ok());
  CHECK_FALSE(h.tree.restore(*job, restored(NodeType::Job, "x", Outcome::Lost), out).ok());  // not a scope
  CHECK_FALSE(h.tree.restore(9999, restored(NodeType::Job, "x", Outcome::Lost), out).ok());
  REQUIRE(h.tree.restore(kRootId, restored(NodeType::Job, "k", Outcome::Lost), out).ok());
  REQUIRE(h.tree.restore(kRootId, restored(NodeType::Job, "l", Outcome::Lost), out).ok());
  CHECK(h.tree.find(*job) == nullptr);  // the oldest left the history
  CHECK_FALSE(h.tree.resolve("/j").has_value());
  CHECK(h.tree.resolve("/l").has_value());
}

}  // namespace traio::test
