// Issue 5, items 1 and 2: the whole process tree of a job dies with it (cgroup v2, or the
// process group as a documented fallback), and orphans of jobs are reaped by traiod, also
// when it runs as PID 1 of a new PID namespace.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <doctest/doctest.h>

#include "tests/integration/harness.hpp"

namespace traio::test {
namespace {

// ppid and state of a process from /proc/<pid>/stat ("pid (comm) S ppid ...").
struct ProcStat {
  char state = '?';
  pid_t ppid = 0;
};

std::optional<ProcStat> proc_stat(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto close = text.rfind(')');
  if (close == std::string::npos) return std::nullopt;
  std::istringstream rest(text.substr(close + 2));
  ProcStat st;
  rest >> st.state >> st.ppid;
  return st;
}

// Zombies whose parent is `parent`: children it has not reaped.
std::vector<pid_t> zombies_of(pid_t parent) {
  std::vector<pid_t> found;
  for (pid_t pid : all_pids()) {
    auto st = proc_stat(pid);
    if (st && st->state == 'Z' && st->ppid == parent) found.push_back(pid);
  }
  return found;
}

std::size_t count_occurrences(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

// Kills what a test let escape on purpose, and waits until traiod (their subreaper) has
// reaped them, so that the daemon's own leftover check does not count them.
void kill_and_wait_gone(const std::vector<pid_t>& pids) {
  for (pid_t pid : pids) ::kill(pid, SIGKILL);
  const auto until = Clock::now() + 5s;
  for (pid_t pid : pids)
    while (process_exists(pid) && Clock::now() < until) ::usleep(20'000);
}

bool cgroups_writable(const Daemon& d) { return d.log().find("no cgroup for jobs") == std::string::npos; }

// An orphan (its parent exits at once) that lives 0.3 s, inside a job that runs 1.5 s: the
// orphan's exit must be reaped by traiod while the job still runs.
constexpr const char* kOrphanScript = "sh -c 'sleep 0.3 &'; sleep 1.5";

void check_orphan_reaped(const Daemon& d, pid_t traiod) {
  const std::string job = d.ok({"spawn", "--", "sh", "-c", kOrphanScript});
  d.inspect_until(job, is_running);
  ::usleep(900'000);  // the orphan has exited; the job has not
  CHECK(d.inspect(job)["state"] == "running");
  auto zombies = zombies_of(traiod);
  CHECK_MESSAGE(zombies.empty(), zombies.size(), " unreaped child(ren) of traiod");
  auto w = d.ctl({"wait", job});
  CHECK_MESSAGE(w.code == 0, w.describe());
}

}  // namespace

TEST_CASE("whole-tree kill: a setsid'd, double-forked sleep dies with its job (cgroup v2)") {
  Daemon d;
  if (!cgroups_writable(d)) {
    MESSAGE("skipped: no writable cgroup v2 here (" << d.log() << ")");
    return;
  }
  // The grandchild leaves the session, forks the sleep and exits: the sleep has neither the
  // job's process group nor a parent in the job.
  const std::string job = d.ok({"spawn", "--", "sh", "-c",
                                "setsid sh -c '(sleep 33.01 &) ; exit 0'; sleep 33.02"});
  REQUIRE(wait_for_process("sleep 33.01"));
  REQUIRE(wait_for_process("sleep 33.02"));
  d.ok({"cancel", job});
  auto w = d.ctl({"wait", job});
  CHECK_MESSAGE(w.code == 4, w.describe());
  CHECK(processes_with_cmdline("sleep 33.01").empty());
  CHECK(processes_with_cmdline("sleep 33.02").empty());
}

TEST_CASE("whole-tree kill: a job is done only when its cgroup is empty") {
  Daemon d;
  if (!cgroups_writable(d)) {
    MESSAGE("skipped: no writable cgroup v2 here");
    return;
  }
  // The main process exits at once; what it left behind in its tree is killed before the
  // job counts as done, so `wait` returning means nothing of it runs any more.
  const std::string job = d.ok({"spawn", "--", "sh", "-c", "setsid sh -c 'sleep 33.03 &'; exit 0"});
  auto w = d.ctl({"wait", job});
  CHECK_MESSAGE(w.code == 0, w.describe());
  CHECK(processes_with_cmdline("sleep 33.03").empty());
}

TEST_CASE("whole-tree kill without cgroups: the process group dies, a setsid'd descendant escapes (documented)") {
  DaemonOptions options;
  options.env = {{"TRAIOD_CGROUPS", "off"}};
  Daemon d(options);
  const std::string job = d.ok({"spawn", "--", "sh", "-c",
                                "sleep 33.04 & setsid sh -c '(sleep 33.05 &) ; exit 0'; sleep 33.06"});
  REQUIRE(wait_for_process("sleep 33.05"));
  REQUIRE(wait_for_process("sleep 33.06"));
  d.ok({"cancel", job});
  auto w = d.ctl({"wait", job});
  CHECK_MESSAGE(w.code == 4, w.describe());
  CHECK(processes_with_cmdline("sleep 33.04").empty());  // same process group: killed
  CHECK(processes_with_cmdline("sleep 33.06").empty());
  // What the fallback cannot catch: a descendant in a session of its own.
  auto escaped = processes_with_cmdline("sleep 33.05");
  CHECK(escaped.size() == 1);
  kill_and_wait_gone(escaped);
  // Said once, at the start, with what it means.
  const std::string log = d.log();
  CHECK(count_occurrences(log, "no cgroup for jobs") == 1);
  CHECK(log.find("descendants that call setsid escape it") != std::string::npos);
}

TEST_CASE("orphans: a job's orphan is reaped by traiod while the job runs (child subreaper)") {
  Daemon d;
  check_orphan_reaped(d, d.pid());
}

TEST_CASE("orphans: without cgroups too, no zombie of an orphan remains") {
  DaemonOptions options;
  options.env = {{"TRAIOD_CGROUPS", "off"}};
  Daemon d(options);
  check_orphan_reaped(d, d.pid());
}

TEST_CASE("orphans: traiod as PID 1 of a new PID namespace reaps them too") {
  if (std::system("unshare -fp --mount-proc true >/dev/null 2>&1") != 0) {
    MESSAGE("skipped: unshare -fp --mount-proc is not permitted here");
    return;
  }
  DaemonOptions options;
  options.wrapper = {"unshare", "-fp", "--mount-proc", "--kill-child=TERM"};
  Daemon d(options);
  const pid_t traiod = d.traiod_pid();
  REQUIRE(traiod > 0);
  check_orphan_reaped(d, traiod);
  const std::string job = d.ok({"spawn", "--", "sh", "-c", "sleep 33.07 & setsid sh -c 'sleep 33.08 &'; sleep 33.09"});
  REQUIRE(wait_for_process("sleep 33.09"));
  d.ok({"cancel", job});
  CHECK(d.ctl({"wait", job}).code == 4);
  CHECK(processes_with_cmdline("sleep 33.07").empty());
  CHECK(processes_with_cmdline("sleep 33.09").empty());
  if (cgroups_writable(d)) CHECK(processes_with_cmdline("sleep 33.08").empty());
  else kill_and_wait_gone(processes_with_cmdline("sleep 33.08"));
}

}  // namespace traio::test
