#!/usr/bin/env bash
# Builds the libFuzzer targets of tests/fuzz with clang-14 and runs each for SECONDS
# (default 60) on a copy of its corpus in a temp dir: the source tree is never written.
# Fails when a target crashes, leaks, breaks an invariant or times out; the input is kept
# in the temp dir and named in the output. Per target it prints execs, coverage and the new
# corpus units.
#
#   scripts/fuzz.sh [SECONDS] [--merge]
#   --merge   merge the new units back into tests/fuzz/corpus, minimised (-merge=1): for
#             humans after long runs, not for CI.
# Environment: TRAIO_FUZZ_BUILD_DIR (default build-fuzz), TRAIO_FUZZ_TARGETS (default all),
# CXX (default clang++-14).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

seconds=60
merge=0
for arg in "$@"; do
  case $arg in
    --merge) merge=1 ;;
    ''|*[!0-9]*) echo "usage: scripts/fuzz.sh [SECONDS] [--merge]" >&2; exit 2 ;;
    *) seconds=$arg ;;
  esac
done

# clang and its libFuzzer runtime (the rest comes with setup.sh's packages).
bash scripts/ensure_packages.sh clang-14 libclang-rt-14-dev cmake ninja-build libboost1.81-dev \
  libcli11-dev nlohmann-json3-dev doctest-dev libfmt-dev

build_dir=${TRAIO_FUZZ_BUILD_DIR:-build-fuzz}
targets=${TRAIO_FUZZ_TARGETS:-"fuzz_request fuzz_node_spec fuzz_daemon_config"}
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)

cmake -S . -B "$build_dir" -G Ninja -DCMAKE_CXX_COMPILER="${CXX:-clang++-14}" -DCMAKE_BUILD_TYPE=Debug \
  -DTRAIO_FUZZ=ON -DTRAIO_TESTS=OFF "${launcher[@]}" >/dev/null
# shellcheck disable=SC2086
ninja -C "$build_dir" -j"$(nproc)" $targets

# Longest input per target: past limits.request_bytes (4 KiB in fuzz_request) so that the
# line limit is reached; job files and configs are small.
max_len() {
  case $1 in
    fuzz_request) echo 8192 ;;
    fuzz_node_spec) echo 4096 ;;
    *) echo 2048 ;;
  esac
}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/traio-fuzz.XXXXXX")
failed=0
keep_tmp=0
for target in $targets; do
  seeds=tests/fuzz/corpus/$target
  work=$tmp/$target
  mkdir -p "$work/corpus" "$work/artifacts"
  cp "$seeds"/* "$work/corpus/"
  before=$(ls "$work/corpus" | wc -l)
  log=$work/fuzz.log
  status=0
  "$build_dir/tests/fuzz/$target" -max_total_time="$seconds" -max_len="$(max_len "$target")" -timeout=10 \
    -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$work/artifacts/" \
    "$work/corpus" >"$log" 2>&1 || status=$?
  after=$(ls "$work/corpus" | wc -l)
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
  last=$(grep -E '^#[0-9]+' "$log" | tail -1 || true)
  cov=$(sed -n 's/.* cov: \([0-9]*\) ft: \([0-9]*\).*/cov \1 ft \2/p' <<<"$last")
  printf '%-20s %ss  execs %s  %s  new units %d\n' "$target" "$seconds" "${execs:-?}" "${cov:-cov ?}" \
    $((after - before))
  if ((status != 0)) || compgen -G "$work/artifacts/*" >/dev/null; then
    failed=1
    keep_tmp=1
    echo "  FAILED (exit $status): inputs in $work/artifacts, log $log" >&2
    grep -E 'ERROR:|invariant broken|SUMMARY' "$log" | head -5 | sed 's/^/  /' >&2 || true
    continue
  fi
  if ((merge)); then
    # Minimise into the committed corpus: only units that add edges to it are kept (without
    # -use_counters=0, every new hit count of an edge would keep a unit: thousands of files).
    "$build_dir/tests/fuzz/$target" -merge=1 -use_counters=0 -max_len="$(max_len "$target")" "$seeds" "$work/corpus" \
      >"$work/merge.log" 2>&1
    echo "  merged: $(ls "$seeds" | wc -l) files in $seeds"
  fi
done

if ((keep_tmp)); then
  echo "kept $tmp for the failing inputs" >&2
else
  rm -rf "$tmp"
fi
exit $failed
