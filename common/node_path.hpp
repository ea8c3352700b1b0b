#pragma once
// Node names and paths (SPEC §1): a name is [A-Za-z0-9][A-Za-z0-9._-]{0,63};
// a path is "/" or "/a/b/c" made of names.
#include <string>
#include <string_view>
#include <vector>

#include "common/expected.hpp"

namespace traio {

inline constexpr std::size_t kMaxNameLength = 64;

bool is_valid_name(std::string_view name);
// Error message for an invalid name, naming what is wrong ("name '..' must start with a letter or digit").
std::string name_error(std::string_view name);

// Splits "/a/b" into {"a","b"}; "/" into {}. Rejects relative paths, empty segments, "..", bad names.
Expected<std::vector<std::string>> split_path(std::string_view path);
std::string join_path(std::string_view parent, std::string_view name);
// Resolves a possibly relative path ("tests/unit") against a base scope path ("/ci").
// Absolute paths are returned as they are. Used by traioctl for $TRAIO_SCOPE defaults.
std::string resolve_path(std::string_view base, std::string_view path);

}  // namespace traio
