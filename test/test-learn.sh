#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# megafilter learn, for real: real programs learned (coreutils, tar, python3 opening a socket, a
# W+X mapper, a namespace user, a multi-threaded one, one that forks and execs), each run again
# under its proposal with megafilter run, where it must behave as unwatched; then, per directive,
# a behaviour the program did not show, which its proposal must refuse (and which the same command
# without the proposal is allowed, so that the test can fail). Then the faults: a command that
# cannot start, a child that outlives the run, an interrupted run, a number no table names, bad
# options; the check's report; and the OCI output.
# Usage: test-learn.sh LEARN_HELPER  (with $MEGAFILTER_BINARY set)
set -u
shopt -s extglob
ulimit -c 0

mf=${MEGAFILTER_BINARY:?}
helper=$(realpath "${1:?usage: test-learn.sh LEARN_HELPER}")
python=/usr/bin/python3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
n=0

fail() {
        failures=$((failures + 1))
        echo "FAIL: $*"
}

ok() {
        echo "ok: $*"
}

# learn NAME [LEARN-OPTIONS…] -- COMMAND…: learn COMMAND as unit NAME.service (in $tmp, with its
# own [Service] settings in $tmp/NAME.settings if that exists) into NAME.service.d/learned.conf.
learn() {
        local name=$1 rc
        shift
        { echo "[Service]"; cat "$tmp/$name.settings" 2>/dev/null; } >"$tmp/$name.service"
        mkdir -p "$tmp/$name.service.d"
        "$mf" learn "$tmp/$name.service" "$@" >"$tmp/$name.service.d/learned.conf" 2>"$tmp/$name.learn.log"
        rc=$?
        if [[ $rc != 0 ]]; then
                fail "$name: megafilter learn exited with $rc"
                tail -n 15 "$tmp/$name.learn.log"
                return 1
        fi
        grep -q '^# Checked: a second run under this drop-in was refused nothing' "$tmp/$name.service.d/learned.conf" ||
                fail "$name: the proposal says no check passed"
        return 0
}

# under NAME WANT-RC WANT-STDOUT -- COMMAND…: run COMMAND under unit NAME with its proposal.
under() {
        local name=$1 want_rc=$2 want_out=$3 out rc
        shift 3
        [[ $1 == -- ]] && shift
        n=$((n + 1))
        out=$("$mf" run "$tmp/$name.service" -- "$@" 2>"$tmp/stderr")
        rc=$?
        # shellcheck disable=SC2053
        if [[ $rc != "$want_rc" || $out != $want_out ]]; then
                fail "$name: $* under the proposal: exit status $rc (expected $want_rc), stdout ${out@Q} (expected $want_out), stderr $(head -c 300 "$tmp/stderr")"
        else
                ok "$name: $* under the proposal -> $rc ${out//$'\n'/ }"
        fi
}

# unwatched WANT-RC WANT-STDOUT -- COMMAND…: the same command without any sandbox.
unwatched() {
        local want_rc=$1 want_out=$2 out rc
        shift 2
        [[ $1 == -- ]] && shift
        out=$("$@" 2>/dev/null)
        rc=$?
        # shellcheck disable=SC2053
        [[ $rc == "$want_rc" && $out == $want_out ]] ||
                fail "unwatched $*: exit status $rc (expected $want_rc), stdout ${out@Q} (expected $want_out)"
}

has() {
        grep -q -- "$2" "$tmp/$1.service.d/learned.conf" || fail "$1: the proposal lacks '$2'"
}

# header FILE TEXT: the comments of a proposal, joined into one line, contain TEXT.
header() {
        local text
        text=$(sed -n 's/^# //p' "$1" | tr '\n' ' ')
        [[ $text == *"$2"* ]] || fail "$1: the comments do not say '$2': $(head -c 400 "$1")"
}

# refused NAME DIRECTIVE WANT ALLOWED -- ACTION…: under NAME's proposal the helper's ACTION gives
# WANT, learn --check names DIRECTIVE as the one refusing it, and without any sandbox it gives
# ALLOWED (a pattern: "!(EPERM)" where this host allows it).
refused() {
        local name=$1 directive=$2 want=$3 allowed=$4 rc
        shift 4
        [[ $1 == -- ]] && shift
        under "$name" 0 "$want" -- "$helper" "$@"
        "$mf" learn --check "$tmp/$name.service.d/learned.conf" "$tmp/$name.service" -- "$helper" "$@" \
                >"$tmp/check.out" 2>"$tmp/check.err"
        rc=$?
        [[ $rc == 2 ]] || fail "learn --check of $name with $* exited with $rc, not 2"
        grep -q "^megafilter: refused: .* from $directive ($tmp/$name.service.d/learned.conf:[0-9]*), which the unit alone allows" \
                "$tmp/check.out" || fail "learn --check of $name with $*: $(<"$tmp/check.out")"
        unwatched 0 "$allowed" -- "$helper" "$@"
}

lacks() {
        ! grep -q -- "$2" "$tmp/$1.service.d/learned.conf" || fail "$1: the proposal has '$2'"
}

# --- coreutils
echo "some text" >"$tmp/src"
if learn cp -- /bin/cp "$tmp/src" "$tmp/dst"; then
        rm -f "$tmp/dst"
        under cp 0 "" -- /bin/cp "$tmp/src" "$tmp/dst"
        cmp -s "$tmp/src" "$tmp/dst" || fail "cp under its proposal did not copy"
        # rm was never learned: unlinkat() is refused.
        under cp 1 "" -- /bin/rm "$tmp/dst"
        [[ -e $tmp/dst ]] || fail "rm under cp's proposal removed the file"
fi
if learn sha256sum -- /usr/bin/sha256sum "$tmp/src"; then
        want=$(/usr/bin/sha256sum "$tmp/src")
        under sha256sum 0 "$want" -- /usr/bin/sha256sum "$tmp/src"
fi
if learn ls -- /bin/ls /usr/share; then
        under ls 0 "$(/bin/ls /usr/share)" -- /bin/ls /usr/share
        has ls 'SystemCallArchitectures=native'
        has ls 'RestrictAddressFamilies=none'
fi

# --- tar
mkdir -p "$tmp/extract"
if learn tar -- /bin/tar -C /usr/include -cf "$tmp/include.tar" linux; then
        rm -f "$tmp/include.tar"
        under tar 0 "" -- /bin/tar -C /usr/include -cf "$tmp/include.tar" linux
        [[ -s $tmp/include.tar ]] || fail "tar under its proposal wrote no archive"
        # Extracting was never learned: mkdirat() is refused.
        under tar 2 "" -- /bin/tar -C "$tmp/extract" -xf "$tmp/include.tar"
        [[ -e $tmp/extract/linux ]] && fail "tar -x under the -c proposal created linux/"
fi

# --- python3, a socket of one family
if [[ -x $python ]]; then
        inet6='import socket; socket.socket(socket.AF_INET6, socket.SOCK_DGRAM); print("ok")'
        inet='import socket
try:
    socket.socket(socket.AF_INET, socket.SOCK_DGRAM); print("ok")
except OSError as e:
    print(e.errno)'
        if learn python -- "$python" -c "$inet6"; then
                has python '^RestrictAddressFamilies=AF_INET6$'
                under python 0 "ok" -- "$python" -c "$inet6"
                under python 0 "97" -- "$python" -c "$inet"     # EAFNOSUPPORT
                unwatched 0 "ok" -- "$python" -c "$inet"
        fi
else
        echo "SKIP: python3 tests: $python not installed"
fi

# --- W+X memory: the proposal must not set MemoryDenyWriteExecute=
if learn wx -- "$helper" mmap:wx; then
        lacks wx '^MemoryDenyWriteExecute=yes'
        has wx 'MemoryDenyWriteExecute=yes is not proposed: the run mapped memory with PROT_WRITE|PROT_EXEC'
        under wx 0 "ok" -- "$helper" mmap:wx
fi

# --- a namespace, threads, fork and exec
if learn unshare -- "$helper" unshare:uts; then
        has unshare '^RestrictNamespaces=uts$'
        under unshare 0 "ok" -- "$helper" unshare:uts
        under unshare 0 $'ok\nEPERM' -- "$helper" unshare:uts unshare:net
        unwatched 0 $'ok\nok' -- "$helper" unshare:uts unshare:net
fi
if learn threads -- "$helper" threads:4; then
        under threads 0 "ok" -- "$helper" threads:4
        header "$tmp/threads.service.d/learned.conf" " and 4 threads and executed"
        has threads "^SystemCallFilter=.*clone"
fi
if learn forkexec -- "$helper" fork-exec:/bin/true; then
        under forkexec 0 "ok" -- "$helper" fork-exec:/bin/true
        header "$tmp/forkexec.service.d/learned.conf" "/learn-helper, /bin/true."
        # ls in the child needs more than true did.
        under forkexec 0 "ECHILD" -- "$helper" fork-exec:/bin/ls
fi

# --- a call of another ABI: no SystemCallArchitectures=native, and the call still works
if [[ $(uname -m) == x86_64 ]] && learn i386 -- "$helper" i386-getpid; then
        lacks i386 '^SystemCallArchitectures='
        header "$tmp/i386.service.d/learned.conf" "SystemCallArchitectures=native is not proposed: the run made calls of the x86 ABI"
        under i386 0 "ok" -- "$helper" i386-getpid
fi

# --- every directive: a behaviour the learned program did not show is refused by it.
touch "$tmp/mode"
base=(socket:inet6 unshare:uts mmap:rw personality:linux sched:batch "chmod:0644:$tmp/mode")
if learn base -- "$helper" "${base[@]}"; then
        for d in 'SystemCallFilter=' 'SystemCallErrorNumber=EPERM' 'SystemCallArchitectures=native' \
                 'RestrictAddressFamilies=AF_INET6' 'RestrictNamespaces=uts' 'MemoryDenyWriteExecute=yes' \
                 'LockPersonality=yes' 'RestrictRealtime=yes' 'RestrictSUIDSGID=yes' 'ProtectClock=yes' \
                 'ProtectKernelModules=yes' 'ProtectKernelLogs=yes' 'ProtectKernelTunables=yes' \
                 'ProtectHostname=yes' 'PrivateDevices=yes'; do
                has base "^$d\$"
        done
        under base 0 $'ok\nok\nok\nok\nok\nok' -- "$helper" "${base[@]}"
        # (Its output to a file, as when it was learned: stdio asks a terminal more.)
        "$mf" learn --check "$tmp/base.service.d/learned.conf" "$tmp/base.service" -- "$helper" "${base[@]}" \
                >"$tmp/check.out" 2>"$tmp/check.err" || fail "learn --check of the learned command: $(<"$tmp/check.out")"
        # The argument directives: the call is in the list, its argument is refused.
        refused base 'SystemCallFilter=' "EPERM" "ok" -- "mkdir:$tmp/newdir"
        refused base 'RestrictAddressFamilies=' "EAFNOSUPPORT" "ok" -- socket:inet
        refused base 'RestrictNamespaces=' "EPERM" "ok" -- unshare:net
        # megafilter run applies it with PR_SET_MDWE (EACCES), learn --check as systemd 252 does.
        refused base 'MemoryDenyWriteExecute=' "E@(PERM|ACCES)" "ok" -- mmap:wx
        refused base 'LockPersonality=' "EPERM" "ok" -- personality:linux32
        # (Whether this host grants real-time scheduling at all depends on its cgroups.)
        refused base 'RestrictRealtime=' "EPERM" "*" -- sched:fifo
        refused base 'RestrictSUIDSGID=' "EPERM" "ok" -- "chmod:4755:$tmp/mode"
        chmod 0644 "$tmp/mode"
        # Calls of another ABI are killed in the filter, where no supervisor sees them.
        under base 159 "" -- "$helper" i386-getpid
        unwatched 0 "ok" -- "$helper" i386-getpid
        "$mf" learn --check "$tmp/base.service.d/learned.conf" "$tmp/base.service" -- "$helper" i386-getpid \
                >"$tmp/check.out" 2>/dev/null
        rc=$?
        [[ $rc == 2 ]] && grep -q "killed by SIGSYS" "$tmp/check.out" ||
                fail "learn --check of an i386 call: exit status $rc: $(<"$tmp/check.out")"

        # The calls no argument decides: the list refuses them anyway (and takes the credit, being
        # the later directive), so each setting is tried with the SystemCallFilter= lines taken out,
        # and then without the setting too.
        mkdir -p "$tmp/bools.service.d"
        cp "$tmp/base.service" "$tmp/bools.service"
        grep -v '^SystemCallFilter=' "$tmp/base.service.d/learned.conf" >"$tmp/bools.service.d/learned.conf"
        for t in "ProtectClock clock-settime-invalid" "ProtectKernelModules init-module-null" \
                 "ProtectKernelLogs syslog-size" "ProtectKernelTunables syscall:156" \
                 "ProtectHostname sethostname-invalid" "PrivateDevices ioperm-off"; do
                read -r key action <<<"$t"
                refused bools "$key=" "EPERM" "!(EPERM)" -- "$action"
                mkdir -p "$tmp/no-$key.service.d"
                cp "$tmp/base.service" "$tmp/no-$key.service"
                grep -v "^$key=" "$tmp/bools.service.d/learned.conf" >"$tmp/no-$key.service.d/learned.conf"
                under "no-$key" 0 "!(EPERM)" -- "$helper" "$action"
        done
fi

# --- what the unit's own sandbox refused stays refused, with the unit's answer
printf 'RestrictAddressFamilies=AF_UNIX AF_INET6\nSystemCallErrorNumber=EPERM\n' >"$tmp/own.settings"
if learn own -- "$helper" socket:unix socket:inet; then
        has own '^RestrictAddressFamilies=AF_UNIX$'
        header "$tmp/own.service.d/learned.conf" "socket(AF_INET) on x86-64: EAFNOSUPPORT by RestrictAddressFamilies="
        lacks own '^SystemCallErrorNumber='
        under own 0 $'ok\nEAFNOSUPPORT' -- "$helper" socket:unix socket:inet
fi

# --- the program's own filter, installed with TSYNC over the learning filter, still works
if learn tsync -- "$helper" seccomp-tsync "mkdir:$tmp/tsync"; then
        [[ -e $tmp/tsync ]] && fail "tsync: the program's own filter did not refuse mkdir while learned"
        has tsync '^SystemCallFilter=.*seccomp'
        under tsync 0 $'ok\nEPERM' -- "$helper" seccomp-tsync "mkdir:$tmp/tsync"
fi

# --- a kill of the unit's sandbox is a kill while learned: SIGSYS, or SIGKILL for a process that
# catches SIGSYS (the kernel's kill cannot be caught; a supervisor's SIGSYS could)
printf 'SystemCallFilter=~mkdir\n' >"$tmp/kill.settings"
if learn kill -- "$helper" socket:unix "mkdir:$tmp/killed"; then
        header "$tmp/kill.service.d/learned.conf" "(killed by signal 31 after"
        header "$tmp/kill.service.d/learned.conf" "mkdir on x86-64: killed (SIGSYS) by SystemCallFilter= ($tmp/kill.service:2)"
        [[ -e $tmp/killed ]] && fail "kill: mkdir was not refused while learned"
fi
cp "$tmp/kill.settings" "$tmp/killcaught.settings"
if learn killcaught -- "$helper" catch-sigsys "mkdir:$tmp/killed"; then
        header "$tmp/killcaught.service.d/learned.conf" "(killed by signal 9 after"
        header "$tmp/killcaught.service.d/learned.conf" "killed 1 process that handles or blocks SIGSYS"
fi

# --- signals sent to megafilter learn reach the command
"$mf" learn --no-check -- "$helper" wait-usr1 >"$tmp/usr1.conf" 2>"$tmp/usr1.err" &
learner=$!
for _ in $(seq 50); do pgrep -f "learn-helper wait-usr1" >/dev/null && break; sleep 0.1; done
sleep 0.3
kill -USR1 "$learner"
wait "$learner"
rc=$?
[[ $rc == 0 ]] || fail "SIGUSR1 to megafilter learn: exit status $rc: $(tail -n 3 "$tmp/usr1.err")"
header "$tmp/usr1.conf" "(exit status 0 after"
ok "a signal to megafilter learn reaches the command"

# --- Type=oneshot, several commands
printf 'Type=oneshot\nExecStart=%s socket:unix\nExecStart=%s unshare:uts\n' "$helper" "$helper" >"$tmp/oneshot.settings"
if learn oneshot; then
        has oneshot '^RestrictAddressFamilies=AF_UNIX$'
        has oneshot '^RestrictNamespaces=uts$'
        under oneshot 0 "ok" -- "$helper" socket:unix
fi

# --- the exit status and signals of the command are reported
if learn exit7 -- /bin/sh -c 'exit 7'; then
        header "$tmp/exit7.service.d/learned.conf" "(exit status 7 after"
fi
if learn killed -- /bin/sh -c 'kill -TERM $$'; then
        header "$tmp/killed.service.d/learned.conf" "(killed by signal 15 after"
fi

# --- faults
out=$("$mf" learn -- /nonexistent/command 2>"$tmp/stderr")
rc=$?
[[ $rc == 203 && -z $out ]] || fail "a command that cannot start: exit status $rc, stdout ${out@Q}"
grep -q "could not be started (exit status 203 EXEC)" "$tmp/stderr" || fail "a command that cannot start: $(<"$tmp/stderr")"
ok "a command that cannot start -> 203"

# A unit systemd 252 fails with 228 because libseccomp refuses its filter (errno 4095): so does learn.
out=$("$mf" learn -p SystemCallFilter=~@swap:4095 -- touch "$tmp/learn-4095" 2>"$tmp/stderr")
rc=$?
[[ $rc == 228 && -z $out && ! -e $tmp/learn-4095 ]] || fail "a sandbox libseccomp refuses: exit status $rc, stdout ${out@Q}"
grep -q "libseccomp refuses errno 4095" "$tmp/stderr" || fail "a sandbox libseccomp refuses: $(<"$tmp/stderr")"
ok "a sandbox libseccomp refuses -> 228"

start=$SECONDS
"$mf" learn -- "$helper" outlive:30 >"$tmp/outlive.conf" 2>/dev/null
rc=$?
(( SECONDS - start < 20 )) || fail "a child that outlives the run kept learn waiting $((SECONDS - start)) s"
[[ $rc == 0 ]] || fail "a child that outlives the run: exit status $rc"
header "$tmp/outlive.conf" "1 process outlived the main process and was stopped"
pgrep -f "learn-helper outlive:30" >/dev/null && fail "the child that outlived the run is still running"
ok "a child that outlives the run is stopped and reported"

"$mf" learn -- "$helper" sleep:30 >"$tmp/partial.conf" 2>/dev/null &
learner=$!
for _ in $(seq 50); do pgrep -f "learn-helper sleep:30" >/dev/null && break; sleep 0.1; done
sleep 0.3
kill -INT "$learner"
wait "$learner"
rc=$?
[[ $rc == 3 ]] || fail "an interrupted run: exit status $rc, not 3"
header "$tmp/partial.conf" "(PARTIAL: interrupted after"
grep -q '^SystemCallFilter=' "$tmp/partial.conf" || fail "an interrupted run: no proposal"
ok "an interrupted run is reported, marked partial"

"$mf" learn -- "$helper" syscall:1000 >"$tmp/unnamed.conf" 2>/dev/null
rc=$?
[[ $rc == 0 ]] || fail "a number no table names: exit status $rc"
header "$tmp/unnamed.conf" "The run called number 1000 on x86-64 (1 time), which no syscall table names"
ok "a number no table names is reported"

for args in "--duration=abc -- /bin/true" "--duration=0 -- /bin/true" "--format=xml -- /bin/true" "" \
            "--check=$tmp/nonexistent.conf -- /bin/true" "--check=$tmp/partial.conf --format=oci -- /bin/true" \
            "/nonexistent/unit.service"; do
        # shellcheck disable=SC2086
        out=$("$mf" learn $args 2>"$tmp/stderr")
        rc=$?
        [[ $rc == 1 && -z $out && -s $tmp/stderr ]] || fail "megafilter learn $args: exit status $rc, stdout ${out@Q}"
done
ok "bad options and units are refused"

# --- OCI
if "$mf" learn --format=oci --output="$tmp/oci.json" -- "$helper" socket:inet6 unshare:uts >/dev/null 2>&1; then
        "$python" - "$tmp/oci.json" <<'PY' || fail "the OCI section: $(head -c 300 "$tmp/oci.json")"
import json, sys
s = json.load(open(sys.argv[1]))
assert s["defaultAction"] == "SCMP_ACT_ERRNO" and s["defaultErrnoRet"] == 1, s
assert s["architectures"] == ["SCMP_ARCH_X86_64"], s["architectures"]
plain = s["syscalls"][0]
assert plain["action"] == "SCMP_ACT_ALLOW" and "read" not in plain.get("args", []), plain
assert "execve" in plain["names"] and "socket" not in plain["names"], plain["names"]
sock = [r for r in s["syscalls"] if r["names"] == ["socket"]]
assert sock == [{"names": ["socket"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 10, "op": "SCMP_CMP_EQ"}]}], sock
unshare = [r for r in s["syscalls"] if r["names"] == ["unshare"]]
assert len(unshare) == 1 and unshare[0]["args"][0]["op"] == "SCMP_CMP_MASKED_EQ", unshare
assert unshare[0]["args"][0]["value"] & 0x04000000 == 0 and unshare[0]["args"][0]["value"] & 0x40000000, unshare
PY
        ok "the OCI section"
else
        fail "megafilter learn --format=oci failed"
fi

echo "$n runs under proposals, $failures failure(s)"
exit $((failures > 0))
