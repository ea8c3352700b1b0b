#!/usr/bin/env bash
# traio driven by traioctl: two private traiods (one for W1, one for the live sleeps, so
# that W1's history does not weigh on W3/W4), each on its own socket and state dir.
#   systems/traio.sh check|setup|w1|live|w5|teardown   (environment: see lib.sh)
set -uo pipefail
source "$(dirname "$0")/../lib.sh"
traiod="$BUILD/daemon/traiod"
traioctl="$BUILD/cli/traioctl"

ctl() { "$traioctl" --socket "$WORK/$1.sock" "${@:2}"; }

# A tree of N process jobs running PROGRAM ARGS..., as traioctl run takes it.
write_tree() {
  local file=$1 name=$2 argv=$3
  {
    printf '{"name": "%s", "children": [' "$name"
    for ((i = 0; i < N; i++)); do
      ((i)) && printf ','
      printf '{"name": "j%d", "argv": %s, "output": "null"}' "$i" "$argv"
    done
    printf ']}\n'
  } >"$file"
}

start_daemon() {  # instance name
  mkdir -p "$WORK/$1-state"
  echo '{"log_level": "warning"}' >"$WORK/$1.json"
  setsid "$traiod" --config "$WORK/$1.json" --socket "$WORK/$1.sock" \
    --state-dir "$WORK/$1-state" >"$WORK/$1.log" 2>&1 </dev/null &
  echo $! >"$WORK/$1.pid"
  wait_for ctl "$1" ping || { echo "skip: traiod $1 did not answer ping (see $WORK/$1.log)"; exit 1; }
}

case $1 in
  check)
    [[ -x $traiod && -x $traioctl ]] || echo "skip: no traiod/traioctl in $BUILD"
    ;;
  setup)
    start_daemon oneshot
    start_daemon live
    record_base_memory "$(cat "$WORK/live.pid")"
    write_tree "$WORK/true.json" w1 "[\"$BIN/$TRUE_COMM\"]"
    write_tree "$WORK/sleeps.json" live "[\"$BIN/$SLEEP_COMM\", \"$SLEEP_ARG\"]"
    ;;
  w1)
    time_oneshots w1 "$(cat "$WORK/oneshot.pid")" ctl oneshot run "$WORK/true.json"
    ;;
  live)
    # run owns the tree and waits for it: it stays in the background until the cancel.
    start_run() { ctl live run "$WORK/sleeps.json" >/dev/null 2>&1 & echo $! >"$WORK/run.pid"; }
    time_until w2_up up start_run
    [[ $WORKLOADS == *w3* ]] && median_query w3_status ctl live --json ps
    [[ $WORKLOADS == *w3* ]] && median_query w3_ping ctl live ping
    [[ $WORKLOADS == *w4* ]] && report_memory_per_program "$(cat "$WORK/live.pid")"
    [[ $WORKLOADS == *w4* ]] && report_idle_wakeups "$(cat "$WORK/live.pid")"
    time_until w2_down gone ctl live cancel /live
    wait "$(cat "$WORK/run.pid")" 2>/dev/null
    ;;
  w5)
    # 10,000 live async jobs (sleep kind) in the live daemon: ps --json time and RSS.
    M=${W5_JOBS:-10000}
    {
      printf '{"name": "w5", "children": ['
      for ((i = 0; i < M; i++)); do
        ((i)) && printf ','
        printf '{"name": "a%d", "kind": "sleep", "duration": "1h"}' "$i"
      done
      printf ']}\n'
    } >"$WORK/w5.json"
    pid=$(cat "$WORK/live.pid")
    rss0=$(tree_memory_kb Rss "$pid")
    ctl live run "$WORK/w5.json" >/dev/null 2>&1 &
    run=$!
    running() { (($(ctl live --json ps /w5 | grep -o '"state":"running"' | wc -l) >= M)); }
    if wait_for running; then
      median_query w5_ps ctl live --json ps
      rss=$(tree_memory_kb Rss "$pid")
      echo "w5_rss_kb $rss"
      echo "w5_rss_per_job_kb $(awk -v a="$rss" -v b="$rss0" -v m="$M" 'BEGIN { printf "%.3f", (a - b) / m }')"
    else
      echo "w5_ps timeout"
    fi
    ctl live cancel /w5 >/dev/null 2>&1
    wait "$run" 2>/dev/null
    ;;
  teardown)
    for instance in oneshot live; do
      [[ -s $WORK/$instance.pid ]] || continue
      pid=$(cat "$WORK/$instance.pid")
      kill -TERM "$pid" 2>/dev/null
      for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
      kill -KILL "$pid" 2>/dev/null
    done
    kill_leftovers
    ;;
esac
