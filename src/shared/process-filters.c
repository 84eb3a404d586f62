/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Reading a process's seccomp filters back: the tracee must be in a ptrace stop for
 * PTRACE_SECCOMP_GET_FILTER, and the first index past the chain fails with ENOENT. Index 0 is the
 * OLDEST filter: ptrace(2) says "most recently installed", but kernel/seccomp.c get_nth_filter()
 * walks back from the newest to the count-index'th, and test-process-filters checks the order
 * against filters loaded one after the other. */

#include <sys/ptrace.h>
#include <sys/wait.h>

#include "process-filters.h"

#ifndef PTRACE_SECCOMP_GET_FILTER
#define PTRACE_SECCOMP_GET_FILTER 0x420c
#endif

/* A chain can hold at most 32768 / (1 + 4) filters of one instruction each. */
#define PROCESS_FILTERS_MAX (SECCOMP_CHAIN_MAX_INSNS / (1 + SECCOMP_CHAIN_PER_FILTER_PENALTY))

static int status_field(const char *line, const char *key, int *ret) {
        const char *v = startswith(line, key);
        char *end;
        long l;

        if (!v)
                return 0;
        v += strspn(v, " \t");
        errno = 0;
        l = strtol(v, &end, 10);
        if (errno != 0 || end == v || l < 0 || l > INT32_MAX)
                return -EBADMSG;
        *ret = (int) l;
        return 1;
}

int process_seccomp_status(pid_t pid, SeccompStatus *ret) {
        SeccompStatus s = { .mode = -1, .filters = -1, .no_new_privs = -1 };
        _cleanup_fclose_ FILE *f = NULL;
        _cleanup_free_ char *line = NULL;
        char path[64];
        size_t size = 0;

        if (pid <= 0)
                return -ESRCH;
        snprintf(path, sizeof(path), "/proc/%d/status", (int) pid);
        f = fopen(path, "re");
        if (!f)
                return errno == ENOENT ? -ESRCH : negative_errno();

        while (getline(&line, &size, f) >= 0) {
                int r;

                r = status_field(line, "Seccomp:", &s.mode);
                if (r == 0)
                        r = status_field(line, "Seccomp_filters:", &s.filters);
                if (r == 0)
                        r = status_field(line, "NoNewPrivs:", &s.no_new_privs);
                if (r < 0)
                        return r;
        }
        if (ferror(f))
                return -EIO;

        *ret = s;
        return 0;
}

ProcessFilters *process_filters_free(ProcessFilters *f) {
        if (!f)
                return NULL;
        bpf_programs_free(f->progs, f->n_progs);
        free(f);
        return NULL;
}

BpfFilterRef *process_filters_refs(const ProcessFilters *f) {
        BpfFilterRef *refs = calloc(f->n_progs + 1, sizeof(BpfFilterRef));

        if (!refs)
                return NULL;
        for (size_t i = 0; i < f->n_progs; i++)
                refs[i] = (BpfFilterRef) { f->progs[i].insns, f->progs[i].n };
        return refs;
}

/* Wait until the seized tracee reports its stop; other stops (signal deliveries racing with the
 * interrupt) are acknowledged by resuming until the interrupt's stop arrives. */
static int wait_for_stop(pid_t pid) {
        for (;;) {
                int status;

                if (waitpid(pid, &status, __WALL) < 0) {
                        if (errno == EINTR)
                                continue;
                        return negative_errno();
                }
                if (WIFEXITED(status) || WIFSIGNALED(status))
                        return -ESRCH;
                if (!WIFSTOPPED(status))
                        continue;
                if ((status >> 16) == PTRACE_EVENT_STOP)
                        return 0;
                /* A signal-delivery stop: let the signal through, then ask again. */
                if (ptrace(PTRACE_CONT, pid, NULL, (void *) (long) WSTOPSIG(status)) < 0)
                        return negative_errno();
                if (ptrace(PTRACE_INTERRUPT, pid, NULL, NULL) < 0)
                        return negative_errno();
        }
}

static int read_chain(pid_t pid, ProcessFilters *f) {
        BpfProgram *progs = NULL;
        size_t n = 0, allocated = 0;
        int r = 0;

        for (unsigned long index = 0;; index++) {
                BpfProgram p = {};
                long count;

                if (index >= PROCESS_FILTERS_MAX) {
                        r = -E2BIG;
                        break;
                }
                count = ptrace(PTRACE_SECCOMP_GET_FILTER, pid, (void *) index, NULL);
                if (count < 0) {
                        if (errno == ENOENT)
                                break;          /* past the oldest filter */
                        r = negative_errno();     /* EACCES: no CAP_SYS_ADMIN, or we are filtered */
                        break;
                }
                if (count == 0 || count > BPF_MAXINSNS_SECCOMP) {
                        r = -EBADMSG;
                        break;
                }

                p.insns = calloc(count, sizeof(struct sock_filter));
                if (!p.insns) {
                        r = -ENOMEM;
                        break;
                }
                p.n = p.allocated = (size_t) count;
                if (ptrace(PTRACE_SECCOMP_GET_FILTER, pid, (void *) index, p.insns) != count) {
                        r = errno != 0 ? negative_errno() : -EBADMSG;
                        bpf_program_done(&p);
                        break;
                }
                if (!GREEDY_REALLOC(progs, allocated, n + 1)) {
                        bpf_program_done(&p);
                        r = -ENOMEM;
                        break;
                }
                progs[n++] = p;
        }

        if (r < 0) {
                bpf_programs_free(progs, n);
                f->n_progs = 0;
                return r;
        }

        /* Name them by attach order. */
        for (size_t i = 0; i < n; i++) {
                free(progs[i].name);
                if (asprintf(&progs[i].name, "filter-%02zu", i) < 0) {
                        progs[i].name = NULL;
                        bpf_programs_free(progs, n);
                        return -ENOMEM;
                }
        }
        f->progs = progs;
        f->n_progs = n;
        return 0;
}

int process_filters_read(pid_t pid, ProcessFilters **ret) {
        _cleanup_(process_filters_freep) ProcessFilters *f = NULL;
        int r, k;

        if (pid <= 0)
                return -ESRCH;

        f = calloc(1, sizeof(*f));
        if (!f)
                return -ENOMEM;
        f->pid = pid;

        if (ptrace(PTRACE_SEIZE, pid, NULL, NULL) < 0)
                return errno == ESRCH ? -ESRCH : -EPERM;
        r = ptrace(PTRACE_INTERRUPT, pid, NULL, NULL) < 0 ? negative_errno() : 0;
        if (r >= 0)
                r = wait_for_stop(pid);
        if (r >= 0) {
                r = process_seccomp_status(pid, &f->status);
                if (r >= 0 && f->status.mode == SECCOMP_MODE_STRICT)
                        r = -EMEDIUMTYPE;
                if (r >= 0 && f->status.mode != SECCOMP_MODE_DISABLED) {
                        r = read_chain(pid, f);
                }
        }

        /* Detach even after a failure; a tracee that died meanwhile needs nothing. */
        k = ptrace(PTRACE_DETACH, pid, NULL, NULL) < 0 ? negative_errno() : 0;
        if (r < 0)
                return r;
        if (k < 0 && k != -ESRCH)
                return k;

        if (f->status.filters >= 0 && (size_t) f->status.filters != f->n_progs)
                return -EBADMSG;

        *ret = TAKE_PTR(f);
        return 0;
}
