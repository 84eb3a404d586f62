/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* A model of the kernel's constant-action cache (kernel/seccomp.c, Linux >= 5.11): which
 * syscalls a chain lets the kernel allow without running any filter. */

#include <stdbool.h>
#include <stdint.h>

#include "abi.h"
#include "bpf-program.h"

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
