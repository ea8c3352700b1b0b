// CgroupLimits (SPEC §6 limits) on the real cgroup v2 tree of this machine: the scope
// directories jobs' leaves nest in, made once and removed after their last job, and the
// reason limits cannot be had, naming the controller.
#include <doctest/doctest.h>
#include <unistd.h>

#include <filesystem>

#include "daemon/os/cgroup.hpp"
#include "daemon/os/cgroup_limits.hpp"
#include "daemon/runners/cgroup_limits.hpp"

using namespace traio;

namespace {

// A jobs directory of the test's own under its cgroup, or nullopt (with the reason said)
// where cgroup v2 is not writable.
std::optional<os::CgroupDir> jobs_dir(std::string& own) {
  auto dir = os::own_cgroup_dir();
  if (!dir) {
    MESSAGE("skipped: no cgroup v2 here");
    return std::nullopt;
  }
  own = *dir;
  auto made = os::CgroupDir::create(own + "/traio-limits-test-" + std::to_string(::getpid()));
  if (!made) {
    MESSAGE("skipped: cgroup v2 not writable here: " << made.error().message());
    return std::nullopt;
  }
  return std::move(*made);
}

}  // namespace

TEST_CASE("cgroup limits: leaves of jobs under limited scopes nest in one directory per scope, removed after the last job") {
  std::string own;
  auto jobs = jobs_dir(own);
  if (!jobs) return;
  {
    std::optional<os::CgroupJanitor> janitor;
    janitor.emplace();
    CgroupLimits limits;
    limits.set_dirs(own, jobs->path());
    const std::vector<ScopeLimit> scopes = {{7, LimitsSpec{}}, {9, LimitsSpec{}}};
    std::string failure;
    const std::string parent = limits.parent_for(scopes, janitor, failure);
    CHECK(failure.empty());
    CHECK(parent == jobs->path() + "/scope-7/scope-9");
    CHECK(std::filesystem::is_directory(parent));
    CHECK(limits.parent_for({scopes[0]}, janitor, failure) == jobs->path() + "/scope-7");  // the same directory
    limits.release({scopes[0]}, janitor);
    janitor->drain();
    CHECK(std::filesystem::is_directory(parent));  // a job under both still runs
    limits.release(scopes, janitor);
    janitor->drain();
    CHECK_FALSE(std::filesystem::exists(jobs->path() + "/scope-7"));
    // Started again after that: made again.
    CHECK(limits.parent_for(scopes, janitor, failure) == parent);
    limits.release(scopes, janitor);
    janitor->drain();
    CHECK_FALSE(std::filesystem::exists(jobs->path() + "/scope-7"));
  }
}

TEST_CASE("cgroup limits: a controller the jobs' directory cannot have is named in the reason") {
  std::string own;
  auto jobs = jobs_dir(own);
  if (!jobs) return;
  CgroupLimits limits;
  limits.set_dirs(own, jobs->path());
  const auto controllers = os::read_cgroup_list(own, "cgroup.controllers");
  if (controllers && os::list_has(*controllers, "pids")) {
    MESSAGE("skipped: pids is delegated here (whether it can be enabled depends on the host)");
    return;
  }
  LimitsSpec spec;
  spec.pids = 5;
  const auto why = limits.unavailable(spec);
  REQUIRE(why.has_value());
  CHECK(why->find("'pids'") != std::string::npos);
}

TEST_CASE("cgroup limits: without a jobs directory every limit is unavailable, saying why") {
  CgroupLimits limits;
  limits.set_dirs("", "");
  LimitsSpec spec;
  spec.memory_bytes = 1 << 20;
  const auto why = limits.unavailable(spec);
  REQUIRE(why.has_value());
  CHECK(why->find("'memory'") != std::string::npos);
  CHECK(why->find("no cgroup v2 directory for jobs") != std::string::npos);
}
