#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# megafilter-crun, the runtime wrapper, for real: crun runs busybox-static containers through it.
# A bundle's linux.seccomp (Docker's default profile resolved, and a small one of our own) reaches
# the container as megafilter's single filter (Seccomp_filters 1, the program crun loaded is the
# annotation's), denied calls fail with the profile's errno, exit status and stdout are crun's;
# crun's global options and create/run's --bundle/-b/--config forms are understood; a bad profile
# stops the container (exit status 1, file:line:column and JSON path on stderr and in crun's --log
# file, config.json byte for byte as it was, nothing cached); a bundle without linux.seccomp runs
# as it is. The cache of compiled programs: a hit gives the same program, another linux.seccomp
# misses, entries others may write or that are corrupt are not used.
# Private mount namespace as test-oci.sh (crun wants cgroup2 alone). Exit 77 without crun, a
# static busybox or root.
# Usage: test-oci-runtime.sh MEGAFILTER-CRUN  (with $MEGAFILTER_BINARY; $MEGAFILTER_DATA_DIR or
# test/data for Docker's profile)
set -u

mf=${MEGAFILTER_BINARY:?}
wrapper=$(realpath "${1:?}")
data=${MEGAFILTER_DATA_DIR:-${MEGAFILTER_SOURCE_ROOT:-.}/test/data}

. "${0%/*}/crun-env.sh" || exit 1
crun_require crun static-busybox root python3
crun_namespace "$@"

# The wrapper runs at every container start: static-pie, no shared library at all (no libsystemd,
# no libseccomp); in a sanitizer build libc, the dynamic loader (named for __tls_get_addr) and the
# sanitizers' runtimes.
if command -v readelf >/dev/null; then
        needed=$(readelf -d "$wrapper" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | grep -Ev '^(lib(a|ub|l|t)san\.so|ld-linux)' | tr '\n' ' ')
        if [[ -n $needed && $needed != "libc.so.6 " ]]; then
                echo "FAIL: megafilter-crun needs more than libc: $needed"
                exit 1
        fi
        echo "ok: megafilter-crun needs ${needed:-no shared library}"
fi

tmp=$(mktemp -d)
# The cache of compiled programs: the test's own (the default is /run/megafilter-crun).
export MEGAFILTER_CRUN_CACHE=$tmp/cache
id=megafilter-oci-runtime-$$
root=$tmp/crun-root
trap 'crun --root "$root" --cgroup-manager=disabled delete -f $id >/dev/null 2>&1; rm -rf "$tmp"' EXIT
failures=0
fail() {
        failures=$((failures + 1))
        echo "FAIL: $*"
}

bundle=$tmp/bundle
crun_bundle "$bundle"
cp "$bundle/config.json" "$tmp/config.orig.json"

# config SECCOMP-JSON-FILE|- -- COMMAND…: config.json (or $cfg_file) runs COMMAND with that
# linux.seccomp (- none).
config() {
        local seccomp=$1
        shift 2
        /usr/bin/python3 - "$tmp" "$seccomp" "${cfg_file:-$bundle/config.json}" "$@" <<'PY'
import json, sys
tmp, seccomp, target, args = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
c = json.load(open(f"{tmp}/config.orig.json"))
c["process"]["args"] = args
c["process"]["terminal"] = False
c["root"]["readonly"] = False
c["root"]["path"] = "rootfs"
if seccomp != "-":
    c["linux"]["seccomp"] = json.load(open(seccomp))
# What the wrapper must write back as it was: strings with escapes, numbers as written.
c.setdefault("annotations", {})["org.example.text"] = 'tab\there "q" \\ \u0001 nl\n \u00e9 \u2713 \u007f'
json.dump(c, open(target, "w"), indent=1)
json.dump(c, open(target + ".written", "w"))
PY
}

# run WANT-RC WANT-STDOUT WANT-STDERR [WRAPPER-ARGS…]: the wrapper runs the bundle as configured
# (default arguments: --root, --cgroup-manager=disabled run -b BUNDLE ID).
run() {
        local want_rc=$1 want_out=$2 want_err=$3 out rc args
        shift 3
        (( $# > 0 )) || set -- --root "$root" --cgroup-manager=disabled run -b "$bundle" "$id"
        args=$(/usr/bin/python3 -c 'import json,sys; print(" ".join(json.load(open(sys.argv[1]))["process"]["args"]))' "${cfg_file:-$bundle/config.json}" 2>/dev/null)
        out=$("$wrapper" "$@" 2>"$tmp/stderr")
        rc=$?
        crun --root "$root" --cgroup-manager=disabled delete -f "$id" >/dev/null 2>&1
        # shellcheck disable=SC2053
        if [[ $rc != "$want_rc" || $out != $want_out || $(<"$tmp/stderr") != $want_err ]]; then
                fail "megafilter-crun $*: $args: exit status $rc (expected $want_rc), stdout ${out@Q}, stderr $(<"$tmp/stderr")"
        else
                echo "ok: megafilter-crun ${*:1:2}…: $args -> $rc"
        fi
}

# annotation_of FILE: the run.oci.seccomp_bpf_data of a config.json, "" when none.
annotation_of() {
        /usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get("annotations", {}).get("run.oci.seccomp_bpf_data", ""))' "$1"
}

status_cmd=(/bin/busybox grep -E '^Seccomp(_filters)?:' /proc/self/status)

# --- a linux.seccomp of our own: errno, kill, an argument-checked call ---
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
config "$tmp/seccomp.json" -- "${status_cmd[@]}"
run 0 $'Seccomp:\t2\nSeccomp_filters:\t1' ""
b64=$(annotation_of "$bundle/config.json")
[[ -n $b64 ]] || fail "no annotation written into config.json"
/usr/bin/python3 - "$bundle/config.json" <<'PY' || fail "config.json changed beyond the annotation"
import json, sys
c = json.load(open(sys.argv[1]))
del c["annotations"]["run.oci.seccomp_bpf_data"]
assert c == json.load(open(sys.argv[1] + ".written")), c
PY
"$mf" oci compile --format=base64 "$bundle" 2>/dev/null >"$tmp/expected.b64"
[[ $b64 == "$(<"$tmp/expected.b64")" ]] || fail "the annotation is not megafilter oci compile's program"
[[ -z $(find "$bundle" -maxdepth 1 -name '.#*') ]] || fail "a temporary file left in the bundle"

config "$tmp/seccomp.json" -- /bin/busybox mkdir /tmp/new
run 1 "" "*Function not implemented*"
config "$tmp/seccomp.json" -- /bin/busybox uname
run 159 "" ""
config "$tmp/seccomp.json" -- /bin/busybox linux32 /bin/busybox true
run 1 "" "*personality*Operation not permitted*"

# The program crun loaded is the annotation's: crun keeps it as /run/crun/ID/seccomp.bpf.
config "$tmp/seccomp.json" -- /bin/busybox sleep 30
if "$wrapper" --root "$root" --cgroup-manager=disabled run -d -b "$bundle" "$id" >/dev/null 2>"$tmp/stderr"; then
        if cmp -s "$root/$id/seccomp.bpf" <(base64 -d <<<"$(annotation_of "$bundle/config.json")"); then
                echo "ok: crun loaded the annotation's program ($(( $(wc -c <"$root/$id/seccomp.bpf") / 8 )) instructions)"
        else
                fail "crun's seccomp.bpf is not the annotation's program"
        fi
else
        fail "megafilter-crun run -d: $(<"$tmp/stderr")"
fi
crun --root "$root" delete -f "$id" >/dev/null 2>&1

# The same calls without seccomp succeed: the refusals above are the filter's.
config - -- /bin/busybox sh -c 'mkdir /tmp/new && rmdir /tmp/new && uname >/dev/null && linux32 true && echo fine'
cp "$bundle/config.json" "$tmp/before.json"
run 0 "fine" ""
cmp -s "$bundle/config.json" "$tmp/before.json" || fail "a bundle without linux.seccomp was rewritten"
config - -- "${status_cmd[@]}"
run 0 $'Seccomp:\t0\nSeccomp_filters:\t0' ""

# --- the ways crun is called: options before and after, abbreviated, --config, default bundle ---
config "$tmp/seccomp.json" -- /bin/busybox mkdir /tmp/new
run 1 "" "*Function not implemented*" --root="$root" --cgroup-manager disabled --log "$tmp/crun.log" run --bundle="$bundle" "$id"
config "$tmp/seccomp.json" -- /bin/busybox mkdir /tmp/new
run 1 "" "*Function not implemented*" --root "$root" --cgroup-man=disabled run --bun "$bundle" "$id"
config "$tmp/seccomp.json" -- /bin/busybox mkdir /tmp/new
(cd "$bundle" && run 1 "" "*Function not implemented*" --root "$root" --cgroup-manager=disabled run "$id")
cfg_file=$bundle/other.json config "$tmp/seccomp.json" -- /bin/busybox mkdir /tmp/new
config - -- /bin/busybox mkdir /tmp/new
# crun takes --config relative to the working directory.
(cd "$tmp" && cfg_file=$bundle/other.json run 1 "" "*Function not implemented*" --root "$root" --cgroup-manager=disabled run -b "$bundle" -f bundle/other.json "$id")
[[ -n $(annotation_of "$bundle/other.json") && -z $(annotation_of "$bundle/config.json") ]] ||
        fail "--config: the annotation went elsewhere"
# create + start: create is annotated too.
config "$tmp/seccomp.json" -- "${status_cmd[@]}"
if "$wrapper" --root "$root" --cgroup-manager=disabled create -b "$bundle" "$id" >"$tmp/create.out" 2>"$tmp/stderr" &&
   [[ -n $(annotation_of "$bundle/config.json") ]] &&
   crun --root "$root" start "$id" 2>>"$tmp/stderr"; then
        for _ in $(seq 100); do
                [[ $(crun --root "$root" state "$id" 2>/dev/null) == *'"stopped"'* ]] && break
                sleep 0.1
        done
        if [[ $(<"$tmp/create.out") == *$'Seccomp_filters:\t1'* ]]; then
                echo "ok: megafilter-crun create, crun start: one filter"
        else
                fail "megafilter-crun create, crun start: $(<"$tmp/create.out")"
        fi
else
        fail "megafilter-crun create: $(<"$tmp/stderr")"
fi
crun --root "$root" delete -f "$id" >/dev/null 2>&1
# Other commands are crun's, untouched.
[[ $("$wrapper" --version) == "$(crun --version)" ]] || fail "megafilter-crun --version is not crun's"
"$wrapper" --root "$root" state nonexistent-$$ >/dev/null 2>&1 && fail "state of no container succeeded"

# --- the cache: the same linux.seccomp again is not compiled again, and gives the same program ---
config "$tmp/seccomp.json" -- /bin/busybox mkdir /tmp/new
entries=$(find "$tmp/cache" -type f | wc -l)
MEGAFILTER_CRUN_DEBUG=1 run 1 "" "*compiled before*Function not implemented*"
[[ $(annotation_of "$bundle/config.json") == "$(<"$tmp/expected.b64")" ]] || fail "the cached program differs"
[[ $(find "$tmp/cache" -type f | wc -l) == "$entries" ]] || fail "a hit added an entry"
# Another linux.seccomp (here only its errnoRet): another entry, its own program.
/usr/bin/python3 - "$tmp/seccomp.json" "$tmp/seccomp-eperm.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
s["syscalls"][0]["errnoRet"] = 1
json.dump(s, open(sys.argv[2], "w"))
PY
config "$tmp/seccomp-eperm.json" -- /bin/busybox mkdir /tmp/new
MEGAFILTER_CRUN_DEBUG=1 run 1 "" "*Operation not permitted*"
grep -q "compiled before" "$tmp/stderr" && fail "another linux.seccomp came from the cache"
[[ $(find "$tmp/cache" -type f | wc -l) == $((entries + 1)) ]] || fail "a miss stored no entry"
# An entry others may write is not used; nor one whose program is not base64.
chmod 0666 "$tmp/cache"/*
config "$tmp/seccomp.json" -- /bin/busybox mkdir /tmp/new
MEGAFILTER_CRUN_DEBUG=1 run 1 "" "*Function not implemented*"
grep -q "compiled before" "$tmp/stderr" && fail "a world-writable cache entry was used"
chmod 0600 "$tmp/cache"/*
for f in "$tmp/cache"/*; do sed -i '$ s/^./!/' "$f"; done
MEGAFILTER_CRUN_DEBUG=1 run 1 "" "*Function not implemented*"
grep -q "compiled before" "$tmp/stderr" && fail "a corrupt cache entry was used"
# Without a cache (empty $MEGAFILTER_CRUN_CACHE) the same works.
MEGAFILTER_CRUN_CACHE= run 1 "" "*Function not implemented*"

# --- Docker's default profile, resolved into linux.seccomp as the engine does it ---
profile=$data/oci/docker-default.json
if [[ -r $profile ]]; then
        "$mf" oci resolve --output="$tmp/docker.seccomp.json" "$profile" 2>/dev/null || fail "oci resolve $profile"
        config "$tmp/docker.seccomp.json" -- "${status_cmd[@]}"
        run 0 $'Seccomp:\t2\nSeccomp_filters:\t1' ""
        config "$tmp/docker.seccomp.json" -- /bin/busybox sh -c 'echo hello; mkdir /tmp/new && rmdir /tmp/new'
        run 0 "hello" ""
        config "$tmp/docker.seccomp.json" -- /bin/busybox ip link show lo
        run 0 "*lo*" ""
        config "$tmp/docker.seccomp.json" -- /bin/busybox unshare -U /bin/busybox true
        run 1 "" "*Operation not permitted*"
        config - -- /bin/busybox unshare -U /bin/busybox true
        run 0 "" ""
        # Exit status and standard output are the container's.
        config "$tmp/docker.seccomp.json" -- /bin/busybox sh -c 'echo out; exit 7'
        run 7 "out" ""
else
        echo "no $profile: Docker's profile not tried"
fi

# --- fail closed: a profile megafilter refuses stops the container, config.json untouched ---
/usr/bin/python3 - "$tmp/seccomp.json" "$tmp/bad.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
s["syscalls"][2]["args"][0]["op"] = "SCMP_CMP_EQUAL"
json.dump(s, open(sys.argv[2], "w"), indent=1)
PY
config "$tmp/bad.json" -- /bin/busybox echo started
cp "$bundle/config.json" "$tmp/before.json"
: >"$tmp/crun.log"
out=$("$wrapper" --root "$root" --cgroup-manager=disabled --log "$tmp/crun.log" --log-format=json run -b "$bundle" "$id" 2>"$tmp/stderr")
rc=$?
if [[ $rc == 0 || -n $out ]]; then
        fail "a bad profile: the container ran (exit status $rc, stdout ${out@Q})"
elif ! grep -Eq "$bundle/config.json:[0-9]+:[0-9]+: linux\.seccomp\.syscalls\[2\]\.args\[0\]\.op: unknown operator \"SCMP_CMP_EQUAL\"" "$tmp/stderr"; then
        fail "a bad profile: the diagnostic: $(<"$tmp/stderr")"
else
        echo "ok: a bad profile stops the container: $(<"$tmp/stderr")"
fi
crun --root "$root" state "$id" >/dev/null 2>&1 && fail "a bad profile: the container was created"
grep -rqs SCMP_CMP_EQUAL "$tmp/cache" && fail "a bad profile: cached"
cmp -s "$bundle/config.json" "$tmp/before.json" || fail "a bad profile: config.json changed"
[[ -z $(find "$bundle" -maxdepth 1 -name '.#*') ]] || fail "a bad profile: a temporary file left in the bundle"
/usr/bin/python3 - "$tmp/crun.log" <<'PY' || fail "a bad profile: crun's --log: $(<"$tmp/crun.log")"
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
assert any("SCMP_CMP_EQUAL" in l["msg"] and l["level"] == "error" for l in lines), lines
PY
# An unreadable config.json, invalid JSON: the same.
printf '{"linux": {"seccomp": {"defaultAction": "SCMP_ACT_ALLOW",}}}' >"$bundle/config.json"
run 1 "" "megafilter-crun: $bundle/config.json:1:58: *"
# The annotation may not be left over from before: a profile that became bad refuses too.
config "$tmp/seccomp.json" -- /bin/busybox true
run 0 "" ""
/usr/bin/python3 - "$bundle/config.json" "$tmp/bad.json" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
c["linux"]["seccomp"] = json.load(open(sys.argv[2]))
json.dump(c, open(sys.argv[1], "w"))
PY
run 1 "" "*SCMP_CMP_EQUAL*"
# crun missing.
config "$tmp/seccomp.json" -- /bin/busybox true
MEGAFILTER_CRUN=$tmp/no-crun run 127 "" "*cannot execute $tmp/no-crun*"

exit $((failures > 0))
