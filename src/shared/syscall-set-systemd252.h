/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* systemd 252's syscall groups (the installed systemd), as differences from megafilter's groups
 * (upstream systemd, syscall-set.h): what `systemd-analyze syscall-filter` of 252 lists. A drop-in
 * written for the installed systemd must name only groups it has and count only on members it
 * has. Facts from systemd 252's src/shared/seccomp-util.c; test-syscall-set compares them with the
 * installed systemd-analyze. */

#include <stdbool.h>

#include "syscall-set.h"

/* Whether systemd 252 has the group (it lacks @sandbox). */
bool syscall_set_in_systemd252(SyscallSetId set);

/* Call f for every syscall name of the group as systemd 252 has it, nested groups expanded (each
 * once). -EINVAL for a group 252 lacks; stops and returns f's value when it is negative. */
int syscall_set_foreach_systemd252(SyscallSetId set, int (*f)(const char *name, void *userdata), void *userdata);
