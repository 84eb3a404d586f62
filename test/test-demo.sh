#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# tools/demo as the README's first command: it shows the build's progress (not hidden), what gets
# installed, and the demo unit's run. Run on this build directory, which is up to date.
set -uo pipefail

build=${MEGAFILTER_BUILD_ROOT:?}
src=${MEGAFILTER_SOURCE_ROOT:?}
out=$(MEGAFILTER_BUILD=$build "$src/tools/demo" 2>&1)
rc=$?
failures=0
expect() {
        if ! grep -qF -- "$1" <<<"$out"; then
                echo "FAIL: tools/demo printed no '$1'"
                failures=$((failures + 1))
        fi
}
[[ $rc == 0 ]] || { echo "FAIL: tools/demo exited with $rc"; failures=$((failures + 1)); }
expect "== ninja -C $build"
expect "ninja: Entering directory"
expect "   megafilter "
expect "syscalls served by the kernel cache"
expect "Hello from demo"
expect "-> refused"
[[ $failures == 0 ]] || { echo "$out"; exit 1; }
echo "ok: tools/demo shows the build, the filters and the run"
