// The signal op (SPEC §3 `traioctl signal`): to a job's processes or a scope's jobs, no stop.
#include <signal.h>
#include <unistd.h>

#include <filesystem>

#include <doctest/doctest.h>

#include "tests/unit/server/server_test_support.hpp"

using namespace traio;
using namespace traio::server_test;

namespace {

json inspect(Client& client, const std::string& path) {
  return result_of(client.call(90, "inspect", {{"path", path}}))["node"];
}

// bubble=false: a job the signal kills fails without cancelling its siblings (rule 3).
json spawn_job(const std::string& scope, const std::string& name, std::vector<std::string> argv) {
  return {{"scope", scope},
          {"job", {{"name", name}, {"argv", std::move(argv)}, {"output", "null"}, {"bubble", false}}}};
}

}  // namespace

TEST_CASE("signal: a job gets the signal, stays running, and no sent_signal is recorded") {
  TestDaemon daemon;
  Client client(daemon.socket_path());
  const std::string marker = daemon.dir().file("got-usr1");
  const std::string armed = daemon.dir().file("armed");
  // sh runs its trap between two sleeps: the signal is seen within a tenth of a second. It
  // says when the trap is set: a USR1 before that would kill it (the default action).
  const std::string script =
      "trap 'echo got > " + marker + "' USR1; touch " + armed + "; while :; do sleep 0.1; done";
  result_of(client.call(1, "spawn", spawn_job("/", "j", {"sh", "-c", script})));
  REQUIRE(test::wait_until([&] { return std::filesystem::exists(armed); }));

  auto sent = result_of(client.call(2, "signal", {{"path", "/j"}, {"signal", "USR1"}}));
  CHECK(sent["signalled"] == 1);
  CHECK(test::wait_until([&] { return test::read_file(marker) == "got\n"; }));
  auto node = inspect(client, "/j");
  CHECK(node["state"] == "running");
  CHECK(node["sent_signal"].is_null());

  // A signal that kills it is not a stop: the job fails, killed by a signal traiod did not send.
  CHECK(result_of(client.call(3, "signal", {{"path", "/j"}, {"signal", 9}}))["signalled"] == 1);
  auto done = result_of(client.call(4, "wait", {{"paths", {"/j"}}}))["nodes"][0];
  CHECK(done["outcome"] == "failed");
  CHECK(done["signal"] == "KILL");
  CHECK(done["sent_signal"].is_null());
}

TEST_CASE("signal: a scope passes it to every running process job of its subtree") {
  TestDaemon daemon;
  Client client(daemon.socket_path());
  result_of(client.call(1, "fork", {{"name", "s"}}));
  result_of(client.call(2, "fork", {{"scope", "/s"}, {"name", "inner"}}));
  result_of(client.call(3, "spawn", spawn_job("/s", "a", {"sleep", "30"})));
  result_of(client.call(4, "spawn", spawn_job("/s", "b", {"sleep", "30"})));
  result_of(client.call(5, "spawn", spawn_job("/s/inner", "c", {"sleep", "30"})));
  result_of(client.call(6, "spawn", {{"scope", "/s"}, {"job", {{"name", "nap"}, {"kind", "sleep"}, {"duration", "30s"}}}}));
  result_of(client.call(7, "spawn", spawn_job("/s", "gone", {"true"})));
  result_of(client.call(8, "wait", {{"paths", {"/s/gone"}}}));

  auto sent = result_of(client.call(9, "signal", {{"path", "/s"}, {"signal", "SIGTERM"}}));
  CHECK(sent["signalled"] == 3);  // a, b, c; not the sleep timer, not the ended job
  auto done = result_of(client.call(10, "wait", {{"paths", {"/s/a", "/s/b", "/s/inner/c"}}}))["nodes"];
  for (const auto& node : done) {
    CHECK(node["signal"] == "TERM");
    CHECK(node["outcome"] == "failed");
  }
  CHECK(inspect(client, "/s/nap")["state"] == "running");
  result_of(client.call(11, "cancel", {{"path", "/s"}}));
}

TEST_CASE("signal: unknown paths, bad signals and jobs without processes are refused") {
  TestDaemon daemon;
  Client client(daemon.socket_path());
  CHECK(error_code_of(client.call(1, "signal", {{"path", "/nope"}, {"signal", "TERM"}})) == "not_found");
  result_of(client.call(2, "spawn", spawn_job("/", "j", {"sleep", "30"})));
  CHECK(error_code_of(client.call(3, "signal", {{"path", "/j"}, {"signal", "BOGUS"}})) == "invalid_request");
  CHECK(error_code_of(client.call(4, "signal", {{"path", "/j"}, {"signal", 0}})) == "invalid_request");
  CHECK(error_code_of(client.call(5, "signal", {{"path", "/j"}})) == "invalid_request");
  CHECK(error_code_of(client.call(6, "signal", {{"path", "/j"}, {"signal", true}})) == "invalid_request");
  CHECK(error_code_of(client.call(7, "signal", {{"path", "/j"}, {"signal", "TERM"}, {"x", 1}})) == "invalid_request");
  result_of(client.call(8, "spawn", {{"job", {{"name", "nap"}, {"kind", "sleep"}, {"duration", "30s"}}}}));
  CHECK(error_code_of(client.call(9, "signal", {{"path", "/nap"}, {"signal", "TERM"}})) == "invalid_request");

  // An ended job is no error: nothing runs, nothing is signalled.
  result_of(client.call(10, "spawn", spawn_job("/", "t", {"true"})));
  result_of(client.call(11, "wait", {{"paths", {"/t"}}}));
  CHECK(result_of(client.call(12, "signal", {{"path", "/t"}, {"signal", "TERM"}}))["signalled"] == 0);
}
