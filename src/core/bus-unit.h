/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Asking the running service manager (system, or the calling user's with user) about a unit:
 * its main process and its sandbox properties, through sd-bus. */

#include <systemd/sd-bus.h>

#include "live-properties.h"

/* Connect to the manager: the system or user bus, falling back to the manager's private socket
 * (/run/systemd/private, $XDG_RUNTIME_DIR/systemd/private) when no bus daemon runs. */
int bus_connect_manager(bool user, sd_bus **ret);

/* "webapp" -> "webapp.service"; names with a unit type suffix are kept. Caller frees. */
char *bus_unit_name_mangle(const char *name);

/* Load the unit in the manager and read its MainPID and sandbox properties. Errors: -ENOENT (no
 * such unit: its LoadState is not-found), -EBADR (not a service), -ENOMEM, or the bus's errno,
 * with a message printed to stderr. */
int bus_unit_read(sd_bus *bus, const char *name, LiveProperties **ret);
