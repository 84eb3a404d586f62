/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* What test-run.sh runs under megafilter run: one system call the sandbox may refuse, its result
 * printed as "ok" or the errno's name, exit status 0 or 1. */

#include <sched.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include <sys/socket.h>
#include <systemd/sd-daemon.h>

#include "macro.h"

static int report(int r) {
        if (r < 0) {
                printf("%s\n", strerrorname_np(errno) ?: "?");
                return 1;
        }
        printf("ok\n");
        return 0;
}

int main(int argc, char *argv[]) {
        const char *what = argc > 1 ? argv[1] : "";

        if (streq(what, "socket") && argc > 2) {
                int family = streq(argv[2], "inet6") ? AF_INET6 : streq(argv[2], "inet") ? AF_INET :
                             streq(argv[2], "unix") ? AF_UNIX : AF_NETLINK;

                return report(socket(family, SOCK_DGRAM, 0));
        }
        if (streq(what, "unshare-net"))
                return report(unshare(CLONE_NEWNET));
        if (streq(what, "mmap-wx")) {
                void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

                return report(p == MAP_FAILED ? -1 : 0);
        }
        if (streq(what, "personality-x86"))
                return report(personality(PER_LINUX32));
        if (streq(what, "notify")) {
                /* Type=notify: say READY=1 from this (the main) process, then stay up. */
                int r = sd_notify(0, "READY=1");

                if (r <= 0) {
                        fprintf(stderr, "sd_notify: %s\n", r < 0 ? strerror(-r) : "no $NOTIFY_SOCKET");
                        return 1;
                }
                pause();
                return 0;
        }
        fprintf(stderr, "usage: run-helper socket inet|inet6|unix|netlink | unshare-net | mmap-wx | personality-x86 | notify\n");
        return 2;
}
