/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* A running unit's sandbox properties as the service manager reports them over D-Bus
 * (org.freedesktop.systemd1.Service), and their conversion back into assignments, so that a live
 * unit goes through the same directive model as a unit file. Pure data; the bus code is in
 * src/core/bus-unit.c. */

#include "directives.h"
#include "unit-file.h"

typedef struct LiveProperties {
        char *unit;                     /* "webapp.service" */
        uint32_t main_pid;              /* MainPID (u), 0 when none */

        bool syscall_filter_allow;      /* SystemCallFilter (bas) */
        char **syscall_filter;          /* "name" or "name:ERRNO"/"name:kill" */
        bool syscall_log_allow;         /* SystemCallLog (bas) */
        char **syscall_log;
        int32_t syscall_errno;          /* SystemCallErrorNumber (i): 2147483646 for kill */
        char **syscall_archs;           /* SystemCallArchitectures (as) */
        bool address_families_allow;    /* RestrictAddressFamilies (bas) */
        char **address_families;
        uint64_t restrict_namespaces;   /* RestrictNamespaces (t): the namespaces still allowed */
        char *personality;              /* Personality (s): "" when unset */
        bool *bools;                    /* one per bool_directives[] entry, in its order (b) */
} LiveProperties;

int live_properties_new(const char *unit, LiveProperties **ret);
LiveProperties *live_properties_free(LiveProperties *p);
DEFINE_POINTER_CLEANUP(LiveProperties, live_properties_free);

/* The properties as KEY=VALUE assignments which, applied to an empty unit in order, reproduce
 * them (as far as the bus tells: allow-list entries with their own errno are not reported). */
int live_properties_to_assignments(const LiveProperties *p, char ***ret);

/* A unit named after p->unit holding those assignments (source "bus:PROPERTY", line = index),
 * and the directives they give. Diagnostics go to diag. */
int live_properties_to_directives(const LiveProperties *p, Diag *diag, UnitFile **ret_unit, Directives **ret);
