/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "bpf-program.h"

int bpf_program_append(BpfProgram *p, uint16_t code, uint8_t jt, uint8_t jf, uint32_t k) {
        if (p->storage.chunk ? !ARENA_GREEDY(&p->storage, p->insns, p->allocated, p->n + 1) :
                               !GREEDY_REALLOC(p->insns, p->allocated, p->n + 1))
                return -ENOMEM;

        p->insns[p->n++] = (struct sock_filter) { .code = code, .jt = jt, .jf = jf, .k = k };
        return 0;
}

void bpf_program_done(BpfProgram *p) {
        if (!p)
                return;

        if (p->storage.chunk)
                arena_done(&p->storage);
        else {
                free(p->name);
                free(p->insns);
        }
        *p = (BpfProgram) {};
}

void bpf_programs_free(BpfProgram *p, size_t n) {
        if (!p)
                return;

        if (n > 0 && p[0].holds_array) {
                Arena a = p[0].storage;         /* p itself is in it, and maybe the others' code */

                for (size_t i = n; i > 1; i--)
                        bpf_program_done(p + i - 1);
                arena_done(&a);
                return;
        }

        for (size_t i = 0; i < n; i++)
                bpf_program_done(p + i);
        free(p);
}
