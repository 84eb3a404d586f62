/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <inttypes.h>
#include <stdio.h>

#include "action.h"

const char *action_to_string(uint32_t action, char *buf, size_t size) {
        uint32_t data = action & SECCOMP_RET_DATA;

        switch (action & SECCOMP_RET_ACTION_FULL) {
        case SECCOMP_RET_KILL_PROCESS:
                snprintf(buf, size, "KILL_PROCESS");
                break;
        case SECCOMP_RET_KILL_THREAD:
                snprintf(buf, size, "KILL_THREAD");
                break;
        case SECCOMP_RET_TRAP:
                if (data)
                        snprintf(buf, size, "TRAP(%" PRIu32 ")", data);
                else
                        snprintf(buf, size, "TRAP");
                break;
        case SECCOMP_RET_ERRNO:
                snprintf(buf, size, "ERRNO(%" PRIu32 ")", data);
                break;
        case SECCOMP_RET_USER_NOTIF:
                snprintf(buf, size, "USER_NOTIF");
                break;
        case SECCOMP_RET_TRACE:
                if (data)
                        snprintf(buf, size, "TRACE(%" PRIu32 ")", data);
                else
                        snprintf(buf, size, "TRACE");
                break;
        case SECCOMP_RET_LOG:
                snprintf(buf, size, "LOG");
                break;
        case SECCOMP_RET_ALLOW:
                snprintf(buf, size, "ALLOW");
                break;
        default:
                /* The kernel kills the process for actions it does not know. */
                snprintf(buf, size, "UNKNOWN(0x%08" PRIx32 ")", action);
                break;
        }

        return buf;
}
