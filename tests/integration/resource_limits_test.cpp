// SPEC §6 "Resources" end to end: `limits` refused with `unsupported` (exit 7) where the
// host cannot apply them, an OOM kill ending a job `failed` with reason `oom` where it can,
// and the usage of running jobs in `inspect`, `ps --stats` and the `stats` op.
#include <filesystem>
#include <string>
#include <thread>

#include <doctest/doctest.h>

#include "tests/integration/harness.hpp"
#include "tests/integration/raw_client.hpp"

using namespace traio::test;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

const char* const kBurn = "while :; do :; done";

std::uint64_t cpu_usec_of(const json& node) { return node.value("cpu_usec", std::uint64_t{0}); }

// The cgroup v2 directory of `pid` ("0::/x" of /proc/PID/cgroup under the v2 mount).
std::string cgroup_dir_of(pid_t pid) {
  const std::string text = read_file(fs::path("/proc") / std::to_string(pid) / "cgroup");
  const auto at = text.find("0::");
  if (at == std::string::npos) return {};
  const std::string rel = text.substr(at + 3, text.find('\n', at) - at - 3);
  const std::string mount = fs::exists("/sys/fs/cgroup/cgroup.controllers") ? "/sys/fs/cgroup" : "/sys/fs/cgroup/unified";
  return mount + rel;
}

std::string first_line(const fs::path& file) {
  const std::string text = read_file(file);
  return text.substr(0, text.find('\n'));
}

}  // namespace

TEST_CASE("resource limits: a job with limits is refused with unsupported and exit 7 where no cgroup v2 controller is delegated") {
  DaemonOptions options;
  options.env["TRAIOD_CGROUPS"] = "off";  // as on a host without a writable cgroup v2 tree
  Daemon d(options);
  write_file(d.dir() / "job.json", R"({"name": "big", "argv": ["sleep", "30"], "limits": {"memory": "32MiB"}})");
  const CtlResult r = d.ctl({"spawn", (d.dir() / "job.json").string()});
  CHECK(r.code == 7);
  CHECK_MESSAGE(r.err.find("cgroup v2") != std::string::npos, r.describe());
  const CtlResult j = d.ctl({"--json", "spawn", (d.dir() / "job.json").string()});
  CHECK(j.code == 7);
  CHECK_MESSAGE(j.out.find("\"unsupported\"") != std::string::npos, j.describe());
  CHECK(d.ctl({"inspect", "/big"}).code == 5);  // nothing was created
}

TEST_CASE("resource limits: a tree with limits on a scope is refused whole -- none of its jobs runs") {
  DaemonOptions options;
  options.env["TRAIOD_CGROUPS"] = "off";
  Daemon d(options);
  write_file(d.dir() / "tree.json", R"({"name": "t", "limits": {"pids": 16}, "children": [
      {"name": "a", "argv": ["sleep", "30.41"]},
      {"name": "inner", "children": [{"name": "b", "argv": ["sleep", "30.42"], "limits": {"cpu": "50%"}}]}]})");
  const CtlResult r = d.ctl({"run", (d.dir() / "tree.json").string()});
  CHECK_MESSAGE(r.code == 7, r.describe());
  CHECK(r.err.find("'pids'") != std::string::npos);
  CHECK(d.ctl({"inspect", "/t"}).code == 5);
  CHECK(processes_with_env("TRAIO_JOB=/t/a").empty());
}

TEST_CASE("resource limits: a job over its memory limit is OOM-killed and ends failed with reason oom") {
  Daemon d;
  // dd allocates its 200 MiB block and fills it from /dev/zero: far over 32 MiB.
  write_file(d.dir() / "job.json", R"({"name": "hog", "argv": ["dd", "if=/dev/zero", "of=/dev/null", "bs=200M",
      "count=1"], "limits": {"memory": "32MiB"}})");
  const CtlResult r = d.ctl({"spawn", (d.dir() / "job.json").string()});
  if (r.code == 7) {
    MESSAGE("skipped: this host cannot apply limits: " << r.err);
    return;
  }
  REQUIRE_MESSAGE(r.code == 0, r.describe());
  const json node = d.inspect_until("/hog", is_done, std::chrono::seconds(20));
  CHECK(node["outcome"] == "failed");
  CHECK(node["reason"] == "oom");
}

TEST_CASE("resource limits: a job's limits are on its leaf, and its limited scope's on the directory its leaf nests in") {
  Daemon d;
  write_file(d.dir() / "tree.json", R"({"name": "t", "limits": {"pids": 50, "memory": "256MiB"},
      "children": [{"name": "j", "argv": ["sleep", "30.51"], "limits": {"memory": "64MiB", "cpu": "50%"}}]})");
  write_file(d.dir() / "probe.json", R"({"name": "probe", "argv": ["true"], "limits": {"pids": 50, "memory": "256MiB", "cpu": "50%"}})");
  if (const CtlResult probe = d.ctl({"spawn", (d.dir() / "probe.json").string()}); probe.code == 7) {
    MESSAGE("skipped: this host cannot apply limits: " << probe.err);
    return;
  }
  auto run = d.ctl_async({"run", (d.dir() / "tree.json").string()});
  REQUIRE(d.wait_for_node("/t/j"));
  const json job = d.inspect_until("/t/j", [](const json& n) { return n["pid"].is_number(); });
  const std::string leaf = cgroup_dir_of(job["pid"].get<pid_t>());
  REQUIRE_FALSE(leaf.empty());
  const fs::path scope = fs::path(leaf).parent_path();
  CHECK(scope.filename().string().rfind("scope-", 0) == 0);
  CHECK(first_line(fs::path(leaf) / "memory.max") == "67108864");
  CHECK(first_line(fs::path(leaf) / "cpu.max") == "50000 100000");
  CHECK(first_line(scope / "pids.max") == "50");
  CHECK(first_line(scope / "memory.max") == "268435456");
  d.ok({"cancel", "/t"});
  d.inspect_until("/t", is_done, std::chrono::seconds(10));
  run->finish();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (fs::exists(scope) && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  CHECK_FALSE(fs::exists(scope));  // removed once its last job ended
}

TEST_CASE("resource limits: inspect of a CPU-burning job shows cpu_usec growing and memory_bytes above 0") {
  Daemon d;
  d.ok({"spawn", "--name", "burn", "--", "sh", "-c", kBurn});
  const json first = d.inspect_until("/burn", [](const json& n) { return cpu_usec_of(n) > 0; }, std::chrono::seconds(10));
  REQUIRE(first.contains("cpu_usec"));
  CHECK(first.value("memory_bytes", std::uint64_t{0}) > 0);
  CHECK(first.value("memory_peak", std::uint64_t{0}) > 0);
  const std::uint64_t before = cpu_usec_of(first);
  const json later = d.inspect_until("/burn", [&](const json& n) { return cpu_usec_of(n) > before + 100000; },
                                     std::chrono::seconds(20));
  CHECK(cpu_usec_of(later) > before);
  d.ok({"cancel", "/burn"});
  const json done = d.inspect_until("/burn", is_done, std::chrono::seconds(10));
  CHECK_FALSE(done.contains("cpu_usec"));  // usage is of live jobs only
}

TEST_CASE("resource limits: ps --stats shows CPU and MEM columns and the fields in --json -- plain ps does not") {
  Daemon d;
  d.ok({"spawn", "--name", "burn", "--", "sh", "-c", kBurn});
  d.inspect_until("/burn", [](const json& n) { return cpu_usec_of(n) > 0; }, std::chrono::seconds(10));
  const std::string text = d.ok({"ps", "--stats"});
  CHECK(text.find("CPU") != std::string::npos);
  CHECK(text.find("MEM") != std::string::npos);
  CHECK_MESSAGE(text.find("s  ") != std::string::npos, text);  // "0.42s" in the CPU column
  const std::string plain = d.ok({"ps"});
  CHECK(plain.find("CPU") == std::string::npos);
  const json tree = json::parse(d.ok({"--json", "ps", "--stats"}));
  const json& job = tree["node"]["children"][0];
  CHECK(job["path"] == "/burn");
  CHECK(job.contains("cpu_usec"));
  CHECK(job.contains("memory_bytes"));
  CHECK_FALSE(tree["node"].contains("cpu_usec"));  // a scope has none of its own
  const json no_stats = json::parse(d.ok({"--json", "ps"}));
  CHECK_FALSE(no_stats["node"]["children"][0].contains("cpu_usec"));
  d.ok({"cancel", "/burn"});
}

TEST_CASE("resource limits: the stats op returns the live jobs asked for and leaves out unknown and ended paths") {
  Daemon d;
  d.ok({"spawn", "--name", "burn", "--", "sh", "-c", kBurn});
  d.ok({"spawn", "--name", "quick", "--wait", "--", "true"});
  d.inspect_until("/burn", [](const json& n) { return cpu_usec_of(n) > 0; }, std::chrono::seconds(10));
  RawClient c(d.socket());
  REQUIRE(c.connected());
  REQUIRE(c.send(1, "stats", {{"paths", {"/burn", "/nope", "/quick"}}}));
  const auto line = c.read_line();
  REQUIRE(line);
  const json reply = json::parse(*line);
  REQUIRE_MESSAGE(reply.value("ok", false), *line);
  const json& jobs = reply["result"]["jobs"];
  REQUIRE(jobs.size() == 1);
  CHECK(jobs[0]["path"] == "/burn");
  CHECK(jobs[0]["cpu_usec"].get<std::uint64_t>() > 0);
  CHECK(jobs[0]["memory_bytes"].get<std::uint64_t>() > 0);
  REQUIRE(c.send(2, "stats", {{"paths", "/burn"}}));
  const auto bad = c.read_line();
  REQUIRE(bad);
  CHECK(json::parse(*bad)["error"]["code"] == "invalid_request");
  d.ok({"cancel", "/burn"});
}

TEST_CASE("resource limits: without cgroups, usage comes from /proc of the job's process group -- children included") {
  DaemonOptions options;
  options.env["TRAIOD_CGROUPS"] = "off";
  Daemon d(options);
  // The burning loop is a child of the job's shell: only the group walk finds its CPU.
  d.ok({"spawn", "--name", "burn", "--", "sh", "-c", std::string("(") + kBurn + ") & wait"});
  const json node = d.inspect_until("/burn", [](const json& n) { return cpu_usec_of(n) > 200000; },
                                    std::chrono::seconds(20));
  CHECK(cpu_usec_of(node) > 200000);
  CHECK(node.value("memory_bytes", std::uint64_t{0}) > 0);
  const json tree = json::parse(d.ok({"--json", "ps", "--stats"}));
  CHECK(tree["node"]["children"][0].contains("cpu_usec"));
  d.ok({"cancel", "/burn"});
  d.inspect_until("/burn", is_done, std::chrono::seconds(10));
}
