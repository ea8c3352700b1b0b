// The daemon's socket and its stop (SPEC §4, §5, rule 13).
#include <signal.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <filesystem>

#include <doctest/doctest.h>

#include "daemon/server/socket_setup.hpp"
#include "tests/unit/server/server_test_support.hpp"

using namespace traio;
using namespace traio::server_test;

TEST_CASE("the socket gets config.socket.mode and its parent directory is created") {
  TestDaemon daemon([](DaemonConfig& c) { c.socket.mode = 0600; });
  struct stat st{};
  REQUIRE(::stat(daemon.socket_path().c_str(), &st) == 0);
  CHECK(S_ISSOCK(st.st_mode));
  CHECK((st.st_mode & 0777) == 0600);
  REQUIRE(::stat(std::filesystem::path(daemon.socket_path()).parent_path().c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0755);
}

TEST_CASE("a second daemon on the same socket refuses to start -- the first goes on") {
  TestDaemon first;
  boost::asio::io_context io;
  DaemonConfig config = first.config();
  Daemon second(io, config, StopSignals::Ignore);
  CHECK_THROWS_WITH_AS(second.start(), doctest::Contains("another traiod"), std::runtime_error);
  Client client(first.socket_path());
  CHECK(result_of(client.call(1, "ping"))["pong"] == true);
}

TEST_CASE("a stale socket file nobody answers on is replaced") {
  test::TempDir dir;
  std::string path = dir.file("stale.sock");
  {
    // Bound and closed without unlink: what a crashed daemon leaves behind.
    boost::asio::io_context io;
    boost::asio::local::stream_protocol::acceptor dead(io, boost::asio::local::stream_protocol::endpoint(path));
  }
  REQUIRE(std::filesystem::exists(path));
  TestDaemon daemon([&](DaemonConfig& c) { c.socket.path = path; });
  Client client(path);
  CHECK(result_of(client.call(1, "ping"))["pong"] == true);
}

TEST_CASE("a path that is not a socket is left alone and refused") {
  test::TempDir dir;
  std::string path = dir.file("file");
  { std::ofstream(path) << "data"; }
  boost::asio::io_context io;
  DaemonConfig::Socket config;
  config.path = path;
  CHECK_THROWS_AS(open_listener(io, config), std::runtime_error);
  CHECK(test::read_file(path) == "data");
}

TEST_CASE("rule 13: the shutdown op replies, kills every job, removes the socket and stops") {
  TestDaemon daemon;
  int pid = 0;
  {
    Client client(daemon.socket_path());
    auto path = result_of(client.call(1, "spawn", {{"job", {{"argv", {"sleep", "60"}}}}}))["path"];
    auto node = result_of(client.call(2, "inspect", {{"path", path}}))["node"];
    REQUIRE(node["pid"].is_number());
    pid = node["pid"].get<int>();
    CHECK(::kill(pid, 0) == 0);
    Client follower(daemon.socket_path());
    REQUIRE(follower.send(9, "events", {{"follow", true}}));
    auto reply = client.call(3, "shutdown");
    CHECK(result_of(reply).empty());
    // A follower gets its final reply once the daemon stops.
    bool final_reply = false;
    while (auto line = follower.read_json()) {
      if (line->contains("ok")) {
        final_reply = (*line)["id"] == 9;
        break;
      }
    }
    CHECK(final_reply);
  }
  daemon.join();
  CHECK(::kill(pid, 0) == -1);
  CHECK_FALSE(std::filesystem::exists(daemon.socket_path()));
}
