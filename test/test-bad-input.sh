#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Hostile unit files through `megafilter show` and `megafilter compile`: each case must produce a
# diagnostic naming FILE:LINE (FILE alone for faults of a whole file), must not crash (exit status
# below 128, within the time limit: a FIFO must not hang), and with --strict must be refused
# (non-zero exit status, nothing on standard output).
set -uo pipefail

binary=${MEGAFILTER_BINARY:?}
dir=$(mktemp -d /tmp/megafilter-bad-input-XXXXXX)
trap 'chmod -R u+rwx "$dir" 2>/dev/null; rm -rf "$dir"' EXIT
cd "$dir" || exit 1
failures=0 cases=0

fail() {
        echo "FAIL: $*" >&2
        failures=$((failures + 1))
}

# check NAME UNIT PATTERN [fatal]: PATTERN (extended regexp) must be in the diagnostics; "fatal":
# the unit is refused even without --strict.
check() {
        local name=$1 unit=$2 pattern=$3 fatal=${4:-} verb rc
        cases=$((cases + 1))
        for verb in show compile; do
                timeout 20 "$binary" "$verb" "$unit" >out 2>err
                rc=$?
                if [ $rc -ge 124 ]; then
                        fail "$name: $verb exited with $rc (crash or hang)"; cat err >&2; continue
                fi
                if ! grep -Eq -- "$pattern" err; then
                        fail "$name: $verb: no diagnostic matching '$pattern'"; head -c 2000 err >&2; continue
                fi
                if [ -n "$fatal" ] && [ $rc -eq 0 ]; then
                        fail "$name: $verb accepted a unit it must refuse"
                fi
                timeout 20 "$binary" "$verb" --strict "$unit" >out 2>err
                rc=$?
                if [ $rc -eq 0 ] || [ $rc -ge 124 ]; then
                        fail "$name: $verb --strict exited with $rc"
                fi
                if [ -s out ]; then
                        fail "$name: $verb --strict wrote output despite refusing"
                fi
        done
}

# unit NAME CONTENT (printf format): writes NAME.service.
unit() {
        printf -- "$2" >"$1.service"
}

here=$dir

# --- Syntax: the line is named.
unit header '[Service\nSystemCallFilter=read\n'
check "bad section header" ./header.service "^$here/header.service:1: Invalid section header" fatal
unit header-chars '[Ser\x01vice]\nSystemCallFilter=read\n'
check "control character in a section header" ./header-chars.service "^$here/header-chars.service:1: " fatal
unit outside 'SystemCallFilter=read\n[Service]\nUser=x\n'
check "key outside a section" ./outside.service "^$here/outside.service:1: Assignment outside of section"
unit no-eq '[Service]\nSystemCallFilter\n'
check "missing =" ./no-eq.service "^$here/no-eq.service:2: Missing '='"
unit no-key '[Service]\n=read\n'
check "missing key" ./no-key.service "^$here/no-key.service:2: Missing key name"
unit nul '[Service]\nSystemCallFilter=re\0ad\n'
check "NUL byte (ends the line, as in systemd)" ./nul.service "^$here/nul.service:3: Missing '='"
unit utf8 '[Service]\nSystemCallFilter=read \xff\xfe\n'
check "invalid UTF-8" ./utf8.service "^$here/utf8.service:2: String is not UTF-8 clean" fatal
unit overlong '[Service]\nUser=\xc0\xaf\n'
check "overlong UTF-8 encoding" ./overlong.service "^$here/overlong.service:2: String is not UTF-8 clean" fatal
{ printf '[Service]\nSystemCallFilter='; head -c $((1024 * 1024 + 16)) /dev/zero | tr '\0' 'r'; printf '\n'; } >long.service
check "line over 1 MiB" ./long.service "^$here/long.service:2: Line too long" fatal
{ printf '[Service]\nSystemCallFilter=read \\\n'; for i in $(seq 1100); do head -c 1000 /dev/zero | tr '\0' ' '; printf 'x\\\n'; done; printf 'write\n'; } >long-continued.service
check "continuation over 1 MiB" ./long-continued.service "^$here/long-continued.service:[0-9]+: Continuation line too long" fatal
unit eof-continuation '[Service]\nSystemCallFilter=read \\'
check "continuation at end of file" ./eof-continuation.service "^$here/eof-continuation.service:2: Line continuation at the end of the file"

# --- Values: the directive's line is named.
unit unknown-syscall '[Service]\nSystemCallFilter=read no_such_call\n'
check "unknown syscall" ./unknown-syscall.service "^$here/unknown-syscall.service:2: .*no_such_call"
unit unknown-group '[Service]\nSystemCallFilter=@no-such-group\n'
check "unknown group" ./unknown-group.service "^$here/unknown-group.service:2: .*@no-such-group"
unit unknown-errno '[Service]\nSystemCallFilter=~read:ENOSUCH\n'
check "unknown errno name" ./unknown-errno.service "^$here/unknown-errno.service:2: .*read:ENOSUCH"
unit errno-range '[Service]\nSystemCallFilter=~read:4096\n'
check "errno out of range" ./errno-range.service "^$here/errno-range.service:2: .*read:4096"
unit errno-zero '[Service]\nSystemCallErrorNumber=0\n'
check "SystemCallErrorNumber=0" ./errno-zero.service "^$here/errno-zero.service:2: "
unit errno-negative '[Service]\nSystemCallErrorNumber=-1\n'
check "negative errno" ./errno-negative.service "^$here/errno-negative.service:2: "
unit errno-huge '[Service]\nSystemCallErrorNumber=99999999999999999999\n'
check "errno overflowing" ./errno-huge.service "^$here/errno-huge.service:2: "
unit arch '[Service]\nSystemCallArchitectures=vax\n'
check "unknown architecture" ./arch.service "^$here/arch.service:2: .*vax"
unit family '[Service]\nRestrictAddressFamilies=AF_UNIX AF_NOSUCH\n'
check "unknown address family" ./family.service "^$here/family.service:2: .*AF_NOSUCH"
unit namespace '[Service]\nRestrictNamespaces=net nosuch\n'
check "unknown namespace" ./namespace.service "^$here/namespace.service:2: .*nosuch"
unit allow-errno '[Service]\nSystemCallFilter=read:EPERM\n'
check "errno on an allow-list entry" ./allow-errno.service "^$here/allow-errno.service:2: .*read:EPERM"
unit empty-errno '[Service]\nSystemCallFilter=~read:\n'
check "empty :errno" ./empty-errno.service "^$here/empty-errno.service:2: .*read:"
unit bool '[Service]\nMemoryDenyWriteExecute=maybe\n'
check "bad boolean" ./bool.service "^$here/bool.service:2: .*maybe"
unit quote '[Service]\nSystemCallFilter=read "write\n'
check "unbalanced quote" ./quote.service "^$here/quote.service:2: "
# Thousands of entries: a warning at the one bad entry among them, and no crash or slowness.
{ printf '[Service]\n'; for i in $(seq 3000); do printf 'SystemCallFilter=~read write @clock:EPERM mount:kill\n'; done
  printf 'SystemCallFilter=~bogus_%s\n' 1; } >many.service
check "thousands of entries" ./many.service "^$here/many.service:3002: .*bogus_1"
{ printf '[Service]\nSystemCallFilter=~'; for i in $(seq 20000); do printf 'read:EPERM write '; done; printf 'bogus_2\n'; } >wide.service
check "one line with tens of thousands of entries" ./wide.service "^$here/wide.service:2: .*bogus_2"

# --- Files: the file is named.
mkdir dir.service
check "unit that is a directory" ./dir.service "^$here/dir.service: .*directory" fatal
mkfifo fifo.service
check "unit that is a FIFO (must not hang)" ./fifo.service "^$here/fifo.service: .*not a regular file" fatal
ln -s fifo.service fifo-link.service
check "symlink to a FIFO" ./fifo-link.service "fifo-link.service: .*not a regular file" fatal
ln -s self-loop.service self-loop.service
check "unit that is a symlink to itself" ./self-loop.service "self-loop.service: .*(symbolic links|loop)" fatal
unit loop-dir '[Service]\nSystemCallFilter=read\n'
ln -s loop-dir.service.d loop-dir.service.d
check "drop-in directory that is a symlink to itself" ./loop-dir.service "^$here/loop-dir.service.d: .*symbolic links"
unit loop-conf '[Service]\nSystemCallFilter=read\n'
mkdir loop-conf.service.d && ln -s x.conf loop-conf.service.d/x.conf
check "drop-in that is a symlink to itself" ./loop-conf.service "^$here/loop-conf.service.d/x.conf: .*symbolic links"
unit fifo-conf '[Service]\nSystemCallFilter=read\n'
mkdir fifo-conf.service.d && mkfifo fifo-conf.service.d/a.conf
check "drop-in that is a FIFO (must not hang)" ./fifo-conf.service "^$here/fifo-conf.service.d/a.conf: .*not a regular file"
unit dir-conf '[Service]\nSystemCallFilter=read\n'
mkdir -p dir-conf.service.d/a.conf
check "drop-in that is a directory" ./dir-conf.service "^$here/dir-conf.service.d/a.conf: .*not a regular file"
# Unreadable even for root (who ignores permission bits): /proc/self/mem is a regular file that
# fails to read at offset 0 with EIO.
unit eio-conf '[Service]\nSystemCallFilter=read\n'
mkdir eio-conf.service.d && ln -s /proc/self/mem eio-conf.service.d/a.conf
check "drop-in that cannot be read (EIO)" ./eio-conf.service "^$here/eio-conf.service.d/a.conf: .*(Input/output error|read)"
unit bad-conf '[Service]\nSystemCallFilter=read\n'
mkdir bad-conf.service.d && printf '[Service]\nRestrictNamespaces=bogus\n' >bad-conf.service.d/a.conf
check "bad value in a drop-in: the drop-in's line" ./bad-conf.service "^$here/bad-conf.service.d/a.conf:2: .*bogus"
if [ "$(id -u)" -ne 0 ]; then
        unit unreadable '[Service]\nSystemCallFilter=read\n'
        chmod 000 unreadable.service
        check "unreadable unit (not root)" ./unreadable.service "unreadable.service: .*Permission denied" fatal
        unit unreadable-dir '[Service]\nSystemCallFilter=read\n'
        mkdir unreadable-dir.service.d && chmod 000 unreadable-dir.service.d
        check "unreadable drop-in directory (not root)" ./unreadable-dir.service "unreadable-dir.service.d: .*Permission denied"
else
        echo "note: running as root, permission cases replaced by the /proc/self/mem (EIO) case"
fi

echo "$cases cases, $failures failures"
[ $failures -eq 0 ]
