# SPDX-License-Identifier: LGPL-2.1-or-later
# Sourced by the tests and the benchmark that run services under the stock and the patched
# systemd side by side (inside tools/systemd-ns): start user managers from a build directory, each
# in a private runtime directory, and turn a service unit into one a user manager can run.

# The cgroup hierarchies systemd tracks processes in: cgroup2 (/sys/fs/cgroup/unified on a hybrid
# host) and the legacy name=systemd one, where it exists. "MOUNT PATH-OF-OURS" lines.
cgroup_hierarchies() {
        local path
        if [ -e /sys/fs/cgroup/unified/cgroup.procs ]; then
                path=$(sed -n 's/^0:://p' /proc/self/cgroup)
                echo "/sys/fs/cgroup/unified $path"
                path=$(sed -n 's/^[0-9]*:name=systemd://p' /proc/self/cgroup)
                [ -n "$path" ] && [ -d /sys/fs/cgroup/systemd ] && echo "/sys/fs/cgroup/systemd $path"
        elif [ -e /sys/fs/cgroup/cgroup.procs ]; then
                echo "/sys/fs/cgroup $(sed -n 's/^0:://p' /proc/self/cgroup)"
        fi
}

# manager_start NAME BUILD_DIR [WRAPPER…]: a user manager of BUILD_DIR's systemd (run by WRAPPER,
# if given), its runtime directory in ${rt[NAME]}, its PID in ${manager[NAME]}, its cgroup (below
# ours: a manager outside a cgroup of its own takes the hierarchy's root for its own, where every
# other such manager puts its units too) in ${cgroup[NAME]}, the cgroup2 one first. Returns 1 if
# it does not come up.
declare -A rt=() manager=() build=() cgroup=()
manager_start() {
        local name=$1 dir=$2 d state mount path cg procs=
        shift 2
        d=$(mktemp -d /tmp/megafilter-manager-"$name".XXXXXX)
        chmod 0700 "$d"
        mkdir -p "$d/systemd/user" "$d/home" "$d/config" "$d/state" "$d/cache" "$d/data"
        rt[$name]=$d
        build[$name]=$dir
        cgroup[$name]=
        while read -r mount path; do
                cg=$mount${path%/}/${d##*/}
                mkdir "$cg" || return 1
                cgroup[$name]+="$cg "
                procs+="$cg/cgroup.procs "
        done < <(cgroup_hierarchies)
        # Everything the manager and its services write goes below the runtime directory.
        XDG_RUNTIME_DIR=$d HOME=$d/home XDG_CONFIG_HOME=$d/config XDG_STATE_HOME=$d/state \
                XDG_CACHE_HOME=$d/cache XDG_DATA_HOME=$d/data SYSTEMD_LOG_TARGET=console \
                MEGAFILTER_CGROUP_PROCS=$procs setsid bash -c \
                'for f in $MEGAFILTER_CGROUP_PROCS; do echo $$ >"$f"; done; unset MEGAFILTER_CGROUP_PROCS; exec "$@"' \
                _ "$@" "$dir/systemd" --user >"$d/manager.log" 2>&1 </dev/null &
        manager[$name]=$!
        for _ in $(seq 200); do
                state=$(uctl "$name" is-system-running 2>/dev/null || true)
                [[ $state == @(running|degraded) ]] && return 0
                kill -0 "${manager[$name]}" 2>/dev/null || break
                sleep 0.05
        done
        echo "systemd --user from $dir did not start:" >&2
        tail -n 5 "$d/manager.log" >&2
        return 1
}

# uctl NAME ARGS…: that manager's systemctl --user.
uctl() {
        local name=$1
        shift
        XDG_RUNTIME_DIR=${rt[$name]} "${build[$name]}/systemctl" --user --no-pager "$@"
}

# urun NAME ARGS…: that manager's systemd-run --user.
urun() {
        local name=$1
        shift
        XDG_RUNTIME_DIR=${rt[$name]} "${build[$name]}/systemd-run" --user --quiet "$@"
}

managers_stop() {
        local name cg
        for name in "${!manager[@]}"; do
                kill "${manager[$name]}" 2>/dev/null || true
        done
        for name in "${!manager[@]}"; do
                for _ in $(seq 100); do kill -0 "${manager[$name]}" 2>/dev/null || break; sleep 0.05; done
                kill -9 "${manager[$name]}" 2>/dev/null || true
                rm -rf "${rt[$name]}"
                # The manager's cgroups, deepest first, once their processes are gone.
                for cg in ${cgroup[$name]}; do
                        for _ in $(seq 50); do
                                find "$cg" -depth -type d -exec rmdir {} + 2>/dev/null
                                [ -d "$cg" ] || break
                                sleep 0.05
                        done
                done
        done
        manager=()
}

# unit_for_user_manager FILE COMMAND: FILE's [Service] section, with what a user manager cannot do
# or what belongs to the daemon itself (its commands, type, user, bus name, restart policy, …)
# left out, and COMMAND as a simple service's ExecStart=. Printed on stdout.
unit_for_user_manager() {
        python3 - "$1" "$2" <<'PY'
import sys

drop = {"ExecStart", "ExecStartPre", "ExecStartPost", "ExecStop", "ExecStopPost", "ExecReload",
        "ExecCondition", "Type", "User", "Group", "DynamicUser", "SupplementaryGroups", "BusName",
        "NotifyAccess", "WatchdogSec", "Restart", "RestartSec", "RestartPreventExitStatus",
        "RestartForceExitStatus", "SuccessExitStatus", "PIDFile", "Sockets", "FileDescriptorStoreMax",
        "TimeoutSec", "TimeoutStartSec", "TimeoutStopSec", "RuntimeMaxSec", "RemainAfterExit",
        "StandardInput", "StandardOutput", "StandardError", "TTYPath", "TTYReset", "TTYVHangup",
        "KillMode", "KillSignal", "SendSIGHUP", "Slice", "Delegate", "OOMScoreAdjust"}
lines, cont = [], ""
for raw in open(sys.argv[1], encoding="utf-8"):
    raw = raw.rstrip("\n")
    if raw.endswith("\\"):
        cont += raw[:-1] + " "
        continue
    lines.append(cont + raw)
    cont = ""
out, section = ["[Service]", "Type=simple", "ExecStart=" + sys.argv[2]], None
for l in lines:
    s = l.strip()
    if not s or s[0] in "#;":
        continue
    if s.startswith("["):
        section = s
        continue
    if section != "[Service]" or "=" not in s:
        continue
    key = s.split("=", 1)[0].strip()
    if key not in drop:
        out.append(s)
print("\n".join(out))
PY
}

# The hardened units of this machine: every unit in /lib/systemd/system with a seccomp-based
# directive, aliases once, templates with an instance. "NAME PATH" lines.
seccomp_units() {
        local f real name
        declare -A seen=()
        for f in /lib/systemd/system/*.service; do
                grep -qE '^(SystemCallFilter|SystemCallArchitectures|SystemCallLog|RestrictAddressFamilies|MemoryDenyWriteExecute|RestrictNamespaces|LockPersonality|RestrictRealtime|RestrictSUIDSGID|ProtectKernelModules|ProtectKernelLogs|ProtectKernelTunables|ProtectClock|ProtectHostname|PrivateDevices)=' "$f" || continue
                real=$(readlink -f "$f")
                [ -n "${seen[$real]:-}" ] && continue
                seen[$real]=1
                name=${real##*/}
                [[ $name == *@.service ]] && name=${name%@.service}@megafilter.service
                echo "$name $real"
        done
}
