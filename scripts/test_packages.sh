#!/usr/bin/env bash
# Installs the Debian packages only the tests need (the main build's are in setup.sh):
# openssh-server and openssh-client for the remote-control tests (a private sshd on
# 127.0.0.1, tests/integration/remote_test.cpp); tmux for `traioctl top` on a real terminal
# (tests/integration/top_test.cpp). Installing openssh-server starts and
# enables the system sshd unless a policy-rc.d forbids it: one that refuses every start is
# in place during the install (as bench/install_peers.sh does), and a service started anyway
# is stopped, so no CI machine is left with a listening sshd.
#   scripts/test_packages.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

packages=(openssh-server openssh-client tmux)

policy=/usr/sbin/policy-rc.d
own_policy=0
if [[ $(id -u) -eq 0 && ! -e $policy ]]; then
  # Debian's maintainer scripts start services through invoke-rc.d, which asks this first.
  printf '#!/bin/sh\nexit 101\n' > "$policy" && chmod +x "$policy" && own_policy=1
fi
restore_policy() { ((own_policy)) && rm -f "$policy"; return 0; }
trap restore_policy EXIT

# A machine that had sshd before keeps it as it was: only a server this script installed
# is stopped (a developer's own sshd must not go down because they ran the tests).
had_server=0
dpkg-query -W -f='${Status}' openssh-server 2>/dev/null | grep -q 'install ok installed' && had_server=1

bash scripts/ensure_packages.sh "${packages[@]}"

if [[ $had_server -eq 0 && $(id -u) -eq 0 && -d /run/systemd/system ]]; then
  systemctl disable --now ssh.service ssh.socket >/dev/null 2>&1 || true
fi
