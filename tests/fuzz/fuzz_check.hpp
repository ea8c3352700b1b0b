#pragma once
// Invariants of the fuzz targets. Not assert(): they must hold in every build type, and a
// broken one must stop the run (libFuzzer saves the input as a crash; the replay fails).
#include <cstdio>
#include <cstdlib>
#include <string>

#define FUZZ_CHECK(condition, what)                                                          \
  do {                                                                                       \
    if (!(condition)) {                                                                      \
      const std::string fuzz_what_(what);                                                    \
      std::fprintf(stderr, "%s:%d: invariant broken: %s (%s)\n", __FILE__, __LINE__,        \
                   #condition, fuzz_what_.c_str());                                          \
      std::abort();                                                                          \
    }                                                                                        \
  } while (false)
