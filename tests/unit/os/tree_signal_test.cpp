// signal_tree (`traioctl signal`): a job's process group and, with a cgroup, the processes
// that left the group by setsid; each process once.
#include <doctest/doctest.h>
#include <unistd.h>

#include <algorithm>
#include <sstream>

#include "daemon/os/launcher.hpp"
#include "daemon/os/tree_signal.hpp"
#include "tests/unit/os/os_test_support.hpp"

using namespace traio::os;
using traio::test::TempDir;

namespace {

// A shell, a child in its group and a grandchild that called setsid; each appends its name
// to `file` on SIGUSR1. Started inside `cgroup` when valid (the daemon steps in the same way).
Child start_tree(const std::string& file, CgroupDir& cgroup, const std::string& own) {
  // `nested`: inside the outer shell's double quotes, where $$ must reach the inner shell.
  auto logger = [&](const std::string& word, bool nested) {
    return "trap 'echo " + word + " >> " + file + "' USR1; echo " + (nested ? "\\$\\$" : "$$") + " > " + file +
           "." + word + "; while :; do sleep 0.05; done";
  };
  LaunchRequest r;
  r.argv = {"sh", "-c",
            "sh -c \"" + logger("child", true) + "\" & setsid sh -c \"" + logger("escaped", true) + "\" & " +
                logger("main", false)};
  r.env = {std::string("PATH=") + kCleanPath};
  if (cgroup.valid()) REQUIRE(cgroup.add(::getpid()).has_value());
  auto child = launch(r);
  if (cgroup.valid()) REQUIRE(move_to_cgroup(own, ::getpid()).has_value());
  REQUIRE(child.has_value());
  for (const char* word : {"main", "child", "escaped"})
    REQUIRE(traio::test::wait_until([&] { return !traio::test::read_file(file + "." + word).empty(); }));
  return std::move(*child);
}

int count(const std::string& text, const std::string& word) {
  std::istringstream in(text);
  int n = 0;
  for (std::string line; std::getline(in, line);) n += line == word;
  return n;
}

}  // namespace

TEST_CASE("signal_tree: with a cgroup, the group and the setsid'd grandchild each get the signal once") {
  auto own = own_cgroup_dir();
  REQUIRE(own.has_value());
  auto dir = CgroupDir::create(*own + "/traio-tree-signal-" + std::to_string(::getpid()));
  if (!dir) {
    MESSAGE("skipped: cgroup v2 not writable here: " << dir.error().message());
    return;
  }
  TempDir tmp;
  const std::string file = tmp.file("got");
  Child child = start_tree(file, *dir, *own);
  auto sent = signal_tree(child, *dir, SIGUSR1);
  REQUIRE(sent.has_value());
  CHECK(*sent == Delivery::Sent);
  REQUIRE(traio::test::wait_until([&] {
    auto text = traio::test::read_file(file);
    return count(text, "main") && count(text, "child") && count(text, "escaped");
  }));
  ::usleep(300'000);  // a second delivery would show by now
  auto text = traio::test::read_file(file);
  CHECK(count(text, "main") == 1);
  CHECK(count(text, "child") == 1);
  CHECK(count(text, "escaped") == 1);
  (void)dir->kill_all();
}  // ~Child reaps, ~CgroupDir removes the leaf

TEST_CASE("signal_tree: without a cgroup, the process group gets it -- a reaped child is AlreadyGone") {
  TempDir tmp;
  const std::string file = tmp.file("got");
  CgroupDir none;
  Child child = start_tree(file, none, "");
  REQUIRE(signal_tree(child, none, SIGUSR1).has_value());
  REQUIRE(traio::test::wait_until([&] {
    auto text = traio::test::read_file(file);
    return count(text, "main") && count(text, "child");
  }));
  CHECK(count(traio::test::read_file(file), "escaped") == 0);  // out of reach: documented
  // The setsid'd grandchild leads a session and group of its own, by the pid it wrote down.
  const pid_t escaped = std::stoi(traio::test::read_file(file + ".escaped"));
  CHECK(::kill(-escaped, SIGKILL) == 0);
  REQUIRE(signal_tree(child, none, SIGKILL).has_value());
  REQUIRE(traio::test::wait_until([&] {
    auto status = child.try_reap();
    return status && status->has_value();
  }));
  CHECK(signal_tree(child, none, SIGUSR1).value() == Delivery::AlreadyGone);
}
