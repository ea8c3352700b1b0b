// SPEC §1 rules 8 (fork) and 12 (current scope) end to end.
#include <doctest/doctest.h>

#include "tests/integration/harness.hpp"

using namespace traio::test;
using nlohmann::json;

TEST_CASE("rule 8: a sub-scope's failure bubbles to its scope with a chained cause") {
  Daemon d;
  const std::string s = d.ok({"fork", "--name", "s"});
  const std::string sub = d.ok({"fork", "--scope", s, "--name", "sub"});
  CHECK(sub == "/s/sub");
  const std::string sibling = d.ok({"spawn", "--scope", s, "--", "sleep", "33.01"});
  d.ok({"spawn", "--scope", sub, "--name", "bad", "--", "sh", "-c", "sleep 0.2; exit 5"});
  auto w = d.ctl({"wait", s});
  CHECK_MESSAGE(w.code == 1, w.describe());
  CHECK(w.elapsed < 5s);
  json node = d.inspect(s);
  CHECK(node["outcome"] == "failed");
  CHECK(node["cause"]["path"] == "/s/sub");
  CHECK(node["cause"]["cause"]["path"] == "/s/sub/bad");
  CHECK(node["cause"]["cause"]["exit_code"] == 5);
  CHECK(d.inspect(sub)["outcome"] == "failed");
  CHECK(d.inspect(sibling)["outcome"] == "cancelled");
}

TEST_CASE("rule 8: fork --no-bubble isolates a failing sub-scope") {
  Daemon d;
  const std::string s = d.ok({"fork", "--name", "s"});
  const std::string sub = d.ok({"fork", "--scope", s, "--name", "sub", "--no-bubble"});
  d.ok({"spawn", "--scope", sub, "--", "sh", "-c", "exit 5"});
  const auto t0 = Clock::now();
  d.ok({"spawn", "--scope", s, "--", "sleep", "0.5"});
  d.ok({"finalize", s});
  auto w = d.ctl({"wait", s});
  CHECK_MESSAGE(w.code == 0, w.describe());
  CHECK(Clock::now() - t0 >= 450ms);
  CHECK(d.inspect(sub)["outcome"] == "failed");
  CHECK(d.inspect(s)["outcome"] == "succeeded");
}

TEST_CASE("rule 8: a cancelled sub-scope is no failure of its scope") {
  Daemon d;
  const std::string s = d.ok({"fork", "--name", "s"});
  const std::string sub = d.ok({"fork", "--scope", s, "--name", "sub"});
  d.ok({"spawn", "--scope", sub, "--", "sleep", "33.02"});
  d.ok({"spawn", "--scope", s, "--", "sleep", "0.5"});
  d.ok({"finalize", s});
  d.ok({"cancel", sub});
  auto w = d.ctl({"wait", s});
  CHECK_MESSAGE(w.code == 0, w.describe());
  CHECK(d.inspect(sub)["outcome"] == "cancelled");
  CHECK(processes_with_cmdline("sleep 33.02").empty());
}

TEST_CASE("rule 12: a job sees its socket, scope and path, and forks a sub-scope of its scope") {
  Daemon d;
  const std::string app = d.ok({"fork", "--name", "app"});
  const auto out = d.dir() / "env.txt";
  // The job drives the daemon itself with the traioctl under test; no --socket, no --scope.
  json job = {
      {"name", "worker"},
      {"env", {{"TRAIOCTL", traioctl_bin()}, {"OUT", out.string()}}},
      {"argv",
       {"sh", "-c",
        R"(echo "$TRAIO_SOCKET|$TRAIO_SCOPE|$TRAIO_JOB" > "$OUT"
           sub=$("$TRAIOCTL" fork --name sub) || exit 10
           echo "$sub" >> "$OUT"
           "$TRAIOCTL" spawn --scope "$sub" --name child -- sleep 0.2 > /dev/null || exit 11
           "$TRAIOCTL" finalize "$sub" || exit 12
           "$TRAIOCTL" wait "$sub" || exit 13)"}},
  };
  write_file(d.dir() / "worker.json", job.dump());
  const std::string worker = d.ok({"spawn", "--scope", app, (d.dir() / "worker.json").string()});
  CHECK(worker == "/app/worker");
  auto w = d.ctl({"wait", worker});
  CHECK_MESSAGE(w.code == 0, w.describe(), "\njob logs:\n", d.ctl({"logs", worker}).out);
  CHECK(read_file(out) == d.socket() + "|/app|/app/worker\n/app/sub\n");
  CHECK(d.inspect("/app/sub")["type"] == "scope");
  CHECK(d.inspect("/app/sub/child")["outcome"] == "succeeded");
  CHECK(d.inspect("/app/sub")["outcome"] == "succeeded");
}
