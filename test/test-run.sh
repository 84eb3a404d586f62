#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# megafilter run, for real: every directive applied to a command that tries what it forbids, the
# setup failures with systemd's exit codes, Type=oneshot sequencing, prefixes and quoting.
# Usage: test-run.sh RUN_HELPER  (with $MEGAFILTER_BINARY and $MEGAFILTER_SOURCE_ROOT set)
set -u
shopt -s extglob
ulimit -c 0

mf=${MEGAFILTER_BINARY:?}
helper=${1:?usage: test-run.sh RUN_HELPER}
srcdir=${MEGAFILTER_SOURCE_ROOT:?}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
n=0

# check NAME RC STDOUT-PATTERN STDERR-PATTERN -- ARGS…: run "megafilter run ARGS…" and compare its
# exit status, its standard output and its standard error (bash patterns; "*" for anything).
check() {
        local name=$1 want_rc=$2 want_out=$3 want_err=$4 out err rc
        shift 4
        n=$((n + 1))
        out=$("$mf" run "$@" 2>"$tmp/stderr")
        rc=$?
        err=$(<"$tmp/stderr")
        # shellcheck disable=SC2053
        if [[ $rc != "$want_rc" || $out != $want_out || $err != $want_err ]]; then
                failures=$((failures + 1))
                echo "FAIL: $name: megafilter run $*"
                echo "      exit status $rc (expected $want_rc)"
                echo "      stdout: ${out@Q} (expected $want_out)"
                echo "      stderr: ${err@Q} (expected $want_err)"
        else
                echo "ok: $name"
        fi
}

fail() {
        failures=$((failures + 1))
        echo "FAIL: $*"
}

# --- SystemCallFilter= and SystemCallErrorNumber=
check "allowed call" 0 "hello" "" -p SystemCallFilter=@system-service -- /bin/echo hello
check "denied call, errno" 1 "" "*Operation not permitted*" \
        -p SystemCallFilter=~mkdir -p SystemCallErrorNumber=EPERM -- mkdir "$tmp/denied"
[[ -e $tmp/denied ]] && fail "mkdir under SystemCallFilter=~mkdir created the directory"
check "denied call, errno of the entry" 1 "" "*Permission denied*" -p SystemCallFilter=~mkdir:EACCES -- mkdir "$tmp/denied"
check "denied call, SIGSYS" 159 "" "" -p SystemCallFilter=~mkdir -- mkdir "$tmp/denied"
[[ -e $tmp/denied ]] && fail "mkdir killed by SIGSYS created the directory"
check "allow-list" 16 "" "swapoff: Not superuser." \
        -p SystemCallFilter=@system-service -p SystemCallErrorNumber=EPERM -- swapoff /nonexistent
check "allow-list, outside it" 4 "" "swapoff: /nonexistent: swapoff failed: No such file or directory" -- swapoff /nonexistent
check "the filters are in place" 0 $'Seccomp:\t2\nSeccomp_filters:\t2' "" \
        -p SystemCallFilter=@system-service -p RestrictAddressFamilies=AF_UNIX -- grep ^Seccomp /proc/self/status

# What systemd 252 parses but libseccomp 2.5.4 refuses when it builds the filter: status 228,
# nothing runs (checked against the installed systemd 252.39 under a user manager).
rm -f "$tmp/marker"
check "errno 4095 on an entry" 228 "" "-p:1: SystemCallFilter=~swapoff:4095: libseccomp refuses errno 4095*" \
        -p SystemCallFilter=~@swap:4095 -- touch "$tmp/marker"
check "errno 4094 on an entry" 0 "" "" -p SystemCallFilter=~@swap:4094 -- true
check "SystemCallErrorNumber=4095, deny-list" 228 "" "-p:2: SystemCallErrorNumber=4095: libseccomp refuses errno 4095*" \
        -p SystemCallFilter=~@swap -p SystemCallErrorNumber=4095 -- touch "$tmp/marker"
check "SystemCallErrorNumber=4095, allow-list" 228 "" "-p:2: SystemCallErrorNumber=4095: *default action*" \
        -p SystemCallFilter=@system-service -p SystemCallErrorNumber=4095 -- touch "$tmp/marker"
check "SystemCallErrorNumber=4095 unused" 0 "" "" -p SystemCallErrorNumber=4095 -p SystemCallFilter=~swapon:EPERM -- true
check "allow-list entry :kill, default kill" 228 "" "-p:2: SystemCallFilter=~swapon:kill in an allow-list whose default action is kill (SystemCallErrorNumber= unset)*" \
        -p SystemCallFilter=@system-service -p SystemCallFilter=~swapon:kill -- touch "$tmp/marker"
check "allow-list entry with the default errno" 228 "" "-p:2: SystemCallFilter=~swapon:EPERM in an allow-list whose default action is EPERM*" \
        -p SystemCallFilter=@system-service -p SystemCallFilter=~swapon:EPERM -p SystemCallErrorNumber=EPERM -- touch "$tmp/marker"
[[ -e $tmp/marker ]] && fail "a unit libseccomp refuses ran its command"

# --- RestrictAddressFamilies=
check "address family allowed" 0 "ok" "" -p RestrictAddressFamilies=AF_UNIX -- "$helper" socket unix
check "address family outside the allow-list" 1 "EAFNOSUPPORT" "" -p RestrictAddressFamilies=AF_UNIX -- "$helper" socket inet6
check "address family in the deny-list" 1 "EAFNOSUPPORT" "" -p RestrictAddressFamilies=~AF_INET6 -- "$helper" socket inet6
check "address family not in the deny-list" 0 "ok" "" -p RestrictAddressFamilies=~AF_INET6 -- "$helper" socket inet

# --- RestrictNamespaces=
check "unshare without RestrictNamespaces=" 0 "ok" "" -- "$helper" unshare-net
check "RestrictNamespaces=yes" 1 "EPERM" "" -p RestrictNamespaces=yes -- "$helper" unshare-net
check "RestrictNamespaces=net" 0 "ok" "" -p RestrictNamespaces=net -- "$helper" unshare-net
check "RestrictNamespaces=yes, unshare(1)" 1 "" "*Operation not permitted*" -p RestrictNamespaces=yes -- unshare -n true

# --- MemoryDenyWriteExecute= (prctl(PR_SET_MDWE) says EACCES, the seccomp rule EPERM)
check "W+X mapping without MemoryDenyWriteExecute=" 0 "ok" "" -- "$helper" mmap-wx
check "MemoryDenyWriteExecute=yes" 1 "E@(ACCES|PERM)" "" -p MemoryDenyWriteExecute=yes -- "$helper" mmap-wx

# --- LockPersonality= and Personality=
check "personality change allowed" 0 "ok" "" -- "$helper" personality-x86
check "LockPersonality=yes" 1 "EPERM" "" -p LockPersonality=yes -- "$helper" personality-x86
if [[ $(uname -m) == x86_64 ]]; then
        check "Personality=x86" 0 "i686" "" -p Personality=x86 -- uname -m
        check "Personality=x86 locked" 0 "ok" "" -p Personality=x86 -p LockPersonality=yes -- "$helper" personality-x86
fi

# --- setup failures: systemd's exit codes
check "missing executable" 203 "" "megafilter: Failed to execute /nonexistent/bin: No such file or directory" \
        -- /nonexistent/bin
check "missing executable in PATH" 203 "" "megafilter: Failed to execute no-such-command-here: No such file or directory" \
        -- no-such-command-here
check "unknown user" 217 "" "megafilter: *User=no-such-user*" -p User=no-such-user -- /bin/true
check "unknown group" 216 "" "megafilter: *Group=no-such-group*" -p Group=no-such-group -- /bin/true
check "missing working directory" 200 "" "megafilter: *working directory /nonexistent failed: No such file or directory" \
        -p WorkingDirectory=/nonexistent -- /bin/true
check "missing working directory, - prefix" 0 "" "" -p WorkingDirectory=-/nonexistent -- /bin/true
check "working directory" 0 "/tmp" "" -p WorkingDirectory=/tmp -- /bin/pwd
check "execve() denied by the filter" 203 "" "megafilter: Failed to execute /bin/true: Operation not permitted" \
        -p SystemCallFilter=~execve -p SystemCallErrorNumber=EPERM -- /bin/true

# --- ProtectHostname=: the filter, and as root the UTS namespace of its own that systemd gives
uts=$(readlink /proc/self/ns/uts)
uts_pattern=${uts//[/\\[}
uts_pattern=${uts_pattern//]/\\]}
check "ProtectHostname=yes: sethostname() refused" 1 "" "*@(root|not permitted)*" -p ProtectHostname=yes -- hostname megafilter-test
if [[ $(id -u) == 0 ]]; then
        check "ProtectHostname=yes: a UTS namespace of its own" 0 "!($uts_pattern)" "" -p ProtectHostname=yes -- readlink /proc/self/ns/uts
        check "ProtectHostname=yes, + prefix: none" 0 "$uts_pattern" "" -p ProtectHostname=yes -p 'ExecStart=+/usr/bin/readlink /proc/self/ns/uts'
        if command -v setpriv >/dev/null && getent passwd nobody >/dev/null; then
                n=$((n + 1))
                out=$(setpriv --reuid=nobody --regid=nogroup --clear-groups -- "$mf" run -p ProtectHostname=yes \
                        -- readlink /proc/self/ns/uts 2>"$tmp/stderr")
                # shellcheck disable=SC2053
                if [[ $out != "$uts" || $(<"$tmp/stderr") != *"UTS namespace setup is prohibited"*"filter alone"* ]]; then
                        fail "ProtectHostname=yes unprivileged: '$out' (want $uts), stderr: $(<"$tmp/stderr")"
                else
                        echo "ok: ProtectHostname=yes unprivileged: the filter alone, and a warning"
                fi
        fi
fi

# --- User=, Group=, Environment=
if [[ $(id -u) == 0 ]] && getent passwd nobody >/dev/null; then
        nobody_uid=$(id -u nobody)
        nobody_home=$(getent passwd nobody | cut -d: -f6)
        check "User=nobody" 0 "$nobody_uid" "" -p User=nobody -- id -u
        check "User=nobody, numeric" 0 "$nobody_uid" "" -p User="$nobody_uid" -- id -u
        check "User=nobody under a sandbox" 0 "$nobody_uid" "" -p User=nobody -p SystemCallFilter=@system-service -- id -u
        check "User=nobody, supplementary groups" 0 "$(id -G nobody)" "" -p User=nobody -- id -G
        check "Group=" 0 "0:$nobody_uid" "" -p Group="$nobody_uid" -- sh -c 'echo "$(id -u):$(id -g)"'
        check "User= sets the login environment" 0 "nobody:$nobody_home:nobody" "" \
                -p User=nobody -- sh -c 'echo "$USER:$HOME:$LOGNAME"'
        check "Environment= overrides it" 0 "/elsewhere" "" -p User=nobody -p Environment=HOME=/elsewhere -- sh -c 'echo "$HOME"'
        check "+ prefix: no user switch" 0 "0" "" -p User=nobody -p 'ExecStart=+/usr/bin/id -u'
        check "! prefix: no user switch" 0 "0" "" -p User=nobody -p 'ExecStart=!/usr/bin/id -u'
fi
check "Environment=" 0 "1 two words" "" -p 'Environment=A=1 "B=two words"' -- sh -c 'echo "$A $B"'
check "\${VAR} and \$VAR in ExecStart=" 0 "x y z|a|b|c" "" -p 'Environment=V=x W="y z" "L=a b c"' \
        -p "ExecStart=/bin/sh -c 'echo \"\$\$0 \$\$1 \$\$2|\$\$3|\$\$4|\$\$5\"' \${V} \$W \$L"
check ": prefix: no expansion" 0 '${V}' "" -p Environment=V=x -p 'ExecStart=:/bin/echo ${V}'
check "a command from the command line is not expanded" 0 '${V}' "" -p Environment=V=x -- /bin/echo '${V}'

# --- quoting and prefixes
check "quoting" 0 "a b" "" -p "ExecStart=/bin/sh -c 'echo \"a b\"'"
check "\$\$" 0 '$HOME' "" -p 'ExecStart=/bin/echo $$HOME'
check "+ prefix: no sandbox" 0 "" "" -p SystemCallFilter=~mkdir -p "ExecStart=+/bin/mkdir $tmp/privileged"
[[ -d $tmp/privileged ]] || fail "+ command did not create its directory"
check "@ prefix" 0 "argv0" "" -p "ExecStart=@/bin/sh argv0 -c 'echo \$\$0'"

# --- Type=oneshot sequencing
check "oneshot: every command in order" 0 $'a\nb\nc' "" -p Type=oneshot \
        -p 'ExecStart=/bin/echo a' -p 'ExecStart=/bin/echo b' -p 'ExecStart=/bin/echo c'
check "oneshot: stops at the first failure" 3 $'a\nb' "" -p Type=oneshot \
        -p 'ExecStart=/bin/echo a' -p 'ExecStart=-/bin/false' -p 'ExecStart=/bin/echo b' \
        -p 'ExecStart=/bin/sh -c "exit 3"' -p 'ExecStart=/bin/echo c'
check "oneshot: - prefix on the last command" 0 "a" "" -p Type=oneshot -p 'ExecStart=/bin/echo a' -p 'ExecStart=-/bin/false'
check "oneshot: a single ignored failure" 0 "" "" -p Type=oneshot -p 'ExecStart=-/bin/false'
check "oneshot: a killed command" 159 "a" "" -p Type=oneshot -p SystemCallFilter=~mkdir \
        -p 'ExecStart=/bin/echo a' -p "ExecStart=/bin/mkdir $tmp/killed" -p 'ExecStart=/bin/echo b'
check "oneshot: setup failure of one command" 203 "a" "megafilter: Failed to execute /nonexistent: No such file or directory" \
        -p Type=oneshot -p 'ExecStart=/bin/echo a' -p 'ExecStart=/nonexistent' -p 'ExecStart=/bin/echo b'
check "oneshot: + and sandboxed commands mixed" 0 "" "" -p Type=oneshot -p SystemCallFilter=~mkdir \
        -p "ExecStart=+/bin/mkdir $tmp/mixed" -p "ExecStart=-/bin/mkdir $tmp/mixed2" -p "ExecStart=/bin/rmdir $tmp/mixed"
[[ -e $tmp/mixed || -e $tmp/mixed2 ]] && fail "oneshot with + and sandboxed mkdir: $(ls "$tmp")"
check "simple: two ExecStart= refused" 1 "" "megafilter: *more than one ExecStart=*" \
        -p 'ExecStart=/bin/echo a' -p 'ExecStart=/bin/echo b'
check "no command" 1 "" "megafilter: *no ExecStart=*" -p Type=oneshot

# --- the sandbox must be in place, or nothing runs
rm -f "$tmp/marker"
check "sandbox refused by the kernel" 228 "" "megafilter: Failed to install the sandbox: *" \
        -p SystemCallFilter=~seccomp -p SystemCallErrorNumber=EPERM \
        -- "$mf" run -p SystemCallFilter=~mkdir -- touch "$tmp/marker"
# (ASan builds warn about the trial attach child's stack first: hence the leading "*".) With
# RestrictAddressFamilies= in use, systemd would fail on its filter first, and exit with 232.
check "sandbox refused by the kernel, two filters" 232 "" "*megafilter: Failed to install the sandbox: *" \
        -p SystemCallFilter=~seccomp -p SystemCallErrorNumber=EPERM \
        -- "$mf" run -p SystemCallFilter=~mkdir -p RestrictAddressFamilies=AF_UNIX -- touch "$tmp/marker"
check "installing the sandbox killed" 159 "" "" -p SystemCallFilter=~seccomp \
        -- "$mf" run -p SystemCallFilter=~mkdir -- touch "$tmp/marker"
[[ -e $tmp/marker ]] && fail "the command ran although its sandbox was not installed"

# --- units, options, process
check "demo unit" 0 "Hello from demo*-> refused*" "*" "$srcdir/units/demo.service"
check "command after the unit replaces ExecStart=" 0 "replaced" "" "$srcdir/units/demo.service" -- /bin/echo replaced
check "options after the unit" 0 "x" "" "$srcdir/units/demo.service" -p ExecStart= -p 'ExecStart=/bin/echo x'
mkdir "$tmp/bin" && printf '#!/bin/sh\npwd\n' >"$tmp/bin/where" && chmod +x "$tmp/bin/where"
pushd "$tmp" >/dev/null
check "a relative command is relative to where we start" 0 "/" "" -p WorkingDirectory=/ -- ./bin/where
popd >/dev/null
check "the command's options are its own" 0 "-p x" "" -- /bin/echo -p x
check "--strict refuses a unit with warnings" 1 "" "*" --strict -p SystemCallErrorNumber=nonsense -- /bin/echo ran
check "unknown option" 1 "" "*" --no-such-option -- /bin/true
check "help" 0 "Usage: megafilter run*" "" --help

# The options of --help are the ones megafilter(1) documents for run.
n=$((n + 1))
man_run=$(sed -n '/^\.SS "run /,/^\.S[HS]/p' "$srcdir/man/megafilter.1")
for opt in $("$mf" run --help | grep -o -- '--[a-z-]*' | sort -u); do
        grep -qF -- "${opt//-/\\-}" <<<"$man_run" || fail "run --help has $opt, megafilter(1)'s run section does not"
done

# The process becomes the command: same pid, no wrapper left.
out=$(bash -c 'echo $$; exec "$0" run -p SystemCallFilter=@system-service -- /bin/sh -c "echo \$\$"' "$mf")
n=$((n + 1))
if [[ $(sed -n 1p <<<"$out") != "$(sed -n 2p <<<"$out")" ]]; then
        fail "a single command does not run in megafilter's process: $out"
fi

# Signals reach the running command of a oneshot service, and no further command starts.
n=$((n + 1))
"$mf" run -p Type=oneshot -p 'ExecStart=/bin/sleep 30' -p "ExecStart=/bin/touch $tmp/after-signal" &
pid=$!
for _ in $(seq 50); do
        pgrep -P "$pid" sleep >/dev/null && break
        sleep 0.1
done
kill -TERM "$pid"
wait "$pid"
rc=$?
[[ $rc == 143 ]] || fail "SIGTERM to a oneshot run: exit status $rc (expected 143)"
[[ -e $tmp/after-signal ]] && fail "a command started after SIGTERM"

echo "$n checks, $failures failures"
[[ $failures == 0 ]]
