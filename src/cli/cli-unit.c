/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <sys/stat.h>

#include "cli-unit.h"
#include "unit-file.h"

int unit_args_parse_option(UnitArgs *a, int opt, const char *arg) {
        switch (opt) {
        case 'U':
                a->user = true;
                return 1;
        case 'S':
                a->strict = true;
                return 1;
        case 'v':
                a->verbose++;
                return 1;
        case 'p':
                if (!strchr(arg, '=') || arg[0] == '=')
                        return cli_error(EINVAL, "Not an assignment: %s (expected KEY=VALUE)", arg);
                return strv_extend(&a->assignments, arg) < 0 ? -ENOMEM : 1;
        default:
                return 0;
        }
}

void unit_args_done(UnitArgs *a) {
        a->assignments = strv_free(a->assignments);
}

static bool is_directory(const char *path) {
        struct stat st;

        return stat(path, &st) >= 0 && S_ISDIR(st.st_mode);
}

static bool is_file(const char *path) {
        struct stat st;

        return stat(path, &st) >= 0 && !S_ISDIR(st.st_mode);
}

/* After "Unit NAME not found.": where we looked, and the file of that name right here. */
static void explain_not_found(const char *name, const UnitArgs *a) {
        _cleanup_strv_free_ char **search = unit_search_path(a->user ? UNIT_LOAD_USER : 0);
        _cleanup_free_ char *dirs = NULL, *file = NULL;

        if (is_directory(name)) {
                cli_error(EISDIR, "%s is a directory here, not a unit: give a unit file in it (%s/NAME.service) "
                          "or a unit name.", name, name);
                return;
        }
        if (search) {
                dirs = strv_join(search, " ");
                if (dirs)
                        cli_error(ENOENT, "Looked for it in the %s unit search path: %s "
                                  "(set $MEGAFILTER_UNIT_PATH to change it).", a->user ? "user" : "system", dirs);
        }
        if (asprintf(&file, "%s%s", name, strchr(name, '.') ? "" : ".service") >= 0 && is_file(file))
                cli_error(ENOENT, "A file %s exists here: a bare name is looked up as a unit, as systemctl does; "
                          "to use the file, give its path: ./%s", file, file);
}

int cli_load_unit(const char *name_or_path, const UnitArgs *a, mf_unit **ret) {
        _cleanup_(mf_unit_freep) mf_unit *u = NULL;
        int r;

        if (name_or_path) {
                r = mf_unit_load(name_or_path, (a->user ? MF_UNIT_USER : 0) | (a->strict ? MF_UNIT_STRICT : 0),
                                 cli_log, (void *) &a->verbose, &u);
                if (r == -ENOENT && !strchr(name_or_path, '/'))
                        explain_not_found(name_or_path, a);
                else if (r == -EISDIR)
                        cli_error(r, "To load a unit file, give its path; a directory holds unit files, "
                                  "it is not one.");
                else if (r == -ENOMEM)
                        cli_error(r, "Out of memory.");
                if (r < 0)
                        return r;
        } else {
                r = mf_unit_new("megafilter-run.service", &u);
                if (r < 0)
                        return cli_error(r, "Out of memory.");
        }

        STRV_FOREACH(s, a->assignments) {
                r = mf_unit_set_property(u, *s, cli_log, (void *) &a->verbose);
                if (r == -ENOMEM)
                        return cli_error(r, "Out of memory.");
                if (r < 0)
                        return cli_error(r, "Refusing -p %s: it does not apply cleanly (see above); nothing of it was applied.", *s);
        }

        *ret = TAKE_PTR(u);
        return 0;
}
