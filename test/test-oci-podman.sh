#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Podman end to end through megafilter-crun: `podman --runtime megafilter-crun run --rootfs DIR`
# (a busybox-static root filesystem, no image) under Podman's own default profile. The container
# has one filter, and it is megafilter's (the annotation in the config.json Podman wrote, the
# program read back from the process); what the profile denies fails with its errno where the
# same call without seccomp reaches the kernel; exit status and output are the container's; a
# profile megafilter refuses stops the container with the JSON path in Podman's error. Podman's
# state lives in a temporary directory (--root, --runroot, CONTAINERS_CONF), the mounts in a
# private mount namespace; --cgroups=disabled (this host's hybrid layout), ulimits this sandbox
# can set. Exit 77 without podman, crun, a static busybox or root.
# Usage: test-oci-podman.sh MEGAFILTER-CRUN  (with $MEGAFILTER_BINARY)
set -u

mf=${MEGAFILTER_BINARY:?}
wrapper=$(realpath "${1:?}")

. "${0%/*}/crun-env.sh" || exit 1
crun_require podman crun static-busybox root
crun_namespace "$@"

tmp=$(mktemp -d)
failures=0
fail() {
        failures=$((failures + 1))
        echo "FAIL: $*"
}
# Podman runs its runtime with an environment of its own: the cache directory (not
# /run/megafilter-crun) through a script.
mkdir "$tmp/bin"
printf '#!/bin/sh\nMEGAFILTER_CRUN_CACHE=%q exec %q "$@"\n' "$tmp/cache" "$wrapper" >"$tmp/bin/megafilter-crun"
chmod +x "$tmp/bin/megafilter-crun"
# Podman takes --cgroups=disabled only from runtimes it knows can do without (crun's name).
cat >"$tmp/containers.conf" <<EOF2
[engine]
runtime_supports_nocgroup = ["crun", "krun", "megafilter-crun"]
runtime_supports_json = ["crun", "runc", "krun", "megafilter-crun"]
[engine.runtimes]
megafilter-crun = ["$tmp/bin/megafilter-crun"]
EOF2
export CONTAINERS_CONF=$tmp/containers.conf
podman_base=(podman --root "$tmp/storage" --runroot "$tmp/run" --tmpdir "$tmp/tmp" --events-backend=none
             --cgroup-manager=cgroupfs)
run_opts=(--cgroups=disabled --network=none --ulimit nofile=1024:1024 --ulimit nproc=1024:1024)
trap '"${podman_base[@]}" rm -a -f -t 0 >/dev/null 2>&1; rm -rf "$tmp"' EXIT
rootfs=$tmp/rootfs
mkdir -p "$rootfs/"{bin,proc,dev,sys,tmp,etc}
cp "$busybox" "$rootfs/bin/busybox"
ln -s busybox "$rootfs/bin/sh"

# prun RUNTIME [PODMAN-RUN-OPTIONS…] -- COMMAND…
prun() {
        local runtime=$1 opts=()
        shift
        while [[ $1 != -- ]]; do opts+=("$1"); shift; done
        shift
        "${podman_base[@]}" --runtime "$runtime" run --rm "${run_opts[@]}" "${opts[@]}" --rootfs "$rootfs" "$@"
}

# check WANT-RC WANT-OUTPUT DESCRIPTION -- PRUN-ARGS…: output is stdout and stderr.
check() {
        local want_rc=$1 want_out=$2 what=$3 out rc
        shift 4
        out=$(prun "$@" 2>&1)
        rc=$?
        # shellcheck disable=SC2053
        if [[ $rc != "$want_rc" || $out != $want_out ]]; then
                fail "$what: exit status $rc (expected $want_rc), output ${out@Q}"
        else
                echo "ok: $what -> $rc"
        fi
}

prun megafilter-crun -- /bin/busybox true >"$tmp/first.out" 2>&1 ||
        skip "podman cannot run a container here: $(<"$tmp/first.out")"

check 0 $'Seccomp:\t2\nSeccomp_filters:\t1' "one filter" -- megafilter-crun -- /bin/busybox grep -E '^Seccomp(_filters)?:' /proc/self/status
check 3 "out" "exit status and output" -- megafilter-crun -- /bin/sh -c 'echo out; exit 3'
# swapoff is denied (EPERM) whatever the capabilities; with CAP_SYS_ADMIN and no seccomp it
# reaches the kernel, which says EISDIR.
check 1 "*Operation not permitted*" "swapoff denied by the profile" -- megafilter-crun --cap-add SYS_ADMIN -- /bin/busybox swapoff /tmp
check 1 "*Is a directory*" "swapoff without seccomp" -- megafilter-crun --cap-add SYS_ADMIN --security-opt seccomp=unconfined -- /bin/busybox swapoff /tmp

# The filter of a running container is the annotation megafilter-crun wrote into Podman's config.json,
# and not what crun compiles for the same profile.
filter_of() {           # RUNTIME: "INSTRUCTIONS ANNOTATION-INSTRUCTIONS"
        local id pid config n
        id=$("${podman_base[@]}" --runtime "$1" run -d "${run_opts[@]}" --rootfs "$rootfs" /bin/busybox sleep 60) || return 1
        pid=$("${podman_base[@]}" inspect -f '{{.State.Pid}}' "$id")
        config=$("${podman_base[@]}" inspect -f '{{.OCIConfigPath}}' "$id")
        n=$("$mf" analyze --pid="$pid" --json | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["instructions"])')
        echo "$n $(/usr/bin/python3 - "$config" <<'PY'
import base64, json, sys
c = json.load(open(sys.argv[1]))
assert c["linux"]["seccomp"]["syscalls"], "no linux.seccomp"
print(len(base64.b64decode(c.get("annotations", {}).get("run.oci.seccomp_bpf_data", ""))) // 8)
PY
)"
        "${podman_base[@]}" rm -f -t 0 "$id" >/dev/null
}
read -r mf_n mf_annotated < <(filter_of megafilter-crun)
read -r crun_n crun_annotated < <(filter_of crun)
if [[ -z ${mf_n:-} || -z ${crun_n:-} ]]; then
        fail "podman run -d: no filter read back"
elif [[ $mf_n != "$mf_annotated" || $crun_annotated != 0 || $mf_n == "$crun_n" ]]; then
        fail "Podman's default profile: megafilter-crun's container runs $mf_n instructions (annotation $mf_annotated), crun's $crun_n (annotation $crun_annotated)"
else
        echo "ok: Podman's default profile: megafilter's program ($mf_n instructions) instead of crun's ($crun_n)"
fi

# A profile megafilter refuses: the container does not start, Podman's error has the JSON path.
printf '%s\n' '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdir"], "action": "SCMP_ACT_ERRNO", "errnoRet": 5000}]}' >"$tmp/bad.json"
check 126 "*config.json:*linux.seccomp.syscalls\[0\]*errno 5000*not starting it*" "a refused profile" -- megafilter-crun --security-opt seccomp="$tmp/bad.json" -- /bin/busybox echo started

[[ -n $(find "$tmp/cache" -type f 2>/dev/null) ]] || fail "megafilter-crun under Podman did not use \$MEGAFILTER_CRUN_CACHE"

exit $((failures > 0))
