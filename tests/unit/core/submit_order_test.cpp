// A tree's children all exist before any of them starts (found by the soak, issue 7): a
// child that ends its scope the moment it starts must not leave later siblings live under
// a scope that is done.
#include "tests/unit/core/tree_harness.hpp"

namespace traio::test {

namespace {

NodeSpec job_node(JobSpec job) { return NodeSpec{std::move(job), {}}; }

NodeSpec scope_node(std::string name, std::vector<NodeSpec> children, NodeFlags f = {},
                    std::vector<AfterSpec> after = {}) {
  ScopeSpec scope;
  scope.name = std::move(name);
  scope.children = std::move(children);
  scope.flags = f;
  scope.after = std::move(after);
  return NodeSpec{std::move(scope), {}};
}

const NodeFlags kMaster = flags(true, true, true);

}  // namespace

TEST_CASE("rule 4: an empty master scope ending at submit cancels the siblings submitted after it") {
  TreeHarness h;
  // t: m (master, empty: ends at once), then a job and a scope waiting on m.
  h.submit("/", scope_node("t", {scope_node("m", {}, kMaster), job_node(process_job("j")),
                                 scope_node("s", {job_node(process_job("inner"))}, {}, {AfterSpec{"m", AfterWhen::Done}})}));
  auto batch = h.take();
  CHECK(h.state("/t") == NodeState::Done);
  CHECK(h.at("/t").outcome == Outcome::Succeeded);
  CHECK(h.state("/t/j") == NodeState::Done);
  CHECK(h.at("/t/j").outcome == Outcome::Cancelled);
  CHECK(h.count<StartJob>(batch, h.id("/t/j")) == 0);  // never started: nothing to stop
  CHECK(h.state("/t/s") == NodeState::Done);
  CHECK(h.at("/t/s").outcome == Outcome::Cancelled);
  CHECK_FALSE(h.tree.resolve("/t/s/inner").has_value());  // a pending scope's children are held
  CHECK(h.tree.live_count() == 1);                        // the root only
}

TEST_CASE("rule 4: a nested tree whose scope ended at submit leaves nothing live -- forgetting it is safe") {
  TreeHarness h(TreeLimits{0});  // history 0: every ended node is forgotten at once
  // The soak's crash: /t/s0 ended (master m) while its pending child p was added after it,
  // and the history then tried to forget a live node.
  h.submit("/", scope_node("t", {scope_node("s0", {scope_node("m", {}, kMaster),
                                                   scope_node("p", {}, {}, {AfterSpec{"m", AfterWhen::Ready}})}),
                                 job_node(process_job("j"))}));
  CHECK(h.tree.live_count() == 3);  // the root, /t and /t/j
  h.started("/t/j");
  h.exited("/t/j", 0);
  CHECK(h.tree.live_count() == 1);
}

TEST_CASE("submit: children without after still all start, in order, when none ends the scope") {
  TreeHarness h;
  h.submit("/", scope_node("t", {job_node(process_job("a")), scope_node("s", {job_node(process_job("b"))}),
                                 job_node(process_job("c"))}));
  auto batch = h.take();
  std::vector<NodeId> started;
  for (const auto& e : batch)
    if (const auto* s = std::get_if<StartJob>(&e)) started.push_back(s->id);
  CHECK(started == std::vector<NodeId>{h.id("/t/a"), h.id("/t/s/b"), h.id("/t/c")});
  CHECK(h.state("/t/a") == NodeState::Running);
  CHECK(h.state("/t/s") == NodeState::Finalized);
  CHECK(h.state("/t/c") == NodeState::Running);
}

}  // namespace traio::test
