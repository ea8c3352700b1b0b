#!/usr/bin/env bash
# Issue 10 item 5: what `traioctl top` costs the daemon, and how many events per second it
# follows. A private traiod runs N jobs that churn (the daemon's own `sleep` jobs of
# SLEEP_MS with `restart: always` and a backoff of SLEEP_MS: each cycle is a few lifecycle
# events, no process spawned, so the figure is the event path, not fork/exec). Two phases
# of DURATION seconds each, one after the other:
#   baseline  `traioctl events -f --json /` alone
#   with-top  the same, plus `traioctl top --frames 0 --interval 1` (plain frames: the same
#             model and event stream as the full-screen view, no terminal needed)
# and prints for each phase the events/s the `events -f` follower got, the CPU traiod spent
# (% of one core, from /proc), and for with-top the events/s top counted (its frames'
# "events N/s", averaged) and its ratio to the follower beside it. A ratio near 1 means top
# keeps up with everything the daemon emits; the CPU difference is what top costs traiod.
#
# usage: bench/top_events.sh [BUILD_DIR]   (default build-bench, a Release build:
#   cmake -S . -B build-bench -G Ninja -DCMAKE_BUILD_TYPE=Release && ninja -C build-bench traiod traioctl)
# environment: N (50 jobs), SLEEP_MS (50), DURATION (10 s). Raise N to find where traiod
# saturates (its CPU near 100%): top then starts slowly and follows what the daemon gets out.
set -euo pipefail
export LC_ALL=C

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:-$ROOT/build-bench}
[[ $BUILD = /* ]] || BUILD=$ROOT/$BUILD
N=${N:-50}
SLEEP_MS=${SLEEP_MS:-50}
DURATION=${DURATION:-10}
TRAIOD=$BUILD/daemon/traiod
TRAIOCTL=$BUILD/cli/traioctl
for bin in "$TRAIOD" "$TRAIOCTL"; do
  [[ -x $bin ]] || { echo "top_events.sh: no $bin (ninja -C $BUILD traiod traioctl)" >&2; exit 2; }
done

WORK=$(mktemp -d "${TMPDIR:-/tmp}/traio-top.XXXXXX")
SOCK=$WORK/traio.sock
TRAIOD_PID=
MAIN_PID=$BASHPID
cleanup() {
  [[ $BASHPID == "$MAIN_PID" ]] || return 0  # bash runs the EXIT trap in $(...) subshells too
  if [[ -n $TRAIOD_PID ]]; then
    kill -TERM "$TRAIOD_PID" 2>/dev/null || true
    wait "$TRAIOD_PID" 2>/dev/null || true
  fi
  if [[ -n ${KEEP:-} ]]; then echo "kept $WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

cat >"$WORK/traiod.json" <<JSON
{"limits": {"nodes": $((N + 100))}, "log_dir": "$WORK/logs"}
JSON
"$TRAIOD" --config "$WORK/traiod.json" --socket "$SOCK" --state-dir "$WORK/state" --log-level warning \
  >/dev/null 2>"$WORK/traiod.log" &
TRAIOD_PID=$!
for _ in $(seq 100); do "$TRAIOCTL" --socket "$SOCK" ping >/dev/null 2>&1 && break; sleep 0.05; done
"$TRAIOCTL" --socket "$SOCK" ping >/dev/null || { echo "top_events.sh: traiod did not start" >&2; cat "$WORK/traiod.log" >&2; exit 1; }

backoff="${SLEEP_MS}ms"
echo "{\"name\": \"churn\", \"children\": [{\"name\": \"job\", \"replicas\": $N, \"kind\": \"sleep\", \"duration\": \"$backoff\",
  \"restart\": {\"policy\": \"always\", \"max\": 1000000000, \"backoff\": {\"initial\": \"$backoff\", \"max\": \"$backoff\"}}}]}" \
  >"$WORK/tree.json"
"$TRAIOCTL" --socket "$SOCK" run "$WORK/tree.json" >/dev/null 2>&1 &
sleep 2  # the churn reaches its pace

cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$TRAIOD_PID/stat"; }
last_seq() { "$TRAIOCTL" --socket "$SOCK" --json events / | grep -o '"seq":[0-9]*' | tail -1 | cut -d: -f2; }
hz=$(getconf CLK_TCK)

# PHASE: runs `events -f` (and top with PHASE=with-top) for DURATION s; prints the figures.
phase() {
  local name=$1 from ticks0 ticks1 t0 t1 got top_rate="" ratio="" top_pid=""
  from=$(last_seq)
  ticks0=$(cpu_ticks)
  t0=$(date +%s.%N)
  if [[ $name == with-top ]]; then
    timeout -s INT "$DURATION" "$TRAIOCTL" --socket "$SOCK" top --frames 0 --interval 1 >"$WORK/top.out" 2>&1 &
    top_pid=$!
  fi
  # Replayed history (seq up to `from`) is not this phase's.
  timeout -s INT "$DURATION" "$TRAIOCTL" --socket "$SOCK" --json events -f / >"$WORK/events.out" 2>/dev/null || true
  [[ -z $top_pid ]] || wait "$top_pid" || true
  t1=$(date +%s.%N)
  ticks1=$(cpu_ticks)
  got=$(grep -o '"seq":[0-9]*' "$WORK/events.out" | cut -d: -f2 | awk -v from="$from" '$1 > from { n++ } END { print n + 0 }')
  local seconds rate cpu
  seconds=$(echo "$t1 - $t0" | bc -l)
  rate=$(echo "$got / $seconds" | bc -l)
  cpu=$(echo "100 * ($ticks1 - $ticks0) / $hz / $seconds" | bc -l)
  if [[ $name == with-top ]]; then
    # The first frame's rate covers start-up: the rest are full seconds of following.
    top_rate=$(grep -o 'events [0-9]*/s' "$WORK/top.out" | tail -n +2 | awk '{ sub("/s", "", $2); s += $2; n++ } END { if (n) printf "%.0f", s / n; else print 0 }')
    ratio=$(echo "$top_rate / $rate" | bc -l)
    printf '%-9s events-f %8.0f ev/s  traiod CPU %5.1f%%  top followed %8.0f ev/s  ratio %.3f\n' \
      "$name" "$rate" "$cpu" "$top_rate" "$ratio"
  else
    printf '%-9s events-f %8.0f ev/s  traiod CPU %5.1f%%\n' "$name" "$rate" "$cpu"
  fi
}

echo "N=$N sleep jobs of ${SLEEP_MS}ms restarting after ${SLEEP_MS}ms, ${DURATION}s per phase"
phase baseline
phase with-top
