#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The benchmark's static figures for megafilter (filters, instructions, cached x86-64 syscalls,
# worst instructions of argument-checked and denied calls) are the ones `megafilter analyze`
# reports, for both layouts, on every example unit. No timing: megafilter-bench --rounds 0.
set -euo pipefail
MEGAFILTER=${MEGAFILTER_BINARY:?}
BENCH=$1
ROOT=${MEGAFILTER_SOURCE_ROOT:?}
[ "$(uname -m)" = x86_64 ] || { echo "SKIP: the benchmark measures x86-64"; exit 77; }
csv=$(mktemp)
trap 'rm -f "$csv"' EXIT
units=("$ROOT"/units/*.service)
"$BENCH" --rounds 0 --csv "$csv" "${units[@]}" >/dev/null
python3 - "$MEGAFILTER" "$csv" "${units[@]}" <<'PY'
import csv, json, os, subprocess, sys
mf, path, units = sys.argv[1], sys.argv[2], sys.argv[3:]
bench = {}
for row in csv.DictReader(open(path)):
    bench[(row["unit"], row["strategy"], row["metric"])] = float(row["value"])
failures = checked = 0
for unit in units:
    name = os.path.basename(unit)
    for layout in ("split", "single"):
        strategy = "megafilter-" + layout
        if (name, strategy, "filters") not in bench:
            print(f"FAIL {name} {strategy}: not in the benchmark's CSV"); failures += 1; continue
        a = json.loads(subprocess.run([mf, "analyze", "--json", "--layout=" + layout, unit],
                                      check=True, capture_output=True, text=True).stdout)
        x = next(x for x in a["abis"] if x["name"] == "x86-64")
        want = {
            "filters": a["filter_count"],
            "instructions": a["instructions"],
            "cached": x["cached"]["count"],
            "insns_arg_checked_worst": x["argument-checked"]["instructions_max"],
            "insns_denied_worst": x["denied"]["instructions_max"],
        }
        for metric, value in want.items():
            got = bench[(name, strategy, metric)]
            checked += 1
            if got != value:
                print(f"FAIL {name} {strategy} {metric}: benchmark {got:g}, analyze {value}"); failures += 1
print(f"{checked} figures compared, {failures} differ")
sys.exit(1 if failures else 0)
PY
