/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Assignments "Key=Value", one per line, each applied on its own with directives_apply() to one
 * fresh Directives per input, so that every directive parser sees arbitrary values and every
 * combination of earlier state (resets, polarity changes, …). */

#include <string.h>

#include "directives.h"
#include "fuzz.h"
#include "unit-file.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        _cleanup_(unit_file_freep) UnitFile *u = NULL;
        _cleanup_(directives_freep) Directives *d = NULL;
        _cleanup_free_ char *text = NULL;
        Diag diag = FUZZ_DIAG;
        unsigned line = 0;
        char *p, *nl;

        if (size > 64 * 1024)
                return 0;
        text = malloc(size + 1);
        fuzz_assert(text);
        memcpy(text, data, size);
        text[size] = 0;

        fuzz_assert(unit_file_new("fuzz@inst.service", &u) == 0);
        fuzz_assert(directives_new(&d) == 0);

        for (p = text; p; p = nl ? nl + 1 : NULL) {
                char *eq;
                int r;

                nl = strchr(p, '\n');
                if (nl)
                        *nl = 0;
                line++;
                eq = strchr(p, '=');
                if (!eq || eq == p)
                        continue;
                *eq = 0;

                fuzz_assert(unit_file_append(u, "Service", p, eq + 1, (SourceLoc) { "/fuzz/fuzz.service", line }) == 0);
                r = directives_apply(d, u, &u->entries[u->n_entries - 1], &diag);
                fuzz_assert(r == 0 || r == -ENOEXEC);
        }
        return 0;
}
