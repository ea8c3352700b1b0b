#pragma once
// Wall-clock times on the wire: RFC 3339 in UTC with milliseconds ("2026-11-25T16:40:00.123Z").
#include <string>

#include "daemon/core/time.hpp"

namespace traio {

std::string format_rfc3339(WallTime time);

}  // namespace traio
