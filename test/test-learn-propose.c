/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The pure stages of megafilter learn: the learning and checking filters (learn-filter.c), what
 * an observation records of a call (learn-observation.c), the proposal (learn-propose.c) and its
 * OCI form (learn-oci.c), and systemd 252's groups against the installed systemd-analyze. A
 * proposal is judged by what it does: its drop-in is parsed and compiled, and its policy must
 * allow every call the observation needed and refuse the behaviours it did not show. */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <fcntl.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include <sys/socket.h>

#include "bpf-emu.h"
#include "learn-filter.h"
#include "learn-propose.h"
#include "syscall-set-systemd252.h"
#include "syscall-table.h"
#include "unit-text.h"
#include "verify.h"

#define X86_64 ABI_X86_64

static uint32_t nr_of(Abi abi, const char *name) {
        int id = syscall_from_name(name);
        int64_t nr;

        assert_true(id >= 0);
        nr = syscall_nr(abi, id);
        assert_true(nr >= 0);
        return (uint32_t) nr;
}

/* ---- the filters ---- */

static uint32_t run_filter(const BpfProgram *p, Abi abi, const char *name, uint64_t a0, uint64_t a1, uint64_t a2) {
        BpfFilterRef f = { p->insns, p->n };
        struct seccomp_data sd = {
                .nr = (int) nr_of(abi, name),
                .arch = abi_info[abi].audit_arch,
                .args = { a0, a1, a2 },
        };

        return bpf_chain_run(&f, 1, &sd, NULL);
}

static void filter_of(const char *text, LearnFilterKind kind, Policy **ret_policy, BpfProgram **ret_progs, size_t *ret_n) {
        _cleanup_(directives_freep) Directives *d = test_directives_from_text("filter.service", text, NULL);
        PolicyOptions po = { .native = X86_64, .personality = PER_LINUX };
        VerifyStats stats = {};

        assert_int_equal(policy_build(d, &po, NULL, ret_policy), 0);
        assert_int_equal(learn_filter_generate(*ret_policy, kind, ret_progs, ret_n), 0);
        assert_int_equal(*ret_n, 1);
        /* The program does what its (transformed) policy says, and what that allows outright is
         * served by the kernel's cache. */
        assert_int_equal(verify_programs(*ret_policy, *ret_progs, *ret_n, NULL, &stats), 0);
}

static void test_record_filter(void **state) {
        _cleanup_(policy_freep) Policy *p = NULL;
        BpfProgram *progs = NULL;
        size_t n = 0;

        filter_of("SystemCallFilter=~getppid\nSystemCallArchitectures=native", LEARN_FILTER_RECORD, &p, &progs, &n);
        /* @default, its arguments of no interest: answered by the filter (and cached). */
        assert_int_equal(run_filter(&progs[0], X86_64, "getpid", 0, 0, 0), SECCOMP_RET_ALLOW);
        assert_int_equal(run_filter(&progs[0], X86_64, "futex", 0, 0, 0), SECCOMP_RET_ALLOW);
        /* mmap() and mprotect() go to the supervisor only with PROT_EXEC. */
        assert_int_equal(run_filter(&progs[0], X86_64, "mmap", 0, 4096, PROT_READ | PROT_WRITE), SECCOMP_RET_ALLOW);
        assert_int_equal(run_filter(&progs[0], X86_64, "mmap", 0, 4096, PROT_READ | PROT_EXEC), SECCOMP_RET_USER_NOTIF);
        assert_int_equal(run_filter(&progs[0], X86_64, "mprotect", 0, 4096, PROT_EXEC), SECCOMP_RET_USER_NOTIF);
        /* Everything else is seen, what the unit refuses included; execve() names the program. */
        assert_int_equal(run_filter(&progs[0], X86_64, "openat", 0, 0, 0), SECCOMP_RET_USER_NOTIF);
        assert_int_equal(run_filter(&progs[0], X86_64, "getppid", 0, 0, 0), SECCOMP_RET_USER_NOTIF);
        assert_int_equal(run_filter(&progs[0], X86_64, "execve", 0, 0, 0), SECCOMP_RET_USER_NOTIF);
        /* The kill of a blocked ABI stays in the filter: no supervisor can kill one thread. */
        assert_int_equal(run_filter(&progs[0], ABI_X86, "getpid", 0, 0, 0), SECCOMP_RET_KILL_THREAD);
        bpf_programs_free(progs, n);
        p = policy_free(p);

        /* Another ABI's calls are seen, @default's too: that ABI was used. */
        filter_of("", LEARN_FILTER_RECORD, &p, &progs, &n);
        assert_int_equal(run_filter(&progs[0], X86_64, "getpid", 0, 0, 0), SECCOMP_RET_ALLOW);
        assert_int_equal(run_filter(&progs[0], ABI_X86, "getpid", 0, 0, 0), SECCOMP_RET_USER_NOTIF);
        bpf_programs_free(progs, n);
}

static void test_check_filter(void **state) {
        _cleanup_(policy_freep) Policy *p = NULL;
        BpfProgram *progs = NULL;
        size_t n = 0;

        filter_of("SystemCallFilter=@basic-io\nRestrictAddressFamilies=AF_UNIX", LEARN_FILTER_CHECK, &p, &progs, &n);
        /* What the proposal allows runs at full speed; what it refuses, the supervisor answers. */
        assert_int_equal(run_filter(&progs[0], X86_64, "read", 0, 0, 0), SECCOMP_RET_ALLOW);
        assert_int_equal(run_filter(&progs[0], X86_64, "getpid", 0, 0, 0), SECCOMP_RET_ALLOW);
        assert_int_equal(run_filter(&progs[0], X86_64, "openat", 0, 0, 0), SECCOMP_RET_USER_NOTIF);
        assert_int_equal(run_filter(&progs[0], X86_64, "execve", 0, 0, 0), SECCOMP_RET_USER_NOTIF);
        bpf_programs_free(progs, n);
        p = policy_free(p);

        filter_of("RestrictAddressFamilies=AF_UNIX", LEARN_FILTER_CHECK, &p, &progs, &n);
        assert_int_equal(run_filter(&progs[0], X86_64, "socket", AF_UNIX, 0, 0), SECCOMP_RET_ALLOW);
        assert_int_equal(run_filter(&progs[0], X86_64, "socket", AF_INET, 0, 0), SECCOMP_RET_USER_NOTIF);
        bpf_programs_free(progs, n);
}

/* ---- observations and proposals ---- */

static void add(Observation *o, Abi abi, const char *name, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3) {
        LearnCall c = {
                .abi = abi,
                .nr = nr_of(abi, name),
                .args = { a0, a1, a2, a3 },
                .action = SECCOMP_RET_ALLOW,
                .needed = true,
                .reference_action = SECCOMP_RET_ALLOW,
                .mem_family = -1,
        };

        assert_int_equal(observation_add(o, &c), 0);
}

static void add_names(Observation *o, const char *names) {
        _cleanup_free_ char *copy = strdup(names);
        char *save = NULL;

        assert_non_null(copy);
        for (char *w = strtok_r(copy, " ", &save); w; w = strtok_r(NULL, " ", &save))
                add(o, X86_64, w, 0, 0, 0, 0);
}

static Observation *observation_of(const char *names) {
        Observation *o = NULL;

        assert_int_equal(observation_new(X86_64, &o), 0);
        o->run.exit_status = 0;
        add_names(o, "execve read write close exit_group");
        if (names)
                add_names(o, names);
        return o;
}

static char *propose(const Observation *o, const char *unit_text, Proposal **ret) {
        _cleanup_(directives_freep) Directives *d = test_directives_from_text("t.service", unit_text ?: "", NULL);
        ProposeOptions opts = { .unit_name = "t.service", .command = "/bin/test", .persona = PER_LINUX };
        char *text;

        assert_int_equal(learn_propose(o, d, &opts, ret), 0);
        text = proposal_to_dropin(*ret);
        assert_non_null(text);
        if (getenv("TEST_LEARN_SHOW"))
                fputs(text, stderr);
        return text;
}

/* Whether the text has this line. */
static bool has_line(const char *text, const char *line) {
        size_t n = strlen(line);

        for (const char *p = text; (p = strstr(p, line)); p += n)
                if ((p == text || p[-1] == '\n') && (p[n] == '\n' || p[n] == 0))
                        return true;
        return false;
}

/* The policy of the unit with the drop-in (its [Service] lines), as megafilter would build it. */
static Policy *policy_with(const char *unit_text, const char *dropin) {
        _cleanup_free_ char *text = NULL;
        const char *body = strstr(dropin, "[Service]\n");
        _cleanup_(directives_freep) Directives *d = NULL;
        PolicyOptions po = { .native = X86_64, .personality = PER_LINUX };
        Policy *p = NULL;

        assert_non_null(body);
        assert_true(asprintf(&text, "%s\n%s", unit_text ?: "", body + strlen("[Service]\n")) > 0);

        d = test_directives_from_text("t.service", text, NULL);    /* fails on any warning */
        assert_int_equal(policy_build(d, &po, NULL, &p), 0);
        return p;
}

static uint32_t verdict(const Policy *p, const char *name, uint64_t a0, uint64_t a1, uint64_t a2) {
        struct seccomp_data sd = {
                .nr = (int) nr_of(X86_64, name),
                .arch = abi_info[X86_64].audit_arch,
                .args = { a0, a1, a2 },
        };

        return policy_evaluate(p, &sd);
}

static void test_names_only(void **state) {
        _cleanup_(observation_freep) Observation *o = observation_of("openat newfstatat getdents64 rt_sigaction");
        _cleanup_(proposal_freep) Proposal *p = NULL;
        _cleanup_free_ char *text = propose(o, NULL, &p);
        _cleanup_(policy_freep) Policy *policy = policy_with(NULL, text);

        assert_true(has_line(text, "SystemCallFilter="));
        assert_true(has_line(text, "SystemCallFilter=close read write"));
        assert_true(has_line(text, "SystemCallFilter=getdents64 newfstatat openat"));
        assert_true(has_line(text, "SystemCallFilter=rt_sigaction"));
        assert_true(has_line(text, "SystemCallErrorNumber=EPERM"));
        assert_true(has_line(text, "SystemCallArchitectures=native"));
        assert_true(has_line(text, "RestrictAddressFamilies=none"));
        assert_true(has_line(text, "RestrictNamespaces=yes"));
        for (const char *const *b = (const char *const[]) { "MemoryDenyWriteExecute", "LockPersonality",
                                                           "RestrictRealtime", "RestrictSUIDSGID", "ProtectClock",
                                                           "ProtectKernelModules", "ProtectKernelLogs",
                                                           "ProtectKernelTunables", "ProtectHostname",
                                                           "PrivateDevices", NULL }; *b; b++) {
                char line[64];

                snprintf(line, sizeof line, "%s=yes", *b);
                assert_true(has_line(text, line));
        }
        /* Every line has its comment just above it. */
        for (const char *l = strstr(text, "[Service]\n") + 10, *prev = "#"; *l; ) {
                const char *end = strchr(l, '\n');

                if (*l != '#')
                        assert_int_equal(*prev, '#');
                prev = l;
                l = end ? end + 1 : l + strlen(l);
        }

        /* What it does: the calls seen pass, with @default; the others are refused. */
        assert_int_equal(verdict(policy, "openat", AT_FDCWD, 0, O_RDONLY), SECCOMP_RET_ALLOW);
        assert_int_equal(verdict(policy, "getpid", 0, 0, 0), SECCOMP_RET_ALLOW);
        assert_int_equal(verdict(policy, "mkdir", 0, 0, 0), SECCOMP_RET_ERRNO | EPERM);
        assert_int_equal(verdict(policy, "socket", AF_UNIX, 0, 0), SECCOMP_RET_ERRNO | EPERM);
        assert_int_equal(verdict(policy, "lseek", 0, 0, 0), SECCOMP_RET_ERRNO | EPERM);
        /* … and the OCI section names the same calls. */
        assert_true(p->allow[syscall_from_name("openat")] && p->allow[syscall_from_name("getpid")]);
        assert_false(p->allow[syscall_from_name("mkdir")]);
}

static int add_member(const char *name, void *userdata) {
        int id = syscall_from_name(name);

        if (id >= 0 && syscall_nr(X86_64, id) >= 0)
                add((Observation *) userdata, X86_64, name, 0, 0, 0, 0);
        return 0;
}

static void test_groups(void **state) {
        _cleanup_(observation_freep) Observation *o = observation_of(NULL);
        _cleanup_(proposal_freep) Proposal *p = NULL;
        _cleanup_free_ char *text = NULL;
        _cleanup_(policy_freep) Policy *policy = NULL;

        /* Every call of @signal, and @privileged's own calls (not those of the groups it nests). */
        assert_int_equal(syscall_set_foreach_systemd252(SYSCALL_SET_SIGNAL, add_member, o), 0);
        add_names(o, "_sysctl acct bpf capset chroot fanotify_init fanotify_mark nfsservctl open_by_handle_at "
                     "pivot_root quotactl quotactl_fd setdomainname setfsuid setgroups sethostname setresuid "
                     "setreuid setuid vhangup");
        text = propose(o, NULL, &p);
        assert_true(has_line(text, "SystemCallFilter=@signal"));
        /* @privileged lets in what the run never touched, which the untouched groups take back. */
        assert_true(has_line(text, "SystemCallFilter=@privileged"));
        for (const char *const *g = (const char *const[]) { "@chown", "@clock", "@module", "@raw-io", "@reboot",
                                                           "@swap", NULL }; *g; g++) {
                char line[64];

                snprintf(line, sizeof line, "SystemCallFilter=~%s", *g);
                assert_true(has_line(text, line));
        }
        assert_false(has_line(text, "SystemCallFilter=~@setuid"));     /* touched: setuid */
        policy = policy_with(NULL, text);
        assert_int_equal(verdict(policy, "setuid", 0, 0, 0), SECCOMP_RET_ALLOW);
        assert_int_equal(verdict(policy, "rt_sigqueueinfo", 0, 0, 0), SECCOMP_RET_ERRNO | EPERM);
        assert_int_equal(verdict(policy, "reboot", 0, 0, 0), SECCOMP_RET_ERRNO | EPERM);
        assert_int_equal(verdict(policy, "clock_settime", 0, 0, 0), SECCOMP_RET_ERRNO | EPERM);
        assert_int_equal(verdict(policy, "chown", 0, 0, 0), SECCOMP_RET_ERRNO | EPERM);
        /* A group with calls the run never made says which. */
        assert_non_null(strstr(text, "@privileged: the run used"));
}

static void test_facts(void **state) {
        _cleanup_(observation_freep) Observation *o = observation_of("openat2");
        _cleanup_(proposal_freep) Proposal *p = NULL;
        _cleanup_free_ char *text = NULL;
        _cleanup_(policy_freep) Policy *policy = NULL;
        LearnCall c3 = {
                .abi = X86_64, .nr = nr_of(X86_64, "clone3"), .action = SECCOMP_RET_ALLOW, .needed = true,
                .have_flags = true, .mem_flags = CLONE_THREAD | CLONE_VM, .mem_family = -1,
        };

        add(o, X86_64, "socket", AF_INET6, SOCK_STREAM, 0, 0);
        add(o, X86_64, "socket", AF_UNIX, SOCK_STREAM, 0, 0);
        add(o, X86_64, "unshare", CLONE_NEWNET, 0, 0, 0);
        add(o, X86_64, "mmap", 0, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, 0);
        add(o, X86_64, "personality", PER_LINUX32, 0, 0, 0);
        add(o, X86_64, "sched_setscheduler", 0, SCHED_FIFO, 0, 0);
        add(o, X86_64, "chmod", 0, 04755, 0, 0);
        assert_int_equal(observation_add(o, &c3), 0);
        text = propose(o, NULL, &p);

        assert_true(has_line(text, "RestrictAddressFamilies=AF_UNIX AF_INET6"));
        assert_true(has_line(text, "RestrictNamespaces=net"));
        assert_false(has_line(text, "MemoryDenyWriteExecute=yes"));
        assert_non_null(strstr(text, "MemoryDenyWriteExecute=yes is not proposed: the run mapped memory with PROT_WRITE|PROT_EXEC"));
        assert_false(has_line(text, "LockPersonality=yes"));
        assert_non_null(strstr(text, "LockPersonality=yes is not proposed: the run called personality(0x8)"));
        assert_false(has_line(text, "RestrictRealtime=yes"));
        assert_false(has_line(text, "RestrictSUIDSGID=yes"));
        /* clone3() gets ENOSYS under RestrictNamespaces=: the C library's fallback is listed. */
        assert_non_null(strstr(text, "clone is listed although the run used clone3"));
        assert_int_equal(o->facts.threads, 1);

        policy = policy_with(NULL, text);
        assert_int_equal(verdict(policy, "socket", AF_INET6, 0, 0), SECCOMP_RET_ALLOW);
        assert_int_equal(verdict(policy, "socket", AF_INET, 0, 0), SECCOMP_RET_ERRNO | EAFNOSUPPORT);
        assert_int_equal(verdict(policy, "unshare", CLONE_NEWNET, 0, 0), SECCOMP_RET_ALLOW);
        assert_int_equal(verdict(policy, "unshare", CLONE_NEWUSER, 0, 0), SECCOMP_RET_ERRNO | EPERM);
        assert_int_equal(verdict(policy, "clone3", 0, 0, 0), SECCOMP_RET_ERRNO | ENOSYS);
        assert_int_equal(verdict(policy, "clone", CLONE_VM | CLONE_THREAD, 0, 0), SECCOMP_RET_ALLOW);
        /* RestrictSUIDSGID= is not set, so openat2() is left to the list, which has it. */
        assert_int_equal(verdict(policy, "openat2", 0, 0, 0), SECCOMP_RET_ALLOW);
}

static void test_abis_errno_paths(void **state) {
        _cleanup_(observation_freep) Observation *o = observation_of("openat");
        _cleanup_(proposal_freep) Proposal *p = NULL;
        _cleanup_free_ char *text = NULL;
        LearnCall dev = {
                .abi = X86_64, .nr = nr_of(X86_64, "openat"), .args = { AT_FDCWD, 0, O_RDONLY },
                .action = SECCOMP_RET_ALLOW, .needed = true, .path = "/dev/kmsg", .mem_family = -1,
        };
        LearnCall sys = dev, unnamed = dev;

        sys.path = "/proc/sys/kernel/hostname";
        sys.args[2] = O_WRONLY;
        unnamed.nr = 1000;
        unnamed.path = NULL;
        assert_int_equal(observation_add(o, &dev), 0);
        assert_int_equal(observation_add(o, &sys), 0);
        assert_int_equal(observation_add(o, &unnamed), 0);
        add(o, ABI_X86, "socketcall", 1, 0, 0, 0);
        text = propose(o, "SystemCallErrorNumber=EACCES", &p);

        assert_false(has_line(text, "SystemCallArchitectures=native"));
        assert_non_null(strstr(text, "SystemCallArchitectures=native is not proposed: the run made calls of the x86 ABI"));
        assert_true(has_line(text, "SystemCallFilter=socketcall"));
        assert_false(has_line(text, "SystemCallErrorNumber=EPERM"));   /* the unit's stays */
        assert_false(has_line(text, "ProtectKernelLogs=yes"));
        assert_false(has_line(text, "PrivateDevices=yes"));
        assert_false(has_line(text, "ProtectKernelTunables=yes"));
        assert_non_null(strstr(text, "ProtectKernelTunables=yes is not proposed: the run used /proc/sys/kernel/hostname"));
        assert_true(has_line(text, "ProtectClock=yes"));
        assert_non_null(strstr(text, "The run called number 1000 on x86-64 (1 time), which no syscall table names"));
}

static void test_kept_answers(void **state) {
        _cleanup_(observation_freep) Observation *o = observation_of("clone");
        _cleanup_(proposal_freep) Proposal *p = NULL;
        _cleanup_free_ char *text = NULL;
        _cleanup_(policy_freep) Policy *policy = NULL;
        LearnCall c3 = {
                .abi = X86_64, .nr = nr_of(X86_64, "clone3"), .action = SECCOMP_RET_ERRNO | ENOSYS,
                .layer = LAYER_RESTRICT_NAMESPACES, .reference_action = SECCOMP_RET_ERRNO | ENOSYS, .mem_family = -1,
        };

        /* The unit's RestrictNamespaces= answered clone3() with ENOSYS during the run: the list must
         * let it through to the proposal's RestrictNamespaces=, or it would say EPERM. */
        assert_int_equal(observation_add(o, &c3), 0);
        text = propose(o, "RestrictNamespaces=yes", &p);
        assert_non_null(strstr(text, "Listed although the unit's sandbox refused them during the run: clone3."));
        policy = policy_with("RestrictNamespaces=yes", text);
        assert_int_equal(verdict(policy, "clone3", 0, 0, 0), SECCOMP_RET_ERRNO | ENOSYS);
        assert_non_null(strstr(text, "clone3 on x86-64: ENOSYS by RestrictNamespaces="));
}

static void test_oci(void **state) {
        _cleanup_(observation_freep) Observation *o = observation_of("socket openat");
        _cleanup_(proposal_freep) Proposal *p = NULL;
        _cleanup_free_ char *text = NULL, *json = NULL;
        size_t size = 0;
        FILE *f;

        add(o, X86_64, "socket", AF_INET, SOCK_STREAM, 0, 0);
        add(o, X86_64, "personality", PER_LINUX, 0, 0, 0);
        text = propose(o, NULL, &p);
        f = open_memstream(&json, &size);
        assert_non_null(f);
        proposal_write_oci(p, o, f);
        assert_int_equal(fclose(f), 0);

        assert_non_null(strstr(json, "\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":1"));
        assert_non_null(strstr(json, "\"architectures\":[\"SCMP_ARCH_X86_64\"]"));
        assert_non_null(strstr(json, "{\"names\":[\"socket\"],\"action\":\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":0,"
                                     "\"value\":2,\"op\":\"SCMP_CMP_EQ\"}]}"));
        assert_non_null(strstr(json, "{\"names\":[\"personality\"],\"action\":\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":0,"
                                     "\"value\":0,\"op\":\"SCMP_CMP_EQ\"}]}"));
        /* openat with O_CREAT only without S_ISUID/S_ISGID: two rules, either condition. */
        assert_non_null(strstr(json, "{\"names\":[\"openat\"],\"action\":\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":3,"
                                     "\"value\":3072,\"valueTwo\":0,\"op\":\"SCMP_CMP_MASKED_EQ\"}]}"));
        /* A call with rules is not also allowed outright (that would win). */
        assert_null(strstr(json, "\"socket\","));
        assert_non_null(strstr(json, "\"getpid\""));
}

/* ---- systemd 252's groups ---- */

static int collect(const char *name, void *userdata) {
        char ***l = userdata;

        return strv_extend(l, name);
}

/* The expanded members of a group as `systemd-analyze syscall-filter @GROUP` lists them. */
static char **analyze_members(const char *group) {
        _cleanup_free_ char *cmd = NULL, *line = NULL;
        char **l = NULL;
        size_t size = 0;
        FILE *p;

        assert_true(asprintf(&cmd, "systemd-analyze syscall-filter %s 2>/dev/null", group) > 0);
        p = popen(cmd, "re");
        assert_non_null(p);
        while (getline(&line, &size, p) > 0) {
                char *m = line + strspn(line, " ");

                m[strcspn(m, "\n")] = 0;
                if (line[0] != ' ' || m[0] == '#' || m[0] == 0)
                        continue;
                if (m[0] == '@') {
                        char **nested = analyze_members(m);

                        STRV_FOREACH(n, nested)
                                assert_int_equal(strv_extend(&l, *n), 0);
                        strv_free(nested);
                } else
                        assert_int_equal(strv_extend(&l, m), 0);
        }
        pclose(p);
        strv_sort(l);
        return l;
}

static void test_systemd252_groups(void **state) {
        _cleanup_free_ char *version = NULL;
        size_t size = 0;
        FILE *p = popen("systemd-analyze --version 2>/dev/null", "re");

        if (!p || getline(&version, &size, p) <= 0 || !startswith(version, "systemd 252 ")) {
                if (p)
                        pclose(p);
                skip();         /* only the installed systemd 252 can be asked */
        }
        pclose(p);

        assert_false(syscall_set_in_systemd252(SYSCALL_SET_SANDBOX));
        for (SyscallSetId g = 0; g < _SYSCALL_SET_MAX; g++) {
                _cleanup_strv_free_ char **want = NULL, **got = NULL;
                _cleanup_free_ char *a = NULL, *b = NULL;

                if (g == SYSCALL_SET_KNOWN || !syscall_set_in_systemd252(g))
                        continue;
                want = analyze_members(syscall_sets[g].name);
                assert_int_equal(syscall_set_foreach_systemd252(g, collect, &got), 0);
                strv_sort(got);
                a = strv_join(want, " ");
                b = strv_join(got, " ");
                /* The same names (duplicates of nested groups aside). */
                for (char **w = want; w && *w; w++)
                        if (!strv_contains(got, *w))
                                fail_msg("%s: systemd 252 has %s, megafilter's 252 table does not", syscall_sets[g].name, *w);
                for (char **m = got; m && *m; m++)
                        if (!strv_contains(want, *m))
                                fail_msg("%s: megafilter's 252 table has %s, systemd 252 does not", syscall_sets[g].name, *m);
                assert_non_null(a);
                assert_non_null(b);
        }
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_record_filter),
                cmocka_unit_test(test_check_filter),
                cmocka_unit_test(test_names_only),
                cmocka_unit_test(test_groups),
                cmocka_unit_test(test_facts),
                cmocka_unit_test(test_abis_errno_paths),
                cmocka_unit_test(test_kept_answers),
                cmocka_unit_test(test_oci),
                cmocka_unit_test(test_systemd252_groups),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
