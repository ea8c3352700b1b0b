#pragma once
// Wall-clock times on the wire: RFC 3339 in UTC with milliseconds ("2026-11-25T16:40:00.123Z").
#include <string>

#include "daemon/core/time.hpp"

namespace traio {

std::string format_rfc3339(WallTime time);
// The same, appended to `out`: ps writes a few thousand of these per reply.
void append_rfc3339(std::string& out, WallTime time);

}  // namespace traio
