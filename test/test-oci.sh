#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# megafilter oci, for real: crun runs a busybox-static container under megafilter's program, handed
# over as the run.oci.seccomp_bpf_data annotation, for Docker's default profile (compiled from the
# profile) and for a bundle's own linux.seccomp (megafilter oci annotate). Inside, the process has
# exactly one filter, what the profile allows works, and what it denies or kills fails as it says;
# the same commands without a filter succeed, so the refusals are the filter's. megafilter-crun
# annotates at run and fails closed. A bad bundle is refused with its file:line:column and left as it
# was. Runs in a private mount namespace (crun
# wants cgroup2 alone, this host is hybrid). Exit 77 (skip) without crun, a static busybox or root.
# Differential: for every reference profile, crun's own filter (compiled by crun from the resolved
# linux.seccomp) and megafilter's program, each read back from a running container, decide every
# ABI, number and argument boundary alike (compare-filters).
# Usage: test-oci.sh COMPARE-FILTERS  (with $MEGAFILTER_BINARY; $MEGAFILTER_DATA_DIR or test/data
# for the profiles)
set -u

mf=${MEGAFILTER_BINARY:?}
compare=${1:?}
data=${MEGAFILTER_DATA_DIR:-${MEGAFILTER_SOURCE_ROOT:-.}/test/data}

. "${0%/*}/crun-env.sh" || exit 1
crun_require crun static-busybox root python3
crun_namespace "$@"

tmp=$(mktemp -d)
id=megafilter-oci-$$
trap 'for i in $id $id-crun $id-mf; do crun --cgroup-manager=disabled delete -f $i >/dev/null 2>&1; done; rm -rf "$tmp"' EXIT
failures=0
fail() {
        failures=$((failures + 1))
        echo "FAIL: $*"
}

bundle=$tmp/bundle
crun_bundle "$bundle"
cp "$bundle/config.json" "$tmp/config.orig.json"

# config SECCOMP-JSON-FILE|- ANNOTATION|- -- COMMAND…: config.json runs COMMAND with that linux.seccomp
# (- none) and that run.oci.seccomp_bpf_data (- none). Into $cfg_bundle when set.
config() {
        local seccomp=$1 annotation=$2
        shift 3
        /usr/bin/python3 - "$tmp" "$seccomp" "$annotation" "${cfg_bundle:-$bundle}" "$@" <<'PY'
import json, sys
tmp, seccomp, annotation, target, args = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5:]
c = json.load(open(f"{tmp}/config.orig.json"))
c["process"]["args"] = args
c["process"]["terminal"] = False
c["root"]["readonly"] = False
if seccomp != "-":
    c["linux"]["seccomp"] = json.load(open(seccomp))
if annotation != "-":
    c.setdefault("annotations", {})["run.oci.seccomp_bpf_data"] = open(annotation).read().strip()
json.dump(c, open(f"{target}/config.json", "w"), indent=1)
PY
}

# run WANT-RC WANT-STDOUT WANT-STDERR: crun runs the bundle as configured.
run() {
        local want_rc=$1 want_out=$2 want_err=$3 out rc args
        args=$(/usr/bin/python3 -c 'import json,sys; print(" ".join(json.load(open(sys.argv[1]))["process"]["args"]))' "$bundle/config.json")
        out=$(crun --cgroup-manager=disabled run -b "$bundle" "$id" 2>"$tmp/stderr")
        rc=$?
        crun --cgroup-manager=disabled delete -f "$id" >/dev/null 2>&1
        # shellcheck disable=SC2053
        if [[ $rc != "$want_rc" || $out != $want_out || $(<"$tmp/stderr") != $want_err ]]; then
                fail "crun $args: exit status $rc (expected $want_rc), stdout ${out@Q}, stderr $(<"$tmp/stderr")"
        else
                echo "ok: crun $args -> $rc"
        fi
}

status_cmd=(/bin/busybox grep -E '^Seccomp(_filters)?:' /proc/self/status)

# --- Docker's default profile, resolved for Docker's default capabilities and this kernel ---
profile=$data/oci/docker-default.json
if [[ -r $profile ]]; then
        "$mf" oci compile --format=base64 --output="$tmp/docker.b64" "$profile" 2>"$tmp/compile.err" ||
                fail "oci compile $profile: $(<"$tmp/compile.err")"
        "$mf" oci compile --format=json "$profile" 2>/dev/null >"$tmp/docker.json"
        echo "docker-default: $(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["instructions"])' "$tmp/docker.json") instructions"

        config - "$tmp/docker.b64" -- "${status_cmd[@]}"
        run 0 $'Seccomp:\t2\nSeccomp_filters:\t1' ""
        config - "$tmp/docker.b64" -- /bin/busybox sh -c 'echo hello; ls / >/dev/null; mkdir /tmp/new && rmdir /tmp/new'
        run 0 "hello" ""
        # Decided by argument: personality(PER_LINUX32) is allowed, netlink sockets too.
        config - "$tmp/docker.b64" -- /bin/busybox linux32 /bin/busybox true
        run 0 "" ""
        config - "$tmp/docker.b64" -- /bin/busybox ip link show lo
        run 0 "*lo*" ""
        # Denied (unshare(CLONE_NEWUSER) needs CAP_SYS_ADMIN in the profile): EPERM.
        config - "$tmp/docker.b64" -- /bin/busybox unshare -U /bin/busybox true
        run 1 "" "*Operation not permitted*"
        # Without a filter the same succeeds: the refusal is the filter's.
        config - - -- /bin/busybox unshare -U /bin/busybox true
        run 0 "" ""
        config - - -- "${status_cmd[@]}"
        run 0 $'Seccomp:\t0\nSeccomp_filters:\t0' ""
else
        echo "no $profile: Docker's profile not tried"
fi

# --- the differential: crun's own filter against megafilter's, for every reference profile ---
# crun_pid ID: the container's process.
crun_pid() {
        crun state "$1" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["pid"])'
}
cp -a "$bundle" "$tmp/bundle-mf"
profiles=0
for profile in "$data"/oci/*.json; do
        [[ -r $profile ]] || continue
        name=$(basename "$profile" .json)
        profiles=$((profiles + 1))
        "$mf" oci resolve --output="$tmp/$name.seccomp.json" "$profile" 2>/dev/null ||
                { fail "oci resolve $profile"; continue; }
        "$mf" oci compile --format=base64 --output="$tmp/$name.b64" "$profile" 2>/dev/null ||
                { fail "oci compile $profile"; continue; }
        config "$tmp/$name.seccomp.json" - -- /bin/busybox sleep 60
        cfg_bundle=$tmp/bundle-mf config "$tmp/$name.seccomp.json" "$tmp/$name.b64" -- /bin/busybox sleep 60
        if ! crun --cgroup-manager=disabled run -d -b "$bundle" "$id-crun" >/dev/null 2>"$tmp/crun.err" ||
           ! crun --cgroup-manager=disabled run -d -b "$tmp/bundle-mf" "$id-mf" >/dev/null 2>>"$tmp/crun.err"; then
                fail "$name: crun run -d: $(<"$tmp/crun.err")"
        elif "$compare" "$(crun_pid "$id-crun")" "$(crun_pid "$id-mf")" crun megafilter >"$tmp/compare.out" 2>&1; then
                echo "ok: $name: $(tail -n 1 "$tmp/compare.out")"
                mf_n=$(( $(base64 -d "$tmp/$name.b64" | wc -c) / 8 ))
                crun_n=$(( $(wc -c <"/run/crun/$id-crun/seccomp.bpf") / 8 ))
                echo "$name: crun's filter $crun_n instructions, megafilter's $mf_n"
        else
                fail "$name: crun's filter and megafilter's differ: $(head -n 25 "$tmp/compare.out")"
        fi
        for i in $id-crun $id-mf; do crun --cgroup-manager=disabled delete -f "$i" >/dev/null 2>&1; done
done
(( profiles > 0 )) || echo "no profiles in $data/oci: the differential was not run"

# --- megafilter oci annotate: the bundle's own linux.seccomp ---
cat >"$tmp/seccomp.json" <<'JSON'
{
        "defaultAction": "SCMP_ACT_ALLOW",
        "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
        "syscalls": [
                {"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 38},
                {"names": ["uname"], "action": "SCMP_ACT_KILL_PROCESS"},
                {"names": ["personality"], "action": "SCMP_ACT_ERRNO",
                 "args": [{"index": 0, "value": 8, "op": "SCMP_CMP_EQ"}]}
        ]
}
JSON
config "$tmp/seccomp.json" - -- /bin/busybox true
"$mf" oci annotate "$bundle" 2>"$tmp/annotate.err" || fail "oci annotate: $(<"$tmp/annotate.err")"
/usr/bin/python3 - "$bundle/config.json" "$tmp/seccomp.json" <<'PY' || fail "annotate wrote something else"
import json, sys
c = json.load(open(sys.argv[1]))
assert c["annotations"]["run.oci.seccomp_bpf_data"], "no annotation"
assert c["linux"]["seccomp"] == json.load(open(sys.argv[2])), "linux.seccomp changed"
PY
# The annotation is what crun loads: take the mkdir rule out of linux.seccomp, keep the annotation.
/usr/bin/python3 - "$bundle/config.json" "$tmp" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
open(f"{sys.argv[2]}/annotated.b64", "w").write(c["annotations"]["run.oci.seccomp_bpf_data"])
c["linux"]["seccomp"]["syscalls"] = []
json.dump(c, open(f"{sys.argv[2]}/emptied.json", "w"))
json.dump(c["linux"]["seccomp"], open(f"{sys.argv[2]}/emptied-seccomp.json", "w"))
PY
config "$tmp/emptied-seccomp.json" "$tmp/annotated.b64" -- /bin/busybox mkdir /tmp/new
run 1 "" "*Function not implemented*"
config "$tmp/emptied-seccomp.json" - -- /bin/busybox mkdir /tmp/new
run 0 "" ""
config "$tmp/emptied-seccomp.json" "$tmp/annotated.b64" -- /bin/busybox uname
run 159 "" ""
config "$tmp/emptied-seccomp.json" "$tmp/annotated.b64" -- /bin/busybox linux32 /bin/busybox true
run 1 "" "*personality*Operation not permitted*"
config "$tmp/emptied-seccomp.json" "$tmp/annotated.b64" -- /bin/busybox linux64 /bin/busybox echo fine
run 0 "fine" ""

# --- megafilter-crun: crun with megafilter compiling linux.seccomp at every create/run (its cache off;
# test-oci-runtime.sh tests it in full, test-oci-podman.sh under Podman) ---
wrapper=${MEGAFILTER_BUILD_ROOT:-}/src/oci-runtime/megafilter-crun
if [[ -x $wrapper ]]; then
        export MEGAFILTER_CRUN_CACHE=
        config "$tmp/seccomp.json" - -- /bin/busybox mkdir /tmp/new
        out=$("$wrapper" --cgroup-manager=disabled run --bundle "$bundle" "$id" 2>&1)
        rc=$?
        crun --cgroup-manager=disabled delete -f "$id" >/dev/null 2>&1
        if [[ $rc == 1 && $out == *"Function not implemented"* ]] &&
           grep -q run.oci.seccomp_bpf_data "$bundle/config.json"; then
                echo "ok: megafilter-crun run: the annotation is written and loaded"
        else
                fail "megafilter-crun run: exit status $rc, $out"
        fi
        config - - -- /bin/busybox true
        "$wrapper" --cgroup-manager=disabled run -b "$bundle" "$id" >"$tmp/out" 2>&1 ||
                fail "megafilter-crun without linux.seccomp: $(<"$tmp/out")"
        crun --cgroup-manager=disabled delete -f "$id" >/dev/null 2>&1
        grep -q run.oci.seccomp_bpf_data "$bundle/config.json" && fail "megafilter-crun annotated a bundle without linux.seccomp"
        unset MEGAFILTER_CRUN_CACHE
fi


# --- bad input: refused with file:line:column and the JSON path, nothing written ---
/usr/bin/python3 - "$tmp/seccomp.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
s["syscalls"][2]["args"][0]["op"] = "SCMP_CMP_EQUAL"
json.dump(s, open(sys.argv[1], "w"))
PY
config "$tmp/seccomp.json" - -- /bin/busybox true
cp "$bundle/config.json" "$tmp/before.json"
if "$mf" oci annotate "$bundle" 2>"$tmp/annotate.err"; then
        fail "oci annotate took an unknown operator"
elif ! grep -Eq "^$bundle/config.json:[0-9]+:[0-9]+: linux\.seccomp\.syscalls\[2\]\.args\[0\]\.op: unknown operator \"SCMP_CMP_EQUAL\"" "$tmp/annotate.err"; then
        fail "oci annotate's diagnostic: $(<"$tmp/annotate.err")"
else
        echo "ok: oci annotate refuses: $(<"$tmp/annotate.err")"
fi
cmp -s "$bundle/config.json" "$tmp/before.json" || fail "a refused annotate changed config.json"
[[ -z $(find "$bundle" -maxdepth 1 -name '.#*') ]] || fail "a refused annotate left a temporary file"
if [[ -x $wrapper ]]; then
        config "$tmp/seccomp.json" - -- /bin/busybox echo started
        out=$(MEGAFILTER_CRUN_CACHE= "$wrapper" --cgroup-manager=disabled run -b "$bundle" "$id" 2>&1)
        rc=$?
        crun --cgroup-manager=disabled delete -f "$id" >/dev/null 2>&1
        if [[ $rc == 1 && $out != *started* && $out == *"not starting"* && $out == *SCMP_CMP_EQUAL* ]]; then
                echo "ok: megafilter-crun fails closed"
        else
                fail "megafilter-crun with a bad linux.seccomp: exit status $rc, $out"
        fi
fi
"$mf" oci compile --output="$tmp/out.bpf" "$bundle" 2>/dev/null && fail "oci compile took an unknown operator"
[[ ! -e $tmp/out.bpf ]] || fail "a refused compile wrote its output"

# --- run.oci.seccomp_fail_unknown_syscall: a name libseccomp does not know is fatal, for crun
# and for megafilter; without it, both skip the name ---
echo '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["no_such_call", "mount"], "action": "SCMP_ACT_ERRNO"}]}' \
        >"$tmp/unknown.json"
for strict in yes no; do
        config "$tmp/unknown.json" - -- /bin/busybox true
        [[ $strict == yes ]] && /usr/bin/python3 -c '
import json, sys
c = json.load(open(sys.argv[1]))
c["annotations"] = {"run.oci.seccomp_fail_unknown_syscall": "1"}
json.dump(c, open(sys.argv[1], "w"))' "$bundle/config.json"
        cp "$bundle/config.json" "$tmp/before.json"
        crun --cgroup-manager=disabled run -b "$bundle" "$id" >/dev/null 2>&1
        crun_rc=$?
        crun --cgroup-manager=disabled delete -f "$id" >/dev/null 2>&1
        "$mf" oci annotate "$bundle" 2>"$tmp/annotate.err"
        mf_rc=$?
        if [[ $strict == yes ]]; then
                [[ $crun_rc != 0 ]] || fail "crun took an unknown name under run.oci.seccomp_fail_unknown_syscall"
                [[ $mf_rc != 0 ]] || fail "oci annotate took an unknown name under run.oci.seccomp_fail_unknown_syscall"
                grep -q no_such_call "$tmp/annotate.err" || fail "oci annotate's diagnostic: $(<"$tmp/annotate.err")"
                cmp -s "$bundle/config.json" "$tmp/before.json" || fail "a refused annotate changed config.json"
        else
                [[ $crun_rc == 0 && $mf_rc == 0 ]] || fail "an unknown name without the annotation: crun $crun_rc, oci annotate $mf_rc"
        fi
done
echo "ok: run.oci.seccomp_fail_unknown_syscall makes unknown names fatal, as in crun"

exit $((failures > 0))
