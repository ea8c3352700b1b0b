#!/usr/bin/env bash
# pm2: two private God daemons (PM2_HOME in WORK: W1's one-shots, the live sleeps), apps
# from one ecosystem JSON file each, in fork mode with no interpreter, no autorestart and
# output to /dev/null; `pm2 start FILE` starts them all, `pm2 stop all` stops them (one at a
# time: bounded by TIMEOUT), `pm2 jlist` is the status query.
#   systems/pm2.sh check|setup|w1|live|teardown   (environment: see lib.sh)
set -uo pipefail
source "$(dirname "$0")/../lib.sh"

in_home() { PM2_HOME="$WORK/$1" "${@:2}"; }

write_apps() {  # file, script, args
  {
    printf '{"apps": ['
    for ((i = 0; i < N; i++)); do
      ((i)) && printf ','
      printf '{"name": "p%d", "script": "%s", "args": "%s", "interpreter": "none", ' "$i" "$2" "$3"
      printf '"exec_mode": "fork", "autorestart": false, "out_file": "/dev/null", "error_file": "/dev/null"}'
    done
    printf ']}\n'
  } >"$1"
}

case $1 in
  check)
    command -v pm2 >/dev/null || echo "skip: pm2 is not installed (npm install -g pm2 failed?)"
    ;;
  setup)
    for instance in oneshot live; do
      in_home "$instance" pm2 ping >"$WORK/$instance.out" 2>&1 ||
        { echo "skip: pm2 daemon did not start (see $WORK/$instance.out)"; exit 1; }
    done
    sleep 1
    record_base_memory "$(cat "$WORK/live/pm2.pid")"
    write_apps "$WORK/true.json" "$BIN/$TRUE_COMM" ""
    write_apps "$WORK/sleeps.json" "$BIN/$SLEEP_COMM" "$SLEEP_ARG"
    ;;
  w1)
    time_oneshots w1 "$(cat "$WORK/oneshot/pm2.pid")" in_home oneshot pm2 start "$WORK/true.json"
    in_home oneshot pm2 delete all >/dev/null 2>&1
    ;;
  live)
    time_until w2_up up in_home live timeout "$TIMEOUT" pm2 start "$WORK/sleeps.json"
    [[ $WORKLOADS == *w3* ]] && median_query w3_status in_home live pm2 jlist
    [[ $WORKLOADS == *w4* ]] && report_memory_per_program "$(cat "$WORK/live/pm2.pid")"
    [[ $WORKLOADS == *w4* ]] && report_idle_wakeups "$(cat "$WORK/live/pm2.pid")"
    time_until w2_down gone in_home live timeout "$TIMEOUT" pm2 stop all
    in_home live timeout 60 pm2 delete all >/dev/null 2>&1
    kill_leftovers
    ;;
  teardown)
    for instance in oneshot live; do
      [[ -s $WORK/$instance/pm2.pid ]] || continue
      god=$(cat "$WORK/$instance/pm2.pid")
      in_home "$instance" timeout 30 pm2 kill >/dev/null 2>&1
      stop_tree "$god" TERM
    done
    kill_leftovers
    ;;
esac
