#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The benchmark's summary table from its CSV: per unit, systemd's per-feature filters against
megafilter's split layout. Added latency is the strategy's time minus no filter's, in the same
run; the ratio is megafilter's over per-feature's (lower is better)."""
import csv
import sys

rows = {}
units = []
for r in csv.DictReader(open(sys.argv[1])):
    if r["unit"] not in units:
        units.append(r["unit"])
    rows[(r["unit"], r["strategy"], r["metric"])] = float(r["value"])


def get(u, s, m):
    return rows.get((u, s, m))


def added(u, s, op):
    v, base = get(u, s, "ns_" + op), get(u, "none", "ns_" + op)
    return None if v is None or base is None else max(v - base, 0.0)


def ratio(u, op):
    a, b = added(u, "megafilter-split", op), added(u, "per-feature", op)
    if a is None or b is None or b <= 0:
        return "n/a"
    return f"{a:.0f} / {b:.0f} ns = {a / b:.2f}"


print("| unit | filters pf → mf | instructions pf → mf | cached syscalls pf → mf | worst insns, arg-checked / denied, pf → mf "
      "| openat+close added, mf / pf | socket+close added | denied call added | build+install µs pf → mf |")
print("|---|---|---|---|---|---|---|---|---|")
for u in units:
    pf, mf = "per-feature", "megafilter-split"
    if get(u, mf, "filters") is None:
        continue
    if get(u, pf, "filters") is None:
        print(f"| {u} | systemd refuses the unit (an allow-list entry with the default errno) → {get(u, mf, 'filters'):.0f} "
              f"| → {get(u, mf, 'instructions'):.0f} | → {get(u, mf, 'cached'):.0f} | | | | | |")
        continue
    bi_pf, bi_mf = get(u, pf, "build_install_us"), get(u, mf, "build_install_us")
    bi = f"{bi_pf:.0f} → {bi_mf:.0f} ({bi_pf / bi_mf:.1f}× faster)" if bi_pf and bi_mf else "n/a"
    print(f"| {u} | {get(u, pf, 'filters'):.0f} → {get(u, mf, 'filters'):.0f} "
          f"| {get(u, pf, 'instructions'):.0f} → {get(u, mf, 'instructions'):.0f} "
          f"| {get(u, pf, 'cached'):.0f} → {get(u, mf, 'cached'):.0f} "
          f"| {get(u, pf, 'insns_arg_checked_worst'):.0f} / {get(u, pf, 'insns_denied_worst'):.0f} → "
          f"{get(u, mf, 'insns_arg_checked_worst'):.0f} / {get(u, mf, 'insns_denied_worst'):.0f} "
          f"| {ratio(u, 'openat+close')} | {ratio(u, 'socket+close')} | {ratio(u, 'denied call')} | {bi} |")
