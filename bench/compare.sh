#!/usr/bin/env bash
# traio against supervisord, s6, runit and pm2, with the physical floor (floor_spawn) and a
# bash loop as baselines measured in the same run (issue 8). Installs the missing peers,
# builds traio in Release, runs every workload REPS times per system (systems interleaved
# within each repeat, so drift hits all alike), and writes docs/bench/results.{md,json} and
# the charts docs/bench/*.png. See docs/bench/README.md for what each workload measures.
#   bash bench/compare.sh [--reps N] [--n N] [--only SYSTEM,...] [--workloads w1,...,w5]
#                         [--build DIR] [--timeout S] [--no-install] [--out DIR]
# Run as root (installs packages, listens to the kernel's process events).
set -uo pipefail
cd "$(dirname "$0")/.."
root=$PWD
started=$SECONDS

REPS=3 N=1000 TIMEOUT=60 ONLY="" WORKLOADS=w1,w2,w3,w4,w5 BUILD="" INSTALL=1 OUT=docs/bench
while (($#)); do
  case $1 in
    --reps) REPS=$2; shift 2 ;;
    --n) N=$2; shift 2 ;;
    --only) ONLY=$2; shift 2 ;;
    --workloads) WORKLOADS=$2; shift 2 ;;
    --build) BUILD=$2; shift 2 ;;
    --timeout) TIMEOUT=$2; shift 2 ;;
    --no-install) INSTALL=0; shift ;;
    --out) OUT=$2; shift 2 ;;
    -h | --help) sed -n '2,9p' "$0"; exit 0 ;;
    *) echo "compare.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
[[ $(id -u) -eq 0 ]] || { echo "compare.sh: run as root (package installs, process events)" >&2; exit 2; }

((INSTALL)) && bash bench/install_peers.sh

if [[ -z $BUILD ]]; then
  BUILD=$root/build-bench
  launcher=()
  command -v ccache >/dev/null &&
    launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
  echo "bench: building traio (Release) in $BUILD"
  cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release -DTRAIO_TESTS=OFF "${launcher[@]}" >/dev/null &&
    ninja -C "$BUILD" -j"$(nproc)" traiod traioctl >/dev/null || echo "bench: the traio build failed (traio will be skipped)" >&2
fi
BUILD=$(realpath "$BUILD")

tmp=$(mktemp -d /tmp/traio-bench.XXXXXX)
export N REPS TIMEOUT WORKLOADS BUILD
export BIN=$tmp/bin PW=$tmp/procwatch FLOOR=$tmp/floor_spawn
mkdir -p "$BIN"
cc -O2 -o "$PW" bench/procwatch.c && cc -O2 -o "$FLOOR" bench/floor_spawn.c ||
  { echo "compare.sh: cannot compile the C helpers" >&2; exit 1; }
# The programs run through these names, so that every system's programs are found the same
# way (by their process name) and nothing else on the machine is mistaken for them.
ln -s /bin/true "$BIN/bnchtrue"
ln -s /bin/sleep "$BIN/bnchsleep"
ulimit -n 65536 2>/dev/null || true

systems=()
for s in floor bash traio runit s6 supervisord pm2; do
  [[ -z $ONLY || ,$ONLY, == *,$s,* ]] && systems+=("$s")
done
samples=$tmp/samples.tsv skips=$tmp/skips.tsv
: >"$samples" && : >"$skips"
active=()

# Runs one step of a system's script; its "metric value" lines become samples of repeat REP.
step() {  # system step rep
  local out=$tmp/$1.out line
  # In the background and waited for, so that Ctrl-C is handled at once (cleanup stops it).
  WORK=$tmp/$1 timeout $((TIMEOUT * 4 + 120)) bash "bench/systems/$1.sh" "$2" >"$out" 2>>"$tmp/$1/stderr.log" </dev/null &
  step_pid=$!
  wait "$step_pid"
  step_pid=
  while read -r line; do
    [[ -n $line ]] || continue
    if [[ $line == skip:* ]]; then printf '%s\t%s\n' "$1" "${line#skip: }" >>"$skips"; return 1; fi
    printf '%s\t%s\t%s\n' "$1" "$3" "$line" | tr ' ' '\t' >>"$samples"
    printf '  %-12s %-3s %s\n' "$1" "$3" "$line"
  done <"$out"
  return 0
}

step_pid=
cleanup() {
  trap - EXIT INT TERM
  local s
  if [[ -n $step_pid ]]; then kill -TERM "$step_pid" 2>/dev/null; wait "$step_pid" 2>/dev/null; fi
  for s in "${active[@]}"; do WORK=$tmp/$s timeout 120 bash "bench/systems/$s.sh" teardown >/dev/null 2>&1 </dev/null; done
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'echo "compare.sh: interrupted, cleaning up" >&2; exit 130' INT TERM

for s in "${systems[@]}"; do
  mkdir -p "$tmp/$s"
  step "$s" check 0 || { echo "bench: $s skipped: $(tail -n1 "$skips" | cut -f2)"; continue; }
  echo "bench: setting up $s"
  active+=("$s")
  step "$s" setup 0 || echo "bench: $s skipped: $(tail -n1 "$skips" | cut -f2)"
done
ready=()
for s in "${active[@]}"; do cut -f1 "$skips" | grep -qx "$s" || ready+=("$s"); done

for ((rep = 1; rep <= REPS; rep++)); do
  echo "bench: repeat $rep of $REPS"
  if [[ $WORKLOADS == *w1* ]]; then
    for s in "${ready[@]}"; do step "$s" w1 "$rep"; done
  fi
  if [[ $WORKLOADS =~ w2|w3|w4 ]]; then
    for s in "${ready[@]}"; do step "$s" live "$rep"; done
  fi
  if [[ $WORKLOADS == *w5* && " ${ready[*]} " == *" traio "* ]]; then step traio w5 "$rep"; fi
done

# What the report's header needs: machine, parameters, versions.
pm2_version=$(node -p "require('$(npm root -g 2>/dev/null)/pm2/package.json').version" 2>/dev/null || echo absent)
package_version() { dpkg-query -W -f='${Version}' "$1" 2>/dev/null || echo absent; }
cat >"$tmp/meta.json" <<META
{"date": "$(date -u +%Y-%m-%dT%H:%M:%SZ)", "kernel": "$(uname -r)", "cpus": $(nproc),
 "cpu_model": "$(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)",
 "load_average_at_end": "$(cut -d' ' -f1-3 /proc/loadavg)",
 "n": $N, "reps": $REPS, "timeout_s": $TIMEOUT, "workloads": "$WORKLOADS",
 "versions": {"traio": "$(git rev-parse --short HEAD 2>/dev/null || echo unknown)",
   "supervisor": "$(package_version supervisor)", "runit": "$(package_version runit)",
   "s6": "$(package_version s6)", "pm2": "$pm2_version", "node": "$(node --version 2>/dev/null || echo absent)"},
 "duration_s": $((SECONDS - started))}
META
mkdir -p "$OUT"
python=/usr/bin/python3  # Debian's, where python3-matplotlib is installed
[[ -x $python ]] || python=python3
"$python" bench/report.py "$samples" "$skips" "$tmp/meta.json" "$OUT" || echo "bench: report.py failed" >&2
echo "bench: done in $((SECONDS - started)) s; results in $OUT/results.md"
