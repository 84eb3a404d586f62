#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# megafilter learn on a real service under a real systemd user manager: units/http-server.service
# (Python's http.server) is learned from its unit while a client fetches pages, the drop-in is
# installed in the unit's .d/ directory, the service is restarted by systemd, and it still serves.
# The drop-in must be tighter than @system-service. Everything runs in a private mount namespace
# with a tmpfs on /run/systemd (system/ and the inaccessible nodes that PrivateDevices= and the
# Protect*= settings bind-mount), so nothing on the host changes. Exit 77 (skip) when systemd,
# python3 or a manager cannot be had.
# Usage: test-learn-systemd.sh  (with $MEGAFILTER_BINARY and $MEGAFILTER_SOURCE_ROOT set)
set -u
shopt -s extglob

mf=${MEGAFILTER_BINARY:?}
srcdir=${MEGAFILTER_SOURCE_ROOT:?}
unit=http-server.service

skip() {
        echo "SKIP: $*"
        exit 77
}

command -v systemd >/dev/null && command -v systemctl >/dev/null || skip "systemd or systemctl not installed"
[[ -x /usr/bin/python3 ]] || skip "/usr/bin/python3 not installed"
[[ $(id -u) == 0 ]] || skip "needs root (mount namespace, inaccessible nodes)"
if [[ -z ${MEGAFILTER_LEARN_NS:-} ]]; then
        command -v unshare >/dev/null || skip "unshare not installed"
        MEGAFILTER_LEARN_NS=1 exec unshare -m --propagation private "$0" "$@"
fi

# Our own /run/systemd: what systemd --user wants to see of a system manager, and the nodes a
# systemd PID 1 would have made.
mount -t tmpfs -o mode=0755 tmpfs /run/systemd || skip "cannot mount a tmpfs on /run/systemd"
mkdir -p /run/systemd/system /run/systemd/inaccessible/dir
touch /run/systemd/inaccessible/reg
mkfifo /run/systemd/inaccessible/fifo
/usr/bin/python3 -c 'import socket; socket.socket(socket.AF_UNIX).bind("/run/systemd/inaccessible/sock")'
mknod /run/systemd/inaccessible/chr c 0 0
mknod /run/systemd/inaccessible/blk b 0 0
chmod 0000 /run/systemd/inaccessible/{dir,reg,fifo,sock,chr,blk}

rt=$(mktemp -d)
chmod 700 "$rt"
export XDG_RUNTIME_DIR=$rt XDG_CONFIG_HOME=$rt/config
unset DBUS_SESSION_BUS_ADDRESS
mkdir -p "$rt/systemd/user/$unit.d" "$XDG_CONFIG_HOME"
manager= client=
cleanup() {
        [[ -n $client ]] && kill "$client" 2>/dev/null
        systemctl --user stop "$unit" >/dev/null 2>&1
        [[ -n $manager ]] && kill "$manager" 2>/dev/null && wait "$manager" 2>/dev/null
        rm -rf "$rt"
}
trap cleanup EXIT

failures=0
fail() {
        failures=$((failures + 1))
        echo "FAIL: $*"
}

systemd --user >"$rt/manager.log" 2>&1 &
manager=$!
for _ in $(seq 100); do
        state=$(systemctl --user is-system-running 2>/dev/null)
        [[ $state == @(running|degraded) ]] && break
        kill -0 "$manager" 2>/dev/null || break
        sleep 0.1
done
[[ ${state:-} == @(running|degraded) ]] || skip "systemd --user did not start: $(tail -n 3 "$rt/manager.log")"

port=$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cp "$srcdir/units/$unit" "$rt/systemd/user/$unit"
printf '[Service]\nEnvironment=PORT=%s\n' "$port" >"$rt/systemd/user/$unit.d/10-port.conf"
systemctl --user daemon-reload

# fetch PATH: one page, its status code on stdout (000 when nothing answers).
fetch() {
        /usr/bin/python3 - "$port" "$1" <<'PY'
import sys, urllib.request
try:
    print(urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}{sys.argv[2]}", timeout=5).status)
except Exception:
    print("000")
PY
}

# A client that keeps fetching (a directory listing and a file) while the server is learned.
( while :; do fetch / >/dev/null; fetch /systemd/ >/dev/null; sleep 0.1; done ) &
client=$!

# Learned from the unit as the user manager would find it (--user), run by megafilter, long
# enough for pages to be served on a busy machine too (the server logs each on stderr).
"$mf" learn --user --duration 8 "$unit" >"$rt/proposal.conf" 2>"$rt/learn.log"
rc=$?
kill "$client" 2>/dev/null
wait "$client" 2>/dev/null
client=
if [[ $rc != 0 ]]; then
        fail "megafilter learn exited with $rc"
        tail -n 20 "$rt/learn.log"
fi
(( $(grep -c '"GET /systemd/ HTTP' "$rt/learn.log") >= 2 )) || fail "no page was served while learning (and checking)"
grep -q '^# Checked: a second run under this drop-in was refused nothing' "$rt/proposal.conf" ||
        fail "the proposal does not say it was checked"
grep -q '^SystemCallFilter=$' "$rt/proposal.conf" || fail "the proposal does not reset SystemCallFilter="
# Every assignment has its comment just above it.
awk '/^[A-Z]/ && prev !~ /^#/ { bad = bad " " $0 } { prev = $0 } END { if (bad) { print bad; exit 1 } }' \
        "$rt/proposal.conf" >"$rt/uncommented" || fail "assignments without a comment:$(<"$rt/uncommented")"

# expand @SET: its members, nested sets expanded, one per line.
expand() {
        local m
        "$mf" syscall-filter "$1" | sed -n 's/^    \([^# ].*\)/\1/p' | while read -r m; do
                if [[ $m == @* ]]; then expand "$m"; else echo "$m"; fi
        done
}

# Tighter than @system-service: every call the list allows is in it, and far fewer of them.
declare -A allowed=() in_service=()
while read -r value; do
        for w in $value; do
                case $w in
                ~@*) while read -r m; do unset "allowed[$m]"; done < <(expand "${w#\~}") ;;
                @*) while read -r m; do allowed[$m]=1; done < <(expand "$w") ;;
                *) allowed[$w]=1 ;;
                esac
        done
done < <(sed -n 's/^SystemCallFilter=//p' "$rt/proposal.conf")
while read -r m; do in_service[$m]=1; done < <(expand @system-service)
while read -r m; do unset "in_service[$m]"; done < <(expand @default)
outside=()
for a in "${!allowed[@]}"; do [[ -n ${in_service[$a]:-} ]] || outside+=("$a"); done
[[ ${#outside[@]} == 0 ]] || fail "the proposal allows calls outside @system-service: ${outside[*]}"
(( ${#allowed[@]} > 0 && ${#allowed[@]} < ${#in_service[@]} / 2 )) ||
        fail "the proposal lists ${#allowed[@]} calls, @system-service ${#in_service[@]} (@default aside)"

# Installed as a drop-in, and the service restarted by systemd.
cp "$rt/proposal.conf" "$rt/systemd/user/$unit.d/50-learned.conf"
systemctl --user daemon-reload
if ! systemctl --user restart "$unit"; then
        fail "systemctl --user restart $unit failed"
        systemctl --user status "$unit" --no-pager
fi
code=000
for _ in $(seq 300); do
        code=$(fetch /systemd/)
        [[ $code == 200 ]] && break
        sleep 0.1
done
[[ $code == 200 ]] || fail "the service under the drop-in answers $code"
[[ $(fetch /) == 200 ]] || fail "the service under the drop-in does not list /"
state=$(systemctl --user show -P ActiveState "$unit")
[[ $state == active ]] || fail "$unit is $state under the drop-in"
pid=$(systemctl --user show -P MainPID "$unit")
filters=$(awk '/^Seccomp_filters:/ { print $2 }' "/proc/$pid/status" 2>/dev/null)
(( ${filters:-0} > 1 )) || fail "the service runs under ${filters:-no} filters, expected systemd's"
# The settings took: what the drop-in says, systemd says.
families=$(systemctl --user show -P RestrictAddressFamilies "$unit" | tr ' ' '\n' | sort | xargs)
[[ $families == "AF_INET AF_UNIX" ]] || fail "RestrictAddressFamilies is '$families'"
[[ $(systemctl --user show -P PrivateDevices "$unit") == yes ]] || fail "PrivateDevices= is not yes"
if (( failures == 0 )); then
        echo "ok: $unit learned, checked, installed and restarted: ${#allowed[@]} calls listed (@system-service: ${#in_service[@]} beyond @default), $filters filters, pages served"
fi

systemctl --user stop "$unit"
exit $((failures > 0))
