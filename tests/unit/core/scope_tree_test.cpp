// Names, paths, history, limits and atomic submission (SPEC §1 "Paths", §4 limits).
#include "tests/unit/core/tree_harness.hpp"

namespace traio::test {

TEST_CASE("paths: a name is unique among live siblings") {
  TreeHarness h;
  h.spawn("/", "a");
  Effects out;
  auto r = h.tree.spawn(h.now, kRootId, process_job("a"), {}, 0, out);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == ErrorCode::NameTaken);
}

TEST_CASE("paths: an ended sibling's name may be reused -- the path then names the new node") {
  TreeHarness h;
  NodeId old_id = h.spawn("/", "a");
  h.exited("/a", 0);
  CHECK(h.id("/a") == old_id);  // ended nodes stay resolvable
  NodeId new_id = h.spawn("/", "a");
  CHECK(h.id("/a") == new_id);
}

TEST_CASE("paths: omitted names are generated") {
  TreeHarness h;
  NodeId j = h.spawn("/", process_job(""));
  NodeId s = h.fork("/", "");
  CHECK(h.tree.find(j)->name.rfind("job-", 0) == 0);
  CHECK(h.tree.find(s)->name.rfind("scope-", 0) == 0);
  CHECK(h.tree.resolve(h.tree.find(j)->path) == j);
}

TEST_CASE("paths: resolve rejects malformed and unknown paths") {
  TreeHarness h;
  h.fork("/", "s");
  CHECK(h.tree.resolve("/") == kRootId);
  CHECK_FALSE(h.tree.resolve("/nope").has_value());
  CHECK_FALSE(h.tree.resolve("/s/../s").has_value());
  CHECK_FALSE(h.tree.resolve("s").has_value());
}

TEST_CASE("history: ended nodes are forgotten beyond the history limit, oldest first") {
  TreeHarness h(TreeLimits{3, 100000, 64});
  for (int i = 0; i < 5; ++i) {
    h.spawn("/", "j" + std::to_string(i));
    h.exited("/j" + std::to_string(i), 0);
  }
  CHECK_FALSE(h.tree.resolve("/j0").has_value());
  CHECK_FALSE(h.tree.resolve("/j1").has_value());
  CHECK(h.tree.resolve("/j2").has_value());
  CHECK(h.tree.resolve("/j4").has_value());
  CHECK(h.tree.root().children.size() == 3);
  bool forgot = false;
  for (const auto& e : h.effects) forgot = forgot || std::holds_alternative<ForgetNode>(e);
  CHECK(forgot);
}

TEST_CASE("history: a forgotten child leaves its parent's cause readable") {
  TreeHarness h(TreeLimits{1, 100000, 64});
  h.fork("/", "s");
  h.spawn("/s", "a");
  h.exited("/s/a", 9);
  // /s/a ended, then /s: /s/a is forgotten but /s's cause still says what happened
  CHECK_FALSE(h.tree.resolve("/s/a").has_value());
  REQUIRE(h.at("/s").cause);
  CHECK(h.at("/s").cause->exit_code == 9);
}

TEST_CASE("limits: the node limit refuses a submit that would exceed it") {
  TreeHarness h(TreeLimits{1000, 3, 64});
  h.spawn("/", "a");
  h.spawn("/", "b");  // root + 2
  Effects out;
  auto r = h.tree.spawn(h.now, kRootId, process_job("c"), {}, 0, out);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == ErrorCode::LimitExceeded);
}

TEST_CASE("limits: a tree full of ended nodes forgets the oldest ended ones to make room -- never a live one") {
  TreeHarness h(TreeLimits{1000, 4, 64});
  h.spawn("/", "live");
  h.spawn("/", "a");
  h.spawn("/", "b");  // root + 3: full
  h.exited("/a", 0);
  h.exited("/b", 0);
  h.spawn("/", "c");  // /a is forgotten for it, /b is kept
  CHECK_FALSE(h.tree.resolve("/a").has_value());
  CHECK(h.tree.resolve("/b").has_value());
  h.spawn("/", "d");  // now /b
  CHECK_FALSE(h.tree.resolve("/b").has_value());
  Effects out;
  auto r = h.tree.spawn(h.now, kRootId, process_job("e"), {}, 0, out);
  REQUIRE_FALSE(r.ok());  // /live, /c and /d are live
  CHECK(r.error().code == ErrorCode::LimitExceeded);
}

TEST_CASE("limits: the depth limit refuses deep trees") {
  TreeHarness h(TreeLimits{1000, 1000, 2});
  h.fork("/", "a");
  h.fork("/a", "b");
  Effects out;
  auto r = h.tree.fork(h.now, h.id("/a/b"), ForkOptions{"c", {}, {}}, 0, out);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == ErrorCode::LimitExceeded);
}

TEST_CASE("submit: a tree with a clashing name adds nothing") {
  TreeHarness h;
  h.spawn("/", "taken");
  ScopeSpec scope;
  scope.name = "taken";
  scope.children.push_back(NodeSpec{process_job("a"), {}});
  Effects out;
  auto r = h.tree.submit(h.now, kRootId, NodeSpec{scope, {}}, 0, out);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == ErrorCode::NameTaken);
  CHECK(out.empty());
  CHECK(h.tree.node_count() == 2);
}

TEST_CASE("submit: duplicate sibling names inside a tree are refused") {
  TreeHarness h;
  ScopeSpec scope;
  scope.name = "t";
  scope.children.push_back(NodeSpec{process_job("a"), {}});
  scope.children.push_back(NodeSpec{process_job("a"), {}});
  Effects out;
  auto r = h.tree.submit(h.now, kRootId, NodeSpec{scope, {}}, 0, out);
  REQUIRE_FALSE(r.ok());
  CHECK(h.tree.node_count() == 1);
}

TEST_CASE("submit: an empty tree ends at once, succeeded") {
  TreeHarness h;
  ScopeSpec scope;
  scope.name = "empty";
  Effects out;
  REQUIRE(h.tree.submit(h.now, kRootId, NodeSpec{scope, {}}, 0, out).ok());
  CHECK(h.outcome("/empty") == Outcome::Succeeded);
}

TEST_CASE("events: every lifecycle step is emitted in order with increasing seq") {
  TreeHarness h;
  h.spawn("/", "a");
  h.started("/a", 77);
  h.exited("/a", 0);
  std::vector<EventKind> kinds;
  std::uint64_t last = 0;
  for (const auto& e : h.effects) {
    if (const auto* ev = std::get_if<EmitEvent>(&e)) {
      CHECK(ev->event.seq > last);
      last = ev->event.seq;
      if (ev->event.path == "/a") kinds.push_back(ev->event.kind);
    }
  }
  std::vector<EventKind> expected{EventKind::Created, EventKind::Started, EventKind::Ready, EventKind::Exited,
                                  EventKind::Done};
  CHECK(kinds == expected);
  CHECK(h.at("/a").run.pid == 77);
}

TEST_CASE("reports: stale reports about unknown or ended jobs are ignored") {
  TreeHarness h;
  NodeId a = h.spawn("/", "a");
  h.exited("/a", 0);
  Effects out;
  h.tree.on_job_exited(h.now, a, ExitInfo::exited(1), out);
  h.tree.on_job_exited(h.now, 999, ExitInfo::exited(1), out);
  h.tree.on_deadline(h.now, 999, out);
  CHECK(h.outcome("/a") == Outcome::Succeeded);
}

}  // namespace traio::test
