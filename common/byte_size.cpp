#include "common/byte_size.hpp"

#include <cmath>
#include <limits>

#include <fmt/format.h>

namespace traio {

namespace {

Error size_error(std::string message) { return Error{ErrorCode::InvalidRequest, std::move(message)}; }

struct SizeUnit {
  std::string_view name;
  std::uint64_t bytes;
};
// Binary units (KiB...) are what "10MiB" means; decimal ones (kB...) are accepted as written.
constexpr SizeUnit kSizeUnits[] = {
    {"", 1},
    {"B", 1},
    {"kB", 1000},
    {"KB", 1000},
    {"MB", 1000ull * 1000},
    {"GB", 1000ull * 1000 * 1000},
    {"TB", 1000ull * 1000 * 1000 * 1000},
    {"KiB", 1ull << 10},
    {"MiB", 1ull << 20},
    {"GiB", 1ull << 30},
    {"TiB", 1ull << 40},
};

bool is_digit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

Expected<std::uint64_t> parse_byte_size(std::string_view text) {
  if (text.empty()) return size_error("empty size (write e.g. '10MiB')");
  if (text.front() == '-') return size_error(fmt::format("negative size '{}'", text));
  std::size_t pos = 0;
  long double value = 0;
  while (pos < text.size() && is_digit(text[pos])) value = value * 10 + (text[pos++] - '0');
  if (pos == 0) return size_error(fmt::format("expected a number at the start of size '{}'", text));
  if (pos < text.size() && text[pos] == '.') {
    std::size_t frac_start = ++pos;
    long double scale = 0.1L;
    for (; pos < text.size() && is_digit(text[pos]); ++pos, scale /= 10) value += scale * (text[pos] - '0');
    if (pos == frac_start) return size_error(fmt::format("expected digits after '.' in size '{}'", text));
  }
  std::string_view unit = text.substr(pos);
  if (!unit.empty() && unit.front() == ' ') unit.remove_prefix(1);  // "10 MiB" is fine too
  for (const SizeUnit& u : kSizeUnits) {
    if (u.name != unit) continue;
    long double bytes = std::floor(value * static_cast<long double>(u.bytes));
    if (bytes > static_cast<long double>(std::numeric_limits<std::uint64_t>::max() / 2))
      return size_error(fmt::format("size '{}' is too large", text));
    return static_cast<std::uint64_t>(bytes);
  }
  return size_error(fmt::format("unknown unit '{}' in size '{}' (use B, kB, MB, GB, KiB, MiB, GiB or TiB)",
                                unit, text));
}

std::string format_byte_size(std::uint64_t bytes) {
  // The largest binary unit that divides exactly, so the text parses back to the same value.
  constexpr std::pair<std::uint64_t, std::string_view> kUnits[] = {
      {1ull << 40, "TiB"}, {1ull << 30, "GiB"}, {1ull << 20, "MiB"}, {1ull << 10, "KiB"}};
  if (bytes != 0)
    for (auto [size, name] : kUnits)
      if (bytes % size == 0) return fmt::format("{}{}", bytes / size, name);
  return fmt::format("{}B", bytes);
}

}  // namespace traio
