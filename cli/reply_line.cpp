#include "cli/reply_line.hpp"

#include <charconv>

#include "common/protocol.hpp"

namespace traio::cli {

std::optional<OkReplyText> split_ok_reply(std::string_view line) {
  constexpr std::string_view kIdKey = "{\"id\":";
  if (!line.starts_with(kIdKey)) return std::nullopt;
  std::int64_t id = 0;
  if (std::from_chars(line.data() + kIdKey.size(), line.data() + line.size(), id).ec != std::errc{})
    return std::nullopt;
  // The head must be the daemon's, byte for byte ("id" written as encode_ok_head writes it).
  const std::string head = encode_ok_head(id);
  if (!line.starts_with(head)) return std::nullopt;
  std::string_view result = line.substr(head.size());
  // The tail is "}" (the '\n' is gone); the result is an object, as every op's is.
  if (!result.ends_with('}')) return std::nullopt;
  result.remove_suffix(1);
  if (result.size() < 2 || result.front() != '{' || result.back() != '}') return std::nullopt;
  return OkReplyText{id, result};
}

}  // namespace traio::cli
