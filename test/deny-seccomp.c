/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* deny-seccomp [--prctl|--prctl-all] COMMAND [ARG…]: run COMMAND under a filter that makes
 * seccomp(2) fail with EPERM, everything else allowed. With --prctl, prctl(PR_SET_SECCOMP, …)
 * fails too when it is given a filter (a non-NULL third argument): systemd's probe for seccomp,
 * the same call with NULL, still gets EFAULT and finds seccomp available. With --prctl-all it
 * fails always, and the probe finds seccomp unavailable. A service manager started this way
 * cannot attach its services' filters the usual way: the failure tests of the patched systemd
 * (test-systemd-failure.sh). Needs CAP_SYS_ADMIN (no no_new_privs is set, so that the manager
 * keeps working as root). */

#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#define NR offsetof(struct seccomp_data, nr)
#define ARCH offsetof(struct seccomp_data, arch)
#define ARG_LO(i) (offsetof(struct seccomp_data, args[0]) + 8 * (i))
#define ARG_HI(i) (ARG_LO(i) + 4)
#define EPERM_ACTION (SECCOMP_RET_ERRNO | EPERM)

int main(int argc, char *argv[]) {
        int i = 1, prctl_mode = 0;      /* 0: prctl allowed, 1: with a filter, 2: always */

        if (argc > 1 && strcmp(argv[1], "--prctl") == 0)
                prctl_mode = 1, i++;
        else if (argc > 1 && strcmp(argv[1], "--prctl-all") == 0)
                prctl_mode = 2, i++;
        if (i >= argc) {
                fprintf(stderr, "Usage: deny-seccomp [--prctl|--prctl-all] COMMAND [ARG...]\n");
                return 2;
        }

        /* x86-64 only (the other ABIs pass). prctl's option is an int: the low half of args[0]. */
        struct sock_filter insns[] = {
                /* 0 */ BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ARCH),
                /* 1 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
                /* 2 */ BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
                /* 3 */ BPF_STMT(BPF_LD | BPF_W | BPF_ABS, NR),
                /* 4 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_seccomp, 0, 1),
                /* 5 */ BPF_STMT(BPF_RET | BPF_K, EPERM_ACTION),
                /* 6 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_prctl, 0, 7),
                /* 7 */ BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ARG_LO(0)),
                /* 8 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, PR_SET_SECCOMP, 0, 5),
                /* 9: replaced below for modes 0 and 2 */
                /* 9 */ BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ARG_LO(2)),
                /* 10 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 2),
                /* 11 */ BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ARG_HI(2)),
                /* 12 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 1, 0),     /* NULL: the probe */
                /* 13 */ BPF_STMT(BPF_RET | BPF_K, EPERM_ACTION),
                /* 14 */ BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
        };
        if (prctl_mode != 1)
                insns[9] = (struct sock_filter) BPF_STMT(BPF_RET | BPF_K, prctl_mode == 2 ? EPERM_ACTION : SECCOMP_RET_ALLOW);
        struct sock_fprog prog = { .len = sizeof insns / sizeof insns[0], .filter = insns };

        if (syscall(__NR_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) < 0) {
                fprintf(stderr, "deny-seccomp: seccomp(SECCOMP_SET_MODE_FILTER): %s\n", strerror(errno));
                return 1;
        }
        execvp(argv[i], argv + i);
        fprintf(stderr, "deny-seccomp: %s: %s\n", argv[i], strerror(errno));
        return 127;
}
