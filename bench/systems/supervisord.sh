#!/usr/bin/env bash
# supervisord driven by supervisorctl: two private instances (W1's one-shots, and the live
# sleeps), each with its own config, unix socket and logs in WORK; nothing of the Debian
# service is used. One-shots need startsecs=0 (else an instant exit is "exited too quickly",
# a spawn error) and autorestart=false; each set is a group, started with one `start G:*`.
#   systems/supervisord.sh check|setup|w1|live|teardown   (environment: see lib.sh)
set -uo pipefail
source "$(dirname "$0")/../lib.sh"

ctl() { supervisorctl -c "$WORK/$1.conf" "${@:2}"; }

write_config() {  # instance
  mkdir -p "$WORK/$1.d" "$WORK/$1-logs"
  cat >"$WORK/$1.conf" <<CONF
[unix_http_server]
file=$WORK/$1.sock
[supervisord]
nodaemon=true
logfile=$WORK/$1-logs/supervisord.log
pidfile=$WORK/$1.pid
childlogdir=$WORK/$1-logs
loglevel=warn
minfds=4096
[rpcinterface:supervisor]
supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface
[supervisorctl]
serverurl=unix://$WORK/$1.sock
[include]
files = $WORK/$1.d/*.conf
CONF
}

write_group() {  # instance group command
  local names=()
  {
    for ((i = 0; i < N; i++)); do
      names+=("p$i")
      printf '[program:p%d]\ncommand=%s\nautostart=false\nautorestart=false\nstartsecs=0\n' "$i" "$3"
      printf 'startretries=0\nstdout_logfile=NONE\nstderr_logfile=NONE\nstopwaitsecs=10\n'
    done
    printf '[group:%s]\nprograms=%s\n' "$2" "$(IFS=,; echo "${names[*]}")"
  } >"$WORK/$1.d/$2.conf"
}

start_instance() {  # instance
  write_config "$1"
  ulimit -n 4096
  setsid supervisord -c "$WORK/$1.conf" >"$WORK/$1.out" 2>&1 </dev/null &
  echo $! >"$WORK/$1.daemon"
  wait_for ctl "$1" pid || { echo "skip: supervisord $1 did not answer (see $WORK/$1.out)"; exit 1; }
}

case $1 in
  check)
    command -v supervisord >/dev/null && command -v supervisorctl >/dev/null ||
      echo "skip: supervisor is not installed"
    ;;
  setup)
    start_instance oneshot
    write_group oneshot t "$BIN/$TRUE_COMM"
    ctl oneshot update >/dev/null
    start_instance live
    record_base_memory "$(cat "$WORK/live.daemon")"
    write_group live s "$BIN/$SLEEP_COMM $SLEEP_ARG"
    ctl live update >/dev/null
    ;;
  w1)
    time_oneshots w1 "$(cat "$WORK/oneshot.daemon")" ctl oneshot start 't:*'
    # supervisord's own view: instant exits it calls abnormal (a known false report).
    echo "w1_not_exited $(ctl oneshot status 't:*' | grep -cv EXITED)"
    ;;
  live)
    time_until w2_up up ctl live start 's:*'
    [[ $WORKLOADS == *w3* ]] && median_query w3_status ctl live status
    [[ $WORKLOADS == *w4* ]] && report_memory_per_program "$(cat "$WORK/live.daemon")"
    [[ $WORKLOADS == *w4* ]] && report_idle_wakeups "$(cat "$WORK/live.daemon")"
    time_until w2_down gone ctl live stop 's:*'
    ;;
  teardown)
    for instance in oneshot live; do
      [[ -s $WORK/$instance.daemon ]] || continue
      pid=$(cat "$WORK/$instance.daemon")
      kill -TERM "$pid" 2>/dev/null
      for _ in $(seq 200); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
      kill -KILL "$pid" 2>/dev/null
    done
    kill_leftovers
    ;;
esac
