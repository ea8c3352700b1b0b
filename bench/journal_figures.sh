#!/usr/bin/env bash
# The crash journal's figures (issue 6): how long a restart after `kill -9` takes until the
# old run's leftovers are killed and the daemon answers, against a clean start measured in
# the same run; and the journal's size after many short jobs.
# Usage: bash bench/journal_figures.sh [BUILD_DIR] [LEFTOVERS=1000] [JOBS=100000]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
build=${1:-build}
leftovers=${2:-1000}
jobs=${3:-100000}
. bench/bench_lib.sh
config='{"log_dir": "'$tmp'/logs", "boot_dir": "'$tmp'/boot", "history": 1000}'

# Start to first answer (ms) of a daemon on $tmp/state, a clean start or a recovery, into
# $started_ms (not echoed: a command substitution would run the daemon in a subshell).
time_start() {
  local t0 t1
  t0=$(now_ns)
  start_daemon "$config"
  t1=$(now_ns)
  started_ms=$(( (t1 - t0) / 1000000 ))
}

echo "== restart after kill -9 with $leftovers live sleeps (cgroup path unless TRAIOD_CGROUPS=off)"
clean=() recovered=()
for run in 1 2 3; do
  rm -rf "$tmp/state"
  time_start
  clean+=("$started_ms")
  tree='{"name":"load","children":['
  for i in $(seq "$leftovers"); do tree+='{"argv":["sleep","977.'$run'"],"output":"null"},'; done
  echo "${tree%,}]}" > "$tmp/tree.json"
  "$traioctl" run "$tmp/tree.json" >/dev/null 2>&1 &
  client=$!
  until [ "$(pgrep -fc "^sleep 977.$run$" || true)" -ge "$leftovers" ]; do sleep 0.1; done
  kill -9 "$daemon_pid"; wait "$daemon_pid" 2>/dev/null || true
  wait "$client" 2>/dev/null || true
  left=$(pgrep -fc "^sleep 977.$run$" || true)
  time_start
  recovered+=("$started_ms")
  after=$(pgrep -fc "^sleep 977.$run$" || true)
  echo "run $run: $left sleeps outlived traiod; restart answered in ${recovered[-1]} ms (clean start ${clean[-1]} ms); $after left"
  kill -TERM "$daemon_pid"; wait "$daemon_pid" 2>/dev/null || true
done
c=$(printf '%s\n' "${clean[@]}" | median); r=$(printf '%s\n' "${recovered[@]}" | median)
echo "median: clean start $c ms, restart with $leftovers leftovers $r ms, ratio $(awk -v a="$r" -v b="$c" 'BEGIN {printf "%.2f", a/b}')"

echo "== journal size after $jobs short jobs (/bin/true, history 1000)"
rm -rf "$tmp/state"
start_daemon "$config"
tree='{"name":"batch","children":['
for i in $(seq 1000); do tree+='{"argv":["true"],"output":"null"},'; done
echo "${tree%,}]}" > "$tmp/batch.json"
largest=0
for round in $(seq $((jobs / 1000))); do
  "$traioctl" run "$tmp/batch.json" >/dev/null
  size=$(stat -c %s "$tmp/state/journal")
  [ "$size" -gt "$largest" ] && largest=$size
done
echo "journal after $jobs jobs: $(stat -c %s "$tmp/state/journal") bytes (largest seen between runs: $largest bytes)"
