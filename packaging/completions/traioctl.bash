# bash completion for traioctl (installed as share/bash-completion/completions/traioctl).
# Node paths come from the daemon itself (`traioctl --json ps --all`); when no daemon answers
# there is simply nothing to offer. The verbs SPEC §6 reserves but traioctl does not support
# yet are left out: completing them would only lead to an error.

# The node paths the daemon knows, scopes only with "scope"; $1 is the --socket given, if any.
_traioctl_nodes() {
    local socket=$1 kind=$2 json
    local -a ctl=(traioctl)
    [[ -n $socket ]] && ctl+=(--socket "$socket")
    # Bounded: a stuck daemon must not hang the shell. Errors stay quiet.
    if type -P timeout >/dev/null; then
        json=$(timeout 2 "${ctl[@]}" --json ps --all 2>/dev/null) || return 0
    else
        json=$("${ctl[@]}" --json ps --all 2>/dev/null) || return 0
    fi
    # traiod writes an object's keys sorted, so after a node's "path" comes its "type" and
    # no other path before the next node's. Names are [A-Za-z0-9._-]: no unescaping needed.
    local chunk path
    while IFS= read -r chunk || [[ -n $chunk ]]; do
        path=${chunk%%\"*}
        [[ $path == /* ]] || continue
        if [[ $kind == scope && $chunk != *'"type":"scope"'* ]]; then continue; fi
        printf '%s\n' "$path"
    done < <(printf '%s' "$json" | sed 's/"path":"/\n/g')
}

_traioctl() {
    local cur prev words cword
    if declare -F _init_completion >/dev/null; then
        _init_completion -n = || return
    else
        cur=${COMP_WORDS[COMP_CWORD]}
        prev=${COMP_WORDS[COMP_CWORD-1]}
        words=("${COMP_WORDS[@]}")
        cword=$COMP_CWORD
    fi

    local commands="spawn fork run finalize cancel timeout limit scale wait signal ps inspect logs events
                    ping version shutdown bridge
                    restart retry metrics pause resume top"
    local global_opts="--socket --host --remote-socket --remote-traioctl --json --help"

    # The verb, the --socket in use, and whether spawn's ARGV ("--") has begun.
    local i verb="" socket="" after_dashes=""
    for ((i = 1; i < cword; i++)); do
        case ${words[i]} in
            --socket) socket=${words[i+1]}; ((i++)) ;;
            --socket=*) socket=${words[i]#--socket=} ;;
            --host) ((i++)) ;;
            --remote-socket | --remote-traioctl) ((i++)) ;;
            --) [[ -n $verb ]] && { after_dashes=$i; break; } ;;
            -*) ;;
            *) [[ -z $verb ]] && verb=${words[i]} ;;
        esac
    done

    # spawn -- ARGV...: a command, then whatever that command takes.
    if [[ -n $after_dashes ]]; then
        if ((cword == after_dashes + 1)); then
            COMPREPLY=($(compgen -c -- "$cur" | sort -u))
        elif declare -F _command_offset >/dev/null; then
            _command_offset $((after_dashes + 1))
        else
            COMPREPLY=($(compgen -f -- "$cur"))
        fi
        return
    fi

    case $prev in
        --socket) COMPREPLY=($(compgen -f -- "$cur")); return ;;
        --host) COMPREPLY=($(compgen -A hostname -- "$cur")); return ;;
        --remote-socket | --remote-traioctl) return ;;  # paths on the remote host
        --scope) COMPREPLY=($(compgen -W "$(_traioctl_nodes "$socket" scope)" -- "$cur")); return ;;
        --cwd) COMPREPLY=($(compgen -d -- "$cur")); return ;;
        --restart) COMPREPLY=($(compgen -W "no on-failure always" -- "$cur")); return ;;
        --exit-code) COMPREPLY=($(compgen -W "child" -- "$cur")); return ;;
        --stream) COMPREPLY=($(compgen -W "out err" -- "$cur")); return ;;
        --env) COMPREPLY=($(compgen -e -S = -- "$cur")); compopt -o nospace 2>/dev/null; return ;;
        --name | --timeout | --reason | -n | --lines | --max-parallel) return ;;  # free text
    esac

    if [[ -z $verb ]]; then
        if [[ $cur == -* ]]; then
            COMPREPLY=($(compgen -W "$global_opts" -- "$cur"))
        else
            COMPREPLY=($(compgen -W "$commands" -- "$cur"))
        fi
        return
    fi

    local opts="" args=""
    case $verb in
        spawn)
            opts="--scope --name --master --no-bubble --no-await --timeout --restart --env
                  --inherit-env --cwd --wait --exit-code --"
            args=file ;;
        fork) opts="--scope --name --timeout --master --no-bubble --no-await --max-parallel" ;;
        run) opts="--scope --follow --exit-code"; args=file ;;
        finalize) args=scope ;;
        cancel) opts="--reason --force"; args=node ;;
        timeout) args=node_then_duration ;;
        limit) args=scope ;;
        scale) args=scope ;;
        pause) opts="--timers"; args=node ;;
        resume) args=node ;;
        restart) opts="--wait --exit-code"; args=node ;;
        retry) opts="--wait --exit-code"; args=scope ;;
        wait) opts="--timeout --claim --exit-code"; args=nodes ;;
        signal) args=node_then_signal ;;
        ps) opts="--all -a --graph --stats"; args=node ;;
        inspect) args=node ;;
        logs) opts="--follow -f --lines -n --stream --timestamps"; args=node ;;
        events) opts="--follow -f"; args=node ;;
        top) opts="--all -a --once --frames -n --interval -d"; args=node ;;
        ping | version | shutdown) ;;
        bridge) ;;
        metrics) ;;
        *) return ;;
    esac

    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "$opts --json --socket --help" -- "$cur"))
        return
    fi

    # How many positional arguments the verb already has (options with a value skip it).
    local positional=0
    for ((i = 1; i < cword; i++)); do
        case ${words[i]} in
            --socket | --host | --scope | --name | --timeout | --restart | --env | --cwd | \
                --remote-socket | --remote-traioctl | \
                --exit-code | --reason | --lines | -n | --stream | --max-parallel) ((i++)) ;;
            -*) ;;
            *) ((positional++)) ;;
        esac
    done  # counts the verb too

    case $args in
        file) COMPREPLY=($(compgen -f -X '!*.json' -- "$cur") $(compgen -d -- "$cur")) ;;
        scope) ((positional == 1)) && COMPREPLY=($(compgen -W "$(_traioctl_nodes "$socket" scope)" -- "$cur")) ;;
        node) ((positional == 1)) && COMPREPLY=($(compgen -W "$(_traioctl_nodes "$socket")" -- "$cur")) ;;
        nodes) COMPREPLY=($(compgen -W "$(_traioctl_nodes "$socket")" -- "$cur")) ;;
        node_then_duration)
            if ((positional == 1)); then
                COMPREPLY=($(compgen -W "$(_traioctl_nodes "$socket")" -- "$cur"))
            elif ((positional == 2)); then
                COMPREPLY=($(compgen -W "none" -- "$cur"))
            fi ;;
        node_then_signal)
            if ((positional == 1)); then
                COMPREPLY=($(compgen -W "$(_traioctl_nodes "$socket")" -- "$cur"))
            elif ((positional == 2)); then
                COMPREPLY=($(compgen -W "HUP INT QUIT KILL USR1 USR2 TERM CONT STOP TSTP WINCH" -- "$cur"))
            fi ;;
    esac
}

complete -F _traioctl traioctl
