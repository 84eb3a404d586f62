/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The public API for containers, through megafilter.h alone: mf_oci_compile() on the reference
 * profiles (installed in forked children, real system calls), its diagnostics and error codes,
 * the size rules of its options, and mf_oci_annotate()'s all-or-nothing write. */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "megafilter.h"
#include "test-util.h"

#ifndef AF_VSOCK
#define AF_VSOCK 40
#endif

static char tmpdir[] = "/tmp/test-api-oci-XXXXXX";

typedef struct Log {
        char text[8192];                /* "FILE:LINE: message\n" for every message */
        unsigned n_errors;
} Log;

static void log_cb(int level, const char *file, unsigned line, const char *message, void *userdata) {
        Log *l = userdata;
        size_t used = strlen(l->text);

        assert_null(strchr(message, '\n'));
        snprintf(l->text + used, sizeof l->text - used, "%s:%u: %s\n", file ? file : "-", line, message);
        l->n_errors += level <= 3;
}

static char *path_in(const char *dir, const char *name) {
        char *p;

        assert_true(asprintf(&p, "%s/%s", dir, name) >= 0);
        return p;
}

static char *profile_path(const char *name) {
        const char *root = getenv("MEGAFILTER_SOURCE_ROOT");
        char *p;

        assert_true(asprintf(&p, "%s/test/data/oci/%s.json", root ? root : ".", name) >= 0);
        return p;
}

static void write_file(const char *path, const char *text) {
        FILE *f = fopen(path, "we");

        assert_non_null(f);
        assert_int_equal(fputs(text, f) >= 0, 1);
        assert_int_equal(fclose(f), 0);
}

static char *read_file(const char *path) {
        FILE *f = fopen(path, "re");
        char *text = NULL;
        size_t size = 0;

        assert_non_null(f);
        assert_int_equal(getdelim(&text, &size, 0, f) > 0, 1);
        fclose(f);
        return text;
}

/* ---- compiling and installing ---- */

/* In a forked child: install s, then check what Docker's default profile says. The bits of the
 * checks that failed. */
static int docker_child(void *userdata) {
        const mf_sandbox *s = userdata;
        struct mf_error e = { .size = sizeof e };
        int failed = 0;

        if (mf_sandbox_install(s, 0, NULL, NULL, &e) < 0)
                return 0xff;
        if (getppid() <= 0)                                             /* allowed */
                failed |= 1 << 0;
        if (syscall(SYS_personality, 0xffffffffUL) < 0)                 /* allowed: the query */
                failed |= 1 << 1;
        if (syscall(SYS_personality, (unsigned long) ADDR_NO_RANDOMIZE) != -1 || errno != EPERM)
                failed |= 1 << 2;                                       /* denied by its argument */
        if (socket(AF_VSOCK, SOCK_STREAM, 0) != -1 || errno != EPERM)   /* denied by its argument */
                failed |= 1 << 3;
        if (syscall(SYS_clone3, NULL, 0) != -1 || errno != ENOSYS)      /* its own errno */
                failed |= 1 << 4;
        if (syscall(SYS_mount, "none", "/nonexistent", "tmpfs", 0, NULL) != -1 || errno != EPERM)
                failed |= 1 << 5;                                       /* the default action */
        return failed;
}

static void test_compile_profile(void **state) {
        char *path = profile_path("docker-default");
        struct mf_error e = { .size = sizeof e };
        const struct sock_filter *insns;
        const char *name;
        mf_sandbox *s = NULL;
        Log l = {};
        size_t n;

        assert_int_equal(mf_oci_compile(path, NULL, log_cb, &l, &s, &e), 0);
        assert_int_equal(l.n_errors, 0);
        assert_int_equal(mf_sandbox_filter_count(s), 1);
        assert_int_equal(mf_sandbox_layout(s), MF_LAYOUT_SINGLE);
        assert_int_equal(mf_sandbox_filter(s, 0, &name, &insns, &n), 0);
        assert_true(n > 0 && n < 1000);
        assert_int_equal(mf_sandbox_verify(s, NULL, NULL, &e), 0);
        assert_int_equal(run_in_child(docker_child, s), 0);
        mf_sandbox_free(s);

        /* The same profile for a container with CAP_SYS_ADMIN: mount() is allowed then. */
        s = NULL;
        assert_int_equal(mf_oci_compile(path, &(struct mf_oci_options) {
                                                .size = sizeof(struct mf_oci_options),
                                                .input = MF_OCI_INPUT_PROFILE,
                                                .caps = (const char *const[]) { "CAP_SYS_ADMIN", NULL },
                                                .kernel_major = 6, .kernel_minor = 1,
                                        }, NULL, NULL, &s, &e), 0);
        /* clone3() and mount() reach the kernel then (EINVAL for clone3's NULL, ENOENT for the mount point). */
        assert_int_equal(run_in_child(docker_child, s), 1 << 4 | 1 << 5);
        mf_sandbox_free(s);
        free(path);
}

static void test_compile_other_arch(void **state) {
        char *path = profile_path("podman-default");
        mf_sandbox *s = NULL;

        assert_int_equal(mf_oci_compile(path, &(struct mf_oci_options) {
                                                .size = sizeof(struct mf_oci_options), .arch = "arm64",
                                        }, NULL, NULL, &s, NULL), 0);
        assert_string_equal(mf_sandbox_arch(s), "arm64");
        assert_int_equal(mf_sandbox_filter_count(s), 1);
        mf_sandbox_free(s);
        free(path);
}

/* ---- errors ---- */

static void assert_refused(const char *text, int want, const char *message) {
        char *path = path_in(tmpdir, "bad.json"), *expect = NULL;
        struct mf_error e = { .size = sizeof e };
        mf_sandbox *s = NULL;
        Log l = {};

        write_file(path, text);
        assert_int_equal(mf_oci_compile(path, NULL, log_cb, &l, &s, &e), want);
        assert_null(s);
        assert_int_equal(e.error, want);
        assert_true(asprintf(&expect, "%s:%s", path, message) >= 0);
        if (!strstr(e.message, expect))
                fail_msg("error message \"%s\", wanted \"%s\"", e.message, expect);
        assert_true(l.n_errors > 0);
        free(expect);
        free(path);
}

static void test_errors(void **state) {
        struct mf_error e = { .size = sizeof e };
        mf_sandbox *s = NULL;

        assert_refused("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [{\"names\": [\"read\"],\n"
                       " \"action\": \"SCMP_ACT_ALLOW\", \"args\": [{\"index\": 0, \"value\": 1, \"op\": \"SCMP_CMP_SOMETIMES\"}]}]}",
                       -EINVAL, "2:");
        assert_refused("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [{\"names\": [\"read\"],\n"
                       " \"action\": \"SCMP_ACT_ALLOW\", \"errnoRet\": 5}]}",
                       -EINVAL, "2:");
        /* What a precompiled filter cannot do. */
        assert_refused("{\"defaultAction\": \"SCMP_ACT_NOTIFY\"}", -EOPNOTSUPP, "1:");
        assert_refused("{\"defaultAction\": ", -EINVAL, "1:");

        /* The JSON path names what is wrong. */
        {
                char *path = path_in(tmpdir, "bad.json");

                write_file(path, "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [{\"names\": [\"read\"],\n"
                                 " \"action\": \"SCMP_ACT_ALLOW\", \"args\": [{\"index\": 7, \"value\": 1, \"op\": \"SCMP_CMP_EQ\"}]}]}");
                assert_int_equal(mf_oci_compile(path, NULL, NULL, NULL, &s, &e), -EINVAL);
                if (!strstr(e.message, "syscalls[0].args[0].index"))
                        fail_msg("no JSON path in \"%s\"", e.message);
                free(path);
        }

        assert_int_equal(mf_oci_compile("/nonexistent/profile.json", NULL, NULL, NULL, &s, &e), -ENOENT);
        assert_int_equal(mf_oci_compile(NULL, NULL, NULL, NULL, &s, &e), -EINVAL);
        assert_null(s);
}

static void test_options(void **state) {
        char *path = profile_path("docker-default");
        struct {
                struct mf_oci_options o;
                char newer[8];
        } big = { .o = { .size = sizeof big } };
        mf_sandbox *s = NULL;

        /* A newer caller's struct: accepted when what this version does not know is zero. */
        assert_int_equal(mf_oci_compile(path, &big.o, NULL, NULL, &s, NULL), 0);
        mf_sandbox_free(s);
        s = NULL;
        big.newer[3] = 1;
        assert_int_equal(mf_oci_compile(path, &big.o, NULL, NULL, &s, NULL), -EINVAL);

        /* Too small to hold the fields of 0.3, unknown values, an arch no one has. */
        assert_int_equal(mf_oci_compile(path, &(struct mf_oci_options) { .size = 8 }, NULL, NULL, &s, NULL), -EINVAL);
        assert_int_equal(mf_oci_compile(path, &(struct mf_oci_options) { .size = sizeof(struct mf_oci_options), .input = 9 },
                                        NULL, NULL, &s, NULL), -EINVAL);
        assert_int_equal(mf_oci_compile(path, &(struct mf_oci_options) { .size = sizeof(struct mf_oci_options), .flags = 1u << 9 },
                                        NULL, NULL, &s, NULL), -EINVAL);
        assert_int_equal(mf_oci_compile(path, &(struct mf_oci_options) { .size = sizeof(struct mf_oci_options), .arch = "vax" },
                                        NULL, NULL, &s, NULL), -EOPNOTSUPP);
        assert_null(s);
        /* A profile read as a config.json: one without linux.seccomp, so no program, as crun has it. */
        assert_int_equal(mf_oci_compile(path, &(struct mf_oci_options) {
                                                .size = sizeof(struct mf_oci_options), .input = MF_OCI_INPUT_CONFIG,
                                        }, NULL, NULL, &s, NULL), 0);
        assert_int_equal(mf_sandbox_filter_count(s), 0);
        mf_sandbox_free(s);
        free(path);
}

/* ---- annotating ---- */

static const char config_head[] = "{\"ociVersion\": \"1.0.2\", \"process\": {\"args\": [\"/bin/true\"]},\n";

static void test_annotate(void **state) {
        char *bundle = path_in(tmpdir, "bundle"), *config = NULL, *before = NULL, *after = NULL;
        struct mf_error e = { .size = sizeof e };
        mf_sandbox *s = NULL;
        size_t n;

        assert_int_equal(mkdir(bundle, 0755), 0);
        config = path_in(bundle, "config.json");

        /* A good linux.seccomp: the annotation is added, linux.seccomp kept. */
        assert_true(asprintf(&before, "%s \"linux\": {\"seccomp\": {\"defaultAction\": \"SCMP_ACT_ALLOW\",\n"
                                      "  \"syscalls\": [{\"names\": [\"mount\"], \"action\": \"SCMP_ACT_ERRNO\"}]}}}\n",
                             config_head) >= 0);
        write_file(config, before);
        assert_int_equal(mf_oci_annotate(bundle, NULL, NULL, NULL, &e), 0);
        after = read_file(config);
        assert_non_null(strstr(after, "\"run.oci.seccomp_bpf_data\""));
        assert_non_null(strstr(after, "\"seccomp\""));
        assert_int_equal(mf_oci_compile(config, NULL, NULL, NULL, &s, &e), 0);
        assert_int_equal(mf_sandbox_filter(s, 0, NULL, NULL, &n), 0);
        assert_true(n > 0);
        mf_sandbox_free(s);
        free(before);
        free(after);

        /* A bad one: refused, the file untouched. */
        assert_true(asprintf(&before, "%s \"linux\": {\"seccomp\": {\"defaultAction\": \"SCMP_ACT_ALLOW\",\n"
                                      "  \"syscalls\": [{\"names\": [\"mount\"], \"action\": \"SCMP_ACT_BOGUS\"}]}}}\n",
                             config_head) >= 0);
        write_file(config, before);
        assert_int_equal(mf_oci_annotate(bundle, NULL, NULL, NULL, &e), -EINVAL);
        assert_non_null(strstr(e.message, "syscalls[0].action"));
        after = read_file(config);
        assert_string_equal(after, before);
        free(before);
        free(after);

        /* No linux.seccomp: nothing to do, nothing written. */
        assert_true(asprintf(&before, "%s \"linux\": {}}\n", config_head) >= 0);
        write_file(config, before);
        assert_int_equal(mf_oci_annotate(bundle, NULL, NULL, NULL, &e), 0);
        after = read_file(config);
        assert_string_equal(after, before);
        free(before);
        free(after);

        /* Under run.oci.seccomp_fail_unknown_syscall a name libseccomp does not know fails, as in crun;
         * without it, it is skipped with a warning. */
        assert_true(asprintf(&before, "%s \"annotations\": {\"run.oci.seccomp_fail_unknown_syscall\": \"1\"},\n"
                                      " \"linux\": {\"seccomp\": {\"defaultAction\": \"SCMP_ACT_ALLOW\",\n"
                                      "  \"syscalls\": [{\"names\": [\"no_such_call\"], \"action\": \"SCMP_ACT_ERRNO\"}]}}}\n",
                             config_head) >= 0);
        write_file(config, before);
        assert_true(mf_oci_annotate(bundle, NULL, NULL, NULL, &e) < 0);
        after = read_file(config);
        assert_string_equal(after, before);
        free(before);
        free(after);
        assert_true(asprintf(&before, "%s \"linux\": {\"seccomp\": {\"defaultAction\": \"SCMP_ACT_ALLOW\",\n"
                                      "  \"syscalls\": [{\"names\": [\"no_such_call\"], \"action\": \"SCMP_ACT_ERRNO\"}]}}}\n",
                             config_head) >= 0);
        write_file(config, before);
        assert_int_equal(mf_oci_annotate(bundle, NULL, NULL, NULL, &e), 0);

        /* Only bundles and config.json files take an annotation. */
        assert_int_equal(mf_oci_annotate(bundle, &(struct mf_oci_options) {
                                                .size = sizeof(struct mf_oci_options), .input = MF_OCI_INPUT_PROFILE,
                                        }, NULL, NULL, &e), -EINVAL);
        free(before);
        free(config);
        free(bundle);
}

static int setup(void **state) {
        return tmpdir_make(tmpdir);
}

static int teardown(void **state) {
        return tmpdir_remove(tmpdir);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_compile_profile),
                cmocka_unit_test(test_compile_other_arch),
                cmocka_unit_test(test_errors),
                cmocka_unit_test(test_options),
                cmocka_unit_test(test_annotate),
        };

        return cmocka_run_group_tests(tests, setup, teardown);
}
