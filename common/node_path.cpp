#include "common/node_path.hpp"

#include <fmt/format.h>

namespace traio {

namespace {

bool is_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}
// '=' for the members of a matrix ("test-py=3.11-shard=1", SPEC §6), which SPEC §1's name
// pattern leaves out; it means nothing in a path.
bool is_name_char(char c) { return is_alnum(c) || c == '.' || c == '_' || c == '-' || c == '='; }

// Shows a name in a message; control characters would garble a terminal, so they are escaped.
std::string printable(std::string_view text) {
  std::string out;
  for (unsigned char c : text) {
    if (c < 0x20 || c == 0x7f) out += fmt::format("\\x{:02x}", c);
    else out += static_cast<char>(c);
  }
  return out;
}

Error path_error(std::string message) { return Error{ErrorCode::InvalidRequest, std::move(message)}; }

}  // namespace

bool is_valid_name(std::string_view name) {
  if (name.empty() || name.size() > kMaxNameLength || !is_alnum(name.front())) return false;
  for (char c : name)
    if (!is_name_char(c)) return false;
  return true;
}

std::string name_error(std::string_view name) {
  if (name.empty()) return "name is empty";
  if (name.size() > kMaxNameLength)
    return fmt::format("name '{}...' is {} characters long (at most {})", printable(name.substr(0, 16)),
                       name.size(), kMaxNameLength);
  if (!is_alnum(name.front()))
    return fmt::format("name '{}' must start with a letter or digit", printable(name));
  for (char c : name)
    if (!is_name_char(c)) {
      const auto byte = static_cast<unsigned char>(c);
      std::string shown = byte < 0x20 || byte >= 0x7f ? fmt::format("byte 0x{:02x}", byte)
                                                       : fmt::format("'{}'", c);
      return fmt::format("name '{}' contains {} (allowed: letters, digits, '.', '_', '-', '=')",
                         printable(name), shown);
    }
  return {};
}

Expected<std::vector<std::string>> split_path(std::string_view path) {
  if (path.empty()) return path_error("empty path");
  if (path.front() != '/')
    return path_error(fmt::format("path '{}' is not absolute (it must start with '/')", printable(path)));
  std::vector<std::string> parts;
  if (path == "/") return parts;
  if (path.back() == '/')
    return path_error(fmt::format("path '{}' ends with '/'", printable(path)));
  std::size_t pos = 1;
  while (pos <= path.size()) {
    std::size_t end = path.find('/', pos);
    if (end == std::string_view::npos) end = path.size();
    std::string_view segment = path.substr(pos, end - pos);
    if (segment.empty())
      return path_error(fmt::format("path '{}' has an empty segment", printable(path)));
    if (segment == "." || segment == "..")
      return path_error(fmt::format("path '{}' contains '{}' (paths are absolute and literal)",
                                    printable(path), segment));
    if (!is_valid_name(segment))
      return path_error(fmt::format("path '{}': {}", printable(path), name_error(segment)));
    parts.emplace_back(segment);
    pos = end + 1;
  }
  return parts;
}

std::string join_path(std::string_view parent, std::string_view name) {
  std::string out(parent);
  if (out.empty() || out.back() != '/') out += '/';
  out += name;
  return out;
}

std::string resolve_path(std::string_view base, std::string_view path) {
  if (!path.empty() && path.front() == '/') return std::string(path);
  if (path.empty()) return std::string(base.empty() ? "/" : base);
  // A relative path is taken below the base; split_path validates the result.
  return join_path(base.empty() ? "/" : base, path);
}

}  // namespace traio
