// Entrypoint mode (SPEC §6) in-process: the tree's code once the daemon has stopped, and the
// tree file loader that refuses before anything starts. The real binary: tests/integration.
#include <fstream>

#include <boost/asio/io_context.hpp>
#include <doctest/doctest.h>

#include "daemon/server/entrypoint.hpp"
#include "tests/unit/server/server_test_support.hpp"

using namespace traio;
using namespace traio::server_test;

namespace {

void write(const std::string& path, const std::string& text) { std::ofstream(path) << text; }

BootTree tree_of(const std::string& text) {
  auto parsed = parse_node_spec(json::parse(text), SpecKind::Tree);
  REQUIRE(std::holds_alternative<NodeSpec>(parsed));
  return {"test.json", std::get<NodeSpec>(std::move(parsed))};
}

// Runs `tree` as `traiod --run` does, after `boot`; returns its code once the loop stopped.
int run_tree(const BootTree& tree, ExitCodeMode mode, const std::vector<BootTree>& boot = {}) {
  test::TempDir dir;
  DaemonConfig config = default_daemon_config();
  config.socket.path = dir.file("traio.sock");
  config.socket.group.clear();
  config.state_dir = dir.file("state");
  config.log_dir = dir.file("state/logs");
  boost::asio::io_context io;
  Daemon daemon(io, config, StopSignals::Ignore);
  Entrypoint entrypoint(io, daemon, mode);
  daemon.start();
  daemon.submit_boot_trees(boot);
  entrypoint.start(tree);
  io.run();
  CHECK(daemon.phase() == DaemonPhase::Stopped);
  return entrypoint.exit_code();
}

}  // namespace

TEST_CASE("entrypoint: an empty tree ends at once -- the daemon stops with code 0") {
  CHECK(run_tree(tree_of(R"({"name": "empty", "children": []})"), ExitCodeMode::Outcome) == 0);
}

TEST_CASE("entrypoint: a tree that times out gives code 3, the daemon's other nodes cancelled") {
  const auto boot = tree_of(R"({"name": "sidecar", "children": [{"kind": "sleep", "duration": "1h"}]})");
  const auto tree = tree_of(R"({"name": "t", "timeout": "100ms", "children": [{"kind": "sleep", "duration": "1h"}]})");
  CHECK(run_tree(tree, ExitCodeMode::Outcome, {boot}) == 3);
}

TEST_CASE("entrypoint: a tree the core refuses (its name taken by a boot tree) gives code 7 and stops") {
  const auto boot = tree_of(R"({"name": "svc", "children": [{"kind": "sleep", "duration": "1h"}]})");
  CHECK(run_tree(tree_of(R"({"name": "svc", "children": []})"), ExitCodeMode::Outcome, {boot}) == 7);
}

TEST_CASE("entrypoint: --exit-code child without a deciding process falls back to the outcome code") {
  // A sleep has no exit code of its own, as `traioctl run --exit-code child` says.
  const auto tree = tree_of(R"({"name": "t", "children": [{"kind": "sleep", "duration": "10ms"}]})");
  CHECK(run_tree(tree, ExitCodeMode::Child) == 0);
}

TEST_CASE("tree file: a valid file gives its tree, an invalid one every error with its JSON path") {
  test::TempDir dir;
  write(dir.file("good.json"), R"({"name": "ci", "children": [{"argv": ["true"]}]})");
  auto good = load_tree_file(dir.file("good.json"), {});
  REQUIRE(good.errors.empty());
  REQUIRE(good.trees.size() == 1);
  CHECK(good.trees[0].spec.name() == "ci");

  write(dir.file("bad.json"), R"({"children": [{"argv": 5}, {"argv": ["x"], "colour": 1}]})");
  auto bad = load_tree_file(dir.file("bad.json"), {});
  CHECK(bad.trees.empty());
  REQUIRE(bad.errors.size() == 2);
  CHECK(bad.errors[0].find("bad.json: children[0].argv") != std::string::npos);
  CHECK(bad.errors[1].find("children[1].colour") != std::string::npos);
}

TEST_CASE("tree file: a missing file or a directory is an error, not an empty tree") {
  test::TempDir dir;
  auto missing = load_tree_file(dir.file("missing.json"), {});
  REQUIRE(missing.errors.size() == 1);
  CHECK(missing.errors[0].find("cannot read") != std::string::npos);
  auto directory = load_tree_file(dir.path(), {});
  REQUIRE(directory.errors.size() == 1);
  CHECK(directory.errors[0].find("is a directory") != std::string::npos);
  CHECK(directory.trees.empty());
}
