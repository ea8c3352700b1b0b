#include "config/json_fields.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "common/byte_size.hpp"
#include "common/signal_name.hpp"
#include "config/tcp_address.hpp"

namespace traio {

using nlohmann::json;

std::string field_path(std::string_view base, std::string_view key) {
  if (base.empty()) return std::string(key);
  return fmt::format("{}.{}", base, key);
}

std::string index_path(std::string_view base, std::size_t index) {
  return fmt::format("{}[{}]", base, index);
}

std::string json_excerpt(const json& value) {
  std::string text = value.dump(-1, ' ', false, json::error_handler_t::replace);
  if (text.size() > 40) text = text.substr(0, 37) + "...";
  return text;
}

void FieldErrors::wrong_type(const std::string& path, std::string_view expected, const json& got) {
  add(path, fmt::format("expected {}, got {}", expected, got.type_name()));
}

std::optional<std::string> read_string(const json& v, const std::string& path, FieldErrors& e) {
  if (!v.is_string()) {
    e.wrong_type(path, "string", v);
    return std::nullopt;
  }
  return v.get<std::string>();
}

std::optional<bool> read_bool(const json& v, const std::string& path, FieldErrors& e) {
  if (!v.is_boolean()) {
    e.wrong_type(path, "boolean", v);
    return std::nullopt;
  }
  return v.get<bool>();
}

std::optional<std::int64_t> read_int(const json& v, const std::string& path, FieldErrors& e,
                                     std::int64_t min, std::int64_t max) {
  auto range = [&] {
    if (max == INT64_MAX) return fmt::format("integer >= {}", min);
    return fmt::format("integer {}..{}", min, max);
  };
  if (!v.is_number()) {
    e.wrong_type(path, range(), v);
    return std::nullopt;
  }
  // Unsigned values above INT64_MAX and floats (1.5, 1e30) are out of range or not integers.
  bool in_range = false;
  std::int64_t n = 0;
  if (v.is_number_unsigned()) {
    auto u = v.get<std::uint64_t>();
    in_range = u <= static_cast<std::uint64_t>(max) && (min <= 0 || u >= static_cast<std::uint64_t>(min));
    n = in_range ? static_cast<std::int64_t>(u) : 0;
  } else if (v.is_number_integer()) {
    n = v.get<std::int64_t>();
    in_range = n >= min && n <= max;
  }
  if (!in_range) {
    e.add(path, fmt::format("expected {}, got {}", range(), json_excerpt(v)));
    return std::nullopt;
  }
  return n;
}

std::optional<Duration> read_duration(const json& v, const std::string& path, FieldErrors& e, Duration min) {
  std::optional<Expected<Duration>> parsed;
  if (v.is_string()) parsed = parse_duration(v.get_ref<const std::string&>());
  else if (v.is_number()) parsed = duration_from_seconds(v.get<double>());
  else {
    e.wrong_type(path, "duration (string like \"10s\" or number of seconds)", v);
    return std::nullopt;
  }
  if (!parsed->ok()) {
    e.add(path, parsed->error().message);
    return std::nullopt;
  }
  Duration d = parsed->value();
  if (d < min) {
    // Echo what was parsed: a number is seconds, so 0.0001 is "0s", not a tiny positive value.
    e.add(path, fmt::format("must be at least {}, got {} ({})", format_duration(min), json_excerpt(v),
                            format_duration(d)));
    return std::nullopt;
  }
  return d;
}

std::optional<int> read_signal(const json& v, const std::string& path, FieldErrors& e) {
  std::optional<Expected<int>> parsed;
  if (v.is_string()) parsed = parse_signal(v.get_ref<const std::string&>());
  else if (v.is_number_integer()) parsed = parse_signal(v.dump());  // "15"; checks the range
  else {
    e.wrong_type(path, "signal (name like \"TERM\" or number)", v);
    return std::nullopt;
  }
  if (!parsed->ok()) {
    e.add(path, parsed->error().message);
    return std::nullopt;
  }
  return parsed->value();
}

std::optional<std::uint64_t> read_byte_size(const json& v, const std::string& path, FieldErrors& e,
                                            std::uint64_t min) {
  std::uint64_t bytes = 0;
  if (v.is_string()) {
    auto parsed = parse_byte_size(v.get_ref<const std::string&>());
    if (!parsed.ok()) {
      e.add(path, parsed.error().message);
      return std::nullopt;
    }
    bytes = *parsed;
  } else if (v.is_number()) {
    auto n = read_int(v, path, e, 0, INT64_MAX);
    if (!n) return std::nullopt;
    bytes = static_cast<std::uint64_t>(*n);
  } else {
    e.wrong_type(path, "size (string like \"10MiB\" or number of bytes)", v);
    return std::nullopt;
  }
  if (bytes < min) {
    e.add(path, fmt::format("must be at least {}, got {}", format_byte_size(min), json_excerpt(v)));
    return std::nullopt;
  }
  return bytes;
}

std::optional<std::string> read_abs_path(const json& v, const std::string& path, FieldErrors& e) {
  auto s = read_string(v, path, e);
  if (!s) return std::nullopt;
  if (s->find('\0') != std::string::npos) {
    e.add(path, "contains a NUL byte");
    return std::nullopt;
  }
  if (s->empty() || s->front() != '/') {
    e.add(path, fmt::format("must be an absolute path, got {}", json_excerpt(v)));
    return std::nullopt;
  }
  return s;
}

std::optional<std::string> read_tcp_address(const json& v, const std::string& path, FieldErrors& e) {
  auto s = read_string(v, path, e);
  if (!s) return std::nullopt;
  if (auto parsed = parse_tcp_address(*s); !parsed) {
    e.add(path, parsed.error().message);
    return std::nullopt;
  }
  return s;
}

namespace {

constexpr std::size_t kMaxAccountName = 32;  // useradd(8)

bool is_account_name(std::string_view s) {
  if (s.empty() || s.size() > kMaxAccountName) return false;
  auto lower_or_underscore = [](char c) { return (c >= 'a' && c <= 'z') || c == '_'; };
  if (!lower_or_underscore(s.front())) return false;
  if (s.back() == '$') s.remove_suffix(1);  // Samba machine accounts
  return std::all_of(s.begin() + 1, s.end(), [&](char c) {
    return lower_or_underscore(c) || (c >= '0' && c <= '9') || c == '-';
  });
}

// (uid_t)-1 means "no change" to setresuid(2), so it is no id.
bool is_account_id(std::string_view s) {
  if (s.empty() || s.size() > 10) return false;
  if (!std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; })) return false;
  return std::stoull(std::string(s)) < 0xFFFFFFFFull;
}

}  // namespace

std::optional<std::string> read_account(const json& v, const std::string& path, FieldErrors& e,
                                        std::string_view what) {
  auto s = read_string(v, path, e);
  if (!s) return std::nullopt;
  if (is_account_name(*s) || is_account_id(*s)) return s;
  e.add(path, fmt::format("expected a {} name ([a-z_][a-z0-9_-]*, at most {} characters) or a numeric id, got {}",
                          what, kMaxAccountName, json_excerpt(v)));
  return std::nullopt;
}

bool expect_object(const json& v, const std::string& path, FieldErrors& e) {
  if (v.is_object()) return true;
  e.wrong_type(path, "object", v);
  return false;
}

}  // namespace traio
