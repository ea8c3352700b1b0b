#pragma once
// One request line: limits, JSON, envelope, then the op.
#include <memory>
#include <string_view>

namespace traio {

class Session;

enum class LineVerdict { KeepOpen, Close };

// Parses `line` and starts its op. Close when the client broke a limit (SPEC §5: an error
// reply, then the connection is closed); a line that is not JSON keeps it open.
LineVerdict handle_line(const std::shared_ptr<Session>& session, std::string_view line);

}  // namespace traio
