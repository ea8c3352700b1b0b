#pragma once
#include <cstdint>

namespace traio {

// Never reused within a daemon's life, so a stale id from a runner can never reach a new node.
using NodeId = std::uint64_t;
inline constexpr NodeId kNoNode = 0;
inline constexpr NodeId kRootId = 1;

}  // namespace traio
