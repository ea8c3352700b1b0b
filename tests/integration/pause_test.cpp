// SPEC §6 "Pause and resume" end to end: a paused job uses no CPU (its /proc counters stand
// still) and burns again once resumed, a paused scope starts no queued child, cancel of a
// paused job ends it promptly, and --timers holds a timeout while paused.
#include <unistd.h>

#include <filesystem>
#include <sstream>
#include <string>

#include <doctest/doctest.h>

#include "tests/integration/harness.hpp"

using namespace traio::test;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

const char* const kBurn = "while :; do :; done";

// utime + stime of `pid` in clock ticks, from /proc/PID/stat; -1 when it is gone.
long cpu_ticks(pid_t pid) {
  const std::string stat = read_file(fs::path("/proc") / std::to_string(pid) / "stat");
  const auto close = stat.rfind(')');
  if (close == std::string::npos) return -1;
  std::istringstream fields(stat.substr(close + 2));  // field 3 (state) onwards
  std::string field;
  long utime = 0, stime = 0;
  for (int i = 3; i <= 15 && fields >> field; ++i) {
    if (i == 14) utime = std::stol(field);
    if (i == 15) stime = std::stol(field);
  }
  return utime + stime;
}

char state_letter(pid_t pid) {
  const std::string stat = read_file(fs::path("/proc") / std::to_string(pid) / "stat");
  const auto close = stat.rfind(')');
  return close == std::string::npos || close + 2 >= stat.size() ? '?' : stat[close + 2];
}

// Where cgroup v2 is mounted (/sys/fs/cgroup, or /sys/fs/cgroup/unified on a hybrid
// system); "" without one.
std::string cgroup2_mount() {
  std::istringstream lines(read_file("/proc/self/mountinfo"));
  for (std::string line; std::getline(lines, line);) {
    if (line.find(" - cgroup2 ") == std::string::npos) continue;
    std::istringstream fields(line);
    std::string field;
    for (int i = 0; i < 5 && fields >> field; ++i) {
    }
    return field;  // the fifth field: the mount point
  }
  return "";
}

// Whether the cgroup v2 of `pid` says it is frozen ("frozen 1" in cgroup.events).
bool cgroup_frozen(pid_t pid) {
  const std::string mount = cgroup2_mount();
  if (mount.empty()) return false;
  std::istringstream lines(read_file(fs::path("/proc") / std::to_string(pid) / "cgroup"));
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("0::", 0) != 0) continue;
    const std::string events = read_file(fs::path(mount + line.substr(3)) / "cgroup.events");
    return events.find("frozen 1") != std::string::npos;
  }
  return false;
}

// Whether `pid` used no CPU over half a second, tried until `limit` (a cgroup freezes
// asynchronously, and a loaded machine may take a while to schedule anything).
bool stands_still(pid_t pid, Millis limit = 5s) {
  const auto until = Clock::now() + limit;
  do {
    const long before = cpu_ticks(pid);
    ::usleep(500'000);
    if (before >= 0 && cpu_ticks(pid) == before) return true;
  } while (Clock::now() < until);
  return false;
}

// Whether `pid` used some CPU within `limit`.
bool burns(pid_t pid, Millis limit = 5s) {
  const long before = cpu_ticks(pid);
  const auto until = Clock::now() + limit;
  while (Clock::now() < until) {
    ::usleep(100'000);
    if (cpu_ticks(pid) > before) return true;
  }
  return false;
}

pid_t pid_of(const Daemon& d, const std::string& path) {
  json node = d.inspect_until(path, [](const json& n) { return n["pid"].is_number(); });
  REQUIRE_MESSAGE(node["pid"].is_number(), node.dump());
  return node["pid"].get<pid_t>();
}

}  // namespace

TEST_CASE("pause: a CPU-burning job paused uses no CPU and burns again after resume") {
  Daemon d;
  d.ok({"spawn", "--name", "burn", "--", "sh", "-c", kBurn});
  const pid_t pid = pid_of(d, "/burn");
  REQUIRE(burns(pid));
  d.ok({"pause", "/burn"});
  CHECK(d.inspect("/burn")["state"] == "paused");
  CHECK(d.ok({"ps", "/burn"}).find("paused") != std::string::npos);
  CHECK(stands_still(pid));
  const char letter = state_letter(pid);
  CHECK_MESSAGE((letter == 'T' || cgroup_frozen(pid)), "state letter " << letter);
  d.ok({"resume", "/burn"});
  CHECK(d.inspect("/burn")["state"] == "running");
  CHECK(burns(pid));
  d.ok({"cancel", "/burn"});
  CHECK(d.inspect_until("/burn", is_done)["outcome"] == "cancelled");
}

TEST_CASE("pause: a paused max_parallel scope starts no queued child when a running one ends") {
  Daemon d;
  d.ok({"fork", "--name", "t", "--max-parallel", "1"});
  d.ok({"spawn", "--scope", "/t", "--name", "a", "--", "sleep", "33.01"});
  d.ok({"spawn", "--scope", "/t", "--name", "b", "--", "sleep", "33.02"});
  REQUIRE(d.inspect("/t/b")["state"] == "queued");
  d.ok({"pause", "/t"});
  CHECK(d.inspect("/t/a")["state"] == "paused");
  d.ok({"cancel", "/t/a"});
  REQUIRE(d.inspect_until("/t/a", is_done)["state"] == "done");
  ::usleep(500'000);  // a start would have happened in the same turn as a's end
  CHECK(d.inspect("/t/b")["state"] == "queued");
  CHECK_FALSE(wait_for_process("sleep 33.02", 200ms));
  d.ok({"resume", "/t"});
  CHECK(d.inspect_until("/t/b", is_running)["state"] == "running");
  CHECK(wait_for_process("sleep 33.02"));
  d.ok({"cancel", "/t"});
  CHECK(d.inspect_until("/t", is_done)["state"] == "done");
}

TEST_CASE("pause: cancel of a paused job ends it within a few seconds and leaves no process") {
  Daemon d;
  // It handles its stop signal only if thawed; its grace is far longer than the test waits.
  write_file(d.dir() / "trap.json",
             json{{"name", "trap"},
                  {"argv", {"sh", "-c", "trap 'exit 0' TERM; while :; do sleep 0.1; done"}},
                  {"stop", {{"grace", "60s"}}}}
                 .dump());
  d.ok({"spawn", (d.dir() / "trap.json").string()});
  const pid_t pid = pid_of(d, "/trap");
  d.ok({"pause", "/trap"});
  REQUIRE(d.inspect("/trap")["state"] == "paused");
  REQUIRE(stands_still(pid));
  const auto start = Clock::now();
  d.ok({"cancel", "/trap"});
  json node = d.inspect_until("/trap", is_done, 10s);
  CHECK(node["state"] == "done");
  CHECK(node["outcome"] == "cancelled");
  CHECK(Clock::now() - start < 10s);
  CHECK_FALSE(process_exists(pid));
  CHECK(d.leftovers().empty());
}

TEST_CASE("pause: a timeout with --timers does not fire while paused -- it fires after resume") {
  Daemon d;
  d.ok({"spawn", "--name", "slow", "--timeout", "1s", "--", "sleep", "33.03"});
  d.ok({"pause", "--timers", "/slow"});
  ::usleep(2'000'000);
  CHECK(d.inspect("/slow")["state"] == "paused");
  d.ok({"resume", "/slow"});
  json node = d.inspect_until("/slow", is_done, 10s);
  CHECK(node["outcome"] == "timed_out");
}

TEST_CASE("pause: without --timers a timeout while paused ends the job") {
  Daemon d;
  d.ok({"spawn", "--name", "slow", "--timeout", "1s", "--", "sleep", "33.04"});
  d.ok({"pause", "/slow"});
  json node = d.inspect_until("/slow", is_done, 10s);
  CHECK(node["outcome"] == "timed_out");
  CHECK(d.leftovers().empty());
}

TEST_CASE("pause: pausing a done node is scope_closed -- resume of a running node changes nothing") {
  Daemon d;
  d.ok({"spawn", "--name", "quick", "--wait", "--", "true"});
  auto r = d.ctl({"--json", "pause", "/quick"});
  CHECK(r.code != 0);
  CHECK(r.err.find("ended") != std::string::npos);
  d.ok({"spawn", "--name", "s", "--", "sleep", "33.05"});
  d.ok({"resume", "/s"});
  CHECK(d.inspect("/s")["state"] == "running");
  d.ok({"cancel", "/s"});
  CHECK(d.inspect_until("/s", is_done)["state"] == "done");
}

TEST_CASE("pause: without cgroups a job is paused with SIGSTOP, said once in the log, and cancel still ends it") {
  DaemonOptions options;
  options.env["TRAIOD_CGROUPS"] = "off";
  Daemon d(options);
  d.ok({"spawn", "--name", "burn", "--", "sh", "-c", kBurn});
  d.ok({"spawn", "--name", "other", "--", "sleep", "33.06"});
  const pid_t pid = pid_of(d, "/burn");
  pid_of(d, "/other");
  d.ok({"pause", "/burn"});
  d.ok({"pause", "/other"});
  CHECK(stands_still(pid));
  CHECK(state_letter(pid) == 'T');
  const std::string log = d.log();
  const std::string said = "cgroup freezer unavailable, pausing with SIGSTOP";
  const auto first = log.find(said);
  CHECK(first != std::string::npos);
  CHECK(log.find(said, first + 1) == std::string::npos);
  d.ok({"resume", "/burn"});
  CHECK(burns(pid));
  d.ok({"pause", "/burn"});
  CHECK(stands_still(pid));
  d.ok({"cancel", "/burn"});
  d.ok({"cancel", "/other"});
  CHECK(d.inspect_until("/burn", is_done)["outcome"] == "cancelled");
  CHECK(d.inspect_until("/other", is_done)["outcome"] == "cancelled");
  CHECK(d.leftovers().empty());
}
