#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# megafilter run against a real systemd user manager. As the ExecStart= of a Type=notify service:
# the process becomes the command, so the manager's main PID is the notifier, READY=1 is accepted
# and the unit becomes active, with megafilter's filters in place. Then the same settings run by
# systemd and by megafilter run must give the same exit status (setup failures, denied calls,
# signals, oneshot sequencing). Exit 77 (skip) only if no manager starts.
# Usage: test-run-systemd.sh RUN_HELPER  (with $MEGAFILTER_BINARY set)
set -u

mf=${MEGAFILTER_BINARY:?}
helper=${1:?usage: test-run-systemd.sh RUN_HELPER}
unit=megafilter-test-notify.service

skip() {
        echo "SKIP: $*"
        exit 77
}

command -v systemd >/dev/null && command -v systemctl >/dev/null || skip "systemd or systemctl not installed"
# systemd --user wants to see a system manager; PID 1 is not systemd here.
mkdir -p /run/systemd/system 2>/dev/null || skip "cannot create /run/systemd/system"

# A private runtime directory: our own manager, bus and unit directory, whatever else runs here.
rt=$(mktemp -d)
chmod 700 "$rt"
export XDG_RUNTIME_DIR=$rt XDG_CONFIG_HOME=$rt/config
unset DBUS_SESSION_BUS_ADDRESS
mkdir -p "$rt/systemd/user" "$XDG_CONFIG_HOME"
manager=
cleanup() {
        systemctl --user stop "$unit" >/dev/null 2>&1
        [[ -n $manager ]] && kill "$manager" 2>/dev/null && wait "$manager" 2>/dev/null
        rm -rf "$rt"
}
trap cleanup EXIT

systemd --user >"$rt/manager.log" 2>&1 &
manager=$!
for _ in $(seq 100); do
        state=$(systemctl --user is-system-running 2>/dev/null)
        [[ $state == @(running|degraded) ]] && break
        kill -0 "$manager" 2>/dev/null || break
        sleep 0.1
done
[[ ${state:-} == @(running|degraded) ]] || skip "systemd --user did not start: $(tail -n 3 "$rt/manager.log")"

failures=0
fail() {
        failures=$((failures + 1))
        echo "FAIL: $*"
}

cat >"$rt/systemd/user/$unit" <<UNIT
[Service]
Type=notify
TimeoutStartSec=30
ExecStart=$mf run -p NoNewPrivileges=yes -p SystemCallFilter=@system-service -p RestrictAddressFamilies=AF_UNIX -- $helper notify
UNIT
systemctl --user daemon-reload

if ! systemctl --user start "$unit"; then
        fail "systemctl --user start $unit failed"
        systemctl --user status "$unit" --no-pager
else
        state=$(systemctl --user show -P ActiveState "$unit")
        [[ $state == active ]] || fail "$unit is $state, not active"
        pid=$(systemctl --user show -P MainPID "$unit")
        comm=$(cat "/proc/$pid/comm" 2>/dev/null)
        [[ $comm == run-helper ]] || fail "the main process is '$comm', not the command (run-helper)"
        filters=$(awk '/^Seccomp_filters:/ { print $2 }' "/proc/$pid/status")
        [[ $filters == 2 ]] || fail "the main process runs under ${filters:-no} filters, expected 2"
        nnp=$(awk '/^NoNewPrivs:/ { print $2 }' "/proc/$pid/status")
        [[ $nnp == 1 ]] || fail "NoNewPrivileges=yes did not set no_new_privs"
        echo "ok: $unit active, main PID $pid ($comm) under $filters filters"
fi

# The same settings under systemd itself and under megafilter run give the same exit status: the
# manager reports the status (or the signal) of the ExecStart= process it ran.
n=0
compare() {
        local name=megafilter-test-compare-$((n += 1)).service props=() a status code expected got
        for a in "$@"; do
                props+=(-p "$a")
        done
        printf '[Service]\nType=oneshot\n' >"$rt/systemd/user/$name"
        printf '%s\n' "$@" >>"$rt/systemd/user/$name"
        systemctl --user daemon-reload
        if systemctl --user start "$name" >/dev/null 2>&1; then
                expected=0      # a oneshot that succeeded: the manager keeps no main status
        else
                status=$(systemctl --user show -P ExecMainStatus "$name")
                code=$(systemctl --user show -P ExecMainCode "$name")
                if [[ -z $status || -z $code || $code == 0 ]]; then
                        fail "$*: systemd did not run the unit (ExecMainCode='$code')"
                        return
                fi
                expected=$(( code == 2 || code == 3 ? 128 + status : status ))  # CLD_KILLED, CLD_DUMPED
        fi
        ( exec "$mf" run "${props[@]}" >/dev/null 2>&1 )
        got=$?
        if [[ $got == "$expected" ]]; then
                echo "ok: $* -> $got as under systemd"
        else
                fail "$*: megafilter run exits with $got, systemd's ExecMainStatus says $expected"
        fi
}
compare "ExecStart=/bin/true"
compare "ExecStart=/bin/sh -c 'exit 7'"
compare "ExecStart=/nonexistent/command"
compare "User=no-such-user-here" "ExecStart=/bin/true"
compare "Group=no-such-group-here" "ExecStart=/bin/true"
compare "WorkingDirectory=/nonexistent" "ExecStart=/bin/true"
compare "SystemCallFilter=~mkdir" "ExecStart=/bin/mkdir $rt/denied"
compare "SystemCallFilter=~mkdir" "SystemCallErrorNumber=EPERM" "ExecStart=/bin/mkdir $rt/denied"
compare "SystemCallFilter=~execve" "SystemCallErrorNumber=EPERM" "ExecStart=/bin/true"
compare "RestrictNamespaces=yes" "ExecStart=$helper unshare-net"
compare "RestrictAddressFamilies=AF_UNIX" "ExecStart=$helper socket inet6"
compare "MemoryDenyWriteExecute=yes" "ExecStart=$helper mmap-wx"
compare "LockPersonality=yes" "ExecStart=$helper personality-x86"
compare "Type=oneshot" "ExecStart=/bin/true" "ExecStart=-/bin/false" "ExecStart=/bin/sh -c 'exit 5'" "ExecStart=/bin/true"
compare "User=nobody" "ExecStart=/bin/sh -c 'exit \$\$(id -u)'"
# The user switch comes before the working directory: a directory only we may enter fails.
compare "User=nobody" "WorkingDirectory=$rt" "ExecStart=/bin/true"
compare "User=nobody" "ExecStart=+/bin/sh -c 'exit \$\$(id -u)'"
compare "Personality=x86" "ExecStart=/bin/sh -c 'test \$\$(uname -m) = i686'"
compare "Personality=x86" "LockPersonality=yes" "ExecStart=$helper personality-x86"

[[ $failures == 0 ]]
