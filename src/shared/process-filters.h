/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The seccomp filters attached to a running process, read back with
 * ptrace(PTRACE_SECCOMP_GET_FILTER), and what /proc/PID/status says about them. Reading needs
 * CAP_SYS_ADMIN, a tracer that is not itself under seccomp, and a process nobody else traces. */

#include <sys/types.h>

#include "bpf-program.h"

typedef struct SeccompStatus {
        int mode;                       /* "Seccomp:": 0 disabled, 1 strict, 2 filter; -1 if absent */
        int filters;                    /* "Seccomp_filters:"; -1 if absent (kernels before 5.9) */
        int no_new_privs;               /* "NoNewPrivs:"; -1 if absent */
} SeccompStatus;

/* Parse /proc/PID/status. -ENOENT (or -ESRCH) if the process does not exist. */
int process_seccomp_status(pid_t pid, SeccompStatus *ret);

typedef struct ProcessFilters {
        pid_t pid;
        BpfProgram *progs;              /* attach order: progs[0] oldest, progs[n_progs-1] newest */
        size_t n_progs;
        SeccompStatus status;           /* read while the process was stopped */
} ProcessFilters;

/* Stop pid (PTRACE_SEIZE + PTRACE_INTERRUPT), copy out every filter of its chain, check the count
 * against Seccomp_filters, detach. Errors: -ESRCH (no such process), -EPERM (not permitted, or
 * already traced), -EACCES (the kernel refused PTRACE_SECCOMP_GET_FILTER: no CAP_SYS_ADMIN, or
 * we are under seccomp ourselves), -EMEDIUMTYPE (the process uses strict mode, not filters),
 * -EBADMSG (the count read differs from Seccomp_filters), -ENOMEM. */
int process_filters_read(pid_t pid, ProcessFilters **ret);
ProcessFilters *process_filters_free(ProcessFilters *f);
DEFINE_POINTER_CLEANUP(ProcessFilters, process_filters_free);

/* The filters as a chain for the emulator and filter-stats.h. Caller frees the array (not the
 * programs, which stay owned by f). */
BpfFilterRef *process_filters_refs(const ProcessFilters *f);
