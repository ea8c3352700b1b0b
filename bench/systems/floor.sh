#!/usr/bin/env bash
# The physical floor: floor_spawn (posix_spawn N programs, then reap them; -k: spawn N
# sleeps, SIGTERM them all, reap, printing up/down ms). No daemon, no status, no memory.
#   systems/floor.sh check|setup|w1|live|teardown   (environment: see lib.sh)
set -uo pipefail
source "$(dirname "$0")/../lib.sh"

case $1 in
  check) [[ -x $FLOOR ]] || echo "skip: floor_spawn was not built" ;;
  w1)
    t0=$(now_us)
    "$FLOOR" "$N" "$BIN/$TRUE_COMM"
    echo "w1 $(seconds_between "$t0" "$(now_us)")"
    ;;
  live)
    read -r _ up _ down < <("$FLOOR" -k "$N" "$BIN/$SLEEP_COMM" "$SLEEP_ARG")
    awk -v u="$up" -v d="$down" 'BEGIN { printf "w2_up %.6f\nw2_down %.6f\n", u / 1000, d / 1000 }'
    ;;
  setup | teardown) ;;
esac
