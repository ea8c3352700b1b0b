// The `logs` op with follow (docs/protocol.md) on a real daemon: events, then the final
// reply once the node is done; the daemon stopping ends it; the lines argument; a follow of
// a node that has already ended replies at once.
#include <doctest/doctest.h>

#include "tests/unit/server/server_test_support.hpp"

using namespace traio;
using namespace traio::server_test;

namespace {

struct Stream {
  std::vector<json> events;
  std::optional<json> reply;
};

// Reads events of request `id` until its final reply (or nothing comes for `limit`).
Stream read_stream(Client& client, std::int64_t id, std::chrono::milliseconds limit = 10s) {
  Stream out;
  while (auto line = client.read_json(limit)) {
    CHECK((*line)["id"] == id);
    if (line->contains("event")) {
      out.events.push_back((*line)["event"]);
      continue;
    }
    out.reply = *line;
    break;
  }
  return out;
}

std::vector<std::string> texts(const std::vector<json>& events) {
  std::vector<std::string> out;
  for (const auto& e : events) out.push_back(e["line"].get<std::string>());
  return out;
}

}  // namespace

TEST_CASE("logs follow: a job's lines come as events with path, stream and time, then the final reply when it is done") {
  TestDaemon daemon;
  Client client(daemon.socket_path());
  result_of(client.call(1, "spawn", {{"job", {{"name", "j"}, {"argv", {"sh", "-c", "echo early; sleep 0.3; echo late >&2; sleep 0.2"}}}}}));
  REQUIRE(client.send(2, "logs", {{"path", "/j"}, {"follow", true}}));
  auto stream = read_stream(client, 2);
  REQUIRE(stream.reply.has_value());
  CHECK(result_of(*stream.reply)["done"] == true);
  REQUIRE(texts(stream.events) == std::vector<std::string>{"early", "late"});
  CHECK(stream.events[1]["path"] == "/j");
  CHECK(stream.events[1]["stream"] == "err");
  CHECK(stream.events[1]["time"].get<std::string>().size() == 24);
}

TEST_CASE("logs follow: lines sets how many earlier lines come first -- a node already done replies at once") {
  TestDaemon daemon;
  Client client(daemon.socket_path());
  result_of(client.call(1, "spawn", {{"job", {{"name", "j"}, {"argv", {"seq", "1", "30"}}}}}));
  result_of(client.call(2, "wait", {{"paths", {"/j"}}}));
  REQUIRE(client.send(3, "logs", {{"path", "/j"}, {"follow", true}}));
  auto by_default = read_stream(client, 3);
  REQUIRE(by_default.reply.has_value());
  CHECK(texts(by_default.events).size() == 10);  // like tail -f
  CHECK(texts(by_default.events).back() == "30");
  REQUIRE(client.send(4, "logs", {{"path", "/j"}, {"follow", true}, {"lines", 2}}));
  CHECK(texts(read_stream(client, 4).events) == std::vector<std::string>{"29", "30"});
  REQUIRE(client.send(5, "logs", {{"path", "/j"}, {"follow", true}, {"lines", 0}}));
  auto none = read_stream(client, 5);
  CHECK(none.events.empty());
  CHECK(none.reply.has_value());
  CHECK(error_code_of(client.call(6, "logs", {{"path", "/j"}, {"follow", "yes"}})) == "invalid_request");
}

TEST_CASE("logs follow: a scope's follow takes in a job spawned after it began, and ends when the scope is done") {
  TestDaemon daemon;
  Client client(daemon.socket_path());
  Client follower(daemon.socket_path());
  result_of(client.call(1, "fork", {{"name", "s"}}));
  REQUIRE(follower.send(1, "logs", {{"path", "/s"}, {"follow", true}}));
  result_of(client.call(2, "spawn", {{"scope", "/s"}, {"job", {{"name", "late"}, {"argv", {"sh", "-c", "echo from-late"}}}}}));
  auto first = follower.read_json();
  REQUIRE(first.has_value());
  CHECK((*first)["event"]["path"] == "/s/late");
  CHECK((*first)["event"]["line"] == "from-late");
  result_of(client.call(3, "finalize", {{"path", "/s"}}));
  auto stream = read_stream(follower, 1);
  CHECK(stream.events.empty());
  REQUIRE(stream.reply.has_value());
  CHECK(result_of(*stream.reply)["done"] == true);
}

TEST_CASE("logs follow: the daemon stopping ends a follow with the job's last lines, then its final reply") {
  TestDaemon daemon;
  Client client(daemon.socket_path());
  // Says "bye" on its stop signal, after the follow's last regular poll.
  result_of(client.call(1, "spawn", {{"job", {{"name", "j"}, {"argv", {"sh", "-c", "trap 'echo bye; exit 0' TERM; echo hi; while :; do sleep 0.05; done"}}}}}));
  REQUIRE(client.send(2, "logs", {{"path", "/j"}, {"follow", true}}));
  auto first = client.read_json(5s);
  REQUIRE(first.has_value());
  CHECK((*first)["event"]["line"] == "hi");
  daemon.stop();
  auto stream = read_stream(client, 2);
  REQUIRE(stream.reply.has_value());
  INFO(json(texts(stream.events)).dump());
  REQUIRE_FALSE(stream.events.empty());  // sh may first say its sleep was "Terminated"
  CHECK(texts(stream.events).back() == "bye");
  CHECK(result_of(*stream.reply)["done"] == true);  // the stop ended the job first (rule 13)
}
