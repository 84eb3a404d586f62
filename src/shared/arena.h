/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* A bump allocator for memory that lives and dies together (a policy and the scratch that
 * built it). Chunks come straight from mmap(): in a freshly forked child — where a service start
 * compiles its filters — pages of the parent's heap are copy-on-write and malloc() touches
 * them (free lists, consolidation, memset of reused chunks), each touch a fault that copies a
 * page. Fresh anonymous pages are cheaper, come zeroed, and only the pages actually written are
 * ever faulted in. Nothing is freed before arena_done().
 *
 * Under AddressSanitizer every allocation is a heap block of its own, so that overflows are
 * still caught. */

#include <stddef.h>

#include "macro.h"

typedef struct ArenaChunk ArenaChunk;

typedef struct Arena {
        ArenaChunk *chunk;              /* the newest chunk, linked to the older ones */
        void *last;                     /* the most recent allocation: it can grow in place */
        size_t last_size;
} Arena;

/* size bytes, zeroed, aligned for any type (size 0: a valid pointer too). NULL when out of
 * memory. */
void *arena_alloc(Arena *a, size_t size);
void *arena_alloc_array(Arena *a, size_t n, size_t size);

/* Grow p (allocated from a with old_n × size bytes) to new_n × size bytes, the new part
 * zeroed: in place when it is the latest allocation, otherwise by copying. p may be NULL. */
void *arena_grow(Arena *a, void *p, size_t old_n, size_t new_n, size_t size);

/* Like GREEDY_REALLOC, in the arena. */
#define ARENA_GREEDY(arena, array, allocated, need) \
        arena_greedy((arena), (void **) &(array), &(allocated), (need), sizeof((array)[0]))
bool arena_greedy(Arena *a, void **p, size_t *allocated, size_t need, size_t size);

/* Give child (empty) a first chunk of size bytes carved out of parent: no mapping of its own to
 * create or remove. child must be done with before parent is. Returns false (child left as it
 * is) when that is not possible. */
bool arena_lend(Arena *parent, size_t size, Arena *child);

/* About this many bytes will be allocated next: make room, and fault their pages in with one
 * system call rather than one fault each (capped; a hint only, never an error). */
void arena_prefault(Arena *a, size_t size);

/* Forget every allocation, but keep the newest chunk (zeroed again) for the next ones: scratch
 * memory of one stage reused by the next, without faulting in new pages. */
void arena_reset(Arena *a);

/* Return the address space no allocation has reached yet (the rest of each chunk's reservation)
 * to the kernel: for memory that is kept long, such as a compiled sandbox a service manager
 * holds. Allocating afterwards still works, from new chunks. */
void arena_trim(Arena *a);

/* Release everything. */
void arena_done(Arena *a);
