#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# The committed src/shared/unit-keys.gen.c is what tools/gen-unit-keys.py makes of systemd's
# sources. Skipped (77) when no systemd 252 source tree is at hand; set
# MEGAFILTER_SYSTEMD_SOURCE to point at one.
set -eu
python3=$1
root=$2
src=${MEGAFILTER_SYSTEMD_SOURCE:-/tmp/src/systemd-stable-252.39}

if [ ! -f "$src/src/core/load-fragment-gperf.gperf.in" ]; then
        echo "no systemd source tree at $src, skipping"
        exit 77
fi

out=$(mktemp)
trap 'rm -f "$out"' EXIT
"$python3" "$root/tools/gen-unit-keys.py" "$src" >"$out"
if ! cmp -s "$out" "$root/src/shared/unit-keys.gen.c"; then
        diff -u "$root/src/shared/unit-keys.gen.c" "$out" || true
        echo "src/shared/unit-keys.gen.c is out of date: run tools/gen-unit-keys.py $src > src/shared/unit-keys.gen.c"
        exit 1
fi
