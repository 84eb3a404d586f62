/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* A classic BPF program as handed to seccomp(2): an array of struct sock_filter, plus a name;
 * and a chain of them as the checkers take it. */

#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "macro.h"

/* The kernel's limits (kernel/seccomp.c, include/uapi/linux/filter.h). */
#define BPF_MAXINSNS_SECCOMP 4096                       /* per filter */
#define SECCOMP_CHAIN_MAX_INSNS 32768                   /* over the chain … */
#define SECCOMP_CHAIN_PER_FILTER_PENALTY 4              /* … counting this many extra per filter */

/* Offsets into struct seccomp_data. */
#define SECCOMP_DATA_NR 0
#define SECCOMP_DATA_ARCH 4
#define SECCOMP_DATA_IP 8
#define SECCOMP_DATA_ARG_LO(i) (16 + 8 * (i) + 0)       /* little-endian hosts */
#define SECCOMP_DATA_ARG_HI(i) (16 + 8 * (i) + 4)
#define SECCOMP_DATA_SIZE ((uint32_t) sizeof(struct seccomp_data))

typedef struct BpfProgram {
        char *name;                     /* "megafilter", "argfilter", … */
        struct sock_filter *insns;
        size_t n;
        size_t allocated;
        Arena storage;                  /* when it has chunks, insns and name live there (the code
                                         * generator's programs), not in heap blocks */
        bool holds_array;               /* storage also holds the array this program is the first
                                         * of, and the first chunks of the others' storage:
                                         * bpf_programs_free() releases the array, last to first */
} BpfProgram;

int bpf_program_append(BpfProgram *p, uint16_t code, uint8_t jt, uint8_t jf, uint32_t k);
void bpf_program_done(BpfProgram *p);
void bpf_programs_free(BpfProgram *p, size_t n);

/* A filter chain in attach order: filters[0] was attached first, filters[n-1] last. */
typedef struct BpfFilterRef {
        const struct sock_filter *insns;
        size_t n;
} BpfFilterRef;
