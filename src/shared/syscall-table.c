/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "macro.h"
#include "syscall-table.h"

typedef struct SyscallByNr {
        uint32_t nr;                    /* without the ABI's bias */
        uint16_t id;
} SyscallByNr;

typedef struct SyscallByNrRange {
        uint32_t offset, count;         /* slice of syscall_by_nr[] */
} SyscallByNrRange;

#include "syscall-table.gen.c"

size_t syscall_count(void) {
        return SYSCALL_COUNT;
}

const char *syscall_name(int id) {
        if (id < 0 || id >= SYSCALL_COUNT)
                return NULL;
        return syscall_names[id];
}

static int compare_name(const void *key, const void *element) {
        return strcmp(key, *(const char *const *) element);
}

int syscall_from_name(const char *name) {
        const char *const *p;

        if (!name)
                return -ENOENT;

        p = bsearch(name, syscall_names, SYSCALL_COUNT, sizeof(syscall_names[0]), compare_name);
        if (!p)
                return -ENOENT;
        return (int) (p - syscall_names);
}

static bool abi_valid(Abi abi) {
        return abi >= 0 && abi < _ABI_MAX;
}

int64_t syscall_nr(Abi abi, int id) {
        int32_t n;

        if (!abi_valid(abi) || id < 0 || id >= SYSCALL_COUNT)
                return SYSCALL_NR_NONE;

        n = syscall_numbers[id][syscall_column[abi]];
        if (n < 0)
                return SYSCALL_NR_NONE;
        return (int64_t) abi_info[abi].nr_bias + n;
}

static int compare_nr(const void *key, const void *element) {
        uint32_t a = *(const uint32_t *) key, b = ((const SyscallByNr *) element)->nr;

        return a < b ? -1 : a > b;
}

int syscall_from_nr(Abi abi, uint32_t nr) {
        const SyscallByNrRange *r;
        const SyscallByNr *p;
        uint32_t bias;

        if (!abi_valid(abi))
                return -ENOENT;

        bias = abi_info[abi].nr_bias;
        if (nr < bias)
                return -ENOENT;
        nr -= bias;

        r = &syscall_by_nr_range[syscall_column[abi]];
        p = bsearch(&nr, syscall_by_nr + r->offset, r->count, sizeof(SyscallByNr), compare_nr);
        if (!p)
                return -ENOENT;
        return p->id;
}

uint32_t syscall_nr_min(Abi abi) {
        const SyscallByNrRange *r;

        if (!abi_valid(abi))
                return 0;
        r = &syscall_by_nr_range[syscall_column[abi]];
        return abi_info[abi].nr_bias + syscall_by_nr[r->offset].nr;
}

void syscall_nrs_mark(Abi abi, uint64_t *bits) {
        const SyscallByNrRange *r;
        uint32_t first;

        if (!abi_valid(abi))
                return;
        r = &syscall_by_nr_range[syscall_column[abi]];
        first = syscall_by_nr[r->offset].nr;
        for (uint32_t i = 0; i < r->count; i++) {
                uint32_t k = syscall_by_nr[r->offset + i].nr - first;

                bits[k / 64] |= UINT64_C(1) << (k % 64);
        }
}

void syscall_slots_by_id(Abi abi, uint32_t *slot_by_id) {
        const SyscallByNrRange *r;
        uint32_t first;

        if (!abi_valid(abi))
                return;
        r = &syscall_by_nr_range[syscall_column[abi]];
        first = syscall_by_nr[r->offset].nr;
        for (uint32_t i = 0; i < r->count; i++) {
                const SyscallByNr *e = &syscall_by_nr[r->offset + i];

                slot_by_id[e->id] = e->nr - first + 1;
        }
}

uint32_t syscall_nr_max(Abi abi) {
        const SyscallByNrRange *r;

        if (!abi_valid(abi))
                return 0;
        r = &syscall_by_nr_range[syscall_column[abi]];
        return abi_info[abi].nr_bias + syscall_by_nr[r->offset + r->count - 1].nr;
}
