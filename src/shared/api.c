/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The public API: argument checks and error codes in one place, as libseccomp's api.c. Internal
 * errors are mapped onto libseccomp's stable set; anything else becomes -EFAULT. */

#include "megafilter.h"
#include "sandbox.h"
#include "unit-properties.h"

struct mf_unit {
        UnitFile *file;
        Directives *directives;
        unsigned warnings;
        bool fatal;                     /* a setting systemd treats as fatal for the unit */
};

struct mf_sandbox {
        Sandbox *sandbox;
};

typedef struct LogBridge {
        mf_log_fn fn;
        void *userdata;
} LogBridge;

static void log_bridge(void *userdata, int level, const SourceLoc *loc, const char *message) {
        LogBridge *b = userdata;

        if (b->fn)
                b->fn(level, loc ? loc->file : NULL, loc ? loc->line : 0, message, b->userdata);
        else if (level <= DIAG_NOTICE) {
                char prefix[1024];
                fprintf(stderr, "%s%s\n", source_loc_prefix(loc, prefix, sizeof prefix), message);
        }
}

/* Errors a caller can rely on; input problems of every kind are -EINVAL. */
static int api_error(int r) {
        switch (r) {
        case 0:
        case -EINVAL:
        case -ENOMEM:
        case -EEXIST:
        case -EDOM:
        case -EACCES:
        case -EOPNOTSUPP:
        case -ECANCELED:
        case -ESRCH:
        case -EFAULT:
                return r;
        case -ENOENT:
        case -EISDIR:
        case -ELOOP:
        case -E2BIG:
        case -ENOEXEC:
        case -EBADSLT:
        case -ENOTDIR:
        case -ENAMETOOLONG:
                return -EINVAL;
        default:
                return r > 0 ? 0 : -EFAULT;
        }
}

_public_ int mf_unit_new(const char *name, mf_unit **ret) {
        mf_unit *u;
        int r;

        if (!name || !ret)
                return -EINVAL;

        u = calloc(1, sizeof(mf_unit));
        if (!u)
                return -ENOMEM;
        r = unit_file_new(name, &u->file);
        if (r >= 0)
                r = directives_new(&u->directives);
        if (r < 0) {
                mf_unit_free(u);
                return api_error(r);
        }
        *ret = u;
        return 0;
}

_public_ int mf_unit_load(const char *unit, unsigned flags, mf_log_fn log, void *userdata, mf_unit **ret) {
        LogBridge bridge = { log, userdata };
        Diag diag = { .func = log_bridge, .userdata = &bridge, .max_level = DIAG_DEBUG };
        mf_unit *u;
        int r;

        if (!unit || !ret || (flags & ~(MF_UNIT_USER | MF_UNIT_STRICT)))
                return -EINVAL;

        u = calloc(1, sizeof(mf_unit));
        if (!u)
                return -ENOMEM;

        r = unit_file_load(unit, flags & MF_UNIT_USER ? UNIT_LOAD_USER : 0, &diag, &u->file);
        if (r >= 0)
                r = directives_new(&u->directives);
        if (r >= 0) {
                r = directives_apply_unit(u->directives, u->file, &diag);
                if (r == -ENOEXEC) {
                        u->fatal = true;
                        r = 0;
                }
        }
        u->warnings = diag.n_warnings + diag.n_errors;
        if (r >= 0 && (u->fatal || ((flags & MF_UNIT_STRICT) && u->warnings > 0)))
                r = -EINVAL;
        if (r < 0) {
                mf_unit_free(u);
                return api_error(r);
        }
        *ret = u;
        return 0;
}

_public_ int mf_unit_set_property(mf_unit *u, const char *assignment, mf_log_fn log, void *userdata) {
        LogBridge bridge = { log, userdata };
        Diag diag = { .func = log_bridge, .userdata = &bridge, .max_level = DIAG_DEBUG };
        _cleanup_free_ char *key = NULL;
        const char *eq;
        int r;

        if (!u || !assignment)
                return -EINVAL;
        eq = strchr(assignment, '=');
        if (!eq || eq == assignment)
                return -EINVAL;
        key = strndup(assignment, eq - assignment);
        if (!key)
                return -ENOMEM;

        r = unit_file_append(u->file, "Service", key, eq + 1, (SourceLoc) { "(assignment)", 0 });
        if (r < 0)
                return api_error(r);
        r = directives_apply(u->directives, u->file, &u->file->entries[u->file->n_entries - 1], &diag);
        u->warnings += diag.n_warnings + diag.n_errors;
        if (r == -ENOEXEC)
                u->fatal = true;
        if (r < 0 || diag.n_warnings + diag.n_errors > 0)
                return r == -ENOMEM ? -ENOMEM : -EINVAL;
        return 0;
}

_public_ int mf_unit_get_property(const mf_unit *u, const char *name, char **ret) {
        int r;

        if (!u || !name || !ret)
                return -EINVAL;
        r = sandbox_property_format(u->directives, name, ret);
        return api_error(r == -ENOENT ? -EINVAL : r);
}

_public_ unsigned mf_unit_warnings(const mf_unit *u) {
        return u ? u->warnings : 0;
}

_public_ void mf_unit_free(mf_unit *u) {
        if (!u)
                return;
        directives_free(u->directives);
        unit_file_free(u->file);
        free(u);
}

_public_ int mf_compile(const mf_unit *u, const struct mf_compile_options *opts, mf_log_fn log, void *userdata,
                        mf_sandbox **ret) {
        LogBridge bridge = { log, userdata };
        Diag diag = { .func = log_bridge, .userdata = &bridge, .max_level = DIAG_DEBUG };
        CompileOptions o = COMPILE_OPTIONS_DEFAULT;
        mf_sandbox *s;
        int r;

        if (!u || !ret || (opts && opts->size < sizeof(struct mf_compile_options)))
                return -EINVAL;
        if (u->fatal)
                return -EINVAL;

        if (opts) {
                if (opts->arch) {
                        o.native = abi_from_name(opts->arch);
                        if (o.native < 0)
                                return -EOPNOTSUPP;
                }
                if (opts->layout != MF_LAYOUT_SPLIT && opts->layout != MF_LAYOUT_SINGLE)
                        return -EINVAL;
                if (opts->mdwe < MF_MDWE_AUTO || opts->mdwe > MF_MDWE_SECCOMP)
                        return -EINVAL;
                o.layout = opts->layout == MF_LAYOUT_SINGLE ? LAYOUT_SINGLE : LAYOUT_SPLIT;
                o.mdwe = opts->mdwe == MF_MDWE_PRCTL ? MDWE_PRCTL : opts->mdwe == MF_MDWE_SECCOMP ? MDWE_SECCOMP : MDWE_AUTO;
                o.verify = opts->verify;
        }

        s = calloc(1, sizeof(mf_sandbox));
        if (!s)
                return -ENOMEM;
        r = sandbox_compile(u->directives, &o, &diag, &s->sandbox);
        if (r < 0) {
                free(s);
                return api_error(r == -E2BIG ? -EINVAL : r);
        }
        *ret = s;
        return 0;
}

_public_ size_t mf_sandbox_filter_count(const mf_sandbox *s) {
        return s ? s->sandbox->n_progs : 0;
}

_public_ int mf_sandbox_filter(const mf_sandbox *s, size_t i, const char **name, const struct sock_filter **insns, size_t *n) {
        const BpfProgram *p;

        if (!s || i >= s->sandbox->n_progs)
                return -EINVAL;
        p = &s->sandbox->progs[i];
        if (name)
                *name = p->name;
        if (insns)
                *insns = p->insns;
        if (n)
                *n = p->n;
        return 0;
}

_public_ int mf_sandbox_install(const mf_sandbox *s, unsigned flags, mf_log_fn log, void *userdata) {
        LogBridge bridge = { log, userdata };
        Diag diag = { .func = log_bridge, .userdata = &bridge, .max_level = DIAG_DEBUG };
        int r;

        if (!s || (flags & ~(MF_INSTALL_TSYNC | MF_INSTALL_RAW_ERRNO)))
                return -EINVAL;

        r = sandbox_install(s->sandbox,
                            (flags & MF_INSTALL_TSYNC ? INSTALL_TSYNC : 0) |
                            (flags & MF_INSTALL_RAW_ERRNO ? INSTALL_RAW_ERRNO : 0),
                            &diag);
        if (r < 0 && (flags & MF_INSTALL_RAW_ERRNO))
                return r;
        return api_error(r);
}

_public_ void mf_sandbox_free(mf_sandbox *s) {
        if (!s)
                return;
        sandbox_free(s->sandbox);
        free(s);
}
