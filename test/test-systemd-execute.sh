#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# systemd's own test-execute, every group that exercises a seccomp-based directive, from the
# patched build (patches/systemd-252/megafilter.patch) and from the stock build of the same
# source, in this run. Both must pass, run the same services, and the patched one must really
# be built on libmegafilter. Runs in tools/systemd-ns (a private mount namespace with
# /run/systemd/inaccessible, a private /dev). The builds come from tools/systemd-megafilter
# (cached; a fresh machine builds them first, a few minutes). Exit 77 when this cannot run here.
set -euo pipefail

root=${MEGAFILTER_SOURCE_ROOT:?MEGAFILTER_SOURCE_ROOT is not set}
skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*"; exit 1; }

[ "$(id -u)" -eq 0 ] || skip "needs root (test-execute, apt-get)"
command -v apt-get >/dev/null || skip "needs Debian's apt-get for the systemd source"
command -v unshare >/dev/null || skip "needs unshare"

# The groups of test-execute whose units use SystemCallFilter=, SystemCallErrorNumber=,
# RestrictNamespaces=, Personality=, ProtectKernelModules= or PrivateDevices= (seccomp rules for
# @module and @raw-io), or DynamicUser= (which implies RestrictSUIDSGID=).
groups=(test_exec_systemcallfilter test_exec_systemcallerrornumber test_exec_restrictnamespaces
        test_exec_systemcallfilter_system test_exec_personality test_exec_protectkernelmodules
        test_exec_privatedevices test_exec_readonlypaths test_exec_dynamicuser)

work=$(mktemp -d)
# test-execute's fake runtime directories (/tmp/fake-xdg-runtime-*) stay behind when it aborts.
runtime_dirs() {
        local d
        for d in /tmp/fake-xdg-runtime-*; do
                if [ -e "$d" ]; then echo "$d"; fi
        done
}
runtime_dirs >"$work/runtime-before"
cleanup() {
        local d
        for d in $(runtime_dirs); do
                if ! grep -qxF "$d" "$work/runtime-before"; then rm -rf "$d"; fi
        done
        rm -rf "$work"
}
trap cleanup EXIT

stock=$("$root/tools/systemd-megafilter" --stock | tail -n 1)
patched=$("$root/tools/systemd-megafilter" | tail -n 1)
echo "stock build:   $stock"
echo "patched build: $patched"

# Linked with libmegafilter and holding the glue; the stock build neither.
core=src/core/libsystemd-core-252.so
[[ $(readelf -d "$patched/$core") == *"NEEDED"*"[libmegafilter.so"* ]] ||
        fail "the patched libsystemd-core does not link libmegafilter"
[[ $(nm -D --defined-only "$patched/$core") == *" exec_context_apply_megafilter"* ]] ||
        fail "the patched libsystemd-core has no exec_context_apply_megafilter()"
[[ $(readelf -d "$stock/$core") != *"libmegafilter"* ]] || fail "the stock build links libmegafilter"

for side in stock patched; do
        dir=${!side}
        log=$work/$side.log
        rc=0
        # stdout (the unit dumps, fully buffered) apart from stderr (the log): in one file a flush
        # can land inside a unit's name line and a log line split it.
        (cd "$dir" && "$root/tools/systemd-ns" ./test-execute "${groups[@]}") >"$log.out" 2>"$log" || rc=$?
        if [ $rc -ne 0 ]; then
                grep -E ': expected |Assertion|Test timeout' "$log" | head -n 20 || true
                echo "… the last lines of $side's test-execute (stderr, then stdout):"
                tail -n 30 "$log"
                tail -n 10 "$log.out"
                fail "$side test-execute ${groups[*]} exited with $rc"
        fi
        # The services each group ran (wait_for_service_finish() prints the unit's name alone).
        grep -E '^exec-[A-Za-z0-9_.@-]+\.service$' "$log.out" | sort >"$work/$side.units"
        # Skips for want of something on this machine.
        grep -Ei 'skipping (remaining tests in )?test_exec_' "$log" | grep -v 'does not match any pattern' |
                sort -u >"$work/$side.skips" || true
        echo "$side: $(wc -l <"$work/$side.units") service runs passed in ${#groups[@]} groups"
done

[ -s "$work/patched.units" ] || fail "the patched test-execute ran no services"
diff -u "$work/stock.units" "$work/patched.units" >&2 || fail "stock and patched ran different services"
diff -u "$work/stock.skips" "$work/patched.skips" >&2 || fail "stock and patched skipped differently"
for g in "${groups[@]}"; do
        if grep -q "skipping $g\$" "$work/patched.skips"; then
                fail "$g was skipped entirely: $(grep "skipping $g\$" "$work/patched.skips" | head -n 1)"
        fi
done
if [ -s "$work/patched.skips" ]; then
        echo "skipped in both (this machine lacks what they need):"
        sed 's/^/  /' "$work/patched.skips"
fi
echo "ok: the seccomp-related groups of systemd's test-execute pass against the patched build, as against the stock one"
