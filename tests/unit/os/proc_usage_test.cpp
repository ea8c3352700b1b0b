// The /proc fallback of SPEC §6 usage (daemon/os/proc_usage.hpp) on real processes: a
// CPU-burning child's time grows, its group's members are found, memory is above zero, and
// an exited process is left out. Also the OOM count of cgroup_limits.hpp on a file.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <fstream>

#include "daemon/os/cgroup_limits.hpp"
#include "daemon/os/proc_usage.hpp"
#include "tests/unit/os/os_test_support.hpp"

extern char** environ;

namespace traio::test {

namespace {

// `sh -c SCRIPT` in a process group of its own, as jobs are.
pid_t spawn_group(const char* script) {
  std::vector<std::string> args = {"/bin/sh", "-c", script};
  std::vector<char*> argv = {args[0].data(), args[1].data(), args[2].data(), nullptr};
  pid_t pid = 0;
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
  const int spawned = posix_spawn(&pid, args[0].c_str(), nullptr, &attr, argv.data(), environ);
  posix_spawnattr_destroy(&attr);
  REQUIRE(spawned == 0);
  return pid;
}

void kill_group(pid_t pid) {
  ::kill(-pid, SIGKILL);
  ::waitpid(pid, nullptr, 0);
}

}  // namespace

TEST_CASE("proc usage: a CPU-burning process group shows growing CPU time and resident memory") {
  const pid_t pid = spawn_group("while :; do :; done & while :; do :; done");
  std::vector<pid_t> members;
  REQUIRE(wait_until([&] {
    members = os::process_group_members(pid);
    return members.size() == 2;
  }));
  os::ProcessesUsage first;
  REQUIRE(wait_until([&] {
    first = os::read_processes_usage(members);
    return first.cpu_usec > 0;
  }));
  CHECK(first.processes == 2);
  CHECK(first.memory_bytes > 0);
  CHECK(first.memory_peak > 0);
  CHECK(wait_until([&] { return os::read_processes_usage(members).cpu_usec > first.cpu_usec + 50000; }));
  kill_group(pid);
}

TEST_CASE("proc usage: processes that have exited are left out") {
  const pid_t pid = spawn_group("exit 0");
  ::waitpid(pid, nullptr, 0);
  const os::ProcessesUsage usage = os::read_processes_usage({pid});
  CHECK(usage.processes == 0);
  CHECK(usage.memory_bytes == 0);
  CHECK(os::process_group_members(pid).empty());
}

TEST_CASE("cgroup limits: oom_kill of memory.events is read -- oom_group_kill is not it, a missing file is 0") {
  TempDir dir;
  {
    std::ofstream out(dir.file("memory.events"));
    out << "low 0\nhigh 0\nmax 12\noom 3\noom_kill 2\noom_group_kill 0\n";
  }
  const int fd = ::open(dir.path().c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
  REQUIRE(fd >= 0);
  CHECK(os::read_cgroup_oom_kills(fd) == 2);
  {
    std::ofstream out(dir.file("memory.events"));
    out << "oom_group_kill 5\noom_kill 0\n";
  }
  CHECK(os::read_cgroup_oom_kills(fd) == 0);
  std::remove(dir.file("memory.events").c_str());
  CHECK(os::read_cgroup_oom_kills(fd) == 0);
  ::close(fd);
  CHECK(os::list_has("cpu memory pids", "memory"));
  CHECK_FALSE(os::list_has("cpuset hugetlb", "cpu"));
}

}  // namespace traio::test
