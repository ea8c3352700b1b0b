#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test: first a plain build in build/,
# then (unless TRAIO_SKIP_SANITIZE=1) an ASan+UBSan Debug build in build-asan/.
# Exits non-zero on any failure. Needs no stdin: runs the same under CI=true.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
exec </dev/null

jobs=${TRAIO_TEST_JOBS:-2}

bash scripts/setup.sh
ctest --test-dir build --output-on-failure -j"$jobs"

if [[ "${TRAIO_SKIP_SANITIZE:-0}" != 1 ]]; then
  cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DTRAIO_SANITIZE=ON
  cmake --build build-asan -j"$(nproc)"
  # halt_on_error: a sanitizer report fails the test that caused it.
  ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:halt_on_error=1} \
  UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
    ctest --test-dir build-asan --output-on-failure -j"$jobs"
fi
echo "test: all tests passed"
