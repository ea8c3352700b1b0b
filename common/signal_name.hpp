#pragma once
// Signals as users write them: "TERM", "SIGTERM", "term" or 15; written back as "TERM".
#include <string>
#include <string_view>

#include "common/expected.hpp"

namespace traio {

Expected<int> parse_signal(std::string_view text);
Expected<int> signal_from_number(long long number);
std::string signal_name(int signo);  // "TERM"; unknown numbers as their decimal form

}  // namespace traio
