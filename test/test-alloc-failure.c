/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Allocation failure at every allocation: the library's calls to malloc, calloc, realloc,
 * reallocarray, strdup, strndup, asprintf, vasprintf and mmap64 (the arenas' chunks; mmap with 64-bit offsets) are redirected here (ld --wrap, see
 * test/meson.build), and the Nth one fails, for N = 1, 2, … until a run makes fewer than N
 * allocations. Every run must fail with -ENOMEM (or succeed, if the failed allocation had a
 * fallback), and must not leak: in-use heap bytes are compared with mallinfo2() before and after
 * in a plain build; under AddressSanitizer its leak checker reports at exit instead. */

#include <malloc.h>
#include <sys/mman.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "api-internal.h"
#include "directives.h"
#include "sandbox.h"
#include "test-util.h"
#include "unit-file.h"

static unsigned long n_allocs;          /* allocations attempted since the last reset */
static unsigned long fail_at;           /* fail this one (1-based); 0: none */
static unsigned long n_failed;
static bool under_valgrind;

void *__real_malloc(size_t size);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t size);
void *__real_reallocarray(void *p, size_t n, size_t size);
char *__real_strdup(const char *s);
char *__real_strndup(const char *s, size_t n);
int __real_vasprintf(char **ret, const char *format, va_list ap);
void *__real_mmap64(void *addr, size_t len, int prot, int flags, int fd, off_t off);

void *__wrap_malloc(size_t size);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t size);
void *__wrap_reallocarray(void *p, size_t n, size_t size);
char *__wrap_strdup(const char *s);
char *__wrap_strndup(const char *s, size_t n);
int __wrap_vasprintf(char **ret, const char *format, va_list ap);
int __wrap_asprintf(char **ret, const char *format, ...);
void *__wrap_mmap64(void *addr, size_t len, int prot, int flags, int fd, off_t off);

static bool fail_now(void) {
        if (++n_allocs != fail_at)
                return false;
        n_failed++;
        errno = ENOMEM;
        return true;
}

/* With no_mmap, every mapping fails as under a tight RLIMIT_AS: the arenas fall back to the
 * heap, whose allocations then fail in turn. */
static bool no_mmap;

void *__wrap_mmap64(void *addr, size_t len, int prot, int flags, int fd, off_t off) {
        if (no_mmap) {
                errno = ENOMEM;
                return MAP_FAILED;
        }
        return fail_now() ? MAP_FAILED : __real_mmap64(addr, len, prot, flags, fd, off);
}

void *__wrap_malloc(size_t size) {
        return fail_now() ? NULL : __real_malloc(size);
}

void *__wrap_calloc(size_t n, size_t size) {
        return fail_now() ? NULL : __real_calloc(n, size);
}

void *__wrap_realloc(void *p, size_t size) {
        return fail_now() ? NULL : __real_realloc(p, size);
}

void *__wrap_reallocarray(void *p, size_t n, size_t size) {
        return fail_now() ? NULL : __real_reallocarray(p, n, size);
}

char *__wrap_strdup(const char *s) {
        return fail_now() ? NULL : __real_strdup(s);
}

char *__wrap_strndup(const char *s, size_t n) {
        return fail_now() ? NULL : __real_strndup(s, n);
}

int __wrap_vasprintf(char **ret, const char *format, va_list ap) {
        return fail_now() ? -1 : __real_vasprintf(ret, format, ap);
}

int __wrap_asprintf(char **ret, const char *format, ...) {
        va_list ap;
        int r;

        if (fail_now())
                return -1;
        va_start(ap, format);
        r = __real_vasprintf(ret, format, ap);
        va_end(ap);
        return r;
}

/* Counts verdicts: an allocation failure is not one ("Verification failed" used to be reported,
 * with uninitialised figures, when the verifier ran out of memory). */
static unsigned n_verdicts;

static void quiet(void *userdata, int level, const SourceLoc *loc, const char *message) {
        if (strstr(message, "Verification failed"))
                n_verdicts++;
}

static size_t heap_in_use(void) {
        return mallinfo2().uordblks;
}

typedef enum Stage {
        STAGE_PARSE,            /* unit_file_parse_text() and directives_apply_unit() */
        STAGE_COMPILE,          /* sandbox_compile() with the verifier */
} Stage;

static char *read_unit(const char *name) {
        const char *root = getenv("MEGAFILTER_SOURCE_ROOT");
        _cleanup_free_ char *path = NULL;
        char *text = NULL;
        size_t size = 0;
        FILE *f;

        assert_non_null(root);
        assert_true(asprintf(&path, "%s/units/%s", root, name) > 0);
        f = fopen(path, "re");
        assert_non_null(f);
        assert_true(getdelim(&text, &size, 0, f) > 0);
        fclose(f);
        return text;
}

/* What a successful run produced: the programs, as a hash over every instruction. */
static uint64_t fingerprint(const Sandbox *s) {
        uint64_t h = 1469598103934665603ULL;

        for (size_t i = 0; i < s->n_progs; i++) {
                const unsigned char *b = (const unsigned char *) s->progs[i].insns;
                for (size_t j = 0; j < s->progs[i].n * sizeof(struct sock_filter); j++)
                        h = (h ^ b[j]) * 1099511628211ULL;
                h = (h ^ 0xff) * 1099511628211ULL;
        }
        return h ^ (uint64_t) s->mdwe_prctl << 1 ^ (uint64_t) s->no_new_privileges;
}

/* One run with allocation number fail_at failing. Returns the result; *ret_allocs: how many
 * allocations the run made. */
static int run_once(const char *text, Stage stage, const CompileOptions *o, unsigned long fail, unsigned long *ret_allocs,
                    uint64_t *ret_fingerprint) {
        Diag diag = { .func = quiet, .max_level = DIAG_DEBUG };
        UnitFile *u = NULL;
        Directives *d = NULL;
        Sandbox *s = NULL;
        int r;

        fail_at = 0;
        if (stage == STAGE_COMPILE) {
                assert_int_equal(unit_file_new("alloc.service", &u), 0);
                assert_int_equal(unit_file_parse_text(u, "/units/alloc.service", text, strlen(text), &diag), 0);
                assert_int_equal(directives_new(&d), 0);
                assert_int_equal(directives_apply_unit(d, u, &diag), 0);
        }

        n_allocs = 0;
        n_verdicts = 0;
        fail_at = fail;
        if (stage == STAGE_PARSE) {
                r = unit_file_new("alloc.service", &u);
                if (r >= 0)
                        r = unit_file_parse_text(u, "/units/alloc.service", text, strlen(text), &diag);
                if (r >= 0)
                        r = directives_new(&d);
                if (r >= 0)
                        r = directives_apply_unit(d, u, &diag);
        } else
                r = sandbox_compile(d, o, &diag, &s);
        *ret_allocs = n_allocs;
        fail_at = 0;
        assert_int_equal(n_verdicts, 0);

        /* A run that succeeded despite the failure (a fallback, or a message that could not be
         * formatted) must have produced exactly what an undisturbed run produces: nothing may be
         * dropped silently. */
        if (r >= 0 && stage == STAGE_PARSE)
                assert_int_equal(sandbox_compile(d, o, &diag, &s), 0);
        if (r >= 0) {
                assert_non_null(s);
                *ret_fingerprint = fingerprint(s);
        }
        sandbox_free(s);
        directives_free(d);
        unit_file_free(u);
        return r;
}

static void fail_every_allocation_text(const char *unit, const char *text, Stage stage, Layout layout) {
        CompileOptions o = COMPILE_OPTIONS_DEFAULT;
        unsigned long total, allocs, step = 1, n_ok = 0;
        uint64_t want = 0, got = 0;
        size_t before;
        int r;

        o.verify = true;
        o.layout = layout;
        o.mdwe = MDWE_SECCOMP;          /* the same program on every kernel */

        /* Warm up (one-time allocations of the C library, e.g. stdio buffers) and count. */
        assert_int_equal(run_once(text, stage, &o, 0, &total, &want), 0);
        assert_true(total > 0);
        /* Large counts: every allocation up to 2000, a spread sample after that. */
        before = heap_in_use();

        for (unsigned long n = 1; n <= total; n += step) {
                n_failed = 0;
                r = run_once(text, stage, &o, n, &allocs, &got);
                if (r == 0 && got != want)
                        fail_msg("%s (%s): allocation %lu of %lu failing changed the result",
                                 unit, stage == STAGE_PARSE ? "parse" : "compile", n, total);
                n_ok += r == 0;
                if (n_failed == 0)
                        fail_msg("%s: allocation %lu of %lu was not made", unit, n, total);
                if (r != -ENOMEM && r != 0)
                        fail_msg("%s (%s): allocation %lu of %lu failing gave %d (%s), not -ENOMEM",
                                 unit, stage == STAGE_PARSE ? "parse" : "compile", n, total, r, strerror(-r));
                if (!UNDER_ASAN && !under_valgrind && heap_in_use() != before)
                        fail_msg("%s (%s): allocation %lu of %lu failing leaked %zd bytes",
                                 unit, stage == STAGE_PARSE ? "parse" : "compile", n, total,
                                 (ssize_t) (heap_in_use() - before));
                if (n >= 2000)
                        step = total / 500 + 1;
        }

        /* And nothing fails when nothing is made to. */
        assert_int_equal(run_once(text, stage, &o, 0, &allocs, &got), 0);
        assert_int_equal(allocs, total);
        assert_true(got == want);
        print_message("%s (%s, %s%s): %lu allocations, each failed in turn; %lu runs still succeeded, with the same programs\n",
                      unit, stage == STAGE_PARSE ? "parse" : "compile", layout_to_string(layout),
                      no_mmap ? ", no mmap" : "", total, n_ok);
}

static void fail_every_allocation(const char *unit, Stage stage, Layout layout) {
        _cleanup_free_ char *text = read_unit(unit);

        fail_every_allocation_text(unit, text, stage, layout);
        if (stage == STAGE_COMPILE) {
                /* Again with the arenas on the heap. */
                no_mmap = true;
                fail_every_allocation_text(unit, text, stage, layout);
                no_mmap = false;
        }
}

/* Every kind of warning, so that the diagnostics' own allocations fail too. */
static const char warnings_unit[] =
        "[Unit]\n"
        "Description=warnings\n"
        "[Bogus]\n"
        "Key=value\n"
        "[Service]\n"
        "no equals sign\n"
        "NoSuchKey=1\n"
        "SystemCallFilter=@system-service no_such_call @no-such-set read:EPERM\n"
        "SystemCallFilter=~@privileged mount:ENOSUCH umount2:4096 @clock:EACCES reboot:kill\n"
        "SystemCallErrorNumber=EBOGUS\n"
        "SystemCallArchitectures=native vax\n"
        "RestrictAddressFamilies=AF_UNIX AF_BOGUS AF_INET\n"
        "RestrictNamespaces=~net bogus\n"
        "MemoryDenyWriteExecute=perhaps\n"
        "LockPersonality=yes\n"
        "RestrictRealtime=yes\n"
        "RestrictSUIDSGID=yes\n"
        "SystemCallLog=@file-system bogus_log\n"
        "ExecStart=/bin/true %n %i\n"
        "Environment=A=1 B=2 \"C=3\n"
        "User=%n\n";

static void test_parse_warnings(void **state) {
        fail_every_allocation_text("warnings", warnings_unit, STAGE_PARSE, LAYOUT_SPLIT);
        fail_every_allocation_text("warnings", warnings_unit, STAGE_COMPILE, LAYOUT_SPLIT);
}

static void test_parse(void **state) {
        fail_every_allocation("webapp.service", STAGE_PARSE, LAYOUT_SPLIT);
        fail_every_allocation("fully-hardened.service", STAGE_PARSE, LAYOUT_SPLIT);
}

static void test_compile_webapp(void **state) {
        fail_every_allocation("webapp.service", STAGE_COMPILE, LAYOUT_SPLIT);
}

static void test_compile_hardened(void **state) {
        fail_every_allocation("fully-hardened.service", STAGE_COMPILE, LAYOUT_SPLIT);
        fail_every_allocation("fully-hardened.service", STAGE_COMPILE, LAYOUT_SINGLE);
}

static void test_compile_others(void **state) {
        fail_every_allocation("deny-list.service", STAGE_COMPILE, LAYOUT_SPLIT);
        fail_every_allocation("demo.service", STAGE_COMPILE, LAYOUT_SPLIT);
}

/* The public API, every allocation failing in turn: -ENOMEM from the call that ran out, and the
 * unit an assignment or setter was made to exactly as before (all or nothing). */
static char *filter_of(const mf_unit *u) {
        unsigned long saved = fail_at;
        char *v = NULL;

        fail_at = 0;
        assert_int_equal(mf_unit_get_property(u, "SystemCallFilter", &v), 0);
        fail_at = saved;
        return v;
}

static int api_once(const char *path, unsigned long fail, unsigned long *ret_allocs, char **ret_state) {
        static const struct mf_syscall deny[] = { { "@mount", MF_ERRNO_DEFAULT }, { "mkdir", EACCES } };
        static const char *const archs[] = { "native" };
        struct mf_compile_options o = { .size = sizeof o, .mdwe = MF_MDWE_SECCOMP };
        mf_unit *u = NULL;
        mf_sandbox *s = NULL;
        int r;

        fail_at = 0;
        n_allocs = 0;
        fail_at = fail;
        r = mf_unit_load(path, 0, NULL, NULL, &u);
        for (unsigned step = 0; r >= 0 && step < 4; step++) {
                _cleanup_free_ char *before = filter_of(u);

                if (step == 0)
                        r = mf_unit_set_property(u, "SystemCallFilter=~@reboot", NULL, NULL);
                else if (step == 1)
                        r = mf_unit_set_syscall_filter(u, MF_SYSCALLS_ADD_SETUID, deny, ELEMENTSOF(deny), NULL, NULL);
                else if (step == 2)
                        r = mf_unit_set_syscall_log(u, MF_SYSCALLS_ALLOW_LIST, archs, 0, NULL, NULL);
                else
                        r = mf_unit_set_syscall_architectures(u, archs, 1, NULL, NULL);
                if (r < 0) {
                        /* Whatever failed changed nothing. */
                        _cleanup_free_ char *after = filter_of(u);
                        assert_string_equal(after, before);
                }
        }
        if (r >= 0)
                r = mf_compile(u, &o, NULL, NULL, &s, NULL);
        *ret_allocs = n_allocs;
        fail_at = 0;
        if (r >= 0) {
                *ret_state = filter_of(u);
                mf_sandbox_free(s);
        }
        mf_unit_free(u);
        return r;
}

static void test_api(void **state) {
        const char *root = getenv("MEGAFILTER_SOURCE_ROOT");
        _cleanup_free_ char *path = NULL, *want = NULL;
        unsigned long total, allocs;
        size_t before;

        assert_true(asprintf(&path, "%s/units/webapp.service", root) > 0);
        assert_int_equal(api_once(path, 0, &total, &want), 0);
        before = heap_in_use();
        for (unsigned long n = 1; n <= total; n += n < 2000 ? 1 : total / 500 + 1) {
                char *got = NULL;
                int r;

                n_failed = 0;
                r = api_once(path, n, &allocs, &got);
                if (r != -ENOMEM && r != 0)
                        fail_msg("API: allocation %lu of %lu failing gave %d (%s), not -ENOMEM", n, total, r, strerror(-r));
                if (r == 0 && !streq(got, want))
                        fail_msg("API: allocation %lu of %lu failing changed the result", n, total);
                free(got);
                if (!UNDER_ASAN && !under_valgrind && heap_in_use() != before)
                        fail_msg("API: allocation %lu of %lu failing leaked %zd bytes", n, total,
                                 (ssize_t) (heap_in_use() - before));
        }
        print_message("API (load, assignment, setters, compile): %lu allocations, each failed in turn\n", total);
}

int main(int argc, char *argv[]) {
        /* Freed chunks kept in glibc's per-thread cache count as in use for mallinfo2(): without
         * the cache, in-use bytes are exact. */
        const char *preload = getenv("LD_PRELOAD");

        /* Valgrind replaces malloc and checks leaks itself. */
        under_valgrind = preload && strstr(preload, "vgpreload");
        if (!UNDER_ASAN && !under_valgrind && !getenv("GLIBC_TUNABLES")) {
                setenv("GLIBC_TUNABLES", "glibc.malloc.tcache_count=0", 1);
                execv("/proc/self/exe", argv);
                return 1;
        }

        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_parse),
                cmocka_unit_test(test_parse_warnings),
                cmocka_unit_test(test_compile_webapp),
                cmocka_unit_test(test_compile_hardened),
                cmocka_unit_test(test_compile_others),
                cmocka_unit_test(test_api),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
