#include "common/json_limits.hpp"

#include <fmt/format.h>

namespace traio {

// One linear pass: nlohmann's parser callback would do the same job, but it rescans the
// parent container each time a child ends (quadratic: a tree of 10,000 jobs took 12 s to
// parse with it).
std::size_t json_nesting_depth(std::string_view text, std::size_t limit) {
  std::size_t depth = 0, deepest = 0;
  bool in_string = false, escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped) escaped = false;
      else if (c == '\\') escaped = true;
      else if (c == '"') in_string = false;
      continue;
    }
    switch (c) {
      case '"': in_string = true; break;
      case '[': case '{':
        if (++depth > deepest) deepest = depth;
        if (deepest > limit) return deepest;
        break;
      case ']': case '}':
        if (depth > 0) --depth;
        break;
      default: break;
    }
  }
  return deepest;
}

namespace {

// nlohmann's messages start with "[json.exception.parse_error.101] parse error at line 1,
// column 5: "; the byte offset we add says the same more usefully for one-line NDJSON.
std::string_view strip_prefix(std::string_view what) {
  if (auto colon = what.find(": "); colon != std::string_view::npos && what.front() == '[')
    return what.substr(colon + 2);
  return what;
}

}  // namespace

Expected<nlohmann::json> parse_json_limited(std::string_view text, const JsonLimits& limits) {
  if (text.size() > limits.max_bytes)
    return Error{ErrorCode::LimitExceeded,
                 fmt::format("JSON text is {} bytes long, the limit is {}", text.size(), limits.max_bytes)};
  // The depth is checked before parsing, so a 100k-deep array is never built (DESIGN:
  // its destructor or dump would overflow the stack).
  if (json_nesting_depth(text, limits.max_depth) > limits.max_depth)
    return Error{ErrorCode::LimitExceeded, fmt::format("JSON is nested deeper than {} levels", limits.max_depth)};
  try {
    return nlohmann::json::parse(text.begin(), text.end());
  } catch (const nlohmann::json::parse_error& e) {
    return Error{ErrorCode::BadJson,
                 fmt::format("invalid JSON at byte {}: {}", e.byte, strip_prefix(e.what()))};
  } catch (const nlohmann::json::exception& e) {
    // out_of_range 406: a number too large for a double ("1e400").
    return Error{ErrorCode::BadJson, fmt::format("invalid JSON: {}", strip_prefix(e.what()))};
  } catch (const std::exception& e) {
    return Error{ErrorCode::Internal, fmt::format("cannot parse JSON: {}", e.what())};
  }
}

}  // namespace traio
