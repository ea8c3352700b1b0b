# Shared by the bench scripts (sourced, not run): a private traiod on a temp socket, stopped
# and cleaned up on exit, and the timing helpers.
# Before sourcing: `build` (the build directory). Call start_daemon CONFIG_JSON.
traiod="$build/daemon/traiod"
traioctl="$build/cli/traioctl"
[ -x "$traiod" ] && [ -x "$traioctl" ] || { echo "build first: cmake --build $build" >&2; exit 2; }

tmp=$(mktemp -d)
daemon_pid=
cleanup() {
  if [ -n "$daemon_pid" ] && kill -0 "$daemon_pid" 2>/dev/null; then
    kill -TERM "$daemon_pid"; wait "$daemon_pid" 2>/dev/null || true
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT
export TRAIO_SOCKET="$tmp/traio.sock"

start_daemon() {  # the daemon config, as JSON
  echo "$1" > "$tmp/config.json"
  "$traiod" --config "$tmp/config.json" --socket "$TRAIO_SOCKET" --state-dir "$tmp/state" --log-level warning &
  daemon_pid=$!
  for _ in $(seq 100); do "$traioctl" ping >/dev/null 2>&1 && break; sleep 0.05; done
}

now_ns() { date +%s%N; }
median() { sort -n | awk '{a[NR]=$1} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%.1f", m}'; }
rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$daemon_pid/status"; }
