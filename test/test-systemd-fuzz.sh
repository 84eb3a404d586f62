#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The differential against the installed systemd 252: random [Service] sections over every
# directive megafilter models (test/systemd-fuzz.py generates them: both polarities, several
# lines, resets, continuation lines, odd spacing and case, numbers in every form, groups and
# names, :errno and :kill, architectures, families, namespace lists, booleans in every spelling),
# each started as /bin/sleep 30 under a user manager of the installed /lib/systemd/systemd and
# under `megafilter run UNIT`. Both running: compare-filters must find the same verdict for every
# ABI, syscall and argument boundary, except where a deliberate difference of megafilter.unit(5)
# explains it (test/fuzz-differences.txt, checked against the man page first). systemd refusing
# the unit: megafilter run must exit with systemd's ExecMainStatus.
#   SEED=N (default 1) FIRST=N (default 1) COUNT=N (default 200) test-systemd-fuzz.sh COMPARE_FILTERS
# A failure prints the seed, the unit's number and its text, then the smallest unit (whole lines
# dropped) that fails the same way (MINIMIZE=0: not); SEED=S FIRST=N COUNT=1 reruns it.
# UNITS="FILE…" tries those unit files instead (their command should be /bin/sleep 30).
# SYSTEMD_FUZZ_AVOID=… keeps known divergences out (systemd-fuzz.py's help); it is printed.
set -euo pipefail

root=${MEGAFILTER_SOURCE_ROOT:?MEGAFILTER_SOURCE_ROOT is not set}
mf=${MEGAFILTER_BINARY:?MEGAFILTER_BINARY is not set}
compare=${1:?usage: test-systemd-fuzz.sh COMPARE_FILTERS}
seed=${SEED:-1}
first=${FIRST:-1}
count=${COUNT:-200}
gen="python3 $root/test/systemd-fuzz.py"
skip() { echo "SKIP: $*"; exit 77; }

python3 "$root/test/systemd-fuzz.py" check-man "$root/test/fuzz-differences.txt" "$root/man/megafilter.unit.5"
[ "$(id -u)" -eq 0 ] || skip "needs root (reading filters with ptrace, a user manager's mounts)"
[ -x /lib/systemd/systemd ] && command -v systemctl >/dev/null || skip "no installed systemd"
version=$(/lib/systemd/systemd --version | sed -n '1s/^systemd \([0-9]*\).*/\1/p')
[ "$version" = 252 ] || skip "the installed systemd is $version, not 252"
[ "$(uname -m)" = x86_64 ] || skip "the units and the sleep check are x86-64's"

. "$root/tools/systemd-user-managers.sh"
work=$(mktemp -d /tmp/megafilter-fuzz.XXXXXX)
nodes_held=false
mf_pid=
cleanup() {
        if [ -n "$mf_pid" ]; then
                kill -9 "$mf_pid" 2>/dev/null || true
                wait || true
        fi
        managers_stop
        if $nodes_held; then "$root/test/systemd-runtime-nodes.sh" release $$ || true; fi
        rm -rf "$work"
}
trap cleanup EXIT
"$root/test/systemd-runtime-nodes.sh" acquire $$ || skip "cannot create /run/systemd/inaccessible"
nodes_held=true
# manager_start wants a build directory: the installed programs, by the names it calls them.
mkdir "$work/bin"
ln -s /lib/systemd/systemd "$work/bin/systemd"
ln -s "$(command -v systemctl)" "$work/bin/systemctl"
ln -s "$(command -v systemd-run)" "$work/bin/systemd-run"
manager_start sd "$work/bin" || skip "systemd --user does not start here"
units=${rt[sd]}/systemd/user

# The groups as systemd 252 and as megafilter have them (the first deliberate difference).
systemd-analyze syscall-filter >"$units/groups-252" 2>/dev/null
"$mf" syscall-filter >"$units/groups-mf" 2>/dev/null
[ -n "${SYSTEMD_FUZZ_AVOID:-}" ] && echo "note: SYSTEMD_FUZZ_AVOID=$SYSTEMD_FUZZ_AVOID: these known divergences are not generated"
# The units to try: generated, or the files in $UNITS (space-separated paths, as given).
names=()
files=()
if [ -n "${UNITS:-}" ]; then
        read -r -a files <<<"$UNITS"
        k=0
        for f in "${files[@]}"; do
                k=$((k + 1))
                cp "$f" "$units/fuzz-file-$k.service"
                names+=("fuzz-file-$k.service")
        done
else
        $gen gen "$seed" "$first" "$count" "$units"
        for ((n = first; n < first + count; n++)); do names+=("fuzz-$seed-$n.service"); done
fi

# Whether PID is sleep, blocked in its clock_nanosleep() (x86-64's 230): past everything its
# start-up calls, which a filter may deny (glibc's malloc calls getrandom(), for one).
sleep_exe=$(readlink -f /bin/sleep)
runs_sleep() {
        [ "$(readlink "/proc/$1/exe" 2>/dev/null)" = "$sleep_exe" ] &&
                [[ $(cat "/proc/$1/syscall" 2>/dev/null) == "230 "* ]]
}

# systemd's side: sd_state=running, sd_val=PID once the service runs sleep (its filters are in
# place), or sd_state=failed, sd_val=how it ended as megafilter run's exit status says it (the
# status, or 128+N for signal N; load-STATE if it did not load).
systemd_side() {
        local unit=$1 k v
        local -A p=()
        sd_state=failed sd_val=timeout
        for _ in $(seq 500); do   # 10 s and more
                while IFS== read -r k v; do p[$k]=$v; done < <(uctl sd show -p MainPID,ActiveState,LoadState,ExecMainCode,ExecMainStatus "$unit")
                if [ "${p[MainPID]}" != 0 ] && runs_sleep "${p[MainPID]}"; then sd_state=running sd_val=${p[MainPID]}; return; fi
                if [ "${p[ActiveState]}" = failed ]; then
                        # ExecMainCode: CLD_EXITED 1, CLD_KILLED 2, CLD_DUMPED 3.
                        case ${p[ExecMainCode]} in
                        1) sd_val=${p[ExecMainStatus]} ;;
                        2|3) sd_val=$((128 + p[ExecMainStatus])) ;;
                        *) sd_val="code-${p[ExecMainCode]}" ;;
                        esac
                        return
                fi
                if [ "${p[LoadState]}" != loaded ]; then sd_val=load-${p[LoadState]}; return; fi
                sleep 0.02
        done
}

# megafilter's side, started in the background by start_megafilter: mf_state=running, mf_val=PID,
# or mf_state=failed, mf_val=its exit status. The job is a subshell that waits for megafilter run
# (so that the shell does not report the signals that end it); $mf_pid is megafilter run's PID.
start_megafilter() {
        rm -f "$work/mf.pid" "$work/mf.rc"
        (
                # In a sanitizer build, the filters under test apply to the sanitizers' own exit
                # paths too: LeakSanitizer's check (clone, ptrace) hangs where exit_group() and
                # friends are denied, and ASan's SIGSEGV handler turns glibc's hlt into a loop.
                # Without them megafilter run ends as a plain build does.
                ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0:handle_segv=0 \
                        "$mf" run "$1" >"$work/mf.out" 2>&1 </dev/null &
                echo $! >"$work/mf.pid"
                rc=0
                wait $! || rc=$?
                echo $rc >"$work/mf.rc"
        ) 2>/dev/null &
        mf_job=$!
        until [ -s "$work/mf.pid" ]; do sleep 0.005; done
        mf_pid=$(cat "$work/mf.pid")
}
megafilter_side() {
        mf_state=failed mf_val=timeout
        for _ in $(seq 500); do   # 10 s and more
                if runs_sleep "$mf_pid"; then mf_state=running mf_val=$mf_pid; return; fi
                if [ -s "$work/mf.rc" ]; then mf_val=$(cat "$work/mf.rc"); return; fi
                sleep 0.02
        done
}

# How often each entry of fuzz-differences.txt excused something (units): the judge's "excused:
# ID COUNT, …" or "ID" in FILE. Not counted while minimizing.
declare -A used=()
counting=true
excused_by() {
        local id
        $counting || return 0
        for id in $(sed 's/^excused: //; s/ [0-9][0-9]*,\{0,1\}/ /g' "$1"); do used[$id]=$((${used[$id]:-0} + 1)); done
}

# try_unit NAME: NAME (in $units) under both; sets outcome to compared, refused (alike),
# excused (failing differently, as megafilter.unit(5) documents) or failed, and for a
# failure kind (filters, or "status SYSTEMD/MEGAFILTER") and $work/detail.
try_unit() {
        local unit=$1 rc
        : >"$work/detail"
        uctl sd start --no-block "$unit" 2>/dev/null || true
        start_megafilter "$units/$unit"
        systemd_side "$unit"
        megafilter_side
        outcome=failed
        if [ "$sd_state" = running ] && [ "$mf_state" = running ]; then
                kind=filters
                rc=0
                COMPARE_FILTERS_SHOW=1000000 "$compare" "$sd_val" "$mf_val" systemd megafilter >"$work/compare" 2>&1 || rc=$?
                if [ $rc -eq 2 ] && ! grep -q MISMATCH "$work/compare"; then
                        kind="compare-filters failed"
                        cp "$work/compare" "$work/detail"
                elif $gen mismatches "$units/$unit" "$units/groups-252" "$units/groups-mf" "$work/compare" \
                                >"$work/detail" 2>"$work/why"; then
                        outcome=compared
                        excused_by "$work/why"
                fi
        elif [ "$sd_state" = failed ] && [ "$sd_val" = "$mf_val" ] && [[ $sd_val =~ ^[0-9]+$ ]]; then
                outcome=refused
        elif [ "$sd_state" = failed ] && $gen refusal "$units/$unit" "$sd_val" "$mf_state" "$work/mf.out" \
                        "$units/groups-252" >"$work/why"; then
                outcome=excused
                excused_by "$work/why"
        elif [ "$sd_state" = running ] && [ "$mf_state" = failed ] &&
                        $gen refusal "$units/$unit" running "$mf_val" "$work/mf.out" "$units/groups-252" >"$work/why"; then
                outcome=excused
                excused_by "$work/why"
        else
                kind="status $sd_val/$mf_val"
                [ "$sd_state" = running ] && kind="status runs/$mf_val"
                [ "$mf_state" = running ] && kind="status $sd_val/runs"
                cp "$work/mf.out" "$work/detail"
        fi
        kill -9 "$mf_pid" 2>/dev/null || true
        wait "$mf_job" || true
        mf_pid=
        uctl sd stop "$unit" 2>/dev/null || true
        uctl sd reset-failed "$unit" 2>/dev/null || true
}

# minimize NAME KIND: drop lines of the unit one at a time while it still fails the same way;
# prints the smallest unit found.
minimize() {
        local cur=$units/$1 want=$2 k=0 try=0
        counting=false
        cp "$cur" "$work/min.service"
        while $gen drop "$work/min.service" "$k" "$units/fuzz-min-$try.service"; do
                try_unit "fuzz-min-$try.service"
                if [ "$outcome" = failed ] && [ "$kind" = "$want" ]; then
                        cp "$units/fuzz-min-$try.service" "$work/min.service"
                else
                        k=$((k + 1))
                fi
                rm -f "$units/fuzz-min-$try.service"
                try=$((try + 1))
        done
        counting=true
        echo "  smallest unit failing the same way ($try tries):"
        sed 's/^/    | /' "$work/min.service"
        head -n 3 "$work/detail" | sed 's/^/    /'
}

compared=0 refused=0 excused=0 failures=0
declare -A kinds=()
for name in "${names[@]}"; do
        try_unit "$name"
        case $outcome in
        compared) compared=$((compared + 1)) ;;
        refused) refused=$((refused + 1)) ;;
        excused) excused=$((excused + 1)) ;;
        failed)
                failures=$((failures + 1))
                kinds[$kind]=$((${kinds[$kind]:-0} + 1))
                if [[ $name == fuzz-file-* ]]; then
                        k=${name#fuzz-file-}
                        echo "FAIL: ${files[${k%.service} - 1]}: $kind"
                else
                        n=${name#fuzz-$seed-}
                        n=${n%.service}
                        echo "FAIL: seed $seed unit $n: $kind (rerun: SEED=$seed FIRST=$n COUNT=1)"
                fi
                head -n 15 "$work/detail"
                sed 's/^/    | /' "$units/$name"
                if [ "${MINIMIZE:-1}" = 1 ]; then minimize "$name" "$kind"; fi
                ;;
        esac
done

for k in "${!used[@]}"; do echo "deliberate difference $k (megafilter.unit(5)): ${used[$k]} units"; done
for k in "${!kinds[@]}"; do echo "divergence kind: $k: ${kinds[$k]} units"; done
what="seed $seed, units $first…$((first + count - 1))"
[ -n "${UNITS:-}" ] && what="${#names[@]} units from \$UNITS"
echo "$what: $compared compared alike, $refused refused alike," \
     "$excused fail differently as megafilter.unit(5) documents, $failures failures"
[ "$failures" -eq 0 ]
