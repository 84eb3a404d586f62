/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Namespace type names for RestrictNamespaces=, as systemd 252 knows them:
 * cgroup ipc net mnt pid user uts time. "time" is a valid name (and filtered) but, as in systemd,
 * not part of namespace_flags_all(). */

#include <stdbool.h>

#define NAMESPACE_FLAGS_INITIAL (~0UL)  /* RestrictNamespaces= never set */

unsigned long namespace_flags_all(void);                        /* systemd's NAMESPACE_FLAGS_ALL: every flag listed but time */
/* Space-separated list of names (a backslash escapes a character, as in systemd) -> flags.
 * -EINVAL on an unknown name or a trailing backslash, -ENOMEM; *ret untouched then. */
int namespace_flags_from_string(const char *s, unsigned long *ret);
/* flags -> "cgroup ipc …" in systemd's order ("" for none); caller frees. */
int namespace_flags_to_string(unsigned long flags, char **ret);

typedef struct NamespaceInfo {
        const char *name;               /* "net" */
        unsigned long clone_flag;       /* CLONE_NEWNET */
} NamespaceInfo;
extern const NamespaceInfo namespace_info[];                    /* terminated by { NULL, 0 } */
