/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* A readable listing of a seccomp program. */

#include "abi.h"
#include "bpf-program.h"

/* One instruction a line, with syscall names for comparisons against nr where abi is known
 * (abi may be _ABI_INVALID). Caller frees. */
char *bpf_disassemble(const struct sock_filter *insns, size_t n, Abi abi);
