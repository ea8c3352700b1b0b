// output: capture with real processes on a real io_context (SPEC §2): records tagged with
// time and stream, long lines cut, bounded memory for a fast writer, and every byte the job
// wrote in its log once its exit is reported.
#include <doctest/doctest.h>
#include <signal.h>

#include <fcntl.h>

#include <filesystem>
#include <fstream>
#include <regex>

#include "daemon/runners/output_capture.hpp"

#include "daemon/runners/process_runner.hpp"
#include "tests/unit/os/os_test_support.hpp"
#include "tests/unit/runners/runner_test_support.hpp"

using namespace traio;
using namespace std::chrono_literals;
using test::TempDir;

namespace {

struct Fixture {
  explicit Fixture(ProcessDefaults defaults = ProcessDefaults{SIGTERM, 10s})
      : runner(io, reports, defaults, "/run/test/traio.sock", os::UserInfo{"tester", "/home/tester"}) {}

  boost::asio::io_context io;
  test::RecordingReports reports;
  TempDir dir;
  ProcessRunner runner;

  std::string start(NodeId id, std::vector<std::string> argv) {
    JobSpec spec;
    spec.argv = std::move(argv);
    spec.output.mode = OutputMode::Capture;
    ProcessLaunch launch;
    launch.id = id;
    launch.spec = std::make_shared<const JobSpec>(std::move(spec));
    launch.job_path = "/job" + std::to_string(id);
    launch.scope_path = "/";
    launch.log_path = dir.file("job-" + std::to_string(id) + ".log");
    runner.start(launch);
    return launch.log_path;
  }
  bool wait_exit(NodeId id, std::chrono::milliseconds limit = 20s) {
    return test::run_until(io, [&] { return reports.exit_of(id).has_value(); }, limit);
  }
};

std::vector<std::string> raw_lines(const std::string& path) {
  std::vector<std::string> out;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

long rss_kib() {
  auto value = test::proc_status_field(::getpid(), "VmRSS");  // "12345 kB"
  return value ? std::stol(*value) : -1;
}

}  // namespace

TEST_CASE("capture: stdout and stderr become records tagged out and err, with an RFC 3339 time") {
  Fixture f;
  auto log = f.start(1, {"sh", "-c", "printf a; printf b >&2"});
  REQUIRE(f.wait_exit(1));
  auto records = test::capture_records(log);
  REQUIRE(records.size() == 2);
  CHECK(test::captured_text(log, "out") == "a\n");
  CHECK(test::captured_text(log, "err") == "b\n");
  const std::regex format(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z (out a|err b))");
  for (const auto& line : raw_lines(log)) CHECK_MESSAGE(std::regex_match(line, format), line);
  CHECK(test::no_children_left());
}

TEST_CASE("capture: a 100 KiB line without newline is cut into 16 KiB records, none lost") {
  Fixture f;
  auto log = f.start(2, {"sh", "-c", "head -c 102400 /dev/zero | tr '\\0' x"});
  REQUIRE(f.wait_exit(2));
  auto records = test::capture_records(log);
  REQUIRE(records.size() == 7);  // 6 full records of 16 KiB, and the 4 KiB rest at EOF
  std::string joined;
  for (std::size_t i = 0; i < records.size(); ++i) {
    CHECK(records[i].first == "out");
    if (i + 1 < records.size()) CHECK(records[i].second.size() == kMaxRecordLine);
    joined += records[i].second;
  }
  CHECK(joined == std::string(102400, 'x'));
}

#if defined(__SANITIZE_ADDRESS__)
// Under ASan, RSS also holds the quarantine of freed chunks (up to 256 MB by default), and it
// grew by 20 to 106 MB here with nothing held: count the heap bytes still allocated instead.
// From the sanitizer runtime (GCC ships no sanitizer/allocator_interface.h to declare it).
extern "C" std::size_t __sanitizer_get_current_allocated_bytes();
long held_kib() { return static_cast<long>(__sanitizer_get_current_allocated_bytes() / 1024); }
constexpr long kHeldBoundKib = 16 * 1024;
#else
long held_kib() { return rss_kib(); }
constexpr long kHeldBoundKib = 4 * 1024;
#endif

TEST_CASE("capture: a job writing 50 MB fast completes and the daemon's memory stays bounded") {
  ProcessDefaults defaults{SIGTERM, 10s};
  defaults.log_max_bytes = 1ull << 30;  // no rotation: every record is checked below
  Fixture f(defaults);
  // Warm up (first use of the loop, the log formatting) before measuring.
  f.start(3, {"sh", "-c", "echo warm"});
  REQUIRE(f.wait_exit(3));
  const long before = held_kib();
  REQUIRE(before > 0);
  // 50,000 lines of 1000 bytes: written as fast as the pipe takes them.
  auto log = f.start(4, {"sh", "-c", "yes \"$(head -c 999 /dev/zero | tr '\\0' y)\" | head -n 50000"});
  long peak = before;
  REQUIRE(test::run_until(f.io, [&] {
    peak = std::max(peak, held_kib());
    return f.reports.exit_of(4).has_value();
  }, 60s));
  CHECK(f.reports.exit_of(4)->code == 0);
  MESSAGE("memory before " << before << " kB, peak " << peak << " kB (VmRSS now " << rss_kib() << " kB)");
  // A daemon that buffered the output would grow by the 50 MB written.
  CHECK(peak - before < kHeldBoundKib);
  auto records = test::capture_records(log);
  REQUIRE(records.size() == 50000);
  CHECK(records.front().second == std::string(999, 'y'));
  CHECK(records.back().second == std::string(999, 'y'));
}

TEST_CASE("capture: everything the main process wrote right before exiting is in the log when its exit is reported") {
  Fixture f;
  // seq writes ~49 KB at once and exits: the bytes are still in the pipe when it is reaped.
  auto log = f.start(5, {"sh", "-c", "echo first >&2; exec seq 1 10000"});
  REQUIRE(f.wait_exit(5));
  auto out = test::captured_text(log, "out");
  std::string expected;
  for (int i = 1; i <= 10000; ++i) expected += std::to_string(i) + "\n";
  CHECK(out == expected);
  CHECK(test::captured_text(log, "err") == "first\n");
}

TEST_CASE("capture: a descendant that keeps the pipes open does not hold back the job's exit") {
  Fixture f;
  // The setsid'd sleep escapes the process group; only the cgroup (when there is one) kills it.
  auto log = f.start(6, {"sh", "-c", "setsid sleep 30 & echo $!"});
  const auto begin = std::chrono::steady_clock::now();
  REQUIRE(f.wait_exit(6, 10s));
  CHECK(std::chrono::steady_clock::now() - begin < 5s);
  auto out = test::captured_text(log, "out");
  REQUIRE(!out.empty());
  const int stray = std::stoi(out);
  if (f.runner.uses_cgroups()) CHECK(test::process_gone(stray));
  ::kill(stray, SIGKILL);  // without cgroups it outlives the job (rule 7 needs the cgroup)
}

TEST_CASE("capture records: format and parse agree -- other text is no record") {
  std::string out;
  const auto time = format_record_time(WallTime{} + std::chrono::milliseconds(1'700'000'000'123));
  CHECK(time == "2023-11-14T22:13:20.123Z");
  append_record(out, time, OutputStream::Err, "hello world");
  append_record(out, time, OutputStream::Out, "");
  CHECK(out == "2023-11-14T22:13:20.123Z err hello world\n2023-11-14T22:13:20.123Z out \n");
  auto record = parse_record("2023-11-14T22:13:20.123Z err hello world");
  REQUIRE(record);
  CHECK(record->time == time);
  CHECK(record->stream == OutputStream::Err);
  CHECK(record->line == "hello world");
  auto empty = parse_record("2023-11-14T22:13:20.123Z out ");
  REQUIRE(empty);
  CHECK(empty->line.empty());
  CHECK_FALSE(parse_record("hello"));
  CHECK_FALSE(parse_record("2023-11-14T22:13:20.123Z foo bar"));
  CHECK_FALSE(parse_record("2023-11-14T22:13:20.123Z out"));
}

TEST_CASE("capture: a job's log rotates at logs.max_bytes, keeping logs.keep files of whole records, the newest ones") {
  ProcessDefaults defaults{SIGTERM, 10s};
  defaults.log_max_bytes = 4096;
  defaults.log_keep = 3;
  Fixture f(defaults);
  // 3000 records of 29 + 5 bytes or so: about 25 files' worth, written as fast as it goes.
  auto log = f.start(7, {"seq", "10001", "13000"});
  REQUIRE(f.wait_exit(7));
  std::vector<int> numbers;
  for (const std::string& file : {log + ".3", log + ".2", log + ".1", log}) {
    REQUIRE(std::filesystem::exists(file));
    CHECK(std::filesystem::file_size(file) <= 4096);
    for (const auto& [stream, line] : test::capture_records(file)) numbers.push_back(std::stoi(line));
    CHECK(raw_lines(file).size() == test::capture_records(file).size());  // every line a whole record
  }
  CHECK_FALSE(std::filesystem::exists(log + ".4"));
  REQUIRE(!numbers.empty());
  CHECK(numbers.back() == 13000);
  CHECK(numbers.size() > 3 * (4096 / 40));  // the rotations are (nearly) full
  for (std::size_t i = 1; i < numbers.size(); ++i) CHECK(numbers[i] == numbers[i - 1] + 1);
}

TEST_CASE("inherit: each line goes to the daemon's stdout or stderr, prefixed with the job's path") {
  boost::asio::io_context io;
  TempDir dir;
  os::UniqueFd out(::open(dir.file("stdout").c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600));
  os::UniqueFd err(::open(dir.file("stderr").c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600));
  auto capture = OutputCapture::open_inherit(io, "/ci/unit", out.get(), err.get());
  REQUIRE(capture.has_value());
  // The child's ends, written here as a job would; the last line has no newline.
  const std::string long_line(kMaxRecordLine + 10, 'z');
  REQUIRE(::write((*capture)->child_stdout(), "one\ntwo", 7) == 7);
  REQUIRE(::write((*capture)->child_stderr(), "oops\n", 5) == 5);
  REQUIRE(::write((*capture)->child_stderr(), long_line.data(), long_line.size()) ==
          static_cast<ssize_t>(long_line.size()));
  (*capture)->start();
  REQUIRE(test::run_until(io, [&] { return (*capture)->finished(); }));
  CHECK(test::read_file(dir.file("stdout")) == "[/ci/unit] one\n[/ci/unit] two\n");
  CHECK(test::read_file(dir.file("stderr")) == "[/ci/unit] oops\n[/ci/unit] " + long_line.substr(0, kMaxRecordLine) +
                                                   "\n[/ci/unit] zzzzzzzzzz\n");
}
