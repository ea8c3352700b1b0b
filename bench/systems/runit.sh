#!/usr/bin/env bash
# runit: two private runsvdirs in WORK (W1's one-shots, the live sleeps; runsvdir takes at
# most 1000 services each), one runsv per service. Each service has a `down` file, so that
# nothing starts when runsv does; `sv once DIR...` runs the one-shots once, `sv up`/`sv down`
# the sleeps, all directories in one sv command. `run` is `#!/bin/sh` + `exec PROGRAM`.
#   systems/runit.sh check|setup|w1|live|teardown   (environment: see lib.sh)
set -uo pipefail
source "$(dirname "$0")/../lib.sh"

services() {  # scan dir, command
  # Made aside, then moved in whole: a scan catching a dir before its `down` file would start it.
  local staging="$WORK/staging"
  mkdir -p "$1"
  for ((i = 0; i < N; i++)); do
    mkdir -p "$staging/s$i"
    printf '#!/bin/sh\nexec %s\n' "$2" >"$staging/s$i/run"
    chmod +x "$staging/s$i/run"
    touch "$staging/s$i/down"
    mv "$staging/s$i" "$1/s$i"
  done
}
supervised() { (($(ls "$1"/*/supervise/ok 2>/dev/null | wc -l) >= N)); }

start_instance() {  # instance
  mkdir -p "$WORK/$1"
  setsid runsvdir -P "$WORK/$1" >"$WORK/$1.out" 2>&1 </dev/null &
  echo $! >"$WORK/$1.daemon"
}

case $1 in
  check)
    command -v runsvdir >/dev/null && command -v sv >/dev/null || echo "skip: runit is not installed"
    ;;
  setup)
    services "$WORK/oneshot" "$BIN/$TRUE_COMM"
    start_instance oneshot
    start_instance live
    sleep 0.5
    record_base_memory "$(cat "$WORK/live.daemon")"
    services "$WORK/live" "$BIN/$SLEEP_COMM $SLEEP_ARG"
    # runsvdir looks for new services every 5 s.
    for instance in oneshot live; do
      wait_for supervised "$WORK/$instance" ||
        { echo "skip: runsvdir did not supervise $N services (see $WORK/$instance.out)"; exit 1; }
    done
    ;;
  w1)
    time_oneshots w1 "$(cat "$WORK/oneshot.daemon")" sv once "$WORK"/oneshot/s*
    ;;
  live)
    time_until w2_up up sv up "$WORK"/live/s*
    [[ $WORKLOADS == *w3* ]] && median_query w3_status sv status "$WORK"/live/s*
    [[ $WORKLOADS == *w4* ]] && report_memory_per_program "$(cat "$WORK/live.daemon")"
    [[ $WORKLOADS == *w4* ]] && report_idle_wakeups "$(cat "$WORK/live.daemon")"
    time_until w2_down gone sv down "$WORK"/live/s*
    ;;
  teardown)
    # SIGHUP: runsvdir sends TERM to every runsv (which stops its service) and exits.
    for instance in oneshot live; do
      [[ -s $WORK/$instance.daemon ]] && stop_tree "$(cat "$WORK/$instance.daemon")" HUP
    done
    kill_leftovers
    ;;
esac
