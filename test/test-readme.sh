#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The README's examples, run as written: the first sh block of "Using it" as one script, from a
# directory where build/ is this build and units/ the source's; the block for a running systemd
# only when a system manager answers.
set -uo pipefail

build=${MEGAFILTER_BUILD_ROOT:?}
src=${MEGAFILTER_SOURCE_ROOT:?}
tmp=$(mktemp -d /tmp/megafilter-readme-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
ln -s "$build" "$tmp/build"
ln -s "$src/units" "$tmp/units"

# The sh blocks of the section, one file each.
awk -v dir="$tmp" '
        /^## / { in_section = ($0 == "## Using it") }
        in_section && /^```sh$/ { n++; file = dir "/block" n ".sh"; next }
        in_section && /^```$/ { file = ""; next }
        file { print > file }
' "$src/README.md"
[[ -s $tmp/block1.sh ]] || { echo "FAIL: no sh block in the README's 'Using it'"; exit 1; }

failures=0
out=$(cd "$tmp" && bash -e block1.sh 2>"$tmp/stderr")
rc=$?
if [[ $rc != 0 ]]; then
        echo "FAIL: the README's examples exit with $rc:"
        cat "$tmp/stderr"
        failures=1
fi
for want in "@system-service" "SystemCallFilter=" '"Id":"systemd-logind.service"' "# 00-megafilter:" \
            "Verdicts on x86-64" "Hello from demo" "hello" "Seccomp_filters 1 in /proc/"; do
        grep -qF -- "$want" <<<"$out" || { echo "FAIL: the README's examples printed no '$want'"; failures=1; }
done
[[ $failures == 0 ]] && echo "ok: the README's examples run as written ($(wc -l <"$tmp/block1.sh") commands)"
wait

if [[ -s $tmp/block2.sh ]]; then
        if systemctl show -p Version >/dev/null 2>&1 && [[ $(ps -o comm= 1) == systemd ]]; then
                (cd "$tmp" && bash -e block2.sh >/dev/null) || { echo "FAIL: the README's systemd examples"; failures=1; }
        else
                echo "skipped: the examples for a running systemd (PID 1 is $(ps -o comm= 1))"
        fi
fi
exit $failures
