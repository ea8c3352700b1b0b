#pragma once
// The regular expression of a `ready.log` probe (SPEC §6): POSIX extended syntax (as
// `grep -E`), searched anywhere in a line. POSIX regexec rather than std::regex: libstdc++'s
// std::regex recurses once per character and can overflow the daemon's stack on a long
// line, while glibc's matcher runs in bounded stack whatever the job prints.
#include <regex.h>

#include <memory>
#include <string>
#include <string_view>

#include "common/expected.hpp"

namespace traio {

class LinePattern {
 public:
  // The compiler's own message when `pattern` is not a valid extended regex.
  static Expected<LinePattern> compile(const std::string& pattern);

  // Whether `line` (one line without its newline; NUL bytes end it early) contains a match.
  bool matches(std::string_view line) const;

 private:
  struct Compiled;
  explicit LinePattern(std::shared_ptr<const Compiled> compiled) : compiled_(std::move(compiled)) {}
  std::shared_ptr<const Compiled> compiled_;  // regex_t cannot be copied; shared read-only
};

}  // namespace traio
