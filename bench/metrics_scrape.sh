#!/usr/bin/env bash
# Issue 10 item 6: how long a metrics scrape takes with N live jobs (must be < 50 ms at
# 10,000). A private traiod gets one scope of N jobs (KIND=process: `sleep` processes, each
# with its cgroup leaf when traiod runs as root, so every scrape has N per-job series to
# read; KIND=sleep: the daemon's own sleep jobs, no process). Once all run, it times
# REPEATS scrapes each way, one after the other:
#   ps    the baseline: a brief `ps` request over the same tree (what `traioctl ps` asks)
#   op    the `metrics` request over the control socket, from request to reply (python, no
#         traioctl start-up in the figure)
#   http  GET /metrics on the metrics.listen port (python, raw socket)
#   ctl   `traioctl metrics` as a user runs it (start-up included)
# and prints every sample, the median and max of each, and the CPU time traiod spent per
# scrape (from /proc, so that a loaded machine shows what a scrape costs the daemon), in ms.
#
# usage: bench/metrics_scrape.sh [BUILD_DIR]   (default build-bench, a Release build:
#   cmake -S . -B build-bench -G Ninja -DCMAKE_BUILD_TYPE=Release && ninja -C build-bench traiod traioctl)
# environment: N (10000), KIND (process|sleep, default process), REPEATS (10), PORT (19101)
set -euo pipefail
export LC_ALL=C

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:-$ROOT/build-bench}
[[ $BUILD = /* ]] || BUILD=$ROOT/$BUILD
N=${N:-10000}
KIND=${KIND:-process}
REPEATS=${REPEATS:-10}
PORT=${PORT:-19101}
TRAIOD=$BUILD/daemon/traiod
TRAIOCTL=$BUILD/cli/traioctl
for bin in "$TRAIOD" "$TRAIOCTL"; do
  [[ -x $bin ]] || { echo "metrics_scrape.sh: no $bin (ninja -C $BUILD traiod traioctl)" >&2; exit 2; }
done

WORK=$(mktemp -d "${TMPDIR:-/tmp}/traio-metrics.XXXXXX")
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

cat >"$WORK/traiod.json" <<JSON
{"metrics": {"listen": "127.0.0.1:$PORT"}, "limits": {"nodes": $((N + 100))},
 "defaults": {"stop": {"grace": "2s"}}, "log_dir": "$WORK/logs"}
JSON
# A running process job with "output": "null" holds one fd (its pidfd), and traiod raises
# its own limit as far as it may: nothing to do here.
ln -s "$TRAIOD" "$WORK/traiod-metrics"
"$WORK/traiod-metrics" --config "$WORK/traiod.json" --socket "$SOCK" --state-dir "$WORK/state" \
  --log-level warning 2>"$WORK/traiod.log" &
TRAIOD_PID=$!
for _ in $(seq 100); do "$TRAIOCTL" --socket "$SOCK" ping >/dev/null 2>&1 && break; sleep 0.05; done
"$TRAIOCTL" --socket "$SOCK" ping >/dev/null || { echo "metrics_scrape.sh: traiod did not start" >&2; cat "$WORK/traiod.log" >&2; exit 1; }

case $KIND in
  process) JOB='"argv": ["sleep", "3600"], "output": "null"' ;;
  sleep) JOB='"kind": "sleep", "duration": "1h"' ;;
  *) echo "metrics_scrape.sh: KIND is process or sleep" >&2; exit 2 ;;
esac
echo "{\"name\": \"many\", \"children\": [{\"name\": \"job\", \"replicas\": $N, $JOB}]}" >"$WORK/tree.json"
# `run` owns the tree until traiod stops (cleanup); its output is not what we measure.
"$TRAIOCTL" --socket "$SOCK" run "$WORK/tree.json" >/dev/null 2>&1 &
echo "waiting for $N $KIND jobs to run..." >&2
running() { "$TRAIOCTL" --socket "$SOCK" metrics 2>/dev/null | awk '$1 == "traio_nodes{state=\"running\"}" { print $2 }' || true; }
ended() { "$TRAIOCTL" --socket "$SOCK" metrics 2>/dev/null | awk '$1 ~ /^traio_nodes_ended_total/ { n += $2 } END { print n + 0 }' || true; }
until [[ $(running) == "$N" ]]; do
  if [[ $(ended) != 0 ]]; then echo "metrics_scrape.sh: jobs ended before all ran:" >&2; cat "$WORK/traiod.log" >&2; exit 1; fi
  sleep 1
done

python3 - "$SOCK" "$PORT" "$REPEATS" "$TRAIOCTL" "$TRAIOD_PID" <<'PY'
import json, os, socket, statistics, subprocess, sys, time
sock_path, port, repeats, traioctl, pid = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5]

def cpu_seconds():  # traiod's user + system time: what the scrapes cost it, whatever the load
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

def request(line):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(sock_path)
    t0 = time.perf_counter()
    s.sendall(line)
    data = b""
    while not data.endswith(b"\n"):
        chunk = s.recv(1 << 20)
        if not chunk:
            break
        data += chunk
    t1 = time.perf_counter()
    s.close()
    reply = json.loads(data)
    assert reply["ok"], reply
    return t1 - t0, reply["result"]

def op():
    seconds, result = request(b'{"v": 1, "id": 1, "op": "metrics", "args": {}}\n')
    return seconds, result["text"]

def ps():  # the baseline: the brief tree `traioctl ps` asks for, over the same N nodes
    seconds, result = request(b'{"v": 1, "id": 1, "op": "ps", "args": {"brief": true}}\n')
    return seconds, ""

def http():
    s = socket.create_connection(("127.0.0.1", port))
    t0 = time.perf_counter()
    s.sendall(b"GET /metrics HTTP/1.1\r\nHost: localhost\r\n\r\n")
    data = b""
    while True:
        chunk = s.recv(1 << 20)
        if not chunk:
            break
        data += chunk
    t1 = time.perf_counter()
    s.close()
    assert data.startswith(b"HTTP/1.1 200 "), data[:100]
    return t1 - t0, data.split(b"\r\n\r\n", 1)[1].decode()

def ctl():
    t0 = time.perf_counter()
    out = subprocess.run([traioctl, "--socket", sock_path, "metrics"], check=True, capture_output=True).stdout
    return time.perf_counter() - t0, out.decode()

medians = {}
for name, fn in (("ps", ps), ("op", op), ("http", http), ("ctl", ctl)):
    samples, text = [], ""
    cpu0 = cpu_seconds()
    for _ in range(repeats):
        seconds, text = fn()
        samples.append(seconds * 1000)
    cpu_ms = (cpu_seconds() - cpu0) * 1000 / repeats
    series = sum(1 for line in text.splitlines() if line.startswith("traio_job_cpu_seconds_total{"))
    lag = [l for l in text.splitlines() if l.startswith("traio_event_loop_lag_seconds ")]
    print(f"{name:5s} samples_ms={' '.join(f'{s:.1f}' for s in samples)}")
    medians[name] = statistics.median(samples)
    print(f"{name:5s} median_ms={medians[name]:.1f} max_ms={max(samples):.1f} x_ps={medians[name] / medians['ps']:.2f} "
          f"traiod_cpu_ms_per_scrape={cpu_ms:.1f} bytes={len(text)} job_cpu_series={series} {lag[0] if lag else ''}")
PY
