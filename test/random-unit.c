/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "abi.h"
#include "af-name.h"
#include "directives.h"
#include "errno-name.h"
#include "namespace-flags.h"
#include "random-unit.h"
#include "syscall-set.h"
#include "syscall-table.h"

#define P(n) pick(userdata, (n))

typedef struct Buf {
        FILE *f;
        char *s;
        size_t n;
} Buf;

static void put_errno(FILE *f, RandomPick pick, void *userdata) {
        const char *name;

        switch (P(8)) {
        case 0:
                fputs("kill", f);
                return;
        case 1:
                fprintf(f, "%u", P(4097));      /* 0 and 4096 are out of range */
                return;
        case 2:
                fputs(P(2) ? "EPERM" : "EACCES", f);
                return;
        default:
                name = errno_to_name(1 + (int) P(133));
                fputs(name ?: "ENOSYS", f);
        }
}

static void put_syscall_list(FILE *f, RandomPick pick, void *userdata, unsigned max_items, bool errnos) {
        unsigned n = P(max_items + 1);

        if (P(2))
                fputc('~', f);
        for (unsigned i = 0; i < n; i++) {
                if (i > 0)
                        fputc(' ', f);
                switch (P(8)) {
                case 0:
                case 1:
                        fputs(syscall_sets[P(_SYSCALL_SET_MAX)].name, f);
                        break;
                case 2:
                        if (P(16) == 0) {
                                fputs("no_such_call", f);
                                break;
                        }
                        _fallthrough_;
                default:
                        fputs(syscall_name((int) P((unsigned) syscall_count())), f);
                }
                if (errnos && P(4) == 0) {
                        fputc(':', f);
                        put_errno(f, pick, userdata);
                }
        }
}

char *random_unit_text(RandomPick pick, void *userdata, const RandomUnitLimits *limits) {
        unsigned max_items = limits && limits->max_items ? limits->max_items : 16;
        unsigned max_assign = limits && limits->max_assignments ? limits->max_assignments : 8;
        unsigned n_bools = 0, n_ns = 0;
        char *s = NULL;
        size_t size = 0;
        FILE *f;

        while (bool_directives[n_bools].key)
                n_bools++;
        while (namespace_info[n_ns].name)
                n_ns++;

        f = open_memstream(&s, &size);
        if (!f)
                return NULL;
        fputs("[Service]\n", f);

        for (unsigned a = 0, n = 1 + P(max_assign); a < n; a++) {
                unsigned k;

                switch (P(10)) {
                case 0:
                case 1:
                case 2:
                        fputs("SystemCallFilter=", f);
                        if (P(12) != 0)         /* else: the empty assignment, a reset */
                                put_syscall_list(f, pick, userdata, max_items, true);
                        break;
                case 3:
                        fputs("SystemCallLog=", f);
                        put_syscall_list(f, pick, userdata, max_items, false);
                        break;
                case 4:
                        fputs("SystemCallErrorNumber=", f);
                        put_errno(f, pick, userdata);
                        break;
                case 5:
                        fputs("SystemCallArchitectures=", f);
                        k = P(4);
                        if (k == 0)
                                fputs("native", f);
                        for (unsigned i = 0; i < k; i++)
                                fprintf(f, "%s%s", i > 0 ? " " : "", abi_to_name((Abi) P(_ABI_MAX)));
                        break;
                case 6:
                        fputs("RestrictAddressFamilies=", f);
                        if (P(8) == 0) {
                                fputs(P(2) ? "none" : "", f);
                                break;
                        }
                        if (P(2))
                                fputc('~', f);
                        for (unsigned i = 0, m = P(6); i < m; i++) {
                                const char *name = af_to_name((int) P((unsigned) af_max()));
                                fprintf(f, "%s%s", i > 0 ? " " : "", name ?: "AF_UNIX");
                        }
                        break;
                case 7:
                        fputs("RestrictNamespaces=", f);
                        k = P(6);
                        if (k == 0) {
                                fputs(P(2) ? "yes" : "no", f);
                                break;
                        }
                        if (P(2))
                                fputc('~', f);
                        for (unsigned i = 0; i < k; i++)
                                fprintf(f, "%s%s", i > 0 ? " " : "", namespace_info[P(n_ns)].name);
                        break;
                case 8:
                        if (P(4) == 0) {
                                fprintf(f, "Personality=%s", P(2) ? "x86" : "x86-64");
                                break;
                        }
                        _fallthrough_;
                default:
                        fprintf(f, "%s=%s", bool_directives[P(n_bools)].key, P(4) ? "yes" : "no");
                }
                fputc('\n', f);
        }

        if (fclose(f) != 0) {
                free(s);
                return NULL;
        }
        return s;
}
