#include "common/request_line.hpp"

namespace traio {

std::string_view request_line_text(std::string_view through_newline) {
  std::string_view line = through_newline;
  if (!line.empty() && line.back() == '\n') line.remove_suffix(1);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

std::variant<Request, LineRefusal> decode_request_line(std::string_view line, const JsonLimits& limits) {
  auto parsed = parse_json_limited(line, limits);
  if (!parsed) return LineRefusal{0, parsed.error(), parsed.error().code == ErrorCode::LimitExceeded};
  std::int64_t id = 0;
  auto request = parse_request(*parsed, id);
  if (!request) return LineRefusal{id, request.error(), false};
  return std::move(*request);
}

}  // namespace traio
