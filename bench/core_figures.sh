#!/usr/bin/env bash
# The figures of the core issue, measured against baselines in the same run:
#   1. `traioctl run` of a tree of N /bin/true jobs vs a bash loop running /bin/true N times
#   2. cancelling a scope of N live `sleep` processes until all are reaped
#   3. traiod's RSS with N live jobs (and its base RSS)
# Usage: bench/core_figures.sh [BUILD_DIR] (default: build). N=1000 REPS=5 by default.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
N=${N:-1000}
REPS=${REPS:-5}
source bench/bench_lib.sh
start_daemon '{}'

tree() {  # name, argv JSON
  local name=$1 argv=$2
  printf '{"name": "%s", "children": [' "$name"
  for i in $(seq 0 $((N - 1))); do
    [ "$i" -gt 0 ] && printf ','
    printf '{"name": "j%d", "argv": %s, "output": "null"}' "$i" "$argv"
  done
  printf ']}\n'
}

run_ms=(); loop_ms=()
for r in $(seq "$REPS"); do
  tree "true-$r" '["/bin/true"]' > "$tmp/true.json"
  t0=$(now_ns); "$traioctl" run "$tmp/true.json" >/dev/null; t1=$(now_ns)
  run_ms+=($(( (t1 - t0) / 1000000 )))
  t0=$(now_ns); bash -c "for i in \$(seq $N); do /bin/true; done"; t1=$(now_ns)
  loop_ms+=($(( (t1 - t0) / 1000000 )))
done
run_med=$(printf '%s\n' "${run_ms[@]}" | median)
loop_med=$(printf '%s\n' "${loop_ms[@]}" | median)
echo "1. traioctl run, $N x /bin/true: median ${run_med} ms (runs: ${run_ms[*]})"
echo "   bash loop,     $N x /bin/true: median ${loop_med} ms (runs: ${loop_ms[*]})"
awk -v a="$run_med" -v b="$loop_med" 'BEGIN {printf "   ratio traio/bash: %.2f\n", a / b}'

base_rss=$(rss_kb)
cancel_ms=(); live_rss=()
for r in $(seq "$REPS"); do
  "$traioctl" fork --name "live-$r" >/dev/null
  tree "sleeps" '["sleep", "600"]' > "$tmp/sleep.json"
  "$traioctl" run "$tmp/sleep.json" --scope "/live-$r" >/dev/null 2>&1 &
  runner=$!
  for _ in $(seq 600); do
    running=$("$traioctl" --json ps "/live-$r/sleeps" 2>/dev/null | grep -o '"state":"running"' | wc -l || true)
    [ "$running" -ge "$N" ] && break
    sleep 0.05
  done
  live_rss+=($(rss_kb))
  t0=$(now_ns); "$traioctl" cancel "/live-$r"; "$traioctl" wait "/live-$r" >/dev/null || true; t1=$(now_ns)
  cancel_ms+=($(( (t1 - t0) / 1000000 )))
  wait "$runner" 2>/dev/null || true
done
cancel_med=$(printf '%s\n' "${cancel_ms[@]}" | median)
rss_med=$(printf '%s\n' "${live_rss[@]}" | median)
echo "2. cancel a scope of $N live sleep processes until all are reaped: median ${cancel_med} ms (runs: ${cancel_ms[*]})"
echo "3. traiod RSS: base ${base_rss} kB, with $N live jobs median ${rss_med} kB (runs: ${live_rss[*]})"
awk -v a="$rss_med" -v b="$base_rss" -v n="$N" 'BEGIN {printf "   growth per live job: %.2f kB\n", (a - b) / n}'
left=$(pgrep -c -f 'sleep 600' || true)
echo "   sleep 600 processes left after the runs: ${left}"
