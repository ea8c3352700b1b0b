#!/usr/bin/env bash
# The soak of issue 7, for minutes: random trees from many clients against one real
# traiod, then the checks (no zombies, no strays, fds and RSS back to the baseline, every
# node with an outcome, the daemon answering). Builds nothing: it runs the traio_soak of a
# build directory, whose traiod and traioctl it drives.
#
#   bash tests/soak/soak.sh [--minutes N] [--seed S] [--clients C] [--build-dir DIR]
#
# The build directory is --build-dir, else $TRAIO_BUILD_DIR, else ./build; $TRAIO_SOAK_BIN
# names a traio_soak binary directly. The full output goes to $TRAIO_SOAK_LOG (default a
# temp file, kept); the summary is printed. Exit status: 0 clean, 1 a check failed, 2 usage.
set -euo pipefail

minutes=10
seed=""
clients=6
build_dir="${TRAIO_BUILD_DIR:-build}"

usage() { sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }

while [[ $# -gt 0 ]]; do
  case "$1" in
    --minutes) minutes="${2:?}"; shift 2 ;;
    --seed) seed="${2:?}"; shift 2 ;;
    --clients) clients="${2:?}"; shift 2 ;;
    --build-dir) build_dir="${2:?}"; shift 2 ;;
    -h|--help) usage ;;
    *) echo "soak.sh: unknown argument $1" >&2; usage ;;
  esac
done
[[ "$minutes" =~ ^[0-9]+([.][0-9]+)?$ ]] || { echo "soak.sh: --minutes wants a number" >&2; exit 2; }
[[ -z "$seed" || "$seed" =~ ^[0-9]+$ ]] || { echo "soak.sh: --seed wants a number" >&2; exit 2; }
[[ "$clients" =~ ^[0-9]+$ ]] || { echo "soak.sh: --clients wants a number" >&2; exit 2; }

bin="${TRAIO_SOAK_BIN:-$build_dir/tests/traio_soak}"
if [[ ! -x "$bin" ]]; then
  echo "soak.sh: no traio_soak at $bin: build it first (ninja -C $build_dir traio_soak)" >&2
  exit 2
fi

seconds=$(awk -v m="$minutes" 'BEGIN { printf "%d", m * 60 }')
log="${TRAIO_SOAK_LOG:-$(mktemp -t traio-soak.XXXXXX.log)}"
echo "soak.sh: $bin for ${seconds}s, $clients clients, seed ${seed:-from the clock}; full output in $log"

status=0
TRAIO_SOAK_SECONDS="$seconds" TRAIO_SOAK_CLIENTS="$clients" TRAIO_SOAK_SEED="$seed" \
  "$bin" --no-intro=true --duration=true >"$log" 2>&1 || status=$?

# The driver's own lines (settings, baseline, figures, counts, problems), then doctest's verdict.
grep -E '^soak: ' "$log" | grep -v '^soak: FAILURE' || true
grep -E '^\[doctest\] (test cases|Status)' "$log" || true
if [[ $status -ne 0 ]]; then
  echo "soak.sh: FAILED (exit $status); see $log"
  exit 1
fi
echo "soak.sh: clean"
