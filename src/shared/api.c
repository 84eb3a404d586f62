/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The public API, units and compiling: argument checks and error codes in one place, as
 * libseccomp's api.c. Structured setters are in api-setters.c, sandboxes in api-sandbox.c. */

#include "api-internal.h"
#include "syscall-table.h"
#include "unit-name.h"
#include "unit-properties.h"

_public_ const struct mf_version *mf_version(void) {
        static const struct mf_version v = { MF_VERSION_MAJOR, MF_VERSION_MINOR, MF_VERSION_MICRO };

        return &v;
}

static void log_bridge(void *userdata, int level, const SourceLoc *loc, const char *message) {
        ApiLog *l = userdata;

        if (level <= DIAG_ERROR && !l->first_error[0]) {
                char prefix[1024];

                snprintf(l->first_error, sizeof l->first_error, "%s%s", source_loc_prefix(loc, prefix, sizeof prefix), message);
        }
        if (l->fn)
                l->fn(level, loc ? loc->file : NULL, loc ? loc->line : 0, message, l->userdata);
}

void api_log_init(ApiLog *l, mf_log_fn fn, void *userdata) {
        *l = (ApiLog) {
                .fn = fn,
                .userdata = userdata,
                .diag = { .func = log_bridge, .userdata = l, .max_level = DIAG_DEBUG },
        };
}

int api_error(int r) {
        switch (r) {
        case -EBADMSG:                  /* a bad section header */
        case -E2BIG:                    /* a line of 1 MiB or more */
        case -EBADSLT:                  /* an unknown specifier */
        case -ENAMETOOLONG:
                return -EINVAL;
        case -ENOTDIR:                  /* a path through a file: not found */
                return -ENOENT;
        default:
                return r;
        }
}

int api_fail(ApiLog *l, struct mf_error *error, int r, int directive, Abi abi, int syscall_id) {
        struct mf_error e = {
                .error = r,
                .directive = directive,
                .abi = abi >= 0 ? abi_to_name(abi) : NULL,
                .syscall = syscall_id >= 0 ? syscall_name(syscall_id) : NULL,
        };

        if (!error || error->size < offsetof(struct mf_error, error) + sizeof(int))
                return r;
        if (l && l->first_error[0])
                snprintf(e.message, sizeof e.message, "%s", l->first_error);
        else
                snprintf(e.message, sizeof e.message, "%s", strerror(-r));
        e.size = error->size;
        memcpy(error, &e, MIN(error->size, sizeof e));
        return r;
}

/* ---- units ---- */

static bool unit_has_section(const UnitFile *u, const char *section) {
        for (size_t i = 0; i < u->n_entries; i++)
                if (streq(u->entries[i].section, section))
                        return true;
        return false;
}

int api_unit_new(UnitFile *file, Directives *d, mf_unit **ret) {
        mf_unit *u = calloc(1, sizeof(mf_unit));

        if (!u) {
                unit_file_free(file);
                directives_free(d);
                return -ENOMEM;
        }
        u->file = file;
        u->directives = d;
        *ret = u;
        return 0;
}

_public_ int mf_unit_new(const char *name, mf_unit **ret) {
        _cleanup_(directives_freep) Directives *d = NULL;
        UnitFile *file;
        int r;

        if (!name || !ret || !unit_name_is_valid(name, UNIT_NAME_ANY))
                return -EINVAL;

        file = calloc(1, sizeof(UnitFile));
        if (!file)
                return -ENOMEM;
        file->name = strdup(name);
        if (!file->name) {
                unit_file_free(file);
                return -ENOMEM;
        }
        r = directives_new(&d);
        if (r < 0) {
                unit_file_free(file);
                return r;
        }
        return api_unit_new(file, TAKE_PTR(d), ret);
}

_public_ int mf_unit_load(const char *unit, unsigned flags, mf_log_fn log, void *userdata, mf_unit **ret) {
        _cleanup_(unit_file_freep) UnitFile *file = NULL;
        _cleanup_(directives_freep) Directives *d = NULL;
        ApiLog l;
        int r;

        if (!unit || !ret || (flags & ~(MF_UNIT_USER | MF_UNIT_STRICT)))
                return -EINVAL;
        api_log_init(&l, log, userdata);

        r = unit_file_load(unit, flags & MF_UNIT_USER ? UNIT_LOAD_USER : 0, &l.diag, &file);
        if (r < 0)
                return api_error(r);
        r = directives_new(&d);
        if (r < 0)
                return r;
        r = directives_apply_unit(d, file, &l.diag);
        if (r == -ENOEXEC)
                return diag_log(&l.diag, DIAG_ERROR, &(SourceLoc) { file->path, 0 }, ENOEXEC,
                                "Unit %s has a bad setting, refusing.", file->name);
        if (r < 0)
                return api_error(r);
        if (!unit_has_section(file, "Service"))
                diag_log(&l.diag, DIAG_WARNING, &(SourceLoc) { file->path, 0 }, 0,
                         "Unit %s has no [Service] section: it sets no sandbox, and compiles to no filter.", file->name);
        if ((flags & MF_UNIT_STRICT) && l.diag.n_warnings + l.diag.n_errors > 0)
                return diag_log(&l.diag, DIAG_ERROR, &(SourceLoc) { file->path, 0 }, EINVAL,
                                "Refusing unit %s: %u warning%s in strict mode.", file->name,
                                l.diag.n_warnings + l.diag.n_errors, l.diag.n_warnings + l.diag.n_errors == 1 ? "" : "s");

        r = api_unit_new(TAKE_PTR(file), TAKE_PTR(d), ret);
        if (r >= 0)
                (*ret)->warnings = l.diag.n_warnings + l.diag.n_errors;
        return r;
}

_public_ int mf_unit_set_property(mf_unit *u, const char *assignment, mf_log_fn log, void *userdata) {
        _cleanup_(directives_freep) Directives *copy = NULL;
        _cleanup_free_ char *key = NULL, *value = NULL;
        UnitEntry e;
        ApiLog l;
        const char *eq;
        int r;

        if (!u || !assignment)
                return -EINVAL;
        api_log_init(&l, log, userdata);
        e.loc = (SourceLoc) { "-p", ++u->n_assignments };

        eq = strchr(assignment, '=');
        if (!eq || eq == assignment) {
                u->warnings++;
                return diag_log(&l.diag, DIAG_WARNING, &e.loc, EINVAL, "Not an assignment, ignoring: %s", assignment);
        }
        key = strndup(assignment, eq - assignment);
        value = strdup(eq + 1);
        if (!key || !value)
                return -ENOMEM;
        e.section = (char *) "Service";
        e.key = key;
        e.value = value;

        /* All or nothing: the assignment is tried on a copy, which replaces the directives only
         * when it went through without a word of complaint. */
        r = directives_copy(u->directives, &copy);
        if (r < 0)
                return r;
        r = directives_apply(copy, u->file, &e, &l.diag);
        if (r == -ENOMEM)
                return r;
        u->warnings += l.diag.n_warnings + l.diag.n_errors;
        if (r < 0 || l.diag.n_warnings + l.diag.n_errors > 0)
                return -EINVAL;

        r = unit_file_append(u->file, "Service", key, value, e.loc);
        if (r < 0)
                return r;
        directives_free(u->directives);
        u->directives = TAKE_PTR(copy);
        return 0;
}

_public_ const char *mf_unit_name(const mf_unit *u) {
        return u ? u->file->name : NULL;
}

_public_ const char *mf_unit_path(const mf_unit *u) {
        return u ? u->file->path : NULL;
}

_public_ const char *const *mf_unit_property_names(void) {
        return sandbox_property_names;
}

_public_ int mf_unit_get_property(const mf_unit *u, const char *name, char **ret) {
        if (!u || !name || !ret)
                return -EINVAL;
        return sandbox_property_format(u->directives, name, ret);
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

/* ---- compiling ---- */

/* The size of the first published struct mf_compile_options (0.1): everything up to verify. */
#define COMPILE_OPTIONS_SIZE_0_1 (offsetof(struct mf_compile_options, verify) + sizeof(int))

int api_compile_options(const struct mf_compile_options *opts, CompileOptions *ret, uint64_t *ret_skip) {
        struct mf_compile_options o = {};
        CompileOptions c = COMPILE_OPTIONS_DEFAULT;

        c.verify = true;
        *ret_skip = 0;
        if (opts) {
                if (opts->size < COMPILE_OPTIONS_SIZE_0_1)
                        return -EINVAL;
                /* A newer caller's fields must be zero: nothing asked of us that we ignore. */
                for (size_t i = sizeof o; i < opts->size; i++)
                        if (((const uint8_t *) opts)[i] != 0)
                                return -EINVAL;
                memcpy(&o, opts, MIN(opts->size, sizeof o));

                if (o.arch) {
                        c.native = abi_from_name(o.arch);
                        if (c.native < 0)
                                return -EOPNOTSUPP;
                }
                if (o.layout != MF_LAYOUT_SPLIT && o.layout != MF_LAYOUT_SINGLE)
                        return -EINVAL;
                if (o.mdwe < MF_MDWE_AUTO || o.mdwe > MF_MDWE_SECCOMP)
                        return -EINVAL;
                if (o.verify != MF_VERIFY_DEFAULT && o.verify != MF_VERIFY_ON && o.verify != MF_VERIFY_OFF)
                        return -EINVAL;
                if (o.skip & ~(MF_DIRECTIVE_BIT(_MF_DIRECTIVE_MAX) - 1) & ~MF_DIRECTIVE_BIT(MF_DIRECTIVE_NONE))
                        return -EINVAL;
                if (o.skip & MF_DIRECTIVE_BIT(MF_DIRECTIVE_NONE))
                        return -EINVAL;

                c.layout = o.layout == MF_LAYOUT_SINGLE ? LAYOUT_SINGLE : LAYOUT_SPLIT;
                c.mdwe = o.mdwe == MF_MDWE_PRCTL ? MDWE_PRCTL : o.mdwe == MF_MDWE_SECCOMP ? MDWE_SECCOMP : MDWE_AUTO;
                if (o.unknown_syscalls != MF_UNKNOWN_SYSCALLS_ENOSYS &&
                    o.unknown_syscalls != MF_UNKNOWN_SYSCALLS_DEFAULT_ACTION)
                        return -EINVAL;

                c.verify = o.verify != MF_VERIFY_OFF;
                c.unknown_nr_default = o.unknown_syscalls == MF_UNKNOWN_SYSCALLS_DEFAULT_ACTION;
                *ret_skip = o.skip;
        }
        *ret = c;
        return 0;
}

_public_ int mf_compile(const mf_unit *u, const struct mf_compile_options *opts, mf_log_fn log, void *userdata,
                        mf_sandbox **ret, struct mf_error *error) {
        _cleanup_(directives_freep) Directives *trimmed = NULL;
        const Directives *d;
        CompileOptions o;
        Sandbox *sandbox = NULL;
        mf_sandbox *s;
        uint64_t skip;
        bool verify;
        ApiLog l;
        int r;

        api_log_init(&l, log, userdata);
        if (!u || !ret)
                return api_fail(&l, error, -EINVAL, MF_DIRECTIVE_NONE, _ABI_INVALID, -1);
        r = api_compile_options(opts, &o, &skip);
        if (r < 0)
                return api_fail(&l, error, r, MF_DIRECTIVE_NONE, _ABI_INVALID, -1);

        d = u->directives;
        if (skip) {
                r = directives_copy(d, &trimmed);
                if (r < 0)
                        return api_fail(&l, error, r, MF_DIRECTIVE_NONE, _ABI_INVALID, -1);
                for (int i = 1; i < _MF_DIRECTIVE_MAX; i++)
                        if (skip & MF_DIRECTIVE_BIT(i))
                                api_directive_clear(trimmed, i);
                d = trimmed;
        }

        /* What systemd 252 parses but libseccomp refuses fails here as it fails there (228). */
        r = directives_check_libseccomp(d, &l.diag);
        if (r < 0)
                return api_fail(&l, error, r, MF_DIRECTIVE_SYSTEM_CALL_FILTER, _ABI_INVALID, -1);

        /* The verifier runs below, where its findings can be told to the caller. */
        verify = o.verify;
        o.verify = false;
        r = sandbox_compile(d, &o, &l.diag, &sandbox);
        if (r < 0)
                /* The input was checked: anything but these is ours. */
                return api_fail(&l, error, r == -ENOMEM || r == -E2BIG ? r : -EFAULT,
                                MF_DIRECTIVE_NONE, _ABI_INVALID, -1);

        r = api_sandbox_new(sandbox, d, sandbox->layout, &s);
        if (r < 0)
                return api_fail(&l, error, r, MF_DIRECTIVE_NONE, _ABI_INVALID, -1);
        if (verify) {
                r = api_sandbox_verify(s, &l, error);
                if (r < 0) {
                        mf_sandbox_free(s);
                        return r;
                }
        }
        *ret = s;
        return 0;
}
