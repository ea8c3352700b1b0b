#include "config/line_pattern.hpp"

#include <fmt/format.h>

namespace traio {

struct LinePattern::Compiled {
  Compiled() = default;
  ~Compiled() {
    if (valid) ::regfree(&regex);
  }
  Compiled(const Compiled&) = delete;
  Compiled& operator=(const Compiled&) = delete;
  regex_t regex{};
  bool valid = false;  // regfree only what regcomp compiled
};

Expected<LinePattern> LinePattern::compile(const std::string& pattern) {
  if (pattern.empty()) return Error{ErrorCode::InvalidRequest, "an empty pattern matches every line"};
  if (pattern.find('\0') != std::string::npos) return Error{ErrorCode::InvalidRequest, "contains a NUL byte"};
  auto compiled = std::make_shared<Compiled>();
  if (int code = ::regcomp(&compiled->regex, pattern.c_str(), REG_EXTENDED | REG_NOSUB); code != 0) {
    char message[256];
    ::regerror(code, &compiled->regex, message, sizeof message);
    return Error{ErrorCode::InvalidRequest, fmt::format("not a valid extended regular expression: {}", message)};
  }
  compiled->valid = true;
  return LinePattern(std::move(compiled));
}

bool LinePattern::matches(std::string_view line) const {
  const std::string text(line.substr(0, line.find('\0')));
  return ::regexec(&compiled_->regex, text.c_str(), 0, nullptr, 0) == 0;
}

}  // namespace traio
