#!/usr/bin/env bash
# The figures of the supervision issue (5), each against a baseline of the same run:
#   1. cancel -> all reaped for N live `sleep` jobs, and for N jobs that ignore SIGTERM
#      with a 1 s grace (baseline: the grace itself, 1000 ms)
#   2. traiod's RSS with N live processes and with M async jobs (baseline: its base RSS),
#      and `ps` time beside the M async jobs (baseline: `ps` of an empty daemon)
#   3. the restart timeline of a crash-looping job (on-failure, max 5 within 1m,
#      backoff 100ms..2s): when each run started, and the gaps between runs
# Usage: bench/supervision_figures.sh [BUILD_DIR] (default: build). N=1000 M=10000 REPS=3.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
N=${N:-1000}
M=${M:-10000}
REPS=${REPS:-3}
source bench/bench_lib.sh
start_daemon '{"defaults": {"stop": {"grace": "1s"}}}'

# A scope of `count` children, each the JSON object printed by `child i`.
tree() {
  local name=$1 count=$2 child=$3
  printf '{"name": "%s", "children": [' "$name"
  for i in $(seq 0 $((count - 1))); do
    [ "$i" -gt 0 ] && printf ','
    "$child" "$i"
  done
  printf ']}\n'
}
sleep_child() { printf '{"name": "j%d", "argv": ["sleep", "600"], "output": "null"}' "$1"; }
stubborn_child() {
  printf '{"name": "j%d", "argv": ["sh", "-c", "trap \\"\\" TERM; exec sleep 601"], "output": "null", "stop": {"signal": "TERM", "grace": "1s"}}' "$1"
}
wait_child() { printf '{"name": "w%d", "kind": "wait_file", "path": "%s/never/there-%d"}' "$1" "$tmp" "$1"; }

# Submits tree $2 under a new scope $1 and waits until `count` of its jobs run.
start_live() {
  local scope=$1 file=$2 count=$3
  "$traioctl" fork --name "$scope" >/dev/null
  "$traioctl" run "$file" --scope "/$scope" >/dev/null 2>&1 &
  runners+=($!)
  for _ in $(seq 1200); do
    running=$("$traioctl" --json ps "/$scope" 2>/dev/null | grep -o '"state":"running"' | wc -l || true)
    [ "$running" -ge "$count" ] && return 0
    sleep 0.05
  done
  echo "only $running of $count running" >&2
}

cancel_ms() {  # scope: prints ms from cancel to done (every process reaped)
  local t0 t1
  t0=$(now_ns); "$traioctl" cancel "/$1"; "$traioctl" wait "/$1" >/dev/null || true; t1=$(now_ns)
  echo $(( (t1 - t0) / 1000000 ))
}

base_rss=$(rss_kb)
ps_empty=(); for r in $(seq "$REPS"); do t0=$(now_ns); "$traioctl" ps >/dev/null; t1=$(now_ns); ps_empty+=($(( (t1 - t0) / 1000000 ))); done

sleeps=(); stubborn=(); live_rss=(); runners=()
tree sleeps "$N" sleep_child > "$tmp/sleeps.json"
tree stubborn "$N" stubborn_child > "$tmp/stubborn.json"
for r in $(seq "$REPS"); do
  start_live "live-$r" "$tmp/sleeps.json" "$N"
  live_rss+=($(rss_kb))
  sleeps+=($(cancel_ms "live-$r"))
  start_live "stub-$r" "$tmp/stubborn.json" "$N"
  sleep 0.5  # every shell has set its trap
  stubborn+=($(cancel_ms "stub-$r"))
done
for pid in "${runners[@]}"; do wait "$pid" 2>/dev/null || true; done
left=$(pgrep -f "^sleep 60[01]$" | wc -l || true)
echo "1. cancel -> all reaped, $N live sleep jobs: median $(printf '%s\n' "${sleeps[@]}" | median) ms (runs: ${sleeps[*]})"
echo "   $N jobs ignoring SIGTERM, grace 1s:      median $(printf '%s\n' "${stubborn[@]}" | median) ms (runs: ${stubborn[*]})"
awk -v a="$(printf '%s\n' "${stubborn[@]}" | median)" 'BEGIN {printf "   ratio to the grace (1000 ms): %.2f\n", a / 1000}'
echo "   sleep processes left afterwards: $left"

tree waits "$M" wait_child > "$tmp/waits.json"
start_live waits "$tmp/waits.json" "$M"
async_rss=$(rss_kb)
ps_async=(); for r in $(seq "$REPS"); do t0=$(now_ns); "$traioctl" ps >/dev/null; t1=$(now_ns); ps_async+=($(( (t1 - t0) / 1000000 ))); done
"$traioctl" cancel /waits; "$traioctl" wait /waits >/dev/null || true
echo "2. traiod RSS: base ${base_rss} kB; with $N live processes median $(printf '%s\n' "${live_rss[@]}" | median) kB; with $M async jobs ${async_rss} kB"
awk -v a="$(printf '%s\n' "${live_rss[@]}" | median)" -v b="$base_rss" -v c="$async_rss" -v n="$N" -v m="$M" \
  'BEGIN {printf "   per live process: %.2f kB; per async job: %.2f kB\n", (a - b) / n, (c - b) / m}'
echo "   ps beside $M async jobs: median $(printf '%s\n' "${ps_async[@]}" | median) ms (runs: ${ps_async[*]}); empty daemon: median $(printf '%s\n' "${ps_empty[@]}" | median) ms"

cat > "$tmp/crash.json" <<JSON
{"name": "crashloop", "argv": ["sh", "-c", "echo run; exit 3"], "output": "null",
 "restart": {"policy": "on-failure", "max": 5, "window": "1m", "backoff": {"initial": "100ms", "max": "2s"}}}
JSON
"$traioctl" --json events -f > "$tmp/events.ndjson" 2>/dev/null &
events_pid=$!
sleep 0.2
job=$("$traioctl" spawn "$tmp/crash.json")
"$traioctl" wait "$job" >/dev/null || true
sleep 0.2
kill "$events_pid" 2>/dev/null || true
echo "3. restart timeline of $job (on-failure, max 5 in 1m, backoff 100ms..2s):"
python3 - "$tmp/events.ndjson" "$job" <<'PY'
import json, sys, datetime
path, job = sys.argv[1], sys.argv[2]
t0 = None; last_start = None
for line in open(path):
    try: e = json.loads(line)
    except ValueError: continue
    e = e.get("event", e)
    if e.get("path") != job or e.get("kind") not in ("started", "exited", "restarting", "done"): continue
    t = datetime.datetime.fromisoformat(e["time"].replace("Z", "+00:00"))
    t0 = t0 or t
    ms = (t - t0).total_seconds() * 1000
    gap = ""
    if e["kind"] == "started":
        if last_start is not None: gap = f"  (+{(t - last_start).total_seconds() * 1000:.0f} ms since the previous start)"
        last_start = t
    print(f"   {ms:8.0f} ms  {e['kind']:<10} {e.get('message') or ''}{gap}")
PY
"$traioctl" inspect "$job" | grep -E "outcome|restarts|reason" || true
