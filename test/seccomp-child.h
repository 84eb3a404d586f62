/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Ask the real kernel: load seccomp filters into a forked child, make one system call there, and
 * report what the kernel did, for the differential tests of the emulator. */

#include <stdbool.h>
#include <stdint.h>

#include "bpf-program.h"

typedef enum OutcomeKind {
        OUTCOME_RETURNED,       /* the call returned: ret holds the value or -errno */
        OUTCOME_KILLED,         /* the child died of SIGSYS during the call */
        OUTCOME_TRAPPED,        /* a SIGSYS handler ran: data is the filter's SECCOMP_RET_DATA */
        OUTCOME_OTHER,          /* anything else: status holds the wait status */
} OutcomeKind;

typedef struct Outcome {
        OutcomeKind kind;
        long ret;
        uint32_t data;
        uint64_t ip;            /* of a trapped call */
        int status;
} Outcome;

/* Load the filters in attach order, then call syscall(nr, args…). Every filter but the last is
 * loaded while the earlier ones are active, so those must let seccomp(2) through. Returns 0, or the
 * negative errno seccomp(2) failed with (then no call is made). */
int kernel_run(const BpfFilterRef *filters, size_t n, long nr, const uint64_t args[6], Outcome *ret);

/* seccomp_data.instruction_pointer of a call made by kernel_run(): the same for every call, as
 * children run the same code at the same addresses. 0 if it cannot be found. */
uint64_t kernel_syscall_ip(void);

/* Whether seccomp(2) accepts the program: 0 or its negative errno. n may exceed the kernel's limit
 * (up to 65535, what struct sock_fprog can carry). */
int kernel_load(const struct sock_filter *insns, size_t n);

/* What the kernel does with a filter verdict for a call whose result, if allowed, is allowed_ret. */
Outcome outcome_of_verdict(uint32_t verdict, long allowed_ret);

bool outcome_equal(const Outcome *a, const Outcome *b);
const char *outcome_to_string(const Outcome *o, char *buf, size_t size);
