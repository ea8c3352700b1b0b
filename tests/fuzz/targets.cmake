# The fuzz targets (issue 7) and what each links, shared by the libFuzzer build
# (tests/fuzz/CMakeLists.txt, TRAIO_FUZZ=ON) and the corpus replay of every normal build
# (tests/fuzz/replay.cmake).
set(TRAIO_FUZZ_DIR ${PROJECT_SOURCE_DIR}/tests/fuzz)
set(TRAIO_FUZZ_TARGETS fuzz_request fuzz_node_spec fuzz_daemon_config)

# traio_fuzz_executable(EXE TARGET [SOURCES...]): an executable of fuzz target TARGET.
function(traio_fuzz_executable exe target)
  add_executable(${exe} ${TRAIO_FUZZ_DIR}/${target}.cpp ${ARGN})
  target_include_directories(${exe} PRIVATE ${PROJECT_SOURCE_DIR})
  if(target STREQUAL "fuzz_request")
    # The pure parts of daemon/server: the rest of traio_server needs Asio and a live daemon.
    target_sources(${exe} PRIVATE ${PROJECT_SOURCE_DIR}/daemon/server/op_args.cpp
                                  ${PROJECT_SOURCE_DIR}/daemon/server/node_json.cpp
                                  ${PROJECT_SOURCE_DIR}/daemon/server/generations_json.cpp
                                  ${PROJECT_SOURCE_DIR}/daemon/server/time_format.cpp)
    target_link_libraries(${exe} PRIVATE traio_core)
  else()
    target_link_libraries(${exe} PRIVATE traio_config)
  endif()
endfunction()
