#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# How a service of the patched systemd fails when its sandbox cannot be built or installed: the
# service fails with 228/SECCOMP (232/ADDRESS_FAMILIES when systemd 252 would have failed on
# RestrictAddressFamilies=, its first filter), its command never runs, and the unit's log names
# the directive (all those in use when none is to blame, as for an allocation failure). Provoked for real, under a patched user manager (and a stock one, for comparison):
#   - a filter already in place that makes seccomp(2) fail (deny-seccomp), and one that makes
#     prctl(PR_SET_SECCOMP) fail as well (where libseccomp falls back, and stock systemd 252
#     still loads its filters, when only seccomp(2) fails);
#   - allocation failure: LimitAS= at the manager's own address-space size, so that the child's
#     first new mapping fails (the library's arenas are fresh mappings), with the sandbox compiled
#     in the child ($SYSTEMD_MEGAFILTER_PRECOMPILE=0) and before forking.
# And when even systemd's probe for seccomp fails, the patched systemd skips the directives as
# the stock one does. Runs inside tools/systemd-ns. Usage: test-systemd-failure.sh DENY_SECCOMP
set -euo pipefail

root=${MEGAFILTER_SOURCE_ROOT:?MEGAFILTER_SOURCE_ROOT is not set}
deny=${1:?usage: test-systemd-failure.sh DENY_SECCOMP}
skip() { echo "SKIP: $*"; exit 77; }

if [ "${MEGAFILTER_IN_SYSTEMD_NS:-}" != 1 ]; then
        [ "$(id -u)" -eq 0 ] || skip "needs root (a filter without no_new_privs, apt-get)"
        command -v apt-get >/dev/null || skip "needs Debian's apt-get for the systemd source"
        stock=$("$root/tools/systemd-megafilter" --stock | tail -n 1)
        patched=$("$root/tools/systemd-megafilter" | tail -n 1)
        console=$(mktemp)
        rc=0
        MEGAFILTER_IN_SYSTEMD_NS=1 SYSTEMD_NS_CONSOLE=$console \
                "$root/tools/systemd-ns" "$0" "$deny" "$stock" "$patched" "$console" || rc=$?
        rm -f "$console"
        exit $rc
fi
stock=$2
patched=$3
console=$4
. "$root/tools/systemd-user-managers.sh"
trap managers_stop EXIT

failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# hardened NAME SIDE [LINE…]: a oneshot unit with argument rules whose command leaves a mark (the
# filters it ran under), with LINEs added; RestrictAddressFamilies= unless "no-raf" is the first.
hardened() {
        local name=$1 side=$2 raf=RestrictAddressFamilies="AF_UNIX AF_INET"
        shift 2
        if [ "${1:-}" = no-raf ]; then raf=; shift; fi
        {
                echo "[Service]"
                echo "Type=oneshot"
                echo "ExecStart=/bin/sh -c 'grep ^Seccomp_filters: /proc/self/status >${rt[$side]}/ran-$name'"
                echo "SystemCallFilter=@system-service"
                echo "SystemCallErrorNumber=EPERM"
                echo "$raf"
                echo "RestrictNamespaces=yes"
                printf '%s\n' "$@"
        } >"${rt[$side]}/systemd/user/$name.service"
}

# run SIDE NAME: start it; prints "RESULT STATUS RAN" (RAN: yes if the command ran).
run() {
        local side=$1 name=$2
        uctl "$side" daemon-reload
        uctl "$side" start "$name.service" >/dev/null 2>&1 || true
        echo "$(uctl "$side" show -P Result "$name.service") $(uctl "$side" show -P ExecMainStatus "$name.service")" \
                "$([ -e "${rt[$side]}/ran-$name" ] && echo yes || echo no)"
}

# expect NAME OUTCOME STATUS DIRECTIVES WHY: the patched service failed with STATUS without running
# its command, and its log names DIRECTIVES (an extended regular expression) and WHY.
expect() {
        local name=$1 outcome=$2 status=$3 directives=$4 why=$5 line
        if [ "$outcome" != "exit-code $status no" ]; then
                fail "$name: expected exit-code $status without running the command, got: $outcome"
                return
        fi
        line=$(grep -aE "^$name.service: Failed to [a-z ]* system call filters for $directives: $why" "$console" | tail -n 1 || true)
        if [ -z "$line" ]; then
                fail "$name: no log line naming $directives and '$why'"
                grep -a "^$name.service:" "$console" | tail -n 5
                return
        fi
        echo "ok: $name: $status, command not run; log: $line"
}

# 1. seccomp(2) fails under a filter of the manager's. As systemd 252 fails on its first filter,
#    the first directive in use is blamed: RestrictAddressFamilies= is 232, any other 228.
manager_start patched "$patched" "$deny" || { echo "FAIL: no patched manager under deny-seccomp"; exit 1; }
manager_start stock "$stock" "$deny" || skip "no stock manager under deny-seccomp"
hardened deny-raf patched
hardened deny-ns patched no-raf
hardened deny-stock stock
expect deny-raf "$(run patched deny-raf)" 232 "RestrictAddressFamilies=" "Operation not permitted"
expect deny-ns "$(run patched deny-ns)" 228 "RestrictNamespaces=" "Operation not permitted"
# libseccomp falls back to prctl(PR_SET_SECCOMP) when seccomp(2) fails: stock systemd runs it.
echo "note: stock systemd 252 under the same filter: $(run stock deny-stock) (result, status, ran), under" \
        "$(cat "${rt[stock]}/ran-deny-stock" 2>/dev/null || echo '?') (deny-seccomp's and its own)"
[[ $(uctl patched is-system-running || true) == @(running|degraded) ]] || fail "the patched manager is not running any more"
managers_stop

# 2. seccomp(2) and prctl(PR_SET_SECCOMP) with a filter fail (systemd's probe, with NULL, passes).
manager_start patched "$patched" "$deny" --prctl || { echo "FAIL: no patched manager under deny-seccomp --prctl"; exit 1; }
manager_start stock "$stock" "$deny" --prctl || skip "no stock manager under deny-seccomp --prctl"
hardened denyall-raf patched
hardened denyall-ns patched no-raf
hardened denyall-stock stock
expect denyall-raf "$(run patched denyall-raf)" 232 "RestrictAddressFamilies=" "Operation not permitted"
expect denyall-ns "$(run patched denyall-ns)" 228 "RestrictNamespaces=" "Operation not permitted"
# Stock systemd 252 with libseccomp 2.5 gets -ECANCELED from seccomp_load(), which it does not take
# for fatal: it skips every filter and runs the service with none of its own.
out=$(run stock denyall-stock)
echo "note: stock systemd 252 under the same filter: $out (result, status, ran), under" \
        "$(cat "${rt[stock]}/ran-denyall-stock" 2>/dev/null || echo '?') (deny-seccomp's own filter only)"
managers_stop

# 3. Every prctl(PR_SET_SECCOMP) fails, the probe too: systemd takes seccomp for unavailable and
#    skips every seccomp-based directive (skip_seccomp_unavailable(), kept by the patch). Both
#    managers must do the same.
manager_start patched "$patched" "$deny" --prctl-all || { echo "FAIL: no patched manager under deny-seccomp --prctl-all"; exit 1; }
manager_start stock "$stock" "$deny" --prctl-all || skip "no stock manager under deny-seccomp --prctl-all"
for side in patched stock; do hardened "probe-$side" $side; done
a=$(run patched probe-patched)
b=$(run stock probe-stock)
[ "$a" = "$b" ] || fail "seccomp taken for unavailable: patched $a, stock $b"
echo "ok: seccomp taken for unavailable: patched and stock alike ($a: result, status, ran)"
managers_stop

# 4. Allocation failure: no address space beyond the manager's own (then 64 and 128 KiB more). The
#    manager compiles a sandbox before it forks (the child only installs it) unless told not to:
#    here the child compiles, as when the manager could not.
manager_start patched "$patched" env SYSTEMD_MEGAFILTER_PRECOMPILE=0 || { echo "FAIL: no patched manager"; exit 1; }
vm=$(awk '/^VmSize:/ { print $2 }' "/proc/${manager[patched]}/status")
got=0
for slack in 0 64 128; do
        name=nomem-$slack
        hardened "$name" patched "LimitAS=$(( (vm + slack) * 1024 ))"
        out=$(run patched "$name")
        case $out in
        *" yes") fail "$name: the command ran under LimitAS= ($out)" ;;
        "exit-code 228 no")
                # Failing while one directive is handed to libmegafilter blames that one; failing in
                # the compiler (which blames none), every directive in use.
                expect "$name" "$out" 228 "(RestrictAddressFamilies= RestrictNamespaces= SystemCallFilter=|RestrictAddressFamilies=|RestrictNamespaces=|SystemCallFilter=)" "Cannot allocate memory"
                got=$((got + 1)) ;;
        *) echo "note: $name: failed before the sandbox ($out)" ;;
        esac
done
[ $got -gt 0 ] || fail "no allocation failure reached the sandbox"
[[ $(uctl patched is-system-running || true) == @(running|degraded) ]] || fail "the patched manager is not running any more"
managers_stop

# 5. The same with the sandbox compiled by the manager: the child, which only installs it, either
#    runs the command under all of that sandbox (as many filters as without LimitAS=) or fails as
#    above. (Debug level: the child logs which sandbox it installed.)
manager_start patched "$patched" env SYSTEMD_LOG_LEVEL=debug || { echo "FAIL: no patched manager"; exit 1; }
hardened precompiled patched
out=$(run patched precompiled)
[ "$out" = "success 0 yes" ] || fail "precompiled: expected success, got: $out"
want=$(cat "${rt[patched]}/ran-precompiled")
# Started again (the finished oneshot unit was freed and is loaded again): the same sandbox, not
# compiled again; a unit with other directives gets one of its own.
rm "${rt[patched]}/ran-precompiled"
out=$(run patched precompiled)
[ "$out" = "success 0 yes" ] || fail "precompiled, again: expected success, got: $out"
hardened precompiled-other patched RestrictRealtime=yes
out=$(run patched precompiled-other)
[ "$out" = "success 0 yes" ] || fail "precompiled-other: expected success, got: $out"
compiled=$(grep -ac "^precompiled.service: Compiled the system call filters before forking" "$console" || true)
installed=$(grep -ac "^precompiled.service: Installed [0-9]* system call filter(s), compiled before forking" "$console" || true)
other=$(grep -ac "^precompiled-other.service: Compiled the system call filters before forking" "$console" || true)
if [ "$compiled/$installed/$other" = 1/2/1 ]; then
        echo "ok: a unit started twice installed the sandbox compiled before its first start; another unit compiled its own"
else
        fail "compiled/installed precompiled, compiled precompiled-other: $compiled/$installed/$other, not 1/2/1"
fi
vm=$(awk '/^VmSize:/ { print $2 }' "/proc/${manager[patched]}/status")
for slack in 0 64 128; do
        name=precompiled-nomem-$slack
        hardened "$name" patched "LimitAS=$(( (vm + slack) * 1024 ))"
        out=$(run patched "$name")
        case $out in
        *" yes")
                mark=$(cat "${rt[patched]}/ran-$name")
                [ "$mark" = "$want" ] || fail "$name: the command ran with $mark, not $want"
                if grep -aq "^$name.service: Installed [0-9]* system call filter(s), compiled before forking" "$console"; then
                        echo "ok: $name: ran under the precompiled sandbox ($mark)"
                else
                        fail "$name: no log line of a sandbox compiled before forking"
                        grep -a "^$name.service" "$console" | tail -n 10
                fi ;;
        "exit-code 228 no")
                expect "$name" "$out" 228 "(RestrictAddressFamilies= RestrictNamespaces= SystemCallFilter=|RestrictAddressFamilies=|RestrictNamespaces=|SystemCallFilter=)" "Cannot allocate memory" ;;
        *) echo "note: $name: failed before the sandbox ($out)" ;;
        esac
done

[ $failures -eq 0 ]
