#pragma once
// One request line as the daemon reads it (SPEC §5), without the socket: what is left of
// session.cpp and dispatch.cpp once Asio is taken away, so that it can be fuzzed
// (tests/fuzz/fuzz_request.cpp) on exactly the code the daemon runs.
#include <cstdint>
#include <string_view>
#include <variant>

#include "common/expected.hpp"
#include "common/json_limits.hpp"
#include "common/protocol.hpp"

namespace traio {

// The text of a line read through its '\n': without the '\n', and without a '\r' before it.
std::string_view request_line_text(std::string_view through_newline);

// A line that is no request: the error reply to send (under `id` when one could be read),
// and whether the connection is then closed (a limit broken) or kept open (bad JSON, a bad
// envelope).
struct LineRefusal {
  std::int64_t id = 0;
  Error error;
  bool close_connection = false;
};

// Limits (length, depth), JSON, then the envelope. The op is not looked up here.
std::variant<Request, LineRefusal> decode_request_line(std::string_view line, const JsonLimits& limits);

}  // namespace traio
