#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# libmegafilter needs nothing it does not use: libseccomp is only for the libseccomp baseline
# (src/baseline/, a static library of the tests and the benchmark).
set -euo pipefail

lib=${1:?libmegafilter.so}
if ! command -v readelf >/dev/null; then
        echo "readelf not found; skipping."
        exit 77
fi
needed=$(readelf -d "$lib" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
echo "$lib needs:" $needed
if grep -q '^libseccomp' <<<"$needed"; then
        echo "$lib links libseccomp" >&2
        exit 1
fi
