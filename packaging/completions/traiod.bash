# bash completion for traiod (installed as share/bash-completion/completions/traiod).
_traiod() {
    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}
    case $prev in
        --config) COMPREPLY=($(compgen -f -X '!*.json' -- "$cur") $(compgen -d -- "$cur")); return ;;
        --socket) COMPREPLY=($(compgen -f -- "$cur")); return ;;
        --state-dir) COMPREPLY=($(compgen -d -- "$cur")); return ;;
        --log-level) COMPREPLY=($(compgen -W "debug info warning error" -- "$cur")); return ;;
        --run) COMPREPLY=($(compgen -f -X '!*.json' -- "$cur") $(compgen -d -- "$cur")); return ;;
        --exit-code) COMPREPLY=($(compgen -W "child" -- "$cur")); return ;;
    esac
    COMPREPLY=($(compgen -W "--config --socket --state-dir --log-level --check-config --run --exit-code --help" -- "$cur"))
}

complete -F _traiod traiod
