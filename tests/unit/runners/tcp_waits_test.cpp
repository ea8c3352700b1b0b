// TcpWaits on real sockets: a listener opened later, IPv6, host names, refused and
// unanswered connects, cancellation.
#include <doctest/doctest.h>

#include <boost/asio/ip/tcp.hpp>
#include <fmt/format.h>

#include "daemon/runners/tcp_waits.hpp"
#include "tests/unit/runners/runner_test_support.hpp"

using namespace traio;
using namespace std::chrono_literals;
namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

// A port nothing listens on (bound then closed: the kernel hands out ephemeral ports in
// turn, so it stays free for the few seconds a test needs).
unsigned short free_port(const asio::ip::address& address = asio::ip::make_address("127.0.0.1")) {
  asio::io_context io;
  tcp::acceptor acceptor(io, tcp::endpoint(address, 0));
  return acceptor.local_endpoint().port();
}

tcp::acceptor listen_on(asio::io_context& io, const std::string& ip, unsigned short port, int backlog = 16) {
  tcp::acceptor acceptor(io);
  tcp::endpoint endpoint(asio::ip::make_address(ip), port);
  acceptor.open(endpoint.protocol());
  acceptor.set_option(tcp::acceptor::reuse_address(true));
  acceptor.bind(endpoint);
  acceptor.listen(backlog);
  return acceptor;
}

struct Fixture {
  asio::io_context io;
  std::vector<NodeId> connected;
  TcpWaits waits{io, [this](NodeId id) { connected.push_back(id); }};

  bool done(NodeId id) const { return std::find(connected.begin(), connected.end(), id) != connected.end(); }
  void run_for(std::chrono::milliseconds span) {
    test::run_until(io, [] { return false; }, span);
  }
};

}  // namespace

TEST_CASE("tcp waits: a wait on a listening address completes on the loop, not inside start()") {
  Fixture f;
  auto listener = listen_on(f.io, "127.0.0.1", 0);
  f.waits.start(1, fmt::format("127.0.0.1:{}", listener.local_endpoint().port()), 100ms);
  CHECK(f.connected.empty());
  REQUIRE(test::run_until(f.io, [&] { return f.done(1); }, 5s));
  CHECK(f.waits.running() == 0);
}

TEST_CASE("tcp waits: refused connects are retried every interval until a listener opens") {
  Fixture f;
  const auto port = free_port();
  f.waits.start(1, fmt::format("127.0.0.1:{}", port), 50ms);
  f.run_for(300ms);
  CHECK_FALSE(f.done(1));
  CHECK(f.waits.last_error(1) == fmt::format("connect 127.0.0.1:{}: Connection refused", port));
  auto listener = listen_on(f.io, "127.0.0.1", port);
  REQUIRE(test::run_until(f.io, [&] { return f.done(1); }, 5s));
}

TEST_CASE("tcp waits: an IPv6 address in brackets") {
  Fixture f;
  std::optional<unsigned short> port;
  try {
    port = free_port(asio::ip::make_address("::1"));
  } catch (const boost::system::system_error& e) {
    MESSAGE("skipped: no IPv6 loopback here: " << e.what());
    return;
  }
  f.waits.start(1, fmt::format("[::1]:{}", *port), 50ms);
  f.run_for(200ms);
  CHECK(f.waits.last_error(1) == fmt::format("connect [::1]:{}: Connection refused", *port));
  auto listener = listen_on(f.io, "::1", *port);
  REQUIRE(test::run_until(f.io, [&] { return f.done(1); }, 5s));
}

TEST_CASE("tcp waits: a host name is resolved and its addresses tried") {
  Fixture f;
  const auto port = free_port();
  f.waits.start(1, fmt::format("localhost:{}", port), 50ms);
  REQUIRE(test::run_until(f.io, [&] { return f.waits.last_error(1).find("refused") != std::string::npos; }, 5s));
  CHECK(f.waits.last_error(1).rfind(fmt::format("connect localhost:{} (", port), 0) == 0);
  auto listener = listen_on(f.io, "127.0.0.1", port);
  REQUIRE(test::run_until(f.io, [&] { return f.done(1); }, 5s));
}

TEST_CASE("tcp waits: a name that does not resolve is retried, not failed") {
  Fixture f;
  f.waits.start(1, "traio-no-such-host.invalid:80", 50ms);
  REQUIRE(test::run_until(f.io, [&] { return f.waits.last_error(1).rfind("resolve ", 0) == 0; }, 10s));
  CHECK(f.waits.last_error(1).rfind("resolve traio-no-such-host.invalid: ", 0) == 0);
  f.run_for(200ms);
  CHECK(f.waits.running() == 1);
  CHECK(f.connected.empty());
}

TEST_CASE("tcp waits: an attempt that gets no answer is cut after max(interval, 1s), then retried") {
  Fixture f;
  // A listener that never accepts, its queue full: the kernel drops further SYNs, so a
  // connect hangs as it would to a blackholed address.
  auto listener = listen_on(f.io, "127.0.0.1", 0, 0);
  const auto port = listener.local_endpoint().port();
  std::vector<std::unique_ptr<tcp::socket>> fillers;
  for (int i = 0; i < 4; ++i) {
    auto socket = std::make_unique<tcp::socket>(f.io);
    socket->async_connect(listener.local_endpoint(), [](boost::system::error_code) {});  // some never get in
    fillers.push_back(std::move(socket));
  }
  f.run_for(100ms);
  auto begin = std::chrono::steady_clock::now();
  f.waits.start(1, fmt::format("127.0.0.1:{}", port), 100ms);
  const std::string cut = fmt::format("connect 127.0.0.1:{}: no answer within 1s", port);
  REQUIRE(test::run_until(f.io, [&] { return f.waits.last_error(1) == cut; }, 5s));
  CHECK(std::chrono::steady_clock::now() - begin >= 1s);
  CHECK_FALSE(f.done(1));
  // Once the queue drains, the next attempt gets in.
  for (int i = 0; i < 8; ++i) {
    boost::system::error_code ignored;
    listener.non_blocking(true);
    tcp::socket accepted(f.io);
    listener.accept(accepted, ignored);
  }
  listener.close();
  auto open_again = listen_on(f.io, "127.0.0.1", port);
  REQUIRE(test::run_until(f.io, [&] { return f.done(1); }, 5s));
}

TEST_CASE("tcp waits: cancel ends a wait at once and no callback follows") {
  Fixture f;
  const auto port = free_port();
  f.waits.start(1, fmt::format("127.0.0.1:{}", port), 50ms);
  f.run_for(100ms);
  CHECK(f.waits.cancel(1));
  CHECK_FALSE(f.waits.cancel(1));
  CHECK(f.waits.running() == 0);
  CHECK(f.waits.last_error(1).empty());
  auto listener = listen_on(f.io, "127.0.0.1", port);
  f.run_for(300ms);
  CHECK(f.connected.empty());
}

TEST_CASE("tcp waits: an address that is not host:port waits without attempts, saying why") {
  Fixture f;
  f.waits.start(1, "no-port-here", 50ms);
  f.run_for(100ms);
  CHECK(f.waits.running() == 1);
  CHECK(f.waits.last_error(1) == "expected HOST:PORT, got 'no-port-here'");
}
