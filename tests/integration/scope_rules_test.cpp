// SPEC §1 rules 1-5, 9 and 10 end to end: a real traiod, real processes, the real traioctl.
#include <doctest/doctest.h>

#include "tests/integration/harness.hpp"

using namespace traio::test;
using nlohmann::json;

TEST_CASE("rule 1: an open scope outlives its children until finalize") {
  Daemon d;
  const std::string s = d.ok({"fork", "--name", "s"});
  CHECK(s == "/s");
  const std::string job = d.ok({"spawn", "--scope", s, "--name", "quick", "--", "/bin/true"});
  CHECK(job == "/s/quick");
  CHECK(d.inspect_until(job, is_done)["outcome"] == "succeeded");

  auto still = d.ctl({"wait", s, "--timeout", "300ms"});
  CHECK_MESSAGE(still.code == 8, still.describe());  // no child left, yet the scope lives
  CHECK(d.inspect(s)["state"] == "open");

  d.ok({"finalize", s});
  auto w = d.ctl({"wait", s, "--timeout", "5s"});
  CHECK_MESSAGE(w.code == 0, w.describe());
  CHECK(w.elapsed < 2s);
  CHECK(d.inspect(s)["outcome"] == "succeeded");
}

TEST_CASE("rule 2: a finalized scope ends when its awaited children are done") {
  Daemon d;
  const std::string s = d.ok({"fork", "--name", "s"});
  d.ok({"spawn", "--scope", s, "--", "sleep", "0.5"});
  d.ok({"finalize", s});
  // rule 9: a finalized scope that is still live takes new children.
  const auto t0 = Clock::now();
  d.ok({"spawn", "--scope", s, "--name", "late", "--", "sleep", "0.8"});
  auto w = d.ctl({"wait", s});
  CHECK_MESSAGE(w.code == 0, w.describe());
  CHECK(Clock::now() - t0 >= 750ms);  // it waited for `late` too
  CHECK(w.elapsed < 4s);
  CHECK(d.inspect(s + "/late")["outcome"] == "succeeded");
}

TEST_CASE("rule 2: finalizing an empty scope ends it at once") {
  Daemon d;
  const std::string s = d.ok({"fork", "--name", "empty"});
  d.ok({"finalize", s});
  auto w = d.ctl({"wait", s, "--timeout", "3s"});
  CHECK_MESSAGE(w.code == 0, w.describe());
  CHECK(w.elapsed < 1s);
}

TEST_CASE("rule 3: a bubbling failure cancels its siblings and names the job as cause") {
  Daemon d;
  const std::string s = d.ok({"fork", "--name", "s"});
  const std::string sibling = d.ok({"spawn", "--scope", s, "--name", "long", "--", "sleep", "31.01"});
  d.ok({"spawn", "--scope", s, "--name", "bad", "--", "sh", "-c", "sleep 0.2; exit 3"});
  auto w = d.ctl({"wait", s});
  CHECK_MESSAGE(w.code == 1, w.describe());
  CHECK(w.elapsed < 5s);
  json node = d.inspect(s);
  CHECK(node["outcome"] == "failed");
  CHECK(node["cause"]["path"] == "/s/bad");
  CHECK(node["cause"]["exit_code"] == 3);
  CHECK(d.inspect(sibling)["outcome"] == "cancelled");
  CHECK(processes_with_cmdline("sleep 31.01").empty());
}

TEST_CASE("rule 3: with bubble=false a failure stays on the child") {
  Daemon d;
  const std::string s = d.ok({"fork", "--name", "s"});
  const std::string bad =
      d.ok({"spawn", "--scope", s, "--no-bubble", "--", "sh", "-c", "exit 3"});
  const auto t0 = Clock::now();
  d.ok({"spawn", "--scope", s, "--", "sleep", "0.5"});
  d.ok({"finalize", s});
  auto w = d.ctl({"wait", s});
  CHECK_MESSAGE(w.code == 0, w.describe());
  CHECK(Clock::now() - t0 >= 450ms);  // the sibling ran to its end
  json failed = d.inspect(bad);
  CHECK(failed["outcome"] == "failed");
  CHECK(failed["exit_code"] == 3);
  CHECK(d.inspect(s)["outcome"] == "succeeded");
}

TEST_CASE("rule 3: a child's timeout bubbles as timed_out") {
  Daemon d;
  const std::string s = d.ok({"fork", "--name", "s"});
  d.ok({"spawn", "--scope", s, "--name", "slow", "--timeout", "300ms", "--", "sleep", "31.02"});
  d.ok({"spawn", "--scope", s, "--name", "other", "--", "sleep", "31.03"});
  auto w = d.ctl({"wait", s});
  CHECK_MESSAGE(w.code == 3, w.describe());
  CHECK(w.elapsed < 5s);
  CHECK(d.inspect(s)["cause"]["path"] == "/s/slow");
  CHECK(d.inspect(s + "/other")["outcome"] == "cancelled");
}

TEST_CASE("rule 4: a master child ending stops its scope as succeeded") {
  Daemon d;
  const std::string s = d.ok({"fork", "--name", "s"});  // open: only the master ends it
  d.ok({"spawn", "--scope", s, "--name", "fetch", "--", "sleep", "31.04"});
  d.ok({"spawn", "--scope", s, "--master", "--", "sleep", "0.2"});
  auto w = d.ctl({"wait", s});
  CHECK_MESSAGE(w.code == 0, w.describe());
  CHECK(w.elapsed < 4s);
  CHECK(d.inspect(s + "/fetch")["outcome"] == "cancelled");
}

TEST_CASE("rule 4: a failing bubbling master fails its scope") {
  Daemon d;
  const std::string s = d.ok({"fork", "--name", "s"});
  d.ok({"spawn", "--scope", s, "--", "sleep", "31.05"});
  d.ok({"spawn", "--scope", s, "--master", "--name", "m", "--", "sh", "-c", "sleep 0.1; exit 4"});
  auto w = d.ctl({"wait", s});
  CHECK_MESSAGE(w.code == 1, w.describe());
  CHECK(d.inspect(s)["cause"]["path"] == "/s/m");
}

TEST_CASE("rule 4: master with bubble=false ends its scope silently even when it failed") {
  Daemon d;
  const std::string s = d.ok({"fork", "--name", "s"});
  d.ok({"spawn", "--scope", s, "--", "sleep", "31.06"});
  d.ok({"spawn", "--scope", s, "--master", "--no-bubble", "--", "sh", "-c", "sleep 0.1; exit 4"});
  auto w = d.ctl({"wait", s});
  CHECK_MESSAGE(w.code == 0, w.describe());
  CHECK(w.elapsed < 4s);
}

TEST_CASE("rule 4: cancelling the master stops its scope") {
  Daemon d;
  const std::string s = d.ok({"fork", "--name", "s"});
  d.ok({"spawn", "--scope", s, "--name", "other", "--", "sleep", "31.07"});
  const std::string m = d.ok({"spawn", "--scope", s, "--master", "--", "sleep", "31.08"});
  d.inspect_until(m, is_running);
  d.ok({"cancel", m});
  auto w = d.ctl({"wait", s});
  CHECK_MESSAGE(w.code == 0, w.describe());
  CHECK(d.inspect(m)["outcome"] == "cancelled");
  CHECK(d.inspect(s + "/other")["outcome"] == "cancelled");
}

TEST_CASE("rule 5: a non-awaited child is cancelled when the awaited ones are done") {
  Daemon d;
  const std::string s = d.ok({"fork", "--name", "s"});
  const std::string bg = d.ok({"spawn", "--scope", s, "--no-await", "--", "sleep", "31.09"});
  d.ok({"spawn", "--scope", s, "--", "sleep", "0.3"});
  d.ok({"finalize", s});
  auto w = d.ctl({"wait", s});
  CHECK_MESSAGE(w.code == 0, w.describe());
  CHECK(w.elapsed < 4s);
  CHECK(d.inspect(bg)["outcome"] == "cancelled");
  CHECK(processes_with_cmdline("sleep 31.09").empty());
}

TEST_CASE("rule 9: spawning or forking into a cancelled scope is refused") {
  Daemon d;
  const std::string s = d.ok({"fork", "--name", "s"});
  d.ok({"cancel", s});
  d.ctl({"wait", s});
  auto spawn = d.ctl({"spawn", "--scope", s, "--", "/bin/true"});
  CHECK_MESSAGE(spawn.code == 7, spawn.describe());
  CHECK(spawn.err.find("traioctl: ") == 0);
  auto fork = d.ctl({"fork", "--scope", s});
  CHECK_MESSAGE(fork.code == 7, fork.describe());
}

TEST_CASE("rule 10: wait --claim takes over a child's failure, it no longer bubbles") {
  Daemon d;
  const std::string s = d.ok({"fork", "--name", "s"});
  const std::string sibling = d.ok({"spawn", "--scope", s, "--", "sleep", "31.10"});
  const std::string bad = d.ok({"spawn", "--scope", s, "--", "sh", "-c", "sleep 0.5; exit 2"});
  auto w = d.ctl({"wait", "--claim", bad});
  CHECK_MESSAGE(w.code == 1, w.describe());  // the claimer gets the outcome...
  auto live = d.ctl({"wait", s, "--timeout", "300ms"});
  CHECK_MESSAGE(live.code == 8, live.describe());  // ...and the scope goes on
  CHECK(d.inspect(sibling)["state"] == "running");
  CHECK(d.inspect(bad)["claimed"] == true);
  d.ok({"cancel", s});
  CHECK(d.ctl({"wait", s}).code == 4);
}
