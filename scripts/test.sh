#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test: first a plain build in build/,
# then (unless TRAIO_SKIP_SANITIZE=1) an ASan+UBSan Debug build in build-asan/, then (unless
# TRAIO_SKIP_FUZZ=1) each libFuzzer target for TRAIO_FUZZ_SECONDS (60) with clang-14.
# Exits non-zero on any failure. Needs no stdin: runs the same under CI=true.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
exec </dev/null

jobs=${TRAIO_TEST_JOBS:-2}

# Line tables only (-g1): backtraces and sanitizer reports keep their file:line, and a clean
# build spends about a third less time than with full debug info (CI builds twice, on 2 cores).
bash scripts/setup.sh -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O2 -g1 -DNDEBUG"
bash scripts/test_packages.sh
ctest --test-dir build --output-on-failure -j"$jobs"

if [[ "${TRAIO_SKIP_SANITIZE:-0}" != 1 ]]; then
  cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DTRAIO_SANITIZE=ON -DCMAKE_CXX_FLAGS_DEBUG=-g1
  cmake --build build-asan -j"$(nproc)"
  # halt_on_error: a sanitizer report fails the test that caused it.
  ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:halt_on_error=1} \
  UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
    ctest --test-dir build-asan --output-on-failure -j"$jobs"
fi
# A short libFuzzer run of each target (clang-14, ASan+UBSan) on a copy of its corpus.
if [[ "${TRAIO_SKIP_FUZZ:-0}" != 1 ]]; then
  bash scripts/fuzz.sh "${TRAIO_FUZZ_SECONDS:-60}"
fi
echo "test: all tests passed"
