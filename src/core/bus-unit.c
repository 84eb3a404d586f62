/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <systemd/sd-bus.h>

#include "bus-unit.h"
#include "macro.h"

#define SD_DEST "org.freedesktop.systemd1"
#define SD_PATH "/org/freedesktop/systemd1"
#define SD_MANAGER "org.freedesktop.systemd1.Manager"
#define SD_UNIT "org.freedesktop.systemd1.Unit"
#define SD_SERVICE "org.freedesktop.systemd1.Service"

static inline void bus_unrefp(sd_bus **b) {
        if (*b)
                sd_bus_flush_close_unref(*b);
}

static int connect_private(bool user, sd_bus **ret) {
        _cleanup_(bus_unrefp) sd_bus *bus = NULL;
        _cleanup_free_ char *address = NULL;
        int r;

        if (user) {
                const char *e = getenv("XDG_RUNTIME_DIR");

                if (isempty(e))
                        return -ENXIO;
                if (asprintf(&address, "unix:path=%s/systemd/private", e) < 0)
                        return -ENOMEM;
        } else if (!(address = strdup("unix:path=/run/systemd/private")))
                return -ENOMEM;

        r = sd_bus_new(&bus);
        if (r < 0)
                return r;
        r = sd_bus_set_address(bus, address);
        if (r < 0)
                return r;
        r = sd_bus_start(bus);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(bus);
        return 0;
}

/* The bus daemon may be listening (socket activation) and yet not answer for the manager: check
 * that org.freedesktop.systemd1 is there before settling for it. */
static bool manager_reachable(sd_bus *bus) {
        sd_bus_error error = SD_BUS_ERROR_NULL;
        char *version = NULL;
        int r;

        r = sd_bus_get_property_string(bus, SD_DEST, SD_PATH, SD_MANAGER, "Version", &error, &version);
        sd_bus_error_free(&error);
        free(version);
        return r >= 0;
}

int bus_connect_manager(bool user, sd_bus **ret) {
        _cleanup_(bus_unrefp) sd_bus *bus = NULL;
        int r;

        r = user ? sd_bus_open_user(&bus) : sd_bus_open_system(&bus);
        if (r >= 0 && manager_reachable(bus)) {
                *ret = TAKE_PTR(bus);
                return 0;
        }
        if (bus)
                bus = sd_bus_flush_close_unref(bus);

        r = connect_private(user, &bus);
        if (r >= 0 && manager_reachable(bus)) {
                *ret = TAKE_PTR(bus);
                return 0;
        }
        fprintf(stderr, "megafilter: Failed to connect to the %s service manager: %s\n",
                user ? "user" : "system", strerror(r < 0 ? -r : EHOSTDOWN));
        return r < 0 ? r : -EHOSTDOWN;
}

char *bus_unit_name_mangle(const char *name) {
        static const char *const suffixes[] = {
                ".service", ".socket", ".target", ".device", ".mount", ".automount", ".swap",
                ".timer", ".path", ".slice", ".scope",
        };
        char *s;

        for (size_t i = 0; i < ELEMENTSOF(suffixes); i++) {
                size_t n = strlen(name), m = strlen(suffixes[i]);

                if (n > m && streq(name + n - m, suffixes[i]))
                        return strdup(name);
        }
        return asprintf(&s, "%s.service", name) < 0 ? NULL : s;
}

static int bus_error(const char *what, const char *unit, sd_bus_error *error, int r) {
        fprintf(stderr, "megafilter: Failed to get %s of %s: %s\n", what, unit,
                error && sd_bus_error_is_set(error) ? error->message : strerror(-r));
        sd_bus_error_free(error);
        return r;
}

static int get_bool_list(sd_bus *bus, const char *path, const char *unit, const char *member, bool *ret_allow, char ***ret) {
        sd_bus_error error = SD_BUS_ERROR_NULL;
        sd_bus_message *reply = NULL;
        char **l = NULL;
        int allow = 0, r;

        r = sd_bus_get_property(bus, SD_DEST, path, SD_SERVICE, member, &error, &reply, "(bas)");
        if (r < 0)
                return bus_error(member, unit, &error, r);
        r = sd_bus_message_enter_container(reply, 'r', "bas");
        if (r >= 0)
                r = sd_bus_message_read(reply, "b", &allow);
        if (r >= 0)
                r = sd_bus_message_read_strv(reply, &l);
        if (r >= 0)
                r = sd_bus_message_exit_container(reply);
        sd_bus_message_unref(reply);
        if (r < 0) {
                strv_free(l);
                return bus_error(member, unit, NULL, r);
        }
        *ret_allow = allow;
        strv_free(*ret);
        *ret = l;
        return 0;
}

int bus_unit_read(sd_bus *bus, const char *name, LiveProperties **ret) {
        _cleanup_(live_properties_freep) LiveProperties *p = NULL;
        _cleanup_free_ char *unit = bus_unit_name_mangle(name), *load_state = NULL;
        sd_bus_error error = SD_BUS_ERROR_NULL;
        sd_bus_message *reply = NULL;
        _cleanup_free_ char *path = NULL;
        const char *s;
        int r;

        if (!unit)
                return -ENOMEM;
        if (strlen(unit) <= strlen(".service") || !streq(unit + strlen(unit) - strlen(".service"), ".service")) {
                fprintf(stderr, "megafilter: %s is not a service: only services have a sandbox to analyse.\n", unit);
                return -EBADR;
        }

        r = sd_bus_call_method(bus, SD_DEST, SD_PATH, SD_MANAGER, "LoadUnit", &error, &reply, "s", unit);
        if (r < 0)
                return bus_error("the object", unit, &error, r);
        r = sd_bus_message_read(reply, "o", &s);
        if (r >= 0 && !(path = strdup(s)))
                r = -ENOMEM;
        sd_bus_message_unref(reply);
        if (r < 0)
                return bus_error("the object", unit, NULL, r);

        r = sd_bus_get_property_string(bus, SD_DEST, path, SD_UNIT, "LoadState", &error, &load_state);
        if (r < 0)
                return bus_error("LoadState", unit, &error, r);
        if (streq(load_state, "not-found")) {
                fprintf(stderr, "megafilter: Unit %s not found.\n", unit);
                return -ENOENT;
        }

        r = live_properties_new(unit, &p);
        if (r < 0)
                return r;

        r = sd_bus_get_property_trivial(bus, SD_DEST, path, SD_SERVICE, "MainPID", &error, 'u', &p->main_pid);
        if (r < 0)
                return bus_error("MainPID", unit, &error, r);
        r = sd_bus_get_property_trivial(bus, SD_DEST, path, SD_SERVICE, "SystemCallErrorNumber", &error, 'i', &p->syscall_errno);
        if (r < 0)
                return bus_error("SystemCallErrorNumber", unit, &error, r);
        r = sd_bus_get_property_trivial(bus, SD_DEST, path, SD_SERVICE, "RestrictNamespaces", &error, 't', &p->restrict_namespaces);
        if (r < 0)
                return bus_error("RestrictNamespaces", unit, &error, r);
        r = sd_bus_get_property_strv(bus, SD_DEST, path, SD_SERVICE, "SystemCallArchitectures", &error, &p->syscall_archs);
        if (r < 0)
                return bus_error("SystemCallArchitectures", unit, &error, r);
        r = sd_bus_get_property_string(bus, SD_DEST, path, SD_SERVICE, "Personality", &error, &p->personality);
        if (r < 0)
                return bus_error("Personality", unit, &error, r);

        r = get_bool_list(bus, path, unit, "SystemCallFilter", &p->syscall_filter_allow, &p->syscall_filter);
        if (r >= 0)
                r = get_bool_list(bus, path, unit, "SystemCallLog", &p->syscall_log_allow, &p->syscall_log);
        if (r >= 0)
                r = get_bool_list(bus, path, unit, "RestrictAddressFamilies", &p->address_families_allow, &p->address_families);
        if (r < 0)
                return r;

        for (size_t i = 0; bool_directives[i].key; i++) {
                int b = 0;

                r = sd_bus_get_property_trivial(bus, SD_DEST, path, SD_SERVICE, bool_directives[i].key, &error, 'b', &b);
                if (r < 0)
                        return bus_error(bool_directives[i].key, unit, &error, r);
                p->bools[i] = b;
        }

        *ret = TAKE_PTR(p);
        return 0;
}
