/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "cli-unit.h"

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
                if (!strchr(arg, '=') || arg[0] == '=') {
                        fprintf(stderr, "Not an assignment: %s (expected KEY=VALUE)\n", arg);
                        return -EINVAL;
                }
                return strv_extend(&a->assignments, arg) < 0 ? -ENOMEM : 1;
        default:
                return 0;
        }
}

void unit_args_done(UnitArgs *a) {
        a->assignments = strv_free(a->assignments);
}

int cli_load_unit(const char *name_or_path, const UnitArgs *a, UnitFile **ret_file, Directives **ret_d) {
        _cleanup_(unit_file_freep) UnitFile *u = NULL;
        _cleanup_(directives_freep) Directives *d = NULL;
        Diag diag = { .max_level = a->verbose > 0 ? DIAG_DEBUG : DIAG_NOTICE };
        unsigned i = 0;
        int r, fatal = 0;

        r = name_or_path ? unit_file_load(name_or_path, a->user ? UNIT_LOAD_USER : 0, &diag, &u)
                         : unit_file_new("megafilter-run.service", &u);
        if (r < 0) {
                if (diag.n_errors == 0)
                        diag_log(&diag, DIAG_ERROR, NULL, r, "Failed to load unit %s: %m", strna(name_or_path));
                return r;
        }

        r = directives_new(&d);
        if (r < 0)
                return r;
        r = directives_apply_unit(d, u, &diag);
        if (r == -ENOEXEC)
                fatal = r;
        else if (r < 0)
                return r;

        STRV_FOREACH(s, a->assignments) {
                _cleanup_free_ char *key = strndup(*s, strcspn(*s, "="));
                SourceLoc loc = { "-p", ++i };

                if (!key)
                        return -ENOMEM;
                r = unit_file_append(u, "Service", key, *s + strlen(key) + 1, loc);
                if (r < 0)
                        return r;
                r = directives_apply(d, u, &u->entries[u->n_entries - 1], &diag);
                if (r == -ENOEXEC)
                        fatal = r;
                else if (r < 0)
                        return r;
        }

        if (fatal < 0)
                return diag_log(&diag, DIAG_ERROR, NULL, EINVAL, "Unit %s has a bad setting, refusing.", u->name);
        if (a->strict && diag.n_warnings > 0)
                return diag_log(&diag, DIAG_ERROR, NULL, EINVAL,
                                "Refusing unit %s: %u warning%s and --strict was given.",
                                u->name, diag.n_warnings, diag.n_warnings == 1 ? "" : "s");

        *ret_file = TAKE_PTR(u);
        *ret_d = TAKE_PTR(d);
        return 0;
}
