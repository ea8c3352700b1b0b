// CgroupDir with a real cgroup v2 hierarchy, when this machine lets us write one.
#include <doctest/doctest.h>
#include <poll.h>
#include <unistd.h>

#include "daemon/os/cgroup.hpp"
#include "daemon/os/launcher.hpp"
#include "tests/unit/os/os_test_support.hpp"

using namespace traio::os;

TEST_CASE("cgroup: kill_all ends every process of the leaf, and the empty leaf is removed") {
  auto own = own_cgroup_dir();
  REQUIRE(own.has_value());  // cgroup v2 is mounted on Debian 12 (hybrid or unified)
  auto dir = CgroupDir::create(*own + "/traio-test-" + std::to_string(::getpid()));
  if (!dir) {
    MESSAGE("cgroup v2 not writable here: " << dir.error().message());
    return;
  }
  LaunchRequest r;
  r.argv = {"sleep", "300"};
  r.env = {std::string("PATH=") + kCleanPath};
  auto child = launch(r);
  REQUIRE(child.has_value());
  REQUIRE(dir->add(child->pid()).has_value());
  CHECK(dir->populated().value());
  CHECK(dir->remove().error().value() == EBUSY);
  REQUIRE(dir->kill_all().has_value());
  pollfd p{child->pidfd(), POLLIN, 0};
  REQUIRE(::poll(&p, 1, 5000) == 1);
  auto status = child->try_reap();
  REQUIRE(status.has_value());
  CHECK((*status)->kind == ExitKind::Killed);
  CHECK((*status)->code == SIGKILL);
  REQUIRE(traio::test::wait_until([&] { return !dir->populated().value(); }));
  std::string path = dir->path();
  CHECK(dir->remove().has_value());
  CHECK_FALSE(std::filesystem::exists(path));
}

TEST_CASE("cgroup: a leaf made with create_in works after drop_fd through its parent's fd -- and holds no fd of its own") {
  auto own = own_cgroup_dir();
  REQUIRE(own.has_value());
  auto parent = CgroupDir::create(*own + "/traio-test-parent-" + std::to_string(::getpid()));
  if (!parent) {
    MESSAGE("cgroup v2 not writable here: " << parent.error().message());
    return;
  }
  auto leaf = CgroupDir::create_in(*parent, "job-1");
  REQUIRE(leaf.has_value());
  CHECK(leaf->path() == parent->path() + "/job-1");
  CHECK(leaf->fd() >= 0);
  CHECK(CgroupDir::create_in(*parent, "job-1").error().value() == EEXIST);
  CHECK(CgroupDir::create_in(*parent, "a/b").error().value() == EINVAL);
  leaf->drop_fd();
  CHECK(leaf->fd() < 0);

  LaunchRequest r;
  r.argv = {"sleep", "300"};
  r.env = {std::string("PATH=") + kCleanPath};
  auto child = launch(r);
  REQUIRE(child.has_value());
  REQUIRE(leaf->add(child->pid()).has_value());
  CHECK(leaf->populated().value());
  std::size_t pids = 0;
  REQUIRE(leaf->for_each_pid([&](pid_t pid) { pids += pid == child->pid(); }).has_value());
  CHECK(pids == 1);
  REQUIRE(leaf->kill_all().has_value());
  pollfd p{child->pidfd(), POLLIN, 0};
  REQUIRE(::poll(&p, 1, 5000) == 1);
  REQUIRE(child->try_reap().has_value());
  REQUIRE(traio::test::wait_until([&] { return !leaf->populated().value(); }));
  CHECK(leaf->remove().has_value());
  CHECK_FALSE(std::filesystem::exists(parent->path() + "/job-1"));
  CHECK(parent->remove().has_value());
}
