/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <sched.h>

#include "macro.h"
#include "namespace-flags.h"

/* systemd 252's list and order. "time" is accepted and enforced by RestrictNamespaces= there but
 * is not part of NAMESPACE_FLAGS_ALL, so "RestrictNamespaces=no" leaves it allowed. */
const NamespaceInfo namespace_info[] = {
        { "cgroup", CLONE_NEWCGROUP },
        { "ipc",    CLONE_NEWIPC    },
        { "net",    CLONE_NEWNET    },
        { "mnt",    CLONE_NEWNS     },  /* the kernel's /proc/PID/ns name for CLONE_NEWNS */
        { "pid",    CLONE_NEWPID    },
        { "user",   CLONE_NEWUSER   },
        { "uts",    CLONE_NEWUTS    },
        { "time",   CLONE_NEWTIME   },
        { NULL, 0 },
};

unsigned long namespace_flags_all(void) {
        return CLONE_NEWCGROUP | CLONE_NEWIPC | CLONE_NEWNET | CLONE_NEWNS |
               CLONE_NEWPID | CLONE_NEWUSER | CLONE_NEWUTS;
}

static unsigned long namespace_flag_from_name(const char *name, size_t n) {
        for (const NamespaceInfo *i = namespace_info; i->name; i++)
                if (strlen(i->name) == n && strneq(i->name, name, n))
                        return i->clone_flag;
        return 0;
}

int namespace_flags_from_string(const char *s, unsigned long *ret) {
        static const char blanks[] = " \t\n\r";
        unsigned long flags = 0;

        if (!s || !ret)
                return -EINVAL;

        for (;;) {
                unsigned long f;
                size_t n;

                s += strspn(s, blanks);
                if (!*s)
                        break;
                n = strcspn(s, blanks);
                f = namespace_flag_from_name(s, n);
                if (f == 0)
                        return -EINVAL;
                flags |= f;
                s += n;
        }

        *ret = flags;
        return 0;
}

int namespace_flags_to_string(unsigned long flags, char **ret) {
        _cleanup_strv_free_ char **l = NULL;
        char *s;
        int r;

        if (!ret)
                return -EINVAL;

        for (const NamespaceInfo *i = namespace_info; i->name; i++) {
                if ((flags & i->clone_flag) != i->clone_flag)
                        continue;
                r = strv_extend(&l, i->name);
                if (r < 0)
                        return r;
        }

        s = strv_join(l, " ");
        if (!s)
                return -ENOMEM;
        *ret = s;
        return 0;
}
