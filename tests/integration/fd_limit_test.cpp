// The open-file limit (issue 10: 10,000 live jobs hold 20,000 fds): traiod raises its own
// limit as far as it may, and its jobs get back the limit traiod was started with.
#include <sys/resource.h>

#include <fstream>
#include <sstream>
#include <string>

#include <doctest/doctest.h>

#include "tests/integration/harness.hpp"

using namespace traio::test;

namespace {

// "Max open files" soft and hard of a process, from /proc/PID/limits.
std::pair<std::string, std::string> open_files_limit(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/limits");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("Max open files", 0) != 0) continue;
    std::istringstream fields(line.substr(std::string("Max open files").size()));
    std::string soft, hard;
    fields >> soft >> hard;
    return {soft, hard};
  }
  return {};
}

bool has_cap_sys_resource() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("CapEff:", 0) == 0) return (std::stoull(line.substr(7), nullptr, 16) >> 24) & 1;  // CAP_SYS_RESOURCE
  return false;
}

std::string as_text(rlim_t value) { return value == RLIM_INFINITY ? "unlimited" : std::to_string(value); }

}  // namespace

TEST_CASE("fd limit: traiod raises its soft limit to at least the hard one it was given -- its jobs get the limit traiod started with") {
  rlimit own{};
  REQUIRE(::getrlimit(RLIMIT_NOFILE, &own) == 0);
  Daemon d;
  const auto [daemon_soft, daemon_hard] = open_files_limit(d.traiod_pid());
  REQUIRE(!daemon_soft.empty());
  if (own.rlim_max != RLIM_INFINITY) {
    CHECK(std::stoull(daemon_soft) >= own.rlim_max);
    CHECK(daemon_soft == daemon_hard);
    // With CAP_SYS_RESOURCE (root outside a container that drops it) it goes past the hard
    // limit it was given, up to 2^20.
    if (has_cap_sys_resource() && own.rlim_max < (1u << 20)) CHECK(std::stoull(daemon_soft) > own.rlim_max);
  }
  const auto out = d.dir() / "limit";
  d.ok({"spawn", "--wait", "--", "sh", "-c", "echo $(ulimit -Sn) $(ulimit -Hn) > " + out.string()});
  std::ifstream in(out);
  std::string soft, hard;
  in >> soft >> hard;
  CHECK(soft == as_text(own.rlim_cur));
  CHECK(hard == as_text(own.rlim_max));
}
