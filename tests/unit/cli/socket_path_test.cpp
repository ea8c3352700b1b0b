#include <doctest/doctest.h>

#include <set>

#include "cli/socket_path.hpp"

using traio::cli::find_socket;
using traio::cli::SocketLookup;

namespace {
SocketLookup user(unsigned uid, std::set<std::string> existing = {}) {
  SocketLookup l;
  l.uid = uid;
  l.exists = [existing](const std::string& p) { return existing.count(p) > 0; };
  return l;
}
}  // namespace

TEST_CASE("socket lookup: --socket, then $TRAIO_SOCKET") {
  auto l = user(1000);
  l.flag = "/tmp/flag.sock";
  l.traio_socket = "/tmp/env.sock";
  CHECK(find_socket(l) == "/tmp/flag.sock");
  l.flag.reset();
  CHECK(find_socket(l) == "/tmp/env.sock");
}

TEST_CASE("socket lookup: a non-root user's runtime dir, /tmp/traio-<uid> without one") {
  auto l = user(1000);
  l.xdg_runtime_dir = "/run/user/1000";
  CHECK(find_socket(l) == "/run/user/1000/traio.sock");
  l.xdg_runtime_dir.reset();
  CHECK(find_socket(l) == "/tmp/traio-1000/traio.sock");
}

TEST_CASE("socket lookup: root uses the system socket -- a user falls back to it") {
  CHECK(find_socket(user(0)) == "/run/traio/traio.sock");
  auto l = user(1000, {"/run/traio/traio.sock"});
  l.xdg_runtime_dir = "/run/user/1000";
  CHECK(find_socket(l) == "/run/traio/traio.sock");
  auto both = user(1000, {"/run/traio/traio.sock", "/run/user/1000/traio.sock"});
  both.xdg_runtime_dir = "/run/user/1000";
  CHECK(find_socket(both) == "/run/user/1000/traio.sock");
}
