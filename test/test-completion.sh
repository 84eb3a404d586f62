#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The shell completions as a shell calls them: bash's function with COMP_WORDS as bash splits a
# command line (at '=' too), against the built binary; zsh's file parsed by zsh when it is there.
set -uo pipefail

mf=${MEGAFILTER_BINARY:?}
src=${MEGAFILTER_SOURCE_ROOT:?}
failures=0
tmp=$(mktemp -d /tmp/megafilter-completion-XXXXXX)
trap 'rm -rf "$tmp"' EXIT

# complete WORD… : what bash would offer for the last word (words split as bash splits them).
complete_words() {
        bash -c '
                source "$1"; shift
                COMP_WORDS=("$@")
                COMP_CWORD=$(($# - 1))
                _megafilter
                printf "%s\n" "${COMPREPLY[@]}"
        ' complete "$src/shell-completion/bash/megafilter" "$mf" "$@"
}

# expect DESCRIPTION WANTED… -- WORD…: every WANTED is offered.
expect() {
        local name=$1 got w
        shift
        local -a want=()
        while [[ $1 != -- ]]; do want+=("$1"); shift; done
        shift
        got=$(cd "$tmp" && complete_words "$@")
        for w in "${want[@]}"; do
                if ! grep -qxF -- "$w" <<<"$got"; then
                        echo "FAIL: $name: '$w' not offered for '$*'; offered: $(tr '\n' ' ' <<<"$got")"
                        failures=$((failures + 1))
                        return
                fi
        done
        echo "ok: $name"
}

# refuse DESCRIPTION UNWANTED -- WORD…: UNWANTED is not offered.
refuse() {
        local name=$1 unwanted=$2 got
        shift 3
        got=$(cd "$tmp" && complete_words "$@")
        if grep -qxF -- "$unwanted" <<<"$got"; then
                echo "FAIL: $name: '$unwanted' offered for '$*'"
                failures=$((failures + 1))
        else
                echo "ok: $name"
        fi
}

printf '[Service]\nSystemCallFilter=~@mount\n' >"$tmp/mine.service"
mkdir "$tmp/units"

expect "commands" syscall-filter show compile analyze run -- ""
expect "a command's prefix" compile -- comp
expect "a command's options" --layout= --format= --no-verify --strict -- compile --
expect "show's options" --json --value --unit= -- show --
expect "--layout values, --opt=value" split single -- compile --layout = ""
expect "--layout values, --opt value" split single -- compile --layout ""
expect "--mdwe values" seccomp -- analyze --mdwe = se
expect "--format values" json raw -- compile --format = ""
expect "--arch values, from the binary" x86-64 arm64 s390x -- compile --arch = ""
expect "unit files here" mine.service -- show mi
expect "directories for unit files" units -- compile un
expect "shipped units" systemd-journald.service -- analyze systemd-journ
expect "sets and syscalls" @system-service @mount -- syscall-filter @
expect "syscall names" openat -- syscall-filter opena
expect "properties for show -p" SystemCallFilter -- show -p System
expect "assignments for -p" SystemCallFilter= ExecStart= -- run -p ""
refuse "no option of another command" --pid -- compile --
refuse "no unit after the options' end for syscall-filter" mine.service -- syscall-filter mi

# The arch list is the library's.
if [[ $("$mf" compile --arch=help | tr '\n' ' ') != *"x86-64 x86 x32"* ]]; then
        echo "FAIL: --arch=help"
        failures=$((failures + 1))
fi

# zsh: the function run with the completion system's builtins replaced by ones that print what
# they are given.
zsh_complete() {
        zsh -fc '
                compadd() { local a; while [[ $1 == -* ]]; do [[ $1 == -- ]] && { shift; break }; [[ $1 == -[SPJ] ]] && shift; shift; done; print -l -- "$@" }
                compset() { return 0 }
                _describe() { [[ $1 == -t ]] && shift 2; print -l -- ${(P)2%%:*} }
                _files() { print -l -- *.service(N) }
                _directories() { print -l -- *(/N) }
                _pids() { print $$ }
                _command_names() { }
                words=("$@")
                CURRENT=$#
                source "$0"
        ' "$src/shell-completion/zsh/_megafilter" "$mf" "$@"
}

zexpect() {
        local name=$1 got w
        shift
        local -a want=()
        while [[ $1 != -- ]]; do want+=("$1"); shift; done
        shift
        got=$(cd "$tmp" && zsh_complete "$@")
        for w in "${want[@]}"; do
                if ! grep -qxF -- "$w" <<<"$got"; then
                        echo "FAIL: zsh: $name: '$w' not offered for '$*'; offered: $(tr '\n' ' ' <<<"$got")"
                        failures=$((failures + 1))
                        return
                fi
        done
        echo "ok: zsh: $name"
}

if command -v zsh >/dev/null; then
        if zsh -n "$src/shell-completion/zsh/_megafilter"; then
                echo "ok: zsh parses _megafilter"
        else
                echo "FAIL: zsh cannot parse _megafilter"
                failures=$((failures + 1))
        fi
        zexpect "commands" syscall-filter compile run -- ""
        zexpect "options" --layout= --no-verify -- compile --
        zexpect "--layout values" split single -- compile --layout ""
        zexpect "--arch values" x86-64 arm64 -- compile --arch=""
        zexpect "unit files here" mine.service -- show ""
        zexpect "sets" @system-service -- syscall-filter @
        zexpect "assignments for -p" SystemCallFilter ExecStart -- run -p ""
else
        echo "skipped: zsh is not installed (tools/deps.sh installs it for tools/check)"
fi

echo "$failures failures"
[[ $failures == 0 ]]
