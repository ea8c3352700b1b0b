#!/usr/bin/env bash
# `cmake --install` into a temporary prefix (issue 6 items 3, 5, 7): every file is there, the
# units name the installed traiod and its config, the config is valid, the man pages render
# without warnings, the completions parse and complete (node paths from a real traiod), and
# traioctl reports the project's version.
# Usage: install_test.sh CMAKE BUILD_DIR PROJECT_VERSION
set -u

cmake=$1 build=$2 version=$3
failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
skip() { echo "skip: $*"; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/traio-install.XXXXXX") || exit 1
daemon_pid=""
cleanup() {
    if [[ -n $daemon_pid ]] && kill -0 "$daemon_pid" 2>/dev/null; then
        kill -TERM "$daemon_pid"
        for _ in $(seq 100); do kill -0 "$daemon_pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$daemon_pid" 2>/dev/null
        # A killed traiod leaves its jobs: they are the processes with its socket in their
        # environment (every job gets TRAIO_SOCKET).
        for environ in /proc/[0-9]*/environ; do
            if tr '\0' '\n' <"$environ" 2>/dev/null | grep -qx "TRAIO_SOCKET=$tmp/traio.sock"; then
                pid=${environ#/proc/}; kill -KILL "${pid%/environ}" 2>/dev/null
            fi
        done
    fi
    rm -rf "$tmp"
}
trap cleanup EXIT

prefix=$tmp/prefix
if ! "$cmake" --install "$build" --prefix "$prefix" >"$tmp/install.log" 2>&1; then
    cat "$tmp/install.log" >&2
    echo "FAIL: cmake --install" >&2
    exit 1
fi

# Every file, and nothing missing from the list of what the README promises.
for f in bin/traiod bin/traioctl \
    lib/systemd/system/traiod.service lib/systemd/system/traiod.socket \
    lib/systemd/user/traiod.service lib/systemd/user/traiod.socket \
    lib/sysusers.d/traio.conf \
    etc/traio/traiod.json \
    share/bash-completion/completions/traioctl share/bash-completion/completions/traiod \
    share/zsh/vendor-completions/_traioctl share/zsh/vendor-completions/_traiod \
    share/man/man1/traioctl.1 share/man/man8/traiod.8; do
    [[ -f $prefix/$f ]] || fail "$f was not installed"
done
[[ -d $prefix/etc/traio/boot.d ]] || fail "etc/traio/boot.d was not installed"
[[ -x $prefix/bin/traiod && -x $prefix/bin/traioctl ]] || fail "the binaries are not executable"

# The units run the installed traiod; the system one with the installed config (this prefix's
# sysconfdir is not /etc, where traiod looks by default), the user one without flags.
exec_of() { sed -n 's/^ExecStart=//p' "$1"; }
want="$prefix/bin/traiod --config $prefix/etc/traio/traiod.json"
got=$(exec_of "$prefix/lib/systemd/system/traiod.service")
[[ $got == "$want" ]] || fail "system unit: ExecStart=$got, want $want"
got=$(exec_of "$prefix/lib/systemd/user/traiod.service")
[[ $got == "$prefix/bin/traiod" ]] || fail "user unit: ExecStart=$got, want $prefix/bin/traiod"
grep -q '^ListenStream=/run/traio/traio.sock$' "$prefix/lib/systemd/system/traiod.socket" ||
    fail "system socket unit does not listen on /run/traio/traio.sock"
grep -q '^ListenStream=%t/traio.sock$' "$prefix/lib/systemd/user/traiod.socket" ||
    fail "user socket unit does not listen on %t/traio.sock"
for unit in "$prefix"/lib/systemd/*/traiod.service; do
    for key in Type=notify KillMode=mixed Delegate=yes Restart=on-failure; do
        grep -q "^$key\$" "$unit" || fail "$unit: no $key"
    done
done

# systemd's own check, where systemd-analyze can run (it needs no running systemd).
if command -v systemd-analyze >/dev/null; then
    (cd "$prefix/lib/systemd/system" &&
        systemd-analyze verify --man=no ./traiod.service ./traiod.socket) >"$tmp/verify.log" 2>&1 ||
        { cat "$tmp/verify.log" >&2; fail "systemd-analyze verify (system units)"; }
    mkdir -m 0700 "$tmp/xdg"
    (cd "$prefix/lib/systemd/user" && XDG_RUNTIME_DIR=$tmp/xdg \
        systemd-analyze --user verify --man=no ./traiod.service ./traiod.socket) >"$tmp/verify.log" 2>&1 ||
        { cat "$tmp/verify.log" >&2; fail "systemd-analyze verify (user units)"; }
else
    skip "systemd-analyze is not installed: units not verified"
fi

# The default config names every SPEC §4 key, its boot_dir is the installed boot.d, and
# traiod accepts it.
config=$prefix/etc/traio/traiod.json
for key in socket path mode group state_dir log_dir logs max_bytes keep history defaults stop \
    signal grace restart backoff initial max limits request_bytes depth connections nodes \
    boot_dir log_level; do
    grep -q "\"$key\":" "$config" || fail "traiod.json has no \"$key\""
done
grep -q "\"boot_dir\": \"$prefix/etc/traio/boot.d\"" "$config" || fail "traiod.json: boot_dir is not the installed boot.d"
# The config names the group `traio`, which traio.sysusers (or the README's groupadd)
# creates; on a machine without it, that must be the only complaint.
if ! out=$("$prefix/bin/traiod" --check-config --config "$config" 2>&1); then
    if getent group traio >/dev/null || [[ $(grep -c . <<<"$out") -ne 1 || $out != *"socket.group: no group 'traio'"* ]]; then
        fail "traiod --check-config rejects the installed config: $out"
    fi
    echo "note: no group traio here; --check-config names only that: $out"
fi

# The man pages render without a warning, and carry the project's version.
if command -v groff >/dev/null; then
    for page in share/man/man1/traioctl.1 share/man/man8/traiod.8; do
        warnings=$(groff -man -t -ww -z "$prefix/$page" 2>&1)
        [[ -z $warnings ]] || fail "$page: groff warns: $warnings"
    done
else
    skip "groff is not installed: man pages not rendered"
fi
for page in share/man/man1/traioctl.1 share/man/man8/traiod.8; do
    grep -q "^\.TH .* \"traio $version\"" "$prefix/$page" || fail "$page: .TH does not say traio $version"
done

# traioctl's version is the project's, also with no daemon to ask (exit 6).
out=$(TRAIO_SOCKET=$tmp/nobody.sock "$prefix/bin/traioctl" version 2>/dev/null)
code=$?
[[ $code == 6 ]] || fail "traioctl version without a daemon exited $code, want 6"
[[ $out == "traioctl $version" ]] || fail "traioctl version printed '$out', want 'traioctl $version'"

# Completions: they parse, and bash's completes verbs, flag values and, from a real daemon,
# node paths.
for f in share/bash-completion/completions/traioctl share/bash-completion/completions/traiod; do
    bash -n "$prefix/$f" || fail "bash -n $f"
done
if command -v zsh >/dev/null; then
    for f in share/zsh/vendor-completions/_traioctl share/zsh/vendor-completions/_traiod; do
        zsh -n "$prefix/$f" || fail "zsh -n $f"
    done
else
    skip "zsh is not installed: zsh completions not parsed"
fi

export TRAIO_SOCKET=$tmp/traio.sock PATH=$prefix/bin:$PATH
# Everything in the temp dir: a root traiod would otherwise log jobs to /var/log/traio.
printf '{"log_dir": "%s", "boot_dir": "%s"}\n' "$tmp/logs" "$tmp/boot.d" >"$tmp/traiod.json"
"$prefix/bin/traiod" --config "$tmp/traiod.json" --socket "$TRAIO_SOCKET" --state-dir "$tmp/state" \
    >"$tmp/traiod.log" 2>&1 &
daemon_pid=$!
for _ in $(seq 100); do traioctl ping >/dev/null 2>&1 && break; sleep 0.1; done
traioctl spawn --name probe -- sleep 300 >/dev/null || fail "spawn for the completion test"

complete_words() {  # prints what bash would offer for the words given (the last one is typed)
    bash -c '
        source "$1"; shift
        COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
        COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
        _traioctl; printf "%s\n" "${COMPREPLY[@]}"
    ' _ "$prefix/share/bash-completion/completions/traioctl" "$@"
}
[[ $(complete_words traioctl sp) == spawn ]] || fail "bash: 'traioctl sp' does not complete to spawn"
[[ $(complete_words traioctl logs --stream '' | sort | tr '\n' ' ') == "err out " ]] ||
    fail "bash: 'logs --stream' does not offer out and err"
complete_words traioctl cancel / | grep -qx /probe || fail "bash: 'traioctl cancel /' does not offer /probe"
[[ -z $(TRAIO_SOCKET=$tmp/nobody.sock complete_words traioctl cancel / 2>&1) ]] ||
    fail "bash: completing a path with no daemon is not silent"

traioctl shutdown >/dev/null 2>&1 || fail "traioctl shutdown"
for _ in $(seq 200); do kill -0 "$daemon_pid" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$daemon_pid" 2>/dev/null; then
    fail "traiod did not stop within 20 s"
else
    wait "$daemon_pid" || fail "traiod exited $?: $(tail -5 "$tmp/traiod.log")"
fi

if ((failures > 0)); then
    echo "$failures check(s) failed" >&2
    exit 1
fi
echo "install into $prefix: every check passed"
