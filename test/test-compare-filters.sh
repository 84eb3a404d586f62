#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# compare-filters can tell: processes under megafilter run with directives that differ in one
# argument rule must differ exactly there (socket(AF_INET), chmod() with S_ISUID), and a process
# compared with itself must not differ at all. Usage: test-compare-filters.sh COMPARE_FILTERS
set -euo pipefail
mf=${MEGAFILTER_BINARY:?MEGAFILTER_BINARY is not set}
compare=${1:?usage: test-compare-filters.sh COMPARE_FILTERS}
[ "$(id -u)" -eq 0 ] || { echo "SKIP: reading filters with ptrace needs root"; exit 77; }

pids=()
out=$(mktemp)
trap 'kill "${pids[@]}" 2>/dev/null || true; rm -f "$out"' EXIT
start() {
        "$mf" run "$@" -- sleep 60 &
        pids+=($!)
}
start -p RestrictAddressFamilies=AF_UNIX -p RestrictSUIDSGID=yes
start -p "RestrictAddressFamilies=AF_UNIX AF_INET" -p RestrictSUIDSGID=yes
start -p RestrictAddressFamilies=AF_UNIX
for p in "${pids[@]}"; do
        for _ in $(seq 100); do [ "$(readlink "/proc/$p/exe")" = "$(readlink -f /bin/sleep)" ] && break; sleep 0.02; done
done

expect() {      # expect STATUS PID_A PID_B PATTERN: exit status and what every mismatch shows
        local want=$1 a=$2 b=$3 pattern=$4 rc=0
        COMPARE_FILTERS_SHOW=100000 "$compare" "$a" "$b" >"$out" || rc=$?
        tail -n 1 "$out"
        [ $rc -eq "$want" ] || { cat "$out"; echo "FAIL: exit status $rc, expected $want"; exit 1; }
        if grep MISMATCH "$out" | grep -qv -- "$pattern"; then
                grep MISMATCH "$out" | grep -v -- "$pattern" | head
                echo "FAIL: mismatches other than $pattern"; exit 1
        fi
}
expect 0 "${pids[0]}" "${pids[0]}" "-"
# AF_INET (2) allowed on one side only; i386 has no address-family rule (socketcall).
expect 1 "${pids[0]}" "${pids[1]}" "socket(0x2, "
# S_ISUID (0x800) or S_ISGID (0x400) in a mode: chmod and friends, open/openat with O_CREAT.
expect 1 "${pids[0]}" "${pids[2]}" " \(chmod\|creat\|fchmod\|fchmodat\|fchmodat2\|mkdir\|mkdirat\|mknod\|mknodat\|open\|openat\|openat2\)("
echo "ok: compare-filters finds exactly the differences"
