/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Shorthands for writing seccomp programs in tests. */

#include <linux/filter.h>
#include <linux/seccomp.h>

#include "bpf-program.h"

#define S(code, k) BPF_STMT(code, k)
#define J(code, k, jt, jf) BPF_JUMP(code, k, jt, jf)
#define LD(offset) S(BPF_LD | BPF_W | BPF_ABS, offset)
#define RET(k) S(BPF_RET | BPF_K, k)
#define ERRNO(e) (SECCOMP_RET_ERRNO | (e))
#define TRAP(d) (SECCOMP_RET_TRAP | (d))
