// The crash journal's file (daemon/os/journal_file.hpp) and the /proc facts recovery relies
// on (proc_stat.hpp): appends, a torn last line dropped on reading, atomic replacement, one
// lock holder, and a process's start time read past a comm full of parentheses.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>

#include <csignal>
#include <filesystem>
#include <fstream>

#include "daemon/os/journal_file.hpp"
#include "daemon/os/proc_stat.hpp"
#include "tests/unit/os/os_test_support.hpp"

extern char** environ;

namespace traio::test {

TEST_CASE("journal file: appends are read back as lines -- a torn last line is left out") {
  TempDir dir;
  const std::string path = dir.file("journal");
  CHECK(os::read_journal_lines(path).value().empty());  // no file yet: no lines
  auto file = os::JournalFile::open(path);
  REQUIRE(file.has_value());
  REQUIRE(file->append("{\"a\":1}\n{\"b\":2}\n").has_value());
  REQUIRE(file->append("{\"c\":").has_value());  // a crash mid-write
  CHECK(file->size() == 21);
  auto lines = os::read_journal_lines(path);
  REQUIRE(lines.has_value());
  CHECK(*lines == std::vector<std::string>{"{\"a\":1}", "{\"b\":2}"});
  REQUIRE(file->sync().has_value());
}

TEST_CASE("journal file: replace swaps the whole content and later appends follow it") {
  TempDir dir;
  const std::string path = dir.file("journal");
  auto file = os::JournalFile::open(path);
  REQUIRE(file.has_value());
  REQUIRE(file->append(std::string(10000, 'x') + "\n").has_value());
  REQUIRE(file->replace("snapshot\n").has_value());
  CHECK(file->size() == 9);
  REQUIRE(file->append("after\n").has_value());
  CHECK(read_file(path) == "snapshot\nafter\n");
  CHECK_FALSE(std::filesystem::exists(path + ".new"));
  // Reopened for appending, as a restarted daemon does.
  auto again = os::JournalFile::open(path);
  REQUIRE(again.has_value());
  CHECK(again->size() == 15);
}

TEST_CASE("journal file: a second exclusive lock on the same file is EWOULDBLOCK until the first is closed") {
  TempDir dir;
  auto first = os::lock_exclusive(dir.file("lock"));
  REQUIRE(first.has_value());
  auto second = os::lock_exclusive(dir.file("lock"));
  REQUIRE_FALSE(second.has_value());
  CHECK(second.error() == os::errno_code(EWOULDBLOCK));
  first->reset();
  CHECK(os::lock_exclusive(dir.file("lock")).has_value());
}

TEST_CASE("proc stat: start time and process group of a process whose name holds ') (' and spaces") {
  TempDir dir;
  const std::string odd = dir.file("a) b (c");
  std::filesystem::copy_file("/bin/sleep", odd);
  std::filesystem::permissions(odd, std::filesystem::perms::owner_all);
  std::vector<std::string> args = {odd, "30"};
  std::vector<char*> argv = {args[0].data(), args[1].data(), nullptr};
  pid_t pid = 0;
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);  // its own group, as jobs have
  REQUIRE(posix_spawn(&pid, odd.c_str(), nullptr, &attr, argv.data(), environ) == 0);
  posix_spawnattr_destroy(&attr);
  REQUIRE(wait_until([&] { return read_file("/proc/" + std::to_string(pid) + "/comm").starts_with("a) b (c"); }));
  auto stat = os::read_proc_stat(pid);
  REQUIRE(stat.has_value());
  CHECK(stat->pgrp == pid);
  CHECK(stat->state != 'Z');
  auto self = os::read_proc_stat(::getpid());
  REQUIRE(self.has_value());
  CHECK(stat->start_time >= self->start_time);  // started after this test binary
  ::kill(pid, SIGKILL);
  ::waitpid(pid, nullptr, 0);
  CHECK_FALSE(os::read_proc_stat(pid).has_value());
  CHECK(os::boot_id().size() == 36);
}

}  // namespace traio::test
