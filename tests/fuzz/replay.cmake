# Replays every file of tests/fuzz/corpus/<target> and tests/fuzz/regressions/<target>
# through the fuzz target's LLVMFuzzerTestOneInput, with the build's own compiler and
# sanitizers: no clang needed, so every build checks that no known input crashes.
include(${CMAKE_CURRENT_LIST_DIR}/targets.cmake)

foreach(target IN LISTS TRAIO_FUZZ_TARGETS)
  traio_fuzz_executable(replay_${target} ${target} ${TRAIO_FUZZ_DIR}/replay_main.cpp)
  add_test(NAME fuzz_replay_${target}
           COMMAND replay_${target} ${TRAIO_FUZZ_DIR}/corpus/${target} ${TRAIO_FUZZ_DIR}/regressions/${target})
  set_tests_properties(fuzz_replay_${target} PROPERTIES TIMEOUT 120 LABELS fuzz)
endforeach()
