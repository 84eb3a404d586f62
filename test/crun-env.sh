# SPDX-License-Identifier: LGPL-2.1-or-later
# Sourced by the tests that run crun containers: skip() (exit 77), the checks for what they need,
# the private mount namespace crun needs here (it wants cgroup2 alone; this host is hybrid), and a
# busybox bundle.

busybox=/bin/busybox

skip() {
        echo "SKIP: $*"
        exit 77
}

# crun_require NEED…: skip unless each is there: crun, podman, root, python3, busybox (any
# /bin/busybox), static-busybox.
crun_require() {
        local need
        for need in "$@"; do
                case $need in
                crun|podman) command -v "$need" >/dev/null || skip "$need not installed" ;;
                root) [[ $(id -u) == 0 ]] || skip "needs root" ;;
                python3) [[ -x /usr/bin/python3 ]] || skip "/usr/bin/python3 not installed" ;;
                busybox) [[ -x $busybox ]] || skip "no $busybox" ;;
                static-busybox)
                        [[ -x $busybox ]] && ldd "$busybox" 2>&1 | grep -q 'not a dynamic executable' ||
                                skip "no static $busybox (busybox-static)" ;;
                esac
        done
}

# crun_namespace "$@": the script again in a private mount namespace (it returns there), without
# the cgroup2 mount of the hybrid layout.
crun_namespace() {
        if [[ -z ${MEGAFILTER_CRUN_NS:-} ]]; then
                MEGAFILTER_CRUN_NS=1 exec unshare -m --propagation private "$0" "$@"
        fi
        umount /sys/fs/cgroup/unified 2>/dev/null
}

# crun_bundle DIR: a bundle of crun's default spec whose root file system holds busybox (also as sh).
crun_bundle() {
        mkdir -p "$1/rootfs/"{bin,proc,dev,sys,tmp}
        cp "$busybox" "$1/rootfs/bin/busybox"
        ln -s busybox "$1/rootfs/bin/sh"
        (cd "$1" && crun spec) || skip "crun spec failed"
}
