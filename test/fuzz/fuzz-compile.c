/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Bytes pick a random set of sandboxing directives (see random-unit.c) and compile options (the
 * native ABI, the layout, how MemoryDenyWriteExecute= is applied); the result is compiled with the
 * verifier on. The verifier replays the policy over every syscall of every ABI against the programs:
 * any disagreement is -EFAULT, and aborts here. */

#include <string.h>

#include "bpf-emu.h"
#include "directives.h"
#include "syscall-table.h"
#include "fuzz.h"
#include "random-unit.h"
#include "sandbox.h"
#include "unit-file.h"

static unsigned pick_from_input(void *userdata, unsigned n) {
        return fuzz_pick(userdata, n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        _cleanup_(unit_file_freep) UnitFile *u = NULL;
        _cleanup_(directives_freep) Directives *d = NULL;
        _cleanup_(sandbox_freep) Sandbox *s = NULL;
        _cleanup_free_ char *text = NULL;
        FuzzBytes b = { data, size };
        CompileOptions o = COMPILE_OPTIONS_DEFAULT;
        Diag diag = FUZZ_DIAG;
        int r;

        if (size > 4096)
                return 0;

        /* Not ARM, nor arm64 whose compat ABI it is: the verifier walks every ARM number up to the
         * private calls at 0xf0000+, some 25 s per input with this instrumentation (1.5 s in a
         * plain build). test-property covers them. */
        o.native = (Abi) fuzz_pick(&b, _ABI_MAX);
        if (o.native == ABI_ARM || o.native == ABI_AARCH64)
                o.native = ABI_X86_64;
        o.layout = (Layout) fuzz_pick(&b, _LAYOUT_MAX);
        o.mdwe = (MdweMode) fuzz_pick(&b, _MDWE_MODE_MAX);
        o.verify = true;

        text = random_unit_text(pick_from_input, &b, &(RandomUnitLimits) { .max_assignments = 8, .max_items = 24 });
        fuzz_assert(text);

        if (getenv("FUZZ_VERBOSE"))
                fprintf(stderr, "--arch=%s --layout=%s --mdwe=%s\n%s", abi_to_name(o.native), layout_to_string(o.layout),
                        mdwe_mode_to_string(o.mdwe), text);

        fuzz_assert(unit_file_new("fuzz.service", &u) == 0);
        fuzz_assert(unit_file_parse_text(u, "/fuzz/fuzz.service", text, strlen(text), &diag) == 0);
        fuzz_assert(directives_new(&d) == 0);
        fuzz_assert(directives_apply_unit(d, u, &diag) == 0);

        r = sandbox_compile(d, &o, &diag, &s);
        if (r < 0 && r != -E2BIG) {
                fprintf(stderr, "sandbox_compile: %s (%d), unit:\n%s", strerror(-r), r, text);
                abort();
        }
        if (r < 0)
                return 0;

        for (size_t i = 0; i < s->n_progs; i++)
                fuzz_assert(s->progs[i].n > 0 && s->progs[i].n <= 4096);

        /* Installable in order: the filters before the last let the seccomp() call through that
         * attaches the next one. */
        int64_t nr = syscall_nr(o.native, syscall_from_name("seccomp"));
        BpfFilterRef f[8];
        fuzz_assert(s->n_progs <= ELEMENTSOF(f));
        for (size_t i = 0; i < s->n_progs; i++)
                f[i] = (BpfFilterRef) { s->progs[i].insns, s->progs[i].n };
        for (size_t i = 1; nr >= 0 && i < s->n_progs; i++) {
                struct seccomp_data sd = { .nr = (int) nr, .arch = abi_info[o.native].audit_arch, .args = { 1, 0, 0x1000 } };
                fuzz_assert(bpf_chain_run(f, i, &sd, NULL) == SECCOMP_RET_ALLOW);
        }
        return 0;
}
