/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "diag.h"

typedef struct Captured {
        int level;
        char text[512];
        unsigned calls;
} Captured;

static void capture(void *userdata, int level, const SourceLoc *loc, const char *message) {
        Captured *c = userdata;
        char prefix[256];

        c->level = level;
        c->calls++;
        snprintf(c->text, sizeof c->text, "%s%s", source_loc_prefix(loc, prefix, sizeof prefix), message);
}

static void test_prefix_and_errno(void **state) {
        Captured c = {};
        Diag d = { .func = capture, .userdata = &c };
        SourceLoc loc = { "/etc/systemd/system/a.service", 12 };
        int r;

        r = diag_log(&d, DIAG_WARNING, &loc, EINVAL, "Failed to parse %s, ignoring: %m", "x");
        assert_int_equal(r, -EINVAL);
        assert_string_equal(c.text, "/etc/systemd/system/a.service:12: Failed to parse x, ignoring: Invalid argument");
        assert_int_equal(d.n_warnings, 1);
        assert_int_equal(d.n_errors, 0);

        r = diag_log(&d, DIAG_ERROR, NULL, -ENOENT, "gone");
        assert_int_equal(r, -ENOENT);
        assert_string_equal(c.text, "gone");
        assert_int_equal(d.n_errors, 1);

        loc.line = 0;
        diag_log(&d, DIAG_DEBUG, &loc, 0, "whole file");
        assert_string_equal(c.text, "/etc/systemd/system/a.service: whole file");
        assert_int_equal(c.calls, 3);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_prefix_and_errno),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
