// Child: signals to the whole process group, the reap, stragglers, and the destructor that
// never leaves a process or a zombie behind.
#include <doctest/doctest.h>
#include <poll.h>
#include <signal.h>

#include "daemon/os/launcher.hpp"
#include "tests/unit/os/os_test_support.hpp"

using namespace traio;
using namespace traio::os;
using traio::test::TempDir;

namespace {

Child start(std::vector<std::string> argv) {
  LaunchRequest r;
  r.argv = std::move(argv);
  r.env = {std::string("PATH=") + kCleanPath};
  auto child = launch(r);
  REQUIRE(child.has_value());
  return std::move(*child);
}

int read_pid(const std::string& file) {
  int pid = 0;
  REQUIRE(test::wait_until([&] {
    std::ifstream in(file);
    return static_cast<bool>(in >> pid) && pid > 0;
  }));
  return pid;
}

}  // namespace

TEST_CASE("child: a running process is not reaped early -- a group signal ends it") {
  Child child = start({"sleep", "30"});
  auto early = child.try_reap();
  REQUIRE(early.has_value());
  CHECK_FALSE(early->has_value());
  auto sent = child.signal_group(SIGTERM);
  REQUIRE(sent.has_value());
  CHECK(*sent == Delivery::Sent);
  pollfd p{child.pidfd(), POLLIN, 0};
  REQUIRE(::poll(&p, 1, 10000) == 1);
  auto status = child.try_reap();
  REQUIRE(status.has_value());
  REQUIRE(status->has_value());
  CHECK((*status)->kind == ExitKind::Killed);
  CHECK((*status)->code == SIGTERM);
  // After the reap the pid may be someone else's: no more signals.
  auto late = child.signal_group(SIGKILL);
  REQUIRE(late.has_value());
  CHECK(*late == Delivery::AlreadyGone);
}

TEST_CASE("child: stragglers of the process group are killed when the main process exits") {
  TempDir dir;
  std::string pid_file = dir.file("straggler.pid");
  // The subshell forks `sleep` and exits: sleep is orphaned (double fork) but stays in the group.
  Child child = start({"sh", "-c", "(sleep 300 & echo $! > " + pid_file + "); exit 3"});
  int straggler = read_pid(pid_file);
  pollfd p{child.pidfd(), POLLIN, 0};
  REQUIRE(::poll(&p, 1, 10000) == 1);
  auto status = child.try_reap();
  REQUIRE(status.has_value());
  REQUIRE(status->has_value());
  CHECK((*status)->code == 3);
  CHECK(test::wait_until([&] { return test::process_gone(straggler); }));
}

TEST_CASE("child: destroying a running child kills its whole group and reaps it") {
  TempDir dir;
  std::string pid_file = dir.file("grandchild.pid");
  int main_pid = 0;
  int grandchild = 0;
  {
    Child child = start({"sh", "-c", "sleep 300 & echo $! > " + pid_file + "; wait"});
    main_pid = child.pid();
    grandchild = read_pid(pid_file);
  }
  CHECK(test::process_gone(main_pid));
  CHECK(test::wait_until([&] { return test::process_gone(grandchild); }));
  CHECK(test::no_children_left());
}

TEST_CASE("child: ESRCH from a group signal is a normal answer") {
  Child child = start({"/bin/true"});
  pollfd p{child.pidfd(), POLLIN, 0};
  REQUIRE(::poll(&p, 1, 10000) == 1);
  // Exited but not reaped yet: the group has no live member.
  auto sent = child.signal_group(SIGTERM);
  REQUIRE(sent.has_value());
  CHECK((*sent == Delivery::AlreadyGone || *sent == Delivery::Sent));
  auto status = child.try_reap();
  REQUIRE(status.has_value());
  CHECK((*status)->code == 0);
}
