/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* linux.seccomp as crun 1.8.1 builds its filter with libseccomp 2.5.4 (libcrun/seccomp.c, and
 * libseccomp's api.c and db.c for what it accepts), and Docker/Podman profiles as moby's
 * profiles/seccomp resolves them. The facts, in the order crun meets them:
 *
 * - defaultAction is required; defaultErrnoRet (and a rule's errnoRet) only with SCMP_ACT_ERRNO
 *   or SCMP_ACT_TRACE, and it applies to the default action only: a rule without errnoRet gets
 *   EPERM (TRACE: trace data 1). Both are cut to 16 bits (SCMP_ACT_ERRNO(x)), and libseccomp
 *   refuses an errno of 4095 or more.
 * - architectures: "SCMP_ARCH_" is optional, case does not matter; names libseccomp 2.5 does not
 *   know are errors. The native ABI is always in the filter; calls of ABIs not in it are killed
 *   (the bad-arch action, KILL_THREAD).
 * - A rule whose action is the default action is dropped before its names are looked at.
 * - Names libseccomp does not know are skipped with a warning; a name some ABI lacks is skipped
 *   there only.
 * - args: only the first six count; an index above 5 is an error; two comparisons of one
 *   argument make every comparison its own rule (ORed), else they are ANDed in one rule.
 *   MASKED_EQ compares (arg & value) with valueTwo & value (libseccomp masks the datum). On 32-bit
 *   ABIs only the low halves are compared (the layer's ABIs do that).
 * - The same comparisons for one call with another action: libseccomp refuses it (-EEXIST).
 * - flags must be known to crun, and never change the program; NOTIFY and listenerPath need a
 *   listener megafilter does not provide: refused. */

#include <ctype.h>
#include <inttypes.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/utsname.h>

#include "action.h"
#include "bpf-gen.h"
#include "errno-name.h"
#include "oci-seccomp.h"
#include "syscall-table.h"
#include "verify.h"

/* libseccomp's MAX_ERRNO: an ERRNO action's data must be below it. */
#define LIBSECCOMP_MAX_ERRNO 4095

const char *const oci_docker_default_caps[] = {
        "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD", "CAP_NET_RAW",
        "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT",
        "CAP_KILL", "CAP_AUDIT_WRITE", NULL,
};

/* Names in megafilter's table that libseccomp 2.5.4 as Debian 12 ships it (2.5.5's table, Linux
 * 6.7) does not know: crun skips them as unknown. */
static const char *const newer_than_libseccomp[] = {
        "atomic_barrier", "atomic_cmpxchg_32", "file_getattr", "file_setattr", "getpagesize", "getxattrat",
        "listmount", "listns", "listxattrat", "lsm_get_self_attr", "lsm_list_modules", "lsm_set_self_attr",
        "mseal", "open_tree_attr", "removexattrat", "riscv_hwprobe", "rseq_slice_yield", "setxattrat",
        "statmount", "uprobe", "uretprobe", NULL,
};

/* Calls libseccomp 2.5.5's table lacks on one ABI where megafilter's has a number: crun's rules
 * skip that ABI. (Its parisc64 _llseek, which megafilter's table lacks, cannot be expressed.) */
static const struct {
        const char *name;
        Abi abi;
} missing_in_libseccomp[] = {
        { "map_shadow_stack", ABI_X32 },
};

static AbiSet libseccomp_lacks(const char *name) {
        AbiSet s = 0;

        for (size_t i = 0; i < ELEMENTSOF(missing_in_libseccomp); i++)
                if (streq(missing_in_libseccomp[i].name, name))
                        s |= ABI_BIT(missing_in_libseccomp[i].abi);
        return s;
}

/* The architecture names libseccomp 2.5 resolves (arch.c). */
static const char *const libseccomp_arches[] = {
        "x86", "x86_64", "x32", "arm", "aarch64", "mips", "mipsel", "mips64", "mipsel64", "mips64n32",
        "mipsel64n32", "parisc64", "parisc", "ppc", "ppc64", "ppc64le", "s390", "s390x", "riscv64", NULL,
};

static const char *const crun_flags[] = {
        "SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_SPEC_ALLOW", "SECCOMP_FILTER_FLAG_LOG",
        "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", NULL,
};

static bool strv_has(const char *const *l, const char *s) {
        for (; l && *l; l++)
                if (streq(*l, s))
                        return true;
        return false;
}

bool oci_libseccomp_knows(const char *name) {
        return syscall_from_name(name) >= 0 && !strv_has(newer_than_libseccomp, name);
}

static const char *const input_names[_OCI_INPUT_MAX] = {
        [OCI_INPUT_AUTO] = "auto",
        [OCI_INPUT_SECCOMP] = "seccomp",
        [OCI_INPUT_CONFIG] = "config",
        [OCI_INPUT_PROFILE] = "profile",
};

const char *oci_input_to_string(OciInput i) {
        return i >= 0 && i < _OCI_INPUT_MAX ? input_names[i] : NULL;
}

OciInput oci_input_from_string(const char *s) {
        for (OciInput i = 0; i < _OCI_INPUT_MAX; i++)
                if (streq(s, input_names[i]))
                        return i;
        return _OCI_INPUT_INVALID;
}

/* ---- diagnostics: "FILE:LINE:COLUMN: PATH: message" ---- */

static _printf_(7, 8) int report(Diag *diag, int level, int error, const JsonDocument *doc, const JsonValue *at,
                                 const char *path, const char *format, ...) {
        SourceLoc loc = json_loc(doc, at);
        char message[1024];
        va_list ap;

        va_start(ap, format);
        vsnprintf(message, sizeof message, format, ap);
        va_end(ap);
        return diag_log(diag, level, &loc, error, "%s: %s", path, message);
}

#define PATH_MAX_LEN 256

/* snprintf() for JSON paths, which are cut rather than overflow. */
static _printf_(3, 4) void path_fmt(char *buf, size_t size, const char *format, ...) {
        va_list ap;

        va_start(ap, format);
        vsnprintf(buf, size, format, ap);
        va_end(ap);
}

typedef struct Ctx {
        const JsonDocument *doc;
        Arena *arena;
        Diag *diag;
        const char *prefix;
        const OciProfileContext *profile;       /* NULL: plain linux.seccomp */
} Ctx;

static int expect(Ctx *c, const JsonValue *v, JsonType type, const char *path) {
        if (v->type == type)
                return 0;
        return report(c->diag, DIAG_ERROR, EINVAL, c->doc, v, path, "expected %s %s, got %s.",
                      type == JSON_ARRAY || type == JSON_OBJECT ? "an" : "a", json_type_to_string(type),
                      json_type_to_string(v->type));
}

/* Members not in known get a warning (crun ignores them, but a typo then changes the filter
 * silently). */
static void warn_unknown_members(Ctx *c, const JsonValue *obj, const char *path, const char *const *known) {
        for (size_t i = 0; i < obj->object.n; i++) {
                const JsonMember *m = &obj->object.members[i];

                if (!strv_has(known, m->key))
                        diag_log(c->diag, DIAG_WARNING, &(SourceLoc) { c->doc->file, m->line, m->column }, 0,
                                 "%s: unknown member \"%s\", ignoring.", path, m->key);
        }
}

static const JsonValue *member(const JsonValue *obj, const char *key) {
        const JsonValue *v = json_object_get(obj, key);

        return v && v->type == JSON_NULL ? NULL : v;      /* null: as if absent */
}

static int get_string(Ctx *c, const JsonValue *obj, const char *key, const char *path, bool required,
                      const char **ret, const JsonValue **ret_json) {
        const JsonValue *v = member(obj, key);
        char p[PATH_MAX_LEN];
        int r;

        path_fmt(p, sizeof p, "%s.%s", path, key);
        if (!v) {
                if (required)
                        return report(c->diag, DIAG_ERROR, EINVAL, c->doc, obj, path, "\"%s\" is missing.", key);
                *ret = NULL;
                if (ret_json)
                        *ret_json = NULL;
                return 0;
        }
        r = expect(c, v, JSON_STRING, p);
        if (r < 0)
                return r;
        if (strlen(v->string.s) != v->string.len)
                return report(c->diag, DIAG_ERROR, EINVAL, c->doc, v, p, "string holds a NUL character.");
        *ret = v->string.s;
        if (ret_json)
                *ret_json = v;
        return 0;
}

static int get_uint(Ctx *c, const JsonValue *obj, const char *key, const char *path, uint64_t max, bool *ret_set,
                    uint64_t *ret, const JsonValue **ret_json) {
        const JsonValue *v = member(obj, key);
        char p[PATH_MAX_LEN];
        int r;

        path_fmt(p, sizeof p, "%s.%s", path, key);
        *ret_set = false;
        *ret = 0;
        if (ret_json)
                *ret_json = v;
        if (!v)
                return 0;
        r = expect(c, v, JSON_NUMBER, p);
        if (r < 0)
                return r;
        if (!v->number.integer || !v->number.fits_u64 || v->number.u > max)
                return report(c->diag, DIAG_ERROR, EINVAL, c->doc, v, p, "expected an integer in 0…%" PRIu64 ", got %s.",
                              max, v->number.text);
        *ret_set = true;
        *ret = v->number.u;
        return 0;
}

/* An array of strings, as JsonValue pointers; absent or null: none. */
static int get_strings(Ctx *c, const JsonValue *obj, const char *key, const char *path, const JsonValue ***ret,
                       size_t *ret_n) {
        const JsonValue *v = member(obj, key);
        char p[PATH_MAX_LEN];
        const JsonValue **l;
        int r;

        *ret = NULL;
        *ret_n = 0;
        if (!v)
                return 0;
        path_fmt(p, sizeof p, "%s.%s", path, key);
        r = expect(c, v, JSON_ARRAY, p);
        if (r < 0)
                return r;
        l = arena_alloc_array(c->arena, v->array.n, sizeof(JsonValue *));
        if (!l)
                return -ENOMEM;
        for (size_t i = 0; i < v->array.n; i++) {
                char q[PATH_MAX_LEN];

                path_fmt(q, sizeof q, "%s[%zu]", p, i);
                r = expect(c, v->array.items[i], JSON_STRING, q);
                if (r < 0)
                        return r;
                l[i] = v->array.items[i];
        }
        *ret = l;
        *ret_n = v->array.n;
        return 0;
}

static bool json_strings_have(const JsonValue *const *l, size_t n, const char *s) {
        for (size_t i = 0; i < n; i++)
                if (streq(l[i]->string.s, s))
                        return true;
        return false;
}

/* ---- profiles: includes / excludes ---- */

/* moby's name for the host (goToNative[runtime.GOARCH]), which "arches" lists; NULL when moby
 * has none. */
static const char *moby_arch(Abi a) {
        switch (a) {
        case ABI_X86_64: return "amd64";
        case ABI_X86: return "x86";
        case ABI_ARM: return "arm";
        case ABI_AARCH64: return "arm64";
        case ABI_LOONGARCH64: return "loongarch64";
        case ABI_MIPS64: return "mips64";
        case ABI_MIPS64N32: return "mips64n32";
        case ABI_MIPSEL64: return "mipsel64";
        case ABI_MIPSEL64N32: return "mips3l64n32";
        case ABI_MIPSEL: return "mipsle";
        case ABI_PPC: return "ppc";
        case ABI_PPC64: return "ppc64";
        case ABI_PPC64LE: return "ppc64le";
        case ABI_RISCV64: return "riscv64";
        case ABI_S390: return "s390";
        case ABI_S390X: return "s390x";
        default: return NULL;
        }
}

/* nativeToSeccomp[] of moby's name: the archMap entry to take. */
static void moby_seccomp_arch(Abi a, char *buf, size_t size) {
        const char *m = moby_arch(a);

        buf[0] = 0;
        if (!m || streq(m, "loongarch64"))      /* moby maps "loong64", which goToNative never gives */
                return;
        path_fmt(buf, size, "SCMP_ARCH_%s", abi_info[a].libseccomp_name);
        for (char *p = buf; *p; p++)
                *p = (char) toupper((unsigned char) *p);
}

static int kernel_at_least(Ctx *c, const JsonValue *v, const char *path, bool *ret) {
        unsigned major, minor;
        int n = -1;

        if (v->type != JSON_STRING || sscanf(v->string.s, "%u.%u%n", &major, &minor, &n) != 2 ||
            (size_t) n != v->string.len)
                return report(c->diag, DIAG_ERROR, EINVAL, c->doc, v, path,
                              "expected a kernel version \"MAJOR.MINOR\".");
        *ret = c->profile->kernel_major > major ||
                (c->profile->kernel_major == major && c->profile->kernel_minor >= minor);
        return 0;
}

static bool has_cap(const OciProfileContext *p, const char *cap) {
        return strv_has((const char *const *) p->caps, cap);
}

/* Whether the entry applies (moby: excludes first, then includes; caps against the bounding set). */
static int profile_entry_applies(Ctx *c, const JsonValue *entry, const char *path, bool *ret) {
        static const char *const filter_keys[] = { "arches", "caps", "minKernel", NULL };
        const char *arch = moby_arch(c->profile->arch);

        *ret = false;
        for (int inc = 0; inc <= 1; inc++) {
                const char *key = inc ? "includes" : "excludes";
                const JsonValue *f = member(entry, key), *mk;
                const JsonValue **arches, **caps;
                size_t n_arches, n_caps;
                char p[PATH_MAX_LEN];
                bool ok = false;
                int r;

                if (!f)
                        continue;
                path_fmt(p, sizeof p, "%s.%s", path, key);
                r = expect(c, f, JSON_OBJECT, p);
                if (r < 0)
                        return r;
                warn_unknown_members(c, f, p, filter_keys);
                r = get_strings(c, f, "arches", p, &arches, &n_arches);
                if (r < 0)
                        return r;
                r = get_strings(c, f, "caps", p, &caps, &n_caps);
                if (r < 0)
                        return r;

                if (n_arches > 0 && json_strings_have(arches, n_arches, strempty(arch)) != (bool) inc)
                        return 0;
                for (size_t i = 0; i < n_caps; i++)
                        if (has_cap(c->profile, caps[i]->string.s) != (bool) inc)
                                return 0;
                mk = member(f, "minKernel");
                if (mk) {
                        char q[PATH_MAX_LEN];

                        path_fmt(q, sizeof q, "%s.minKernel", p);
                        r = kernel_at_least(c, mk, q, &ok);
                        if (r < 0)
                                return r;
                        if (ok != (bool) inc)
                                return 0;
                }
        }
        *ret = true;
        return 0;
}

/* ---- the linux.seccomp object ---- */

static int parse_arg(Ctx *c, const JsonValue *v, const char *path, OciArg *ret) {
        static const char *const keys[] = { "index", "value", "valueTwo", "op", NULL };
        bool set;
        int r;

        r = expect(c, v, JSON_OBJECT, path);
        if (r < 0)
                return r;
        warn_unknown_members(c, v, path, keys);
        *ret = (OciArg) { .json = v };
        r = get_uint(c, v, "index", path, UINT32_MAX, &set, &ret->index, &ret->index_json);
        if (r < 0)
                return r;
        if (!set)
                return report(c->diag, DIAG_ERROR, EINVAL, c->doc, v, path, "\"index\" is missing.");
        r = get_uint(c, v, "value", path, UINT64_MAX, &set, &ret->value, NULL);
        if (r < 0)
                return r;
        if (!set)
                return report(c->diag, DIAG_ERROR, EINVAL, c->doc, v, path, "\"value\" is missing.");
        r = get_uint(c, v, "valueTwo", path, UINT64_MAX, &set, &ret->value_two, NULL);
        if (r < 0)
                return r;
        return get_string(c, v, "op", path, true, &ret->op, &ret->op_json);
}

static int parse_syscall(Ctx *c, const JsonValue *v, size_t pos, OciSyscall *ret, bool *ret_keep) {
        static const char *const keys[] = { "names", "action", "errnoRet", "args", NULL };
        static const char *const profile_keys[] = {
                "names", "action", "errnoRet", "args", "name", "comment", "includes", "excludes", "errno", NULL,
        };
        const JsonValue *args;
        char path[PATH_MAX_LEN];
        uint64_t e;
        int r;

        path_fmt(path, sizeof path, "%ssyscalls[%zu]", c->prefix, pos);
        r = expect(c, v, JSON_OBJECT, path);
        if (r < 0)
                return r;
        warn_unknown_members(c, v, path, c->profile ? profile_keys : keys);
        *ret = (OciSyscall) { .json = v, .pos = pos };
        *ret_keep = true;

        r = get_strings(c, v, "names", path, &ret->names, &ret->n_names);
        if (r < 0)
                return r;
        if (c->profile) {
                const JsonValue *name = member(v, "name");
                const char *errno_name;

                if (name) {
                        char p[PATH_MAX_LEN];

                        path_fmt(p, sizeof p, "%s.name", path);
                        r = expect(c, name, JSON_STRING, p);
                        if (r < 0)
                                return r;
                        if (ret->n_names > 0)
                                return report(c->diag, DIAG_ERROR, EINVAL, c->doc, name, p,
                                              "both \"name\" and \"names\" given: use one of them.");
                        if (name->string.len > 0) {
                                ret->names = arena_alloc(c->arena, sizeof(JsonValue *));
                                if (!ret->names)
                                        return -ENOMEM;
                                ret->names[0] = name;
                                ret->n_names = 1;
                        }
                }
                r = profile_entry_applies(c, v, path, ret_keep);
                if (r < 0)
                        return r;
                r = get_string(c, v, "errno", path, false, &errno_name, NULL);
                if (r < 0)
                        return r;
                if (errno_name && !member(v, "errnoRet")) {
                        int n = errno_from_name(errno_name);

                        if (n < 0)
                                return report(c->diag, DIAG_ERROR, EINVAL, c->doc, member(v, "errno"), path,
                                              "unknown errno name \"%s\".", errno_name);
                        ret->errno_ret_set = true;
                        ret->errno_ret = (uint32_t) n;
                        ret->errno_ret_json = member(v, "errno");
                }
        } else if (!member(v, "names"))
                return report(c->diag, DIAG_ERROR, EINVAL, c->doc, v, path, "\"names\" is missing.");

        r = get_string(c, v, "action", path, true, &ret->action, &ret->action_json);
        if (r < 0)
                return r;
        if (member(v, "errnoRet")) {
                r = get_uint(c, v, "errnoRet", path, UINT32_MAX, &ret->errno_ret_set, &e, &ret->errno_ret_json);
                if (r < 0)
                        return r;
                ret->errno_ret = (uint32_t) e;
        }

        args = member(v, "args");
        if (args) {
                char p[PATH_MAX_LEN];

                path_fmt(p, sizeof p, "%s.args", path);
                r = expect(c, args, JSON_ARRAY, p);
                if (r < 0)
                        return r;
                ret->args = arena_alloc_array(c->arena, args->array.n, sizeof(OciArg));
                if (!ret->args)
                        return -ENOMEM;
                for (size_t k = 0; k < args->array.n; k++) {
                        path_fmt(p, sizeof p, "%s.args[%zu]", path, k);
                        r = parse_arg(c, args->array.items[k], p, &ret->args[k]);
                        if (r < 0)
                                return r;
                }
                ret->n_args = args->array.n;
        }
        return 0;
}

static int parse_object(Ctx *c, const JsonValue *v, OciSpec *ret, bool *ret_disabled) {
        static const char *const keys[] = {
                "defaultAction", "defaultErrnoRet", "architectures", "flags", "listenerPath", "listenerMetadata",
                "syscalls", NULL,
        };
        static const char *const profile_keys[] = {
                "defaultAction", "defaultErrnoRet", "architectures", "flags", "listenerPath", "listenerMetadata",
                "syscalls", "archMap", "defaultErrno", NULL,
        };
        const JsonValue *syscalls, *archmap;
        char path[PATH_MAX_LEN];
        uint64_t e;
        int r;

        /* The object's own path: "linux.seccomp", or "(top level)". */
        if (c->prefix[0])
                path_fmt(path, sizeof path, "%.*s", (int) strlen(c->prefix) - 1, c->prefix);
        else
                path_fmt(path, sizeof path, "(top level)");

        *ret = (OciSpec) { .doc = c->doc, .prefix = c->prefix, .json = v };
        if (ret_disabled)
                *ret_disabled = false;
        r = expect(c, v, JSON_OBJECT, path);
        if (r < 0)
                return r;
        warn_unknown_members(c, v, path, c->profile ? profile_keys : keys);

        r = get_string(c, v, "defaultAction", path, !c->profile, &ret->default_action, &ret->default_action_json);
        if (r < 0)
                return r;
        r = get_uint(c, v, "defaultErrnoRet", path, UINT32_MAX, &ret->default_errno_set, &e, &ret->default_errno_json);
        if (r < 0)
                return r;
        ret->default_errno = (uint32_t) e;
        r = get_strings(c, v, "architectures", path, &ret->architectures, &ret->n_architectures);
        if (r < 0)
                return r;
        r = get_strings(c, v, "flags", path, &ret->flags, &ret->n_flags);
        if (r < 0)
                return r;
        ret->listener_path = member(v, "listenerPath");
        if (ret->listener_path) {
                char p[PATH_MAX_LEN];

                path_fmt(p, sizeof p, "%s.listenerPath", path);
                r = expect(c, ret->listener_path, JSON_STRING, p);
                if (r < 0)
                        return r;
        }

        if (c->profile) {
                const char *errno_name;

                r = get_string(c, v, "defaultErrno", path, false, &errno_name, NULL);
                if (r < 0)
                        return r;
                if (errno_name && !ret->default_errno_set) {
                        int n = errno_from_name(errno_name);

                        if (n < 0)
                                return report(c->diag, DIAG_ERROR, EINVAL, c->doc, member(v, "defaultErrno"), path,
                                              "unknown errno name \"%s\".", errno_name);
                        ret->default_errno_set = true;
                        ret->default_errno = (uint32_t) n;
                        ret->default_errno_json = member(v, "defaultErrno");
                }

                archmap = member(v, "archMap");
                if (archmap) {
                        char want[64], p[PATH_MAX_LEN];

                        path_fmt(p, sizeof p, "%s.archMap", path);
                        r = expect(c, archmap, JSON_ARRAY, p);
                        if (r < 0)
                                return r;
                        if (ret->n_architectures > 0 && archmap->array.n > 0)
                                return report(c->diag, DIAG_ERROR, EINVAL, c->doc, archmap, p,
                                              "both \"architectures\" and \"archMap\" given: use one of them.");
                        moby_seccomp_arch(c->profile->arch, want, sizeof want);
                        for (size_t i = 0; i < archmap->array.n; i++) {
                                static const char *const map_keys[] = { "architecture", "subArchitectures", NULL };
                                const JsonValue *m = archmap->array.items[i], *a, **subs, **all;
                                const char *name;
                                char q[PATH_MAX_LEN];
                                size_t n_subs;

                                path_fmt(q, sizeof q, "%s[%zu]", p, i);
                                r = expect(c, m, JSON_OBJECT, q);
                                if (r < 0)
                                        return r;
                                warn_unknown_members(c, m, q, map_keys);
                                r = get_string(c, m, "architecture", q, true, &name, &a);
                                if (r < 0)
                                        return r;
                                r = get_strings(c, m, "subArchitectures", q, &subs, &n_subs);
                                if (r < 0)
                                        return r;
                                if (!streq(a->string.s, want) || ret->n_architectures > 0)
                                        continue;       /* moby takes the first entry for the host */
                                all = arena_alloc_array(c->arena, n_subs + 1, sizeof(JsonValue *));
                                if (!all)
                                        return -ENOMEM;
                                all[0] = a;
                                if (n_subs > 0)
                                        memcpy(all + 1, subs, n_subs * sizeof(JsonValue *));
                                ret->architectures = all;
                                ret->n_architectures = n_subs + 1;
                        }
                }
        }

        syscalls = member(v, "syscalls");
        if (syscalls) {
                char p[PATH_MAX_LEN];

                path_fmt(p, sizeof p, "%ssyscalls", c->prefix);
                r = expect(c, syscalls, JSON_ARRAY, p);
                if (r < 0)
                        return r;
                ret->syscalls = arena_alloc_array(c->arena, syscalls->array.n, sizeof(OciSyscall));
                if (!ret->syscalls)
                        return -ENOMEM;
                for (size_t i = 0; i < syscalls->array.n; i++) {
                        bool keep;

                        r = parse_syscall(c, syscalls->array.items[i], i, &ret->syscalls[ret->n_syscalls], &keep);
                        if (r < 0)
                                return r;
                        if (keep)
                                ret->n_syscalls++;
                }
        }

        if (c->profile && !ret->default_action) {
                if (!syscalls || syscalls->array.n == 0) {
                        /* moby: no default action and no syscalls is seccomp disabled. */
                        if (ret_disabled)
                                *ret_disabled = true;
                        return 0;
                }
                return report(c->diag, DIAG_ERROR, EINVAL, c->doc, v, path, "\"defaultAction\" is missing.");
        }
        return 0;
}

int oci_spec_parse(const JsonDocument *doc, const JsonValue *v, const char *prefix, Arena *arena, Diag *diag,
                   OciSpec *ret) {
        Ctx c = { .doc = doc, .arena = arena, .diag = diag, .prefix = prefix ?: "" };

        return parse_object(&c, v, ret, NULL);
}

int oci_profile_resolve(const JsonDocument *doc, const JsonValue *v, const OciProfileContext *ctx, Arena *arena,
                        Diag *diag, OciSpec *ret, bool *ret_disabled) {
        Ctx c = { .doc = doc, .arena = arena, .diag = diag, .prefix = "", .profile = ctx };

        return parse_object(&c, v, ret, ret_disabled);
}

/* ---- linux.seccomp -> layer ---- */

static int action_of(const OciSpec *s, Diag *diag, const char *name, const JsonValue *at, const char *path,
                     bool errno_set, uint32_t errno_ret, uint32_t *ret) {
        static const struct {
                const char *name;
                uint32_t action;
        } table[] = {
                { "ALLOW", SECCOMP_RET_ALLOW },
                { "ERRNO", SECCOMP_RET_ERRNO },
                { "KILL", SECCOMP_RET_KILL_THREAD },
                { "KILL_THREAD", SECCOMP_RET_KILL_THREAD },
                { "KILL_PROCESS", SECCOMP_RET_KILL_PROCESS },
                { "TRAP", SECCOMP_RET_TRAP },
                { "TRACE", SECCOMP_RET_TRACE },
                { "LOG", SECCOMP_RET_LOG },
        };

        if (streq(name, "SCMP_ACT_NOTIFY"))
                return report(diag, DIAG_ERROR, EOPNOTSUPP, s->doc, at, path,
                              "SCMP_ACT_NOTIFY needs a seccomp listener (listenerPath), which a precompiled filter "
                              "cannot provide: refusing.");
        if (errno_set && !streq(name, "SCMP_ACT_ERRNO") && !streq(name, "SCMP_ACT_TRACE"))
                return report(diag, DIAG_ERROR, EINVAL, s->doc, at, path,
                              "an errno value is given for action %s (only SCMP_ACT_ERRNO and SCMP_ACT_TRACE take one).",
                              name);
        if (strneq(name, "SCMP_ACT_", strlen("SCMP_ACT_")))
                for (size_t i = 0; i < ELEMENTSOF(table); i++)
                        if (streq(name + strlen("SCMP_ACT_"), table[i].name)) {
                                uint32_t a = table[i].action;

                                /* SCMP_ACT_ERRNO(x) and SCMP_ACT_TRACE(x) keep the low 16 bits. */
                                if (a == SECCOMP_RET_ERRNO || a == SECCOMP_RET_TRACE)
                                        a |= (errno_set ? errno_ret : EPERM) & 0xffff;
                                *ret = a;
                                return 0;
                        }
        return report(diag, DIAG_ERROR, EINVAL, s->doc, at, path,
                      "unknown action \"%s\" (SCMP_ACT_ALLOW, SCMP_ACT_ERRNO, SCMP_ACT_KILL, SCMP_ACT_KILL_PROCESS, "
                      "SCMP_ACT_KILL_THREAD, SCMP_ACT_TRAP, SCMP_ACT_TRACE, SCMP_ACT_LOG).", name);
}

/* libseccomp refuses an ERRNO whose (cut) errno is MAX_ERRNO or more. */
static int check_action(const OciSpec *s, Diag *diag, uint32_t action, const JsonValue *at, const char *path,
                        uint32_t errno_ret) {
        if ((action & SECCOMP_RET_ACTION_FULL) == SECCOMP_RET_ERRNO && (action & SECCOMP_RET_DATA) >= LIBSECCOMP_MAX_ERRNO)
                return report(diag, DIAG_ERROR, EINVAL, s->doc, at, path,
                              "errno %" PRIu32 " is out of range: cut to 16 bits it is %u, and libseccomp takes only "
                              "0…%d.", errno_ret, action & SECCOMP_RET_DATA, LIBSECCOMP_MAX_ERRNO - 1);
        return 0;
}

static int op_of(const char *op, ArgOp *ret) {
        static const struct {
                const char *name;
                ArgOp op;
        } table[] = {
                { "SCMP_CMP_NE", ARG_NE },
                { "SCMP_CMP_LT", ARG_LT },
                { "SCMP_CMP_LE", ARG_LE },
                { "SCMP_CMP_EQ", ARG_EQ },
                { "SCMP_CMP_GE", ARG_GE },
                { "SCMP_CMP_GT", ARG_GT },
                { "SCMP_CMP_MASKED_EQ", ARG_MASKED_EQ },
        };

        for (size_t i = 0; i < ELEMENTSOF(table); i++)
                if (streq(op, table[i].name)) {
                        *ret = table[i].op;
                        return 0;
                }
        return -EINVAL;
}

static int arch_of(const char *name, Abi *ret) {
        char lower[32];
        size_t n = 0;

        if (strneq(name, "SCMP_ARCH_", strlen("SCMP_ARCH_")))
                name += strlen("SCMP_ARCH_");
        for (; name[n] && n < sizeof lower - 1; n++)    /* crun copies at most 31 characters */
                lower[n] = (char) tolower((unsigned char) name[n]);
        lower[n] = 0;
        if (!strv_has(libseccomp_arches, lower))
                return -EINVAL;
        *ret = abi_from_name(lower);
        return *ret >= 0 ? 0 : -EINVAL;
}

/* libseccomp keeps each ABI's conditional rules for a call as a tree of comparisons ordered by
 * argument: a new rule whose comparisons (in argument order, as that ABI compares them) are those
 * an earlier rule starts with, with another action, is refused with -EEXIST (db.c, _db_tree_add()).
 * The chains are the ABI's own: 32-bit ABIs compare low halves only (two rules apart on x86-64 can
 * be one on x86), and on ABIs that multiplex socket and IPC calls the multiplexer's chain starts
 * with its argument 0 (the call) and keeps the rule's arguments 1…5 (seccomp_rule_add()). */
typedef struct Chain {
        Abi abi;
        int id;                         /* the call whose tree it is (the multiplexer's for its chains) */
        uint32_t action;
        uint16_t n;
        ArgCmp cmp[ARG_CMP_ARGS + 1];
        SourceLoc loc;
        ssize_t next;                   /* the next chain of the same ABI and call, or -1 */
} Chain;

typedef struct RuleList {
        LayerRule *rules;
        size_t n, allocated;
        Chain *chains;
        size_t n_chains, allocated_chains;
        ssize_t *first;                 /* [abi * syscall_count() + id]: its first chain, or -1 (NULL: none yet) */
} RuleList;

/* The chains of one ABI and call, in the order they came (a profile has a thousand chains: a
 * list per call keeps the checks below linear). */
#define CHAINS_FOREACH(c, l, a, i)                                                                      \
        for (ssize_t _k = (l)->first ? (l)->first[(size_t) (a) * syscall_count() + (size_t) (i)] : -1;  \
             _k >= 0 && ((c) = &(l)->chains[_k], true); _k = (c)->next)

static int cmp_by_arg(const void *a, const void *b) {
        const ArgCmp *x = a, *y = b;

        return (x->arg > y->arg) - (x->arg < y->arg);
}

static bool cmps_equal(const ArgCmp *a, const ArgCmp *b) {
        return a->arg == b->arg && a->op == b->op && a->mask == b->mask && a->datum == b->datum;
}

/* c as an ABI of arg_bits compares it (libseccomp masks the datum, and drops a masked comparison
 * of nothing); false when it is dropped. */
static bool chain_cmp(const ArgCmp *c, unsigned arg_bits, ArgCmp *ret) {
        uint64_t width = arg_bits == 32 ? UINT32_MAX : UINT64_MAX;

        *ret = *c;
        ret->datum &= width;
        if (c->op == ARG_MASKED_EQ) {
                ret->mask &= width;
                ret->datum &= ret->mask;
                if (ret->mask == 0)
                        return false;
        }
        return true;
}

/* A call's rule without conditions (n == 0 in the list) ends its tree: libseccomp ignores the
 * conditional rules that come after it, and drops those before. */
static bool chain_unconditional(const RuleList *l, Abi abi, int id) {
        const Chain *c;

        CHAINS_FOREACH(c, l, abi, id)
                if (c->n == 0)
                        return true;
        return false;
}

static const Chain *chain_conflict(const RuleList *l, const Chain *new) {
        const Chain *c;

        if (new->n == 0 || chain_unconditional(l, new->abi, new->id))
                return NULL;
        CHAINS_FOREACH(c, l, new->abi, new->id) {
                bool prefix = true;

                if (c->n < new->n || c->action == new->action)
                        continue;
                for (size_t k = 0; k < new->n && prefix; k++)
                        prefix = cmps_equal(&c->cmp[k], &new->cmp[k]);
                if (prefix)
                        return c;
        }
        return NULL;
}

static int chain_append(Arena *arena, RuleList *l, const Chain *c) {
        size_t n_ids = syscall_count();
        ssize_t *slot;

        if (!l->first) {
                l->first = arena_alloc_array(arena, (size_t) _ABI_MAX * n_ids, sizeof(ssize_t));
                if (!l->first)
                        return -ENOMEM;
                for (size_t i = 0; i < (size_t) _ABI_MAX * n_ids; i++)
                        l->first[i] = -1;
        }
        if (!ARENA_GREEDY(arena, l->chains, l->allocated_chains, l->n_chains + 1))
                return -ENOMEM;
        l->chains[l->n_chains] = *c;
        l->chains[l->n_chains].next = -1;
        /* at the end of its list: the order of the rules is the order of the checks */
        for (slot = &l->first[(size_t) c->abi * n_ids + (size_t) c->id]; *slot >= 0; slot = &l->chains[*slot].next)
                ;
        *slot = (ssize_t) l->n_chains++;
        return 0;
}

/* The chains rule gives libseccomp on every ABI of abis; a conflict is returned in *ret. */
static int add_chains(Arena *arena, RuleList *l, const LayerRule *rule, AbiSet abis, const Chain **ret) {
        const AbiMultiplexed *mux = abi_multiplexed(syscall_name(rule->syscall));
        int mux_id = mux ? syscall_from_name(mux->ipc ? "ipc" : "socketcall") : -1, r;

        *ret = NULL;
        ABI_SET_FOREACH(a, abis) {
                for (int m = 0; m <= 1; m++) {
                        Chain c = { .abi = a, .id = rule->syscall, .action = rule->action, .loc = rule->loc };

                        if (m == 0) {
                                if (syscall_nr(a, rule->syscall) < 0)
                                        continue;
                        } else {
                                if (!mux || mux_id < 0 || !abi_info[a].socketcall)
                                        continue;
                                c.id = mux_id;
                                c.cmp[c.n++] = CMP(0, ARG_EQ, mux->call);
                        }
                        for (size_t k = 0; k < rule->n_cmp; k++)
                                if ((m == 0 || rule->cmp[k].arg > 0) &&
                                    chain_cmp(&rule->cmp[k], abi_info[a].arg_bits, &c.cmp[c.n]))
                                        c.n++;
                        *ret = chain_conflict(l, &c);
                        if (*ret)
                                return 0;
                        if (c.n == 0 && chain_unconditional(l, a, c.id))
                                continue;
                        r = chain_append(arena, l, &c);
                        if (r < 0)
                                return r;
                }
        }
        return 0;
}

static int add_rule(const OciSpec *s, Arena *arena, Diag *diag, RuleList *l, const OciSyscall *sc, size_t name_pos,
                    int id, uint32_t action, AbiSet abis, const ArgCmp *cmps, size_t n_cmp) {
        const Chain *other;
        LayerRule rule;
        ArgCmp *copy = NULL;
        int r;

        if (n_cmp > 0) {
                copy = arena_alloc_array(arena, n_cmp, sizeof(ArgCmp));
                if (!copy)
                        return -ENOMEM;
                memcpy(copy, cmps, n_cmp * sizeof(ArgCmp));
                qsort(copy, n_cmp, sizeof(ArgCmp), cmp_by_arg);
        }
        rule = (LayerRule) {
                .syscall = id,
                .abis = abis,
                .action = action,
                .rewrite = true,                /* seccomp_rule_add_array(), not _exact() */
                .n_cmp = (uint16_t) n_cmp,
                .cmp = copy,
                .loc = json_loc(s->doc, sc->names[name_pos]),
        };

        r = add_chains(arena, l, &rule, abis, &other);
        if (r < 0)
                return r;
        if (other) {
                char path[PATH_MAX_LEN], a[64], b[64];

                path_fmt(path, sizeof path, "%ssyscalls[%zu].names[%zu]", s->prefix, sc->pos, name_pos);
                return report(diag, DIAG_ERROR, EEXIST, s->doc, sc->names[name_pos], path,
                              "%s: on %s%s%s%s, its conditions are those of the rule at line %u (or their start), with "
                              "another action (%s, there %s): libseccomp refuses that.", syscall_name(id),
                              abi_to_name(other->abi), other->id == id ? "" : ", through ",
                              other->id == id ? "" : syscall_name(other->id), other->id == id ? "" : "()",
                              other->loc.line, action_to_string(action, a, sizeof a),
                              action_to_string(other->action, b, sizeof b));
        }
        if (!ARENA_GREEDY(arena, l->rules, l->allocated, l->n + 1))
                return -ENOMEM;
        l->rules[l->n++] = rule;
        return 0;
}

int oci_spec_to_layer(const OciSpec *s, Abi native, unsigned flags, Arena *arena, Diag *diag, Layer *ret) {
        char path[PATH_MAX_LEN], self[PATH_MAX_LEN];
        uint32_t default_action;
        RuleList l = {};
        AbiSet abis;
        int r;

        if (s->prefix[0])
                path_fmt(self, sizeof self, "%.*s", (int) strlen(s->prefix) - 1, s->prefix);
        else
                path_fmt(self, sizeof self, "(top level)");

        if (!s->default_action)
                return report(diag, DIAG_ERROR, EINVAL, s->doc, s->json, self, "\"defaultAction\" is missing.");
        path_fmt(path, sizeof path, "%sdefaultAction", s->prefix);
        r = action_of(s, diag, s->default_action, s->default_action_json, path, s->default_errno_set,
                      s->default_errno, &default_action);
        if (r < 0)
                return r;
        r = check_action(s, diag, default_action, s->default_errno_json ?: s->default_action_json, path, s->default_errno);
        if (r < 0)
                return r;

        if (s->listener_path && s->listener_path->string.len > 0) {
                path_fmt(path, sizeof path, "%slistenerPath", s->prefix);
                return report(diag, DIAG_ERROR, EOPNOTSUPP, s->doc, s->listener_path, path,
                              "a seccomp listener cannot be served by a precompiled filter: refusing.");
        }

        for (size_t i = 0; i < s->n_flags; i++) {
                path_fmt(path, sizeof path, "%sflags[%zu]", s->prefix, i);
                if (!strv_has(crun_flags, s->flags[i]->string.s))
                        return report(diag, DIAG_ERROR, EINVAL, s->doc, s->flags[i], path,
                                      "unknown flag \"%s\" (crun knows SECCOMP_FILTER_FLAG_TSYNC, _SPEC_ALLOW, _LOG, "
                                      "_WAIT_KILLABLE_RECV).", s->flags[i]->string.s);
                report(diag, DIAG_DEBUG, 0, s->doc, s->flags[i], path,
                       "%s is crun's to pass to seccomp(); it does not change the program.", s->flags[i]->string.s);
        }

        abis = ABI_BIT(native);
        for (size_t i = 0; i < s->n_architectures; i++) {
                Abi a;

                path_fmt(path, sizeof path, "%sarchitectures[%zu]", s->prefix, i);
                if (arch_of(s->architectures[i]->string.s, &a) < 0)
                        return report(diag, DIAG_ERROR, EINVAL, s->doc, s->architectures[i], path,
                                      "unknown architecture \"%s\" (libseccomp 2.5 does not know it).",
                                      s->architectures[i]->string.s);
                if (!(abi_info[native].host_abis & ABI_BIT(a)))
                        report(diag, DIAG_DEBUG, 0, s->doc, s->architectures[i], path,
                               "%s calls never reach a %s host's filter: nothing to compile for it.",
                               abi_to_name(a), abi_to_name(native));
                abis |= ABI_BIT(a);
        }

        for (size_t i = 0; i < s->n_syscalls; i++) {
                const OciSyscall *sc = &s->syscalls[i];
                ArgCmp cmps[ARG_CMP_ARGS];
                unsigned count[ARG_CMP_ARGS] = {};
                bool split = false, any_known = false;
                size_t n_cmp = 0;
                uint32_t action;

                path_fmt(path, sizeof path, "%ssyscalls[%zu].action", s->prefix, sc->pos);
                r = action_of(s, diag, sc->action, sc->action_json, path, sc->errno_ret_set, sc->errno_ret, &action);
                if (r < 0)
                        return r;
                if (action == default_action) {
                        path_fmt(path, sizeof path, "%ssyscalls[%zu]", s->prefix, sc->pos);
                        report(diag, DIAG_DEBUG, 0, s->doc, sc->json, path,
                               "the rule's action is the default action: crun drops the rule.");
                        continue;
                }
                /* libseccomp checks the action, and crun the comparisons, when a name is added: a
                 * rule of names libseccomp does not know is never checked. */
                for (size_t j = 0; j < sc->n_names && !any_known; j++)
                        any_known = oci_libseccomp_knows(sc->names[j]->string.s);
                if (any_known) {
                        r = check_action(s, diag, action, sc->errno_ret_json ?: sc->action_json, path, sc->errno_ret);
                        if (r < 0)
                                return r;

                        /* crun looks at the first six comparisons only. */
                        n_cmp = MIN(sc->n_args, (size_t) ARG_CMP_ARGS);
                        if (sc->n_args > ARG_CMP_ARGS) {
                                path_fmt(path, sizeof path, "%ssyscalls[%zu].args[%d]", s->prefix, sc->pos, ARG_CMP_ARGS);
                                report(diag, DIAG_WARNING, 0, s->doc, sc->args[ARG_CMP_ARGS].json, path,
                                       "more than %d comparisons: crun ignores these, ignoring.", ARG_CMP_ARGS);
                        }
                        for (size_t k = 0; k < n_cmp; k++) {
                                const OciArg *a = &sc->args[k];
                                ArgOp op;

                                if (a->index >= ARG_CMP_ARGS) {
                                        path_fmt(path, sizeof path, "%ssyscalls[%zu].args[%zu].index", s->prefix, sc->pos, k);
                                        return report(diag, DIAG_ERROR, EINVAL, s->doc, a->index_json, path,
                                                      "argument index %" PRIu64 " is out of range 0…5.", a->index);
                                }
                                if (op_of(a->op, &op) < 0) {
                                        path_fmt(path, sizeof path, "%ssyscalls[%zu].args[%zu].op", s->prefix, sc->pos, k);
                                        return report(diag, DIAG_ERROR, EINVAL, s->doc, a->op_json, path,
                                                      "unknown operator \"%s\" (SCMP_CMP_NE, _LT, _LE, _EQ, _GE, _GT, "
                                                      "_MASKED_EQ).", a->op);
                                }
                                if (++count[a->index] > 1)
                                        split = true;
                                if (op == ARG_MASKED_EQ)
                                        cmps[k] = CMP_MASKED((uint8_t) a->index, a->value, a->value_two & a->value);
                                else
                                        cmps[k] = CMP((uint8_t) a->index, op, a->value);
                        }

                }

                for (size_t j = 0; j < sc->n_names; j++) {
                        const char *name = sc->names[j]->string.s;
                        bool newer = strv_has(newer_than_libseccomp, name);
                        AbiSet rule_abis;
                        int id = newer ? -ENOENT : syscall_from_name(name);

                        if (id < 0) {
                                path_fmt(path, sizeof path, "%ssyscalls[%zu].names[%zu]", s->prefix, sc->pos, j);
                                report(diag, flags & OCI_STRICT_NAMES ? DIAG_ERROR : DIAG_WARNING, 0, s->doc, sc->names[j], path,
                                       "%s system call \"%s\"%s.", newer ? "libseccomp 2.5.4 does not know the" : "unknown",
                                       name, flags & OCI_STRICT_NAMES ? "" : " (crun skips it), ignoring");
                                if (flags & OCI_STRICT_NAMES)
                                        return -EINVAL;
                                continue;
                        }
                        rule_abis = abis & ~libseccomp_lacks(name);
                        if (!split)
                                r = add_rule(s, arena, diag, &l, sc, j, id, action, rule_abis, cmps, n_cmp);
                        else    /* two conditions on one argument: crun makes each its own rule */
                                for (size_t k = 0; k < n_cmp && r >= 0; k++)
                                        r = add_rule(s, arena, diag, &l, sc, j, id, action, rule_abis, &cmps[k], 1);
                        if (r < 0)
                                return r;
                }
        }

        *ret = (Layer) {
                .source = LAYER_SYSCALL_FILTER,
                .abis = abis,
                .default_action = default_action,
                .unassigned_action = default_action,
                .badarch_action = SECCOMP_RET_KILL_THREAD,
                .loc = json_loc(s->doc, s->default_action_json),
                .rules = l.rules,
                .n_rules = l.n,
        };
        return 0;
}

/* ---- loading ---- */

OciSeccomp *oci_seccomp_free(OciSeccomp *s) {
        if (s) {
                Arena a = s->arena;

                json_document_free(s->doc);
                arena_done(&a);
        }
        return NULL;
}

static bool is_profile(const JsonValue *v) {
        const JsonValue *syscalls = json_object_get(v, "syscalls");

        if (json_object_get(v, "archMap") || json_object_get(v, "defaultErrno"))
                return true;
        if (syscalls && syscalls->type == JSON_ARRAY)
                for (size_t i = 0; i < syscalls->array.n; i++) {
                        const JsonValue *e = syscalls->array.items[i];

                        if (json_object_get(e, "includes") || json_object_get(e, "excludes") ||
                            json_object_get(e, "name") || json_object_get(e, "comment") || json_object_get(e, "errno"))
                                return true;
                }
        return false;
}

static int running_kernel(unsigned *major, unsigned *minor) {
        struct utsname u;

        if (uname(&u) < 0 || sscanf(u.release, "%u.%u", major, minor) != 2)
                return -EINVAL;
        return 0;
}

int oci_seccomp_load(const char *path, const OciLoadOptions *o, Diag *diag, OciSeccomp **ret) {
        _cleanup_(oci_seccomp_freep) OciSeccomp *s = NULL;
        _cleanup_free_ char *config = NULL;
        OciLoadOptions opts = o ? *o : (OciLoadOptions) { .native = _ABI_INVALID };
        Abi native = opts.native >= 0 ? opts.native : abi_native();
        unsigned warnings = diag ? diag->n_warnings : 0;
        const JsonValue *root, *v;
        OciInput input = opts.input;
        Arena arena = {};
        struct stat st;
        int r;

        s = arena_alloc(&arena, sizeof(OciSeccomp));
        if (!s) {
                arena_done(&arena);
                return -ENOMEM;
        }
        s->arena = arena;

        if ((input == OCI_INPUT_AUTO || input == OCI_INPUT_CONFIG) && stat(path, &st) >= 0 && S_ISDIR(st.st_mode)) {
                if (asprintf(&config, "%s/config.json", path) < 0)
                        return -ENOMEM;
                input = OCI_INPUT_CONFIG;
        }
        r = json_parse_file(config ?: path, diag, &s->doc);
        if (r < 0)
                return r;
        root = s->doc->root;

        if (input == OCI_INPUT_AUTO) {
                if (root->type == JSON_OBJECT && (json_object_get(root, "ociVersion") || json_object_get(root, "linux") ||
                                                  json_object_get(root, "process")))
                        input = OCI_INPUT_CONFIG;
                else if (root->type == JSON_OBJECT && is_profile(root))
                        input = OCI_INPUT_PROFILE;
                else
                        input = OCI_INPUT_SECCOMP;
        }
        s->input = input;

        switch (input) {
        case OCI_INPUT_CONFIG: {
                const JsonValue *linux_ = json_object_get(root, "linux");

                if (root->type != JSON_OBJECT)
                        return report(diag, DIAG_ERROR, EINVAL, s->doc, root, "(top level)",
                                      "expected an object (a runtime spec), got %s.", json_type_to_string(root->type));
                if (linux_ && linux_->type != JSON_OBJECT && linux_->type != JSON_NULL)
                        return report(diag, DIAG_ERROR, EINVAL, s->doc, linux_, "linux",
                                      "expected an object, got %s.", json_type_to_string(linux_->type));
                v = member(linux_, "seccomp");
                if (!v) {
                        diag_log(diag, DIAG_NOTICE, &(SourceLoc) { s->doc->file, 0, 0 }, 0,
                                 "No linux.seccomp: the container runs without a seccomp filter.");
                        s->disabled = true;
                        break;
                }
                r = oci_spec_parse(s->doc, v, "linux.seccomp.", &s->arena, diag, &s->spec);
                if (json_object_get(json_object_get(root, "annotations"), OCI_ANNOTATION_FAIL_UNKNOWN))
                        opts.flags |= OCI_STRICT_NAMES;
                break;
        }
        case OCI_INPUT_PROFILE: {
                OciProfileContext ctx = {
                        .arch = native,
                        .caps = opts.caps ?: (char **) oci_docker_default_caps,
                        .kernel_major = opts.kernel_major,
                        .kernel_minor = opts.kernel_minor,
                };

                if (ctx.kernel_major == 0 && running_kernel(&ctx.kernel_major, &ctx.kernel_minor) < 0)
                        return diag_log(diag, DIAG_ERROR, NULL, EINVAL, "Cannot tell the running kernel's version.");
                r = oci_profile_resolve(s->doc, root, &ctx, &s->arena, diag, &s->spec, &s->disabled);
                if (r >= 0 && s->disabled)
                        diag_log(diag, DIAG_NOTICE, &(SourceLoc) { s->doc->file, 0, 0 }, 0,
                                 "The profile has no defaultAction and no syscalls: seccomp is disabled.");
                break;
        }
        default:
                r = oci_spec_parse(s->doc, root, "", &s->arena, diag, &s->spec);
        }
        if (r < 0)
                return r;

        if (!s->disabled) {
                r = oci_spec_to_layer(&s->spec, native, opts.flags, &s->arena, diag, &s->layer);
                if (r < 0)
                        return r;
        }

        if (opts.strict && diag && diag->n_warnings > warnings)
                return diag_log(diag, DIAG_ERROR, &(SourceLoc) { s->doc->file, 0, 0 }, EINVAL,
                                "Refusing the input: %u warning%s in strict mode.", diag->n_warnings - warnings,
                                diag->n_warnings - warnings == 1 ? "" : "s");
        *ret = TAKE_PTR(s);
        return 0;
}

int oci_seccomp_compile(const OciSeccomp *s, Abi native, bool verify, Diag *diag, Sandbox **ret) {
        _cleanup_(sandbox_freep) Sandbox *sb = NULL;
        _cleanup_(policy_freep) Policy *p = NULL;
        _cleanup_(arena_done) Arena scratch = {};       /* may live in p's mapping: done with first */
        int r;

        r = policy_new(native, &scratch, &p);
        if (r < 0)
                return r;
        if (!s->disabled) {
                p->uses_seccomp = true;
                r = policy_merge(p, &s->layer, 1, diag, &scratch);
                if (r == -E2BIG)
                        return diag_log(diag, DIAG_ERROR, &(SourceLoc) { s->doc->file, 0, 0 }, r,
                                        "The rules of one call are too complex to merge exactly.");
                if (r < 0) {
                        arena_done(&scratch);
                        return r;
                }
        }

        sb = calloc(1, sizeof(Sandbox));
        if (!sb)
                return -ENOMEM;
        sb->policy = TAKE_PTR(p);
        sb->layout = LAYOUT_SINGLE;
        sb->uses_seccomp = !s->disabled;

        if (s->disabled) {               /* no filter at all, not an allow-all one */
                *ret = TAKE_PTR(sb);
                return 0;
        }
        arena_reset(&scratch);
        r = bpf_gen_in(sb->policy, LAYOUT_SINGLE, &scratch, &sb->progs, &sb->n_progs);
        if (r == -E2BIG)
                return diag_log(diag, DIAG_ERROR, NULL, r, "The generated filter exceeds the kernel's limit of %d instructions.",
                                BPF_MAXINSNS_SECCOMP);
        if (r < 0)
                return r;

        if (verify) {
                VerifyStats stats = {};

                r = verify_programs(sb->policy, sb->progs, sb->n_progs, diag, &stats);
                if (r == -ENOMEM)
                        return r;
                if (r < 0)
                        return diag_log(diag, DIAG_ERROR, NULL, r,
                                        "Verification failed: %zu of %zu calls differ from the policy, %zu allowed calls not cacheable.",
                                        stats.mismatches, stats.calls, stats.uncached);
        }
        *ret = TAKE_PTR(sb);
        return 0;
}
