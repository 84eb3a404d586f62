#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The patched systemd as a user manager, next to the stock one built from the same source: every
# unit in units/ and every seccomp-using unit in /lib/systemd/system, turned into a service a
# user manager can run (its [Service] sandboxing as it is, its command a sleep), is started under
# both. Under the patched manager the service must carry at most 2 filters (Seccomp_filters in
# /proc/PID/status), megafilter analyze --pid must read them, and compare-filters must find
# their verdicts equal to those of stock systemd 252's filters for the same unit, for every ABI,
# syscall number and argument boundary. A unit neither manager can run as a user service must
# fail the same way under both. Runs inside tools/systemd-ns.
# Usage: test-systemd-manager.sh COMPARE_FILTERS  (with $MEGAFILTER_SOURCE_ROOT, $MEGAFILTER_BINARY)
set -euo pipefail

root=${MEGAFILTER_SOURCE_ROOT:?MEGAFILTER_SOURCE_ROOT is not set}
mf=${MEGAFILTER_BINARY:?MEGAFILTER_BINARY is not set}
compare=${1:?usage: test-systemd-manager.sh COMPARE_FILTERS}
skip() { echo "SKIP: $*"; exit 77; }

if [ "${MEGAFILTER_IN_SYSTEMD_NS:-}" != 1 ]; then
        [ "$(id -u)" -eq 0 ] || skip "needs root (reading filters with ptrace, apt-get)"
        command -v apt-get >/dev/null || skip "needs Debian's apt-get for the systemd source"
        stock=$("$root/tools/systemd-megafilter" --stock | tail -n 1)
        patched=$("$root/tools/systemd-megafilter" | tail -n 1)
        MEGAFILTER_IN_SYSTEMD_NS=1 exec "$root/tools/systemd-ns" "$0" "$compare" "$stock" "$patched"
fi
stock=$2
patched=$3
. "$root/tools/systemd-user-managers.sh"

work=$(mktemp -d)
trap 'managers_stop; rm -rf "$work"' EXIT
manager_start stock "$stock" || skip "no stock user manager"
manager_start patched "$patched" || { echo "FAIL: the patched user manager does not start"; exit 1; }

failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# The main PID once it runs COMMAND (after the sandbox is in place), or nothing.
main_pid() {
        local name=$1 unit=$2 pid exe
        for _ in $(seq 100); do
                pid=$(uctl "$name" show -P MainPID "$unit")
                if [ "$pid" != 0 ]; then
                        exe=$(readlink "/proc/$pid/exe" 2>/dev/null || true)
                        [ "$exe" = "$(readlink -f /bin/sleep)" ] && { echo "$pid"; return; }
                fi
                [ "$(uctl "$name" show -P ActiveState "$unit")" = failed ] && return
                sleep 0.05
        done
}

compared=0
both_failed=()
units=()
for f in "$root"/units/*.service; do units+=("megafilter-${f##*/} $f"); done
while read -r line; do units+=("$line"); done < <(seccomp_units)

for entry in "${units[@]}"; do
        unit=${entry%% *}
        file=${entry#* }
        unit_for_user_manager "$file" "/bin/sleep 600" >"$work/unit"
        for side in stock patched; do
                cp "$work/unit" "${rt[$side]}/systemd/user/$unit"
                uctl $side daemon-reload
                uctl $side start --no-block "$unit"
        done
        declare -A pid=() state=()
        for side in stock patched; do
                pid[$side]=$(main_pid $side "$unit")
                state[$side]="$(uctl $side show -P Result "$unit") $(uctl $side show -P ExecMainStatus "$unit")"
        done

        if [ -z "${pid[stock]}" ] && [ -z "${pid[patched]}" ]; then
                if [ "${state[stock]}" != "${state[patched]}" ]; then
                        fail "$unit: fails differently: stock ${state[stock]}, patched ${state[patched]}"
                else
                        both_failed+=("$unit (${state[stock]})")
                fi
        elif [ -z "${pid[patched]}" ]; then
                fail "$unit: runs under stock systemd, fails under the patched one (${state[patched]})"
        elif [ -z "${pid[stock]}" ]; then
                # What libseccomp refuses in systemd 252 (errno 4095, an allow-list entry with the
                # default action), libmegafilter refuses too: both fail with 228.
                fail "$unit: fails under stock systemd (${state[stock]}), runs under the patched one"
        fi

        if [ -n "${pid[patched]}" ]; then
                n=$(awk '/^Seccomp_filters:/ { print $2 }' "/proc/${pid[patched]}/status")
                [ "$n" -le 2 ] || fail "$unit: the patched manager's service has $n filters"
                if ! "$mf" analyze --pid "${pid[patched]}" --json >"$work/analyze.json" 2>"$work/analyze.err"; then
                        fail "$unit: megafilter analyze --pid: $(head -n 3 "$work/analyze.err")"
                else
                        read_n=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["filter_count"])' "$work/analyze.json")
                        [ "$read_n" = "$n" ] || fail "$unit: analyze --pid read $read_n filters, the kernel says $n"
                fi
        fi
        if [ -n "${pid[patched]}" ] && [ -n "${pid[stock]}" ]; then
                stock_n=$(awk '/^Seccomp_filters:/ { print $2 }' "/proc/${pid[stock]}/status")
                if "$compare" "${pid[stock]}" "${pid[patched]}" stock patched >"$work/compare" 2>&1; then
                        echo "ok: $unit: $stock_n filters -> $n; $(tail -n 1 "$work/compare" | sed 's/^.*filters; //')"
                        compared=$((compared + 1))
                else
                        cat "$work/compare"
                        fail "$unit: verdicts differ from stock systemd 252's"
                fi
        fi
        for side in stock patched; do
                uctl $side stop "$unit" 2>/dev/null || true
                uctl $side reset-failed "$unit" 2>/dev/null || true
                rm -f "${rt[$side]}/systemd/user/$unit"
        done
done

for u in "${both_failed[@]}"; do
        echo "not runnable as a user service under either manager: $u"
done
echo "$compared units compared, ${#both_failed[@]} not runnable under a user manager, $failures failures"
[ "$compared" -ge 5 ] || fail "fewer than 5 units could be compared"
[ $failures -eq 0 ]
