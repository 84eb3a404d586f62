# SPDX-License-Identifier: LGPL-2.1-or-later
# Sourced by tools/demo and tools/check: install the Debian 12 packages megafilter needs, if missing.

MEGAFILTER_PACKAGES=(gcc pkg-config meson ninja-build libseccomp-dev libsystemd-dev libcmocka-dev systemd)
# tools/fuzz (and so tools/check): clang with libFuzzer and the sanitizer runtimes, which clang-14
# only recommends (and recommendations are not installed here).
MEGAFILTER_FUZZ_PACKAGES=(clang libclang-rt-14-dev)
# The rest of tools/check's needs: zsh for test-completion's zsh half.
MEGAFILTER_TEST_PACKAGES=(zsh)
# test-learn-oci, test-oci*: a container runtime, a static busybox to run in it, and Podman.
MEGAFILTER_TEST_PACKAGES+=(crun busybox-static podman)

install_missing() {
        local missing=() p
        for p in "${MEGAFILTER_PACKAGES[@]}" "$@"; do
                dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
        done
        [ ${#missing[@]} -eq 0 ] && return 0
        echo "Installing: ${missing[*]}" >&2
        if [ "$(id -u)" -ne 0 ]; then
                echo "Missing packages and not root; run as root or install them: ${missing[*]}" >&2
                return 1
        fi
        DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 update -qq
        DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${missing[@]}"
}
