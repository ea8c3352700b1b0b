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
