// Issue 9 item 7, SPEC §6 "Entrypoint mode": `traiod --run TREE.json` runs the tree, stops
// when it is done (rule 13 for everything else) and exits with the tree's code, also as
// PID 1 of a new PID namespace.
#include <signal.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <doctest/doctest.h>

#include "tests/integration/harness.hpp"

namespace traio::test {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// Everything in `dir`: config, socket, state, the tree file, traiod's log.
TraiodLaunch run_launch(const TempDir& dir, const json& tree, std::vector<std::string> extra_args = {}) {
  const json config = {{"socket", {{"path", (dir / "traio.sock").string()}}},
                       {"state_dir", (dir / "state").string()},
                       {"log_dir", (dir / "logs").string()},
                       {"boot_dir", (dir / "boot").string()},
                       {"defaults", {{"stop", {{"grace", "2s"}}}}}};
  write_file(dir / "traiod.json", config.dump(2));
  write_file(dir / "tree.json", tree.dump(2));
  std::vector<std::string> args = {"--config", (dir / "traiod.json").string(), "--run", (dir / "tree.json").string()};
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  return {.args = std::move(args),
          .log = dir / "traiod.log",
          .leftover_marker = "TRAIO_SOCKET=" + (dir / "traio.sock").string()};
}

json sh_job(const std::string& name, const std::string& script) {
  return {{"name", name}, {"argv", {"sh", "-c", script}}};
}

// The exit status of a traiod that ends by itself (generously bounded: a loaded machine).
int exit_status(Traiod& traiod) { return traiod.stop(0, 10s); }

// A job that says it started, then waits for its stop signal and records it.
json job_recording_its_stop(const TempDir& dir) {
  return sh_job("long", "trap 'echo stopped > " + (dir / "got-stop").string() + "; exit 0' TERM; echo > " +
                            (dir / "started").string() + "; while :; do sleep 0.1; done");
}

bool unshare_permitted() {
  return ::geteuid() == 0 && std::system("unshare -fp --mount-proc true >/dev/null 2>&1") == 0;
}

// The first child of `pid` (traiod under `unshare -f`), or -1.
pid_t first_child(pid_t pid) {
  const std::string task = "/proc/" + std::to_string(pid) + "/task/" + std::to_string(pid) + "/children";
  pid_t child = -1;
  std::ifstream(task) >> child;
  return child;
}

// `wrapper`: e.g. unshare, which forks traiod and does not pass signals on: they go to
// traiod itself.
void check_signal_cancels_the_tree(int signo, std::vector<std::string> wrapper = {}) {
  TempDir dir;
  TraiodLaunch launch = run_launch(dir, {{"name", "svc"}, {"children", {job_recording_its_stop(dir)}}});
  launch.wrapper = std::move(wrapper);
  const bool wrapped = !launch.wrapper.empty();
  Traiod traiod(std::move(launch));
  REQUIRE_MESSAGE(wait_for_file(dir / "started"), traiod.log());
  const pid_t target = wrapped ? first_child(traiod.pid()) : traiod.pid();
  REQUIRE(target > 0);
  ::kill(target, signo);
  CHECK_MESSAGE(exit_status(traiod) == 4, traiod.log());  // cancelled
  CHECK(fs::exists(dir / "got-stop"));
  CHECK(traiod.leftovers().empty());
  CHECK(traiod.log().find("run: /svc ended cancelled") != std::string::npos);
}

}  // namespace

TEST_CASE("entrypoint: a tree that succeeds exits 0 once every process is reaped") {
  TempDir dir;
  // The orphan outlives its job: traiod exits only after it is gone too (rule 7).
  const json tree = {{"name", "ok"},
                     {"children", {sh_job("a", "sleep 0.3 & echo done > " + (dir / "a").string()), sh_job("b", "true")}}};
  Traiod traiod(run_launch(dir, tree));
  CHECK_MESSAGE(exit_status(traiod) == 0, traiod.log());
  CHECK(read_file(dir / "a") == "done\n");
  CHECK(traiod.leftovers().empty());
  CHECK(processes_with_env("TRAIO_SOCKET=" + (dir / "traio.sock").string()).empty());
  CHECK_FALSE(fs::exists(dir / "traio.sock"));
}

TEST_CASE("entrypoint: a failing tree exits with the failed code") {
  TempDir dir;
  const json tree = {{"name", "ci"}, {"children", {sh_job("unit", "exit 3"), sh_job("lint", "sleep 30")}}};
  Traiod traiod(run_launch(dir, tree));
  CHECK_MESSAGE(exit_status(traiod) == 1, traiod.log());
  CHECK(traiod.log().find("run: /ci ended failed") != std::string::npos);
}

TEST_CASE("entrypoint: --exit-code child passes the deciding job's own code out") {
  TempDir dir;
  const json tree = {{"name", "ci"}, {"children", {sh_job("fine", "true"), sh_job("seven", "sleep 0.2; exit 7")}}};
  Traiod traiod(run_launch(dir, tree, {"--exit-code", "child"}));
  CHECK_MESSAGE(exit_status(traiod) == 7, traiod.log());
}

TEST_CASE("entrypoint: --exit-code child gives 128+signal for a job killed by a signal") {
  TempDir dir;
  Traiod traiod(run_launch(dir, {{"children", {sh_job("killed", "kill -KILL $$")}}}, {"--exit-code", "child"}));
  CHECK_MESSAGE(exit_status(traiod) == 128 + SIGKILL, traiod.log());
}

TEST_CASE("entrypoint: traioctl drives it while the tree runs -- its other nodes are cancelled at the end") {
  TempDir dir;
  // The job reaches the daemon through TRAIO_SOCKET (rule 12) and spawns beside the tree.
  json job = sh_job("driver", "\"$CTL\" spawn --scope / --name extra -- sleep 31.77 && \"$CTL\" ps / > " +
                                  (dir / "ps.txt").string());
  job["env"] = {{"CTL", traioctl_bin()}};
  Traiod traiod(run_launch(dir, {{"name", "tree"}, {"children", {job}}}));
  CHECK_MESSAGE(exit_status(traiod) == 0, traiod.log());
  CHECK_MESSAGE(read_file(dir / "ps.txt").find("extra") != std::string::npos, read_file(dir / "ps.txt"), traiod.log());
  CHECK(processes_with_cmdline("sleep 31.77").empty());
  CHECK(traiod.log().find("/extra: done, cancelled") != std::string::npos);
}

TEST_CASE("entrypoint: SIGTERM cancels the tree -- the job gets its stop signal, exit code 4") {
  check_signal_cancels_the_tree(SIGTERM);
}

TEST_CASE("entrypoint: SIGINT cancels the tree as SIGTERM does") { check_signal_cancels_the_tree(SIGINT); }

TEST_CASE("entrypoint: as PID 1 of a new PID namespace it reaps orphans and passes the exit code out") {
  if (!unshare_permitted()) {
    MESSAGE("skipped: unshare -fp --mount-proc is not permitted here (needs root, or a user namespace)");
    return;
  }
  TempDir dir;
  // `orphan` leaves a sleep behind that traiod (PID 1 here) inherits and must reap; `check`
  // runs after it is gone and exits 7 only when its parent is PID 1 and no zombie is left in
  // the namespace's /proc.
  json check = sh_job("check",
                      "sleep 1; [ \"$PPID\" = 1 ] || exit 11; "
                      "if grep -qs '^State:[[:space:]]*Z' /proc/[0-9]*/status; then exit 12; fi; exit 7");
  check["after"] = {{{"name", "orphan"}, {"when", "done"}}};
  const json tree = {{"name", "pid1"}, {"children", {sh_job("orphan", "sleep 0.3 & exit 0"), check}}};
  TraiodLaunch launch = run_launch(dir, tree, {"--exit-code", "child"});
  launch.wrapper = {"unshare", "-fp", "--mount-proc"};
  Traiod traiod(std::move(launch));
  CHECK_MESSAGE(exit_status(traiod) == 7, traiod.log());
  CHECK(traiod.leftovers().empty());
}

TEST_CASE("entrypoint: as PID 1 it gets SIGTERM from outside its namespace and cancels the tree") {
  // The kernel drops a signal to a namespace's init unless it has a handler for it.
  if (!unshare_permitted()) {
    MESSAGE("skipped: unshare -fp --mount-proc is not permitted here (needs root, or a user namespace)");
    return;
  }
  check_signal_cancels_the_tree(SIGTERM, {"unshare", "-fp", "--mount-proc"});
}

TEST_CASE("entrypoint: an invalid tree file is an error with its JSON path, exit 2, nothing started") {
  TempDir dir;
  Traiod traiod(run_launch(dir, {{"children", {{{"name", "x"}, {"argv", "not-an-array"}}}}}));
  CHECK(exit_status(traiod) == 2);
  const std::string log = traiod.log();
  CHECK_MESSAGE(log.find("tree.json: children[0].argv") != std::string::npos, log);
  CHECK(log.find("listening") == std::string::npos);
  CHECK_FALSE(fs::exists(dir / "traio.sock"));
  CHECK_FALSE(fs::exists(dir / "state"));
}

TEST_CASE("entrypoint: a tree file that cannot be read is an error, exit 2, nothing started") {
  TempDir dir;
  TraiodLaunch launch = run_launch(dir, json::object());
  fs::remove(dir / "tree.json");
  Traiod traiod(std::move(launch));
  CHECK(exit_status(traiod) == 2);
  CHECK_MESSAGE(traiod.log().find("tree.json: cannot read") != std::string::npos, traiod.log());
  CHECK_FALSE(fs::exists(dir / "traio.sock"));
}

TEST_CASE("entrypoint: --exit-code without --run is a usage error") {
  TempDir dir;
  TraiodLaunch launch = run_launch(dir, json::object());
  launch.args = {"--config", (dir / "traiod.json").string(), "--exit-code", "child"};
  Traiod traiod(std::move(launch));
  CHECK(exit_status(traiod) == 2);
  CHECK_MESSAGE(traiod.log().find("--exit-code requires --run") != std::string::npos, traiod.log());
}

}  // namespace traio::test
