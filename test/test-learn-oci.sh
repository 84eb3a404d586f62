#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# megafilter learn --format=oci, for real: busybox (static, so the same binary runs on the host and
# in a container) is learned on the host, its linux.seccomp section goes into an OCI bundle, crun
# runs the same command in the container under it, and what the command did not do is refused
# there: a call it never made (mkdir) and an argument it never gave (personality(PER_LINUX32)
# after PER_LINUX). megafilter's own OCI input (megafilter oci compile), where it has one, takes
# the section without a warning. Runs in a private mount namespace (crun wants cgroup2 alone, this
# host is hybrid). Exit 77 (skip) without crun, a static busybox or root.
# Usage: test-learn-oci.sh  (with $MEGAFILTER_BINARY set)
set -u

mf=${MEGAFILTER_BINARY:?}

. "${0%/*}/crun-env.sh" || exit 1
crun_require crun static-busybox root python3
crun_namespace "$@"

tmp=$(mktemp -d)
trap 'crun --cgroup-manager=disabled delete -f megafilter-learn-oci >/dev/null 2>&1; rm -rf "$tmp"' EXIT
failures=0
fail() {
        failures=$((failures + 1))
        echo "FAIL: $*"
}

learned=("$busybox" linux64 "$busybox" sh -c 'echo hello; ls / >/dev/null')
"$mf" learn --format=oci --output="$tmp/seccomp.json" -- "${learned[@]}" >/dev/null 2>"$tmp/learn.log" ||
        { fail "megafilter learn --format=oci: $(tail -n 5 "$tmp/learn.log")"; exit 1; }

# megafilter's own OCI input takes it as crun does, without a warning (once it has one).
if "$mf" oci --help >/dev/null 2>&1; then
        if "$mf" oci compile --strict --input=seccomp "$tmp/seccomp.json" >/dev/null 2>"$tmp/oci.err"; then
                echo "ok: megafilter oci compile takes the section"
        else
                fail "megafilter oci compile --strict refuses the section: $(<"$tmp/oci.err")"
        fi
fi

crun_bundle "$tmp/bundle"

# in_container WANT-RC WANT-STDOUT WANT-STDERR -- COMMAND…: crun runs COMMAND under the learned section.
in_container() {
        local want_rc=$1 want_out=$2 want_err=$3 out rc
        shift 4
        /usr/bin/python3 - "$tmp" "$@" <<'PY'
import json, sys
tmp, args = sys.argv[1], sys.argv[2:]
c = json.load(open(f"{tmp}/bundle/config.json"))
c["process"]["args"] = args
c["process"]["terminal"] = False
c["root"]["readonly"] = False
c["linux"]["seccomp"] = json.load(open(f"{tmp}/seccomp.json"))
json.dump(c, open(f"{tmp}/bundle/config.json", "w"))
PY
        out=$(crun --cgroup-manager=disabled run -b "$tmp/bundle" megafilter-learn-oci 2>"$tmp/stderr")
        rc=$?
        crun --cgroup-manager=disabled delete -f megafilter-learn-oci >/dev/null 2>&1
        # shellcheck disable=SC2053
        if [[ $rc != "$want_rc" || $out != $want_out || $(<"$tmp/stderr") != $want_err ]]; then
                fail "crun $*: exit status $rc (expected $want_rc), stdout ${out@Q}, stderr $(<"$tmp/stderr")"
        else
                echo "ok: crun $* -> $rc"
        fi
}

in_container 0 "hello" "" -- /bin/busybox linux64 /bin/busybox sh -c 'echo hello; ls / >/dev/null'
# Never learned: mkdir(2), and personality() with another persona.
in_container 1 "" "*Operation not permitted*" -- /bin/busybox mkdir /tmp/new
in_container 1 "" "*personality*Operation not permitted*" -- /bin/busybox linux32 /bin/busybox true
# Without the section the same commands work: the refusals are the section's.
printf '{"defaultAction": "SCMP_ACT_ALLOW"}\n' >"$tmp/seccomp.json"
in_container 0 "" "" -- /bin/busybox mkdir /tmp/new
in_container 0 "" "" -- /bin/busybox linux32 /bin/busybox true

exit $((failures > 0))
