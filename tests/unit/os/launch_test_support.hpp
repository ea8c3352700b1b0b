#pragma once
// Helpers for the launcher's tests: a request with the clean PATH, and waiting for an exit.
#include <doctest/doctest.h>
#include <poll.h>

#include <string>
#include <vector>

#include "daemon/os/launcher.hpp"

namespace traio::test {

inline os::LaunchRequest request_for(std::vector<std::string> argv) {
  os::LaunchRequest r;
  r.argv = std::move(argv);
  r.env = {std::string("PATH=") + os::kCleanPath};
  return r;
}

// Blocks until the main process exits, then reaps it.
inline os::ExitStatus wait_exit(os::Child& child) {
  pollfd p{child.pidfd(), POLLIN, 0};
  REQUIRE(::poll(&p, 1, 10000) == 1);
  auto status = child.try_reap();
  REQUIRE(status.has_value());
  REQUIRE(status->has_value());
  return **status;
}

}  // namespace traio::test
