/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <stdint.h>

#include "macro.h"
#include "syscall-set.h"

#include "syscall-set.gen.c"

const SyscallSet *syscall_set_find(const char *name) {
        if (!name || name[0] != '@')
                return NULL;

        for (SyscallSetId i = 0; i < _SYSCALL_SET_MAX; i++)
                if (streq(name, syscall_sets[i].name))
                        return &syscall_sets[i];
        return NULL;
}

_Static_assert(_SYSCALL_SET_MAX <= 64, "visited sets are tracked in a uint64_t");

static int foreach_recursive(const SyscallSet *set, uint64_t *visited,
                             int (*f)(const char *name, void *userdata), void *userdata) {
        uint64_t bit = UINT64_C(1) << (set - syscall_sets);
        int r;

        if (*visited & bit)
                return 0;
        *visited |= bit;

        for (const char *const *m = set->members; *m; m++) {
                if ((*m)[0] == '@') {
                        const SyscallSet *nested = syscall_set_find(*m);

                        if (!nested)            /* the generator refuses dangling references */
                                return -EFAULT;
                        r = foreach_recursive(nested, visited, f, userdata);
                } else
                        r = f(*m, userdata);
                if (r < 0)
                        return r;
        }
        return 0;
}

int syscall_set_foreach(const SyscallSet *set, int (*f)(const char *name, void *userdata), void *userdata) {
        uint64_t visited = 0;

        /* Only the sets of syscall_sets[] are valid. */
        if (!set || !f ||
            (uintptr_t) set < (uintptr_t) syscall_sets ||
            (uintptr_t) set >= (uintptr_t) (syscall_sets + _SYSCALL_SET_MAX))
                return -EINVAL;

        return foreach_recursive(set, &visited, f, userdata);
}
