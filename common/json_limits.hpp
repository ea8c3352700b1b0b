#pragma once
// Parsing untrusted JSON with limits (DESIGN: nlohmann 3.11.2 has no depth limit; a 100k-deep
// array parses and then overflows the stack in its destructor). The length is checked
// before parsing and the depth while parsing, in the parser callback.
#include <cstddef>
#include <string_view>

#include <nlohmann/json.hpp>

#include "common/expected.hpp"

namespace traio {

struct JsonLimits {
  std::size_t max_bytes = 1 << 20;
  std::size_t max_depth = 64;
};

// The deepest nesting of arrays and objects in `text` (brackets outside strings), counted
// without parsing; stops once past `limit`. For a caller that parses by itself.
std::size_t json_nesting_depth(std::string_view text, std::size_t limit);

// Errors: LimitExceeded (too long or too deep; the message says which), BadJson (syntax,
// with the byte offset). Never throws.
Expected<nlohmann::json> parse_json_limited(std::string_view text, const JsonLimits& limits);

}  // namespace traio
