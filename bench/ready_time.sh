#!/usr/bin/env bash
# Start to READY=1 (issue 6): the time from exec of traiod until its READY=1 datagram reaches
# NOTIFY_SOCKET (socket bound, listening, journal opened), over N runs, each on a fresh
# state dir; against the time to exec `true` and reap it, measured in the same run the same
# way (python3 plays systemd: one datagram socket, fork+exec through subprocess).
# Usage: bash bench/ready_time.sh [BUILD_DIR] [RUNS=50]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
build=${1:-build}
runs=${2:-50}
traiod="$build/daemon/traiod"
[ -x "$traiod" ] || { echo "build first: cmake --build $build --target traiod" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

python3 - "$traiod" "$runs" "$tmp" <<'PY'
import os, signal, socket, statistics, subprocess, sys, time

traiod, runs, tmp = sys.argv[1], int(sys.argv[2]), sys.argv[3]
notify_path = os.path.join(tmp, "notify")
notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
notify.bind(notify_path)
notify.settimeout(10)

def ready_ms(run):
    d = os.path.join(tmp, f"run{run}")
    os.mkdir(d)
    config = os.path.join(d, "traiod.json")
    with open(config, "w") as f:
        f.write('{"log_dir": "%s/logs", "boot_dir": "%s/boot"}' % (d, d))
    env = dict(os.environ, NOTIFY_SOCKET=notify_path)
    t0 = time.perf_counter()
    p = subprocess.Popen([traiod, "--config", config, "--socket", d + "/traio.sock", "--state-dir", d + "/state",
                          "--log-level", "warning"], env=env)
    while True:
        message = notify.recv(4096).decode()
        if "READY=1" in message:
            break
    t1 = time.perf_counter()
    p.send_signal(signal.SIGTERM)
    if p.wait(timeout=20) != 0:
        sys.exit(f"traiod exited {p.returncode}")
    while True:  # drain STOPPING=1 and the rest before the next run
        try:
            notify.settimeout(0.05)
            notify.recv(4096)
        except socket.timeout:
            break
        finally:
            notify.settimeout(10)
    return (t1 - t0) * 1000

def true_ms():
    t0 = time.perf_counter()
    subprocess.run(["true"], check=True)
    return (time.perf_counter() - t0) * 1000

ready, base = [], []
for run in range(runs):  # interleaved, so that load on the machine hits both alike
    base.append(true_ms())
    ready.append(ready_ms(run))

def line(name, xs):
    return f"{name:<28} median {statistics.median(xs):7.2f} ms   min {min(xs):7.2f}   max {max(xs):7.2f}"

print(f"== exec to READY=1, {runs} runs, fresh state dir each")
print(line("traiod exec -> READY=1", ready))
print(line("baseline: exec true + reap", base))
print(f"ratio (medians): {statistics.median(ready) / statistics.median(base):.1f}x the baseline")
PY
