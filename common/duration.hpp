#pragma once
// Durations as users write them (SPEC §2): "250ms", "1.5s", "10s", "5m", "2h", "1d",
// compounds like "1h30m", or a JSON number of seconds.
#include <chrono>
#include <string>
#include <string_view>

#include "common/expected.hpp"

namespace traio {

using Duration = std::chrono::milliseconds;

// The longest duration we accept (100 years): deadlines are computed as now + d in
// nanoseconds, which overflows int64 past ~292 years.
inline constexpr Duration kMaxDuration = std::chrono::hours(24 * 36500);

// Parses the string form. Errors say what was wrong ("unknown unit 'x' in '5x'").
Expected<Duration> parse_duration(std::string_view text);
// Parses a number of seconds (fractions allowed, rounded to the millisecond).
Expected<Duration> duration_from_seconds(double seconds);
// The canonical short form: "250ms", "1.5s", "1h30m", "0s".
std::string format_duration(Duration d);

}  // namespace traio
