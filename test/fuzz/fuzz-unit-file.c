/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The unit file reader on arbitrary bytes, and the directive parsers on whatever it returns. */

#include "directives.h"
#include "fuzz.h"
#include "unit-file.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        _cleanup_(unit_file_freep) UnitFile *u = NULL;
        _cleanup_(directives_freep) Directives *d = NULL;
        Diag diag = FUZZ_DIAG;
        int r;

        fuzz_assert(unit_file_new("fuzz.service", &u) == 0);
        r = unit_file_parse_text(u, "/fuzz/fuzz.service", (const char *) data, size, &diag);
        fuzz_assert(r == 0 || r == -EBADMSG || r == -EINVAL || r == -E2BIG);

        for (size_t i = 0; i < u->n_entries; i++) {
                const UnitEntry *e = &u->entries[i];

                fuzz_assert(e->section && e->key && e->value);
                fuzz_assert(e->loc.file && e->loc.line > 0);
                fuzz_assert(e->key[0] != 0);
        }

        fuzz_assert(directives_new(&d) == 0);
        r = directives_apply_unit(d, u, &diag);
        fuzz_assert(r == 0 || r == -ENOEXEC);
        return 0;
}
