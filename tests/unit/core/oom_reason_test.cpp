// SPEC §6 limits: a run the OOM killer ended fails with reason "oom"; a run that succeeds
// anyway stays a success.
#include "tests/unit/core/tree_harness.hpp"

namespace traio::test {

TEST_CASE("oom: a job killed while its cgroup counted an OOM kill ends failed with reason oom") {
  TreeHarness h;
  NodeId a = h.spawn("/", "a");
  ExitInfo exit = ExitInfo::signaled(9);
  exit.oom = true;
  h.report(a, exit);
  CHECK(h.at("/a").outcome == Outcome::Failed);
  CHECK(h.at("/a").reason == "oom");
  CHECK(h.at("/a").run.signal == 9);
}

TEST_CASE("oom: a run that exits 0 despite an OOM kill of one of its processes succeeds") {
  TreeHarness h;
  NodeId a = h.spawn("/", "a");
  ExitInfo exit = ExitInfo::exited(0);
  exit.oom = true;
  h.report(a, exit);
  CHECK(h.at("/a").outcome == Outcome::Succeeded);
  CHECK(h.at("/a").reason == "exited with code 0");
}

}  // namespace traio::test
