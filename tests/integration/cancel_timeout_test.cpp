// SPEC §1 rules 6 (timeout) and 7 (cancel) end to end.
#include <signal.h>

#include <doctest/doctest.h>

#include "tests/integration/harness.hpp"

using namespace traio::test;
using nlohmann::json;

namespace {



}  // namespace

TEST_CASE("rule 6: a scope timeout cancels inner scopes and ends timed_out") {
  Daemon d;
  const auto t0 = Clock::now();  // the timeout runs from here, not from `wait`
  const std::string s = d.ok({"fork", "--name", "s", "--timeout", "500ms"});
  const std::string inner = d.ok({"fork", "--scope", s, "--name", "inner", "--timeout", "10s"});
  const std::string job = d.ok({"spawn", "--scope", inner, "--", "sleep", "32.01"});
  // The inner scope's effective deadline is the outer one's.
  json node = d.inspect(inner);
  CHECK(node["deadline"] == d.inspect(s)["deadline"]);
  auto w = d.ctl({"wait", s});
  CHECK_MESSAGE(w.code == 3, w.describe());
  CHECK(Clock::now() - t0 >= 450ms);
  CHECK(w.elapsed < 4s);
  CHECK(d.inspect(s)["outcome"] == "timed_out");
  CHECK(d.inspect(inner)["outcome"] == "cancelled");
  CHECK(d.inspect(job)["outcome"] == "cancelled");
  CHECK(processes_with_cmdline("sleep 32.01").empty());
}

TEST_CASE("rule 6: a job timeout ends the job timed_out") {
  Daemon d;
  const std::string job = d.ok({"spawn", "--timeout", "300ms", "--no-bubble", "--", "sleep", "32.02"});
  auto w = d.ctl({"wait", job});
  CHECK_MESSAGE(w.code == 3, w.describe());
  CHECK(w.elapsed < 4s);
}

TEST_CASE("rule 6: traioctl timeout shortens a live node's timeout") {
  Daemon d;
  const std::string s = d.ok({"fork", "--name", "s", "--timeout", "30s"});
  d.ok({"spawn", "--scope", s, "--", "sleep", "32.03"});
  d.ok({"timeout", s, "300ms"});
  auto w = d.ctl({"wait", s});
  CHECK_MESSAGE(w.code == 3, w.describe());
  CHECK(w.elapsed < 4s);
}

TEST_CASE("rule 6: traioctl timeout extends and removes a live node's timeout") {
  Daemon d;
  const std::string s = d.ok({"fork", "--name", "s", "--timeout", "400ms"});
  d.ok({"spawn", "--scope", s, "--", "sleep", "32.04"});
  d.ok({"timeout", s, "10s"});
  auto w = d.ctl({"wait", s, "--timeout", "1s"});
  CHECK_MESSAGE(w.code == 8, w.describe());  // alive past the original 400 ms
  d.ok({"timeout", s, "none"});
  CHECK(d.inspect(s)["deadline"].is_null());
  d.ok({"cancel", s});
  auto c = d.ctl({"wait", s});
  CHECK_MESSAGE(c.code == 4, c.describe());
}

TEST_CASE("wait --timeout on a live node exits 8 and leaves it running") {
  Daemon d;
  const std::string job = d.ok({"spawn", "--", "sleep", "32.05"});
  auto w = d.ctl({"wait", job, "--timeout", "200ms"});
  CHECK_MESSAGE(w.code == 8, w.describe());
  CHECK(w.elapsed >= 150ms);
  CHECK(w.elapsed < 3s);
  CHECK(d.inspect(job)["state"] == "running");
  d.ok({"cancel", job});
}

TEST_CASE("rule 7: cancel kills the process, wait exits 4, the process is gone") {
  Daemon d;
  const std::string job = d.ok({"spawn", "--", "sleep", "32.06"});
  json node = d.inspect_until(job, is_running);
  REQUIRE(node["pid"].is_number_integer());
  const pid_t pid = node["pid"].get<pid_t>();
  CHECK(process_exists(pid));
  d.ok({"cancel", job, "--reason", "test says stop"});
  auto w = d.ctl({"wait", job});
  CHECK_MESSAGE(w.code == 4, w.describe());
  CHECK(w.elapsed < 3s);
  CHECK_FALSE(process_exists(pid));
  node = d.inspect(job);
  CHECK(node["outcome"] == "cancelled");
  CHECK(node["sent_signal"] == "TERM");
  // Cancelling what is already done changes nothing and succeeds.
  auto again = d.ctl({"cancel", job});
  CHECK_MESSAGE(again.code == 0, again.describe());
  CHECK(d.inspect(job)["outcome"] == "cancelled");
}

TEST_CASE("rule 7: cancel kills the job's whole process tree, even setsid'd descendants") {
  Daemon d;
  // A background child, and a grandchild that left the session and the parent.
  const std::string job = d.ok({"spawn", "--", "sh", "-c",
      "sleep 32.07 & setsid sh -c 'sleep 32.08 & exit 0'; sleep 32.09; wait"});
  REQUIRE(wait_for_process("sleep 32.08"));
  REQUIRE(wait_for_process("sleep 32.09"));
  d.ok({"cancel", job});
  auto w = d.ctl({"wait", job});
  CHECK_MESSAGE(w.code == 4, w.describe());
  CHECK(processes_with_cmdline("sleep 32.07").empty());
  CHECK(processes_with_cmdline("sleep 32.08").empty());
  CHECK(processes_with_cmdline("sleep 32.09").empty());
}

TEST_CASE("rule 7: a job ignoring its stop signal is killed after the grace period") {
  Daemon d;
  write_file(d.dir() / "stubborn.json", R"({
    "name": "stubborn", "stop": {"signal": "TERM", "grace": "500ms"},
    "argv": ["sh", "-c", "trap '' TERM; sleep 32.10"]})");
  const std::string job = d.ok({"spawn", (d.dir() / "stubborn.json").string()});
  REQUIRE(wait_for_process("sleep 32.10"));
  const auto t0 = Clock::now();  // the grace runs from the cancel
  d.ok({"cancel", job});
  auto w = d.ctl({"wait", job});
  CHECK_MESSAGE(w.code == 4, w.describe());  // cancelled even though SIGKILL ended it
  CHECK(Clock::now() - t0 >= 450ms);
  CHECK(w.elapsed < 4s);
  CHECK(processes_with_cmdline("sleep 32.10").empty());
  json node = d.inspect(job);
  CHECK(node["outcome"] == "cancelled");
  CHECK(node["signal"] == "KILL");
}

TEST_CASE("rule 7: cancelling a scope cancels every job in it at once") {
  Daemon d;
  const std::string s = d.ok({"fork", "--name", "s"});
  for (int i = 0; i < 5; ++i) d.ok({"spawn", "--scope", s, "--", "sleep", "32.11"});
  REQUIRE(wait_for_process("sleep 32.11"));
  auto c = d.ctl({"cancel", s});
  CHECK_MESSAGE(c.code == 0, c.describe());
  auto w = d.ctl({"wait", s});
  CHECK_MESSAGE(w.code == 4, w.describe());
  CHECK(w.elapsed < 3s);
  CHECK(processes_with_cmdline("sleep 32.11").empty());
  const json node = d.inspect(s);
  for (const auto& child : node["child_paths"]) {
    CHECK(d.inspect(child.get<std::string>())["outcome"] == "cancelled");
  }
}
