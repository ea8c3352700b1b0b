#!/usr/bin/env bash
# Installs the Debian packages traio needs (only the missing ones), then configures and
# builds traio in build/. Idempotent: a second run installs nothing and rebuilds only what
# changed. Usage: bash scripts/setup.sh [extra cmake -D options...]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

packages=(cmake g++ ninja-build libboost1.81-dev libcli11-dev nlohmann-json3-dev
          doctest-dev libfmt-dev procps)

bash scripts/ensure_packages.sh "${packages[@]}"

build_dir=${TRAIO_BUILD_DIR:-build}
build_type=${TRAIO_BUILD_TYPE:-RelWithDebInfo}
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE="$build_type" "$@"
cmake --build "$build_dir" -j"$(nproc)"
