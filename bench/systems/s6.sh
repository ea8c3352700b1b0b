#!/usr/bin/env bash
# s6: two private s6-svscan scan directories in WORK (W1's one-shots, the live sleeps), one
# s6-supervise per service. Each service has a `down` file; `s6-svc -o` runs a one-shot
# once, `-u`/`-d` start and stop a sleep. s6-svc and s6-svstat take one service directory,
# so a command over all is a loop (as a user's script would be). `run` is `#!/bin/sh` +
# `exec PROGRAM`, as for runit.
#   systems/s6.sh check|setup|w1|live|teardown   (environment: see lib.sh)
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
supervised() { (($(ls "$1"/*/supervise/control 2>/dev/null | wc -l) >= N)); }
each() {  # command flag dirs...: the command once per directory
  local cmd=$1 d
  shift
  local flag=$1
  shift
  for d; do "$cmd" $flag "$d"; done
}

start_instance() {  # instance
  mkdir -p "$WORK/$1"
  setsid s6-svscan -c $((N + 100)) "$WORK/$1" >"$WORK/$1.out" 2>&1 </dev/null &
  echo $! >"$WORK/$1.daemon"
}

case $1 in
  check)
    command -v s6-svscan >/dev/null && command -v s6-svc >/dev/null || echo "skip: s6 is not installed"
    ;;
  setup)
    services "$WORK/oneshot" "$BIN/$TRUE_COMM"
    start_instance oneshot
    start_instance live
    sleep 0.5
    record_base_memory "$(cat "$WORK/live.daemon")"
    services "$WORK/live" "$BIN/$SLEEP_COMM $SLEEP_ARG"
    s6-svscanctl -a "$WORK/live"
    for instance in oneshot live; do
      wait_for supervised "$WORK/$instance" ||
        { echo "skip: s6-svscan did not supervise $N services (see $WORK/$instance.out)"; exit 1; }
    done
    ;;
  w1)
    time_oneshots w1 "$(cat "$WORK/oneshot.daemon")" each s6-svc -o "$WORK"/oneshot/s*
    ;;
  live)
    time_until w2_up up each s6-svc -u "$WORK"/live/s*
    [[ $WORKLOADS == *w3* ]] && median_query w3_status each s6-svstat "" "$WORK"/live/s*
    [[ $WORKLOADS == *w4* ]] && report_memory_per_program "$(cat "$WORK/live.daemon")"
    [[ $WORKLOADS == *w4* ]] && report_idle_wakeups "$(cat "$WORK/live.daemon")"
    time_until w2_down gone each s6-svc -d "$WORK"/live/s*
    ;;
  teardown)
    # SIGTERM: s6-svscan stops every s6-supervise (and its service) and exits.
    for instance in oneshot live; do
      [[ -s $WORK/$instance.daemon ]] && stop_tree "$(cat "$WORK/$instance.daemon")" TERM
    done
    kill_leftovers
    ;;
esac
