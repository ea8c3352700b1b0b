// traioctl signal PATH SIGNAL (SPEC §3, issue 5 item 8): a signal to a job's whole process
// tree or to every running job of a scope; not a stop, so a job it kills has failed.
#include <pwd.h>

#include <filesystem>

#include <doctest/doctest.h>

#include "tests/integration/harness.hpp"

using namespace traio::test;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

bool eventually(const std::function<bool()>& pred, Millis limit = 5s) {
  const auto until = Clock::now() + limit;
  while (!pred()) {
    if (Clock::now() > until) return false;
    ::usleep(20'000);
  }
  return true;
}

// A shell that appends "got-<word>" to `file` on SIGUSR1 (its trap runs between two short
// sleeps), and "armed-<word>" once the trap is set: a USR1 before that would kill it.
std::string usr1_logger(const fs::path& file, const std::string& word) {
  return "trap 'echo got-" + word + " >> " + file.string() + "' USR1; echo armed-" + word + " >> " +
         file.string() + "; while :; do sleep 0.1; done";
}

}  // namespace

TEST_CASE("signal: a job's whole process tree gets the signal, and the job keeps running") {
  Daemon d;
  const fs::path file = d.dir() / "usr1";
  // The main shell, a child in its process group, and a grandchild that left it (setsid).
  const std::string script = "sh -c \"" + usr1_logger(file, "child") + "\" & setsid sh -c \"" +
                             usr1_logger(file, "escaped") + "\" & " + usr1_logger(file, "main");
  const std::string job = d.ok({"spawn", "--name", "tree", "--", "sh", "-c", script});
  REQUIRE(is_running(d.inspect_until(job, is_running)));
  REQUIRE(eventually([&] {
    const std::string text = read_file(file);
    return text.find("armed-main") != std::string::npos && text.find("armed-child") != std::string::npos &&
           text.find("armed-escaped") != std::string::npos;
  }));

  auto r = d.ctl({"--json", "signal", job, "USR1"});
  REQUIRE_MESSAGE(r.code == 0, r.describe());
  CHECK(r.json()["signalled"] == 1);
  CHECK(eventually([&] { return read_file(file).find("got-main") != std::string::npos; }));
  CHECK(eventually([&] { return read_file(file).find("got-child") != std::string::npos; }));
  if (d.log().find("no cgroup for jobs") == std::string::npos) {
    CHECK(eventually([&] { return read_file(file).find("got-escaped") != std::string::npos; }));
  } else {
    MESSAGE("no cgroup for jobs here: a descendant that called setsid is out of reach (documented)");
  }
  json node = d.inspect(job);
  CHECK(node["state"] == "running");
  CHECK(node["sent_signal"].is_null());
  d.ok({"cancel", job});
}

TEST_CASE("signal: a job that a signal from traioctl kills has failed, and sent_signal stays empty") {
  Daemon d;
  const std::string scope = d.ok({"fork", "--name", "s"});
  const std::string job = d.ok({"spawn", "--scope", scope, "--", "sleep", "37.31"});
  REQUIRE(is_running(d.inspect_until(job, is_running)));
  auto r = d.ctl({"signal", job, "kill"});
  CHECK_MESSAGE(r.code == 0, r.describe());
  CHECK(r.out.empty());
  auto w = d.ctl({"wait", job});
  CHECK_MESSAGE(w.code == 1, w.describe());
  json node = d.inspect(job);
  CHECK(node["outcome"] == "failed");
  CHECK(node["signal"] == "KILL");
  CHECK(node["sent_signal"].is_null());
  CHECK(node["exit_code"].is_null());
  CHECK(node["ended_at"].is_string());
  // rule 3: the failure bubbles as any other would
  CHECK(d.inspect_until(scope, is_done)["outcome"] == "failed");
}

TEST_CASE("signal: a scope passes the signal to every running job of its subtree") {
  Daemon d;
  const std::string scope = d.ok({"fork", "--name", "s"});
  const std::string inner = d.ok({"fork", "--scope", scope, "--name", "inner"});
  std::vector<std::string> jobs = {
      d.ok({"spawn", "--scope", scope, "--no-bubble", "--", "sleep", "37.32"}),
      d.ok({"spawn", "--scope", scope, "--no-bubble", "--", "sleep", "37.32"}),
      d.ok({"spawn", "--scope", inner, "--no-bubble", "--", "sleep", "37.32"}),
  };
  for (const auto& job : jobs) REQUIRE(is_running(d.inspect_until(job, is_running)));
  auto r = d.ctl({"--json", "signal", scope, "15"});
  REQUIRE_MESSAGE(r.code == 0, r.describe());
  CHECK(r.json()["signalled"] == 3);
  for (const auto& job : jobs) {
    json node = d.inspect_until(job, is_done);
    CHECK(node["signal"] == "TERM");
    CHECK(node["outcome"] == "failed");
  }
  CHECK(d.inspect(scope)["state"] == "open");  // no-bubble: nothing cancelled the scope
  d.ok({"cancel", scope});
}

TEST_CASE("signal: exit 5 for a missing node, 2 for a bad signal, 7 for another user's job") {
  Daemon d(DaemonOptions{R"({"socket": {"mode": "0666"}})"});
  auto missing = d.ctl({"signal", "/nope", "TERM"});
  CHECK_MESSAGE(missing.code == 5, missing.describe());
  const std::string job = d.ok({"spawn", "--", "sleep", "37.33"});
  for (const char* bad : {"BOGUS", "0", "99"}) {
    auto r = d.ctl({"signal", job, bad});
    CHECK_MESSAGE(r.code == 2, bad, ": ", r.describe());
  }
  auto usage = d.ctl({"signal", job});
  CHECK_MESSAGE(usage.code == 2, usage.describe());
  // An ended job: nothing to signal, which is no error.
  const std::string ended = d.ok({"spawn", "--", "true"});
  d.ctl({"wait", ended});
  auto done = d.ctl({"signal", ended, "TERM"});
  CHECK_MESSAGE(done.code == 0, done.describe());
  CHECK(done.err.find("no running process") != std::string::npos);

  if (::geteuid() != 0 || ::getpwnam("nobody") == nullptr) {
    MESSAGE("skipped the permission part: needs root to run traioctl as nobody");
  } else {
    fs::permissions(d.dir().path(), fs::perms(0755));  // the socket's directory
    Proc as_nobody({"/usr/sbin/runuser", "-u", "nobody", "--", traioctl_bin(), "signal", job, "KILL"}, d.ctl_env());
    auto refused = as_nobody.finish(30s);
    CHECK_MESSAGE(refused.code == 7, refused.describe());
  }
  CHECK(d.inspect(job)["state"] == "running");
  d.ok({"cancel", job});
}
