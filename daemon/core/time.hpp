#pragma once
// Time enters the core as a value carried by each event; the core never reads a clock.
#include <chrono>

namespace traio {

using SteadyTime = std::chrono::steady_clock::time_point;
using WallTime = std::chrono::system_clock::time_point;

struct Now {
  SteadyTime mono;  // deadlines are computed on the monotonic clock (SPEC rule 6)
  WallTime wall;    // started_at / ended_at as users read them
};

}  // namespace traio
