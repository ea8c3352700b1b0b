// Exec failures and exits in `inspect` (issue 5 item 9): a job that cannot start says why
// with the errno text (missing program, no execute permission, bad cwd); its scope sees a
// failure and the daemon goes on. Exits show code or signal, who sent it, and the times.
#include <filesystem>

#include <doctest/doctest.h>

#include "tests/integration/harness.hpp"

using namespace traio::test;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

// Spawns `job` (a job file) into a fresh scope, waits for the scope; returns the job's node.
json start_failure(const Daemon& d, const std::string& name, const json& job) {
  const std::string scope = d.ok({"fork", "--name", name});
  write_file(d.dir() / (name + ".json"), job.dump());
  const std::string path = d.ok({"spawn", "--scope", scope, (d.dir() / (name + ".json")).string()});
  auto w = d.ctl({"wait", scope});
  CHECK_MESSAGE(w.code == 1, name, ": the scope sees a failure: ", w.describe());
  json scope_node = d.inspect(scope);
  CHECK(scope_node["outcome"] == "failed");
  CHECK(scope_node["cause"]["path"] == path);
  return d.inspect(path);
}

void check_not_started(const json& node) {
  CHECK(node["outcome"] == "failed");
  CHECK(node["pid"].is_null());
  CHECK(node["exit_code"].is_null());
  CHECK(node["signal"].is_null());
  CHECK(node["sent_signal"].is_null());
  CHECK(node["ended_at"].is_string());
}

}  // namespace

TEST_CASE("exec failure: a missing program fails with ENOENT's text -- the daemon goes on") {
  Daemon d;
  json by_path = start_failure(d, "path", {{"argv", {"/no/such/program"}}, {"cwd", "/"}});
  check_not_started(by_path);
  CHECK(by_path["reason"] == "cannot start '/no/such/program': No such file or directory");
  json by_name = start_failure(d, "name", {{"argv", {"traio-no-such-program"}}, {"cwd", "/"}});
  CHECK(by_name["reason"] == "cannot start 'traio-no-such-program': No such file or directory");
  // The daemon goes on: another job runs and succeeds.
  auto ok = d.ctl({"spawn", "--wait", "--", "true"});
  CHECK_MESSAGE(ok.code == 0, ok.describe());
}

TEST_CASE("exec failure: a file without execute permission fails with EACCES's text") {
  Daemon d;
  const fs::path script = d.dir() / "not-executable.sh";
  write_file(script, "#!/bin/sh\nexit 0\n");
  fs::permissions(script, fs::perms(0644));
  json node = start_failure(d, "noexec", {{"argv", {script.string()}}, {"cwd", "/"}});
  check_not_started(node);
  CHECK(node["reason"] == "cannot start '" + script.string() + "': Permission denied");
}

TEST_CASE("exec failure: a bad working directory is named with the errno text") {
  Daemon d;
  json missing = start_failure(d, "missing", {{"argv", {"true"}}, {"cwd", "/nonexistent-traio-dir"}});
  check_not_started(missing);
  CHECK(missing["reason"] == "cannot start 'true': working directory '/nonexistent-traio-dir': No such file or directory");
  write_file(d.dir() / "a-file", "");
  json not_dir = start_failure(d, "notdir", {{"argv", {"true"}}, {"cwd", (d.dir() / "a-file").string()}});
  CHECK(not_dir["reason"] ==
        "cannot start 'true': working directory '" + (d.dir() / "a-file").string() + "': Not a directory");
}

TEST_CASE("exits: inspect shows the exit code, the signal and whether traiod sent it, and the times") {
  Daemon d;
  const std::string code = d.ok({"spawn", "--no-bubble", "--", "sh", "-c", "exit 3"});
  const std::string killed = d.ok({"spawn", "--no-bubble", "--", "sh", "-c", "kill -KILL $$"});
  const std::string stopped = d.ok({"spawn", "--", "sleep", "37.41"});
  REQUIRE(is_running(d.inspect_until(stopped, is_running)));
  d.ok({"cancel", stopped});
  d.ctl({"wait", code, killed, stopped});

  json exited = d.inspect(code);
  CHECK(exited["outcome"] == "failed");
  CHECK(exited["exit_code"] == 3);
  CHECK(exited["signal"].is_null());
  CHECK(exited["started_at"].is_string());
  CHECK(exited["ended_at"].is_string());
  CHECK(exited["started_at"].get<std::string>() <= exited["ended_at"].get<std::string>());

  json self_killed = d.inspect(killed);
  CHECK(self_killed["outcome"] == "failed");  // a signal traiod did not send
  CHECK(self_killed["signal"] == "KILL");
  CHECK(self_killed["sent_signal"].is_null());

  json cancelled = d.inspect(stopped);
  CHECK(cancelled["outcome"] == "cancelled");
  CHECK(cancelled["signal"] == "TERM");
  CHECK(cancelled["sent_signal"] == "TERM");
}
