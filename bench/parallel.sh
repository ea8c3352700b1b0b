#!/usr/bin/env bash
# Issue 9 item 2: a tree of N /bin/true under "max_parallel": P, run by `traioctl run`,
# against `xargs -P P` running the same N /bin/true, in the same run, repeats interleaved
# (the order alternates, so neither always runs on a warmer machine). Then the same with
# `sleep D` jobs, where the ideal is N/P job-times. Prints every sample, the medians and
# the ratio traio/xargs. GNU parallel -j P joins when it is installed.
#
# usage: bench/parallel.sh [BUILD_DIR]      (default build-bench, a Release build:
#   cmake -S . -B build-bench -G Ninja -DCMAKE_BUILD_TYPE=Release && ninja -C build-bench traiod traioctl)
# environment: N (1000), P (8), REPEATS (5), SLEEP (0.05; empty skips that part),
#   SLEEP_REPEATS (3)
set -euo pipefail
export LC_ALL=C

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:-$ROOT/build-bench}
[[ $BUILD = /* ]] || BUILD=$ROOT/$BUILD
N=${N:-1000}
P=${P:-8}
REPEATS=${REPEATS:-5}
SLEEP=${SLEEP-0.05}
SLEEP_REPEATS=${SLEEP_REPEATS:-3}
TRAIOD=$BUILD/daemon/traiod
TRAIOCTL=$BUILD/cli/traioctl
for bin in "$TRAIOD" "$TRAIOCTL"; do
  [[ -x $bin ]] || { echo "parallel.sh: no $bin (ninja -C $BUILD traiod traioctl)" >&2; exit 2; }
done

WORK=$(mktemp -d "${TMPDIR:-/tmp}/traio-parallel.XXXXXX")
SOCK=$WORK/traio.sock
TRAIOD_PID=
MAIN_PID=$BASHPID
cleanup() {
  [[ $BASHPID == "$MAIN_PID" ]] || return 0  # bash runs the EXIT trap in $(...) subshells too
  if [[ -n $TRAIOD_PID ]]; then
    kill -TERM "$TRAIOD_PID" 2>/dev/null || true
    wait "$TRAIOD_PID" 2>/dev/null || true
  fi
  if [[ -n ${KEEP:-} ]]; then echo "kept $WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

# A private traiod: its own socket and state, quiet (a log line per job would be measured
# too), and a name of its own (a symlink), so that no `pgrep -x traiod` elsewhere finds it.
ln -s "$TRAIOD" "$WORK/traiod-par"
"$WORK/traiod-par" --socket "$SOCK" --state-dir "$WORK/state" --log-level "${LOG_LEVEL:-warning}" 2>"$WORK/traiod.log" &
TRAIOD_PID=$!
for _ in $(seq 100); do "$TRAIOCTL" --socket "$SOCK" ping >/dev/null 2>&1 && break; sleep 0.05; done
"$TRAIOCTL" --socket "$SOCK" ping >/dev/null || { echo "parallel.sh: traiod did not start" >&2; cat "$WORK/traiod.log" >&2; exit 1; }

# tree.json: {"name": "fan", "max_parallel": P, "children": [{"argv": ARGV}...]} with output
# null, as xargs's children write to a terminal nobody reads either.
write_tree() {
  local file=$1 argv=$2 i
  {
    printf '{"name": "fan", "max_parallel": %d, "children": [' "$P"
    for ((i = 0; i < N; i++)); do
      ((i > 0)) && printf ','
      printf '{"argv": %s, "output": "null"}' "$argv"
    done
    printf ']}\n'
  } >"$file"
}
write_tree "$WORK/true.json" '["/bin/true"]'
[[ -n $SLEEP ]] && write_tree "$WORK/sleep.json" "[\"/bin/sleep\", \"$SLEEP\"]"

now_us() { echo "${EPOCHREALTIME/./}"; }
# Runs the command, prints its wall time in seconds, or "failed" (checked by `sample`).
timed() {
  local t0 t1
  t0=$(now_us)
  "$@" >/dev/null 2>>"$WORK/errors.log" || { echo failed; return 0; }
  t1=$(now_us)
  awk -v d=$((t1 - t0)) 'BEGIN { printf "%.3f\n", d / 1e6 }'
}
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# VAR COMMAND...: VAR=seconds the command took; a failure stops the benchmark.
sample() {
  local -n into=$1
  shift
  into=$(timed "$@")
  if [[ $into == failed ]]; then
    echo "parallel.sh: failed: $*" >&2
    cat "$WORK/errors.log" >&2
    exit 1
  fi
}

HAVE_PARALLEL=
if type -P parallel >/dev/null && parallel --version 2>/dev/null | grep -q 'GNU parallel'; then HAVE_PARALLEL=1; fi

# LABEL REPEATS TREE PROGRAM...: interleaved samples of traioctl run, xargs (and parallel).
workload() {
  local label=$1 repeats=$2 tree=$3 r
  shift 3
  local -a prog=("$@") traio=() xargs_s=() par=()
  echo "== $label: $N jobs, $P at once, $repeats repeats"
  for ((r = 1; r <= repeats; r++)); do
    local t x g=
    if ((r % 2)); then
      sample t "$TRAIOCTL" --socket "$SOCK" run "$tree"
      sample x bash -c 'seq "$1" | xargs -P "$2" -I{} "${@:3}"' xargs "$N" "$P" "${prog[@]}"
    else
      sample x bash -c 'seq "$1" | xargs -P "$2" -I{} "${@:3}"' xargs "$N" "$P" "${prog[@]}"
      sample t "$TRAIOCTL" --socket "$SOCK" run "$tree"
    fi
    if [[ -n $HAVE_PARALLEL ]]; then
      sample g bash -c 'seq "$1" | parallel -j "$2" -N0 "${@:3}"' parallel "$N" "$P" "${prog[@]}"
      par+=("$g")
    fi
    traio+=("$t")
    xargs_s+=("$x")
    printf '  repeat %d: traioctl run %ss  xargs -P %d %ss' "$r" "$t" "$P" "$x"
    [[ -n $HAVE_PARALLEL ]] && printf '  parallel -j %d %ss' "$P" "$g"
    printf '\n'
  done
  local mt mx
  mt=$(printf '%s\n' "${traio[@]}" | median)
  mx=$(printf '%s\n' "${xargs_s[@]}" | median)
  printf '  median: traioctl run %ss, xargs -P %d %ss, ratio traio/xargs %s\n' "$mt" "$P" "$mx" \
    "$(awk -v a="$mt" -v b="$mx" 'BEGIN { printf "%.2f", a / b }')"
  if [[ -n $HAVE_PARALLEL ]]; then
    local mp
    mp=$(printf '%s\n' "${par[@]}" | median)
    printf '  median: parallel -j %d %ss, ratio traio/parallel %s\n' "$P" "$mp" \
      "$(awk -v a="$mt" -v b="$mp" 'BEGIN { printf "%.2f", a / b }')"
  fi
}

echo "traio $("$TRAIOCTL" --socket "$SOCK" version 2>/dev/null | head -1) ($BUILD), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
workload "/bin/true" "$REPEATS" "$WORK/true.json" /bin/true
if [[ -n $SLEEP ]]; then
  workload "sleep $SLEEP (ideal $(awk -v n="$N" -v p="$P" -v d="$SLEEP" 'BEGIN { printf "%.2f", n / p * d }')s)" \
    "$SLEEP_REPEATS" "$WORK/sleep.json" /bin/sleep "$SLEEP"
fi
