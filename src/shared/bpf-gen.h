/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Code generation: a policy becomes, per host, one argument-independent megafilter and — when
 * some decision depends on arguments — one argument filter.
 *
 * The megafilter: load arch, dispatch per audit arch (native first), load nr, then a search over
 * ranges of numbers with equal outcome covering the whole 32-bit space (x86-64 and x32 share one
 * search; -1 stays x86-64 as libseccomp keeps it), with identical returns shared. It uses only
 * what the kernel's cache emulation follows, so every syscall it allows is cacheable; argument-
 * checked syscalls are ALLOW there.
 *
 * The argument filter: the same dispatch to the few argument-checked syscalls; every other
 * syscall reaches "RET ALLOW" through nr/arch loads only, so it stays cacheable too.
 *
 * LAYOUT_SINGLE puts the argument checks into the megafilter's leaves instead.
 *
 * The searches: the megafilter's weighted by how often calls are expected to run, the argument
 * filter's balanced; where that pair misses the instruction targets below on the native ABI, a
 * pair whose searches minimise the largest instruction count of any call in both programs
 * together, built in turns, each for the other's figures. */

#include "bpf-program.h"
#include "policy.h"

typedef enum Layout {
        LAYOUT_SPLIT,
        LAYOUT_SINGLE,
        _LAYOUT_MAX,
        _LAYOUT_INVALID = -EINVAL,
} Layout;

/* On the native ABI, with both programs of LAYOUT_SPLIT: the most instructions an argument-
 * checked syscall and a denied one are to run (test-bpf-gen holds the shipped units and the
 * host's hardened ones to them). */
#define BPF_GEN_TARGET_ARG_CHECKED 24
#define BPF_GEN_TARGET_DENIED 20

const char *layout_to_string(Layout l);
Layout layout_from_string(const char *s);

/* Generate the programs in attach order. *ret_n is 0 when the policy restricts nothing.
 * -ENOMEM; -E2BIG if a program would exceed the kernel's 4096 instructions. */
int bpf_gen(const Policy *p, Layout layout, BpfProgram **ret, size_t *ret_n);
/* The same, with the generator's scratch memory in an arena of the caller's. */
int bpf_gen_in(const Policy *p, Layout layout, Arena *scratch, BpfProgram **ret, size_t *ret_n);
