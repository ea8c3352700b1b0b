#include "daemon/server/json_text.hpp"

#include <charconv>

#include "daemon/server/time_format.hpp"

namespace traio {

namespace {

// Bytes that nlohmann writes as they are: printable ASCII but the quote and the backslash.
// Anything else (control characters, UTF-8, invalid bytes) goes through nlohmann itself.
bool is_plain(std::string_view text) {
  for (char c : text) {
    const auto b = static_cast<unsigned char>(c);
    if (b < 0x20 || b >= 0x80 || b == '"' || b == '\\') return false;
  }
  return true;
}

}  // namespace

void append_json_string(std::string& out, std::string_view text) {
  if (is_plain(text)) {
    out += '"';
    out += text;
    out += '"';
    return;
  }
  // Rare (odd names, argv, messages): nlohmann's own escaping, \u00XX for control
  // characters and U+FFFD for invalid UTF-8, so that the bytes match its dump exactly.
  out += nlohmann::json(std::string(text)).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

void JsonText::separate() {
  if (need_comma_) out_ += ',';
}

void JsonText::begin_object() {
  separate();
  out_ += '{';
  need_comma_ = false;
}

void JsonText::end_object() {
  out_ += '}';
  need_comma_ = true;
}

void JsonText::begin_array() {
  separate();
  out_ += '[';
  need_comma_ = false;
}

void JsonText::end_array() {
  out_ += ']';
  need_comma_ = true;
}

void JsonText::key(std::string_view name) {
  separate();
  out_ += '"';
  out_ += name;
  out_ += "\":";
  need_comma_ = false;
}

void JsonText::string(std::string_view text) {
  separate();
  append_json_string(out_, text);
  need_comma_ = true;
}

void JsonText::integer(std::int64_t value) {
  separate();
  char digits[24];
  const auto end = std::to_chars(digits, digits + sizeof digits, value).ptr;
  out_.append(digits, end);
  need_comma_ = true;
}

void JsonText::boolean(bool value) {
  separate();
  out_ += value ? "true" : "false";
  need_comma_ = true;
}

void JsonText::null() {
  separate();
  out_ += "null";
  need_comma_ = true;
}

void JsonText::time(WallTime at) {
  separate();
  out_ += '"';
  append_rfc3339(out_, at);
  out_ += '"';
  need_comma_ = true;
}

void JsonText::json(const nlohmann::json& value) {
  separate();
  out_ += value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  need_comma_ = true;
}

}  // namespace traio
