// The op handlers against a real daemon: protocol JSON in, core calls, node objects out.
#include <signal.h>
#include <unistd.h>

#include <doctest/doctest.h>

#include "tests/unit/server/server_test_support.hpp"

using namespace traio;
using namespace traio::server_test;

TEST_CASE("spawn of a bad job returns invalid_request naming every field path") {
  TestDaemon daemon;
  Client client(daemon.socket_path());
  auto reply = client.call(1, "spawn", {{"job", {{"argv", "not-a-list"}, {"colour", "red"}}}});
  CHECK(error_code_of(reply) == "invalid_request");
  auto message = reply["error"]["message"].get<std::string>();
  CHECK(message.find("argv") != std::string::npos);
  CHECK(message.find("colour") != std::string::npos);
  CHECK(error_code_of(client.call(2, "spawn", {})) == "invalid_request");
  CHECK(error_code_of(client.call(3, "spawn", {{"job", {{"argv", {"true"}}}}, {"extra", 1}})) ==
        "invalid_request");
}

TEST_CASE("spawn into a missing scope is not_found with the path in the message") {
  TestDaemon daemon;
  Client client(daemon.socket_path());
  auto reply = client.call(1, "spawn", {{"scope", "/ci/x"}, {"job", {{"argv", {"true"}}}}});
  CHECK(error_code_of(reply) == "not_found");
  CHECK(reply["error"]["message"] == "no node /ci/x");
  CHECK(error_code_of(client.call(2, "inspect", {{"path", "relative/path"}})) == "invalid_request");
}

TEST_CASE("spawned jobs belong to the connection's peer uid and run real processes") {
  TestDaemon daemon;
  Client client(daemon.socket_path());
  auto path = result_of(client.call(1, "spawn", {{"job", {{"name", "t"}, {"argv", {"sh", "-c", "exit 3"}}}}}))["path"];
  CHECK(path == "/t");
  auto waited = result_of(client.call(2, "wait", {{"paths", {path}}}));
  auto node = waited["nodes"][0];
  CHECK(node["owner_uid"] == ::getuid());
  CHECK(node["outcome"] == "failed");
  CHECK(node["exit_code"] == 3);
  CHECK(node["type"] == "job");
  CHECK(node["kind"] == "process");
  CHECK(node["started_at"].is_string());
  auto inspected = result_of(client.call(3, "inspect", {{"path", "/t"}}))["node"];
  CHECK(inspected["spec"]["argv"][0] == "sh");
}

TEST_CASE("name_taken and scope_closed from the core are passed through") {
  TestDaemon daemon;
  Client client(daemon.socket_path());
  result_of(client.call(1, "fork", {{"name", "s"}}));
  CHECK(error_code_of(client.call(2, "fork", {{"name", "s"}})) == "name_taken");
  result_of(client.call(3, "cancel", {{"path", "/s"}, {"reason", "test"}}));
  result_of(client.call(4, "wait", {{"paths", {"/s"}}}));
  CHECK(error_code_of(client.call(5, "spawn", {{"scope", "/s"}, {"job", {{"argv", {"true"}}}}})) ==
        "scope_closed");
}

TEST_CASE("fork validates its args and names unknown keys") {
  TestDaemon daemon;
  Client client(daemon.socket_path());
  auto reply = client.call(1, "fork", {{"name", "s"}, {"colour", "red"}, {"size", 3}});
  CHECK(error_code_of(reply) == "invalid_request");
  auto message = reply["error"]["message"].get<std::string>();
  CHECK(message.find("colour") != std::string::npos);
  CHECK(message.find("size") != std::string::npos);
  CHECK(error_code_of(client.call(2, "fork", {{"name", "../x"}})) == "invalid_request");
  CHECK(error_code_of(client.call(3, "fork", {{"timeout", "soon"}})) == "invalid_request");
  CHECK(error_code_of(client.call(4, "fork", {{"master", "yes"}})) == "invalid_request");
  auto path = result_of(client.call(5, "fork", {{"name", "ok"}, {"bubble", false}, {"timeout", 60}}))["path"];
  auto node = result_of(client.call(6, "inspect", {{"path", path}}))["node"];
  CHECK(node["bubble"] == false);
  CHECK(node["timeout"] == "1m");
  CHECK(node["type"] == "scope");
  CHECK(node["state"] == "open");
}

TEST_CASE("rule 6: a job's deadline is the earliest of its own and its ancestors'") {
  TestDaemon daemon;
  Client client(daemon.socket_path());
  result_of(client.call(1, "fork", {{"name", "outer"}, {"timeout", "1h"}}));
  auto job = result_of(client.call(2, "spawn", {{"scope", "/outer"}, {"job", {{"argv", {"sleep", "30"}}}}}))["path"];
  auto outer = result_of(client.call(3, "inspect", {{"path", "/outer"}}))["node"];
  auto inner = result_of(client.call(4, "inspect", {{"path", job}}))["node"];
  REQUIRE(outer["deadline"].is_string());
  CHECK(inner["deadline"] == outer["deadline"]);
  CHECK(inner["timeout"].is_null());
  // A nearer own timeout wins; `timeout` answers with the new effective deadline.
  auto set = result_of(client.call(5, "timeout", {{"path", job}, {"timeout", "10m"}}));
  REQUIRE(set["deadline"].is_string());
  CHECK(set["deadline"] < outer["deadline"]);
  auto cleared = result_of(client.call(6, "timeout", {{"path", job}, {"timeout", nullptr}}));
  CHECK(cleared["deadline"] == outer["deadline"]);
}

TEST_CASE("submit runs a tree -- finalize ends an empty scope") {
  TestDaemon daemon;
  Client client(daemon.socket_path());
  json tree = {{"name", "ci"},
               {"children", {{{"name", "a"}, {"argv", {"true"}}}, {{"name", "b"}, {"kind", "sleep"}, {"duration", "50ms"}}}}};
  auto path = result_of(client.call(1, "submit", {{"tree", tree}}))["path"];
  CHECK(path == "/ci");
  auto waited = result_of(client.call(2, "wait", {{"paths", {"/ci"}}}));
  CHECK(waited["nodes"][0]["outcome"] == "succeeded");
  auto bad = client.call(3, "submit", {{"tree", {{"children", {{{"argv", 5}}}}}}});
  CHECK(error_code_of(bad) == "invalid_request");
  CHECK(bad["error"]["message"].get<std::string>().find("children[0].argv") != std::string::npos);

  result_of(client.call(4, "fork", {{"name", "empty"}}));
  result_of(client.call(5, "finalize", {{"path", "/empty"}}));
  auto done = result_of(client.call(6, "wait", {{"paths", {"/empty"}}}));
  CHECK(done["nodes"][0]["outcome"] == "succeeded");
}

TEST_CASE("wait with a timeout replies expired with the nodes' current state") {
  TestDaemon daemon;
  Client client(daemon.socket_path());
  auto path = result_of(client.call(1, "spawn", {{"job", {{"argv", {"sleep", "30"}}}}}))["path"];
  auto waited = result_of(client.call(2, "wait", {{"paths", {path}}, {"timeout", "100ms"}}));
  CHECK(waited["expired"] == true);
  CHECK(waited["nodes"][0]["state"] == "running");
  CHECK(error_code_of(client.call(3, "wait", {{"paths", {"/nope"}}})) == "not_found");
  CHECK(error_code_of(client.call(4, "wait", {{"paths", json::array()}})) == "invalid_request");
}

TEST_CASE("rule 10: wait --claim keeps its claim when the client goes away") {
  TestDaemon daemon;
  Client client(daemon.socket_path());
  result_of(client.call(1, "fork", {{"name", "s"}}));
  auto failing = result_of(client.call(2, "spawn", {{"scope", "/s"}, {"job", {{"name", "f"}, {"argv", {"sh", "-c", "sleep 0.3; exit 1"}}}}}))["path"];
  auto sibling = result_of(client.call(3, "spawn", {{"scope", "/s"}, {"job", {{"name", "g"}, {"argv", {"sleep", "30"}}}}}))["path"];
  {
    Client claimer(daemon.socket_path());
    REQUIRE(claimer.send(1, "wait", {{"paths", {failing}}, {"claim", true}}));
    // The claim is taken when the request is handled; a ping behind it proves that.
    CHECK(result_of(claimer.call(2, "ping"))["pong"] == true);
  }
  auto waited = result_of(client.call(4, "wait", {{"paths", {failing}}}));
  CHECK(waited["nodes"][0]["outcome"] == "failed");
  CHECK(waited["nodes"][0]["claimed"] == true);
  auto scope = result_of(client.call(5, "inspect", {{"path", "/s"}}))["node"];
  CHECK(scope["state"] == "open");  // no bubbling: the claimed failure did not cancel /s
  CHECK(result_of(client.call(6, "inspect", {{"path", sibling}}))["node"]["state"] == "running");
}

TEST_CASE("ps shows live nodes nested, ended ones only with all") {
  TestDaemon daemon;
  Client client(daemon.socket_path());
  result_of(client.call(1, "fork", {{"name", "s"}}));
  result_of(client.call(2, "spawn", {{"scope", "/s"}, {"job", {{"name", "live"}, {"argv", {"sleep", "30"}}}}}));
  result_of(client.call(3, "spawn", {{"scope", "/s"}, {"job", {{"name", "gone"}, {"argv", {"true"}}}}}));
  result_of(client.call(4, "wait", {{"paths", {"/s/gone"}}}));
  auto live = result_of(client.call(5, "ps", {{"path", "/s"}}))["node"];
  REQUIRE(live["children"].size() == 1);
  CHECK(live["children"][0]["path"] == "/s/live");
  CHECK_FALSE(live["children"][0].contains("spec"));
  auto all = result_of(client.call(6, "ps", {{"path", "/s"}, {"all", true}}))["node"];
  CHECK(all["children"].size() == 2);
  CHECK(all["child_paths"].size() == 2);
  auto root = result_of(client.call(7, "ps"))["node"];
  CHECK(root["path"] == "/");
  CHECK(root["children"][0]["children"][0]["name"] == "live");
  // An ended node asked for directly is still shown.
  CHECK(result_of(client.call(8, "ps", {{"path", "/s/gone"}}))["node"]["state"] == "done");
}

TEST_CASE("ps brief carries only the fields the tree draws, nested the same way") {
  TestDaemon daemon;
  Client client(daemon.socket_path());
  result_of(client.call(1, "fork", {{"name", "s"}}));
  result_of(client.call(2, "spawn", {{"scope", "/s"}, {"job", {{"name", "live"}, {"argv", {"sleep", "30"}}}}}));
  auto brief = result_of(client.call(3, "ps", {{"path", "/s"}, {"brief", true}}))["node"];
  REQUIRE(brief["children"].size() == 1);
  const auto& job = brief["children"][0];
  CHECK(job["path"] == "/s/live");
  CHECK(job["state"] == "running");
  CHECK(job["pid"].is_number());
  CHECK(job.contains("created_at"));
  CHECK_FALSE(job.contains("exit_code"));  // no value yet: left out
  CHECK_FALSE(job.contains("cause"));
  CHECK(job.contains("owner_uid"));  // drawn as OWNER when owners differ
  CHECK_FALSE(job.contains("master"));
  CHECK(job.size() + 10 < result_of(client.call(4, "inspect", {{"path", "/s/live"}}))["node"].size());
  auto bad = client.call(5, "ps", {{"brief", "yes"}});
  CHECK(bad.contains("error"));
  result_of(client.call(6, "cancel", {{"path", "/s"}}));
  result_of(client.call(7, "wait", {{"paths", {"/s"}}}));
}

TEST_CASE("logs returns a job's last lines -- a scope merges its jobs by time, each line with its path") {
  TestDaemon daemon;
  Client client(daemon.socket_path());
  result_of(client.call(1, "fork", {{"name", "s"}}));
  result_of(client.call(2, "spawn", {{"scope", "/s"}, {"job", {{"name", "a"}, {"argv", {"sh", "-c", "echo a1; echo a2"}}}}}));
  result_of(client.call(3, "wait", {{"paths", {"/s/a"}}}));
  result_of(client.call(4, "spawn", {{"scope", "/s"}, {"job", {{"name", "b"}, {"argv", {"sh", "-c", "echo b1"}}}}}));
  result_of(client.call(5, "wait", {{"paths", {"/s/b"}}}));
  auto lines = result_of(client.call(6, "logs", {{"path", "/s/a"}, {"lines", 1}}))["lines"];
  REQUIRE(lines.size() == 1);
  CHECK(lines[0]["line"] == "a2");
  CHECK(lines[0]["stream"] == "out");
  CHECK(lines[0]["path"] == "/s/a");
  auto merged = result_of(client.call(7, "logs", {{"path", "/s"}}))["lines"];
  REQUIRE(merged.size() == 3);
  CHECK(merged[0]["path"] == "/s/a");
  CHECK(merged[0]["line"] == "a1");
  CHECK(merged[2]["path"] == "/s/b");
  CHECK(merged[2]["line"] == "b1");
  for (const auto& line : merged) CHECK(line["time"].get<std::string>().size() == 24);  // RFC 3339, ms, UTC
  CHECK(merged[0]["time"] <= merged[2]["time"]);
  CHECK(error_code_of(client.call(8, "logs", {{"path", "/s/a"}, {"lines", -1}})) == "invalid_request");
}

TEST_CASE("logs with stream keeps that stream only -- lines counts after the filter") {
  TestDaemon daemon;
  Client client(daemon.socket_path());
  result_of(client.call(1, "spawn", {{"job", {{"name", "j"}, {"argv", {"sh", "-c", "echo o1; echo e1 >&2; echo o2; echo e2 >&2; echo o3"}}}}}));
  result_of(client.call(2, "wait", {{"paths", {"/j"}}}));
  auto err = result_of(client.call(3, "logs", {{"path", "/j"}, {"stream", "err"}}))["lines"];
  REQUIRE(err.size() == 2);
  CHECK(err[0]["line"] == "e1");
  CHECK(err[1]["line"] == "e2");
  CHECK(err[1]["stream"] == "err");
  auto out = result_of(client.call(4, "logs", {{"path", "/j"}, {"stream", "out"}, {"lines", 2}}))["lines"];
  REQUIRE(out.size() == 2);
  CHECK(out[0]["line"] == "o2");
  CHECK(out[1]["line"] == "o3");
  CHECK(result_of(client.call(5, "logs", {{"path", "/j"}}))["lines"].size() == 5);
  CHECK(error_code_of(client.call(6, "logs", {{"path", "/j"}, {"stream", "both"}})) == "invalid_request");
  CHECK(error_code_of(client.call(7, "logs", {{"path", "/j"}, {"stream", 1}})) == "invalid_request");
}

TEST_CASE("events sends the recent ones under a path, then live ones with follow") {
  TestDaemon daemon;
  Client client(daemon.socket_path());
  result_of(client.call(1, "fork", {{"name", "ci"}}));
  result_of(client.call(2, "fork", {{"name", "cix"}}));
  REQUIRE(client.send(3, "events", {{"path", "/ci"}}));
  std::vector<json> events;
  for (;;) {
    auto line = client.read_json();
    REQUIRE(line.has_value());
    if (line->contains("event")) {
      CHECK((*line)["id"] == 3);
      events.push_back((*line)["event"]);
      continue;
    }
    CHECK(result_of(*line).empty());
    break;
  }
  REQUIRE(events.size() == 1);
  CHECK(events[0]["kind"] == "created");
  CHECK(events[0]["path"] == "/ci");
  CHECK(events[0]["seq"].is_number());
  CHECK(events[0]["time"].get<std::string>().back() == 'Z');

  Client follower(daemon.socket_path());
  REQUIRE(follower.send(1, "events", {{"path", "/ci"}, {"follow", true}}));
  CHECK((*follower.read_json())["event"]["path"] == "/ci");  // the recent one
  result_of(client.call(4, "spawn", {{"scope", "/cix"}, {"job", {{"argv", {"true"}}}}}));
  result_of(client.call(5, "spawn", {{"scope", "/ci"}, {"job", {{"name", "j"}, {"argv", {"true"}}}}}));
  auto live = follower.read_json();
  REQUIRE(live.has_value());
  CHECK((*live)["event"]["path"] == "/ci/j");  // /cix is not under /ci
  CHECK((*live)["event"]["kind"] == "created");
}
