/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* A classic-BPF interpreter for seccomp programs, the kernel's checks on them, and a model of the
 * kernel's constant-action cache (kernel/seccomp.c, Linux >= 5.11): used by the verifier, the
 * tests, `megafilter analyze` and the benchmark. */

#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "abi.h"

/* The checks seccomp(2) makes before it accepts a filter: length 1…4096, only the instructions
 * seccomp permits, loads aligned and inside struct seccomp_data, jumps inside the program, the
 * program ends in a return, no division by a constant 0, scratch memory in range (and, as the
 * kernel's verifier insists, written before it is read). 0 or -EINVAL. */
int bpf_check(const struct sock_filter *insns, size_t n);

/* Run one program on sd. Returns the filter's return value and, if ret_steps is non-NULL, how
 * many instructions ran. The program must have passed bpf_check(). */
uint32_t bpf_run(const struct sock_filter *insns, size_t n, const struct seccomp_data *sd, unsigned *ret_steps);

/* A filter chain in attach order: filters[0] was attached first, filters[n-1] last. */
typedef struct BpfFilterRef {
        const struct sock_filter *insns;
        size_t n;
} BpfFilterRef;

/* The kernel's verdict for a chain: every filter runs, newest first; the lowest
 * (s32)(ret & SECCOMP_RET_ACTION_FULL) wins, on ties the newest. Steps are summed. */
uint32_t bpf_chain_run(const BpfFilterRef *filters, size_t n, const struct seccomp_data *sd, unsigned *ret_steps);

/* The kernel's precedence order: negative if a is more restrictive than b. */
int seccomp_action_compare(uint32_t a, uint32_t b);

/* The kernel's cache emulation for one filter: with only nr and arch known, does the program
 * always reach "RET ALLOW"? Only LD|W|ABS of nr/arch, JA, JEQ/JGE/JGT/JSET with K, ALU AND K and
 * RET K are followed; anything else means "not cacheable". */
bool bpf_cache_allows(const struct sock_filter *insns, size_t n, uint32_t arch, uint32_t nr);

/* Whether the chain lets the kernel serve (arch, nr) from its cache: every filter must allow it.
 * Only ABIs the kernel caches are considered (the native ABI and its compat ABI, numbers below
 * the table's end; x32 never), see bpf_cache_abi(). The host is abi_native(); on it, uretprobe
 * and uprobe are always served from the cache, whatever the filters say (Linux 6.18). */
bool bpf_chain_cache_allows(const BpfFilterRef *filters, size_t n, Abi abi, uint32_t nr);
/* The same on a host whose native ABI is native (the ABI a sandbox is compiled for). */
bool bpf_chain_cache_allows_on(Abi native, const BpfFilterRef *filters, size_t n, Abi abi, uint32_t nr);

/* Whether the kernel keeps a cache bitmap for abi on a host whose native ABI is native. */
bool bpf_cache_abi(Abi native, Abi abi);
/* One past the largest number the kernel's cache bitmap covers for abi (ARM's private calls, at
 * 0xf0000 and up, are outside it). */
uint32_t bpf_cache_nr_end(Abi abi);

/* A readable listing of a program: one instruction a line, with syscall names for
 * comparisons against nr where abi is known (abi may be _ABI_INVALID). Caller frees. */
char *bpf_disassemble(const struct sock_filter *insns, size_t n, Abi abi);

/* "ALLOW", "ERRNO(1)", "KILL_PROCESS", "LOG", … for a return value. */
const char *seccomp_action_to_string(uint32_t action, char *buf, size_t size);
