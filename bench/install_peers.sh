#!/usr/bin/env bash
# Installs the peers of the comparison (supervisor, s6, runit from apt, pm2 from npm) and
# matplotlib for the charts, without leaving any of their system services running or
# enabled: a policy-rc.d that refuses every start is in place during the install, and
# whatever got started anyway is stopped. A peer that fails to install is reported and
# skipped later by compare.sh (each systems/*.sh checks its own binaries).
#   bench/install_peers.sh
set -uo pipefail
cd "$(dirname "$0")/.."

policy=/usr/sbin/policy-rc.d
own_policy=0
if [[ $(id -u) -eq 0 && ! -e $policy ]]; then
  # Debian's maintainer scripts start services through invoke-rc.d, which asks this first.
  printf '#!/bin/sh\nexit 101\n' > "$policy" && chmod +x "$policy" && own_policy=1
fi
restore_policy() { ((own_policy)) && rm -f "$policy"; }
trap restore_policy EXIT

packages=(supervisor s6 runit python3-matplotlib)
# One apt transaction; when it fails, one package at a time so one broken peer skips alone.
if ! bash scripts/ensure_packages.sh "${packages[@]}"; then
  for p in "${packages[@]}"; do
    bash scripts/ensure_packages.sh "$p" || echo "bench: could not install $p (skipped)" >&2
  done
fi
command -v npm >/dev/null || bash scripts/ensure_packages.sh npm nodejs ||
  echo "bench: could not install npm (pm2 will be skipped)" >&2
if ! command -v pm2 >/dev/null && command -v npm >/dev/null; then
  npm install -g --no-audit --no-fund pm2 >/dev/null 2>&1 ||
    echo "bench: npm install -g pm2 failed (pm2 will be skipped)" >&2
fi

# The packages' own services: never left running nor enabled (policy-rc.d may have been
# there already and allowed them, or systemd may be PID 1).
if [[ $(id -u) -eq 0 ]]; then
  for svc in supervisor runit; do
    if [[ -d /run/systemd/system ]]; then
      systemctl disable --now "$svc" >/dev/null 2>&1 || true
    else
      [[ -x /etc/init.d/$svc ]] && /etc/init.d/$svc stop >/dev/null 2>&1 || true
    fi
  done
  # A supervisord started by the package (pidfile of the Debian config) is stopped by pid.
  if [[ -s /var/run/supervisord.pid ]]; then
    kill "$(cat /var/run/supervisord.pid)" 2>/dev/null || true
  fi
fi
exit 0
