/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "unit-text.h"

Directives *test_directives_from_text(const char *name, const char *text, UnitFile **ret_u) {
        _cleanup_(unit_file_freep) UnitFile *u = NULL;
        _cleanup_free_ char *t = NULL;
        Diag diag = { .max_level = DIAG_WARNING };
        Directives *d = NULL;

        assert_true(asprintf(&t, "[Service]\n%s\n", text) > 0);
        assert_int_equal(unit_file_new(name, &u), 0);
        assert_int_equal(unit_file_parse_text(u, name, t, strlen(t), &diag), 0);
        assert_int_equal(directives_new(&d), 0);
        assert_int_equal(directives_apply_unit(d, u, &diag), 0);
        if (diag.n_warnings + diag.n_errors > 0)
                fail_msg("%s: the directives give %u warnings and %u errors: %s",
                         name, diag.n_warnings, diag.n_errors, text);
        if (ret_u)
                *ret_u = TAKE_PTR(u);
        return d;
}
