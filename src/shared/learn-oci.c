/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* A proposal as an OCI runtime spec's linux.seccomp object: the calls the run needed (and
 * @default, which the learning filter lets through unwatched) allowed, everything else EPERM,
 * and the argument facts as rules, which OCI can state more tightly than the directives: the
 * socket families, personalities and scheduler policies seen, each by value. Written for what
 * crun 1.8 and libseccomp 2.5 accept (only names libseccomp 2.5.4 knows): a call with argument rules is not also allowed
 * unconditionally (that would win), alternatives on one argument are separate rules. */

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/shm.h>

#include "json-writer.h"
#include "learn-propose.h"
#include "oci-seccomp.h"
#include "syscall-table.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

#include "namespace-flags.h"

typedef struct RuleArg {
        unsigned index;
        uint64_t value, value_two;
        const char *op;                 /* "SCMP_CMP_EQ", "SCMP_CMP_MASKED_EQ" */
} RuleArg;

static void write_rule(JsonWriter *j, const char *const *names, const char *action, int errno_ret,
                       const RuleArg *args, size_t n_args) {
        json_object_begin(j);
        json_key(j, "names");
        json_array_begin(j);
        for (const char *const *n = names; *n; n++)
                json_string(j, *n);
        json_array_end(j);
        json_key_string(j, "action", action);
        if (errno_ret > 0)
                json_key_uint(j, "errnoRet", (uint64_t) errno_ret);
        if (n_args > 0) {
                json_key(j, "args");
                json_array_begin(j);
                for (size_t i = 0; i < n_args; i++) {
                        json_object_begin(j);
                        json_key_uint(j, "index", args[i].index);
                        json_key_uint(j, "value", args[i].value);
                        if (streq(args[i].op, "SCMP_CMP_MASKED_EQ"))
                                json_key_uint(j, "valueTwo", args[i].value_two);
                        json_key_string(j, "op", args[i].op);
                        json_object_end(j);
                }
                json_array_end(j);
        }
        json_object_end(j);
}

/* One name, allowed when the argument condition holds. */
static void allow_if(JsonWriter *j, const char *name, RuleArg a) {
        const char *names[] = { name, NULL };

        write_rule(j, names, "SCMP_ACT_ALLOW", 0, &a, 1);
}

static RuleArg masked_zero(unsigned index, uint64_t mask) {
        return (RuleArg) { index, mask, 0, "SCMP_CMP_MASKED_EQ" };
}

static RuleArg equal(unsigned index, uint64_t value) {
        return (RuleArg) { index, value, 0, "SCMP_CMP_EQ" };
}

static bool allowed(const Proposal *p, const char *name) {
        int id = syscall_from_name(name);

        return id >= 0 && p->allow[id];
}

/* The calls the rules below decide, when the facts let them. */
static bool has_rules(const Proposal *p, const Observation *o, const char *name) {
        static const char *const suid[] = {
                "chmod", "fchmod", "fchmodat", "fchmodat2", "mkdir", "mkdirat", "mknod", "mknodat", "creat",
                "open", "openat", "openat2", NULL,
        };

        if (streq(name, "socket"))
                return p->families_set;
        if (streq(name, "clone") || streq(name, "clone3") || streq(name, "unshare") || streq(name, "setns"))
                return p->namespaces_set;
        if (streq(name, "mmap") || streq(name, "mmap2") || streq(name, "mprotect") || streq(name, "pkey_mprotect") ||
            streq(name, "shmat"))
                return p->mdwe;
        if (streq(name, "personality"))
                return !o->facts.personalities_overflow;
        if (streq(name, "sched_setscheduler"))
                return !(o->facts.sched_policies & (UINT64_C(1) << 63));
        for (const char *const *s = suid; *s; s++)
                if (streq(name, *s))
                        return p->restrict_suid_sgid;
        return false;
}

static void write_rules(JsonWriter *j, const Proposal *p, const Observation *o, Abi native) {
        const ObservedFacts *f = &o->facts;
        unsigned long ns_all = namespace_flags_all() | CLONE_NEWTIME;
        unsigned clone_arg = abi_info[native].clone_flags_arg;

        if (p->families_set && allowed(p, "socket"))
                for (int af = 0; af < 64; af++)
                        if (p->families & (UINT64_C(1) << af))
                                allow_if(j, "socket", equal(0, (uint64_t) af));

        if (p->namespaces_set) {
                unsigned long refused = ns_all & ~p->namespaces;

                if (allowed(p, "clone"))
                        allow_if(j, "clone", masked_zero(clone_arg, refused));
                if (allowed(p, "unshare"))
                        allow_if(j, "unshare", masked_zero(0, refused));
                if (allowed(p, "setns"))
                        for (const NamespaceInfo *ns = namespace_info; ns->name; ns++)
                                if (p->namespaces & ns->clone_flag)
                                        allow_if(j, "setns", equal(1, ns->clone_flag));
                if (allowed(p, "clone3"))
                        /* Its flags are in memory: ENOSYS, and the C library uses clone(). */
                        write_rule(j, (const char *const[]) { "clone3", NULL }, "SCMP_ACT_ERRNO", ENOSYS, NULL, 0);
        }

        if (p->mdwe) {
                for (const char *const *n = (const char *const[]) { "mmap", "mmap2", NULL }; *n; n++)
                        if (allowed(p, *n)) {
                                allow_if(j, *n, masked_zero(2, PROT_WRITE));
                                allow_if(j, *n, masked_zero(2, PROT_EXEC));
                        }
                for (const char *const *n = (const char *const[]) { "mprotect", "pkey_mprotect", NULL }; *n; n++)
                        if (allowed(p, *n))
                                allow_if(j, *n, masked_zero(2, PROT_EXEC));
                if (allowed(p, "shmat"))
                        allow_if(j, "shmat", masked_zero(2, SHM_EXEC));
        }

        if (allowed(p, "personality") && !f->personalities_overflow)
                for (size_t i = 0; i < f->n_personalities; i++)
                        allow_if(j, "personality", equal(0, f->personalities[i]));

        if (allowed(p, "sched_setscheduler") && !(f->sched_policies & (UINT64_C(1) << 63)))
                for (unsigned policy = 0; policy < 63; policy++)
                        if (f->sched_policies & (UINT64_C(1) << policy))
                                allow_if(j, "sched_setscheduler", equal(1, policy));

        if (p->restrict_suid_sgid) {
                static const struct {
                        const char *name;
                        int mode_arg, flags_arg;
                } modes[] = {
                        { "chmod", 1, -1 }, { "fchmod", 1, -1 }, { "fchmodat", 2, -1 }, { "fchmodat2", 2, -1 },
                        { "mkdir", 1, -1 }, { "mkdirat", 2, -1 }, { "mknod", 1, -1 }, { "mknodat", 2, -1 },
                        { "creat", 1, -1 }, { "open", 2, 1 }, { "openat", 3, 2 },
                };

                for (size_t i = 0; i < ELEMENTSOF(modes); i++) {
                        if (!allowed(p, modes[i].name))
                                continue;
                        allow_if(j, modes[i].name, masked_zero((unsigned) modes[i].mode_arg, S_ISUID | S_ISGID));
                        if (modes[i].flags_arg >= 0)
                                allow_if(j, modes[i].name, masked_zero((unsigned) modes[i].flags_arg, O_CREAT));
                }
                if (allowed(p, "openat2"))
                        write_rule(j, (const char *const[]) { "openat2", NULL }, "SCMP_ACT_ERRNO", ENOSYS, NULL, 0);
        }
}

static void arch_name(Abi abi, char *buf, size_t size) {
        size_t n = (size_t) snprintf(buf, size, "SCMP_ARCH_%s", abi_info[abi].libseccomp_name);

        for (size_t i = strlen("SCMP_ARCH_"); i < n && i < size; i++)
                buf[i] = (char) (buf[i] >= 'a' && buf[i] <= 'z' ? buf[i] - 'a' + 'A' : buf[i]);
}

void proposal_write_oci(const Proposal *p, const Observation *o, FILE *f) {
        JsonWriter j = { .f = f };
        char arch[64];

        json_object_begin(&j);
        json_key_string(&j, "defaultAction", "SCMP_ACT_ERRNO");
        json_key_uint(&j, "defaultErrnoRet", EPERM);
        json_key(&j, "architectures");
        json_array_begin(&j);
        arch_name(o->native, arch, sizeof arch);
        json_string(&j, arch);
        if (!p->archs_native)
                ABI_SET_FOREACH(a, o->abis)
                        if (a != o->native) {
                                arch_name(a, arch, sizeof arch);
                                json_string(&j, arch);
                        }
        json_array_end(&j);

        json_key(&j, "syscalls");
        json_array_begin(&j);
        json_object_begin(&j);
        json_key(&j, "names");
        json_array_begin(&j);
        for (size_t id = 0, n = syscall_count(); id < n; id++)
                /* Names libseccomp 2.5.4 does not know: crun would skip them with a warning. */
                if (p->allow[id] && !has_rules(p, o, syscall_name((int) id)) && oci_libseccomp_knows(syscall_name((int) id)))
                        json_string(&j, syscall_name((int) id));
        json_array_end(&j);
        json_key_string(&j, "action", "SCMP_ACT_ALLOW");
        json_object_end(&j);
        write_rules(&j, p, o, o->native);
        json_array_end(&j);
        json_object_end(&j);
        json_writer_done(&j);
        fputc('\n', f);
}
