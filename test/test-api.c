/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The public API as an embedder meets it: every function of megafilter.h, every error it
 * documents, the all-or-nothing promise, the size rules of its structures, its silence without a
 * log callback, and the sandbox installed for real in forked children that then make system
 * calls. Only megafilter.h is used, except for api_sandbox_program() to mutate a program. */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "api-internal.h"
#include "bpf-insn.h"
#include "diag-capture.h"
#include "syscall-table.h"
#include "test-util.h"

/* ---- diagnostics as the callback gets them ---- */

typedef struct Log {
        char **messages;                /* "FILE:LINE: message" as the callback got them */
        unsigned n, n_errors, n_debug;
} Log;

static void log_cb(int level, const char *file, unsigned line, const char *message, void *userdata) {
        Log *l = userdata;
        char *s;

        assert_non_null(message);
        assert_null(strchr(message, '\n'));
        if (file && line > 0)
                assert_true(asprintf(&s, "%s:%u: %s", file, line, message) >= 0);
        else if (file)
                assert_true(asprintf(&s, "%s: %s", file, message) >= 0);
        else
                assert_true(asprintf(&s, "%s", message) >= 0);
        assert_int_equal(strv_push(&l->messages, s), 0);
        l->n++;
        l->n_errors += level <= 3;
        l->n_debug += level == 7;
}

static void log_done(Log *l) {
        l->messages = strv_free(l->messages);
        *l = (Log) {};
}

/* Whether some message matches pattern (fnmatch-like: '*' only, at the ends). */
static bool log_has(const Log *l, const char *needle) {
        STRV_FOREACH(m, l->messages)
                if (strstr(*m, needle))
                        return true;
        return false;
}

#define assert_logged(l, needle)                                                        \
        do {                                                                            \
                if (!log_has((l), (needle))) {                                          \
                        STRV_FOREACH(_m, (l)->messages)                                 \
                                fprintf(stderr, "  logged: %s\n", *_m);                 \
                        fail_msg("nothing logged contains \"%s\"", (needle));           \
                }                                                                       \
        } while (0)

/* Whether the space-separated list s has word w. */
static bool has_word(const char *s, const char *w) {
        size_t n = strlen(w);

        for (const char *p = s; (p = strstr(p, w)); p += n)
                if ((p == s || p[-1] == ' ' || p[-1] == '~') && (p[n] == ' ' || p[n] == 0))
                        return true;
        return false;
}

static char *source_path(const char *rel) {
        const char *root = getenv("MEGAFILTER_SOURCE_ROOT");
        char *p;

        assert_non_null(root);
        assert_true(asprintf(&p, "%s/%s", root, rel) >= 0);
        return p;
}

static char *property(const mf_unit *u, const char *name) {
        char *v = NULL;

        assert_int_equal(mf_unit_get_property(u, name, &v), 0);
        return v;
}

#define assert_property(u, name, want)                                                  \
        do {                                                                            \
                _cleanup_free_ char *_v = property((u), (name));                        \
                assert_string_equal(_v, (want));                                        \
        } while (0)

/* ---- children ---- */

static int seccomp_filters(void) {
        _cleanup_fclose_ FILE *f = fopen("/proc/thread-self/status", "re");
        char line[256];
        int n = -1;

        while (f && fgets(line, sizeof line, f))
                if (sscanf(line, "Seccomp_filters: %d", &n) == 1)
                        break;
        return n;
}

/* A filter in place before ours: seccomp(SECCOMP_SET_MODE_FILTER) fails with EPERM. */
static int refuse_seccomp(void) {
        const struct sock_filter f[] = {
                LD(offsetof(struct seccomp_data, nr)),
                J(BPF_JMP | BPF_JEQ | BPF_K, SYS_seccomp, 0, 3),
                LD(offsetof(struct seccomp_data, args[0])),
                J(BPF_JMP | BPF_JEQ | BPF_K, SECCOMP_SET_MODE_FILTER, 0, 1),
                RET(SECCOMP_RET_ERRNO | EPERM),
                RET(SECCOMP_RET_ALLOW),
        };
        struct sock_fprog prog = { .len = ELEMENTSOF(f), .filter = (struct sock_filter *) f };

        return syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) < 0 ? -errno : 0;
}

static int allow_all(void) {
        const struct sock_filter f[] = { RET(SECCOMP_RET_ALLOW) };
        struct sock_fprog prog = { .len = 1, .filter = (struct sock_filter *) f };

        return syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) < 0 ? -errno : 0;
}

/* ---- version, directives ---- */

static void test_version(void **state) {
        const struct mf_version *v = mf_version();
        char s[64];

        assert_non_null(v);
        assert_int_equal(v->major, MF_VERSION_MAJOR);
        assert_int_equal(v->minor, MF_VERSION_MINOR);
        assert_int_equal(v->micro, MF_VERSION_MICRO);
        /* The header, the library and the project agree (meson's version: "0.2" is 0.2.0). */
        snprintf(s, sizeof s, "%u.%u", v->major, v->minor);
        if (v->micro != 0)
                snprintf(s, sizeof s, "%u.%u.%u", v->major, v->minor, v->micro);
        assert_string_equal(s, PROJECT_VERSION);
        assert_true(MF_VERSION_AT_LEAST(0, 2, 0));
        assert_true(MF_VERSION_AT_LEAST(0, 1, 9));
        assert_false(MF_VERSION_AT_LEAST(MF_VERSION_MAJOR, MF_VERSION_MINOR, MF_VERSION_MICRO + 1));
        assert_false(MF_VERSION_AT_LEAST(MF_VERSION_MAJOR + 1, 0, 0));
}

static void test_syscall_name(void **state) {
        assert_null(mf_syscall_name("vax", 0));
        assert_null(mf_syscall_name(NULL, -1));
        assert_null(mf_syscall_name("x86-64", 340));           /* no system call */
        assert_null(mf_syscall_name("x86-64", 0x100000000L));
        assert_string_equal(mf_syscall_name("x86-64", 0), "read");
        assert_string_equal(mf_syscall_name("x86-64", 257), "openat");
        assert_string_equal(mf_syscall_name("x86", 5), "open");
        assert_string_equal(mf_syscall_name("x86", 102), "socketcall");
        assert_string_equal(mf_syscall_name("x32", 0x40000000L + 257), "openat");
        assert_null(mf_syscall_name("x32", 257));
        assert_string_equal(mf_syscall_name("arm64", 56), "openat");
        /* NULL is this machine's ABI, and every name goes back into a setter. */
        assert_string_equal(mf_syscall_name(NULL, 39), mf_syscall_name(abi_to_name(abi_native()), 39));
        for (long nr = 0; nr < 512; nr++) {
                const char *n = mf_syscall_name(NULL, nr);
                struct mf_syscall e = { n, MF_ERRNO_DEFAULT };
                mf_unit *u = NULL;

                if (!n)
                        continue;
                assert_int_equal(mf_unit_new("name.service", &u), 0);
                assert_int_equal(mf_unit_set_syscall_filter(u, 0, &e, 1, NULL, NULL), 0);
                mf_unit_free(u);
        }
}

static void test_directive_name(void **state) {
        assert_null(mf_directive_name(MF_DIRECTIVE_NONE));
        assert_null(mf_directive_name(-1));
        assert_null(mf_directive_name(_MF_DIRECTIVE_MAX));
        assert_string_equal(mf_directive_name(MF_DIRECTIVE_SYSTEM_CALL_FILTER), "SystemCallFilter=");
        assert_string_equal(mf_directive_name(MF_DIRECTIVE_RESTRICT_ADDRESS_FAMILIES), "RestrictAddressFamilies=");
        assert_string_equal(mf_directive_name(MF_DIRECTIVE_NO_NEW_PRIVILEGES), "NoNewPrivileges=");
        for (int i = 1; i < _MF_DIRECTIVE_MAX; i++) {
                const char *n = mf_directive_name(i);

                assert_non_null(n);
                assert_true(endswith_char(n, '='));
                /* Every directive with a policy layer maps back onto itself. */
                for (PolicyLayer l = 0; l < _LAYER_MAX; l++)
                        if (streq(policy_layer_to_directive(l), n))
                                assert_int_equal(api_directive_of_layer(l), i);
        }
        assert_int_equal(api_directive_of_layer(LAYER_NONE), MF_DIRECTIVE_NONE);
}

/* ---- loading ---- */

static void test_load(void **state) {
        _cleanup_free_ char *path = source_path("units/webapp.service");
        _cleanup_(log_done) Log l = {};
        mf_unit *u = NULL;

        assert_int_equal(mf_unit_load(path, 0, log_cb, &l, &u), 0);
        assert_string_equal(mf_unit_name(u), "webapp.service");
        assert_non_null(mf_unit_path(u));
        assert_non_null(strstr(mf_unit_path(u), "/units/webapp.service"));
        assert_int_equal(mf_unit_warnings(u), 0);
        assert_property(u, "LockPersonality", "yes");
        assert_property(u, "NoNewPrivileges", "no");
        mf_unit_free(u);

        /* By name, from the search path. */
        _cleanup_free_ char *units = source_path("units");
        setenv("MEGAFILTER_UNIT_PATH", units, 1);
        assert_int_equal(mf_unit_load("demo", 0, log_cb, &l, &u), 0);
        assert_string_equal(mf_unit_name(u), "demo.service");
        mf_unit_free(u);
        unsetenv("MEGAFILTER_UNIT_PATH");

        mf_unit_free(NULL);
        assert_null(mf_unit_name(NULL));
        assert_null(mf_unit_path(NULL));
        assert_int_equal(mf_unit_warnings(NULL), 0);
}

static void test_load_errors(void **state) {
        _cleanup_tree_ char *t = tree_new();
        _cleanup_free_ char *missing = tree_path(t, "missing.service"), *dir = tree_path(t, "dir.service"),
                *masked = tree_path(t, "masked.service"), *empty = tree_path(t, "empty.service"),
                *loop = tree_path(t, "loop.service"), *bad = tree_path(t, "bad.service"),
                *fatal = tree_path(t, "fatal.service"), *warn = tree_path(t, "warn.service"),
                *nosvc = tree_path(t, "nosvc.service"), *prefix = NULL;
        _cleanup_(log_done) Log l = {};
        mf_unit *u = NULL;

        tree_mkdirs(dir, true);
        assert_int_equal(symlink("/dev/null", masked), 0);
        tree_write_str(t, "empty.service", "");
        assert_int_equal(symlink(loop, loop), 0);
        tree_write_str(t, "bad.service", "[Service]\nUser=root\n[Service\n");
        tree_write_str(t, "fatal.service", "[Service]\nExecStart=relative/path\n");
        tree_write_str(t, "warn.service", "[Service]\nSystemCallFilter=read no_such_call\n");
        tree_write_str(t, "nosvc.service", "[Unit]\nDescription=nothing to sandbox\n");

        assert_int_equal(mf_unit_load(NULL, 0, NULL, NULL, &u), -EINVAL);
        assert_int_equal(mf_unit_load(bad, 0, NULL, NULL, NULL), -EINVAL);
        assert_int_equal(mf_unit_load(bad, 1u << 7, NULL, NULL, &u), -EINVAL);

        assert_int_equal(mf_unit_load("no-such-unit-anywhere.service", 0, log_cb, &l, &u), -ENOENT);
        assert_logged(&l, "Unit no-such-unit-anywhere.service not found.");
        assert_int_equal(mf_unit_load(missing, 0, log_cb, &l, &u), -ENOENT);
        assert_true(asprintf(&prefix, "%s: ", missing) >= 0);
        assert_logged(&l, prefix);
        assert_int_equal(mf_unit_load("foo.socket", 0, log_cb, &l, &u), -EINVAL);
        assert_int_equal(mf_unit_load(dir, 0, log_cb, &l, &u), -EISDIR);
        assert_int_equal(mf_unit_load(masked, 0, log_cb, &l, &u), -ERFKILL);
        assert_logged(&l, "Unit masked.service is masked.");
        assert_int_equal(mf_unit_load(empty, 0, log_cb, &l, &u), -ERFKILL);
        assert_int_equal(mf_unit_load(loop, 0, log_cb, &l, &u), -ELOOP);

        /* Bad input: -EINVAL, and the diagnostic names file and line. */
        free(prefix);
        assert_true(asprintf(&prefix, "%s:3: ", bad) >= 0);
        assert_int_equal(mf_unit_load(bad, 0, log_cb, &l, &u), -EINVAL);
        assert_logged(&l, prefix);

        /* A setting systemd refuses the unit for: -ENOEXEC ("bad-setting"), with its line. */
        free(prefix);
        assert_true(asprintf(&prefix, "%s:2: ", fatal) >= 0);
        assert_int_equal(mf_unit_load(fatal, 0, log_cb, &l, &u), -ENOEXEC);
        assert_logged(&l, prefix);

        /* A warning: loaded, counted; refused in strict mode. */
        log_done(&l);
        assert_int_equal(mf_unit_load(warn, 0, log_cb, &l, &u), 0);
        assert_int_equal(mf_unit_warnings(u), 1);
        {
                _cleanup_free_ char *v = property(u, "SystemCallFilter");
                assert_true(has_word(v, "read"));       /* with @default, as systemd adds it */
        }
        mf_unit_free(u);
        free(prefix);
        assert_true(asprintf(&prefix, "%s:2: Failed to parse system call, ignoring: no_such_call", warn) >= 0);
        assert_logged(&l, prefix);
        assert_int_equal(mf_unit_load(warn, MF_UNIT_STRICT, log_cb, &l, &u), -EINVAL);
        assert_logged(&l, "strict mode");

        /* No [Service] section: nothing to sandbox, and a warning that says so. */
        log_done(&l);
        assert_int_equal(mf_unit_load(nosvc, 0, log_cb, &l, &u), 0);
        assert_int_equal(mf_unit_warnings(u), 1);
        assert_logged(&l, "has no [Service] section");
        mf_unit_free(u);
        assert_int_equal(mf_unit_load(nosvc, MF_UNIT_STRICT, NULL, NULL, &u), -EINVAL);
}

static int load_unreadable(void *userdata) {
        mf_unit *u = NULL;

        if (setresgid(65534, 65534, 65534) < 0 || setresuid(65534, 65534, 65534) < 0)
                return 77;
        return mf_unit_load(userdata, 0, NULL, NULL, &u) == -EACCES ? 0 : 1;
}

static void test_load_unreadable(void **state) {
        _cleanup_tree_ char *t = tree_new();
        _cleanup_free_ char *p = tree_path(t, "secret.service");
        int r;

        if (geteuid() != 0)
                skip();
        tree_write_str(t, "secret.service", "[Service]\nSystemCallFilter=read\n");
        assert_int_equal(chmod(p, 0600), 0);
        assert_int_equal(chmod(t, 0755), 0);
        r = run_in_child(load_unreadable, p);
        if (r == 77)
                skip();
        assert_int_equal(r, 0);
}

static void test_load_user(void **state) {
        _cleanup_tree_ char *t = tree_new();
        _cleanup_free_ char *config = tree_path(t, "config"), *runtime = tree_path(t, "runtime");
        char *saved[2] = { getenv("XDG_CONFIG_HOME"), getenv("XDG_RUNTIME_DIR") };
        _cleanup_free_ char *s0 = saved[0] ? strdup(saved[0]) : NULL, *s1 = saved[1] ? strdup(saved[1]) : NULL;
        mf_unit *u = NULL;

        tree_write_str(t, "config/systemd/user/mine.service", "[Service]\nSystemCallFilter=~@mount\n");
        tree_mkdirs(runtime, true);
        setenv("XDG_CONFIG_HOME", config, 1);
        setenv("XDG_RUNTIME_DIR", runtime, 1);
        assert_int_equal(mf_unit_load("mine.service", MF_UNIT_USER, NULL, NULL, &u), 0);
        assert_string_equal(mf_unit_name(u), "mine.service");
        mf_unit_free(u);
        assert_int_equal(mf_unit_load("mine.service", 0, NULL, NULL, &u), -ENOENT);
        if (s0)
                setenv("XDG_CONFIG_HOME", s0, 1);
        else
                unsetenv("XDG_CONFIG_HOME");
        if (s1)
                setenv("XDG_RUNTIME_DIR", s1, 1);
        else
                unsetenv("XDG_RUNTIME_DIR");
}

static mf_unit *big_unit(void);
static const struct mf_compile_options too_big_options;

/* With no log callback nothing at all is written to stderr, whatever goes wrong. */
static void test_silent(void **state) {
        _cleanup_tree_ char *t = tree_new();
        _cleanup_free_ char *bad = tree_path(t, "bad.service"), *out = tree_path(t, "stderr");
        mf_unit *u = NULL;
        mf_sandbox *s = NULL;
        int saved, fd;
        struct stat st;

        tree_write_str(t, "bad.service", "[Service]\nSystemCallFilter=read no_such_call\nNoSuchKey=1\n[Oops\n");
        fflush(stderr);
        saved = dup(STDERR_FILENO);
        fd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        assert_true(saved >= 0 && fd >= 0);
        assert_int_equal(dup2(fd, STDERR_FILENO), STDERR_FILENO);

        assert_int_equal(mf_unit_load(bad, 0, NULL, NULL, &u), -EINVAL);
        assert_int_equal(mf_unit_load("nowhere-at-all.service", 0, NULL, NULL, &u), -ENOENT);
        assert_int_equal(mf_unit_new("silent.service", &u), 0);
        assert_int_equal(mf_unit_set_property(u, "SystemCallFilter=~mount nosuchcall", NULL, NULL), -EINVAL);
        mf_unit_free(u);
        u = big_unit();
        assert_int_equal(mf_compile(u, &too_big_options, NULL, NULL, &s, NULL), -E2BIG);
        mf_unit_free(u);

        fflush(stderr);
        assert_int_equal(dup2(saved, STDERR_FILENO), STDERR_FILENO);
        close(saved);
        close(fd);
        assert_int_equal(stat(out, &st), 0);
        assert_int_equal(st.st_size, 0);
}

/* ---- assignments: all or nothing ---- */

static void test_set_property(void **state) {
        _cleanup_(log_done) Log l = {};
        mf_unit *u = NULL;

        assert_int_equal(mf_unit_new(NULL, &u), -EINVAL);
        assert_int_equal(mf_unit_new("x.service", NULL), -EINVAL);
        assert_int_equal(mf_unit_new("no spaces.service", &u), -EINVAL);
        assert_int_equal(mf_unit_new("x.socket", &u), 0);
        assert_string_equal(mf_unit_name(u), "x.socket");
        assert_null(mf_unit_path(u));
        mf_unit_free(u);

        assert_int_equal(mf_unit_new("prop.service", &u), 0);
        assert_int_equal(mf_unit_set_property(NULL, "A=b", NULL, NULL), -EINVAL);
        assert_int_equal(mf_unit_set_property(u, NULL, NULL, NULL), -EINVAL);

        assert_int_equal(mf_unit_set_property(u, "SystemCallFilter=~@reboot", log_cb, &l), 0);
        assert_property(u, "SystemCallFilter", "~kexec_file_load kexec_load reboot");

        /* One bad word: nothing of the assignment applies, and the diagnostic names it. */
        assert_int_equal(mf_unit_set_property(u, "SystemCallFilter=~mount nosuchcall", log_cb, &l), -EINVAL);
        assert_property(u, "SystemCallFilter", "~kexec_file_load kexec_load reboot");
        assert_logged(&l, "-p:2: Failed to parse system call, ignoring: nosuchcall");
        assert_int_equal(mf_unit_warnings(u), 1);

        assert_int_equal(mf_unit_set_property(u, "NoSuchKey=1", log_cb, &l), -EINVAL);
        assert_logged(&l, "-p:3: Unknown key 'NoSuchKey' in section [Service], ignoring.");
        assert_int_equal(mf_unit_set_property(u, "no equals sign", log_cb, &l), -EINVAL);
        assert_logged(&l, "-p:4: Not an assignment");
        assert_int_equal(mf_unit_set_property(u, "=value", log_cb, &l), -EINVAL);
        /* A setting systemd would refuse the unit for is refused as an assignment, and the unit stays good. */
        assert_int_equal(mf_unit_set_property(u, "ExecStart=relative/path", log_cb, &l), -EINVAL);
        assert_int_equal(mf_unit_set_property(u, "ExecStart=/bin/true", log_cb, &l), 0);
        _cleanup_free_ char *unset = property(u, "RestrictAddressFamilies");
        assert_int_equal(mf_unit_set_property(u, "RestrictAddressFamilies=AF_UNIX AF_BOGUS", log_cb, &l), -EINVAL);
        assert_property(u, "RestrictAddressFamilies", unset);
        assert_int_equal(mf_unit_set_property(u, "RestrictAddressFamilies=AF_UNIX", log_cb, &l), 0);
        assert_property(u, "RestrictAddressFamilies", "AF_UNIX");
        assert_int_equal(mf_unit_warnings(u), 6);

        char *v = NULL;
        assert_int_equal(mf_unit_get_property(u, "NoSuchProperty", &v), -ENOENT);
        assert_int_equal(mf_unit_get_property(u, NULL, &v), -EINVAL);
        assert_int_equal(mf_unit_get_property(NULL, "SystemCallFilter", &v), -EINVAL);
        assert_int_equal(mf_unit_get_property(u, "SystemCallFilter", NULL), -EINVAL);
        mf_unit_free(u);
}

static void test_property_names(void **state) {
        const char *const *names = mf_unit_property_names();
        mf_unit *u = NULL;
        size_t n = 0;

        assert_int_equal(mf_unit_new("names.service", &u), 0);
        for (; names[n]; n++) {
                _cleanup_free_ char *v = property(u, names[n]);
                assert_non_null(v);
        }
        assert_int_equal(n, 18);
        assert_string_equal(names[0], "PrivateDevices");
        assert_property(u, "SystemCallErrorNumber", "2147483646");     /* as systemctl show prints "kill" */
        mf_unit_free(u);
}

/* ---- structured setters ---- */

static void test_set_syscall_filter(void **state) {
        _cleanup_(log_done) Log l = {};
        const struct mf_syscall deny[] = {
                { "mkdir", EACCES }, { "@reboot", MF_ERRNO_DEFAULT }, { "chroot", MF_ERRNO_KILL }, { "setuid", 1 },
        };
        const struct mf_syscall bad[] = { { "mount", 1 }, { "nosuchcall", 1 } };
        const struct mf_syscall badgroup[] = { { "@nosuchgroup", MF_ERRNO_DEFAULT } };
        const struct mf_syscall allow[] = { { "read", MF_ERRNO_DEFAULT }, { "write", MF_ERRNO_DEFAULT }, { "setuid", EPERM } };
        const struct mf_syscall badaction[] = { { "read", 4096 } };
        const struct mf_syscall noname[] = { { NULL, 1 } };
        mf_unit *u = NULL;

        assert_int_equal(mf_unit_new("filter.service", &u), 0);
        _cleanup_free_ char *unset = property(u, "SystemCallFilter");
        assert_int_equal(mf_unit_set_syscall_filter(NULL, 0, deny, 1, NULL, NULL), -EINVAL);
        assert_int_equal(mf_unit_set_syscall_filter(u, 0, NULL, 1, NULL, NULL), -EINVAL);
        assert_int_equal(mf_unit_set_syscall_filter(u, 1u << 9, deny, 1, NULL, NULL), -EINVAL);
        assert_int_equal(mf_unit_set_syscall_filter(u, 0, badaction, 1, NULL, NULL), -EINVAL);
        assert_int_equal(mf_unit_set_syscall_filter(u, 0, noname, 1, NULL, NULL), -EINVAL);

        assert_int_equal(mf_unit_set_syscall_filter(u, 0, deny, ELEMENTSOF(deny), log_cb, &l), 0);
        assert_property(u, "SystemCallFilter", "~chroot:kill kexec_file_load kexec_load mkdir:EACCES reboot setuid:EPERM");

        /* All or nothing. */
        assert_int_equal(mf_unit_set_syscall_filter(u, 0, bad, ELEMENTSOF(bad), log_cb, &l), -EINVAL);
        assert_logged(&l, "filter.service: SystemCallFilter=: unknown system call, refusing: nosuchcall");
        assert_int_equal(mf_unit_set_syscall_filter(u, 0, badgroup, 1, log_cb, &l), -EINVAL);
        assert_logged(&l, "unknown system call group, refusing: @nosuchgroup");
        assert_property(u, "SystemCallFilter", "~chroot:kill kexec_file_load kexec_load mkdir:EACCES reboot setuid:EPERM");

        /* The ambient capability hack: @setuid leaves a deny-list … */
        assert_int_equal(mf_unit_set_syscall_filter(u, MF_SYSCALLS_ADD_SETUID, deny, ELEMENTSOF(deny), log_cb, &l), 0);
        assert_property(u, "SystemCallFilter", "~chroot:kill kexec_file_load kexec_load mkdir:EACCES reboot");

        /* … and joins an allow-list (nothing is added implicitly: no @default). */
        assert_int_equal(mf_unit_set_syscall_filter(u, MF_SYSCALLS_ALLOW_LIST, allow, 2, log_cb, &l), 0);
        assert_property(u, "SystemCallFilter", "read write");
        assert_int_equal(mf_unit_set_syscall_filter(u, MF_SYSCALLS_ALLOW_LIST | MF_SYSCALLS_ADD_SETUID, allow, 2, log_cb, &l), 0);
        {
                _cleanup_free_ char *v = property(u, "SystemCallFilter");
                assert_true(has_word(v, "setresuid"));
                assert_true(has_word(v, "read"));
                assert_true(has_word(v, "write"));
                assert_false(has_word(v, "open"));
        }
        /* systemd fails to add @setuid over an entry of it with its own errno: -EEXIST, nothing changed. */
        assert_int_equal(mf_unit_set_syscall_filter(u, MF_SYSCALLS_ALLOW_LIST | MF_SYSCALLS_ADD_SETUID, allow, 3, log_cb, &l), -EEXIST);
        assert_logged(&l, "setuid has its own error number");

        /* An empty allow-list allows nothing; an empty deny-list removes the filter. */
        assert_int_equal(mf_unit_set_syscall_filter(u, MF_SYSCALLS_ALLOW_LIST, NULL, 0, NULL, NULL), 0);
        assert_property(u, "SystemCallFilter", "");
        assert_int_equal(mf_unit_set_syscall_filter(u, 0, NULL, 0, NULL, NULL), 0);
        assert_property(u, "SystemCallFilter", unset);
        mf_unit_free(u);
}

static void test_set_others(void **state) {
        _cleanup_(log_done) Log l = {};
        const char *log_names[] = { "@mount", "open" }, *bad_log[] = { "open", "nosuchcall" }, *null_name[] = { NULL };
        const char *archs[] = { "native", "x86" }, *bad_archs[] = { "x86", "vax" }, *seccomp_spelling[] = { "x86_64" };
        const int families[] = { AF_UNIX, AF_INET }, bad_families[] = { AF_UNIX, -1 }, too_big[] = { 4096 };
        mf_unit *u = NULL;

        assert_int_equal(mf_unit_new("others.service", &u), 0);
        _cleanup_free_ char *unset_families = property(u, "RestrictAddressFamilies");

        assert_int_equal(mf_unit_set_syscall_log(u, MF_SYSCALLS_ALLOW_LIST, log_names, 2, log_cb, &l), 0);
        {
                _cleanup_free_ char *v = property(u, "SystemCallLog");
                assert_false(v[0] == '~');
                assert_true(has_word(v, "open"));
                assert_true(has_word(v, "mount"));
                assert_true(has_word(v, "umount2"));
                assert_false(has_word(v, "read"));
        }
        assert_int_equal(mf_unit_set_syscall_log(u, 0, bad_log, 2, log_cb, &l), -EINVAL);
        assert_logged(&l, "SystemCallLog=: unknown system call, refusing: nosuchcall");
        assert_int_equal(mf_unit_set_syscall_log(u, 0, null_name, 1, NULL, NULL), -EINVAL);
        assert_int_equal(mf_unit_set_syscall_log(u, 2, log_names, 1, NULL, NULL), -EINVAL);
        assert_int_equal(mf_unit_set_syscall_log(NULL, 0, log_names, 1, NULL, NULL), -EINVAL);
        assert_int_equal(mf_unit_set_syscall_log(u, 0, NULL, 1, NULL, NULL), -EINVAL);
        {
                _cleanup_free_ char *v = property(u, "SystemCallLog");
                assert_non_null(strstr(v, "mount"));
        }

        assert_int_equal(mf_unit_set_syscall_error_number(u, EPERM), 0);
        assert_property(u, "SystemCallErrorNumber", "1");
        assert_int_equal(mf_unit_set_syscall_error_number(u, MF_ERRNO_KILL), 0);
        assert_property(u, "SystemCallErrorNumber", "2147483646");
        assert_int_equal(mf_unit_set_syscall_error_number(u, 0), -EINVAL);
        assert_int_equal(mf_unit_set_syscall_error_number(u, 4096), -EINVAL);
        assert_int_equal(mf_unit_set_syscall_error_number(u, MF_ERRNO_DEFAULT), -EINVAL);
        assert_int_equal(mf_unit_set_syscall_error_number(NULL, EPERM), -EINVAL);

        assert_int_equal(mf_unit_set_syscall_architectures(u, archs, 2, log_cb, &l), 0);
        assert_property(u, "SystemCallArchitectures", "native x86");
        assert_int_equal(mf_unit_set_syscall_architectures(u, bad_archs, 2, log_cb, &l), -EINVAL);
        assert_logged(&l, "SystemCallArchitectures=: unknown architecture, refusing: vax");
        assert_int_equal(mf_unit_set_syscall_architectures(u, seccomp_spelling, 1, NULL, NULL), -EINVAL);
        assert_int_equal(mf_unit_set_syscall_architectures(u, null_name, 1, NULL, NULL), -EINVAL);
        assert_int_equal(mf_unit_set_syscall_architectures(u, NULL, 1, NULL, NULL), -EINVAL);
        assert_int_equal(mf_unit_set_syscall_architectures(NULL, archs, 1, NULL, NULL), -EINVAL);
        assert_property(u, "SystemCallArchitectures", "native x86");
        assert_int_equal(mf_unit_set_syscall_architectures(u, NULL, 0, NULL, NULL), 0);
        assert_property(u, "SystemCallArchitectures", "");

        assert_int_equal(mf_unit_set_address_families(u, MF_SYSCALLS_ALLOW_LIST, families, 2), 0);
        assert_property(u, "RestrictAddressFamilies", "AF_INET AF_UNIX");
        assert_int_equal(mf_unit_set_address_families(u, 0, bad_families, 2), -EINVAL);
        assert_int_equal(mf_unit_set_address_families(u, 0, too_big, 1), -EINVAL);
        assert_int_equal(mf_unit_set_address_families(u, 1u << 5, families, 1), -EINVAL);
        assert_int_equal(mf_unit_set_address_families(u, 0, NULL, 1), -EINVAL);
        assert_int_equal(mf_unit_set_address_families(NULL, 0, families, 1), -EINVAL);
        assert_property(u, "RestrictAddressFamilies", "AF_INET AF_UNIX");
        assert_int_equal(mf_unit_set_address_families(u, 0, families, 1), 0);
        assert_property(u, "RestrictAddressFamilies", "~AF_UNIX");
        assert_int_equal(mf_unit_set_address_families(u, MF_SYSCALLS_ALLOW_LIST, NULL, 0), 0);
        assert_property(u, "RestrictAddressFamilies", "");     /* an allow-list of nothing, as "none" */
        assert_int_equal(mf_unit_set_address_families(u, 0, NULL, 0), 0);
        assert_property(u, "RestrictAddressFamilies", unset_families);

        assert_int_equal(mf_unit_set_restrict_namespaces(u, CLONE_NEWNET | CLONE_NEWUTS), 0);
        assert_property(u, "RestrictNamespaces", "net uts");
        assert_int_equal(mf_unit_set_restrict_namespaces(u, 0), 0);
        assert_property(u, "RestrictNamespaces", "yes");
        assert_int_equal(mf_unit_set_restrict_namespaces(u, MF_NAMESPACES_ALL), 0);
        assert_property(u, "RestrictNamespaces", "no");
        assert_int_equal(mf_unit_set_restrict_namespaces(NULL, 0), -EINVAL);

        assert_int_equal(mf_unit_set_personality(u, PER_LINUX32), 0);
        assert_property(u, "Personality", "x86");
        assert_int_equal(mf_unit_set_personality(u, PER_BSD), -EINVAL);
        assert_int_equal(mf_unit_set_personality(NULL, PER_LINUX), -EINVAL);
        assert_property(u, "Personality", "x86");
        assert_int_equal(mf_unit_set_personality(u, MF_PERSONALITY_UNSET), 0);
        assert_property(u, "Personality", "");

        static const struct { int directive; const char *property; } bools[] = {
                { MF_DIRECTIVE_PROTECT_HOSTNAME, "ProtectHostname" },
                { MF_DIRECTIVE_MEMORY_DENY_WRITE_EXECUTE, "MemoryDenyWriteExecute" },
                { MF_DIRECTIVE_RESTRICT_REALTIME, "RestrictRealtime" },
                { MF_DIRECTIVE_RESTRICT_SUID_SGID, "RestrictSUIDSGID" },
                { MF_DIRECTIVE_PROTECT_KERNEL_TUNABLES, "ProtectKernelTunables" },
                { MF_DIRECTIVE_PROTECT_KERNEL_MODULES, "ProtectKernelModules" },
                { MF_DIRECTIVE_PROTECT_KERNEL_LOGS, "ProtectKernelLogs" },
                { MF_DIRECTIVE_PROTECT_CLOCK, "ProtectClock" },
                { MF_DIRECTIVE_PRIVATE_DEVICES, "PrivateDevices" },
                { MF_DIRECTIVE_LOCK_PERSONALITY, "LockPersonality" },
                { MF_DIRECTIVE_NO_NEW_PRIVILEGES, "NoNewPrivileges" },
        };
        for (size_t i = 0; i < ELEMENTSOF(bools); i++) {
                assert_property(u, bools[i].property, "no");
                assert_int_equal(mf_unit_set_boolean(u, bools[i].directive, 1), 0);
                assert_property(u, bools[i].property, "yes");
        }
        assert_int_equal(mf_unit_set_boolean(u, MF_DIRECTIVE_SYSTEM_CALL_FILTER, 1), -EINVAL);
        assert_int_equal(mf_unit_set_boolean(u, MF_DIRECTIVE_NONE, 1), -EINVAL);
        assert_int_equal(mf_unit_set_boolean(u, _MF_DIRECTIVE_MAX, 1), -EINVAL);
        assert_int_equal(mf_unit_set_boolean(NULL, MF_DIRECTIVE_PROTECT_CLOCK, 1), -EINVAL);
        assert_int_equal(mf_unit_set_boolean(u, MF_DIRECTIVE_PROTECT_CLOCK, 0), 0);
        assert_property(u, "ProtectClock", "no");
        mf_unit_free(u);
}

/* The setters and the same directives as text give the same programs. */
static void test_setters_match_text(void **state) {
        const struct mf_syscall filter[] = { { "@system-service", MF_ERRNO_DEFAULT }, { "@default", MF_ERRNO_DEFAULT } };
        const int families[] = { AF_UNIX, AF_INET6 };
        const char *archs[] = { "native" };
        struct mf_compile_options o = { .size = sizeof o, .mdwe = MF_MDWE_SECCOMP };
        mf_unit *a = NULL, *b = NULL;
        mf_sandbox *sa = NULL, *sb = NULL;

        assert_int_equal(mf_unit_new("same.service", &a), 0);
        assert_int_equal(mf_unit_set_syscall_filter(a, MF_SYSCALLS_ALLOW_LIST, filter, 2, NULL, NULL), 0);
        assert_int_equal(mf_unit_set_syscall_error_number(a, EPERM), 0);
        assert_int_equal(mf_unit_set_syscall_architectures(a, archs, 1, NULL, NULL), 0);
        assert_int_equal(mf_unit_set_address_families(a, MF_SYSCALLS_ALLOW_LIST, families, 2), 0);
        assert_int_equal(mf_unit_set_restrict_namespaces(a, 0), 0);
        assert_int_equal(mf_unit_set_boolean(a, MF_DIRECTIVE_MEMORY_DENY_WRITE_EXECUTE, 1), 0);
        assert_int_equal(mf_unit_set_boolean(a, MF_DIRECTIVE_RESTRICT_SUID_SGID, 1), 0);
        assert_int_equal(mf_unit_set_boolean(a, MF_DIRECTIVE_LOCK_PERSONALITY, 1), 0);
        assert_int_equal(mf_unit_set_boolean(a, MF_DIRECTIVE_PROTECT_CLOCK, 1), 0);

        assert_int_equal(mf_unit_new("same.service", &b), 0);
        assert_int_equal(mf_unit_set_property(b, "SystemCallFilter=@system-service", NULL, NULL), 0);
        assert_int_equal(mf_unit_set_property(b, "SystemCallErrorNumber=EPERM", NULL, NULL), 0);
        assert_int_equal(mf_unit_set_property(b, "SystemCallArchitectures=native", NULL, NULL), 0);
        assert_int_equal(mf_unit_set_property(b, "RestrictAddressFamilies=AF_UNIX AF_INET6", NULL, NULL), 0);
        assert_int_equal(mf_unit_set_property(b, "RestrictNamespaces=yes", NULL, NULL), 0);
        assert_int_equal(mf_unit_set_property(b, "MemoryDenyWriteExecute=yes", NULL, NULL), 0);
        assert_int_equal(mf_unit_set_property(b, "RestrictSUIDSGID=yes", NULL, NULL), 0);
        assert_int_equal(mf_unit_set_property(b, "LockPersonality=yes", NULL, NULL), 0);
        assert_int_equal(mf_unit_set_property(b, "ProtectClock=yes", NULL, NULL), 0);

        for (const char *const *p = mf_unit_property_names(); *p; p++) {
                _cleanup_free_ char *va = property(a, *p), *vb = property(b, *p);
                assert_string_equal(va, vb);
        }

        assert_int_equal(mf_compile(a, &o, NULL, NULL, &sa, NULL), 0);
        assert_int_equal(mf_compile(b, &o, NULL, NULL, &sb, NULL), 0);
        assert_int_equal(mf_sandbox_filter_count(sa), 2);
        assert_int_equal(mf_sandbox_filter_count(sb), 2);
        for (size_t i = 0; i < 2; i++) {
                const struct sock_filter *ia, *ib;
                size_t na, nb;

                assert_int_equal(mf_sandbox_filter(sa, i, NULL, &ia, &na), 0);
                assert_int_equal(mf_sandbox_filter(sb, i, NULL, &ib, &nb), 0);
                assert_int_equal(na, nb);
                assert_memory_equal(ia, ib, na * sizeof(struct sock_filter));
        }
        assert_int_equal(mf_sandbox_directives(sa), mf_sandbox_directives(sb));
        mf_sandbox_free(sa);
        mf_sandbox_free(sb);
        mf_unit_free(a);
        mf_unit_free(b);
}

/* ---- compiling ---- */

static mf_unit *unit_of(const char *const *assignments) {
        mf_unit *u = NULL;

        assert_int_equal(mf_unit_new("api.service", &u), 0);
        for (; *assignments; assignments++)
                if (mf_unit_set_property(u, *assignments, NULL, NULL) < 0)
                        fail_msg("assignment %s refused", *assignments);
        return u;
}

#define UNIT(...) unit_of((const char *const[]) { __VA_ARGS__, NULL })

static void test_compile_defaults(void **state) {
        _cleanup_(log_done) Log l = {};
        mf_unit *u = UNIT("SystemCallFilter=~@mount", "RestrictAddressFamilies=AF_UNIX");
        struct mf_compile_options o = { .size = sizeof o, .verify = MF_VERIFY_OFF };
        mf_sandbox *s = NULL;
        const struct sock_filter *insns;
        const char *name;
        size_t n;

        /* NULL options: every default, the verifier on. */
        assert_int_equal(mf_compile(u, NULL, log_cb, &l, &s, NULL), 0);
        assert_logged(&l, "Verified: all ");
        assert_int_equal(mf_sandbox_filter_count(s), 2);
        assert_int_equal(mf_sandbox_filter(s, 0, &name, &insns, &n), 0);
        assert_string_equal(name, "megafilter");
        assert_true(n > 0 && n <= 4096);
        assert_non_null(insns);
        assert_int_equal(mf_sandbox_filter(s, 1, &name, NULL, NULL), 0);
        assert_string_equal(name, "argfilter");
        assert_int_equal(mf_sandbox_filter(s, 2, &name, &insns, &n), -EINVAL);
        assert_int_equal(mf_sandbox_filter(NULL, 0, &name, &insns, &n), -EINVAL);
        assert_string_equal(mf_sandbox_arch(s), abi_to_name(abi_native()));
        assert_int_equal(mf_sandbox_layout(s), MF_LAYOUT_SPLIT);
        assert_int_equal(mf_sandbox_directives(s),
                         MF_DIRECTIVE_BIT(MF_DIRECTIVE_SYSTEM_CALL_FILTER) | MF_DIRECTIVE_BIT(MF_DIRECTIVE_RESTRICT_ADDRESS_FAMILIES));
        assert_int_equal(mf_sandbox_flags(s) & ~MF_SANDBOX_MDWE_PRCTL, MF_SANDBOX_SECCOMP);
        mf_sandbox_free(s);

        /* A zeroed structure of the current size is the same as NULL. */
        log_done(&l);
        o.verify = MF_VERIFY_DEFAULT;
        assert_int_equal(mf_compile(u, &o, log_cb, &l, &s, NULL), 0);
        assert_logged(&l, "Verified: all ");
        mf_sandbox_free(s);

        log_done(&l);
        o.verify = MF_VERIFY_OFF;
        assert_int_equal(mf_compile(u, &o, log_cb, &l, &s, NULL), 0);
        assert_false(log_has(&l, "Verified"));
        mf_sandbox_free(s);

        o.layout = MF_LAYOUT_SINGLE;
        assert_int_equal(mf_compile(u, &o, NULL, NULL, &s, NULL), 0);
        assert_int_equal(mf_sandbox_filter_count(s), 1);
        assert_int_equal(mf_sandbox_layout(s), MF_LAYOUT_SINGLE);
        mf_sandbox_free(s);

        assert_int_equal(mf_sandbox_filter_count(NULL), 0);
        assert_null(mf_sandbox_arch(NULL));
        assert_int_equal(mf_sandbox_layout(NULL), -EINVAL);
        assert_int_equal(mf_sandbox_flags(NULL), 0);
        assert_int_equal(mf_sandbox_directives(NULL), 0);
        mf_sandbox_free(NULL);
        mf_unit_free(u);

        /* NoNewPrivileges=yes: installing sets no_new_privs, whatever else. */
        u = UNIT("NoNewPrivileges=yes");
        assert_int_equal(mf_compile(u, NULL, NULL, NULL, &s, NULL), 0);
        assert_int_equal(mf_sandbox_flags(s), MF_SANDBOX_NO_NEW_PRIVS);
        assert_int_equal(mf_sandbox_filter_count(s), 0);
        mf_sandbox_free(s);
        mf_unit_free(u);

        /* Nothing restricted: no program. */
        u = UNIT("User=root");
        assert_int_equal(mf_compile(u, NULL, NULL, NULL, &s, NULL), 0);
        assert_int_equal(mf_sandbox_filter_count(s), 0);
        assert_int_equal(mf_sandbox_directives(s), 0);
        mf_sandbox_free(s);
        mf_unit_free(u);
}

/* A policy that denies seccomp() itself with an argument rule: split cannot be attached in order,
 * the sandbox says so. */
static void test_compile_layout_fallback(void **state) {
        mf_unit *u = UNIT("SystemCallFilter=~@sandbox", "RestrictAddressFamilies=AF_UNIX");
        mf_sandbox *s = NULL;

        assert_int_equal(mf_compile(u, NULL, NULL, NULL, &s, NULL), 0);
        assert_int_equal(mf_sandbox_filter_count(s), 1);
        assert_int_equal(mf_sandbox_layout(s), MF_LAYOUT_SINGLE);
        mf_sandbox_free(s);
        mf_unit_free(u);
}

static void test_compile_options(void **state) {
        mf_unit *u = UNIT("SystemCallFilter=~@mount", "MemoryDenyWriteExecute=yes", "RestrictAddressFamilies=AF_UNIX");
        struct {
                struct mf_compile_options o;
                uint8_t tail[16];
        } big = { .o = { .size = sizeof big } };
        struct mf_compile_options o = { .size = sizeof o };
        struct mf_error e = { .size = sizeof e };
        mf_sandbox *s = NULL;

        assert_int_equal(mf_compile(NULL, NULL, NULL, NULL, &s, &e), -EINVAL);
        assert_int_equal(e.error, -EINVAL);
        assert_int_equal(e.directive, MF_DIRECTIVE_NONE);
        assert_int_equal(mf_compile(u, NULL, NULL, NULL, NULL, NULL), -EINVAL);

        /* Sizes: 0.1's structure (up to verify) and larger ones with a zero tail are accepted. */
        o.size = offsetof(struct mf_compile_options, verify) + sizeof(int);
        o.skip = MF_DIRECTIVE_BIT(MF_DIRECTIVE_SYSTEM_CALL_FILTER);     /* beyond size: not read */
        assert_int_equal(mf_compile(u, &o, NULL, NULL, &s, NULL), 0);
        assert_true(mf_sandbox_directives(s) & MF_DIRECTIVE_BIT(MF_DIRECTIVE_SYSTEM_CALL_FILTER));
        mf_sandbox_free(s);
        o.size -= 1;
        assert_int_equal(mf_compile(u, &o, NULL, NULL, &s, NULL), -EINVAL);
        o.size = 0;
        assert_int_equal(mf_compile(u, &o, NULL, NULL, &s, NULL), -EINVAL);
        o = (struct mf_compile_options) { .size = sizeof o };

        assert_int_equal(mf_compile(u, &big.o, NULL, NULL, &s, NULL), 0);
        mf_sandbox_free(s);
        big.tail[7] = 1;
        assert_int_equal(mf_compile(u, &big.o, NULL, NULL, &s, NULL), -EINVAL);

        o.layout = 2;
        assert_int_equal(mf_compile(u, &o, NULL, NULL, &s, NULL), -EINVAL);
        o.layout = -1;
        assert_int_equal(mf_compile(u, &o, NULL, NULL, &s, NULL), -EINVAL);
        o.layout = MF_LAYOUT_SPLIT;
        o.mdwe = 3;
        assert_int_equal(mf_compile(u, &o, NULL, NULL, &s, NULL), -EINVAL);
        o.mdwe = MF_MDWE_AUTO;
        o.verify = 2;
        assert_int_equal(mf_compile(u, &o, NULL, NULL, &s, NULL), -EINVAL);
        o.verify = MF_VERIFY_ON;
        o.skip = MF_DIRECTIVE_BIT(MF_DIRECTIVE_NONE);
        assert_int_equal(mf_compile(u, &o, NULL, NULL, &s, NULL), -EINVAL);
        o.skip = MF_DIRECTIVE_BIT(_MF_DIRECTIVE_MAX);
        assert_int_equal(mf_compile(u, &o, NULL, NULL, &s, NULL), -EINVAL);
        o.skip = 0;
        o.unknown_syscalls = 2;
        assert_int_equal(mf_compile(u, &o, NULL, NULL, &s, NULL), -EINVAL);
        o.unknown_syscalls = -1;
        assert_int_equal(mf_compile(u, &o, NULL, NULL, &s, NULL), -EINVAL);
        o.unknown_syscalls = MF_UNKNOWN_SYSCALLS_ENOSYS;

        o.arch = "vax";
        assert_int_equal(mf_compile(u, &o, NULL, NULL, &s, &e), -EOPNOTSUPP);
        assert_int_equal(e.error, -EOPNOTSUPP);
        o.arch = "arm64";
        o.verify = MF_VERIFY_OFF;       /* the cache model makes it slow for arm64 */
        assert_int_equal(mf_compile(u, &o, NULL, NULL, &s, NULL), 0);
        assert_string_equal(mf_sandbox_arch(s), "arm64");
        /* PR_SET_MDWE is this machine's: not for another's. */
        assert_false(mf_sandbox_flags(s) & MF_SANDBOX_MDWE_PRCTL);
        mf_sandbox_free(s);
        o.arch = NULL;
        o.verify = MF_VERIFY_DEFAULT;

        /* MemoryDenyWriteExecute= with seccomp, as systemd 252 applies it. */
        o.mdwe = MF_MDWE_SECCOMP;
        assert_int_equal(mf_compile(u, &o, NULL, NULL, &s, NULL), 0);
        assert_false(mf_sandbox_flags(s) & MF_SANDBOX_MDWE_PRCTL);
        assert_true(mf_sandbox_directives(s) & MF_DIRECTIVE_BIT(MF_DIRECTIVE_MEMORY_DENY_WRITE_EXECUTE));
        mf_sandbox_free(s);
        o.mdwe = MF_MDWE_PRCTL;
        assert_int_equal(mf_compile(u, &o, NULL, NULL, &s, NULL), 0);
        assert_true(mf_sandbox_flags(s) & MF_SANDBOX_MDWE_PRCTL);
        mf_sandbox_free(s);
        o.mdwe = MF_MDWE_AUTO;

        /* Directives left out: as if never set. */
        o.skip = MF_DIRECTIVE_BIT(MF_DIRECTIVE_RESTRICT_ADDRESS_FAMILIES) | MF_DIRECTIVE_BIT(MF_DIRECTIVE_MEMORY_DENY_WRITE_EXECUTE);
        assert_int_equal(mf_compile(u, &o, NULL, NULL, &s, NULL), 0);
        assert_int_equal(mf_sandbox_directives(s), MF_DIRECTIVE_BIT(MF_DIRECTIVE_SYSTEM_CALL_FILTER));
        assert_int_equal(mf_sandbox_filter_count(s), 1);
        mf_sandbox_free(s);
        /* … and the unit is as it was. */
        assert_property(u, "RestrictAddressFamilies", "AF_UNIX");
        o.skip = ~MF_DIRECTIVE_BIT(MF_DIRECTIVE_NONE) & (MF_DIRECTIVE_BIT(_MF_DIRECTIVE_MAX) - 1);
        assert_int_equal(mf_compile(u, &o, NULL, NULL, &s, NULL), 0);
        assert_int_equal(mf_sandbox_filter_count(s), 0);
        mf_sandbox_free(s);
        mf_unit_free(u);
}

/* Every syscall with an errno of its own, so that no two neighbours share a return: too big for
 * one program on a mips64 host (three ABIs). Through the structured setter, since names no ABI
 * has are warnings in text. */
static mf_unit *big_unit(void) {
        struct mf_syscall *entries = calloc(syscall_count(), sizeof(struct mf_syscall));
        mf_unit *u = NULL;

        assert_non_null(entries);
        for (size_t id = 0; id < syscall_count(); id++)
                entries[id] = (struct mf_syscall) { syscall_name(id), (int) (id % 4000 + 1) };
        assert_int_equal(mf_unit_new("big.service", &u), 0);
        assert_int_equal(mf_unit_set_syscall_filter(u, 0, entries, syscall_count(), NULL, NULL), 0);
        free(entries);
        return u;
}

static const struct mf_compile_options too_big_options = { .size = sizeof too_big_options, .arch = "mips64", .layout = MF_LAYOUT_SINGLE };

static void test_compile_too_big(void **state) {
        _cleanup_(log_done) Log l = {};
        struct mf_error e = { .size = sizeof e };
        mf_unit *u = big_unit();
        mf_sandbox *s = NULL;

        assert_int_equal(mf_compile(u, &too_big_options, log_cb, &l, &s, &e), -E2BIG);
        assert_int_equal(e.error, -E2BIG);
        assert_int_equal(e.directive, MF_DIRECTIVE_NONE);
        assert_logged(&l, "exceeds the kernel's limit of 4096 instructions");
        assert_non_null(strstr(e.message, "4096"));
        mf_unit_free(u);
}

/* What systemd 252 parses but libseccomp refuses when building SystemCallFilter='s filter:
 * systemd fails the service with 228, mf_compile() fails and blames that directive. */
static void test_compile_libseccomp_refuses(void **state) {
        static const struct {
                const char *a, *b, *c;
                int r;
                const char *message;
        } cases[] = {
                { "SystemCallFilter=~@swap:4095", "NoNewPrivileges=yes", NULL, -EINVAL,
                  "-p:1: SystemCallFilter=~swapoff:4095: libseccomp refuses errno 4095" },
                { "SystemCallFilter=~@swap", "SystemCallErrorNumber=4095", NULL, -EINVAL,
                  "-p:2: SystemCallErrorNumber=4095: libseccomp refuses" },
                { "SystemCallFilter=@basic-io", "SystemCallErrorNumber=0xfff", NULL, -EINVAL,
                  "-p:2: SystemCallErrorNumber=4095: libseccomp refuses" },
                { "SystemCallFilter=@basic-io", "SystemCallFilter=~swapon:kill", NULL, -EACCES,
                  "-p:2: SystemCallFilter=~swapon:kill in an allow-list" },
                { "SystemCallErrorNumber=EPERM", "SystemCallFilter=@basic-io", "SystemCallFilter=~swapon:1", -EACCES,
                  "-p:3: SystemCallFilter=~swapon:EPERM in an allow-list whose default action is EPERM" },
        };
        static const struct mf_compile_options o = { .size = sizeof o, .verify = MF_VERIFY_OFF };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                struct mf_error e = { .size = sizeof e };
                mf_unit *u = cases[i].c ? UNIT(cases[i].a, cases[i].b, cases[i].c) : UNIT(cases[i].a, cases[i].b);
                mf_sandbox *s = NULL;

                assert_int_equal(mf_compile(u, &o, NULL, NULL, &s, &e), cases[i].r);
                assert_null(s);
                assert_int_equal(e.directive, MF_DIRECTIVE_SYSTEM_CALL_FILTER);
                if (cases[i].message && !startswith(e.message, cases[i].message))
                        fail_msg("%s: \"%s\"", cases[i].a, e.message);
                mf_unit_free(u);
        }

        /* ~swapon:1 on its own, not in an allow-list: fine; 4094 too. */
        {
                mf_unit *u = UNIT("SystemCallErrorNumber=EPERM", "SystemCallFilter=~swapon:1 swapoff:4094");
                mf_sandbox *s = NULL;

                assert_int_equal(mf_compile(u, &o, NULL, NULL, &s, NULL), 0);
                mf_sandbox_free(s);
                mf_unit_free(u);
        }
}

/* ---- verifying ---- */

static void test_verify_mutated(void **state) {
        _cleanup_(log_done) Log l = {};
        mf_unit *u = UNIT("SystemCallFilter=~mkdir:EACCES");
        struct mf_compile_options o = { .size = sizeof o, .verify = MF_VERIFY_OFF };
        struct mf_error e = { .size = sizeof e };
        mf_sandbox *s = NULL;
        BpfProgram *p;
        bool mutated = false;

        assert_int_equal(mf_compile(u, &o, NULL, NULL, &s, NULL), 0);
        assert_int_equal(mf_sandbox_verify(s, log_cb, &l, &e), 0);
        assert_logged(&l, "Verified");
        assert_int_equal(mf_sandbox_verify(NULL, NULL, NULL, &e), -EINVAL);

        /* mkdir's EACCES becomes EPERM: the verifier must see it, and say where. */
        p = api_sandbox_program(s, 0);
        assert_non_null(p);
        assert_null(api_sandbox_program(s, 1));
        for (size_t i = 0; i < p->n; i++)
                if (p->insns[i].code == (BPF_RET | BPF_K) && p->insns[i].k == (SECCOMP_RET_ERRNO | EACCES)) {
                        p->insns[i].k = SECCOMP_RET_ERRNO | EPERM;
                        mutated = true;
                }
        assert_true(mutated);

        log_done(&l);
        assert_int_equal(mf_sandbox_verify(s, log_cb, &l, &e), -EFAULT);
        assert_true(l.n_errors > 0);
        assert_logged(&l, "Verification failed");
        assert_int_equal(e.error, -EFAULT);
        assert_int_equal(e.directive, MF_DIRECTIVE_SYSTEM_CALL_FILTER);
        assert_non_null(e.abi);
        assert_non_null(e.syscall);
        assert_string_equal(e.syscall, "mkdir");
        assert_non_null(strstr(e.message, "Verifier"));
        assert_non_null(strstr(e.message, "mkdir"));

        /* A smaller struct mf_error gets what fits. */
        struct mf_error small = { .size = offsetof(struct mf_error, abi) };
        small.abi = (const char *) 0x1;
        assert_int_equal(mf_sandbox_verify(s, NULL, NULL, &small), -EFAULT);
        assert_int_equal(small.error, -EFAULT);
        assert_int_equal(small.directive, MF_DIRECTIVE_SYSTEM_CALL_FILTER);
        assert_ptr_equal(small.abi, (const char *) 0x1);
        mf_sandbox_free(s);
        mf_unit_free(u);
}

/* ---- installing, for real ---- */

typedef struct Install {
        const mf_sandbox *s;
        unsigned flags;
} Install;

static int install_and_call(void *userdata) {
        const Install *in = userdata;
        struct mf_error e = { .size = sizeof e };
        char dir[] = "/tmp/megafilter-api-XXXXXX";
        int fd, before = seccomp_filters();

        if (!mkdtemp(dir))
                return 10;
        if (mf_sandbox_install(in->s, in->flags, NULL, NULL, &e) < 0)
                return 11;
        if (seccomp_filters() != before + (int) mf_sandbox_filter_count(in->s))
                return 12;
        /* Denied with the entry's errno, the list's errno, and by argument. */
        if (mkdir("/tmp/megafilter-api-never", 0700) >= 0 || errno != EACCES)
                return 13;
        if (syscall(SYS_chroot, "/") >= 0 || errno != EPERM)
                return 14;
        fd = socket(AF_INET6, SOCK_DGRAM, 0);
        if (fd >= 0 || errno != EAFNOSUPPORT)
                return 15;
        fd = socket(AF_UNIX, SOCK_DGRAM, 0);
        if (fd < 0)
                return 16;
        close(fd);
        if (unshare(CLONE_NEWNET) >= 0 || errno != EPERM)
                return 17;
        /* Allowed. */
        if (getppid() <= 0 || rmdir(dir) < 0)
                return 18;
        return 0;
}

static mf_sandbox *compile_installable(void) {
        const struct mf_syscall deny[] = { { "mkdir", EACCES }, { "chroot", MF_ERRNO_DEFAULT } };
        const int families[] = { AF_UNIX };
        mf_unit *u = NULL;
        mf_sandbox *s = NULL;

        assert_int_equal(mf_unit_new("install.service", &u), 0);
        assert_int_equal(mf_unit_set_syscall_filter(u, 0, deny, 2, NULL, NULL), 0);
        assert_int_equal(mf_unit_set_syscall_error_number(u, EPERM), 0);
        assert_int_equal(mf_unit_set_address_families(u, MF_SYSCALLS_ALLOW_LIST, families, 1), 0);
        assert_int_equal(mf_unit_set_restrict_namespaces(u, 0), 0);
        assert_int_equal(mf_compile(u, NULL, NULL, NULL, &s, NULL), 0);
        mf_unit_free(u);                /* a sandbox outlives its unit */
        assert_int_equal(mf_sandbox_filter_count(s), 2);
        return s;
}

/* An allow-list and a number that is no x86-64 system call (340): ENOSYS by default, the list's
 * errno as systemd 252 gives it with MF_UNKNOWN_SYSCALLS_DEFAULT_ACTION; real calls either way. */
static int install_and_call_unknown(void *userdata) {
        const mf_sandbox *s = userdata;

        if (mf_sandbox_install(s, 0, NULL, NULL, NULL) < 0)
                return 100;
        errno = 0;
        if (syscall(340) != -1)
                return 101;
        return errno;
}

static void test_unknown_syscalls(void **state) {
        /* Enough for a sanitizer's runtime too (sigaltstack(), …). */
        static const struct mf_syscall allowed[] = { { "@default", MF_ERRNO_DEFAULT }, { "@system-service", MF_ERRNO_DEFAULT } };
        struct mf_compile_options o = { .size = sizeof o };
        mf_sandbox *s = NULL;
        mf_unit *u = NULL;

        if (abi_native() != ABI_X86_64)
                skip();
        assert_int_equal(mf_unit_new("unknown.service", &u), 0);
        assert_int_equal(mf_unit_set_syscall_filter(u, MF_SYSCALLS_ALLOW_LIST, allowed, ELEMENTSOF(allowed), NULL, NULL), 0);
        assert_int_equal(mf_unit_set_syscall_error_number(u, EPERM), 0);

        assert_int_equal(mf_compile(u, &o, NULL, NULL, &s, NULL), 0);
        assert_int_equal(run_in_child(install_and_call_unknown, s), ENOSYS);
        mf_sandbox_free(s);

        o.unknown_syscalls = MF_UNKNOWN_SYSCALLS_DEFAULT_ACTION;
        assert_int_equal(mf_compile(u, &o, NULL, NULL, &s, NULL), 0);
        assert_int_equal(run_in_child(install_and_call_unknown, s), EPERM);
        mf_sandbox_free(s);
        mf_unit_free(u);
}

static void test_install(void **state) {
        mf_sandbox *s = compile_installable();
        Install in = { .s = s };

        assert_int_equal(run_in_child(install_and_call, &in), 0);
        in.flags = MF_INSTALL_TSYNC;
        assert_int_equal(run_in_child(install_and_call, &in), 0);
        assert_int_equal(mf_sandbox_install(s, 1u << 8, NULL, NULL, NULL), -EINVAL);
        assert_int_equal(mf_sandbox_install(NULL, 0, NULL, NULL, NULL), -EINVAL);
        mf_sandbox_free(s);
}

typedef struct Refused {
        const mf_sandbox *s;
        unsigned flags;
        int want;
        int directive;
} Refused;

static int install_refused(void *userdata) {
        const Refused *in = userdata;
        struct mf_error e = { .size = sizeof e };
        int r;

        if (refuse_seccomp() < 0)
                return 20;
        r = mf_sandbox_install(in->s, in->flags, NULL, NULL, &e);
        if (r != in->want || e.error != in->want)
                return 21;
        if (e.directive != in->directive)
                return 22;
        if (!strstr(e.message, "refused"))
                return 23;
        if (seccomp_filters() != 1)
                return 24;              /* nothing of ours attached */
        return 0;
}

static void test_install_refused(void **state) {
        mf_sandbox *s = compile_installable();
        Refused in = { .s = s, .want = -ECANCELED, .directive = MF_DIRECTIVE_RESTRICT_ADDRESS_FAMILIES };
        mf_unit *u = NULL;

        /* systemd would fail on RestrictAddressFamilies='s filter first (exit status 232). */
        assert_int_equal(run_in_child(install_refused, &in), 0);
        in.flags = MF_INSTALL_RAW_ERRNO;
        in.want = -EPERM;
        assert_int_equal(run_in_child(install_refused, &in), 0);
        mf_sandbox_free(s);

        /* ProtectHostname='s filter comes before it (228), SystemCallFilter= alone is blamed alone. */
        u = UNIT("ProtectHostname=yes", "RestrictAddressFamilies=AF_UNIX");
        assert_int_equal(mf_compile(u, NULL, NULL, NULL, &s, NULL), 0);
        in = (Refused) { .s = s, .want = -ECANCELED, .directive = MF_DIRECTIVE_PROTECT_HOSTNAME };
        assert_int_equal(run_in_child(install_refused, &in), 0);
        mf_sandbox_free(s);
        mf_unit_free(u);

        u = UNIT("SystemCallFilter=~@mount");
        assert_int_equal(mf_compile(u, NULL, NULL, NULL, &s, NULL), 0);
        in = (Refused) { .s = s, .want = -ECANCELED, .directive = MF_DIRECTIVE_SYSTEM_CALL_FILTER };
        assert_int_equal(run_in_child(install_refused, &in), 0);
        mf_sandbox_free(s);
        mf_unit_free(u);
}

static pthread_barrier_t barrier;

static void *diverge(void *userdata) {
        (void) allow_all();             /* this thread's filters now differ from the caller's */
        pthread_barrier_wait(&barrier);
        pthread_barrier_wait(&barrier);
        return NULL;
}

static int install_tsync_conflict(void *userdata) {
        struct mf_error e = { .size = sizeof e };
        pthread_t t;
        int r;

        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                return 30;
        pthread_barrier_init(&barrier, NULL, 2);
        if (pthread_create(&t, NULL, diverge, NULL) != 0)
                return 31;
        pthread_barrier_wait(&barrier);
        r = mf_sandbox_install(userdata, MF_INSTALL_TSYNC, NULL, NULL, &e);
        pthread_barrier_wait(&barrier);
        pthread_join(t, NULL);
        if (r != -ESRCH || e.error != -ESRCH)
                return 32;
        return seccomp_filters() == 0 ? 0 : 33;
}

static void test_install_tsync(void **state) {
        mf_unit *u = UNIT("SystemCallFilter=~@mount");
        mf_sandbox *s = NULL;

        assert_int_equal(mf_compile(u, NULL, NULL, NULL, &s, NULL), 0);
        assert_int_equal(mf_sandbox_filter_count(s), 1);
        assert_int_equal(run_in_child(install_tsync_conflict, s), 0);
        mf_sandbox_free(s);
        mf_unit_free(u);
}

/* The trial attach (megafilter(3)): a child only where the kernel could refuse a later filter
 * after accepting an earlier one, i.e. when filters are in place already. Without the right to
 * start a child (RLIMIT_NPROC 0 as nobody), a first sandbox still goes in; over a filter in place,
 * nothing does. */
static int install_without_children(void *userdata) {
        const mf_sandbox *s = userdata;
        const struct rlimit none = {};
        bool over_filter = getenv("MF_TEST_OVER_FILTER");
        int r;

        if (setresgid(65534, 65534, 65534) < 0 || setresuid(65534, 65534, 65534) < 0)
                return 77;
        if (setrlimit(RLIMIT_NPROC, &none) < 0)
                return 40;
        if (fork() >= 0 || errno != EAGAIN)
                return 77;              /* the limit does not stop us here */
        if (over_filter && (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || allow_all() < 0))
                return 41;
        r = mf_sandbox_install(s, 0, NULL, NULL, NULL);
        if (!over_filter)
                return r == 0 && seccomp_filters() == 2 ? 0 : 42;
        return r == -ECANCELED && seccomp_filters() == 1 ? 0 : 43;
}

static void test_install_trial(void **state) {
        mf_sandbox *s = compile_installable();
        int r;

        if (geteuid() != 0)
                skip();
        r = run_in_child(install_without_children, s);
        if (r == 77) {
                mf_sandbox_free(s);
                skip();
        }
        assert_int_equal(r, 0);
        setenv("MF_TEST_OVER_FILTER", "1", 1);
        r = run_in_child(install_without_children, s);
        unsetenv("MF_TEST_OVER_FILTER");
        assert_int_equal(r, 0);
        mf_sandbox_free(s);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_version),
                cmocka_unit_test(test_directive_name),
                cmocka_unit_test(test_syscall_name),
                cmocka_unit_test(test_load),
                cmocka_unit_test(test_load_errors),
                cmocka_unit_test(test_load_unreadable),
                cmocka_unit_test(test_load_user),
                cmocka_unit_test(test_silent),
                cmocka_unit_test(test_set_property),
                cmocka_unit_test(test_property_names),
                cmocka_unit_test(test_set_syscall_filter),
                cmocka_unit_test(test_set_others),
                cmocka_unit_test(test_setters_match_text),
                cmocka_unit_test(test_compile_defaults),
                cmocka_unit_test(test_compile_layout_fallback),
                cmocka_unit_test(test_unknown_syscalls),
                cmocka_unit_test(test_compile_options),
                cmocka_unit_test(test_compile_too_big),
                cmocka_unit_test(test_compile_libseccomp_refuses),
                cmocka_unit_test(test_verify_mutated),
                cmocka_unit_test(test_install),
                cmocka_unit_test(test_install_refused),
                cmocka_unit_test(test_install_tsync),
                cmocka_unit_test(test_install_trial),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
