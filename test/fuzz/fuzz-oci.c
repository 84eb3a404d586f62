/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The JSON reader on arbitrary bytes, then what megafilter oci does with the document: as a
 * linux.seccomp object or (odd sizes) as a Docker/Podman profile, into a layer, merged and
 * compiled into one program, verified. */

#include "fuzz.h"
#include "json-reader.h"
#include "oci-seccomp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        _cleanup_(json_document_freep) JsonDocument *doc = NULL;
        _cleanup_(sandbox_freep) Sandbox *s = NULL;
        _cleanup_(arena_done) Arena arena = {};
        static char *caps[] = { (char *) "CAP_SYS_ADMIN", (char *) "CAP_CHOWN", NULL };
        OciProfileContext ctx = { .arch = ABI_X86_64, .caps = caps, .kernel_major = 5, .kernel_minor = 10 };
        OciSeccomp oci = {};
        bool profile = size & 1;
        Diag diag = FUZZ_DIAG;
        int r;

        r = json_parse((const char *) data, size, "fuzz.json", &diag, &doc);
        fuzz_assert(r == 0 || r == -EINVAL || r == -EFBIG);
        if (r < 0)
                return 0;
        fuzz_assert(doc->root && doc->root->line >= 1 && doc->root->column >= 1);

        if (profile)
                r = oci_profile_resolve(doc, doc->root, &ctx, &arena, &diag, &oci.spec, &oci.disabled);
        else
                r = oci_spec_parse(doc, doc->root, "", &arena, &diag, &oci.spec);
        fuzz_assert(r == 0 || r == -EINVAL);
        if (r < 0)
                return 0;
        oci.doc = doc;
        if (!oci.disabled) {
                r = oci_spec_to_layer(&oci.spec, ABI_X86_64, 0, &arena, &diag, &oci.layer);
                fuzz_assert(r == 0 || r == -EINVAL || r == -EEXIST || r == -EOPNOTSUPP);
                if (r < 0)
                        return 0;
        }
        r = oci_seccomp_compile(&oci, ABI_X86_64, true, &diag, &s);
        /* The verifier never disagrees; only the merge's and the kernel's limits may say no. */
        fuzz_assert(r == 0 || r == -E2BIG);
        fuzz_assert(r < 0 || s->n_progs <= 1);
        return 0;
}
