/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* A classic-BPF interpreter for seccomp programs, and the kernel's way of combining a chain's
 * verdicts: used by the verifier, the tests, `megafilter analyze` and the benchmark. */

#include <stdint.h>

#include "bpf-program.h"

/* Run one program on sd. Returns the filter's return value and, if ret_steps is non-NULL, how
 * many instructions ran. The program must have passed bpf_check(). */
uint32_t bpf_run(const struct sock_filter *insns, size_t n, const struct seccomp_data *sd, unsigned *ret_steps);

/* The kernel's verdict for a chain: every filter runs, newest first; the lowest
 * (s32)(ret & SECCOMP_RET_ACTION_FULL) wins, on ties the newest. Steps are summed. */
uint32_t bpf_chain_run(const BpfFilterRef *filters, size_t n, const struct seccomp_data *sd, unsigned *ret_steps);
