#include "config/env_file.hpp"

#include <optional>

namespace traio {

namespace {

bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_blank(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_blank(s.back())) s.remove_suffix(1);
  return s;
}

bool is_var_name(std::string_view name) {
  if (name.empty()) return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    const bool digit = c >= '0' && c <= '9';
    if (!letter && !(digit && i > 0)) return false;
  }
  return true;
}

// Shown in messages: long lines and control characters would make them unreadable.
std::string excerpt(std::string_view s) {
  std::string out;
  for (char c : s.substr(0, 40)) out += (static_cast<unsigned char>(c) < 0x20) ? '?' : c;
  if (s.size() > 40) out += "...";
  return out;
}

struct Value {
  std::string text;
  std::string error;  // empty: parsed
};

// `rest` starts at the opening quote. What follows the closing quote may only be blanks or
// a comment.
Value quoted(std::string_view rest) {
  const char quote = rest.front();
  Value v;
  std::size_t i = 1;
  for (; i < rest.size() && rest[i] != quote; ++i) {
    if (quote == '"' && rest[i] == '\\' && i + 1 < rest.size()) ++i;
    v.text += rest[i];
  }
  if (i >= rest.size()) {
    v.error = std::string("unterminated ") + (quote == '"' ? "double" : "single") +
              " quote (a quoted value must end on its line)";
    return v;
  }
  std::string_view after = trim(rest.substr(i + 1));
  if (!after.empty() && after.front() != '#')
    v.error = "unexpected text after the closing quote: '" + excerpt(after) + "'";
  return v;
}

std::optional<EnvFileLineError> parse_line(std::string_view line, std::size_t number, EnvAssignments& out) {
  line = trim(line);
  if (line.empty() || line.front() == '#' || line.front() == ';') return std::nullopt;
  if (line.starts_with("export ") || line.starts_with("export\t")) line = trim(line.substr(7));
  const auto eq = line.find('=');
  if (eq == std::string_view::npos)
    return EnvFileLineError{number, "expected KEY=VALUE, got '" + excerpt(line) + "'"};
  const std::string_view key = trim(line.substr(0, eq));
  if (!is_var_name(key))
    return EnvFileLineError{number, "'" + excerpt(key) + "' is not a variable name (letters, digits, '_', not first a digit)"};
  const std::string_view rest = trim(line.substr(eq + 1));
  if (!rest.empty() && (rest.front() == '"' || rest.front() == '\'')) {
    Value v = quoted(rest);
    if (!v.error.empty()) return EnvFileLineError{number, std::move(v.error)};
    out.emplace_back(std::string(key), std::move(v.text));
  } else {
    out.emplace_back(std::string(key), std::string(rest));
  }
  return std::nullopt;
}

}  // namespace

std::variant<EnvAssignments, EnvFileLineError> parse_env_file(std::string_view text) {
  EnvAssignments out;
  std::size_t number = 0;
  while (!text.empty() || number == 0) {
    ++number;
    const auto nl = text.find('\n');
    const std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    if (line.find('\0') != std::string_view::npos) return EnvFileLineError{number, "contains a NUL byte"};
    if (auto error = parse_line(line, number, out)) return *error;
    if (nl == std::string_view::npos) break;
  }
  return out;
}

}  // namespace traio
