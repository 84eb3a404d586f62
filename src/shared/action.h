/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* seccomp actions: a SECCOMP_RET_* value with its data, as a filter returns it. The kernel's
 * precedence between them, and their names. */

#include <linux/seccomp.h>
#include <stddef.h>
#include <stdint.h>

/* SECCOMP_RET_ERRNO with errno e. */
#define ACTION_ERRNO(e) (SECCOMP_RET_ERRNO | ((uint32_t) (e) & SECCOMP_RET_DATA))

/* The kernel's precedence order: negative if a is more restrictive than b, 0 when they are
 * equally restrictive (the same action, whatever the data: the kernel keeps the newest filter's). */
static inline int action_compare(uint32_t a, uint32_t b) {
        int32_t x = (int32_t) (a & SECCOMP_RET_ACTION_FULL), y = (int32_t) (b & SECCOMP_RET_ACTION_FULL);

        return (x > y) - (x < y);
}

/* "ALLOW", "ERRNO(1)", "KILL_PROCESS", "LOG", … for a return value. */
const char *action_to_string(uint32_t action, char *buf, size_t size);
