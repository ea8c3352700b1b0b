// `logs -f` at the file level: new lines only, bounded reads, and a follow that survives
// rotation (the old file finished first), truncation (keep 0), and falling behind.
#include <doctest/doctest.h>

#include <fmt/format.h>

#include "daemon/runners/rotating_log.hpp"
#include "daemon/server/log_follow.hpp"
#include "tests/unit/os/os_test_support.hpp"

using namespace traio;
using test::TempDir;

namespace {

// "line-07\n" and so on: 8 bytes each.
std::string line(int n) { return fmt::format("line-{:02}\n", n); }

RotatingLog open_log(const std::string& path, std::uint64_t max_bytes, unsigned keep) {
  CaptureOptions options;
  options.max_bytes = max_bytes;
  options.keep = keep;
  auto log = RotatingLog::open(path, options);
  REQUIRE(log.has_value());
  return std::move(*log);
}

void write_lines(RotatingLog& log, int from, int to) {
  for (int i = from; i <= to; ++i) REQUIRE(log.append(line(i)));
}

std::vector<std::string> poll_all(LogFollower& follower, std::size_t budget = 1 << 20) {
  std::vector<std::string> out;
  const bool caught_up = follower.poll(budget, [&](std::string_view text) { out.emplace_back(text); });
  CHECK(caught_up);
  return out;
}

std::vector<std::string> numbered(int from, int to) {
  std::vector<std::string> out;
  for (int i = from; i <= to; ++i) out.push_back(fmt::format("line-{:02}", i));
  return out;
}

}  // namespace

TEST_CASE("log follow: from the end, only lines written after it started are read") {
  TempDir dir;
  const auto path = dir.file("job.log");
  auto log = open_log(path, 1 << 20, 2);
  write_lines(log, 1, 3);
  LogFollower follower(path, LogFollower::From::End);
  CHECK(poll_all(follower).empty());
  write_lines(log, 4, 5);
  CHECK(poll_all(follower) == numbered(4, 5));
  CHECK(poll_all(follower).empty());
}

TEST_CASE("log follow: a log created after the follow began is read from its start") {
  TempDir dir;
  const auto path = dir.file("job.log");
  LogFollower follower(path, LogFollower::From::End);
  CHECK(poll_all(follower).empty());
  auto log = open_log(path, 1 << 20, 2);
  write_lines(log, 1, 2);
  CHECK(poll_all(follower) == numbered(1, 2));
}

TEST_CASE("log follow: an unfinished last line waits for its end") {
  TempDir dir;
  const auto path = dir.file("job.log");
  auto log = open_log(path, 1 << 20, 2);
  LogFollower follower(path, LogFollower::From::Start);
  REQUIRE(log.append("hal"));
  CHECK(poll_all(follower).empty());
  REQUIRE(log.append("f\n"));
  CHECK(poll_all(follower) == std::vector<std::string>{"half"});
}

TEST_CASE("log follow: survives rotation, finishing the old file before the new one") {
  TempDir dir;
  const auto path = dir.file("job.log");
  auto log = open_log(path, 8 * 4, 3);  // 4 lines per file
  LogFollower follower(path, LogFollower::From::Start);
  write_lines(log, 1, 3);
  CHECK(poll_all(follower) == numbered(1, 3));
  write_lines(log, 4, 10);  // line 4 ends the old file; two rotations before the next poll
  CHECK(poll_all(follower) == numbered(4, 10));
  write_lines(log, 11, 12);
  CHECK(poll_all(follower) == numbered(11, 12));
}

TEST_CASE("log follow: a truncated log (keep 0) is read again from its start") {
  TempDir dir;
  const auto path = dir.file("job.log");
  auto log = open_log(path, 8 * 4, 0);
  LogFollower follower(path, LogFollower::From::Start);
  write_lines(log, 1, 4);
  CHECK(poll_all(follower) == numbered(1, 4));
  write_lines(log, 5, 6);  // truncates first: the file now holds 5 and 6 only
  CHECK(poll_all(follower) == numbered(5, 6));
}

TEST_CASE("log follow: a follower more than keep rotations behind goes on with the oldest file left") {
  TempDir dir;
  const auto path = dir.file("job.log");
  auto log = open_log(path, 8 * 2, 1);  // 2 lines per file, one rotation kept
  LogFollower follower(path, LogFollower::From::Start);
  write_lines(log, 1, 1);
  CHECK(poll_all(follower) == numbered(1, 1));
  write_lines(log, 2, 8);  // files now: .1 = 5-6, log = 7-8; the one being read is deleted
  // The open file is still read to its end (line 2), then .1 and the log.
  CHECK(poll_all(follower) == std::vector<std::string>{"line-02", "line-05", "line-06", "line-07", "line-08"});
}

TEST_CASE("log follow: one poll reads at most about its budget -- the rest comes with the next ones") {
  TempDir dir;
  const auto path = dir.file("job.log");
  auto log = open_log(path, 1 << 20, 2);
  LogFollower follower(path, LogFollower::From::Start);
  write_lines(log, 1, 10);
  std::vector<std::string> got;
  const auto collect = [&](std::string_view text) { got.emplace_back(text); };
  CHECK_FALSE(follower.poll(8 * 3, collect));
  CHECK(got == numbered(1, 3));
  int polls = 1;
  do {
    ++polls;
  } while (!follower.poll(8 * 3, collect));
  CHECK(got == numbered(1, 10));
  CHECK(polls == 4);  // 3 lines each time, the last one at its end
}
