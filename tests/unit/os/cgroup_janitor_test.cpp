// CgroupJanitor with a real cgroup v2 hierarchy, when this machine lets us write one.
#include <doctest/doctest.h>
#include <poll.h>
#include <unistd.h>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "daemon/os/cgroup.hpp"
#include "daemon/os/cgroup_janitor.hpp"
#include "daemon/os/launcher.hpp"
#include "tests/unit/os/os_test_support.hpp"

using namespace traio::os;
namespace fs = std::filesystem;

namespace {

// A parent leaf for the test, or nullopt (with the reason printed) where cgroup v2 is not
// writable.
std::optional<CgroupDir> test_parent(const char* name) {
  auto own = own_cgroup_dir();
  REQUIRE(own.has_value());
  auto dir = CgroupDir::create(*own + "/" + name + std::to_string(::getpid()));
  if (!dir) {
    MESSAGE("skipped: cgroup v2 not writable here: " << dir.error().message());
    return std::nullopt;
  }
  return std::move(*dir);
}

}  // namespace

TEST_CASE("cgroup janitor: handed-over leaves are gone after drain, even one a process still lived in") {
  auto parent = test_parent("traio-janitor-test-");
  if (!parent) return;
  std::vector<std::string> paths;
  std::optional<Child> child;
  {
    CgroupJanitor janitor;
    for (int i = 0; i < 20; ++i) {
      auto leaf = CgroupDir::create(parent->path() + "/leaf-" + std::to_string(i));
      REQUIRE(leaf.has_value());
      paths.push_back(leaf->path());
      if (i == 7) {
        LaunchRequest r;
        r.argv = {"sleep", "300"};
        r.env = {std::string("PATH=") + kCleanPath};
        auto launched = launch(r);
        REQUIRE(launched.has_value());
        REQUIRE(leaf->add(launched->pid()).has_value());
        child.emplace(std::move(*launched));
      }
      janitor.remove(std::move(*leaf));
      CHECK_FALSE(leaf->valid());  // handed over: the caller's handle is empty
    }
    janitor.drain();
    for (const auto& path : paths) CHECK_MESSAGE(!fs::exists(path), path);
  }
  // The process that lived in leaf-7 was killed to remove it.
  pollfd p{child->pidfd(), POLLIN, 0};
  REQUIRE(::poll(&p, 1, 5000) == 1);
  auto status = child->try_reap();
  REQUIRE(status.has_value());
  CHECK((*status)->kind == ExitKind::Killed);
  CHECK(parent->remove().has_value());  // empty: nothing was left behind
}

TEST_CASE("cgroup janitor: its destructor removes what is still queued before it returns") {
  auto parent = test_parent("traio-janitor-stop-test-");
  if (!parent) return;
  std::vector<std::string> paths;
  {
    CgroupJanitor janitor;
    for (int i = 0; i < 50; ++i) {
      auto leaf = CgroupDir::create(parent->path() + "/leaf-" + std::to_string(i));
      REQUIRE(leaf.has_value());
      paths.push_back(leaf->path());
      janitor.remove(std::move(*leaf));
    }
  }  // no drain: the destructor must finish the queue
  for (const auto& path : paths) CHECK_MESSAGE(!fs::exists(path), path);
  CHECK(parent->remove().has_value());
}

TEST_CASE("cgroup janitor: drain with nothing queued returns at once") {
  CgroupJanitor janitor;
  janitor.drain();
  janitor.drain();
}
