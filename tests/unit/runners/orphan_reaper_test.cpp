// The orphan reaper with real processes: orphans that come back to the subreaper are
// reaped, and a job's own exit status is never stolen from its runner.
#include <doctest/doctest.h>

#include "daemon/runners/supervisor.hpp"
#include "tests/unit/os/os_test_support.hpp"
#include "tests/unit/runners/runner_test_support.hpp"

using namespace traio;
using namespace std::chrono_literals;

namespace {

struct ReaperFixture {
  test::TempDir dir;
  DaemonConfig config = [this] {
    DaemonConfig c;
    c.log_dir = dir.file("logs");
    return c;
  }();
  boost::asio::io_context io;
  Supervisor supervisor{io, config, "/run/test/traio.sock"};

  NodeId spawn(std::vector<std::string> argv) {
    JobSpec spec;
    spec.argv = std::move(argv);
    spec.flags.bubble = false;
    auto id = supervisor.act([&](const Now& now, ScopeTree& tree, Effects& out) {
      return tree.spawn(now, kRootId, std::move(spec), nlohmann::json::object(), 0, out);
    });
    REQUIRE(id.ok());
    return *id;
  }
};

}  // namespace

TEST_CASE("orphan reaper: an orphan a job left behind comes back to traiod and is reaped") {
  ReaperFixture f;
  f.supervisor.enable_orphan_reaping();
  // The subshell forks `sleep` and exits: sleep is orphaned and reparented to the subreaper.
  NodeId id = f.spawn({"sh", "-c", "(sleep 0.2 &); exit 5"});
  REQUIRE(test::run_until(f.io, [&] { return f.supervisor.tree().find(id)->is_done(); }));
  CHECK(f.supervisor.tree().find(id)->run.exit_code == 5);
  REQUIRE(test::run_until(f.io, [&] { return f.supervisor.orphans_reaped() >= 1 && test::no_children_left(); }));
}

TEST_CASE("orphan reaper: jobs exiting at once keep their own exit codes") {
  ReaperFixture f;
  f.supervisor.enable_orphan_reaping();
  std::vector<NodeId> ids;
  for (int code = 0; code < 30; ++code) ids.push_back(f.spawn({"sh", "-c", "exit " + std::to_string(code)}));
  REQUIRE(test::run_until(f.io, [&] { return f.supervisor.running_jobs() == 0; }));
  for (int code = 0; code < 30; ++code) CHECK(f.supervisor.tree().find(ids[code])->run.exit_code == code);
  CHECK(f.supervisor.orphans_reaped() == 0);
  CHECK(test::no_children_left());
}
