// SPEC §1 rule 13 and the daemon's reachability, end to end.
#include <signal.h>

#include <doctest/doctest.h>

#include "tests/integration/harness.hpp"

using namespace traio::test;
using nlohmann::json;

namespace {

// Jobs of every shape: a plain one, one in a nested scope, a non-awaited one, one that
// left its session, one that ignores SIGTERM (its own grace is short). Their command lines
// are "sleep <base>1" ... "sleep <base>6": each test passes its own base, since tests run
// in parallel.
std::vector<std::string> start_work(const Daemon& d, const std::string& base) {
  std::vector<std::string> markers;
  for (int i = 1; i <= 6; ++i) markers.push_back("sleep " + base + std::to_string(i));
  const std::string s = d.ok({"fork", "--name", "s"});
  const std::string inner = d.ok({"fork", "--scope", s, "--name", "inner"});
  d.ok({"spawn", "--", "sleep", base + "1"});
  d.ok({"spawn", "--scope", inner, "--", "sleep", base + "2"});
  d.ok({"spawn", "--scope", s, "--no-await", "--", "sleep", base + "3"});
  d.ok({"spawn", "--", "sh", "-c",
        "setsid sh -c 'sleep " + base + "4 & exit 0'; sleep " + base + "5"});
  nlohmann::json stubborn = {{"stop", {{"grace", "300ms"}}},
                             {"argv", {"sh", "-c", "trap '' TERM; sleep " + base + "6"}}};
  write_file(d.dir() / "stubborn.json", stubborn.dump());
  d.ok({"spawn", (d.dir() / "stubborn.json").string()});
  for (const auto& m : markers) REQUIRE_MESSAGE(wait_for_process(m), m, " did not start");
  return markers;
}

void check_nothing_left(const Daemon& d, const std::vector<std::string>& markers) {
  CHECK(d.leftovers().empty());
  for (const auto& m : markers)
    CHECK_MESSAGE(processes_with_cmdline(m).empty(), m, " outlived traiod");
}

}  // namespace

TEST_CASE("rule 13: SIGTERM to traiod stops every job it started and exits 0") {
  Daemon d;
  auto markers = start_work(d, "34.1");
  const auto t0 = Clock::now();
  CHECK_MESSAGE(d.stop(SIGTERM) == 0, d.log());
  CHECK(Clock::now() - t0 < 8s);
  check_nothing_left(d, markers);
}

TEST_CASE("rule 13: SIGINT to traiod stops every job it started and exits 0") {
  Daemon d;
  auto markers = start_work(d, "34.2");
  CHECK_MESSAGE(d.stop(SIGINT) == 0, d.log());
  check_nothing_left(d, markers);
}

TEST_CASE("rule 13: traioctl shutdown stops the daemon like SIGTERM") {
  Daemon d;
  auto markers = start_work(d, "34.3");
  auto r = d.ctl({"shutdown"});
  CHECK_MESSAGE(r.code == 0, r.describe());
  CHECK_MESSAGE(d.stop(0) == 0, d.log());  // signal 0: only wait for the exit
  check_nothing_left(d, markers);
  auto after = d.ctl({"ping"});
  CHECK_MESSAGE(after.code == 6, after.describe());
}

TEST_CASE("an unreachable daemon exits 6 with a message on stderr") {
  TempDir dir;
  const std::string missing = (dir / "nobody.sock").string();
  Proc p({traioctl_bin(), "ping"}, {{"TRAIO_SOCKET", missing}});
  auto r = p.finish(10s);
  CHECK_MESSAGE(r.code == 6, r.describe());
  CHECK(r.err.find("traioctl: ") == 0);
  Proc q({traioctl_bin(), "--socket", missing, "ps"}, {});
  CHECK(q.finish(10s).code == 6);
}

TEST_CASE("ping and version answer, and traiod rejects a bad config with exit 2") {
  Daemon d;
  CHECK(d.ctl({"ping"}).code == 0);
  json v = d.ctl({"--json", "version"}).json();
  CHECK(v.contains("version"));

  TempDir dir;
  write_file(dir / "bad.json", R"({"no_such_key": 1})");
  Proc check({TRAIOD_BIN, "--config", (dir / "bad.json").string(), "--check-config"}, {});
  auto r = check.finish(10s);
  CHECK_MESSAGE(r.code == 2, r.describe());
  CHECK((r.err + r.out).find("no_such_key") != std::string::npos);
}
