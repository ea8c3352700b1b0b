// traioctl as scripts use it (SPEC §3): exit codes, --json, logs, run, many clients at once.
#include <signal.h>

#include <set>

#include <doctest/doctest.h>

#include "tests/integration/harness.hpp"

using namespace traio::test;
using nlohmann::json;

namespace {

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE("traioctl --help exits 0 and a bad flag or command exits 2") {
  Proc help({traioctl_bin(), "--help"}, {});
  auto h = help.finish(10s);
  CHECK_MESSAGE(h.code == 0, h.describe());
  CHECK(contains(h.out, "spawn"));
  Proc sub_help({traioctl_bin(), "spawn", "--help"}, {});
  CHECK(sub_help.finish(10s).code == 0);
  Proc bad_flag({traioctl_bin(), "--no-such-flag", "ping"}, {});
  auto b = bad_flag.finish(10s);
  CHECK_MESSAGE(b.code == 2, b.describe());
  Proc bad_sub_flag({traioctl_bin(), "spawn", "--no-such-flag", "--", "true"}, {});
  CHECK(bad_sub_flag.finish(10s).code == 2);
  Proc bad_command({traioctl_bin(), "no-such-command"}, {});
  CHECK(bad_command.finish(10s).code == 2);
}

TEST_CASE("an unknown field in a job file exits 2 naming the field, nothing is submitted") {
  Daemon d;
  write_file(d.dir() / "job.json", R"({"argv": ["/bin/true"], "bogus": 1})");
  auto r = d.ctl({"spawn", (d.dir() / "job.json").string()});
  CHECK_MESSAGE(r.code == 2, r.describe());
  CHECK(contains(r.err, "bogus"));

  write_file(d.dir() / "tree.json", R"({"name": "t", "children": [
      {"argv": ["/bin/true"]}, {"argv": ["/bin/true"], "bogus": 1}]})");
  auto t = d.ctl({"run", (d.dir() / "tree.json").string()});
  CHECK_MESSAGE(t.code == 2, t.describe());
  CHECK(contains(t.err, "children[1].bogus"));

  write_file(d.dir() / "typed.json", R"({"argv": "true"})");
  auto typed = d.ctl({"spawn", (d.dir() / "typed.json").string()});
  CHECK_MESSAGE(typed.code == 2, typed.describe());
  CHECK(contains(typed.err, "argv"));

  auto ps = d.ctl({"--json", "ps", "/", "--all"});
  REQUIRE_MESSAGE(ps.code == 0, ps.describe());
  json root = ps.json();
  if (root.contains("node")) root = root["node"];
  CHECK(root.value("children", json::array()).empty());
}

TEST_CASE("careless input exits 2 and submits nothing") {
  Daemon d;
  const auto dir = d.dir().path();
  write_file(dir / "not-json.json", "{\"argv\": [\"true\"");
  write_file(dir / "empty-argv.json", R"({"argv": []})");
  write_file(dir / "bad-name.json", R"({"name": "../etc", "argv": ["true"]})");
  write_file(dir / "bad-duration.json", R"({"argv": ["true"], "timeout": "soon"})");
  write_file(dir / "array.json", R"([{"argv": ["true"]}])");
  for (const char* file : {"not-json.json", "empty-argv.json", "bad-name.json",
                           "bad-duration.json", "array.json", "missing.json"}) {
    auto r = d.ctl({"spawn", (dir / file).string()});
    CHECK_MESSAGE(r.code == 2, file, ": ", r.describe());
    CHECK_MESSAGE(contains(r.err, "traioctl: "), file);
  }
  CHECK(d.ctl({"spawn", "--name", "bad/name", "--", "true"}).code == 2);
  CHECK(d.ctl({"spawn", "--timeout", "soon", "--", "true"}).code == 2);
  CHECK(d.ctl({"wait", "/", "--timeout", "forever"}).code == 2);
  auto ps = d.ctl({"--json", "ps", "/", "--all"});
  json root = ps.json();
  if (root.contains("node")) root = root["node"];
  CHECK(root.value("children", json::array()).empty());
}

TEST_CASE("a job whose program cannot start fails with a reason") {
  Daemon d;
  const std::string s = d.ok({"fork", "--name", "s"});
  const std::string job = d.ok({"spawn", "--scope", s, "--", "/no/such/program"});
  auto w = d.ctl({"wait", s});
  CHECK_MESSAGE(w.code == 1, w.describe());
  json node = d.inspect(job);
  CHECK(node["outcome"] == "failed");
  CHECK_FALSE(node["reason"].get<std::string>().empty());
}

TEST_CASE("a tree with empty children ends at once, succeeded") {
  Daemon d;
  write_file(d.dir() / "empty.json", R"({"name": "nothing", "children": []})");
  auto r = d.ctl({"run", (d.dir() / "empty.json").string()});
  CHECK_MESSAGE(r.code == 0, r.describe());
  CHECK(r.elapsed < 2s);
}

TEST_CASE("a missing node exits 5") {
  Daemon d;
  for (auto args : std::vector<std::vector<std::string>>{
           {"inspect", "/nope"}, {"wait", "/nope"}, {"cancel", "/nope"},
           {"finalize", "/nope"}, {"logs", "/nope"}, {"timeout", "/nope", "1s"},
           {"spawn", "--scope", "/nope", "--", "/bin/true"}}) {
    auto r = d.ctl(args);
    CHECK_MESSAGE(r.code == 5, args[0], ": ", r.describe());
    CHECK(contains(r.err, "traioctl: "));
  }
}

TEST_CASE("a taken name is refused with exit 7") {
  Daemon d;
  d.ok({"spawn", "--name", "web", "--", "sleep", "35.01"});
  auto r = d.ctl({"spawn", "--name", "web", "--", "/bin/true"});
  CHECK_MESSAGE(r.code == 7, r.describe());
}

TEST_CASE("--json outputs parse as JSON") {
  Daemon d;
  const std::string job = d.ok({"spawn", "--name", "j", "--", "sh", "-c", "exit 0"});
  d.ctl({"wait", job});
  for (auto args : std::vector<std::vector<std::string>>{
           {"ping"}, {"version"}, {"ps"}, {"ps", "--all"}, {"inspect", job},
           {"wait", job}, {"logs", job}, {"fork", "--name", "s"},
           {"spawn", "--", "/bin/true"}}) {
    args.insert(args.begin(), "--json");
    auto r = d.ctl(args);
    CHECK_MESSAGE(r.code == 0, args[1], ": ", r.describe());
    CHECK_NOTHROW_MESSAGE(r.json(), args[1], ": ", r.out);
  }
  json node = d.inspect(job);
  for (const char* field : {"path", "name", "type", "kind", "state", "outcome", "cause", "master",
                            "bubble", "awaited", "pid", "exit_code", "started_at", "ended_at",
                            "child_paths", "spec"})
    CHECK_MESSAGE(node.contains(field), "inspect lacks ", field);
  CHECK(node["kind"] == "process");
  CHECK(node["exit_code"] == 0);
}

TEST_CASE("ps draws the live tree, --all includes ended nodes") {
  Daemon d;
  d.ok({"fork", "--name", "svc"});
  d.ok({"spawn", "--scope", "/svc", "--name", "api", "--", "sleep", "35.02"});
  const std::string done = d.ok({"spawn", "--name", "once", "--", "/bin/true"});
  d.ctl({"wait", done});
  auto ps = d.ctl({"ps"});
  CHECK_MESSAGE(ps.code == 0, ps.describe());
  CHECK(contains(ps.out, "svc"));
  CHECK(contains(ps.out, "api"));
  CHECK_FALSE(contains(ps.out, "once"));
  CHECK(ps.out.find('\x1b') == std::string::npos);  // no colour off a TTY
  auto all = d.ctl({"ps", "--all"});
  CHECK(contains(all.out, "once"));
}

TEST_CASE("logs of a finished job show its stdout and stderr") {
  Daemon d;
  const std::string s = d.ok({"fork", "--name", "s"});
  const std::string job = d.ok({"spawn", "--scope", s, "--name", "talk", "--", "sh", "-c",
                                "echo hello-out; echo hello-err >&2"});
  d.ctl({"wait", job});
  auto logs = d.ctl({"logs", job});
  CHECK_MESSAGE(logs.code == 0, logs.describe());
  CHECK(contains(logs.out, "hello-out"));
  CHECK(contains(logs.out, "hello-err"));
  auto merged = d.ctl({"logs", s});  // a scope merges its subtree, lines prefixed [path]
  CHECK(contains(merged.out, "[/s/talk]"));
  CHECK(contains(merged.out, "hello-out"));
}

TEST_CASE("logs --stream err shows only the job's stderr") {
  Daemon d;
  const std::string job =
      d.ok({"spawn", "--", "sh", "-c", "echo hello-out; echo hello-err >&2"});
  d.ctl({"wait", job});
  auto err = d.ctl({"logs", job, "--stream", "err"});
  CHECK_MESSAGE(err.code == 0, err.describe());
  CHECK(contains(err.out, "hello-err"));
  CHECK_FALSE(contains(err.out, "hello-out"));
}

TEST_CASE("logs show a job's own output only, even when a daemon reuses the log dir") {
  TempDir shared;
  const std::string config = nlohmann::json{{"log_dir", (shared / "logs").string()}}.dump();
  {
    Daemon first(DaemonOptions{config});
    first.ctl({"wait", first.ok({"spawn", "--", "sh", "-c", "echo from-first-daemon"})});
  }
  Daemon second(DaemonOptions{config});
  const std::string job = second.ok({"spawn", "--", "sh", "-c", "echo from-second-daemon"});
  second.ctl({"wait", job});
  auto logs = second.ctl({"logs", job});
  CHECK_MESSAGE(logs.code == 0, logs.describe());
  CHECK(contains(logs.out, "from-second-daemon"));
  CHECK_FALSE(contains(logs.out, "from-first-daemon"));
}

TEST_CASE("spawn --wait exits with the outcome, --exit-code child with the job's code") {
  Daemon d;
  auto w = d.ctl({"spawn", "--wait", "--no-bubble", "--", "sh", "-c", "exit 3"});
  CHECK_MESSAGE(w.code == 1, w.describe());
  auto c = d.ctl({"spawn", "--wait", "--no-bubble", "--exit-code", "child", "--", "sh", "-c", "exit 3"});
  CHECK_MESSAGE(c.code == 3, c.describe());
  auto ok = d.ctl({"spawn", "--wait", "--", "/bin/true"});
  CHECK_MESSAGE(ok.code == 0, ok.describe());
}

TEST_CASE("run owns its tree: SIGINT to traioctl run cancels it and exits 4") {
  Daemon d;
  write_file(d.dir() / "tree.json", R"({"name": "owned", "children": [
      {"name": "a", "argv": ["sleep", "35.03"]},
      {"name": "inner", "children": [{"name": "b", "argv": ["sleep", "35.04"]}]}]})");
  auto run = d.ctl_async({"run", (d.dir() / "tree.json").string()});
  REQUIRE(wait_for_process("sleep 35.03"));
  REQUIRE(wait_for_process("sleep 35.04"));
  run->signal(SIGINT);
  auto r = run->finish(15s);
  CHECK_MESSAGE(r.code == 4, r.describe());
  CHECK(processes_with_cmdline("sleep 35.03").empty());
  CHECK(processes_with_cmdline("sleep 35.04").empty());
  CHECK(d.inspect("/owned")["outcome"] == "cancelled");
}

TEST_CASE("spawn --wait owns its job: SIGTERM to traioctl cancels it and exits 4") {
  Daemon d;
  auto spawn = d.ctl_async({"spawn", "--wait", "--name", "owned", "--", "sleep", "35.05"});
  REQUIRE(wait_for_process("sleep 35.05"));
  spawn->signal(SIGTERM);
  auto r = spawn->finish(15s);
  CHECK_MESSAGE(r.code == 4, r.describe());
  CHECK(processes_with_cmdline("sleep 35.05").empty());
  CHECK(d.inspect("/owned")["outcome"] == "cancelled");
}

TEST_CASE("many clients at once: 20 concurrent spawns all succeed") {
  Daemon d;
  const std::string s = d.ok({"fork", "--name", "s"});
  std::vector<std::unique_ptr<Proc>> clients;
  for (int i = 0; i < 20; ++i)
    clients.push_back(d.ctl_async({"spawn", "--scope", s, "--", "sleep", "0.2"}));
  std::set<std::string> paths;
  for (auto& c : clients) {
    auto r = c->finish(30s);
    CHECK_MESSAGE(r.code == 0, r.describe());
    paths.insert(r.line());
  }
  CHECK(paths.size() == 20);  // every job got its own generated name
  d.ok({"finalize", s});
  auto w = d.ctl({"wait", s});
  CHECK_MESSAGE(w.code == 0, w.describe());
  CHECK(d.inspect(s)["child_paths"].size() == 20);
}
