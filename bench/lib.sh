# Shared by compare.sh and systems/*.sh (sourced): timing, waiting for programs the same
# way for every system (procwatch), and memory of a process tree.
# Environment (set by compare.sh): N (programs), WORK (this system's temp dir), BIN (the
# marker symlinks bnchtrue -> /bin/true, bnchsleep -> /bin/sleep), PW (procwatch),
# TIMEOUT (seconds a wait may take before the sample is recorded as "> TIMEOUT s").
export LC_ALL=C
TRUE_COMM=bnchtrue
SLEEP_COMM=bnchsleep
SLEEP_ARG=86400

now_us() { echo "${EPOCHREALTIME/./}"; }
seconds_between() { local d=$(($2 - $1)); printf '%d.%06d\n' $((d / 1000000)) $((d % 1000000)); }

# Never call these in $(...): a command they start in the background would hold the
# substitution's pipe open (bash's saved copies of stdout), and the substitution would
# never end. They print "LABEL SECONDS" or "LABEL timeout" themselves.

# LABEL WATCH... -- COMMAND...: starts `procwatch WATCH...` (an event-driven wait), and
# once it listens, runs the command; prints the seconds from the command's start until the
# watcher saw its condition, and not before the command returned.
time_watched() {
  local label=$1 watch_args=() t0 submitted done_at
  shift
  while [[ $1 != -- ]]; do watch_args+=("$1"); shift; done
  shift
  local fifo="$WORK/procwatch.fifo" watch ready
  rm -f "$fifo" && mkfifo "$fifo"
  "$PW" "${watch_args[@]}" >"$fifo" 2>>"$WORK/procwatch.log" &
  local watcher=$!
  exec {watch}<"$fifo"
  read -r -u "$watch" ready
  if [[ $ready != ready ]]; then
    echo "$label error: procwatch could not listen to process events"
    exec {watch}<&-
    return
  fi
  t0=$(now_us)
  "$@" >/dev/null 2>&1
  submitted=$(now_us)
  read -r -u "$watch" done_at
  exec {watch}<&-
  wait "$watcher" 2>/dev/null
  [[ $done_at =~ ^[0-9]+$ ]] || { echo "$label timeout"; echo "$label: $done_at" >>"$WORK/procwatch.log"; return; }
  ((submitted > done_at)) && done_at=$submitted
  echo "$label $(seconds_between "$t0" "$done_at")"
}

# W1 for a system: LABEL ROOT COMMAND...: ROOT is the pid of the supervisor (the programs
# are in its process tree), the rest the submitting command. Prints the seconds from its
# start until N programs named bnchtrue have exited and been reaped and the command has
# returned.
time_oneshots() {
  local label=$1 root=$2
  shift 2
  time_watched "$label" runs "$TRUE_COMM" "$N" "$TIMEOUT" "$root" -- "$@"
}

# W2: LABEL up|gone COMMAND...: the command starts (or stops) the N sleeps; prints the
# seconds until all N have been exec'd (up) or none is left, reaped (gone). The bound
# counts from the command's start.
time_until() {
  local label=$1 condition=$2
  shift 2
  if [[ $condition == up ]]; then
    time_watched "$label" execs "$SLEEP_COMM" "$N" "$TIMEOUT" -- "$@"
  else
    time_watched "$label" exits "$SLEEP_COMM" "$TIMEOUT" -- "$@"
  fi
}

# W3: LABEL COMMAND...: the median seconds of running the command (client start-up
# included), up to W3_QUERIES times (default 10) but for no more than 15 s, at least 3 times.
median_query() {
  local label=$1 samples=() t0 t1 started
  shift
  started=$(now_us)
  for ((q = 0; q < ${W3_QUERIES:-10}; q++)); do
    t0=$(now_us)
    "$@" >/dev/null 2>&1
    t1=$(now_us)
    samples+=($((t1 - t0)))
    ((q >= 2 && t1 - started > 15000000)) && break
  done
  local sorted
  sorted=$(printf '%s\n' "${samples[@]}" | sort -n)
  local mid
  mid=$(sed -n "$(((${#samples[@]} + 1) / 2))p" <<<"$sorted")
  echo "$label $(seconds_between 0 "$mid")"
}

# The pids of a process and all its descendants, but not the benchmark's own programs
# (what is measured is the supervisor: runsv per service, s6-supervise, pm2's God...).
supervisor_pids() {
  ps -e -o pid=,ppid=,comm= | awk -v root="$1" -v a="$TRUE_COMM" -v b="$SLEEP_COMM" '
    { ppid[$1] = $2; comm[$1] = $3 }
    END {
      keep[root] = 1; grew = 1
      while (grew) { grew = 0; for (p in ppid) if (!(p in keep) && (ppid[p] in keep)) { keep[p] = 1; grew = 1 } }
      for (p in keep) if (comm[p] != a && comm[p] != b) print p
    }'
}

# Sum of a field (Pss or Rss, kB) of smaps_rollup over the supervisor's processes.
tree_memory_kb() {
  local field=$1 root=$2 total=0 p v
  for p in $(supervisor_pids "$root"); do
    v=$(awk -v f="$field:" '$1 == f { print $2 }' "/proc/$p/smaps_rollup" 2>/dev/null)
    total=$((total + ${v:-0}))
  done
  echo "$total"
}

# Waits (up to TIMEOUT) until the command succeeds; 0 when it did.
wait_for() {
  local deadline=$((SECONDS + TIMEOUT))
  until "$@" >/dev/null 2>&1; do
    ((SECONDS > deadline)) && return 1
    sleep 0.05
  done
}

# Kills the benchmark's programs still alive (by pid, found by their unique name) and
# a list of pids; used by teardowns and after a timed-out stop.
kill_leftovers() {
  local p
  for p in "$@" $(ps -e -o pid=,comm= | awk -v a="$TRUE_COMM" -v b="$SLEEP_COMM" '$2 == a || $2 == b { print $1 }'); do
    kill -KILL "$p" 2>/dev/null
  done
  return 0
}

# W4: the supervisor's memory with no programs (at setup), then its PSS growth per live
# program; ROOT is the pid whose process tree is the supervisor.
record_base_memory() {
  local pss rss
  pss=$(tree_memory_kb Pss "$1")
  rss=$(tree_memory_kb Rss "$1")
  echo "$pss" >"$WORK/base_pss"
  echo "w4_base_pss_kb $pss"
  echo "w4_base_rss_kb $rss"
}
report_memory_per_program() {
  local pss
  pss=$(tree_memory_kb Pss "$1")
  echo "w4_pss_kb $pss"
  echo "w4_per_program_kb $(awk -v a="$pss" -v b="$(cat "$WORK/base_pss")" -v n="$N" 'BEGIN { printf "%.2f", (a - b) / n }')"
}

# Idle: how often the supervisor's processes (every thread) were scheduled in 10 s with the N
# programs live and nothing asked of it: the third field of /proc/PID/task/TID/schedstat
# counts the times a thread ran. 0 means it slept through (no timers, no polling).
report_idle_wakeups() {
  local root=$1 before after
  runs() {
    local p t total=0 v
    for p in $(supervisor_pids "$root"); do
      for t in /proc/"$p"/task/*; do
        v=$(awk '{ print $3 }' "$t/schedstat" 2>/dev/null)
        total=$((total + ${v:-0}))
      done
    done
    echo "$total"
  }
  before=$(runs)
  sleep 10
  after=$(runs)
  echo "w4_idle_wakeups $((after - before))"
}

# Stops a supervisor: SIGNAL to ROOT, up to 10 s for it to exit, then SIGKILL to whatever
# is left of the process tree it had (its per-service supervisors and programs included).
stop_tree() {
  local root=$1 signal=$2 pids
  kill -0 "$root" 2>/dev/null || return 0
  pids=$(ps -e -o pid=,ppid= | awk -v root="$root" '
    { ppid[$1] = $2 }
    END {
      keep[root] = 1; grew = 1
      while (grew) { grew = 0; for (p in ppid) if (!(p in keep) && (ppid[p] in keep)) { keep[p] = 1; grew = 1 } }
      for (p in keep) print p
    }')
  kill "-$signal" "$root" 2>/dev/null
  for _ in $(seq 200); do kill -0 "$root" 2>/dev/null || break; sleep 0.05; done
  for p in $pids; do kill -KILL "$p" 2>/dev/null; done
  return 0
}
