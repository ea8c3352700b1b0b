#!/usr/bin/env bash
# Issue 10: what traiod costs while nothing happens. A private traiod is measured idle with
# no job (the baseline, same run), then with N live `sleep` jobs, then with N jobs and a
# client following the event stream (`traioctl events -f`, what `top` holds open). Each phase
# lasts PHASE_SECONDS; it prints traiod's CPU time (ns precision, from /proc/PID/task/*/schedstat)
# in µs per second and its wakeups (voluntary context switches) per second, and the ratio of each
# to the baseline. Near zero means no polling: timers fire only when something is due.
#   bench/idle_cpu.sh [BUILD_DIR]   (default build-bench, Release; N=1000 PHASE_SECONDS=20)
set -euo pipefail
export LC_ALL=C
cd "$(dirname "$0")/.."
build=${1:-build-bench}
N=${N:-1000}
SECONDS_PER_PHASE=${PHASE_SECONDS:-20}
. bench/bench_lib.sh

# traiod's CPU ns and voluntary switches, summed over its threads.
sample() {
  local cpu=0 switches=0 task v
  for task in /proc/"$daemon_pid"/task/*; do
    read -r v _ < "$task/schedstat" && cpu=$((cpu + v))
    v=$(awk '/^voluntary_ctxt_switches/ {print $2}' "$task/status") && switches=$((switches + v))
  done
  echo "$cpu $switches"
}

# One phase: prints "cpu_us_per_s wakeups_per_s".
measure() {
  local before after
  before=$(sample)
  sleep "$SECONDS_PER_PHASE"
  after=$(sample)
  awk -v b="$before" -v a="$after" -v s="$SECONDS_PER_PHASE" 'BEGIN {
    split(b, x, " "); split(a, y, " ");
    printf "%.1f %.2f\n", (y[1] - x[1]) / 1e3 / s, (y[2] - x[2]) / s }'
}

start_daemon "{\"log_dir\": \"$tmp/logs\", \"limits\": {\"nodes\": $((N + 100))}, \"defaults\": {\"stop\": {\"grace\": \"2s\"}}}"
sleep 1
read -r base_cpu base_wake < <(measure)

echo "{\"name\": \"idle\", \"children\": [{\"name\": \"job\", \"replicas\": $N, \"argv\": [\"sleep\", \"3600\"], \"output\": \"null\"}]}" > "$tmp/tree.json"
"$traioctl" run "$tmp/tree.json" > /dev/null 2>&1 &
echo "waiting for $N jobs to run..." >&2
until [[ $("$traioctl" metrics | awk '$1 == "traio_nodes{state=\"running\"}" {print $2}') == "$N" ]]; do sleep 1; done
sleep 2  # let the start-up settle (log files opened, probes none)
read -r jobs_cpu jobs_wake < <(measure)

"$traioctl" events -f > /dev/null &
follower=$!
sleep 1
read -r follow_cpu follow_wake < <(measure)
kill "$follower" 2>/dev/null || true

# A baseline of 0 (nothing ran at all) has no ratio: "same" when the phase was 0 too.
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else if (a == 0) printf "same"; else printf "+%s", a }'; }
printf '%-28s %14s %12s %16s %12s\n' phase cpu_us_per_s x_baseline wakeups_per_s x_baseline
printf '%-28s %14s %12s %16s %12s\n' "idle, no job (baseline)" "$base_cpu" 1.00 "$base_wake" 1.00
printf '%-28s %14s %12s %16s %12s\n' "idle, $N live jobs" "$jobs_cpu" "$(ratio "$jobs_cpu" "$base_cpu")" "$jobs_wake" "$(ratio "$jobs_wake" "$base_wake")"
printf '%-28s %14s %12s %16s %12s\n' "idle, $N jobs + events -f" "$follow_cpu" "$(ratio "$follow_cpu" "$base_cpu")" "$follow_wake" "$(ratio "$follow_wake" "$base_wake")"
"$traioctl" cancel /idle > /dev/null 2>&1 || true
