#pragma once
// An ok reply line taken apart without parsing it: traioctl --json ps prints the daemon's
// result bytes as they are (they are what parsing and dumping them again would print),
// so a 500 kB tree costs a copy instead of a parse, a dump and freeing the parsed tree.
#include <cstdint>
#include <optional>
#include <string_view>

namespace traio::cli {

struct OkReplyText {
  std::int64_t id = 0;
  std::string_view result;  // the result's JSON text, within the line
};

// `line` (without its '\n') when it is exactly encode_ok_head(id) + an object + the tail's
// '}' (common/protocol.hpp); nullopt for anything else (errors, events, other shapes),
// which the caller parses as usual.
std::optional<OkReplyText> split_ok_reply(std::string_view line);

}  // namespace traio::cli
