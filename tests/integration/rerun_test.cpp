// SPEC §6 "Re-run" end to end: `traioctl restart PATH` (a new generation of an ended node,
// the earlier run kept in `inspect`'s generations) and `traioctl retry SCOPE` (only what
// failed runs again), with their access rules (SPEC §5).
#include <pwd.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <doctest/doctest.h>

#include "tests/integration/harness.hpp"

using namespace traio::test;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

// The lines of a marker file the jobs append to.
std::vector<std::string> lines_of(const fs::path& path) {
  std::vector<std::string> lines;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

std::size_t count_of(const std::vector<std::string>& lines, const std::string& what) {
  return static_cast<std::size_t>(std::count(lines.begin(), lines.end(), what));
}

CtlResult ctl_as(const Daemon& d, uid_t uid, const std::vector<std::string>& args) {
  std::vector<std::string> argv = {"/usr/bin/setpriv", "--reuid=" + std::to_string(uid),
                                   "--regid=" + std::to_string(uid), "--clear-groups", "--", traioctl_bin()};
  argv.insert(argv.end(), args.begin(), args.end());
  return Proc(argv, d.ctl_env()).finish(30s);
}

uid_t uid_of_process(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(in, line);)
    if (line.rfind("Uid:", 0) == 0) return static_cast<uid_t>(std::stoul(line.substr(4)));
  return static_cast<uid_t>(-1);
}

}  // namespace

TEST_CASE("restart: a failed job runs again with a new pid, and inspect shows generation 2 with the first run") {
  Daemon d;
  const auto marker = d.dir() / "runs";
  const std::string job = d.ok({"spawn", "--name", "flaky", "--", "sh", "-c", "echo $$ >> " + marker.string() + "; exit 3"});
  auto first = d.ctl({"wait", job});
  REQUIRE_MESSAGE(first.code == 1, first.describe());
  const json gen1 = d.inspect(job);
  REQUIRE(gen1["generation"] == 1);
  CHECK_FALSE(gen1.contains("generations"));

  auto restarted = d.ctl({"restart", job});
  REQUIRE_MESSAGE(restarted.code == 0, restarted.describe());
  CHECK(restarted.line() == "/flaky (generation 2)");
  auto second = d.ctl({"wait", job});
  CHECK_MESSAGE(second.code == 1, second.describe());

  const json gen2 = d.inspect(job);
  CHECK(gen2["generation"] == 2);
  CHECK(gen2["outcome"] == "failed");
  CHECK(gen2["pid"] != gen1["pid"]);
  REQUIRE(gen2["generations"].size() == 1);
  const json& earlier = gen2["generations"][0];
  CHECK(earlier["generation"] == 1);
  CHECK(earlier["outcome"] == "failed");
  CHECK(earlier["exit_code"] == 3);
  CHECK(earlier["started_at"] == gen1["started_at"]);
  CHECK(earlier["ended_at"] == gen1["ended_at"]);
  const auto runs = lines_of(marker);
  REQUIRE(runs.size() == 2);
  CHECK(runs[0] == std::to_string(gen1["pid"].get<int>()));
  CHECK(runs[1] == std::to_string(gen2["pid"].get<int>()));
  // ps shows the generation after the name.
  auto ps = d.ctl({"ps", "--all"});
  CHECK_MESSAGE(ps.out.find("flaky (gen 2)") != std::string::npos, ps.describe());
}

TEST_CASE("restart: a running job is refused with exit code 7 and keeps running") {
  Daemon d;
  const std::string job = d.ok({"spawn", "--name", "svc", "--", "sleep", "33.71"});
  REQUIRE(d.inspect_until(job, is_running)["state"] == "running");
  auto r = d.ctl({"restart", job});
  CHECK_MESSAGE(r.code == 7, r.describe());
  CHECK(r.err.find("still running") != std::string::npos);
  CHECK(d.inspect(job)["generation"] == 1);
  CHECK(d.inspect(job)["state"] == "running");
}

TEST_CASE("retry: a pipeline re-runs only the child that failed -- a and b ran once, c twice") {
  Daemon d;
  const auto marker = d.dir() / "ran";
  const std::string m = marker.string();
  // c fails the first time it runs and succeeds the second.
  const json tree = {
      {"name", "ci"},
      {"children",
       {{{"name", "a"}, {"argv", {"sh", "-c", "echo a >> " + m}}},
        {{"name", "b"}, {"after", {{{"name", "a"}, {"when", "succeeded"}}}}, {"argv", {"sh", "-c", "echo b >> " + m}}},
        {{"name", "c"},
         {"after", {{{"name", "b"}, {"when", "succeeded"}}}},
         {"argv", {"sh", "-c", "echo c >> " + m + "; [ $(grep -c c " + m + ") -ge 2 ]"}}}}}};
  write_file(d.dir() / "ci.json", tree.dump());
  auto run = d.ctl({"run", (d.dir() / "ci.json").string()}, {}, 60s);
  REQUIRE_MESSAGE(run.code == 1, run.describe());

  auto retried = d.ctl({"retry", "--wait", "/ci"}, {}, 60s);
  CHECK_MESSAGE(retried.code == 0, retried.describe());
  const auto ran = lines_of(marker);
  CHECK(count_of(ran, "a") == 1);
  CHECK(count_of(ran, "b") == 1);
  CHECK(count_of(ran, "c") == 2);
  const json ci = d.inspect("/ci");
  CHECK(ci["generation"] == 2);
  CHECK(ci["outcome"] == "succeeded");
  REQUIRE(ci["generations"].size() == 1);
  CHECK(ci["generations"][0]["outcome"] == "failed");
  CHECK(d.inspect("/ci/a")["generation"] == 1);
  CHECK(d.inspect("/ci/a")["outcome"] == "succeeded");
  CHECK(d.inspect("/ci/c")["generation"] == 2);
  CHECK(d.inspect("/ci/c")["generations"][0]["exit_code"] == 1);
}

TEST_CASE("retry: a live scope re-runs its failed child -- with nothing to retry it exits 0 and says so") {
  Daemon d;
  d.ok({"fork", "--name", "s"});
  const std::string job = d.ok({"spawn", "--scope", "/s", "--no-bubble", "--name", "bad", "--", "false"});
  REQUIRE(d.inspect_until(job, is_done)["outcome"] == "failed");
  auto retried = d.ctl({"--json", "retry", "/s"});
  REQUIRE_MESSAGE(retried.code == 0, retried.describe());
  const json result = retried.json();
  REQUIRE(result["runs"].size() == 1);
  CHECK(result["runs"][0]["path"] == "/s/bad");
  CHECK(result["runs"][0]["generation"] == 2);
  CHECK(d.inspect_until(job, is_done)["outcome"] == "failed");
  auto again = d.ctl({"retry", "/s"});
  REQUIRE_MESSAGE(again.code == 0, again.describe());
  CHECK(again.line() == "/s/bad (generation 3)");
  d.inspect_until(job, is_done);

  d.ok({"fork", "--name", "fine"});
  const std::string good = d.ok({"spawn", "--scope", "/fine", "--name", "good", "--", "true"});
  REQUIRE(d.inspect_until(good, is_done)["outcome"] == "succeeded");
  auto nothing = d.ctl({"retry", "/fine"});
  CHECK_MESSAGE(nothing.code == 0, nothing.describe());
  CHECK(nothing.out.empty());
  CHECK(nothing.err.find("nothing to retry in /fine") != std::string::npos);
}

TEST_CASE("restart: another uid may not restart root's node, and root's restart of its node runs as that uid") {
  if (skip_unless_root_and_nobody("a second uid")) return;
  Daemon d(DaemonOptions{R"({"socket": {"mode": "0666"}})"});
  fs::permissions(d.dir().path(), fs::perms(0755));
  const std::string roots = d.ok({"spawn", "--name", "roots", "--", "false"});
  REQUIRE(d.inspect_until(roots, is_done)["state"] == "done");
  auto refused = ctl_as(d, kNobody, {"restart", roots});
  CHECK_MESSAGE(refused.code == 7, refused.describe());
  CHECK(d.inspect(roots)["generation"] == 1);
  auto retry_refused = ctl_as(d, kNobody, {"retry", "/"});
  CHECK_MESSAGE(retry_refused.code == 7, retry_refused.describe());

  auto spawned = ctl_as(d, kNobody, {"spawn", "--cwd", "/", "--name", "theirs", "--", "sleep", "33.72"});
  REQUIRE_MESSAGE(spawned.code == 0, spawned.describe());
  const std::string theirs = spawned.line();
  REQUIRE(d.inspect_until(theirs, is_running)["state"] == "running");
  d.ok({"cancel", theirs});
  REQUIRE(d.inspect_until(theirs, is_done)["outcome"] == "cancelled");
  auto restarted = d.ctl({"restart", theirs});
  REQUIRE_MESSAGE(restarted.code == 0, restarted.describe());
  REQUIRE(d.inspect_until(theirs, is_running)["state"] == "running");
  CHECK(d.inspect(theirs)["owner_uid"] == kNobody);
  // `running` comes before the exec: wait until the program is really there.
  REQUIRE(wait_for_process("sleep 33.72"));
  auto pids = processes_with_cmdline("sleep 33.72");
  REQUIRE(pids.size() == 1);
  CHECK(uid_of_process(pids[0]) == kNobody);
  d.ok({"cancel", theirs});
  d.inspect_until(theirs, is_done);
}
