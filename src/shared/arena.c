/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <sys/mman.h>
#include <unistd.h>

#include "arena.h"

#define ALIGNMENT 16u
/* Address space reserved per chunk: pages are only faulted in as they are written, so a
 * generous reservation costs nothing but makes growing in place the rule. */
#define CHUNK_RESERVE (1024u * 1024u)

#if defined(__SANITIZE_ADDRESS__)
#  define ARENA_HEAP_BLOCKS 1
#elif defined(__has_feature)
#  if __has_feature(address_sanitizer)
#    define ARENA_HEAP_BLOCKS 1
#  endif
#endif

struct ArenaChunk {
        ArenaChunk *older;
        size_t size;                    /* of the mapping, this header included */
        size_t used;                    /* bytes handed out, from the start of the mapping */
        bool mapped;                    /* mmap()ed, else a heap block (no mmap() allowed) … */
        bool lent;                      /* … or part of another arena's chunk (arena_lend()) */
};

#ifdef ARENA_HEAP_BLOCKS

/* Every allocation its own heap block, listed in a chain of chunks holding pointers. */
static void *block_new(Arena *a, size_t size) {
        ArenaChunk *c = a->chunk;
        void *p;

        if (!c || c->used == c->size) {
                ArenaChunk *n = calloc(1, sizeof(ArenaChunk) + 64 * sizeof(void *));
                if (!n)
                        return NULL;
                *n = (ArenaChunk) { .older = c, .size = 64 };
                a->chunk = c = n;
        }
        p = calloc(1, size);
        if (!p)
                return NULL;
        ((void **) (c + 1))[c->used++] = p;
        return p;
}

void *arena_alloc(Arena *a, size_t size) {
        size = MAX(size, (size_t) 1);
        a->last = block_new(a, size);
        a->last_size = size;
        return a->last;
}

void *arena_grow(Arena *a, void *p, size_t old_n, size_t new_n, size_t size) {
        void *q;

        if (new_n > SIZE_MAX / size)
                return NULL;
        q = arena_alloc(a, new_n * size);
        if (q && p)
                memcpy(q, p, MIN(old_n, new_n) * size);
        return q;               /* p stays listed and is freed by arena_done() */
}

void arena_done(Arena *a) {
        for (ArenaChunk *c = a->chunk, *o; c; c = o) {
                o = c->older;
                for (size_t i = 0; i < c->used; i++)
                        free(((void **) (c + 1))[i]);
                free(c);
        }
        *a = (Arena) {};
}

void arena_reset(Arena *a) {
        arena_done(a);
}

bool arena_lend(Arena *parent, size_t size, Arena *child) {
        return false;           /* every allocation a block of its own */
}

void arena_prefault(Arena *a, size_t size) {
}

void arena_trim(Arena *a) {
}

#else

static size_t align_up(size_t n) {
        return (n + ALIGNMENT - 1) & ~(size_t) (ALIGNMENT - 1);
}

static size_t header_size(void) {
        return align_up(sizeof(ArenaChunk));
}

static ArenaChunk *chunk_new(size_t need) {
        /* mmap() and munmap() round the length up to whole pages themselves. */
        size_t size = MAX((size_t) CHUNK_RESERVE, need + header_size());
        ArenaChunk *c;
        bool mapped = true;

        c = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (c == MAP_FAILED) {
                /* Address space limited (RLIMIT_AS): a heap block just big enough. */
                size = need + header_size();
                c = calloc(1, size);
                if (!c)
                        return NULL;
                mapped = false;
        }
        *c = (ArenaChunk) { .size = size, .used = header_size(), .mapped = mapped };
        return c;
}

void *arena_alloc(Arena *a, size_t size) {
        ArenaChunk *c = a->chunk;
        void *p;

        if (size > SIZE_MAX / 2)
                return NULL;
        size = align_up(MAX(size, (size_t) 1));
        if (!c || c->size - c->used < size) {
                ArenaChunk *n = chunk_new(size);
                if (!n)
                        return NULL;
                n->older = c;
                a->chunk = c = n;
        }
        /* Never handed out before, so still zero as the kernel (or calloc()) gave it. */
        p = (char *) c + c->used;
        c->used += size;
        a->last = p;
        a->last_size = size;
        return p;
}

void *arena_grow(Arena *a, void *p, size_t old_n, size_t new_n, size_t size) {
        ArenaChunk *c = a->chunk;
        size_t old_size, new_size;
        void *q;

        if (new_n > SIZE_MAX / 2 / size)
                return NULL;
        old_size = old_n * size;
        new_size = align_up(new_n * size);

        if (p && p == a->last && c && new_size >= a->last_size &&
            c->size - c->used >= new_size - a->last_size) {
                /* The latest allocation: what follows it was never handed out. */
                c->used += new_size - a->last_size;
                a->last_size = new_size;
                return p;
        }

        q = arena_alloc(a, new_size);
        if (q && p)
                memcpy(q, p, MIN(old_size, new_n * size));
        return q;
}

static void chunk_free(ArenaChunk *c) {
        if (c->lent)
                return;         /* goes with the lender's chunk */
        if (c->mapped)
                munmap(c, c->size);
        else
                free(c);
}

void arena_done(Arena *a) {
        for (ArenaChunk *c = a->chunk, *o; c; c = o) {
                o = c->older;
                chunk_free(c);
        }
        *a = (Arena) {};
}

bool arena_lend(Arena *parent, size_t size, Arena *child) {
        ArenaChunk *c;

        if (child->chunk || size <= header_size())
                return false;
        c = arena_alloc(parent, size);
        if (!c)
                return false;
        *c = (ArenaChunk) { .size = align_up(size), .used = header_size(), .lent = true };
        *child = (Arena) { .chunk = c };
        return true;
}

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

/* Beyond this, pages may well be read but never written (a huge ABI's table): not worth it. */
#define PREFAULT_MAX (256u * 1024u)

void arena_prefault(Arena *a, size_t size) {
        ArenaChunk *c = a->chunk;
        uintptr_t start, end, page = 4096;

        size = MIN(size, (size_t) PREFAULT_MAX);
        if (!c || c->size - c->used < size) {
                ArenaChunk *n = chunk_new(size);
                if (!n)
                        return;
                n->older = c;
                a->chunk = c = n;
        }
        if (!c->mapped && !c->lent)
                return;         /* a heap block: its pages are the heap's business */

        /* From the page in use on: it may not have been written yet (the tail of a lent chunk),
         * and populating a page already there costs next to nothing. */
        start = ((uintptr_t) c + c->used) & ~(page - 1);
        end = ((uintptr_t) c + MIN(c->used + size + page - 1, c->size)) & ~(page - 1);
        if (end > start)
                (void) madvise((void *) start, end - start, MADV_POPULATE_WRITE);     /* EINVAL before Linux 5.14 */
}

void arena_trim(Arena *a) {
        size_t page = (size_t) getpagesize();

        for (ArenaChunk *c = a->chunk; c; c = c->older) {
                size_t keep = (c->used + page - 1) & ~(page - 1);

                if (!c->mapped || keep >= c->size)
                        continue;
                if (munmap((char *) c + keep, c->size - keep) >= 0)
                        c->size = keep;
        }
        a->last = NULL;         /* nothing grows in place any more */
        a->last_size = 0;
}

void arena_reset(Arena *a) {
        ArenaChunk *c = a->chunk;

        if (!c)
                return;
        for (ArenaChunk *o = c->older, *n; o; o = n) {
                n = o->older;
                chunk_free(o);
        }
        /* Only what was handed out can be dirty. */
        memset((char *) c + header_size(), 0, c->used - header_size());
        c->used = header_size();
        c->older = NULL;
        a->last = NULL;
        a->last_size = 0;
}

#endif

void *arena_alloc_array(Arena *a, size_t n, size_t size) {
        if (size != 0 && n > SIZE_MAX / 2 / size)
                return NULL;
        return arena_alloc(a, n * size);
}

bool arena_greedy(Arena *a, void **p, size_t *allocated, size_t need, size_t size) {
        size_t n;
        void *q;

        if (need <= *allocated)
                return true;
        if (need > SIZE_MAX / 4 / size)
                return false;
        n = MAX(need * 2, (size_t) 4);
        q = arena_grow(a, *p, *allocated, n, size);
        if (!q)
                return false;
        *p = q;
        *allocated = n;
        return true;
}
