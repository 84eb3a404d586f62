/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* How the command runs: ExecStart=, Type=, User=, Group=, Environment=, WorkingDirectory=,
 * Personality=. */

#include <ctype.h>
#include <sys/personality.h>

#include "directives-internal.h"

int parse_exec_start(Directives *d, const UnitFile *u, const UnitEntry *e, Diag *diag) {
        if (isempty(e->value)) {
                exec_command_free_many(d->exec_start, d->n_exec_start);
                d->exec_start = NULL;
                d->n_exec_start = 0;
                return 0;
        }
        return exec_command_parse(e->value, u, e->loc, diag, &d->exec_start, &d->n_exec_start);
}

static const char *const service_type_names[_SERVICE_TYPE_MAX] = {
        [SERVICE_SIMPLE] = "simple",
        [SERVICE_EXEC] = "exec",
        [SERVICE_FORKING] = "forking",
        [SERVICE_ONESHOT] = "oneshot",
        [SERVICE_DBUS] = "dbus",
        [SERVICE_NOTIFY] = "notify",
        [SERVICE_IDLE] = "idle",
};

const char *service_type_to_string(ServiceType t) {
        return t >= 0 && t < _SERVICE_TYPE_MAX ? service_type_names[t] : NULL;
}

ServiceType service_type_from_string(const char *s) {
        for (ServiceType t = 0; t < _SERVICE_TYPE_MAX; t++)
                if (streq(s, service_type_names[t]))
                        return t;
        return -EINVAL;
}

int parse_service_type(Directives *d, const UnitEntry *e, Diag *diag) {
        ServiceType t = service_type_from_string(e->value);

        if (t < 0)
                return diag_log(diag, DIAG_WARNING, &e->loc, t, "Failed to parse service type, ignoring: %s", e->value), 0;
        d->type = t;
        return 0;
}

/* systemd's relaxed user/group name check: numeric IDs, or names without ':', '/', whitespace
 * or control characters that do not start with '-' and are not "." or "..". */
static bool user_group_name_valid(const char *s) {
        if (isempty(s) || strlen(s) > 256 || s[0] == '-' || streq(s, ".") || streq(s, ".."))
                return false;
        for (const unsigned char *p = (const unsigned char *) s; *p; p++)
                if (*p < ' ' || *p == 0x7f || *p == ':' || *p == '/' || isspace(*p))
                        return false;
        if (s[strspn(s, "0123456789")] == 0) {
                /* All digits: must be a valid UID/GID, not (uid_t) -1 or the 16-bit -1. */
                char *end;
                unsigned long long v;

                errno = 0;
                v = strtoull(s, &end, 10);
                return errno == 0 && v < 0xFFFFFFFFULL && v != 0xFFFFULL;
        }
        return true;
}

int parse_user_or_group(char **field, const UnitFile *u, const UnitEntry *e, Diag *diag) {
        _cleanup_free_ char *k = NULL;
        int r;

        if (isempty(e->value)) {
                *field = (free(*field), NULL);
                return 0;
        }

        r = unit_specifier_expand(u, e->value, &k);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                return diag_log(diag, DIAG_ERROR, &e->loc, r, "Failed to resolve unit specifiers in %s: %m", e->value),
                       -ENOEXEC;

        if (!user_group_name_valid(k))
                return diag_log(diag, DIAG_ERROR, &e->loc, 0, "Invalid user/group name or numeric ID: %s", k),
                       -ENOEXEC;

        free(*field);
        *field = TAKE_PTR(k);
        return 0;
}

static bool env_assignment_valid(const char *s) {
        const char *eq = strchr(s, '=');

        if (!eq || eq == s || (s[0] >= '0' && s[0] <= '9'))
                return false;
        for (const char *p = s; p < eq; p++)
                if (!(isalnum((unsigned char) *p) || *p == '_'))
                        return false;
        return true;
}

static int env_replace(char ***env, char *assignment) {
        size_t klen = strcspn(assignment, "=") + 1;

        STRV_FOREACH(i, *env)
                if (strneq(*i, assignment, klen)) {
                        free(*i);
                        *i = assignment;
                        return 0;
                }
        return strv_push(env, assignment);
}

int parse_environment(Directives *d, const UnitFile *u, const UnitEntry *e, Diag *diag) {
        _cleanup_strv_free_ char **words = NULL;
        int r;

        if (isempty(e->value)) {
                d->environment = strv_free(d->environment);
                return 0;
        }

        r = split_words(e->value, true, &words);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                return diag_log(diag, DIAG_WARNING, &e->loc, r, "Invalid syntax, ignoring: %s", e->value), 0;

        STRV_FOREACH(w, words) {
                _cleanup_free_ char *k = NULL;

                r = unit_specifier_expand(u, *w, &k);
                if (r == -ENOMEM)
                        return r;
                if (r < 0) {
                        diag_log(diag, DIAG_WARNING, &e->loc, r, "Failed to resolve specifiers in %s, ignoring: %m", *w);
                        continue;
                }
                if (!env_assignment_valid(k)) {
                        diag_log(diag, DIAG_WARNING, &e->loc, 0, "Invalid environment assignment, ignoring: %s", k);
                        continue;
                }
                r = env_replace(&d->environment, TAKE_PTR(k));
                if (r < 0)
                        return r;
        }
        return 0;
}

int parse_working_directory(Directives *d, const UnitFile *u, const UnitEntry *e, Diag *diag) {
        _cleanup_free_ char *k = NULL;
        const char *rvalue = e->value;
        bool missing_ok = false;
        int r;

        if (isempty(rvalue)) {
                d->working_directory = (free(d->working_directory), NULL);
                d->working_directory_missing_ok = false;
                return 0;
        }

        if (rvalue[0] == '-') {
                missing_ok = true;
                rvalue++;
        }

        if (streq(rvalue, "~"))
                k = strdup("~");
        else {
                r = unit_specifier_expand(u, rvalue, &k);
                if (r == -ENOMEM)
                        return r;
                if (r < 0)
                        return diag_log(diag, missing_ok ? DIAG_WARNING : DIAG_ERROR, &e->loc, r,
                                        "Failed to resolve unit specifiers in working directory path '%s'%s: %m",
                                        rvalue, missing_ok ? ", ignoring" : ""),
                               missing_ok ? 0 : -ENOEXEC;
                if (k[0] != '/')
                        return diag_log(diag, missing_ok ? DIAG_WARNING : DIAG_ERROR, &e->loc, 0,
                                        "WorkingDirectory= path is not absolute%s: %s",
                                        missing_ok ? ", ignoring" : "", k),
                               missing_ok ? 0 : -ENOEXEC;
        }
        if (!k)
                return -ENOMEM;

        free(d->working_directory);
        d->working_directory = TAKE_PTR(k);
        d->working_directory_missing_ok = missing_ok;
        return 0;
}

/* Personality= takes one of systemd's architecture names (architecture.h, not the seccomp ABI
 * names): the host's own for PER_LINUX, its secondary one, where it has one, for PER_LINUX32.
 * Case-sensitive, as systemd's string table. */
static void personality_names(const char **native, const char **secondary) {
        *secondary = NULL;
        switch (abi_native()) {
        case ABI_X86_64:
        case ABI_X32:                   /* systemd built for x32 calls itself x86-64 */
                *native = "x86-64";
                *secondary = "x86";
                break;
        case ABI_AARCH64:
                *native = __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__ ? "arm64-be" : "arm64";
                if (__BYTE_ORDER__ != __ORDER_BIG_ENDIAN__)
                        *secondary = "arm";
                break;
        case ABI_ARM:
                *native = __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__ ? "arm-be" : "arm";
                break;
        case ABI_PPC64:
                *native = "ppc64";
                *secondary = "ppc";
                break;
        case ABI_PPC64LE:
                *native = "ppc64-le";
                *secondary = "ppc-le";
                break;
        case ABI_PPC:
                *native = __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__ ? "ppc" : "ppc-le";
                break;
        case ABI_S390X:
                *native = "s390x";
                *secondary = "s390";
                break;
        case ABI_MIPS64:
        case ABI_MIPS64N32:
                *native = "mips64";
                break;
        case ABI_MIPSEL64:
        case ABI_MIPSEL64N32:
                *native = "mips64-le";
                break;
        case ABI_SH:
        case ABI_SHEB:
                *native = "sh";
                break;
        default:                        /* x86, mips, mips-le, parisc, parisc64, riscv64, s390, … */
                *native = abi_to_name(abi_native());
        }
}

unsigned long personality_from_string(const char *s) {
        const char *native, *secondary;

        personality_names(&native, &secondary);
        if (s && streq(s, native))
                return PER_LINUX;
        if (s && secondary && streq(s, secondary))
                return PER_LINUX32;
        return PERSONALITY_INVALID;
}

const char *personality_to_string(unsigned long p) {
        const char *native, *secondary;

        personality_names(&native, &secondary);
        return p == PER_LINUX ? native : p == PER_LINUX32 ? secondary : NULL;
}

int parse_personality(Directives *d, const UnitEntry *e, Diag *diag) {
        unsigned long p = PERSONALITY_INVALID;

        if (!isempty(e->value)) {
                p = personality_from_string(e->value);
                if (p == PERSONALITY_INVALID)
                        return diag_log(diag, DIAG_WARNING, &e->loc, 0, "Failed to parse personality, ignoring: %s", e->value), 0;
        }
        d->personality = p;
        d->personality_loc = e->loc;
        return 0;
}
