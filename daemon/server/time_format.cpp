#include "daemon/server/time_format.hpp"

#include <ctime>
#include <iterator>

#include <fmt/format.h>

namespace traio {

namespace {

struct Civil {
  long long year;
  unsigned month;  // 1..12
  unsigned day;    // 1..31
};

// Days since 1970-01-01 to a proleptic Gregorian date (H. Hinnant's civil_from_days):
// no gmtime_r and no lock per time.
Civil civil_from_days(long long days) {
  days += 719468;
  const long long era = (days >= 0 ? days : days - 146096) / 146097;
  const auto doe = static_cast<unsigned>(days - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned day = doy - (153 * mp + 2) / 5 + 1;
  const unsigned month = mp < 10 ? mp + 3 : mp - 9;
  return Civil{static_cast<long long>(yoe) + era * 400 + (month <= 2 ? 1 : 0), month, day};
}

char* put_digits(char* at, unsigned value, int width) {
  for (int i = width - 1; i >= 0; --i) {
    at[i] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
  return at + width;
}

}  // namespace

std::string format_rfc3339(WallTime time) {
  std::string out;
  append_rfc3339(out, time);
  return out;
}

void append_rfc3339(std::string& out, WallTime time) {
  using namespace std::chrono;
  auto ms = duration_cast<milliseconds>(time.time_since_epoch()).count();
  // Floor division: times before 1970 still get a millisecond part in 0..999.
  auto secs = ms / 1000;
  auto frac = ms % 1000;
  if (frac < 0) {
    frac += 1000;
    secs -= 1;
  }
  auto days = secs / 86400;
  auto day_secs = secs % 86400;
  if (day_secs < 0) {
    day_secs += 86400;
    days -= 1;
  }
  const Civil date = civil_from_days(days);
  const auto sod = static_cast<unsigned>(day_secs);
  if (date.year < 0 || date.year > 9999) {  // not four digits: as fmt's {:04} writes them
    fmt::format_to(std::back_inserter(out), "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", date.year,
                   date.month, date.day, sod / 3600, sod / 60 % 60, sod % 60, frac);
    return;
  }
  char text[24];
  char* at = put_digits(text, static_cast<unsigned>(date.year), 4);
  *at++ = '-';
  at = put_digits(at, date.month, 2);
  *at++ = '-';
  at = put_digits(at, date.day, 2);
  *at++ = 'T';
  at = put_digits(at, sod / 3600, 2);
  *at++ = ':';
  at = put_digits(at, sod / 60 % 60, 2);
  *at++ = ':';
  at = put_digits(at, sod % 60, 2);
  *at++ = '.';
  at = put_digits(at, static_cast<unsigned>(frac), 3);
  *at++ = 'Z';
  out.append(text, at);
}

}  // namespace traio
