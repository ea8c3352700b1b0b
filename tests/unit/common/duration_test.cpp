#include "common/duration.hpp"

#include <doctest/doctest.h>

using namespace traio;
using namespace std::chrono_literals;

namespace {
std::string parse_err(std::string_view text) {
  auto d = parse_duration(text);
  REQUIRE_FALSE(d.ok());
  return d.error().message;
}
}  // namespace

TEST_CASE("duration: simple units parse to milliseconds") {
  CHECK(*parse_duration("250ms") == 250ms);
  CHECK(*parse_duration("1.5s") == 1500ms);
  CHECK(*parse_duration("10s") == 10s);
  CHECK(*parse_duration("5m") == 5min);
  CHECK(*parse_duration("2h") == 2h);
  CHECK(*parse_duration("1d") == 24h);
  CHECK(*parse_duration("0s") == 0ms);
  CHECK(*parse_duration("0.001s") == 1ms);
}

TEST_CASE("duration: compounds add up, largest unit first") {
  CHECK(*parse_duration("1h30m") == 90min);
  CHECK(*parse_duration("1d2h3m4s5ms") == 24h + 2h + 3min + 4s + 5ms);
  CHECK(parse_err("30m1h").find("out of order") != std::string::npos);
  CHECK(parse_err("1s1s").find("out of order") != std::string::npos);
}

TEST_CASE("duration: rejects empty, negative and garbage, echoing the input") {
  CHECK(parse_err("").find("empty") != std::string::npos);
  CHECK(parse_err("-5s") == "negative duration '-5s'");
  CHECK(parse_err("5x").find("unknown unit 'x' in duration '5x'") != std::string::npos);
  CHECK(parse_err("10") == "missing unit in duration '10' (write '10s' for seconds)");
  CHECK(parse_err("1h5").find("missing unit after '5' in duration '1h5'") != std::string::npos);
  CHECK(parse_err("s").find("expected a number at 's'") != std::string::npos);
  CHECK(parse_err("5 s").find("unexpected ' '") != std::string::npos);
  CHECK(parse_err("1.s").find("expected a number") != std::string::npos);
  CHECK(parse_err("5s!").find("'5s!'") != std::string::npos);
  CHECK(parse_err("5µs").find("'5µs'") != std::string::npos);
  CHECK_FALSE(parse_duration("+5s").ok());
  CHECK_FALSE(parse_duration("5S").ok());  // units are lower case; "S" is not "s"
}

TEST_CASE("duration: overflow is rejected, not wrapped") {
  CHECK(parse_err("36501d").find("too long") != std::string::npos);
  CHECK(*parse_duration("36500d") == kMaxDuration);
  CHECK(parse_err("99999999999999999999999999999999d").find("too long") != std::string::npos);
  CHECK(parse_err(std::string(5000, '9') + "ms").find("too long") != std::string::npos);
}

TEST_CASE("duration: a number of seconds rounds to the millisecond") {
  CHECK(*duration_from_seconds(3000) == 50min);  // SPEC §2: 3000 is 50 minutes
  CHECK(*duration_from_seconds(1.5) == 1500ms);
  CHECK(*duration_from_seconds(0.0004) == 0ms);
  CHECK(*duration_from_seconds(0.0006) == 1ms);
  CHECK_FALSE(duration_from_seconds(-1).ok());
  CHECK_FALSE(duration_from_seconds(1e300).ok());
  CHECK_FALSE(duration_from_seconds(std::numeric_limits<double>::infinity()).ok());
  CHECK_FALSE(duration_from_seconds(std::numeric_limits<double>::quiet_NaN()).ok());
}

TEST_CASE("duration: canonical format") {
  CHECK(format_duration(0ms) == "0s");
  CHECK(format_duration(250ms) == "250ms");
  CHECK(format_duration(1500ms) == "1.5s");
  CHECK(format_duration(90000ms) == "1m30s");
  CHECK(format_duration(3600s) == "1h");
  CHECK(format_duration(24h + 1s) == "1d1s");
  CHECK(format_duration(60250ms) == "1m0.25s");
  CHECK(format_duration(-1500ms) == "-1.5s");
}

TEST_CASE("duration: format and parse round-trip") {
  for (long long ms : {0LL, 1LL, 999LL, 1000LL, 1001LL, 59'999LL, 60'000LL, 3'599'999LL,
                       86'400'000LL, 90'061'001LL, static_cast<long long>(kMaxDuration.count())}) {
    CAPTURE(ms);
    auto back = parse_duration(format_duration(Duration(ms)));
    REQUIRE(back.ok());
    CHECK(back->count() == ms);
  }
  for (long long ms = 0; ms < 200'000'000; ms = ms * 3 + 7) {
    CAPTURE(ms);
    CHECK(parse_duration(format_duration(Duration(ms)))->count() == ms);
  }
}
