// `logs PATH -n N` over a rotated capture log: the last N records even when they span
// <log>.1 and <log>, within the same bounded read.
#include <doctest/doctest.h>

#include <fmt/format.h>

#include "daemon/runners/rotating_log.hpp"
#include "daemon/server/log_tail.hpp"
#include "tests/unit/os/os_test_support.hpp"

using namespace traio;
using test::TempDir;

namespace {

const std::string kTime = "2026-01-02T03:04:05.678Z";

// Records "n1" .. "n<count>" through a log that rotates every `per_file` records.
std::string write_rotated(const TempDir& dir, int count, int per_file, unsigned keep, bool with_err = false) {
  const auto path = dir.file("job.log");
  CaptureOptions options;
  std::string one;
  append_record(one, kTime, OutputStream::Out, "n00");
  options.max_bytes = one.size() * static_cast<std::size_t>(per_file);
  options.keep = keep;
  auto log = RotatingLog::open(path, options);
  REQUIRE(log.has_value());
  for (int i = 1; i <= count; ++i) {
    std::string record;
    const bool err = with_err && i % 2 == 0;
    append_record(record, kTime, err ? OutputStream::Err : OutputStream::Out, fmt::format("n{:02}", i));
    REQUIRE(log->append(record));
  }
  return path;
}

std::vector<std::string> texts(const std::vector<LogLine>& lines) {
  std::vector<std::string> out;
  for (const auto& line : lines) out.push_back(line.line);
  return out;
}

}  // namespace

TEST_CASE("logs -n: the last N records span the log and its newest rotation") {
  TempDir dir;
  const auto path = write_rotated(dir, 25, 10, 3);  // .2 = 1-10, .1 = 11-20, log = 21-25
  CHECK(texts(read_last_records(path, std::nullopt, 8)) ==
        std::vector<std::string>{"n18", "n19", "n20", "n21", "n22", "n23", "n24", "n25"});
  auto all = read_last_records(path, std::nullopt, std::nullopt);
  REQUIRE(all.size() == 25);
  CHECK(all.front().line == "n01");
  CHECK(all.front().time == kTime);
  CHECK(read_last_records(path, std::nullopt, 3).size() == 3);
  CHECK(read_last_records(path, std::nullopt, 0).empty());
}

TEST_CASE("logs -n: the stream filter counts across rotations too") {
  TempDir dir;
  const auto path = write_rotated(dir, 25, 10, 3, /*with_err=*/true);  // even numbers on stderr
  CHECK(texts(read_last_records(path, OutputStream::Err, 4)) == std::vector<std::string>{"n18", "n20", "n22", "n24"});
}

TEST_CASE("logs -n: the byte budget bounds the read across rotations") {
  TempDir dir;
  const auto path = write_rotated(dir, 25, 10, 3);
  const std::size_t record = kTime.size() + 9;  // "<time> out nNN\n"
  // 7 records' worth: the 5 of the log and 2 of .1 (the partial first line is dropped).
  auto lines = read_last_records(path, std::nullopt, std::nullopt, 7 * record - 3);
  CHECK(texts(lines) == std::vector<std::string>{"n20", "n21", "n22", "n23", "n24", "n25"});
}

TEST_CASE("logs -n: a log that was never written has no lines") {
  TempDir dir;
  CHECK(read_last_records(dir.file("none.log"), std::nullopt, 10).empty());
}
