#include "common/json_limits.hpp"

#include <fmt/format.h>

namespace traio {

namespace {

// Thrown from the parser callback to abort parsing at once: returning false from the
// callback only discards the value and the parser would go on reading the whole document.
struct TooDeep {};

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
  const std::size_t max_depth = limits.max_depth;
  // `depth` is the number of containers already open around the one that starts.
  auto check_depth = [max_depth](int depth, nlohmann::json::parse_event_t event, nlohmann::json&) {
    using Event = nlohmann::json::parse_event_t;
    if ((event == Event::object_start || event == Event::array_start) &&
        static_cast<std::size_t>(depth) + 1 > max_depth)
      throw TooDeep{};
    return true;
  };
  try {
    return nlohmann::json::parse(text.begin(), text.end(), check_depth);
  } catch (const TooDeep&) {
    return Error{ErrorCode::LimitExceeded, fmt::format("JSON is nested deeper than {} levels", max_depth)};
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
