/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The directive model: each corner case of systemd's semantics, asserted on the model and on the
 * properties `show` prints for it. */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <sched.h>
#include <sys/personality.h>
#include <sys/socket.h>

#include "af-name.h"
#include "directives.h"
#include "errno-name.h"
#include "namespace-flags.h"
#include "syscall-table.h"
#include "unit-properties.h"

typedef struct Parsed {
        UnitFile *unit;
        Directives *d;
        Diag diag;
        char last[1024];
        int fatal;
} Parsed;

static void capture(void *userdata, int level, const SourceLoc *loc, const char *message) {
        Parsed *p = userdata;
        char prefix[256];

        if (level <= DIAG_WARNING)
                snprintf(p->last, sizeof p->last, "%s%s", source_loc_prefix(loc, prefix, sizeof prefix), message);
}

static Parsed *parse(const char *text) {
        Parsed *p = calloc(1, sizeof(Parsed));
        int r;

        assert_non_null(p);
        p->diag = (Diag) { .func = capture, .userdata = p };
        assert_int_equal(unit_file_new("test.service", &p->unit), 0);
        assert_int_equal(unit_file_parse_text(p->unit, "/test/test.service", text, strlen(text), &p->diag), 0);
        assert_int_equal(directives_new(&p->d), 0);
        r = directives_apply_unit(p->d, p->unit, &p->diag);
        assert_true(r == 0 || r == -ENOEXEC);
        p->fatal = r;
        return p;
}

static void parsed_free(Parsed *p) {
        directives_free(p->d);
        unit_file_free(p->unit);
        free(p);
}

static int32_t entry(const SyscallList *l, const char *name) {
        int id = syscall_from_name(name);

        assert_true(id >= 0);
        return l->action[id];
}

static void assert_property(const Parsed *p, const char *name, const char *expected) {
        _cleanup_free_ char *v = NULL;

        assert_int_equal(sandbox_property_format(p->d, name, &v), 0);
        assert_string_equal(v, expected);
}

static void test_allow_list_includes_default(void **state) {
        Parsed *p = parse("[Service]\nSystemCallFilter=read write\n");
        const SyscallList *l = &p->d->syscall_filter;

        assert_true(l->allow_list);
        assert_int_equal(entry(l, "read"), SYSCALL_DEFAULT);
        assert_int_equal(entry(l, "getpid"), SYSCALL_DEFAULT);         /* @default */
        assert_int_equal(entry(l, "execve"), SYSCALL_DEFAULT);
        assert_int_equal(entry(l, "mount"), SYSCALL_ABSENT);
        assert_int_equal(l->loc[syscall_from_name("read")].line, 2);
        assert_int_equal(p->diag.n_warnings, 0);
        parsed_free(p);
}

static void test_first_line_decides_polarity(void **state) {
        Parsed *p = parse("[Service]\n"
                          "SystemCallFilter=~ mount umount2\n"       /* "~" with a space after it */
                          "SystemCallFilter=reboot mount\n");        /* other polarity: removes */
        const SyscallList *l = &p->d->syscall_filter;

        assert_false(l->allow_list);
        assert_int_equal(entry(l, "mount"), SYSCALL_ABSENT);
        assert_int_equal(entry(l, "umount2"), SYSCALL_DEFAULT);
        assert_int_equal(entry(l, "reboot"), SYSCALL_ABSENT);
        assert_property(p, "SystemCallFilter", "~umount2");
        parsed_free(p);

        p = parse("[Service]\nSystemCallFilter=@system-service\nSystemCallFilter=~@privileged @resources\n");
        l = &p->d->syscall_filter;
        assert_true(l->allow_list);
        assert_int_equal(entry(l, "openat"), SYSCALL_DEFAULT);
        assert_int_equal(entry(l, "chown"), SYSCALL_ABSENT);            /* @privileged ⊃ @chown */
        assert_int_equal(entry(l, "setpriority"), SYSCALL_ABSENT);      /* @resources */
        assert_int_equal(entry(l, "sethostname"), SYSCALL_ABSENT);
        parsed_free(p);
}

static void test_errno_on_deny_entries(void **state) {
        Parsed *p = parse("[Service]\n"
                          "SystemCallFilter=~mount:EPERM umount2:13 reboot:kill swapon:0 @clock:ENOENT\n");
        const SyscallList *l = &p->d->syscall_filter;

        assert_int_equal(entry(l, "mount"), EPERM);
        assert_int_equal(entry(l, "umount2"), 13);
        assert_int_equal(entry(l, "reboot"), ERRNO_KILL);
        assert_int_equal(entry(l, "swapon"), 0);
        assert_int_equal(entry(l, "settimeofday"), ENOENT);
        assert_int_equal(p->diag.n_warnings, 0);
        assert_property(p, "SystemCallFilter",
                        "~adjtimex:ENOENT clock_adjtime64:ENOENT clock_adjtime:ENOENT clock_settime64:ENOENT "
                        "clock_settime:ENOENT mount:EPERM reboot:kill settimeofday:ENOENT swapon:0 umount2:EACCES");
        parsed_free(p);
}

static void test_bad_errno_entries(void **state) {
        static const struct {
                const char *line, *warning;
        } cases[] = {
                { "SystemCallFilter=~mount:EFOO", "/test/test.service:2: Failed to parse syscall:errno, ignoring: mount:EFOO" },
                { "SystemCallFilter=~mount:4096", "/test/test.service:2: Failed to parse syscall:errno, ignoring: mount:4096" },
                { "SystemCallFilter=~mount:0x", "/test/test.service:2: Failed to parse syscall:errno, ignoring: mount:0x" },
                { "SystemCallFilter=~mount:08", "/test/test.service:2: Failed to parse syscall:errno, ignoring: mount:08" },
                { "SystemCallFilter=~mount:Kill", "/test/test.service:2: Failed to parse syscall:errno, ignoring: mount:Kill" },
                { "SystemCallFilter=~MOUNT", "/test/test.service:2: Failed to parse system call, ignoring: MOUNT" },
                { "SystemCallFilter=~@Swap", "/test/test.service:2: Unknown system call group, ignoring: @Swap" },
                { "SystemCallErrorNumber=-0", "/test/test.service:2: Invalid error number, ignoring: -0" },
                { "SystemCallErrorNumber=-1", "/test/test.service:2: Failed to parse error number, ignoring: -1" },
                { "SystemCallErrorNumber=KILL", "/test/test.service:2: Failed to parse error number, ignoring: KILL" },
                { "SystemCallArchitectures=loongarch64", "/test/test.service:2: Failed to parse system call architecture \"loongarch64\", ignoring: Invalid argument" },
                { "SystemCallArchitectures=X86", "/test/test.service:2: Failed to parse system call architecture \"X86\", ignoring: Invalid argument" },
                { "RestrictAddressFamilies=AF_INET 'AF_UNIX", "/test/test.service:2: Invalid syntax, ignoring: AF_INET 'AF_UNIX" },
                { "RestrictNamespaces=NET", "/test/test.service:2: Failed to parse namespace type string, ignoring: NET" },
                { "RestrictNamespaces='net'", "/test/test.service:2: Failed to parse namespace type string, ignoring: 'net'" },
                { "Personality=X86", "/test/test.service:2: Failed to parse personality, ignoring: X86" },
                { "NoNewPrivileges=2", "/test/test.service:2: Failed to parse boolean value, ignoring: 2" },
                { "SystemCallFilter=~mount:", "/test/test.service:2: Failed to parse syscall:errno, ignoring: mount:" },
                { "SystemCallFilter=~:EPERM", "/test/test.service:2: Failed to parse syscall:errno, ignoring: :EPERM" },
                { "SystemCallFilter=read:EPERM", "/test/test.service:2: Allow-listed system calls cannot take error number, ignoring: read:EPERM" },
                { "SystemCallFilter=~nosuchcall", "/test/test.service:2: Failed to parse system call, ignoring: nosuchcall" },
                { "SystemCallFilter=~@nosuchgroup", "/test/test.service:2: Unknown system call group, ignoring: @nosuchgroup" },
                { "SystemCallErrorNumber=EFOO", "/test/test.service:2: Failed to parse error number, ignoring: EFOO" },
                { "SystemCallErrorNumber=0", "/test/test.service:2: Invalid error number, ignoring: 0" },
                { "SystemCallArchitectures=x86_64", "/test/test.service:2: Failed to parse system call architecture \"x86_64\", ignoring: Invalid argument" },
                { "RestrictAddressFamilies=AF_FOO", "/test/test.service:2: Failed to parse address family, ignoring: AF_FOO" },
                { "RestrictNamespaces=net foo", "/test/test.service:2: Failed to parse namespace type string, ignoring: net foo" },
                { "MemoryDenyWriteExecute=perhaps", "/test/test.service:2: Failed to parse boolean value, ignoring: perhaps" },
                { "Personality=arm64", "/test/test.service:2: Failed to parse personality, ignoring: arm64" },
                { "Type=sometimes", "/test/test.service:2: Failed to parse service type, ignoring: sometimes" },
                { "FooBar=1", "/test/test.service:2: Unknown key 'FooBar' in section [Service], ignoring." },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_free_ char *text = NULL;
                Parsed *p;

                assert_true(asprintf(&text, "[Service]\n%s\n", cases[i].line) > 0);
                p = parse(text);
                if (p->diag.n_warnings != 1 || !streq(p->last, cases[i].warning))
                        fail_msg("%s: %u warnings, last \"%s\", expected \"%s\"", cases[i].line,
                                 p->diag.n_warnings, p->last, cases[i].warning);
                parsed_free(p);
        }
}

/* Names and numbers as systemd 252 reads them; each line checked against the installed
 * systemd 252.39 (systemctl --user show, systemd-analyze verify). */
static void test_names_and_numbers_as_systemd(void **state) {
        static const struct {
                const char *line, *property, *shown;
        } cases[] = {
                /* errno names in any case (gperf --ignore-case) */
                { "SystemCallFilter=~@swap:eperm", "SystemCallFilter", "~swapoff:EPERM swapon:EPERM" },
                { "SystemCallErrorNumber=Eacces", "SystemCallErrorNumber", "13" },
                /* numbers as safe_atoi(): 0b, 0o, then strtol() base 0 */
                { "SystemCallFilter=~@swap:0x1", "SystemCallFilter", "~swapoff:EPERM swapon:EPERM" },
                { "SystemCallFilter=~@swap:010", "SystemCallFilter", "~swapoff:ENOEXEC swapon:ENOEXEC" },
                { "SystemCallFilter=~@swap:+5", "SystemCallFilter", "~swapoff:EIO swapon:EIO" },
                { "SystemCallFilter=~@swap:-0", "SystemCallFilter", "~swapoff:0 swapon:0" },
                { "SystemCallFilter=~swapon:0b11 swapoff:0o17", "SystemCallFilter", "~swapoff:ENOTBLK swapon:ESRCH" },
                { "SystemCallErrorNumber=0X1", "SystemCallErrorNumber", "1" },
                { "SystemCallErrorNumber=0xfff", "SystemCallErrorNumber", "4095" },
                /* family names in any case */
                { "RestrictAddressFamilies=af_inet Af_packet", "RestrictAddressFamilies", "AF_INET AF_PACKET" },
                /* a syntax error keeps the words before it */
                { "RestrictAddressFamilies=AF_INET 'AF_UNIX", "RestrictAddressFamilies", "AF_INET" },
                { "SystemCallArchitectures=x86 'x32", "SystemCallArchitectures", "x86" },
                /* namespace words: a backslash escapes, quotes are plain characters */
                { "RestrictNamespaces=n\\et ipc", "RestrictNamespaces", "ipc net" },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_free_ char *text = NULL, *v = NULL;
                Parsed *p;

                assert_true(asprintf(&text, "[Service]\n%s\n", cases[i].line) > 0);
                p = parse(text);
                assert_int_equal(sandbox_property_format(p->d, cases[i].property, &v), 0);
                if (!streq(v, cases[i].shown))
                        fail_msg("%s: %s=%s, expected %s", cases[i].line, cases[i].property, v, cases[i].shown);
                parsed_free(p);
        }
}

/* Parsed, but refused by libseccomp when systemd 252 builds the filter (228): errno 4095, and
 * allow-list entries with the default action. Checked under the installed systemd 252.39. */
static void test_libseccomp_refuses(void **state) {
        static const struct {
                const char *text;
                int r;
                const char *error;
        } cases[] = {
                { "SystemCallFilter=~@swap:4095\n", -EINVAL,
                  "/test/test.service:2: SystemCallFilter=~swapoff:4095: libseccomp refuses errno 4095 (it takes 0…4094); "
                  "systemd 252 fails the service with status 228/SECCOMP." },
                { "SystemCallErrorNumber=4095\nSystemCallFilter=~@swap\n", -EINVAL,
                  "/test/test.service:2: SystemCallErrorNumber=4095: libseccomp refuses errno 4095 for swapoff() of the "
                  "SystemCallFilter= deny-list (it takes 0…4094); systemd 252 fails the service with status 228/SECCOMP." },
                { "SystemCallFilter=@basic-io\nSystemCallErrorNumber=4095\n", -EINVAL,
                  "/test/test.service:3: SystemCallErrorNumber=4095: libseccomp refuses errno 4095 as the default action of "
                  "the SystemCallFilter= allow-list (it takes 0…4094); systemd 252 fails the service with status 228/SECCOMP." },
                { "SystemCallFilter=@basic-io\nSystemCallFilter=~swapon:kill\n", -EACCES,
                  "/test/test.service:3: SystemCallFilter=~swapon:kill in an allow-list whose default action is kill "
                  "(SystemCallErrorNumber= unset): libseccomp refuses a rule with the filter's default action; systemd 252 "
                  "fails the service with status 228/SECCOMP." },
                { "SystemCallFilter=@basic-io\nSystemCallFilter=~@swap:EPERM\nSystemCallErrorNumber=1\n", -EACCES,
                  "/test/test.service:3: SystemCallFilter=~swapoff:EPERM in an allow-list whose default action is EPERM: "
                  "libseccomp refuses a rule with the filter's default action; systemd 252 fails the service with status 228/SECCOMP." },
                /* not refused */
                { "SystemCallFilter=~@swap:4094\n", 0, NULL },
                { "SystemCallErrorNumber=4095\n", 0, NULL },
                { "SystemCallErrorNumber=4095\nSystemCallFilter=~swapon:EPERM\n", 0, NULL },
                { "SystemCallFilter=~@swap:4095\nSystemCallFilter=\n", 0, NULL },
                { "SystemCallFilter=@basic-io\nSystemCallFilter=~swapon:EPERM\n", 0, NULL },
                { "SystemCallFilter=@basic-io\nSystemCallFilter=~swapon:kill\nSystemCallErrorNumber=EPERM\n", 0, NULL },
                { "SystemCallFilter=~swapon:kill\n", 0, NULL },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_free_ char *text = NULL;
                Parsed *p;
                int r;

                assert_true(asprintf(&text, "[Service]\n%s", cases[i].text) > 0);
                p = parse(text);
                assert_int_equal(p->diag.n_warnings, 0);
                p->last[0] = 0;
                r = directives_check_libseccomp(p->d, &p->diag);
                if (r != cases[i].r || (cases[i].error && !streq(p->last, cases[i].error)))
                        fail_msg("%s: %d \"%s\", expected %d \"%s\"", cases[i].text, r, p->last, cases[i].r, strempty(cases[i].error));
                parsed_free(p);
        }
}

static void test_allow_list_errno_entry_is_kept(void **state) {
        /* systemd 252: "~name:errno" in an allow-list keeps name with that errno, and show does not list it. */
        Parsed *p = parse("[Service]\nSystemCallFilter=read\nSystemCallFilter=~mount:EPERM read\n");
        const SyscallList *l = &p->d->syscall_filter;

        assert_int_equal(entry(l, "mount"), EPERM);
        assert_int_equal(entry(l, "read"), SYSCALL_ABSENT);
        parsed_free(p);
}

static void test_empty_assignment_resets(void **state) {
        Parsed *p = parse("[Service]\nSystemCallFilter=read\nSystemCallFilter=\nSystemCallFilter=~mount\n");
        const SyscallList *l = &p->d->syscall_filter;

        assert_false(l->allow_list);
        assert_int_equal(entry(l, "read"), SYSCALL_ABSENT);
        assert_int_equal(entry(l, "mount"), SYSCALL_DEFAULT);
        parsed_free(p);

        p = parse("[Service]\nSystemCallFilter=~mount\nSystemCallFilter=mount\n");
        assert_false(syscall_list_active(&p->d->syscall_filter));
        assert_property(p, "SystemCallFilter", "~");
        parsed_free(p);
}

static void test_syscall_errno_number(void **state) {
        Parsed *p = parse("[Service]\n");

        assert_int_equal(p->d->syscall_errno, ERRNO_KILL);
        assert_property(p, "SystemCallErrorNumber", "2147483646");
        parsed_free(p);

        p = parse("[Service]\nSystemCallErrorNumber=EPERM\n");
        assert_property(p, "SystemCallErrorNumber", "1");
        parsed_free(p);

        p = parse("[Service]\nSystemCallErrorNumber=4095\nSystemCallErrorNumber=kill\n");
        assert_int_equal(p->d->syscall_errno, ERRNO_KILL);
        parsed_free(p);
}

static void test_syscall_log(void **state) {
        Parsed *p = parse("[Service]\nSystemCallLog=~@clock\n");

        assert_false(p->d->syscall_log.allow_list);
        assert_property(p, "SystemCallLog",
                        "~adjtimex clock_adjtime clock_adjtime64 clock_settime clock_settime64 settimeofday");
        parsed_free(p);

        p = parse("[Service]\nSystemCallLog=mount:EPERM\n");
        assert_int_equal(p->diag.n_warnings, 1);   /* no errno in SystemCallLog=: not a syscall name */
        parsed_free(p);
}

static void test_archs(void **state) {
        Parsed *p = parse("[Service]\nSystemCallArchitectures=x86 native x86-64\n");

        assert_true(p->d->syscall_archs_native);
        assert_true(p->d->syscall_archs & ABI_BIT(ABI_X86));
        assert_true(p->d->syscall_archs & ABI_BIT(ABI_X86_64));
        assert_false(p->d->syscall_archs & ABI_BIT(ABI_X32));
        assert_property(p, "SystemCallArchitectures", "native x86 x86-64");
        parsed_free(p);

        p = parse("[Service]\nSystemCallArchitectures=native\nSystemCallArchitectures=\n");
        assert_property(p, "SystemCallArchitectures", "");
        parsed_free(p);
}

static void test_address_families(void **state) {
        Parsed *p = parse("[Service]\nRestrictAddressFamilies=AF_LOCAL AF_INET6 AF_INET\n");

        assert_true(p->d->address_families.allow_list);
        assert_true(p->d->address_families.family[AF_UNIX]);
        assert_property(p, "RestrictAddressFamilies", "AF_INET AF_INET6 AF_UNIX");
        parsed_free(p);

        p = parse("[Service]\nRestrictAddressFamilies=none\n");
        assert_true(p->d->address_families_set);
        assert_property(p, "RestrictAddressFamilies", "");
        parsed_free(p);

        p = parse("[Service]\nRestrictAddressFamilies=~AF_PACKET AF_NETLINK\nRestrictAddressFamilies=AF_NETLINK\n");
        assert_false(p->d->address_families.allow_list);
        assert_property(p, "RestrictAddressFamilies", "~AF_PACKET");
        parsed_free(p);

        p = parse("[Service]\n");
        assert_false(p->d->address_families_set);
        assert_property(p, "RestrictAddressFamilies", "~");
        parsed_free(p);

        /* An allow-list emptied by the other polarity still restricts everything. */
        p = parse("[Service]\nRestrictAddressFamilies=AF_INET\nRestrictAddressFamilies=~AF_INET\n");
        assert_true(p->d->address_families_set);
        assert_property(p, "RestrictAddressFamilies", "");
        parsed_free(p);
}

static void test_namespaces(void **state) {
        static const struct {
                const char *text, *shown;
        } cases[] = {
                { "", "no" },
                { "RestrictNamespaces=yes\n", "yes" },
                { "RestrictNamespaces=no\n", "no" },
                { "RestrictNamespaces=cgroup ipc\n", "cgroup ipc" },
                { "RestrictNamespaces=~user net\n", "cgroup ipc mnt pid uts" },
                { "RestrictNamespaces=~cgroup ipc net mnt pid user uts\n", "yes" },
                { "RestrictNamespaces=ipc\nRestrictNamespaces=net\n", "ipc net" },
                { "RestrictNamespaces=ipc net\nRestrictNamespaces=~net\n", "ipc" },
                { "RestrictNamespaces=yes\nRestrictNamespaces=\n", "no" },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_free_ char *text = NULL;
                Parsed *p;

                assert_true(asprintf(&text, "[Service]\n%s", cases[i].text) > 0);
                p = parse(text);
                assert_int_equal(p->diag.n_warnings, 0);
                assert_property(p, "RestrictNamespaces", cases[i].shown);
                parsed_free(p);
        }
}

static void test_booleans_last_wins(void **state) {
        Parsed *p = parse("[Service]\nMemoryDenyWriteExecute=yes\nMemoryDenyWriteExecute=off\n"
                          "LockPersonality=1\nRestrictRealtime=TRUE\nRestrictSUIDSGID=on\n"
                          "ProtectKernelModules=y\nProtectClock=t\nNoNewPrivileges=no\nNoNewPrivileges=yes\n");

        assert_false(p->d->memory_deny_write_execute.value);
        assert_true(p->d->lock_personality.value);
        assert_true(p->d->restrict_realtime.value);
        assert_true(p->d->restrict_suid_sgid.value);
        assert_true(p->d->protect_kernel_modules.value);
        assert_true(p->d->protect_clock.value);
        assert_true(p->d->no_new_privileges.value);
        assert_int_equal(p->d->no_new_privileges.loc.line, 10);
        assert_property(p, "MemoryDenyWriteExecute", "no");
        assert_property(p, "LockPersonality", "yes");
        parsed_free(p);
}

static void test_exec_settings(void **state) {
        Parsed *p = parse("[Service]\nType=oneshot\nUser=nobody\nGroup=nogroup\n"
                          "Environment=A=1 \"B=two words\"\nEnvironment=A=3\n"
                          "WorkingDirectory=-/srv/%N\nPersonality=x86\n"
                          "ExecStart=/bin/echo %n\nExecStart=-/bin/true\n");

        assert_int_equal(p->d->type, SERVICE_ONESHOT);
        assert_string_equal(p->d->user, "nobody");
        assert_string_equal(p->d->group, "nogroup");
        assert_string_equal(p->d->environment[0], "A=3");
        assert_string_equal(p->d->environment[1], "B=two words");
        assert_null(p->d->environment[2]);
        assert_string_equal(p->d->working_directory, "/srv/test");
        assert_true(p->d->working_directory_missing_ok);
        assert_int_equal(p->d->personality, PER_LINUX32);
        assert_property(p, "Personality", "x86");
        assert_int_equal(p->d->n_exec_start, 2);
        assert_string_equal(p->d->exec_start[0].argv[1], "test.service");
        assert_true(p->d->exec_start[1].flags & EXEC_COMMAND_IGNORE_FAILURE);
        parsed_free(p);

        /* Personality=: systemd's architecture names, the host's and its secondary one. */
        if (abi_native() == ABI_X86_64) {
                assert_int_equal(personality_from_string("x86-64"), PER_LINUX);
                assert_int_equal(personality_from_string("x86"), PER_LINUX32);
                assert_string_equal(personality_to_string(PER_LINUX), "x86-64");
                assert_string_equal(personality_to_string(PER_LINUX32), "x86");
                assert_int_equal(personality_from_string("x86_64"), PERSONALITY_INVALID);
                assert_int_equal(personality_from_string("x32"), PERSONALITY_INVALID);
                assert_int_equal(personality_from_string("i386"), PERSONALITY_INVALID);
                assert_int_equal(personality_from_string("X86"), PERSONALITY_INVALID);
                assert_int_equal(personality_from_string("arm64"), PERSONALITY_INVALID);
        }
        assert_int_equal(personality_from_string(NULL), PERSONALITY_INVALID);

        p = parse("[Service]\nUser=-bad\n");
        assert_int_equal(p->fatal, -ENOEXEC);
        parsed_free(p);

        p = parse("[Service]\nWorkingDirectory=relative/dir\n");
        assert_int_equal(p->fatal, -ENOEXEC);
        parsed_free(p);
}

static void test_uninterpreted_keys_are_silent(void **state) {
        Parsed *p = parse("[Unit]\nDescription=x\nAfter=network.target\n"
                          "[Service]\nRestart=always\nProtectSystem=strict\nX-Custom=1\n"
                          "[Install]\nWantedBy=multi-user.target\n");

        assert_int_equal(p->diag.n_warnings, 0);
        parsed_free(p);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_allow_list_includes_default),
                cmocka_unit_test(test_first_line_decides_polarity),
                cmocka_unit_test(test_errno_on_deny_entries),
                cmocka_unit_test(test_bad_errno_entries),
                cmocka_unit_test(test_names_and_numbers_as_systemd),
                cmocka_unit_test(test_libseccomp_refuses),
                cmocka_unit_test(test_allow_list_errno_entry_is_kept),
                cmocka_unit_test(test_empty_assignment_resets),
                cmocka_unit_test(test_syscall_errno_number),
                cmocka_unit_test(test_syscall_log),
                cmocka_unit_test(test_archs),
                cmocka_unit_test(test_address_families),
                cmocka_unit_test(test_namespaces),
                cmocka_unit_test(test_booleans_last_wins),
                cmocka_unit_test(test_exec_settings),
                cmocka_unit_test(test_uninterpreted_keys_are_silent),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
