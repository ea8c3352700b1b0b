// Issue 9 item 8, SPEC §6 "Re-run": `delay` (a node starts that much later, pending
// meanwhile) and `env_file` (KEY=VALUE lines added to `env`, read by traioctl as the user,
// or by traiod only for the trees it loads itself), through a real traiod and traioctl.
#include <unistd.h>

#include <filesystem>

#include <doctest/doctest.h>

#include "tests/integration/harness.hpp"
#include "tests/integration/raw_client.hpp"

namespace traio::test {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// A job that writes "$A $B" to `out`.
json printing_job(const std::string& name, const fs::path& out) {
  return {{"name", name}, {"argv", {"sh", "-c", "printf '%s %s' \"$A\" \"$B\" > " + out.string()}}};
}

}  // namespace

TEST_CASE("delay: a job with delay 1s starts at least 1 s after submit, and ps shows it waiting meanwhile") {
  Daemon d;
  const fs::path started = d.dir() / "started";
  json job = {{"name", "late"}, {"delay", "1s"}, {"argv", {"sh", "-c", "touch " + started.string()}}};
  write_file(d.dir() / "job.json", job.dump());
  const auto before = Clock::now();
  d.ok({"spawn", (d.dir() / "job.json").string()});
  const json node = d.inspect("/late");
  CHECK(node["state"] == "pending");
  CHECK(node["start_at"].is_string());
  CHECK(node["pid"].is_null());
  const std::string ps = d.ok({"ps"});
  CHECK_MESSAGE(ps.find("pending (delayed, starts in") != std::string::npos, ps);
  REQUIRE_MESSAGE(wait_for_file(started, 5s), d.log());
  const auto elapsed = Clock::now() - before;
  CHECK(elapsed >= 1s);
  CHECK(elapsed < 5s);
  CHECK(d.inspect_until("/late", is_done)["outcome"] == "succeeded");
}

TEST_CASE("delay: cancel during the delay ends the job at once, cancelled, never started") {
  Daemon d;
  const fs::path started = d.dir() / "started";
  json job = {{"name", "later"}, {"delay", "30s"}, {"argv", {"touch", started.string()}}};
  write_file(d.dir() / "job.json", job.dump());
  d.ok({"spawn", (d.dir() / "job.json").string()});
  const auto before = Clock::now();
  d.ok({"cancel", "/later"});
  const json node = d.inspect_until("/later", is_done);
  CHECK(node["outcome"] == "cancelled");
  CHECK(node["started_at"].is_null());
  CHECK(Clock::now() - before < 5s);
  CHECK_FALSE(fs::exists(started));
}

TEST_CASE("env_file: spawn JOB.json -- the job sees the file's values, explicit env wins, path relative to the job file") {
  Daemon d;
  fs::create_directory(d.dir() / "conf");
  write_file(d.dir() / "conf" / "app.env", "# settings\nA=from-file\nexport B='also from file'\n");
  json job = printing_job("p", d.dir() / "out");
  job["env_file"] = "app.env";
  job["env"] = {{"B", "explicit"}};
  write_file(d.dir() / "conf" / "job.json", job.dump());
  const CtlResult r = d.ctl({"spawn", "--wait", (d.dir() / "conf" / "job.json").string()});
  REQUIRE_MESSAGE(r.code == 0, r.describe());
  CHECK(read_file(d.dir() / "out") == "from-file explicit");
  // What was submitted is the resolved env, not the file name.
  const json spec = d.inspect("/p")["spec"];
  CHECK_FALSE(spec.contains("env_file"));
  CHECK(spec["env"]["A"] == "from-file");
}

TEST_CASE("env_file: run TREE.json resolves every job's env_file, a list of files in order") {
  Daemon d;
  write_file(d.dir() / "one.env", "A=1\nB=1\n");
  write_file(d.dir() / "two.env", "B=2\n");
  json job = printing_job("p", d.dir() / "out");
  job["env_file"] = {"one.env", (d.dir() / "two.env").string()};
  write_file(d.dir() / "tree.json", json{{"name", "t"}, {"children", {job}}}.dump());
  const CtlResult r = d.ctl({"run", (d.dir() / "tree.json").string()});
  REQUIRE_MESSAGE(r.code == 0, r.describe());
  CHECK(read_file(d.dir() / "out") == "1 2");
}

TEST_CASE("env_file: a missing file or a bad line is exit code 2 with the path (and line), nothing submitted") {
  Daemon d;
  json job = printing_job("p", d.dir() / "out");
  job["env_file"] = "missing.env";
  write_file(d.dir() / "job.json", job.dump());
  CtlResult r = d.ctl({"spawn", (d.dir() / "job.json").string()});
  CHECK(r.code == 2);
  CHECK_MESSAGE(r.err.find((d.dir() / "missing.env").string() + ": cannot read") != std::string::npos, r.err);
  write_file(d.dir() / "bad.env", "A=1\nnot a line\n");
  write_file(d.dir() / "tree.json", json{{"name", "t"}, {"children", {printing_job("p", d.dir() / "out")}}}.dump());
  json tree = json::parse(read_file(d.dir() / "tree.json"));
  tree["children"][0]["env_file"] = "bad.env";
  write_file(d.dir() / "tree.json", tree.dump());
  r = d.ctl({"run", (d.dir() / "tree.json").string()});
  CHECK(r.code == 2);
  CHECK_MESSAGE(r.err.find("children[0].env_file: " + (d.dir() / "bad.env").string() + ":2: expected KEY=VALUE") !=
                    std::string::npos,
                r.err);
  CHECK(d.ctl({"inspect", "/p"}).code == 5);
  CHECK(d.ctl({"inspect", "/t"}).code == 5);
}

TEST_CASE("env_file: over the socket the daemon refuses it and reads nothing for the client") {
  Daemon d;
  RawClient c(d.socket());
  REQUIRE(c.connected());
  auto reply = c.call(1, "spawn", {{"job", {{"argv", {"true"}}, {"env_file", "/etc/shadow"}}}});
  REQUIRE(reply.has_value());
  CHECK((*reply)["ok"] == false);
  CHECK((*reply)["error"]["code"] == "invalid_request");
  CHECK_MESSAGE((*reply)["error"]["message"].get<std::string>().find("read by traioctl") != std::string::npos, *reply);
}

TEST_CASE("env_file: traiod --run TREE.json reads it itself, relative to the tree file") {
  TempDir dir;
  const json config = {{"socket", {{"path", (dir / "traio.sock").string()}}},
                       {"state_dir", (dir / "state").string()},
                       {"log_dir", (dir / "logs").string()},
                       {"boot_dir", (dir / "boot").string()}};
  write_file(dir / "traiod.json", config.dump());
  write_file(dir / "app.env", "A=boot\nB=\"quoted value\"\n");
  json job = printing_job("p", dir / "out");
  job["env_file"] = "app.env";
  write_file(dir / "tree.json", json{{"name", "t"}, {"children", {job}}}.dump());
  Traiod traiod({.args = {"--config", (dir / "traiod.json").string(), "--run", (dir / "tree.json").string()},
                 .log = dir / "traiod.log",
                 .leftover_marker = "TRAIO_SOCKET=" + (dir / "traio.sock").string()});
  CHECK_MESSAGE(traiod.stop(0, 10s) == 0, traiod.log());
  CHECK(read_file(dir / "out") == "boot quoted value");
}

}  // namespace traio::test
