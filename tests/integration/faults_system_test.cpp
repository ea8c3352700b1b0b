// System faults against a real traiod (issue 7, faults): a job flooding its output, the state
// and log disk full, the wall clock jumping, and fork failing under a pids limit. Each test
// checks that the daemon answers, forgets nothing it accepted, and recovers once the fault
// is gone. The disk and pids tests need root (mount, cgroups) and skip with a reason otherwise.
#include <fcntl.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <regex>
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

long rss_kib(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(in, line);)
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  return -1;
}

Millis since(Clock::time_point start) { return std::chrono::duration_cast<Millis>(Clock::now() - start); }

}  // namespace

// ---------------------------------------------------------------------------------------
// A job flooding its output

#if defined(__SANITIZE_ADDRESS__)
constexpr long kFloodRssGrowthKib = 64 * 1024;  // ASan's quarantine keeps freed chunks
#else
constexpr long kFloodRssGrowthKib = 32 * 1024;
#endif

TEST_CASE("a job flooding stdout and stderr -- ping within 1 s, RSS bounded, log rotated, a quiet job's log intact") {
  Daemon d(DaemonOptions{R"({"logs": {"max_bytes": "1MiB", "keep": 2}})"});
  const fs::path logs = d.dir() / "logs";
  d.ctl({"wait", d.ok({"spawn", "--", "echo", "warm-up"})});  // the log dir and the loop in use
  const long rss_before = rss_kib(d.pid());
  REQUIRE(rss_before > 0);

  // 300 numbered lines over about 3 s, beside the flood.
  const std::string quiet = d.ok({"spawn", "--name", "quiet", "--", "sh", "-c",
                                  "i=0; while [ $i -lt 300 ]; do echo quiet-$i; i=$((i+1)); sleep 0.01; done"});
  // For 4 s: `yes` on stdout, and one endless line without a newline on stderr.
  const std::string flood = d.ok({"spawn", "--name", "flood", "--", "sh", "-c",
                                  "timeout 4 yes flood-flood-flood-flood & "
                                  "timeout 4 tr '\\0' x < /dev/zero >&2 & wait; exit 0"});
  Pinger pinger(d.socket());
  Millis slowest{0};
  long rss_peak = rss_before;
  int pings = 0;
  const auto until = Clock::now() + 60s;
  while ((d.inspect(flood)["state"] != "done" || d.inspect(quiet)["state"] != "done") && Clock::now() < until) {
    for (int i = 0; i < 5; ++i, ++pings) {
      slowest = std::max(slowest, pinger.ping());
      rss_peak = std::max(rss_peak, rss_kib(d.pid()));
      ::usleep(20'000);
    }
  }
  MESSAGE("RSS before " << rss_before << " KiB, peak " << rss_peak << " KiB; " << pings << " pings, slowest "
                        << slowest.count() << " ms");
  const json flood_node = d.inspect(flood);
  REQUIRE(flood_node["state"] == "done");
  CHECK(flood_node["exit_code"] == 0);
  CHECK(slowest < 1000ms);
  CHECK(rss_peak - rss_before < kFloodRssGrowthKib);

  // The flood's log rotated: <log>.1 and <log>.2 (keep 2), never <log>.3, none over max_bytes.
  int rotated = 0;
  for (const auto& entry : fs::directory_iterator(logs)) {
    const std::string name = entry.path().filename().string();
    CHECK_MESSAGE(fs::file_size(entry.path()) <= (1u << 20), name, " is larger than logs.max_bytes");
    CHECK_MESSAGE(!contains(name, ".log.3"), name, ": more rotations than logs.keep");
    if (contains(name, ".log.1") || contains(name, ".log.2")) ++rotated;
  }
  CHECK(rotated == 2);
  auto tail = d.ctl({"logs", flood, "-n", "20"});
  REQUIRE(tail.code == 0);
  CHECK(lines_of(tail.out).size() == 20);

  // The quiet job lost no line and kept their order, however hard its neighbour wrote.
  const json quiet_node = d.inspect_until(quiet, is_done, 30s);
  CHECK(quiet_node["exit_code"] == 0);
  auto quiet_log = d.ctl({"logs", quiet, "-n", "1000"});
  REQUIRE(quiet_log.code == 0);
  const auto lines = lines_of(quiet_log.out);
  REQUIRE(lines.size() == 300);
  for (int i = 0; i < 300; ++i) CHECK(lines[static_cast<size_t>(i)] == "quiet-" + std::to_string(i));
}

// ---------------------------------------------------------------------------------------
// The state and log disk full

namespace {

// A tmpfs mounted on `dir` while this lives: a disk the test can fill (root only).
class SmallDisk {
 public:
  SmallDisk(fs::path dir, const std::string& size) : dir_(std::move(dir)) {
    fs::create_directories(dir_);
    if (::mount("tmpfs", dir_.c_str(), "tmpfs", MS_NOSUID | MS_NODEV, ("size=" + size).c_str()) != 0)
      error_ = std::strerror(errno);
  }
  ~SmallDisk() {
    if (mounted()) ::umount2(dir_.c_str(), MNT_DETACH);
  }
  SmallDisk(const SmallDisk&) = delete;
  SmallDisk& operator=(const SmallDisk&) = delete;

  bool mounted() const { return error_.empty(); }
  const std::string& error() const { return error_; }

 private:
  fs::path dir_;
  std::string error_;
};

// Writes `path` until the disk refuses more (ENOSPC).
void fill_disk(const fs::path& path) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  REQUIRE(fd >= 0);
  const std::string chunk(4096, 'f');
  while (::write(fd, chunk.data(), chunk.size()) > 0) {}
  const int error = errno;
  ::close(fd);
  REQUIRE_MESSAGE(error == ENOSPC, std::strerror(error));
}

// traioctl --socket SOCKET ARGS...
CtlResult ctl_at(const std::string& socket, const std::vector<std::string>& args) {
  std::vector<std::string> argv = {traioctl_bin(), "--socket", socket};
  argv.insert(argv.end(), args.begin(), args.end());
  return Proc(argv, {}).finish(30s);
}

std::string ok_at(const std::string& socket, const std::vector<std::string>& args) {
  CtlResult r = ctl_at(socket, args);
  REQUIRE_MESSAGE(r.code == 0, args.front(), ": ", r.describe());
  return r.line();
}

json inspect_at(const std::string& socket, const std::string& path) {
  CtlResult r = ctl_at(socket, {"--json", "inspect", path});
  REQUIRE_MESSAGE(r.code == 0, "inspect ", path, ": ", r.describe());
  json node = r.json();
  return node.contains("node") && !node.contains("path") ? node["node"] : node;
}

json inspect_until_done(const std::string& socket, const std::string& path, Millis limit = 10s) {
  const auto until = Clock::now() + limit;
  json node = inspect_at(socket, path);
  while (node["state"] != "done" && Clock::now() < until) {
    ::usleep(50'000);
    node = inspect_at(socket, path);
  }
  return node;
}

// Polls `logs PATH` until it holds `text`; the last output read.
std::string wait_for_log_text(const std::string& socket, const std::string& path, const std::string& text,
                              Millis limit = 10s) {
  const auto until = Clock::now() + limit;
  std::string out = ctl_at(socket, {"logs", path, "-n", "100000"}).out;
  while (!contains(out, text) && Clock::now() < until) {
    ::usleep(100'000);
    out = ctl_at(socket, {"logs", path, "-n", "100000"}).out;
  }
  return out;
}

// The journal's record of `kind` ("node", "end") for the node named `name` (by its id).
std::optional<json> journal_record(const fs::path& journal, const std::string& name, const std::string& kind) {
  std::optional<long> id;
  std::optional<json> found;
  for (const auto& line : lines_of(read_file(journal))) {
    json record = json::parse(line, nullptr, false);
    if (record.is_discarded() || !record.contains("j")) continue;
    if (record["j"] == "node" && record.value("name", "") == name) id = record["id"].get<long>();
    if (id && record["j"] == kind && record["id"] == *id) found = record;
  }
  return found;
}

}  // namespace

TEST_CASE("the state and log disk full -- a spawn is refused with an error and a log line, accepted jobs live on") {
  if (::geteuid() != 0) {
    MESSAGE("skipped: mounting a small tmpfs as the full disk needs root");
    return;
  }
  TempDir dir;
  SmallDisk disk(dir / "disk", "2m");
  if (!disk.mounted()) {
    MESSAGE("skipped: cannot mount a tmpfs: " << disk.error());
    return;
  }
  fs::create_directories(dir / "boot");
  const std::string socket = (dir / "traio.sock").string();
  const json config = {{"log_dir", (dir / "disk" / "logs").string()},
                       {"state_dir", (dir / "disk" / "state").string()},
                       {"boot_dir", (dir / "boot").string()},
                       {"defaults", {{"stop", {{"grace", "2s"}}}}}};
  write_file(dir / "traiod.json", config.dump());
  // Its own log is outside the full disk, so that its complaints can be read.
  Traiod traiod(TraiodLaunch{.args = {"--config", (dir / "traiod.json").string(), "--socket", socket},
                             .log = dir / "traiod.log",
                             .leftover_marker = "TRAIO_SOCKET=" + socket});
  REQUIRE_MESSAGE(wait_for_ping(socket), traiod.log());

  const fs::path go = dir / "go";
  const std::string before = ok_at(socket, {"spawn", "--name", "before", "--", "sh", "-c",
                                            "while [ ! -e " + go.string() + " ]; do sleep 0.05; done; exit 3"});
  const std::string chatty = ok_at(socket, {"spawn", "--name", "chatty", "--", "sh", "-c",
                                            "i=0; while :; do echo chatty-$i-" + std::string(64, 'x') +
                                                "; i=$((i+1)); sleep 0.01; done"});
  REQUIRE(contains(wait_for_log_text(socket, chatty, "chatty-5"), "chatty-5"));
  fill_disk(dir / "disk" / "filler");

  // The journal's last page may still take a record or two: spawn until one is refused.
  std::vector<std::string> accepted = {before, chatty};
  std::optional<CtlResult> refused;
  std::string refused_name;
  for (int i = 0; i < 50 && !refused; ++i) {
    refused_name = "late-" + std::to_string(i);
    CtlResult r = ctl_at(socket, {"spawn", "--name", refused_name, "--", "sleep", "300"});
    if (r.code == 0) accepted.push_back(r.line());
    else refused = r;
  }
  REQUIRE_MESSAGE(refused.has_value(), "no spawn was refused on a full disk");
  CHECK(refused->code == 1);
  CHECK_MESSAGE(contains(refused->err, "journal"), refused->describe());
  CHECK_MESSAGE(contains(refused->err, std::strerror(ENOSPC)), refused->describe());
  // The same refusal as JSON: a stable code.
  CtlResult as_json = ctl_at(socket, {"--json", "spawn", "--name", "late-json", "--", "sleep", "300"});
  CHECK(as_json.code == 1);
  CHECK_MESSAGE(as_json.json()["error"]["code"] == "internal", as_json.describe());
  CHECK(contains(traiod.log(), "journal: cannot write"));
  // What was refused never ran. Either its own record met the full disk: then its job waited
  // for the journal, which failed, so it was cancelled before it started (no pid). Or a record
  // written meanwhile (a start of an accepted job) met it first: then the spawn was refused
  // before a node was made. Which one is a race with the disk; both leave nothing running.
  CtlResult refused_inspect = ctl_at(socket, {"--json", "inspect", "/" + refused_name});
  if (refused_inspect.code == 5) {
    MESSAGE("the journal failed before " << refused_name << "'s record: refused before a node was made");
  } else {
    const json refused_node = inspect_until_done(socket, "/" + refused_name);
    CHECK(refused_node["state"] == "done");
    CHECK(refused_node["outcome"] == "cancelled");
    CHECK_MESSAGE(contains(refused_node.value("reason", ""), "not accepted"), refused_node.dump());
    CHECK_MESSAGE(refused_node.value("pid", json()).is_null(), refused_node.dump());
  }
  CHECK(ctl_at(socket, {"inspect", "/late-json"}).code == 5);

  // The daemon answers, and what it accepted before runs on.
  REQUIRE(ctl_at(socket, {"ping"}).code == 0);
  REQUIRE_FALSE(traiod.exited().has_value());
  for (const auto& path : accepted) CHECK_MESSAGE(inspect_at(socket, path)["state"] == "running", path);
  // chatty's lines meet the full disk once they have filled the last page of its log.
  const auto until = Clock::now() + 10s;
  while (!contains(traiod.log(), "cannot write the capture log") && Clock::now() < until) ::usleep(50'000);
  CHECK_MESSAGE(contains(traiod.log(), "cannot write the capture log"), traiod.log());
  CHECK(inspect_at(socket, chatty)["state"] == "running");
  write_file(go, "");
  const json ended = inspect_until_done(socket, before);
  CHECK(ended["state"] == "done");
  CHECK(ended["outcome"] == "failed");
  CHECK(ended["exit_code"] == 3);
  CHECK(inspect_at(socket, chatty)["state"] == "running");

  // Space again: spawns work, the journal catches up, and chatty's log says what it lost.
  fs::remove(dir / "disk" / "filler");
  const std::string after = ok_at(socket, {"spawn", "--name", "after", "--", "echo", "after-ok"});
  CHECK(ctl_at(socket, {"wait", after}).code == 0);
  CHECK(contains(ctl_at(socket, {"logs", after}).out, "after-ok"));
  auto end = journal_record(dir / "disk" / "state" / "journal", "before", "end");
  REQUIRE_MESSAGE(end.has_value(), read_file(dir / "disk" / "state" / "journal"));
  CHECK((*end)["outcome"] == "failed");
  CHECK((*end)["exit_code"] == 3);
  const std::string chatty_log = wait_for_log_text(socket, chatty, "lines of output dropped");
  std::smatch notice;
  REQUIRE_MESSAGE(std::regex_search(chatty_log, notice, std::regex(R"(\[traio\] ([0-9]+) lines of output dropped)")),
                  chatty_log.substr(chatty_log.size() > 2000 ? chatty_log.size() - 2000 : 0));
  CHECK(std::stol(notice[1].str()) > 0);
  // Whole lines only, before and after the gap: no record was torn by the full disk.
  for (const auto& line : lines_of(chatty_log))
    CHECK_MESSAGE(std::regex_match(line, std::regex(R"(chatty-[0-9]+-x{64}|\[traio\] .*)")), line);
  CHECK(contains(traiod.log(), "is written again"));

  ok_at(socket, {"cancel", "/"});
  for (const auto& path : accepted) CHECK(inspect_until_done(socket, path)["state"] == "done");
  CHECK(traiod.stop(SIGTERM) == 0);
}

// ---------------------------------------------------------------------------------------
// The wall clock jumping

namespace {

// The offset file of the fake_clock shim (tests/integration/fake_clock): seconds as text,
// rewritten in place and padded to the bytes the shim maps.
class ClockOffset {
 public:
  explicit ClockOffset(fs::path path) : path_(std::move(path)) { set(0); }
  const fs::path& path() const { return path_; }

  void set(long seconds) {
    std::string text = std::to_string(seconds);
    text.resize(kBytes, ' ');
    const int fd = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
    REQUIRE(fd >= 0);
    CHECK(::pwrite(fd, text.data(), text.size(), 0) == static_cast<ssize_t>(kBytes));
    ::close(fd);
  }

 private:
  static constexpr std::size_t kBytes = 32;
  fs::path path_;
};

// Seconds since the epoch of an RFC 3339 UTC time ("2026-11-26T02:56:59.123Z").
std::time_t parse_utc(const std::string& text) {
  std::tm tm{};
  REQUIRE_MESSAGE(::strptime(text.c_str(), "%Y-%m-%dT%H:%M:%S", &tm) != nullptr, text);
  return ::timegm(&tm);
}

// The wall clock traiod reads, seen through the started_at of a job it starts now.
long daemon_clock_offset(const Daemon& d) {
  const std::string job = d.ok({"spawn", "--", "true"});
  const json node = d.inspect(job);
  REQUIRE_MESSAGE(node["started_at"].is_string(), node.dump());
  return static_cast<long>(parse_utc(node["started_at"].get<std::string>()) - std::time(nullptr));
}

}  // namespace

TEST_CASE("the wall clock jumping an hour forward and back -- timeouts, backoffs and sleeps keep monotonic time") {
  TempDir scratch;
  ClockOffset offset(scratch / "clock-offset");
  DaemonOptions options;
  options.env = {{"LD_PRELOAD", FAKE_CLOCK_LIB}, {"FAKE_CLOCK_OFFSET_FILE", offset.path().string()}};
#if defined(__SANITIZE_ADDRESS__)
  // The shim comes before ASan's runtime in the list of libraries, which ASan refuses by default.
  const char* asan = std::getenv("ASAN_OPTIONS");
  options.env["ASAN_OPTIONS"] = std::string(asan != nullptr ? asan : "") + ":verify_asan_link_order=0";
#endif
  Daemon d(options);
  write_file(scratch / "crashy.json", R"({"name": "crashy", "argv": ["sh", "-c", "exit 1"],
    "restart": {"policy": "on-failure", "max": 2, "backoff": {"initial": "2s", "max": "2s"}}})");
  write_file(scratch / "nap.json", R"({"name": "nap", "kind": "sleep", "duration": "3s"})");

  const auto start = Clock::now();
  const std::vector<std::string> jobs = {d.ok({"spawn", "--name", "slow", "--timeout", "2s", "--", "sleep", "60"}),
                                         d.ok({"spawn", (scratch / "crashy.json").string()}),
                                         d.ok({"spawn", (scratch / "nap.json").string()})};
  ::usleep(300'000);
  offset.set(3600);
  const long ahead = daemon_clock_offset(d);
  ::usleep(700'000);
  offset.set(-3600);
  const long behind = daemon_clock_offset(d);
  // The shim works: traiod's wall clock really jumped (by an hour, give or take a slow poll).
  CHECK_MESSAGE(std::abs(ahead - 3600) < 120, "traiod's clock is ", ahead, " s off, not +3600");
  CHECK_MESSAGE(std::abs(behind + 3600) < 120, "traiod's clock is ", behind, " s off, not -3600");

  // When each job ended, on the test's own monotonic clock.
  std::map<std::string, Millis> ended;
  const auto until = start + 30s;
  while (ended.size() < jobs.size() && Clock::now() < until) {
    for (const auto& job : jobs)
      if (!ended.count(job) && d.inspect(job)["state"] == "done") ended[job] = since(start);
    ::usleep(50'000);
  }
  offset.set(0);
  REQUIRE_MESSAGE(ended.size() == jobs.size(), "a timer never fired after the clock jumped");
  MESSAGE("slow timed out after " << ended[jobs[0]].count() << " ms, crashy gave up after " << ended[jobs[1]].count()
                                  << " ms, nap slept " << ended[jobs[2]].count() << " ms");
  // Not at once (the +1 h jump), not an hour late (the -1 h one): on time, give or take a
  // loaded machine.
  const json slow = d.inspect(jobs[0]);
  CHECK(slow["outcome"] == "timed_out");
  CHECK(ended[jobs[0]] >= 1900ms);
  CHECK(ended[jobs[0]] < 15s);
  const json crashy = d.inspect(jobs[1]);
  CHECK(crashy["outcome"] == "failed");
  CHECK(crashy["restarts"] == 2);
  CHECK(ended[jobs[1]] >= 1900ms);  // two backoffs of at least 1 s each (jitter: [initial/2, initial])
  CHECK(ended[jobs[1]] < 15s);
  const json nap = d.inspect(jobs[2]);
  CHECK(nap["outcome"] == "succeeded");
  CHECK(ended[jobs[2]] >= 2900ms);
  CHECK(ended[jobs[2]] < 15s);
}

// ---------------------------------------------------------------------------------------
// fork failing under a pids limit

namespace {

// Where a cgroup with a pids.max can be made: cgroup v2 whose root hands the pids controller
// down, or the v1 pids hierarchy. Empty, with `why`, when neither is there.
fs::path pids_hierarchy(std::string& why) {
  std::ifstream in("/proc/self/mountinfo");
  for (std::string line; std::getline(in, line);) {
    const auto dash = line.find(" - ");
    if (dash == std::string::npos) continue;
    std::istringstream left(line.substr(0, dash));
    std::istringstream right(line.substr(dash + 3));
    std::string field, mount_point, fstype, source, options;
    for (int i = 0; i < 5; ++i) left >> (i == 4 ? mount_point : field);
    right >> fstype >> source >> options;
    if (fstype == "cgroup2" && contains(read_file(fs::path(mount_point) / "cgroup.subtree_control"), "pids"))
      return mount_point;
    if (fstype == "cgroup" && contains("," + options + ",", ",pids,")) return mount_point;
  }
  why = "no cgroup v2 handing down the pids controller and no v1 pids hierarchy";
  return {};
}

// A cgroup of its own with a pids.max, removed (once empty) when this goes.
class PidsCgroup {
 public:
  PidsCgroup(const fs::path& hierarchy, int max) : path_(hierarchy / ("traio-faults-" + std::to_string(::getpid()))) {
    if (::mkdir(path_.c_str(), 0755) != 0) {
      error_ = "mkdir " + path_.string() + ": " + std::strerror(errno);
      path_.clear();
      return;
    }
    std::ofstream(path_ / "pids.max") << max << std::flush;
    if (read_file(path_ / "pids.max").find(std::to_string(max)) != 0) error_ = "cannot set pids.max";
  }
  ~PidsCgroup() {
    if (path_.empty()) return;
    // Its last processes may take a moment to leave after traiod has reaped them.
    for (int i = 0; i < 100 && ::rmdir(path_.c_str()) != 0 && errno == EBUSY; ++i) ::usleep(50'000);
    CHECK_MESSAGE(!fs::exists(path_), "cannot remove ", path_.string());
  }
  PidsCgroup(const PidsCgroup&) = delete;
  PidsCgroup& operator=(const PidsCgroup&) = delete;

  bool usable() const { return error_.empty(); }
  const std::string& error() const { return error_; }
  fs::path procs() const { return path_ / "cgroup.procs"; }
  std::string events() const { return read_file(path_ / "pids.events"); }

 private:
  fs::path path_;
  std::string error_;
};

}  // namespace

TEST_CASE("fork failing with EAGAIN under a pids limit -- the jobs that cannot start fail with the reason") {
  if (::geteuid() != 0) {
    MESSAGE("skipped: a pids cgroup for traiod needs root");
    return;
  }
  std::string why;
  const fs::path hierarchy = pids_hierarchy(why);
  if (hierarchy.empty()) {
    MESSAGE("skipped: " << why);
    return;
  }
  constexpr int kPidsMax = 20;  // the wrapper shell, traiod, and 18 jobs
  PidsCgroup cgroup(hierarchy, kPidsMax);
  if (!cgroup.usable()) {
    MESSAGE("skipped: " << cgroup.error());
    return;
  }
  DaemonOptions options;
  // traiod starts inside the cgroup (the shell joins it, then forks traiod, as the harness's
  // wrappers do), so every job is born under the limit, and a traiod on cgroup v2 makes its
  // job leaves below it.
  options.wrapper = {"/bin/sh", "-c", "echo $$ > \"$0\" || exit 1; \"$@\"; exit $?", cgroup.procs().string()};
  Daemon d(options);
  REQUIRE(contains(read_file(cgroup.procs()), std::to_string(d.traiod_pid())));

  constexpr int kJobs = 30;
  std::vector<std::string> jobs;
  for (int i = 0; i < kJobs; ++i)
    jobs.push_back(d.ok({"spawn", "--name", "j" + std::to_string(i), "--", "sleep", "300"}));
  std::vector<std::string> running;
  int failed = 0;
  for (const auto& job : jobs) {
    const json node = d.inspect_until(job, [](const json& n) { return n["state"] != "pending"; });
    if (node["state"] == "running") {
      running.push_back(job);
    } else {
      ++failed;
      CHECK(node["state"] == "done");
      CHECK(node["outcome"] == "failed");
      CHECK_MESSAGE(contains(node.value("reason", ""), std::strerror(EAGAIN)), node.dump());
    }
  }
  MESSAGE(running.size() << " jobs running, " << failed << " could not start; pids.events: " << cgroup.events());
  CHECK(failed >= kJobs - (kPidsMax - 2));
  REQUIRE(running.size() >= 5);
  CHECK(d.ctl({"ping"}).code == 0);
  CHECK(process_exists(d.traiod_pid()));

  // Once some end, new spawns start again.
  for (size_t i = 0; i < 5; ++i) d.ok({"cancel", running[i]});
  for (size_t i = 0; i < 5; ++i) CHECK(d.inspect_until(running[i], is_done)["outcome"] == "cancelled");
  for (int i = 0; i < 3; ++i) {
    const std::string job = d.ok({"spawn", "--name", "again-" + std::to_string(i), "--", "sleep", "300"});
    const json node = d.inspect_until(job, [](const json& n) { return n["state"] != "pending"; });
    CHECK_MESSAGE(node["state"] == "running", node.dump());
  }
}
