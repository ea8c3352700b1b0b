#!/usr/bin/env bash
# Installs what is missing, builds, then runs every tree in examples/ on a private traiod
# (its own socket and state directory in a temp dir) and shows how each one ended.
# Each example ends differently on purpose: a non-zero exit code is shown, not an error.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/setup.sh

build_dir=${TRAIO_BUILD_DIR:-build}
traiod=$PWD/$build_dir/daemon/traiod
traioctl=$PWD/$build_dir/cli/traioctl
tmp=$(mktemp -d "${TMPDIR:-/tmp}/traio-demo.XXXXXX")
daemon_pid=
cleanup() {
  if [[ -n "$daemon_pid" ]] && kill -0 "$daemon_pid" 2>/dev/null; then
    kill -TERM "$daemon_pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$daemon_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$daemon_pid" 2>/dev/null || true
  fi
  [[ -n "$daemon_pid" ]] && wait "$daemon_pid" 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT

export TRAIO_SOCKET=$tmp/traio.sock
# A config of our own: nothing from /etc, job logs in the temp dir too.
printf '{"log_dir": "%s/logs", "boot_dir": "%s/boot"}\n' "$tmp" "$tmp" >"$tmp/traiod.json"
"$traiod" --config "$tmp/traiod.json" --socket "$TRAIO_SOCKET" --state-dir "$tmp/state" \
  2>"$tmp/traiod.log" &
daemon_pid=$!

for _ in $(seq 100); do
  "$traioctl" ping >/dev/null 2>&1 && break
  kill -0 "$daemon_pid" 2>/dev/null || { cat "$tmp/traiod.log" >&2; exit 1; }
  sleep 0.1
done
"$traioctl" ping >/dev/null || { echo "demo: traiod did not answer" >&2; exit 1; }
echo "traiod $("$traioctl" version) listening on $TRAIO_SOCKET"

outcome_of() {  # exit code -> outcome name (SPEC §3)
  case $1 in
    0) echo succeeded ;; 1) echo failed ;; 3) echo timed_out ;; 4) echo cancelled ;;
    9) echo skipped ;; *) echo "error (exit $1)" ;;
  esac
}

for tree in examples/*.json; do
  name=$(basename "$tree" .json)
  echo
  echo "=== $name: $(grep -m1 "^| \`$name.json\`" examples/README.md | cut -d'|' -f3 | sed 's/^ *//;s/ *$//')"
  start_us=${EPOCHREALTIME/./}
  set +e
  "$traioctl" run "$tree"
  code=$?
  set -e
  elapsed_ms=$(( (${EPOCHREALTIME/./} - start_us) / 1000 ))
  # Every example's tree is named after its file, so its path is /<name>.
  "$traioctl" ps "/$name" --all || true
  printf '%s: outcome %s, exit code %d, %d.%03ds\n' "$name" "$(outcome_of "$code")" "$code" \
    $((elapsed_ms / 1000)) $((elapsed_ms % 1000))
done

echo
"$traioctl" shutdown
for _ in $(seq 100); do kill -0 "$daemon_pid" 2>/dev/null || break; sleep 0.1; done
wait "$daemon_pid" && echo "traiod stopped (exit 0)"
daemon_pid=
