// Framing, limits and concurrency of one connection (SPEC §5, docs/protocol.md), against a
// real daemon on a temporary socket.
#include <doctest/doctest.h>

#include "tests/unit/server/server_test_support.hpp"

using namespace traio;
using namespace traio::server_test;

TEST_CASE("ping answers with pong and the version") {
  TestDaemon daemon;
  Client client(daemon.socket_path());
  REQUIRE(client.connected());
  auto result = result_of(client.call(7, "ping"));
  CHECK(result["pong"] == true);
  CHECK(result["version"] == TRAIO_VERSION);
  auto reply = client.call(8, "version");
  CHECK(reply["id"] == 8);
  CHECK(result_of(reply)["protocol"] == 1);
}

TEST_CASE("a line over limits.request_bytes gets limit_exceeded and is disconnected -- others go on") {
  TestDaemon daemon([](DaemonConfig& c) { c.limits.request_bytes = 1024; });
  Client other(daemon.socket_path());
  CHECK(result_of(other.call(1, "ping"))["pong"] == true);

  Client big(daemon.socket_path());
  // The daemon may hang up before it has read all of this: a failed send is fine.
  big.send_raw(std::string(4096, 'x') + "\n");
  auto reply = big.read_json();
  REQUIRE(reply.has_value());
  CHECK(error_code_of(*reply) == "limit_exceeded");
  CHECK((*reply)["id"] == 0);
  CHECK(big.wait_closed());

  CHECK(result_of(other.call(2, "ping"))["pong"] == true);
}

TEST_CASE("a line of exactly limits.request_bytes is accepted") {
  TestDaemon daemon([](DaemonConfig& c) { c.limits.request_bytes = 200; });
  Client client(daemon.socket_path());
  std::string line = R"({"v":1,"id":3,"op":"ping","args":{}})";
  line.insert(line.size() - 1, std::string(200 - line.size(), ' '));
  REQUIRE(line.size() == 200);
  REQUIRE(client.send_raw(line + "\n"));
  auto reply = client.read_json();
  REQUIRE(reply.has_value());
  CHECK(result_of(*reply)["pong"] == true);
}

TEST_CASE("a 100000-deep array gets limit_exceeded and the daemon survives") {
  TestDaemon daemon;
  Client deep(daemon.socket_path());
  deep.send_raw(std::string(100000, '[') + std::string(100000, ']') + "\n");
  auto reply = deep.read_json();
  REQUIRE(reply.has_value());
  CHECK(error_code_of(*reply) == "limit_exceeded");
  CHECK(deep.wait_closed());

  Client after(daemon.socket_path());
  CHECK(result_of(after.call(1, "ping"))["pong"] == true);
}

TEST_CASE("bad_json is answered with id 0 and the connection stays open") {
  TestDaemon daemon;
  Client client(daemon.socket_path());
  REQUIRE(client.send_raw("{\"v\":1,\"id\":\n"));
  auto reply = client.read_json();
  REQUIRE(reply.has_value());
  CHECK(error_code_of(*reply) == "bad_json");
  CHECK((*reply)["id"] == 0);
  CHECK(result_of(client.call(2, "ping"))["pong"] == true);
}

TEST_CASE("an unknown op gets unknown_op with the request's id") {
  TestDaemon daemon;
  Client client(daemon.socket_path());
  auto reply = client.call(41, "frobnicate");
  CHECK(error_code_of(reply) == "unknown_op");
  CHECK(reply["id"] == 41);
  CHECK(result_of(client.call(42, "ping"))["pong"] == true);
}

TEST_CASE("an unsupported protocol version gets unsupported_version") {
  TestDaemon daemon;
  Client client(daemon.socket_path());
  REQUIRE(client.send_raw(R"({"v":2,"id":5,"op":"ping"})" "\n"));
  auto reply = client.read_json();
  REQUIRE(reply.has_value());
  CHECK(error_code_of(*reply) == "unsupported_version");
  CHECK((*reply)["id"] == 5);
}

TEST_CASE("a bad envelope gets invalid_request and keeps the connection") {
  TestDaemon daemon;
  Client client(daemon.socket_path());
  REQUIRE(client.send_raw(R"({"v":1,"id":6,"op":"ping","colour":"red"})" "\n"));
  auto reply = client.read_json();
  REQUIRE(reply.has_value());
  CHECK(error_code_of(*reply) == "invalid_request");
  CHECK((*reply)["id"] == 6);
  CHECK(error_code_of(client.call(7, "ping", {{"colour", "red"}})) == "invalid_request");
  CHECK(result_of(client.call(8, "ping"))["pong"] == true);
}

TEST_CASE("two requests in flight on one connection: a blocking wait does not hold up a ping") {
  TestDaemon daemon;
  Client client(daemon.socket_path());
  auto path = result_of(client.call(1, "spawn", {{"job", {{"kind", "sleep"}, {"duration", "700ms"}}}}))["path"];
  REQUIRE(client.send(2, "wait", {{"paths", {path}}}));
  REQUIRE(client.send(3, "ping"));
  auto first = client.read_json();
  REQUIRE(first.has_value());
  CHECK((*first)["id"] == 3);
  auto second = client.read_json();
  REQUIRE(second.has_value());
  CHECK((*second)["id"] == 2);
  auto result = result_of(*second);
  CHECK(result["expired"] == false);
  CHECK(result["nodes"][0]["outcome"] == "succeeded");
}

TEST_CASE("a client that goes away mid-wait leaves the daemon serving and the job untouched") {
  TestDaemon daemon;
  Client watcher(daemon.socket_path());
  auto path = result_of(watcher.call(1, "spawn", {{"job", {{"argv", {"sleep", "30"}}}}}))["path"];
  {
    Client leaver(daemon.socket_path());
    REQUIRE(leaver.send(1, "wait", {{"paths", {path}}}));
    REQUIRE(leaver.send(2, "events", {{"follow", true}}));
    CHECK_FALSE(leaver.read_line(200ms).value_or("").find("\"ok\"") != std::string::npos);
  }  // closed with a wait and a follow in flight
  CHECK(result_of(watcher.call(2, "ping"))["pong"] == true);
  auto node = result_of(watcher.call(3, "inspect", {{"path", path}}))["node"];
  CHECK(node["state"] == "running");
  CHECK(result_of(watcher.call(4, "cancel", {{"path", path}})).is_object());
  auto waited = result_of(watcher.call(5, "wait", {{"paths", {path}}}));
  CHECK(waited["nodes"][0]["outcome"] == "cancelled");
}

TEST_CASE("the connection over limits.connections gets limit_exceeded and is closed") {
  TestDaemon daemon([](DaemonConfig& c) { c.limits.connections = 2; });
  auto a = std::make_unique<Client>(daemon.socket_path());
  Client b(daemon.socket_path());
  CHECK(result_of(a->call(1, "ping"))["pong"] == true);
  CHECK(result_of(b.call(1, "ping"))["pong"] == true);

  Client c(daemon.socket_path());
  auto reply = c.read_json();
  REQUIRE(reply.has_value());
  CHECK(error_code_of(*reply) == "limit_exceeded");
  CHECK(c.wait_closed());
  CHECK(result_of(b.call(2, "ping"))["pong"] == true);

  // A slot freed by a client that leaves is given to the next one.
  a.reset();
  CHECK(test::wait_until([&] {
    Client d(daemon.socket_path());
    if (!d.send(1, "ping")) return false;
    auto r = d.read_json(2s);
    return r && r->value("ok", false);
  }));
}

TEST_CASE("a client that never reads its replies is dropped without affecting others") {
  TestDaemon daemon;
  Client reader(daemon.socket_path());
  // Enough events in the ring that each `events` reply is large.
  for (int i = 0; i < 250; ++i)
    result_of(reader.call(i, "spawn", {{"job", {{"kind", "sleep"}, {"duration", 0}}}}));
  Client hog(daemon.socket_path());
  bool dropped = false;
  for (int i = 0; i < 400 && !dropped; ++i) dropped = !hog.send(i, "events");
  // Either a send already failed or the daemon closes it: in both cases it is gone.
  if (!dropped) {
    hog.send(9999, "ping");
  }
  CHECK(result_of(reader.call(1000, "ping"))["pong"] == true);
  CHECK(hog.wait_closed(15s));
}
