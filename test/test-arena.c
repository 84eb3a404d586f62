/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "arena.h"
#include "test-util.h"

static bool all_zero(const void *p, size_t n) {
        for (size_t i = 0; i < n; i++)
                if (((const unsigned char *) p)[i] != 0)
                        return false;
        return true;
}

static void test_alloc_zeroed_aligned(void **state) {
        Arena a = {};
        void *p[100];

        for (size_t i = 0; i < ELEMENTSOF(p); i++) {
                size_t n = 1 + i * 37;

                p[i] = arena_alloc(&a, n);
                assert_non_null(p[i]);
                assert_true(all_zero(p[i], n));
                assert_int_equal((uintptr_t) p[i] % 16, 0);
                memset(p[i], 0xa5, n);
        }
        /* Nothing overlaps: every block still holds its own pattern. */
        for (size_t i = 0; i < ELEMENTSOF(p); i++)
                for (size_t j = 0; j < 1 + i * 37; j++)
                        assert_int_equal(((unsigned char *) p[i])[j], 0xa5);
        assert_non_null(arena_alloc(&a, 0));
        assert_non_null(arena_alloc_array(&a, 0, 8));
        assert_null(arena_alloc_array(&a, SIZE_MAX / 4, 8));
        arena_done(&a);
        assert_null(a.chunk);
}

static void test_big_allocations(void **state) {
        Arena a = {};
        size_t big = 3 * 1024 * 1024;
        char *p = arena_alloc(&a, big), *q = arena_alloc(&a, 100);

        assert_non_null(p);
        assert_non_null(q);
        p[0] = 1;
        p[big - 1] = 2;
        assert_true(all_zero(q, 100));
        arena_done(&a);
}

static void test_grow(void **state) {
        Arena a = {};
        uint32_t *v = NULL, *other = NULL;
        size_t allocated = 0;

        for (uint32_t i = 0; i < 100000; i++) {
                assert_true(ARENA_GREEDY(&a, v, allocated, i + 1));
                assert_true(allocated >= i + 1);
                v[i] = i;
                if (i == 5000) {
                        /* Another allocation in between: the next growth copies. */
                        other = arena_alloc(&a, 64);
                        assert_non_null(other);
                        memset(other, 0xff, 64);
                }
        }
        for (uint32_t i = 0; i < 100000; i++)
                assert_int_equal(v[i], i);
        for (size_t i = 0; i < 64; i++)
                assert_int_equal(((unsigned char *) other)[i], 0xff);

        /* The grown part is zeroed. */
        v = arena_grow(&a, v, 100000, 200000, sizeof(uint32_t));
        assert_non_null(v);
        assert_int_equal(v[99999], 99999);
        assert_true(all_zero(v + 100000, 100000 * sizeof(uint32_t)));
        arena_done(&a);
}

static void test_reset(void **state) {
        Arena a = {};
        unsigned char *p, *q;

        p = arena_alloc(&a, 5000);
        assert_non_null(p);
        memset(p, 0x5a, 5000);
        assert_non_null(arena_alloc(&a, 2 * 1024 * 1024));     /* a chunk of its own */
        arena_reset(&a);

        /* Whatever comes next is zeroed, wherever it lands. */
        for (int i = 0; i < 3; i++) {
                q = arena_alloc(&a, 5000);
                assert_non_null(q);
                assert_true(all_zero(q, 5000));
                memset(q, 0x33, 5000);
        }
        arena_reset(&a);
        arena_reset(&a);
        q = arena_alloc(&a, 20000);
        assert_true(all_zero(q, 20000));
        arena_done(&a);
        arena_reset(&a);
}

static void test_lend(void **state) {
        Arena parent = {}, child = {};
        unsigned char *p, *q, *big;

        p = arena_alloc(&parent, 100);
        assert_non_null(p);
        memset(p, 0x11, 100);
        if (!arena_lend(&parent, 64 * 1024, &child)) {
                /* Not possible here (every allocation a heap block): the child is left empty. */
                assert_null(child.chunk);
                arena_done(&parent);
                return;
        }
        assert_false(arena_lend(&parent, 64 * 1024, &child));  /* only an empty child */

        q = arena_alloc(&child, 1000);
        assert_non_null(q);
        assert_true(all_zero(q, 1000));
        memset(q, 0x22, 1000);
        big = arena_alloc(&child, 100 * 1024);                  /* beyond what was lent */
        assert_non_null(big);
        memset(big, 0x33, 100 * 1024);

        /* The parent goes on after the lent part, untouched by the child. */
        p = arena_alloc(&parent, 100);
        assert_non_null(p);
        assert_true(all_zero(p, 100));

        arena_reset(&child);
        q = arena_alloc(&child, 100 * 1024);
        assert_true(all_zero(q, 100 * 1024));
        arena_done(&child);
        arena_done(&parent);
}

static void test_prefault(void **state) {
        Arena a = {};
        unsigned char *p;

        arena_prefault(&a, 100 * 1024);         /* an empty arena: makes its first chunk */
        p = arena_alloc(&a, 100 * 1024);
        assert_non_null(p);
        assert_true(all_zero(p, 100 * 1024));
        memset(p, 0x44, 100 * 1024);

        arena_prefault(&a, 64 * 1024 * 1024);   /* capped, and a hint only */
        p = arena_alloc(&a, 3 * 1024 * 1024);   /* a chunk of its own */
        assert_non_null(p);
        assert_true(all_zero(p, 3 * 1024 * 1024));
        arena_done(&a);
}

static size_t vm_size_kib(void) {
        FILE *f = fopen("/proc/self/status", "re");
        char line[256];
        size_t kib = 0;

        assert_non_null(f);
        while (fgets(line, sizeof line, f))
                if (strncmp(line, "VmSize:", 7) == 0)
                        kib = strtoul(line + 7, NULL, 10);
        fclose(f);
        return kib;
}

static void test_trim(void **state) {
        Arena a = {}, lent = {};
        unsigned char *p, *q;
        size_t before, after;

        p = arena_alloc(&a, 1000);
        memset(p, 0x55, 1000);
        assert_true(arena_lend(&a, 64 * 1024, &lent) || UNDER_ASAN);
        before = vm_size_kib();
        arena_trim(&a);
        after = vm_size_kib();
        /* What was handed out stays, the rest of the reservation (1 MiB) goes. */
        for (size_t i = 0; i < 1000; i++)
                assert_int_equal(p[i], 0x55);
        if (!UNDER_ASAN)
                assert_true(before - after >= 900);
        q = arena_alloc(&a, 10000);             /* a new chunk */
        assert_non_null(q);
        assert_true(all_zero(q, 10000));
        arena_done(&lent);
        arena_done(&a);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_alloc_zeroed_aligned),
                cmocka_unit_test(test_big_allocations),
                cmocka_unit_test(test_grow),
                cmocka_unit_test(test_reset),
                cmocka_unit_test(test_lend),
                cmocka_unit_test(test_prefault),
                cmocka_unit_test(test_trim),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
