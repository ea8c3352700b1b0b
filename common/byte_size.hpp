#pragma once
// Sizes as users write them in the config: "10MiB", "512KiB", "1GiB", "100kB", or a number of bytes.
#include <cstdint>
#include <string>
#include <string_view>

#include "common/expected.hpp"

namespace traio {

Expected<std::uint64_t> parse_byte_size(std::string_view text);
std::string format_byte_size(std::uint64_t bytes);

}  // namespace traio
