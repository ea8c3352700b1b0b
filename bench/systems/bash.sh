#!/usr/bin/env bash
# The bash baseline: `for ...; do PROGRAM & done; wait`, and for W2 the same loop of sleeps,
# then `kill $(jobs -p); wait` when told to stop (a line on a fifo).
#   systems/bash.sh check|setup|w1|live|teardown   (environment: see lib.sh)
set -uo pipefail
source "$(dirname "$0")/../lib.sh"

case $1 in
  check) ;;
  w1)
    t0=$(now_us)
    bash -c 'for ((i = 0; i < $1; i++)); do "$0" & done; wait' "$BIN/$TRUE_COMM" "$N"
    echo "w1 $(seconds_between "$t0" "$(now_us)")"
    ;;
  live)
    go="$WORK/go.fifo"
    rm -f "$go" && mkfifo "$go"
    start_loop() {
      bash -c 'for ((i = 0; i < $2; i++)); do "$0" "$1" & done; read -r _ <"$3"; kill $(jobs -p); wait' \
        "$BIN/$SLEEP_COMM" "$SLEEP_ARG" "$N" "$go" </dev/null >/dev/null 2>&1 &
      echo $! >"$WORK/loop.pid"
    }
    tell_stop() { echo stop >"$go"; }
    time_until w2_up up start_loop
    time_until w2_down gone tell_stop
    wait "$(cat "$WORK/loop.pid")" 2>/dev/null
    ;;
  setup | teardown) kill_leftovers ;;
esac
