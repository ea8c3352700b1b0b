#pragma once
// A broken invariant: the program cannot go on safely, so it says where and aborts.
#include <cstdio>
#include <cstdlib>

#define TRAIO_UNREACHABLE(what)                                                              \
  do {                                                                                       \
    std::fprintf(stderr, "traio: unreachable: %s (%s:%d)\n", (what), __FILE__, __LINE__);    \
    std::abort();                                                                            \
  } while (false)
