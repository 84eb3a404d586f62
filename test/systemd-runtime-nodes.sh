#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# What a systemd PID 1 would have created and a user manager on a host without one needs
# (DESIGN §8): /run/systemd/system, and /run/systemd/inaccessible/{dir,reg,fifo,sock,chr,blk}
# (mode 0, chr and blk device 0:0), which ProtectKernelLogs=, ProtectKernelTunables=, … bind-mount
# over what they hide (without them such services fail with 226/NAMESPACE).
#   systemd-runtime-nodes.sh acquire PID   create what is missing, held by process PID
#   systemd-runtime-nodes.sh release PID   PID is done; the last holder removes what was created
# Only what this script created is removed, and only once no live holder is left (tests holding
# the nodes may run in parallel). Exit status 0, or 77 when they cannot be created (not root,
# read-only /run), with the reason on stderr.
set -euo pipefail

cmd=${1:-}
holder=${2:-}
[[ $cmd == @(acquire|release) && $holder =~ ^[0-9]+$ ]] || {
        echo "usage: systemd-runtime-nodes.sh acquire|release PID" >&2
        exit 2
}
state=/run/megafilter-runtime-nodes     # holders/PID, created (paths, in creation order)

exec 9</run
flock 9

prune() {
        local h
        for h in "$state"/holders/*; do
                [ -e "$h" ] || continue
                kill -0 "${h##*/}" 2>/dev/null || rm -f "$h"
        done
}

remove_created() {
        local paths=() i
        [ -f "$state/created" ] && mapfile -t paths <"$state/created"
        for ((i = ${#paths[@]} - 1; i >= 0; i--)); do
                if [ -d "${paths[i]}" ] && [ ! -L "${paths[i]}" ]; then
                        rmdir "${paths[i]}" 2>/dev/null || echo "systemd-runtime-nodes: ${paths[i]} is not empty, left" >&2
                else
                        rm -f "${paths[i]}"
                fi
        done
        rm -rf "$state"
}

if [ "$cmd" = release ]; then
        rm -f "$state/holders/$holder"
        prune
        if [ -d "$state" ] && [ -z "$(ls -A "$state/holders" 2>/dev/null)" ]; then
                remove_created
        fi
        exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
        echo "systemd-runtime-nodes: creating /run/systemd/inaccessible needs root" >&2
        exit 77
fi
prune
# No live holder: whatever an earlier holder created and did not remove (it died) goes first.
if [ -d "$state" ] && [ -z "$(ls -A "$state/holders" 2>/dev/null)" ]; then
        remove_created
fi
mkdir -p "$state/holders" 2>/dev/null || { echo "systemd-runtime-nodes: cannot write to /run" >&2; exit 77; }
touch "$state/created"

create() {      # create PATH KIND: create PATH unless it exists, and record it
        local path=$1 kind=$2
        [ -e "$path" ] || [ -L "$path" ] && return 0
        case $kind in
        dir) mkdir -m 0755 "$path" ;;
        dir0) mkdir -m 0 "$path" ;;
        reg) : >"$path" ;;
        fifo) mkfifo -m 0 "$path" ;;
        sock) python3 -c 'import os, stat, sys; os.mknod(sys.argv[1], stat.S_IFSOCK)' "$path" ;;
        chr) mknod -m 0 "$path" c 0 0 ;;
        blk) mknod -m 0 "$path" b 0 0 ;;
        esac || { echo "systemd-runtime-nodes: cannot create $path" >&2; return 1; }
        chmod "$([ "$kind" = dir ] && echo 0755 || echo 0)" "$path"
        echo "$path" >>"$state/created"
}

ok=true
for entry in /run/systemd:dir /run/systemd/system:dir /run/systemd/inaccessible:dir \
             /run/systemd/inaccessible/dir:dir0 /run/systemd/inaccessible/reg:reg \
             /run/systemd/inaccessible/fifo:fifo /run/systemd/inaccessible/sock:sock \
             /run/systemd/inaccessible/chr:chr /run/systemd/inaccessible/blk:blk; do
        create "${entry%:*}" "${entry##*:}" || { ok=false; break; }
done
if ! $ok; then
        [ -n "$(ls -A "$state/holders")" ] || remove_created
        exit 77
fi
touch "$state/holders/$holder"
