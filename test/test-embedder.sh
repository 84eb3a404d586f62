#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# An embedder as it meets libmegafilter: `meson install` into a DESTDIR, then a small program
# built with nothing but the installed header and `pkg-config libmegafilter` (and again against the
# uninstalled .pc file of the build tree) compiles, links, runs and gets the documented errors. The
# shared library exports only mf_* (versioned), and its .pc file names what it links.
set -euo pipefail

build=${MEGAFILTER_BUILD_ROOT:?}
src=${MEGAFILTER_SOURCE_ROOT:?}
cc=${1:?usage: test-embedder.sh CC}
command -v pkg-config >/dev/null || { echo "pkg-config missing"; exit 77; }

tmp=$(mktemp -d /tmp/megafilter-embedder-XXXXXX)
trap 'rm -rf "$tmp"' EXIT

meson install -C "$build" --destdir "$tmp/root" --no-rebuild --quiet >/dev/null
pc=$(find "$tmp/root" -name libmegafilter.pc)
[ -n "$pc" ] || { echo "FAIL: no libmegafilter.pc installed"; exit 1; }
header=$(find "$tmp/root" -name megafilter.h)
[ -n "$header" ] || { echo "FAIL: no megafilter.h installed"; exit 1; }
export PKG_CONFIG_PATH=$(dirname "$pc") PKG_CONFIG_SYSROOT_DIR=$tmp/root
flags=$(pkg-config --cflags --libs libmegafilter)
so=$(find "$tmp/root" -name libmegafilter.so)
libdir=$(dirname "$so")

# The units the program loads.
u=$tmp/units
mkdir -p "$u/dir.service"
ln -s /dev/null "$u/masked.service"
printf '[Service]\nSystemCallFilter=read\n[Service\n' >"$u/bad.service"
printf '[Service]\nSystemCallFilter=~mkdir\nSystemCallErrorNumber=EPERM\nRestrictAddressFamilies=AF_UNIX\n' >"$u/good.service"

# A sanitizer build's library needs its runtime first: the program gets the same options.
sanitize=
readelf -d "$so" | grep -q 'NEEDED.*libasan' && sanitize=-fsanitize=address,undefined

# Against the installed files, with the compiler's strictest C.
# shellcheck disable=SC2086
$cc -std=c11 -Wall -Wextra -Werror -pedantic $sanitize -o "$tmp/embedder" "$src/test/embedder/embedder.c" $flags
LD_LIBRARY_PATH=$libdir "$tmp/embedder" "$u"
echo "ok: built against the installed header and .pc file, documented errors"

# Against the build tree's uninstalled .pc file.
unset PKG_CONFIG_SYSROOT_DIR
export PKG_CONFIG_PATH=$build/meson-uninstalled
flags=$(pkg-config --cflags --libs libmegafilter-uninstalled)
# shellcheck disable=SC2086
$cc -std=c11 -Wall -Wextra -Werror $sanitize -o "$tmp/embedder-uninstalled" "$src/test/embedder/embedder.c" $flags
LD_LIBRARY_PATH=$build/src/shared "$tmp/embedder-uninstalled" "$u"
echo "ok: built against the uninstalled .pc file"

# Exports: mf_* only, each versioned.
bad=$(nm -D --defined-only "$so" | awk '$2 != "A" { print $3 }' | grep -v '^mf_[a-z_]*@@MEGAFILTER_' || true)
[ -z "$bad" ] || { echo "FAIL: libmegafilter.so exports more than mf_*: $bad"; exit 1; }
# Every function megafilter.h declares is exported.
for f in $(grep -oE '\bmf_[a-z_]+\(' "$header" | tr -d '(' | sort -u); do
        nm -D --defined-only "$so" | grep -q " $f@@" || { echo "FAIL: $f is declared but not exported"; exit 1; }
done
echo "ok: exports"

# Requires.private names every library the .so links besides libc (for static and
# pkg-config --static users).
export PKG_CONFIG_PATH=$(dirname "$pc")
requires=$(pkg-config --print-requires-private libmegafilter | awk '{ print $1 }')
for lib in $(readelf -d "$so" | sed -n 's/.*(NEEDED).*\[lib\([^.]*\)\.so.*/\1/p'); do
        case $lib in c|m|dl|pthread|rt|ld-linux*|asan|ubsan) continue ;; esac     # libc, sanitizer runtimes
        grep -qx "lib$lib" <<<"$requires" || { echo "FAIL: libmegafilter.so links lib$lib but Requires.private lacks it"; exit 1; }
done
echo "ok: Requires.private: ${requires:-nothing}"

# The shell completions are installed where the shells look.
find "$tmp/root" -path '*/bash-completion/completions/megafilter' | grep -q . || { echo "FAIL: no bash completion installed"; exit 1; }
find "$tmp/root" -path '*/zsh/site-functions/_megafilter' | grep -q . || { echo "FAIL: no zsh completion installed"; exit 1; }
echo "ok: bash and zsh completion installed"
