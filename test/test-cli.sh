#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The command line as a new user meets it: where a unit was looked for and what to type instead,
# directories and templates given by path, warnings where the result would otherwise be
# silently empty, one form for every error, messages the manual quotes, JSON output, suggestions,
# and output that fits the terminal.
set -uo pipefail
shopt -s extglob

mf=${MEGAFILTER_BINARY:?}
src=${MEGAFILTER_SOURCE_ROOT:?}
tmp=$(mktemp -d /tmp/megafilter-cli-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
failures=0 n=0

fail() {
        failures=$((failures + 1))
        echo "FAIL: $*"
}

# run ARGS…: megafilter in $tmp, setting $out, $err and $rc.
run() {
        out=$(cd "$tmp" && "$mf" "$@" 2>"$tmp/.stderr")
        rc=$?
        err=$(<"$tmp/.stderr")
}

# check NAME RC STDOUT-PATTERN STDERR-PATTERN -- ARGS… (bash patterns; "*" for anything)
check() {
        local name=$1 want_rc=$2 want_out=$3 want_err=$4
        shift 5
        n=$((n + 1))
        run "$@"
        # shellcheck disable=SC2053
        if [[ $rc != "$want_rc" || $out != $want_out || $err != $want_err ]]; then
                fail "$name: megafilter $*"
                echo "      exit status $rc (expected $want_rc)"
                echo "      stdout: ${out:0:400} (expected $want_out)"
                echo "      stderr: ${err:0:400} (expected $want_err)"
        else
                echo "ok: $name"
        fi
}

cp "$src/units/demo.service" "$tmp/demo.service"
printf '[Unit]\nDescription=no service section\n' >"$tmp/nosvc.service"
printf '[Service]\nExecStart=/bin/echo instance %%i\nSystemCallFilter=~@mount\n' >"$tmp/echo@.service"
printf '[Service]\nSystemCallFilter=@system-service\nNoSuchKey=1\n' >"$tmp/unknown-key.service"
printf '[Service]\nRestrictAddressFamilies=AF_UNIX AF_INET\n' >"$tmp/allow-af.service"
mkdir "$tmp/units"
export MEGAFILTER_UNIT_PATH=$tmp/nowhere

# --- Not found: where we looked, and the file of that name right here.
check "not found: where it looked" 1 "" "*Unit demo.service not found.*Looked for it in the system unit search path: $tmp/nowhere*" \
        -- run demo.service
check "not found: ./NAME suggested" 1 "" "*A file demo.service exists here*./demo.service*" -- run demo.service
check "not found, no such file: no suggestion" 1 "" "!(*exists here*)" -- show other.service
check "the suggestion works" 0 "*Hello from demo*" "*" -- run ./demo.service

# --- A directory.
check "compile DIR (a bare name)" 1 "" "*units is a directory here, not a unit*units/NAME.service*" -- compile units
check "compile ./DIR" 1 "" "$tmp/units: Unit file is a directory, refusing.*a directory holds unit files*" -- compile ./units

# --- A template instance by path.
check "template instance by path" 0 "instance hello" "" -- run ./echo@hello.service
check "template instance by path: show" 0 "SystemCallFilter=~*mount*" "" -- show -p SystemCallFilter ./echo@x.service
check "instance without its template" 1 "" "*nor its template nope@.service*" -- show ./nope@x.service

# --- Silent results made loud.
check "no [Service] section: a warning" 0 "# nosvc.service restricts no system call: no filter." \
        "$tmp/nosvc.service: Unit nosvc.service has no \[Service\] section*" -- compile ./nosvc.service
check "no [Service] section, --strict: refused" 1 "" "*" -- compile --strict ./nosvc.service
check "--layout with --pid: refused" 1 "" "megafilter: analyze: --layout and --mdwe choose how megafilter compiles*" \
        -- analyze --pid $$ --layout=single
check "--mdwe with --pid: refused" 1 "" "megafilter: analyze: --layout and --mdwe*" -- analyze --pid $$ --mdwe=seccomp

# --- -v: a group's member that no ABI has is the group's, not the line's.
run compile -v -p SystemCallFilter=@system-service -- "$src/units/webapp.service"
n=$((n + 1))
if grep -q 'Failed to parse system call, ignoring: llseek' <<<"$err" || ! grep -q '@basic-io lists llseek, which no ABI has' <<<"$err"; then
        fail "-v blames the line for a group's member: $(grep llseek <<<"$err")"
else
        echo "ok: -v names the group of a member no ABI has"
fi

# --- The unknown-key message is the one megafilter.unit(5) quotes (and systemd 252 prints).
n=$((n + 1))
quoted=$(MANWIDTH=200 man -l "$src/man/megafilter.unit.5" 2>/dev/null | grep -o '“FILE:LINE: Unknown key[^”]*”' | tr -d '“”')
run show ./unknown-key.service
want=${quoted//\'K\'/\'NoSuchKey\'}
want=${want//\[S\]/[Service]}
want=${want//FILE:LINE/$tmp/unknown-key.service:3}
if [[ -z $quoted || $err != *"$want"* ]]; then
        fail "unknown key: the manual quotes '$quoted', megafilter says '$err'"
else
        echo "ok: the unknown-key message is the manual's"
fi

# --- One form for every error: "megafilter: …", or "FILE:LINE: …" about input.
n=$((n + 1))
bad=0
for args in "comple x" "compile" "compile --no-such-option x" "compile --format=x x" "compile --arch=vax x" \
            "compile --layout=x x" "analyze --mdwe=x x" "show -p NoSuchProperty ./demo.service" "show" \
            "show nowhere.service" "run" "run -p nonsense -- /bin/true" "syscall-filter @nope" \
            "syscall-filter --no-such-option" "analyze --pid=x" "compile --format=raw ./demo.service" \
            "run -p SystemCallFilter=~mount\\ nosuchcall -- /bin/true" "show ./unknown-key.service" \
            "learn" "learn --duration=x -- /bin/true" "learn -- /nonexistent/command"; do
        # shellcheck disable=SC2086
        run $args
        while IFS= read -r line; do
                [[ -z $line ]] && continue
                if [[ $line != "megafilter: "* && $line != -p:+([0-9]):\ * && $line != /*:+([0-9]):\ * && $line != /*:\ * ]]; then
                        fail "megafilter $args: stderr line in no known form: $line"
                        bad=1
                fi
        done <<<"$err"
done
[[ $bad == 0 ]] && echo "ok: every error is 'megafilter: …' or 'FILE:LINE: …'"

check "a -p that does not apply cleanly is refused" 1 "" \
        "-p:1: Failed to parse system call, ignoring: nosuchcall*megafilter: Refusing -p SystemCallFilter=~mount nosuchcall*" \
        -- run -p 'SystemCallFilter=~mount nosuchcall' -- /bin/true

# --- Suggestions.
check "did you mean, verb" 1 "" "megafilter: Unknown command 'comple'. Did you mean 'compile'?*" -- comple
check "did you mean, far off" 1 "" "megafilter: Unknown command 'xyzzy'; see 'megafilter --help'." -- xyzzy
check "did you mean, property" 0 "*" "megafilter: Unknown property SystemCallFiltr (did you mean SystemCallFilter?), ignoring." \
        -- show -p SystemCallFiltr ./demo.service
check "unknown --arch: the valid names" 1 "" "megafilter: Unknown architecture vax; valid names: x86-64, x86, x32, arm, arm64,*" \
        -- compile --arch=vax ./demo.service
check "--arch=help" 0 $'x86-64\nx86\nx32*' "" -- compile --arch=help

# --- JSON.
n=$((n + 1))
run show --json ./demo.service
if ! python3 -c '
import json, sys
d = json.loads(sys.argv[1])
assert d["Id"] == "demo.service", d
assert d["RestrictAddressFamilies"] == "AF_INET AF_INET6 AF_UNIX", d
assert d["ProtectHostname"] == "yes"
assert "SystemCallFilter" in d and len(d) == 19, len(d)
' "$out"; then
        fail "show --json: $out"
else
        echo "ok: show --json"
fi
run show --json -p SystemCallErrorNumber ./demo.service
[[ $out == '{"Id":"demo.service","SystemCallErrorNumber":"1"}' ]] || fail "show --json -p: $out"
check "show --json --value: refused" 1 "" "megafilter: show: --json and --value exclude each other." -- show --json --value ./demo.service
n=$((n + 1))
run syscall-filter --json @reboot openat
if ! python3 -c '
import json, sys
d = json.loads(sys.argv[1])
assert d["@reboot"]["syscalls"] == ["kexec_file_load", "kexec_load", "reboot"], d
assert d["@reboot"]["description"]
assert "@system-service" in d["openat"]["sets"], d
assert d["openat"]["numbers"]["x86-64"] == 257 and d["openat"]["numbers"]["x32"] == 0x40000000 + 257
' "$out"; then
        fail "syscall-filter --json: $out"
else
        echo "ok: syscall-filter --json"
fi
n=$((n + 1))
run syscall-filter --json
python3 -c '
import json, sys
d = json.loads(sys.argv[1])
assert "@known" in d and "ungrouped" in d and "unlisted" in d
assert all(k.startswith("@") for k in d if k not in ("ungrouped", "unlisted"))
' "$out" && echo "ok: syscall-filter --json, every set" || fail "syscall-filter --json without arguments"
check "syscall-filter --json, unknown name: no output" 1 "" "megafilter: Unknown system call or filter set: nope" \
        -- syscall-filter --json @reboot nope

# --- analyze, an allow-list of address families: the allowed case is shown too.
check "analyze: allow-list RestrictAddressFamilies=" 0 "*socket: ERRNO(97) \[RestrictAddressFamilies=\]; ALLOW*" "" \
        -- analyze ./allow-af.service
n=$((n + 1))
run analyze --json ./allow-af.service
python3 -c '
import json, sys
d = json.loads(sys.argv[1])
v = [v for v in d["abis"][0]["verdicts"] if v["syscall"] == "socket"][0]
assert v["action"] == "ERRNO(97)" and v["directive"] == "RestrictAddressFamilies=", v
assert v["argument_rules"] == "ALLOW", v
' "$out" && echo "ok: analyze --json shows the allowing case" || fail "analyze --json, socket: $(grep -o '"syscall":"socket"[^}]*' <<<"$out")"

# --- Fitting the terminal: $COLUMNS, else 80 when not a tty (here: a pipe).
widest() { LC_ALL=C.UTF-8 wc -L; }         # display columns, whichever awk (mawk counts bytes)
for unit in "$src/units/webapp.service" "$src/units/fully-hardened.service" /lib/systemd/system/systemd-logind.service; do
        [[ -e $unit ]] || continue
        n=$((n + 1))
        w=$(cd "$tmp" && COLUMNS= "$mf" analyze "$unit" | widest)
        w80=$(cd "$tmp" && COLUMNS=80 "$mf" analyze "$unit" | widest)
        w60=$(cd "$tmp" && COLUMNS=60 "$mf" analyze "$unit" | widest)
        w200=$(cd "$tmp" && COLUMNS=200 "$mf" analyze "$unit" | widest)
        if (( w > 80 || w80 > 80 || w200 <= 80 || w60 >= w80 )); then
                fail "analyze $unit: widest lines $w (no COLUMNS, a pipe), $w80 (80), $w60 (60), $w200 (200)"
        else
                echo "ok: analyze $(basename "$unit") fits: $w, $w80, $w60, $w200 columns"
        fi
done
n=$((n + 1))
for verb in "" syscall-filter show compile analyze run learn; do
        # shellcheck disable=SC2086
        w=$("$mf" $verb --help | widest)
        (( w <= 80 )) || fail "megafilter $verb --help is $w columns wide"
done
echo "ok: --help fits 80 columns"

echo "$n checks, $failures failures"
[[ $failures == 0 ]]
