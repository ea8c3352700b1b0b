// traioctl version (SPEC §3, issue 6 item 7): the client's and the daemon's versions, and the
// client's alone when no daemon answers.
#include <doctest/doctest.h>

#include "tests/integration/harness.hpp"

using namespace traio::test;
using nlohmann::json;

TEST_CASE("version prints the client's and the daemon's versions -- --json carries both") {
  Daemon d;
  auto human = d.ctl({"version"});
  REQUIRE_MESSAGE(human.code == 0, human.describe());
  CHECK(human.out.find("traioctl ") == 0);
  CHECK_MESSAGE(human.out.find("\ntraiod ") != std::string::npos, human.describe());
  CHECK(human.out.find(d.socket()) != std::string::npos);

  auto machine = d.ctl({"--json", "version"});
  REQUIRE_MESSAGE(machine.code == 0, machine.describe());
  json v = machine.json();
  CHECK(v["client_version"].is_string());
  CHECK(v["daemon_version"].is_string());
  CHECK(v["daemon_reachable"] == true);
  CHECK(v["protocol"] == 1);
  // Both halves are the same build here.
  CHECK(v["client_version"] == v["daemon_version"]);
}

TEST_CASE("version without a daemon prints the client's version, says so on stderr, exits 6") {
  TempDir dir;
  const Env env = {{"TRAIO_SOCKET", (dir / "nobody.sock").string()}};
  Proc human({traioctl_bin(), "version"}, env);
  auto r = human.finish(10s);
  CHECK_MESSAGE(r.code == 6, r.describe());
  CHECK(r.out.find("traioctl ") == 0);
  CHECK(r.out.find("traiod") == std::string::npos);
  CHECK_MESSAGE(r.err.find("traioctl: cannot reach traiod at ") == 0, r.describe());

  Proc machine({traioctl_bin(), "--json", "version"}, env);
  auto m = machine.finish(10s);
  CHECK_MESSAGE(m.code == 6, m.describe());
  json v = m.json();
  CHECK(v["client_version"].is_string());
  CHECK(v["daemon_version"].is_null());
  CHECK(v["daemon_reachable"] == false);
}

TEST_CASE("traiod --version and traioctl --version print the project's version and exit 0") {
  Proc daemon({TRAIOD_BIN, "--version"}, {});
  auto d = daemon.finish(10s);
  CHECK_MESSAGE(d.code == 0, d.describe());
  CHECK(d.line() == std::string("traiod ") + TRAIO_VERSION);
  Proc client({traioctl_bin(), "--version"}, {});
  auto c = client.finish(10s);
  CHECK_MESSAGE(c.code == 0, c.describe());
  CHECK(c.line() == std::string("traioctl ") + TRAIO_VERSION);
}
