#include "config/limits_parser.hpp"

#include <charconv>

#include <fmt/format.h>

#include "common/byte_size.hpp"

namespace traio {

using nlohmann::json;

namespace {

// Below a page nothing runs at all; 1000 CPUs and 2^22 pids are more than any host has.
constexpr std::uint64_t kMinMemory = 4096;
constexpr std::uint32_t kMaxCpuPercent = 100000;
constexpr std::int64_t kMaxPids = 1 << 22;
constexpr std::uint64_t kCpuPeriodUsec = 100000;  // the kernel's default cpu.max period

std::optional<std::uint32_t> read_cpu_percent(const json& v, const std::string& p, FieldErrors& e) {
  const char* expected = "a share of one CPU such as \"50%\" or \"150%\"";
  if (!v.is_string()) {
    e.wrong_type(p, expected, v);
    return std::nullopt;
  }
  const auto& s = v.get_ref<const std::string&>();
  std::uint32_t percent = 0;
  const char* end = s.data() + s.size();
  auto [rest, ec] = std::from_chars(s.data(), end, percent);
  if (ec != std::errc{} || rest + 1 != end || *rest != '%') {
    e.add(p, fmt::format("expected {}, got {}", expected, json_excerpt(v)));
    return std::nullopt;
  }
  if (percent < 1 || percent > kMaxCpuPercent) {
    e.add(p, fmt::format("must be between 1% and {}%, got {}", kMaxCpuPercent, s));
    return std::nullopt;
  }
  return percent;
}

}  // namespace

std::optional<LimitsSpec> read_limits(const json& v, const std::string& p, FieldErrors& e) {
  if (!expect_object(v, p, e)) return std::nullopt;
  if (v.empty()) {
    e.add(p, "is empty: give memory, cpu or pids");
    return std::nullopt;
  }
  const std::size_t errors_before = e.count();
  LimitsSpec out;
  for_each_field(v, p, e, [&](std::string_view key, const json& value, const std::string& kp) {
    if (key == "memory") out.memory_bytes = read_byte_size(value, kp, e, kMinMemory);
    else if (key == "cpu") out.cpu_percent = read_cpu_percent(value, kp, e);
    else if (key == "pids") {
      if (auto n = read_int(value, kp, e, 1, kMaxPids)) out.pids = static_cast<std::uint64_t>(*n);
    } else return false;
    return true;
  });
  if (e.count() != errors_before) return std::nullopt;
  return out;
}

json limits_to_json(const LimitsSpec& limits) {
  json out = json::object();
  if (limits.memory_bytes) out["memory"] = format_byte_size(*limits.memory_bytes);
  if (limits.cpu_percent) out["cpu"] = fmt::format("{}%", *limits.cpu_percent);
  if (limits.pids) out["pids"] = *limits.pids;
  return out;
}

std::string cpu_max_text(std::uint32_t percent) {
  return fmt::format("{} {}", percent * kCpuPeriodUsec / 100, kCpuPeriodUsec);
}

}  // namespace traio
