#include "common/duration.hpp"

#include <cmath>
#include <string>

#include <fmt/format.h>

namespace traio {

namespace {

Error duration_error(std::string message) { return Error{ErrorCode::InvalidRequest, std::move(message)}; }

// Units from largest to smallest; compounds must use them in this order ("1h30m").
struct TimeUnit {
  std::string_view name;
  long double ms;
  int rank;
};
constexpr TimeUnit kUnits[] = {
    {"d", 86'400'000.0L, 4}, {"h", 3'600'000.0L, 3}, {"m", 60'000.0L, 2},
    {"s", 1'000.0L, 1},      {"ms", 1.0L, 0},
};

const TimeUnit* find_unit(std::string_view name) {
  for (const TimeUnit& u : kUnits)
    if (u.name == name) return &u;
  return nullptr;
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// Reads "123" or "1.25" at `pos`; returns false when there is no number there.
bool read_number(std::string_view text, std::size_t& pos, long double& out) {
  std::size_t start = pos;
  long double value = 0;
  while (pos < text.size() && is_digit(text[pos])) value = value * 10 + (text[pos++] - '0');
  if (pos == start) return false;
  if (pos < text.size() && text[pos] == '.') {
    std::size_t frac_start = ++pos;
    long double scale = 0.1L;
    while (pos < text.size() && is_digit(text[pos])) {
      value += scale * (text[pos++] - '0');
      scale /= 10;
    }
    if (pos == frac_start) return false;  // "1." has no fraction digits
  }
  out = value;
  return true;
}

std::string too_long_message(std::string_view text) {
  return fmt::format("duration '{}' is too long (at most {})", text, format_duration(kMaxDuration));
}

}  // namespace

Expected<Duration> parse_duration(std::string_view text) {
  if (text.empty()) return duration_error("empty duration (write e.g. '10s')");
  if (text.front() == '-') return duration_error(fmt::format("negative duration '{}'", text));
  long double total_ms = 0;
  int last_rank = 5;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t number_start = pos;
    long double value = 0;
    if (!read_number(text, pos, value))
      return duration_error(fmt::format("expected a number at '{}' in duration '{}'",
                                        text.substr(number_start), text));
    std::size_t unit_start = pos;
    while (pos < text.size() && is_alpha(text[pos])) ++pos;
    std::string_view unit_name = text.substr(unit_start, pos - unit_start);
    if (unit_name.empty()) {
      if (pos == text.size() && number_start == 0)
        return duration_error(fmt::format(
            "missing unit in duration '{}' (write '{}s' for seconds)", text, text));
      if (pos == text.size())
        return duration_error(fmt::format("missing unit after '{}' in duration '{}'",
                                          text.substr(number_start), text));
      return duration_error(fmt::format("unexpected '{}' in duration '{}'", text[pos], text));
    }
    const TimeUnit* unit = find_unit(unit_name);
    if (unit == nullptr)
      return duration_error(fmt::format("unknown unit '{}' in duration '{}' (use ms, s, m, h or d)",
                                        unit_name, text));
    if (unit->rank >= last_rank)
      return duration_error(fmt::format(
          "units out of order in duration '{}' (write each unit once, largest first: '1h30m')", text));
    last_rank = unit->rank;
    total_ms += value * unit->ms;
    if (total_ms > static_cast<long double>(kMaxDuration.count())) return duration_error(too_long_message(text));
  }
  return Duration(std::llround(total_ms));
}

Expected<Duration> duration_from_seconds(double seconds) {
  if (!std::isfinite(seconds)) return duration_error("duration is not a finite number");
  if (seconds < 0) return duration_error(fmt::format("negative duration: {} seconds", seconds));
  long double ms = static_cast<long double>(seconds) * 1000.0L;
  if (ms > static_cast<long double>(kMaxDuration.count()))
    return duration_error(fmt::format("duration of {} seconds is too long (at most {})", seconds,
                                      format_duration(kMaxDuration)));
  return Duration(std::llround(ms));
}

std::string format_duration(Duration d) {
  if (d.count() < 0) return "-" + format_duration(-d);
  long long ms = d.count();
  if (ms == 0) return "0s";
  if (ms < 1000) return fmt::format("{}ms", ms);
  std::string out;
  const long long days = ms / 86'400'000, hours = ms / 3'600'000 % 24, minutes = ms / 60'000 % 60;
  const long long secs = ms / 1000 % 60, rest_ms = ms % 1000;
  if (days) out += fmt::format("{}d", days);
  if (hours) out += fmt::format("{}h", hours);
  if (minutes) out += fmt::format("{}m", minutes);
  if (rest_ms) {
    // Milliseconds ride on the seconds as a fraction, trailing zeros trimmed: "1.5s", "2m0.25s".
    std::string frac = fmt::format("{:03}", rest_ms);
    while (frac.back() == '0') frac.pop_back();
    out += fmt::format("{}.{}s", secs, frac);
  } else if (secs) {
    out += fmt::format("{}s", secs);
  }
  return out;
}

}  // namespace traio
