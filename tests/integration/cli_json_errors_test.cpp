// traioctl --json failures: one JSON object on stdout with the stable code, besides the
// message on stderr and the exit code (SPEC §3), so that scripts need not parse stderr.
#include <doctest/doctest.h>

#include "tests/integration/harness.hpp"

using namespace traio::test;
using nlohmann::json;

TEST_CASE("--json: a daemon error is {error: {code, message, exit_code}} on stdout, and the exit code") {
  Daemon d;
  auto r = d.ctl({"--json", "cancel", "/nope"});
  CHECK_MESSAGE(r.code == 5, r.describe());
  json e = r.json()["error"];
  CHECK(e["code"] == "not_found");
  CHECK(e["exit_code"] == 5);
  CHECK(e["message"].get<std::string>().find("/nope") != std::string::npos);
  CHECK(r.err.find("traioctl: ") == 0);

  d.ok({"fork", "--name", "s"});
  d.ok({"spawn", "--scope", "/s", "--name", "j", "--", "sleep", "30.91"});
  r = d.ctl({"--json", "spawn", "--scope", "/s", "--name", "j", "--", "true"});
  CHECK_MESSAGE(r.code == 7, r.describe());
  CHECK(r.json()["error"]["code"] == "name_taken");
  d.ok({"cancel", "/s"});
}

TEST_CASE("--json: an unreachable daemon is code unreachable, exit 6 -- without --json stdout stays empty") {
  TempDir dir;
  const Env env = {{"TRAIO_SOCKET", (dir / "nobody.sock").string()}};
  Proc machine({traioctl_bin(), "--json", "ps"}, env);
  auto m = machine.finish(10s);
  CHECK_MESSAGE(m.code == 6, m.describe());
  CHECK(m.json()["error"]["code"] == "unreachable");
  Proc human({traioctl_bin(), "ps"}, env);
  auto h = human.finish(10s);
  CHECK(h.code == 6);
  CHECK(h.out.empty());
}
