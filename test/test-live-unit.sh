#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# megafilter analyze --unit and show --unit against a real systemd user manager: a hardened unit
# is started there, and megafilter's figures for the filters systemd attached must agree with the
# kernel's (/proc/PID/status) and with a direct read of the process; megafilter's own compilation
# of the same properties must need at most 2 filters; show --unit must print what
# systemctl show prints. Exit 77 (skip) only when no manager can be had.
set -euo pipefail

MEGAFILTER=${MEGAFILTER_BINARY:?MEGAFILTER_BINARY is not set}
PYTHON=${1:-python3}

skip() { echo "SKIP: $*"; exit 77; }

command -v systemd >/dev/null || [ -x /lib/systemd/systemd ] || skip "systemd is not installed"
command -v systemctl >/dev/null || skip "systemctl is not installed"
SYSTEMD_BIN=$(command -v systemd || echo /lib/systemd/systemd)
[ "$(id -u)" -eq 0 ] || skip "reading another process's filters needs root (CAP_SYS_ADMIN)"

# A manager of our own in a private runtime directory: others (a parallel test run, a user's
# own session) can neither disturb it nor be disturbed.
mkdir -p /run/systemd/system
export XDG_RUNTIME_DIR=$(mktemp -d /run/megafilter-live-test.XXXXXX)
chmod 0700 "$XDG_RUNTIME_DIR"
unset DBUS_SESSION_BUS_ADDRESS

UNIT=megafilter-live-test-$$.service
UNIT_DIR=$XDG_RUNTIME_DIR/systemd/user
WORK=$(mktemp -d)
STARTED_PID=

cleanup() {
        systemctl --user stop "$UNIT" >/dev/null 2>&1 || true
        rm -f "$UNIT_DIR/$UNIT"
        systemctl --user daemon-reload >/dev/null 2>&1 || true
        if [ -n "$STARTED_PID" ]; then
                kill "$STARTED_PID" 2>/dev/null || true
                for _ in $(seq 50); do kill -0 "$STARTED_PID" 2>/dev/null || break; sleep 0.1; done
        fi
        rm -rf "$WORK" "$XDG_RUNTIME_DIR"
}
trap cleanup EXIT

manager_up() { systemctl --user is-system-running >/dev/null 2>&1 || [ "$(systemctl --user is-system-running 2>/dev/null)" = degraded ]; }

setsid "$SYSTEMD_BIN" --user >"$WORK/manager.log" 2>&1 </dev/null &
STARTED_PID=$!
for _ in $(seq 100); do manager_up && break; sleep 0.1; done
manager_up || { cat "$WORK/manager.log" >&2; skip "could not start a systemd user manager"; }
echo "started systemd --user as $STARTED_PID"

mkdir -p "$UNIT_DIR"
# units/webapp.service's directives (DESIGN.md §1), with a command that stays.
cat >"$UNIT_DIR/$UNIT" <<UNIT_EOF
[Service]
Type=simple
ExecStart=/bin/sleep 600
SystemCallFilter=@system-service
SystemCallFilter=~@privileged @resources
SystemCallArchitectures=native
SystemCallErrorNumber=EPERM
RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6
RestrictNamespaces=yes
MemoryDenyWriteExecute=yes
LockPersonality=yes
RestrictRealtime=yes
RestrictSUIDSGID=yes
UNIT_EOF
systemctl --user daemon-reload
systemctl --user start "$UNIT"

PID=0
for _ in $(seq 50); do
        PID=$(systemctl --user show -P MainPID "$UNIT")
        # Only once the service has exec'd sleep are all of systemd's filters in place.
        [ "$PID" != 0 ] && [ "$(readlink "/proc/$PID/exe" 2>/dev/null)" = "$(readlink -f /bin/sleep)" ] && break
        sleep 0.1
done
[ "$PID" != 0 ] || { systemctl --user status "$UNIT" >&2 || true; echo "FAIL: $UNIT did not start" >&2; exit 1; }
STATUS_FILTERS=$(awk '/^Seccomp_filters:/ { print $2 }' "/proc/$PID/status")
echo "main process $PID, Seccomp_filters $STATUS_FILTERS"

"$MEGAFILTER" analyze --unit "${UNIT%.service}" --user --json >"$WORK/unit.json"
"$MEGAFILTER" analyze --pid "$PID" --json >"$WORK/pid.json"
"$MEGAFILTER" analyze --unit "$UNIT" --user >"$WORK/unit.txt"

SYSTEMD_VERSION=$(systemctl --version | awk 'NR == 1 { print $2 }')
"$PYTHON" - "$WORK/unit.json" "$WORK/pid.json" "$PID" "$STATUS_FILTERS" "$SYSTEMD_VERSION" "$(uname -m)" <<'PY_EOF'
import json, sys

unit = json.load(open(sys.argv[1]))
pid = json.load(open(sys.argv[2]))
main_pid, status_filters, version, machine = int(sys.argv[3]), int(sys.argv[4]), sys.argv[5], sys.argv[6]
sd, mf = unit["systemd"], unit["megafilter"]

def check(cond, what):
    print(("ok    " if cond else "FAIL  ") + what)
    if not cond:
        sys.exit(1)

check(unit["main_pid"] == main_pid, f"MainPID {unit['main_pid']} == {main_pid}")
check(sd["filter_count"] == status_filters, f"systemd's filters {sd['filter_count']} == Seccomp_filters {status_filters}")
check(sd["seccomp_filters_status"] == status_filters, "the status figure megafilter read agrees")
check(pid["filter_count"] == sd["filter_count"], "--pid reads as many filters as --unit")
check(pid["instructions"] == sd["instructions"], f"--pid and --unit count the same instructions ({sd['instructions']})")
check([f["instructions"] for f in pid["filters"]] == [f["instructions"] for f in sd["filters"]], "filter by filter")
check(sd["instructions"] == sum(f["instructions"] for f in sd["filters"]), "the total is the sum of the filters")
check(sd["chain_instructions"] == sd["instructions"] + 4 * sd["filter_count"], "the kernel's count adds 4 per filter")
check(mf["filter_count"] <= 2, f"megafilter needs {mf['filter_count']} filters (at most 2)")
check(mf["instructions"] < sd["instructions"], f"megafilter's {mf['instructions']} instructions < systemd's {sd['instructions']}")
if version == "252" and machine == "x86_64":
    # DESIGN.md section 1, measured with systemd 252 on x86-64.
    check(sd["filter_count"] == 17, "systemd 252 attaches 17 filters to this unit")
    check(sd["instructions"] == 771, "and 771 instructions")
    native = next(a for a in sd["abis"] if a["name"] == "x86-64")
    check(native["cached"]["count"] == 255, "of which the cache serves 255 syscalls")

def native(a):
    return next(x for x in a["abis"] if x["name"] == a["arch"])

for side in (sd, mf):
    n = native(side)
    check(sum(n[c]["count"] for c in ("cached", "allowed-uncached", "argument-checked", "denied")) == n["syscalls"],
          f"{side['source']}: the classes add up to the ABI's {n['syscalls']} syscalls")
    check(all(v["instructions"] == 0 for v in n["verdicts"] if v["class"] == "cached"), f"{side['source']}: cached calls run nothing")
openat = {s["source"]: next(v for v in native(s)["verdicts"] if v["syscall"] == "openat") for s in (sd, mf)}
check(openat["systemd"]["class"] == "argument-checked" == openat["megafilter"]["class"], "openat is argument-checked on both sides")
check(openat["megafilter"]["instructions"] < openat["systemd"]["instructions"], "and runs fewer instructions under megafilter")
PY_EOF

cat "$WORK/unit.txt"
grep -q '^  filters ' "$WORK/unit.txt" || { cat "$WORK/unit.txt"; echo "FAIL: no comparison table" >&2; exit 1; }

# show --unit prints what systemctl show prints, for every sandbox property.
PROPS=$("$MEGAFILTER" show --help | sed -n '/^Properties, in/,$p' | tail -n +2 | tr -d ' ' | paste -sd, -)
[ -n "$PROPS" ]
"$MEGAFILTER" show --unit "$UNIT" --user >"$WORK/show.mf"
systemctl --user show -p "$PROPS" "$UNIT" >"$WORK/show.systemctl"
if ! diff -u "$WORK/show.systemctl" "$WORK/show.mf"; then
        echo "FAIL: megafilter show --unit differs from systemctl show" >&2
        exit 1
fi
echo "ok    show --unit matches systemctl --user show ($(wc -l <"$WORK/show.mf") properties)"

# A unit that is not running has no filters to read; one that does not exist is an error.
systemctl --user stop "$UNIT"
if "$MEGAFILTER" analyze --unit "$UNIT" --user >/dev/null 2>"$WORK/err"; then
        echo "FAIL: analyze --unit of a stopped unit succeeded" >&2; exit 1
fi
grep -q "no main process" "$WORK/err"
if "$MEGAFILTER" show --unit "megafilter-no-such-unit-$$" --user >/dev/null 2>"$WORK/err"; then
        echo "FAIL: show --unit of a missing unit succeeded" >&2; exit 1
fi
grep -q "not found" "$WORK/err"
echo "ok    errors for a stopped and a missing unit"
echo "1 passed, 0 failed"
