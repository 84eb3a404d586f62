/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Shared by the libFuzzer targets: a diagnostics sink that drops everything (it still formats
 * every message, so the format paths are exercised), and a reader that turns fuzz bytes into
 * choices. */

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "diag.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static inline void fuzz_diag_func(void *userdata, int level, const SourceLoc *loc, const char *message) {
        char prefix[4096];

        /* Touch every byte, so that a bad string shows up under ASan here. */
        const char *pfx = source_loc_prefix(loc, prefix, sizeof prefix);
        for (volatile const char *p = message; *p; p++)
                ;
        if (getenv("FUZZ_VERBOSE"))     /* to see what a crashing input said */
                fprintf(stderr, "<%d>%s%s\n", level, pfx, message);
}

#define FUZZ_DIAG ((Diag) { .func = fuzz_diag_func, .max_level = DIAG_DEBUG })

/* Fail loudly: libFuzzer reports an abort as a crash with the input that caused it. */
#define fuzz_assert(expr)                                                                       \
        do {                                                                                    \
                if (!(expr)) {                                                                  \
                        fprintf(stderr, "%s:%d: assertion failed: %s\n", __FILE__, __LINE__, #expr); \
                        abort();                                                                \
                }                                                                               \
        } while (0)

typedef struct FuzzBytes {
        const uint8_t *data;
        size_t size;
} FuzzBytes;

static inline unsigned fuzz_byte(FuzzBytes *b) {
        if (b->size == 0)
                return 0;
        b->size--;
        return *b->data++;
}

static inline unsigned fuzz_u16(FuzzBytes *b) {
        unsigned v = fuzz_byte(b);
        return v << 8 | fuzz_byte(b);
}

/* A number below n (n > 0). */
static inline unsigned fuzz_pick(FuzzBytes *b, unsigned n) {
        return (n <= 256 ? fuzz_byte(b) : fuzz_u16(b)) % n;
}
