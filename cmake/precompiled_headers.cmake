# Precompiled headers: every translation unit of traio pulls in nlohmann/json and fmt (and
# the daemon's also Asio, the CLI's CLI11, the tests' doctest), about 150k lines before a
# line of ours; parsing them once per target instead of once per file is most of a clean
# build's time (CI builds twice from scratch on 2 cores).
#
# Off by default under a compiler launcher such as ccache, which caches whole objects
# better without them; -DTRAIO_PCH=ON/OFF decides either way.
if(CMAKE_CXX_COMPILER_LAUNCHER)
  set(_traio_pch_default OFF)
else()
  set(_traio_pch_default ON)
endif()
option(TRAIO_PCH "Precompile the third-party and standard headers every file includes" ${_traio_pch_default})

set(TRAIO_PCH_BASE
  <algorithm> <chrono> <cstdint> <filesystem> <functional> <map> <memory> <optional>
  <set> <string> <string_view> <unordered_map> <utility> <variant> <vector>
  <fmt/format.h> <nlohmann/json.hpp>)
set(TRAIO_PCH_ASIO
  <boost/asio/io_context.hpp> <boost/asio/steady_timer.hpp> <boost/asio/post.hpp>
  <boost/asio/awaitable.hpp> <boost/asio/co_spawn.hpp> <boost/asio/local/stream_protocol.hpp>
  <boost/asio/posix/stream_descriptor.hpp>)

# traio_precompile(TARGET [ASIO] [CLI] [DOCTEST]): precompile the base set plus the named
# libraries' headers for TARGET.
function(traio_precompile target)
  if(NOT TRAIO_PCH)
    return()
  endif()
  cmake_parse_arguments(P "ASIO;CLI;DOCTEST" "" "" ${ARGN})
  set(headers ${TRAIO_PCH_BASE})
  if(P_ASIO)
    list(APPEND headers ${TRAIO_PCH_ASIO})
  endif()
  if(P_CLI)
    list(APPEND headers <CLI/CLI.hpp>)
  endif()
  if(P_DOCTEST)
    list(APPEND headers <doctest/doctest.h>)
  endif()
  target_precompile_headers(${target} PRIVATE ${headers})
endfunction()

# With the headers precompiled, GCC 12 reports what it inlines from libstdc++ into our code
# as if it were not system-header code: its known middle-end false positives on std::string
# (-Warray-bounds, -Wstringop-overflow, -Wstringop-overread; GCC PR 105329, 105651) then
# fail the -O2 build in files that build cleanly without. Builds without precompiled headers
# (any ccache build, -DTRAIO_PCH=OFF) and the clang fuzz build keep those warnings.
if(TRAIO_PCH AND CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  add_compile_options(-Wno-array-bounds -Wno-stringop-overflow -Wno-stringop-overread)
endif()
