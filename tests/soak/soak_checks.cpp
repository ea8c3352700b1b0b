#include "tests/soak/soak_checks.hpp"

#include <chrono>
#include <thread>

#include "tests/integration/harness.hpp"
#include "tests/soak/soak_proc.hpp"

namespace traio::soak {

namespace {

using Clock = std::chrono::steady_clock;

// Runs `find` until it finds nothing or `limit` passes; returns the last findings.
template <class Find>
std::vector<std::string> poll_until_clean(Find find, std::chrono::milliseconds limit = std::chrono::seconds(5)) {
  const auto until = Clock::now() + limit;
  for (;;) {
    auto found = find();
    if (found.empty() || Clock::now() > until) return found;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

}  // namespace

std::vector<std::string> zombies_of(pid_t traiod) {
  return poll_until_clean([&] {
    std::vector<std::string> found;
    for (const auto& e : process_table())
      if (e.ppid == traiod && e.state == 'Z') found.push_back("zombie child of traiod: " + describe_process(e.pid));
    return found;
  });
}

std::vector<std::string> strays_of(pid_t traiod, const std::string& socket) {
  return poll_until_clean([&] {
    std::vector<std::string> found;
    for (const auto& e : descendants_of(traiod, process_table()))
      found.push_back("process left under traiod: " + describe_process(e.pid));
    for (pid_t pid : test::processes_with_env("TRAIO_SOCKET=" + socket))
      if (pid != traiod) found.push_back("process with this daemon's TRAIO_SOCKET: " + describe_process(pid));
    for (const auto& cgroup : populated_job_cgroups(traiod)) found.push_back("job cgroup not empty: " + cgroup);
    return found;
  });
}

std::vector<std::string> fds_back_to(pid_t traiod, int baseline) {
  auto found = poll_until_clean([&] {
    const int now = fd_count(traiod);
    if (now <= baseline) return std::vector<std::string>{};
    return std::vector<std::string>{"traiod has " + std::to_string(now) + " fds open, " +
                                    std::to_string(baseline) + " at the baseline"};
  });
  if (!found.empty())
    for (const auto& fd : fd_targets(traiod)) found.push_back("  open: " + fd);
  return found;
}

int settled_fd_count(pid_t traiod) {
  const auto until = Clock::now() + std::chrono::seconds(5);
  int last = fd_count(traiod), same = 0;
  while (same < 2 && Clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    const int now = fd_count(traiod);
    same = now == last ? same + 1 : 0;
    last = now;
  }
  return last;
}

}  // namespace traio::soak
