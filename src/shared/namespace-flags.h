/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Namespace type names for RestrictNamespaces=, as systemd 252 knows them:
 * cgroup ipc net mnt pid user uts. */

#include <stdbool.h>

#define NAMESPACE_FLAGS_INITIAL (~0UL)  /* RestrictNamespaces= never set */

unsigned long namespace_flags_all(void);                        /* every CLONE_NEW* flag listed */
/* Space-separated list of names -> flags. -EINVAL on an unknown name. */
int namespace_flags_from_string(const char *s, unsigned long *ret);
/* flags -> "cgroup ipc …" in systemd's order; caller frees. */
int namespace_flags_to_string(unsigned long flags, char **ret);

typedef struct NamespaceInfo {
        const char *name;               /* "net" */
        unsigned long clone_flag;       /* CLONE_NEWNET */
} NamespaceInfo;
extern const NamespaceInfo namespace_info[];                    /* terminated by { NULL, 0 } */
