/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <stdint.h>

#include "macro.h"
#include "syscall-set-systemd252.h"

/* Where 252's direct members differ from the model's ("@x" entries are nested groups). */
typedef struct Difference {
        SyscallSetId set;
        const char *const *missing;     /* the model has them, 252 does not */
        const char *const *extra;       /* 252 has them, the model does not */
} Difference;

static const Difference differences[] = {
        { SYSCALL_SET_DEFAULT,
          (const char *const[]) { "@sandbox", "lsm_get_self_attr", "lsm_list_modules", "mseal", NULL },
          NULL },
        { SYSCALL_SET_BASIC_IO, (const char *const[]) { "llseek", NULL }, NULL },
        { SYSCALL_SET_FILE_SYSTEM,
          (const char *const[]) { "file_getattr", "file_setattr", "fstatat", "getxattrat", "listmount",
                                  "listxattrat", "newfstat", "open_tree", "removexattrat", "setxattrat",
                                  "statmount", NULL },
          NULL },
        { SYSCALL_SET_MOUNT,
          (const char *const[]) { "open_tree_attr", NULL },
          (const char *const[]) { "open_tree", NULL } },
};

bool syscall_set_in_systemd252(SyscallSetId set) {
        return set >= 0 && set < _SYSCALL_SET_MAX && set != SYSCALL_SET_SANDBOX;
}

static const Difference *difference_of(SyscallSetId set) {
        for (size_t i = 0; i < ELEMENTSOF(differences); i++)
                if (differences[i].set == set)
                        return &differences[i];
        return NULL;
}

static bool listed(const char *const *l, const char *name) {
        for (; l && *l; l++)
                if (streq(*l, name))
                        return true;
        return false;
}

static int walk(SyscallSetId set, uint64_t *visited, int (*f)(const char *name, void *userdata), void *userdata) {
        const Difference *d = difference_of(set);
        int r;

        if (*visited & (UINT64_C(1) << set))
                return 0;
        *visited |= UINT64_C(1) << set;

        for (const char *const *m = syscall_sets[set].members; *m; m++) {
                if (d && listed(d->missing, *m))
                        continue;
                if ((*m)[0] == '@') {
                        const SyscallSet *nested = syscall_set_find(*m);

                        if (!nested || !syscall_set_in_systemd252(nested - syscall_sets))
                                return -EFAULT;
                        r = walk(nested - syscall_sets, visited, f, userdata);
                } else
                        r = f(*m, userdata);
                if (r < 0)
                        return r;
        }
        for (const char *const *m = d ? d->extra : NULL; m && *m; m++)
                if ((r = f(*m, userdata)) < 0)
                        return r;
        return 0;
}

int syscall_set_foreach_systemd252(SyscallSetId set, int (*f)(const char *name, void *userdata), void *userdata) {
        uint64_t visited = 0;

        if (!syscall_set_in_systemd252(set) || !f)
                return -EINVAL;
        return walk(set, &visited, f, userdata);
}
