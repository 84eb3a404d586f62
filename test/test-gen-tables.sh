#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Regenerate the tables twice into a temporary directory (under different hash seeds, so any
# dependence on set ordering shows) and check that both runs agree byte for byte and match the
# committed src/shared/*.gen.c. Skips (77) when ../shared/data is not next to the checkout.
set -euo pipefail

python=${1:?python} root=${2:?source root} cc=${3:-cc}
data="$root/../shared/data"
if [ ! -d "$data" ]; then
        echo "No $data; skipping."
        exit 77
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

PYTHONHASHSEED=1 "$python" "$root/tools/gen-tables.py" --data "$data" --output "$tmp/a" --cc "$cc"
PYTHONHASHSEED=2 "$python" "$root/tools/gen-tables.py" --data "$data" --output "$tmp/b" --cc "$cc"
diff -r "$tmp/a" "$tmp/b"

(cd "$tmp/a" && ls -- *.gen.c) >"$tmp/generated"
(cd "$root/src/shared" && ls -- *.gen.c | grep -v "^unit-keys.gen.c$") >"$tmp/committed"  # unit-keys.gen.c: tools/gen-unit-keys.py
diff -u "$tmp/committed" "$tmp/generated"

status=0
while read -r f; do
        if ! diff -u "$root/src/shared/$f" "$tmp/a/$f"; then
                echo "src/shared/$f is out of date: run tools/gen-tables.py" >&2
                status=1
        fi
done <"$tmp/generated"
exit $status
