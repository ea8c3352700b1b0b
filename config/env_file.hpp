#pragma once
// The text of an `env_file` (SPEC §6 "Re-run"): KEY=VALUE lines as systemd's
// EnvironmentFile= reads them (docs/semantics.md "env_file"):
//   - blank lines and lines whose first non-blank character is '#' or ';' are comments;
//   - an optional "export " prefix is ignored, so a shell can source the same file;
//   - KEY is a shell variable name ([A-Za-z_][A-Za-z0-9_]*); blanks around '=' are dropped;
//   - VALUE in single quotes is literal; in double quotes a backslash escapes the next
//     character; unquoted, it is the rest of the line without trailing blanks, taken as is;
//   - nothing is expanded ("$HOME" stays "$HOME"); a quoted value ends on its line.
// Later lines win over earlier ones for the same KEY.
#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace traio {

struct EnvFileLineError {
  std::size_t line = 0;  // 1-based
  std::string message;   // "expected KEY=VALUE, got 'oops'"
};

using EnvAssignments = std::vector<std::pair<std::string, std::string>>;  // in file order

std::variant<EnvAssignments, EnvFileLineError> parse_env_file(std::string_view text);

}  // namespace traio
