// Capture log rotation (config `logs`, SPEC §4): names, sizes, keep, records never split,
// truncation with keep 0, ownership of the log and its rotations.
#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fmt/format.h>

#include "daemon/runners/rotating_log.hpp"
#include "tests/unit/os/os_test_support.hpp"

using namespace traio;
using test::TempDir;

namespace {

// "rec-07 xxxx...\n": `size` bytes with its newline.
std::string record(int n, std::size_t size = 30) {
  std::string text = fmt::format("rec-{:02} ", n);
  text.resize(size - 1, 'x');
  return text + '\n';
}

RotatingLog open_log(const std::string& path, std::uint64_t max_bytes, unsigned keep) {
  CaptureOptions options;
  options.max_bytes = max_bytes;
  options.keep = keep;
  auto log = RotatingLog::open(path, options);
  REQUIRE(log.has_value());
  return std::move(*log);
}

bool exists(const std::string& path) { return std::filesystem::exists(path); }

}  // namespace

TEST_CASE("log rotation: a log that would pass max_bytes moves to .1, older ones up to .keep, the oldest dropped") {
  TempDir dir;
  const auto path = dir.file("job.log");
  auto log = open_log(path, 100, 2);
  for (int i = 1; i <= 20; ++i) REQUIRE(log.append(record(i)));
  // 3 records of 30 bytes fit in 100: files hold [13-15] [16-18] [19-20].
  CHECK(test::read_file(path) == record(19) + record(20));
  CHECK(test::read_file(path + ".1") == record(16) + record(17) + record(18));
  CHECK(test::read_file(path + ".2") == record(13) + record(14) + record(15));
  CHECK_FALSE(exists(path + ".3"));
  CHECK(log.size() == 60);
}

TEST_CASE("log rotation: records written in one chunk are never split across files, and no file passes max_bytes") {
  TempDir dir;
  const auto path = dir.file("job.log");
  auto log = open_log(path, 64, 100);
  std::string chunk;
  for (int i = 1; i <= 60; ++i) chunk += record(i, 10 + static_cast<std::size_t>(i % 40));
  REQUIRE(log.append(chunk));
  std::string joined;
  unsigned generation = 100;
  for (; generation > 0; --generation) {
    const auto file = rotated_log_path(path, generation);
    if (!exists(file)) continue;
    const auto text = test::read_file(file);
    CHECK(text.size() <= 64);
    CHECK(text.back() == '\n');
    // The next record did not fit: each file is as full as whole records allow.
    joined += text;
  }
  joined += test::read_file(path);
  CHECK(joined == chunk);
  CHECK(exists(rotated_log_path(path, 20)));
}

TEST_CASE("log rotation: keep 0 truncates the log instead of rotating it") {
  TempDir dir;
  const auto path = dir.file("job.log");
  auto log = open_log(path, 100, 0);
  for (int i = 1; i <= 20; ++i) REQUIRE(log.append(record(i)));
  CHECK(test::read_file(path) == record(19) + record(20));
  CHECK_FALSE(exists(path + ".1"));
}

TEST_CASE("log rotation: a record longer than max_bytes fills a file of its own, whole") {
  TempDir dir;
  const auto path = dir.file("job.log");
  auto log = open_log(path, 100, 3);
  REQUIRE(log.append(record(1)));
  REQUIRE(log.append(record(2, 250)));
  REQUIRE(log.append(record(3)));
  CHECK(test::read_file(path + ".2") == record(1));
  CHECK(test::read_file(path + ".1") == record(2, 250));
  CHECK(test::read_file(path) == record(3));
}

TEST_CASE("log rotation: an existing log is appended to, and its size counts toward max_bytes") {
  TempDir dir;
  const auto path = dir.file("job.log");
  {
    auto first_run = open_log(path, 100, 2);
    REQUIRE(first_run.append(record(1) + record(2)));
  }
  auto log = open_log(path, 100, 2);
  CHECK(log.size() == 60);
  REQUIRE(log.append(record(3)));
  REQUIRE(log.append(record(4)));
  CHECK(test::read_file(path + ".1") == record(1) + record(2) + record(3));
  CHECK(test::read_file(path) == record(4));
}

TEST_CASE("log rotation: the log and its rotations belong to the job's user") {
  if (::geteuid() != 0) {
    MESSAGE("skipped: chown needs root");
    return;
  }
  TempDir dir;
  const auto path = dir.file("job.log");
  CaptureOptions options;
  options.max_bytes = 100;
  options.keep = 2;
  options.uid = 65534;
  options.gid = 65534;
  auto log = RotatingLog::open(path, options);
  REQUIRE(log.has_value());
  for (int i = 1; i <= 5; ++i) REQUIRE(log->append(record(i)));
  for (const auto& file : {path, path + ".1"}) {
    struct stat st{};
    REQUIRE(::stat(file.c_str(), &st) == 0);
    CHECK(st.st_uid == 65534u);
    CHECK(st.st_gid == 65534u);
  }
}
