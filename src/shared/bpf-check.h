/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The checks seccomp(2) makes before it accepts a filter: length 1…4096, only the instructions
 * seccomp permits, loads aligned and inside struct seccomp_data, jumps inside the program, the
 * program ends in a return, no division by a constant 0, scratch memory in range (and, as the
 * kernel's verifier insists, written before it is read). 0 or -EINVAL. */

#include "bpf-program.h"

int bpf_check(const struct sock_filter *insns, size_t n);
