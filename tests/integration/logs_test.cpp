// Logs end to end (SPEC §2 output, §3 logs, §4 logs.max_bytes/keep): a real traiod, real
// jobs and the real traioctl: `logs -f` on a job, across a rotation, on a scope, Ctrl-C;
// `logs -n` across a rotation; output: inherit in the daemon's own output; and a job that
// writes 200 MB as fast as it can against rotation, memory, disk and responsiveness.
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include <doctest/doctest.h>

#include "tests/integration/harness.hpp"
#include "tests/integration/raw_client.hpp"

using namespace traio::test;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

// `traioctl ARGS > out_file`, so the test can watch what it printed so far.
std::unique_ptr<Proc> ctl_to_file(const Daemon& d, const std::vector<std::string>& args, const fs::path& out_file) {
  std::vector<std::string> argv = {"sh", "-c", "out=$1; shift; exec \"$@\" > \"$out\"", "sh", out_file.string(),
                                   traioctl_bin()};
  argv.insert(argv.end(), args.begin(), args.end());
  return std::make_unique<Proc>(argv, d.ctl_env());
}

bool wait_for_text(const fs::path& file, const std::string& text, Millis limit = 10s) {
  const auto until = Clock::now() + limit;
  while (Clock::now() < until) {
    if (contains(read_file(file), text)) return true;
    ::usleep(20'000);
  }
  return false;
}

// Bytes of the files in `dir`, each counted once even when a rotation renames it while the
// directory is being read.
std::uintmax_t disk_use(const fs::path& dir) {
  std::set<ino_t> seen;
  std::uintmax_t total = 0;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    struct stat st{};
    if (::stat(entry.path().c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
    if (seen.insert(st.st_ino).second) total += static_cast<std::uintmax_t>(st.st_size);
  }
  return total;
}

long rss_kib(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(in, line);)
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  return -1;
}

}  // namespace

TEST_CASE("logs -f follows a job that prints slowly and exits 0 when the job ends") {
  Daemon d;
  const std::string job =
      d.ok({"spawn", "--name", "slow", "--", "sh", "-c", "for i in 1 2 3 4 5 6; do echo slow-$i; sleep 0.3; done"});
  auto follow = d.ctl_async({"logs", job, "-f"});
  auto r = follow->finish(30s);
  CHECK_MESSAGE(r.code == 0, r.describe());
  // The lines written before the follow began come from its first 10 lines; none twice.
  CHECK(lines_of(r.out) == std::vector<std::string>{"slow-1", "slow-2", "slow-3", "slow-4", "slow-5", "slow-6"});
  CHECK(d.inspect(job)["state"] == "done");
}

TEST_CASE("logs -f prints stream-filtered lines with timestamps, and NDJSON with --json") {
  Daemon d;
  const std::string job = d.ok({"spawn", "--", "sh", "-c", "sleep 0.5; echo to-out; echo to-err >&2; sleep 0.3"});
  auto err_only = d.ctl_async({"logs", job, "-f", "--stream", "err", "--timestamps"});
  auto as_json = d.ctl_async({"--json", "logs", job, "-f"});
  auto e = err_only->finish(30s);
  CHECK_MESSAGE(e.code == 0, e.describe());
  REQUIRE(lines_of(e.out).size() == 1);
  CHECK(contains(e.out, "Z to-err"));  // "<RFC 3339 time> to-err"
  auto j = as_json->finish(30s);
  CHECK_MESSAGE(j.code == 0, j.describe());
  auto events = lines_of(j.out);
  REQUIRE(events.size() == 2);
  auto first = json::parse(events[0]);
  CHECK(first["path"] == job);
  CHECK(first["line"] == "to-out");
  CHECK(first["stream"] == "out");
  CHECK(first["time"].get<std::string>().size() == 24);
  CHECK(json::parse(events[1])["stream"] == "err");
}

TEST_CASE("logs -f follows a job across a rotation of its log, every line once and in order") {
  Daemon d(DaemonOptions{R"({"logs": {"max_bytes": "4KiB", "keep": 3}})"});
  const fs::path go = d.dir() / "go";
  // 400 lines of ~50 bytes (~4 rotations of 4 KiB) in bursts, once the follow is there.
  const std::string job = d.ok(
      {"spawn", "--name", "rot", "--", "sh", "-c",
       "echo ready; while [ ! -e " + go.string() +
           " ]; do sleep 0.05; done; i=1; while [ $i -le 400 ]; do echo line-$i-padding-padding-padding; "
           "[ $((i % 100)) -eq 0 ] && sleep 0.2; i=$((i+1)); done"});
  const fs::path out = d.dir() / "follow.out";
  auto follow = ctl_to_file(d, {"logs", job, "-f"}, out);
  REQUIRE_MESSAGE(wait_for_text(out, "ready"), read_file(out));
  write_file(go, "");
  auto r = follow->finish(60s);
  CHECK_MESSAGE(r.code == 0, r.describe());
  std::vector<std::string> expected = {"ready"};
  for (int i = 1; i <= 400; ++i) expected.push_back("line-" + std::to_string(i) + "-padding-padding-padding");
  CHECK(lines_of(read_file(out)) == expected);
  // The log did rotate while it was followed.
  bool rotated = false;
  for (const auto& entry : fs::directory_iterator(d.dir() / "logs")) rotated |= entry.path().extension() == ".2";
  CHECK(rotated);
}

TEST_CASE("logs -f on a scope merges its jobs, one spawned later too, and ends when the scope is done") {
  Daemon d;
  const fs::path go = d.dir() / "go";
  const std::string scope = d.ok({"fork", "--name", "s"});
  d.ok({"spawn", "--scope", scope, "--name", "a", "--", "sh", "-c",
        "echo a-ready; while [ ! -e " + go.string() + " ]; do sleep 0.05; done; echo a-done"});
  const fs::path out = d.dir() / "follow.out";
  auto follow = ctl_to_file(d, {"logs", scope, "-f"}, out);
  REQUIRE_MESSAGE(wait_for_text(out, "[/s/a] a-ready"), read_file(out));
  d.ok({"spawn", "--scope", scope, "--name", "b", "--", "sh", "-c", "echo b-line; sleep 0.2"});
  d.ok({"wait", "/s/b"});
  write_file(go, "");
  d.ok({"finalize", scope});
  auto r = follow->finish(30s);
  CHECK_MESSAGE(r.code == 0, r.describe());
  CHECK(lines_of(read_file(out)) == std::vector<std::string>{"[/s/a] a-ready", "[/s/b] b-line", "[/s/a] a-done"});
  CHECK(d.inspect(scope)["state"] == "done");
}

TEST_CASE("logs -f: SIGINT stops following quietly with exit 0, the job runs on") {
  Daemon d;
  const std::string job = d.ok({"spawn", "--", "sh", "-c", "echo started; exec sleep 60"});
  const fs::path out = d.dir() / "follow.out";
  auto follow = ctl_to_file(d, {"logs", job, "-f"}, out);
  REQUIRE_MESSAGE(wait_for_text(out, "started"), read_file(out));
  follow->signal(SIGINT);
  auto r = follow->finish(10s);
  CHECK_MESSAGE(r.code == 0, r.describe());
  CHECK(r.err.empty());
  CHECK(d.inspect(job)["state"] == "running");
  d.ok({"cancel", job});
}

TEST_CASE("logs -n returns the last N lines even when they span the log and its rotation") {
  Daemon d(DaemonOptions{R"({"logs": {"max_bytes": "4KiB", "keep": 2}})"});
  // ~7 KiB of records: the log rotated once, the last 150 lines span <log>.1 and <log>.
  const std::string job = d.ok({"spawn", "--", "seq", "100001", "100200"});
  d.ctl({"wait", job});
  auto r = d.ctl({"logs", job, "-n", "150"});
  REQUIRE_MESSAGE(r.code == 0, r.describe());
  std::vector<std::string> expected;
  for (int i = 100051; i <= 100200; ++i) expected.push_back(std::to_string(i));
  CHECK(lines_of(r.out) == expected);
}

TEST_CASE("output inherit: the job's lines reach the daemon's stdout and stderr, prefixed with the job's path") {
  Daemon d;
  write_file(d.dir() / "job.json",
             json{{"name", "inh"},
                  {"argv", {"sh", "-c", "echo inherit-to-out; echo inherit-to-err >&2; printf no-newline"}},
                  {"output", "inherit"}}
                 .dump());
  const std::string job = d.ok({"spawn", (d.dir() / "job.json").string()});
  CHECK(d.ctl({"wait", job}).code == 0);
  // The harness sends traiod's stdout and stderr to one file.
  const std::string log = d.log();
  CHECK_MESSAGE(contains(log, "[/inh] inherit-to-out\n"), log);
  CHECK(contains(log, "[/inh] inherit-to-err\n"));
  CHECK(contains(log, "[/inh] no-newline\n"));
}

#if defined(__SANITIZE_ADDRESS__)
constexpr long kRssGrowthKib = 48 * 1024;  // ASan's quarantine keeps freed chunks
#else
constexpr long kRssGrowthKib = 8 * 1024;
#endif

TEST_CASE("a job writing 200 MB fast: logs rotate within max_bytes and keep, memory stays bounded, ping answers") {
  Daemon d(DaemonOptions{R"({"logs": {"max_bytes": "1MiB", "keep": 2}})"});
  const fs::path logs = d.dir() / "logs";
  d.ctl({"wait", d.ok({"spawn", "--", "echo", "warm-up"})});  // the log dir and the loop in use
  const long rss_before = rss_kib(d.pid());
  REQUIRE(rss_before > 0);
  // 200,000 lines of 1000 bytes: as fast as the pipe takes them.
  const std::string job = d.ok({"spawn", "--name", "firehose", "--", "sh", "-c",
                                "yes \"$(head -c 999 /dev/zero | tr '\\0' y)\" | head -n 200000"});
  Pinger pinger(d.socket());
  long rss_peak = rss_before;
  std::uintmax_t disk_peak = 0;
  std::vector<Millis> pings;
  const auto until = Clock::now() + 120s;
  while (d.inspect(job)["state"] != "done" && Clock::now() < until) {
    for (int i = 0; i < 5; ++i) {
      pings.push_back(pinger.ping());
      rss_peak = std::max(rss_peak, rss_kib(d.pid()));
      disk_peak = std::max(disk_peak, disk_use(logs));
      ::usleep(20'000);
    }
  }
  auto node = d.inspect(job);
  REQUIRE(node["state"] == "done");
  CHECK(node["exit_code"] == 0);
  std::sort(pings.begin(), pings.end());
  REQUIRE(!pings.empty());
  const Millis p90 = pings[pings.size() * 9 / 10];
  MESSAGE("RSS before " << rss_before << " KiB, peak " << rss_peak << " KiB; disk peak " << disk_peak
                        << " B; " << pings.size() << " pings, p90 " << p90.count() << " ms, max "
                        << pings.back().count() << " ms");
  CHECK(rss_peak - rss_before < kRssGrowthKib);
  // (keep + 1) * max_bytes, one 64 KiB chunk, and the small logs of the warm-up job.
  CHECK(disk_peak <= 3 * (1u << 20) + (80u << 10) + 4096);
  CHECK(p90 < 100ms);
  // The newest records are all there, whole: the last 1000 lines are the job's last 1000.
  auto tail = d.ctl({"logs", job, "-n", "1000"});
  REQUIRE(tail.code == 0);
  auto lines = lines_of(tail.out);
  CHECK(lines.size() == 1000);
  CHECK(std::all_of(lines.begin(), lines.end(), [](const std::string& l) { return l == std::string(999, 'y'); }));
}
