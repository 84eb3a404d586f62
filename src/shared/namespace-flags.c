/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <sched.h>

#include "extract-word.h"
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

static unsigned long namespace_flag_from_name(const char *name) {
        for (const NamespaceInfo *i = namespace_info; i->name; i++)
                if (streq(i->name, name))
                        return i->clone_flag;
        return 0;
}

int namespace_flags_from_string(const char *s, unsigned long *ret) {
        unsigned long flags = 0;
        int r;

        if (!s || !ret)
                return -EINVAL;

        /* Words as systemd's extract_first_word() without flags splits them: a backslash takes
         * the next character literally ("n\\et" is net), a trailing one is an error; quotes are
         * ordinary characters. Names are case-sensitive. */
        for (const char *p = s;;) {
                _cleanup_free_ char *word = NULL;
                unsigned long f;

                r = extract_first_word(&p, &word, 0);
                if (r < 0)
                        return r;
                if (r == 0)
                        break;
                f = namespace_flag_from_name(word);
                if (f == 0)
                        return -EINVAL;
                flags |= f;
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
