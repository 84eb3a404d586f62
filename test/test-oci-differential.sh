#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The differential against crun: random linux.seccomp objects (oci-random-seccomp.py --simple, seeded), each
# compiled by crun itself (crun create leaves its filter in /run/crun/ID/seccomp.bpf; the container
# never starts) and by megafilter oci compile, the two programs compared by emulation for every
# ABI, number and argument boundary (compare-filters), and crun's refusals required to be
# megafilter's. Runs in a private mount namespace. Exit 77 without crun, busybox or root.
# --simple keeps to the shapes where libseccomp 2.5.4's programs do what its rules say (see the
# generator); MEGAFILTER_OCI_GENERATOR_MODE= (empty) runs the full generator, which finds where they
# do not (libseccomp's bugs, which megafilter does not reproduce).
# Usage: test-oci-differential.sh COMPARE-FILTERS GENERATOR  ($MEGAFILTER_OCI_SEEDS: FIRST-LAST, default 1-100)
set -u

mf=${MEGAFILTER_BINARY:?}
compare=${1:?}
generator=${2:?}
seeds=${MEGAFILTER_OCI_SEEDS:-1-100}
mode=${MEGAFILTER_OCI_GENERATOR_MODE---simple}

. "${0%/*}/crun-env.sh" || exit 1
crun_require crun root python3
crun_namespace "$@"

tmp=$(mktemp -d)
id=megafilter-oci-diff-$$
trap 'crun --cgroup-manager=disabled delete -f $id >/dev/null 2>&1; rm -rf "$tmp"' EXIT
bundle=$tmp/bundle
mkdir -p "$bundle/rootfs/bin"
[[ -x /bin/busybox ]] || skip "no /bin/busybox"
cp /bin/busybox "$bundle/rootfs/bin/sh"       # crun create looks for the command; it never runs
(cd "$bundle" && crun spec) || skip "crun spec failed"
cp "$bundle/config.json" "$tmp/config.orig.json"

# libseccomp 2.5.4 now and then leaves the "ld [0]" out of an ABI's section, which then compares
# the syscall numbers with the arch word: every rule of that ABI is dead (seen with one
# conditional rule on a call x86 multiplexes, semop, and architectures [SCMP_ARCH_X86]). Such a
# program is libseccomp's bug, not a verdict to match: where every mismatch is on that ABI, the
# seed is excused.
arch_word_compared() {
        /usr/bin/python3 - "$1" <<'PY'
import struct, sys
d = open(sys.argv[1], "rb").read()
p = [struct.unpack_from("<HBBI", d, i) for i in range(0, len(d), 8)]
arches = {0xc000003e: "x86-64", 0x40000003: "x86"}
for i, (code, jt, jf, k) in enumerate(p):
    # "jeq #AUDIT_ARCH_…" whose taken branch tests A again without loading anything
    if code == 0x15 and k in arches and i + 1 + jt < len(p) and p[i + 1 + jt][0] & 7 == 5:
        print(arches[k])
        sys.exit(0)
sys.exit(1)
PY
}

failures=0 same=0 refused=0 excused=0
fail() {
        failures=$((failures + 1))
        echo "FAIL: $*"
}

for seed in $(seq "${seeds%-*}" "${seeds#*-}"); do
        # shellcheck disable=SC2086
        /usr/bin/python3 "$generator" $mode "$seed" >"$tmp/s.json"
        /usr/bin/python3 - "$tmp" <<'PY'
import json, sys
tmp = sys.argv[1]
c = json.load(open(f"{tmp}/config.orig.json"))
c["process"]["terminal"] = False
c["linux"]["seccomp"] = json.load(open(f"{tmp}/s.json"))
json.dump(c, open(f"{tmp}/bundle/config.json", "w"))
PY
        rm -f "$tmp/mf.bpf" "$tmp/crun.bpf"
        "$mf" oci compile --input=seccomp --format=raw --output="$tmp/mf.bpf" "$tmp/s.json" 2>"$tmp/mf.err"
        mf_rc=$?
        crun --cgroup-manager=disabled create -b "$bundle" "$id" >/dev/null 2>"$tmp/crun.err"
        crun_rc=$?
        [[ $crun_rc == 0 ]] && cp "/run/crun/$id/seccomp.bpf" "$tmp/crun.bpf"
        crun --cgroup-manager=disabled delete -f "$id" >/dev/null 2>&1

        if [[ $mf_rc != 0 && $crun_rc != 0 ]]; then
                refused=$((refused + 1))
                echo "ok: seed $seed: both refuse: crun: $(grep -v 'unknown seccomp syscall' "$tmp/crun.err" | tail -n 1); megafilter: $(grep -v ignoring "$tmp/mf.err" | head -n 1)"
        elif [[ $mf_rc != 0 ]]; then
                fail "seed $seed: megafilter refuses what crun takes: $(<"$tmp/mf.err")"
        elif [[ $crun_rc != 0 ]]; then
                fail "seed $seed: crun refuses what megafilter takes: $(<"$tmp/crun.err")"
        elif "$compare" "file:$tmp/crun.bpf" "file:$tmp/mf.bpf" crun megafilter >"$tmp/compare.out" 2>&1; then
                same=$((same + 1))
        elif arch=$(arch_word_compared "$tmp/crun.bpf") &&
             ! grep '^MISMATCH' "$tmp/compare.out" | grep -qv "^MISMATCH $arch "; then
                excused=$((excused + 1))
                echo "excused: seed $seed: crun's program compares syscall numbers with the arch word after its $arch check (libseccomp's bug); every mismatch is there"
        else
                fail "seed $seed: the filters differ: $(head -n 8 "$tmp/compare.out")"
                cp "$tmp/s.json" "/tmp/megafilter-oci-diff-seed-$seed.json" 2>/dev/null
        fi
done
echo "$same alike, $refused refused by both, $excused excused, $failures failures (seeds $seeds${mode:+, $mode})"
exit $((failures > 0))
