/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* SystemCallFilter=, SystemCallLog=, SystemCallErrorNumber=, SystemCallArchitectures=. */

#include <inttypes.h>
#include <stdio.h>

#include "directives-internal.h"
#include "errno-name.h"
#include "extract-word.h"
#include "syscall-set.h"
#include "syscall-table.h"

typedef enum ListFlags {
        LIST_INVERT = 1 << 0,           /* a "~" entry */
        LIST_LOG = 1 << 1,              /* the user wrote this name: unknown names are warnings */
} ListFlags;

/* A name libseccomp can resolve, i.e. one with a number on some ABI. Names that are only in
 * systemd's @known list (Alpha's osf_*, …) resolve nowhere and are dropped like systemd drops them. */
static bool syscall_resolvable(int id) {
        for (Abi a = 0; a < _ABI_MAX; a++)
                if (syscall_nr(a, id) != SYSCALL_NR_NONE)
                        return true;
        return false;
}

static int syscall_list_add(
                SyscallList *l,
                const char *name,
                int32_t action,
                ListFlags flags,
                const char *group,              /* the set name came from, NULL if the user wrote it */
                const SourceLoc *loc,
                Diag *diag) {

        bool invert = flags & LIST_INVERT;
        int id;

        if (name[0] == '@') {
                const SyscallSet *set = syscall_set_find(name);

                if (!set)
                        return diag_log(diag, flags & LIST_LOG ? DIAG_WARNING : DIAG_DEBUG, loc, 0,
                                        "Unknown system call group, ignoring: %s", name), 0;

                /* Members of our own tables are not the user's problem: no warnings for them. */
                for (const char *const *m = set->members; *m; m++)
                        syscall_list_add(l, *m, action, flags & ~LIST_LOG, set->name, loc, diag);
                return 0;
        }

        id = syscall_from_name(name);
        if (id < 0 || !syscall_resolvable(id)) {
                if (group)      /* the line named the group, not this member: say so */
                        return diag_log(diag, DIAG_DEBUG, loc, 0,
                                        "%s lists %s, which no ABI has as a system call, ignoring it.", group, name), 0;
                return diag_log(diag, flags & LIST_LOG ? DIAG_WARNING : DIAG_DEBUG, loc, 0,
                                "Failed to parse system call, ignoring: %s", name), 0;
        }

        /* An entry of the list's own polarity adds the name; one of the other polarity removes
         * it, except that "~name:errno" in an allow-list keeps name with that errno. */
        if (invert != l->allow_list || (invert && l->allow_list && action >= 0)) {
                l->action[id] = action;
                l->loc[id] = *loc;
        } else
                l->action[id] = SYSCALL_ABSENT;
        return 0;
}

void syscall_list_reset(SyscallList *l) {
        for (size_t i = 0; i < syscall_count(); i++)
                l->action[i] = SYSCALL_ABSENT;
        l->set = false;
        l->allow_list = false;
        l->first = SOURCE_LOC_NULL;
}

/* Split off the next word at whitespace; a backslash takes the next character literally.
 * This is how systemd reads the words of SystemCallFilter= and SystemCallLog=: no quoting. */
static int next_plain_word(const char **p, char **ret) {
        const char *s = *p + strspn(*p, WHITESPACE);
        _cleanup_free_ char *w = NULL;
        size_t n = 0;

        if (!*s) {
                *p = s;
                *ret = NULL;
                return 0;
        }

        w = malloc(strlen(s) + 1);
        if (!w)
                return -ENOMEM;
        for (; *s && !strchr(WHITESPACE, *s); s++) {
                if (*s == '\\') {
                        s++;
                        if (!*s)
                                return -EINVAL;
                }
                w[n++] = *s;
        }
        w[n] = 0;
        *p = s;
        *ret = TAKE_PTR(w);
        return 1;
}

static int parse_syscall_list(
                SyscallList *l,
                const char *rvalue,
                bool with_errno,
                bool add_default,
                const UnitEntry *e,
                Diag *diag) {

        bool invert = false;
        int r;

        if (isempty(rvalue)) {
                syscall_list_reset(l);
                return 0;
        }

        if (rvalue[0] == '~') {
                invert = true;
                rvalue++;
        }

        if (!l->set) {
                l->set = true;
                l->allow_list = !invert;
                l->first = e->loc;
                if (l->allow_list && add_default)
                        syscall_list_add(l, "@default", SYSCALL_DEFAULT, 0, NULL, &e->loc, diag);
        }

        for (const char *p = rvalue;;) {
                _cleanup_free_ char *word = NULL, *name = NULL;
                int32_t action = SYSCALL_DEFAULT;
                char *colon;

                r = next_plain_word(&p, &word);
                if (r == -ENOMEM)
                        return r;
                if (r < 0)
                        return diag_log(diag, DIAG_WARNING, &e->loc, r, "Invalid syntax, ignoring: %s", rvalue), 0;
                if (r == 0)
                        return 0;

                colon = with_errno ? strchr(word, ':') : NULL;
                if (colon) {
                        int v = parse_errno_or_action(colon + 1);

                        if (v < 0 || colon == word) {
                                diag_log(diag, DIAG_WARNING, &e->loc, v < 0 ? v : -EINVAL,
                                         "Failed to parse syscall:errno, ignoring: %s", word);
                                continue;
                        }
                        action = v;
                        name = strndup(word, colon - word);
                        if (!name)
                                return -ENOMEM;
                } else
                        name = TAKE_PTR(word);

                if (!invert && action >= 0) {
                        diag_log(diag, DIAG_WARNING, &e->loc, 0,
                                 "Allow-listed system calls cannot take error number, ignoring: %s", word);
                        continue;
                }

                syscall_list_add(l, name, action, LIST_LOG | (invert ? LIST_INVERT : 0), NULL, &e->loc, diag);
        }
}

int parse_syscall_filter(Directives *d, const UnitEntry *e, Diag *diag) {
        return parse_syscall_list(&d->syscall_filter, e->value, true, true, e, diag);
}

int parse_syscall_log(Directives *d, const UnitEntry *e, Diag *diag) {
        return parse_syscall_list(&d->syscall_log, e->value, false, false, e, diag);
}

int parse_syscall_errno(Directives *d, const UnitEntry *e, Diag *diag) {
        int v;

        if (isempty(e->value) || streq(e->value, "kill")) {
                d->syscall_errno = ERRNO_KILL;
                d->syscall_errno_loc = e->loc;
                return 0;
        }

        v = parse_errno(e->value);
        if (v < 0)
                return diag_log(diag, DIAG_WARNING, &e->loc, v, "Failed to parse error number, ignoring: %s", e->value), 0;
        if (v == 0)
                return diag_log(diag, DIAG_WARNING, &e->loc, 0, "Invalid error number, ignoring: %s", e->value), 0;

        d->syscall_errno = v;
        d->syscall_errno_loc = e->loc;
        return 0;
}

int parse_syscall_archs(Directives *d, const UnitEntry *e, Diag *diag) {
        int r;

        if (isempty(e->value)) {
                d->syscall_archs = 0;
                d->syscall_archs_native = false;
                d->syscall_archs_loc = SOURCE_LOC_NULL;
                return 0;
        }

        /* Word by word, as systemd: a syntax error stops the line after the words before it. */
        for (const char *p = e->value;;) {
                _cleanup_free_ char *word = NULL;
                Abi a;

                r = extract_first_word(&p, &word, EXTRACT_UNQUOTE);
                if (r == -ENOMEM)
                        return r;
                if (r < 0)
                        return diag_log(diag, DIAG_WARNING, &e->loc, r, "Invalid syntax, ignoring: %s", e->value), 0;
                if (r == 0)
                        return 0;

                if (streq(word, "native")) {
                        d->syscall_archs_native = true;
                        d->syscall_archs_loc = e->loc;
                        continue;
                }

                /* Only the names systemd 252's seccomp_arch_from_string() takes: "x86-64", not
                 * libseccomp's "x86_64", and none of the ABIs libseccomp 2.5 lacks (loongarch64,
                 * m68k, sh). */
                a = abi_from_name(word);
                if (a < 0 || !streq(abi_to_name(a), word) || !abi_info[a].systemd_252) {
                        diag_log(diag, DIAG_WARNING, &e->loc, EINVAL,
                                 "Failed to parse system call architecture \"%s\", ignoring: %m", word);
                        continue;
                }
                d->syscall_archs |= ABI_BIT(a);
                d->syscall_archs_loc = e->loc;
        }
}

static const char *errno_or_action(int32_t e, char buf[static 16]) {
        if (e == ERRNO_KILL)
                return "kill";
        if (errno_to_name(e))
                return errno_to_name(e);
        snprintf(buf, 16, "%" PRIi32, e);
        return buf;
}

int directives_check_libseccomp(const Directives *d, Diag *diag) {
        const SyscallList *l = &d->syscall_filter;
        const SourceLoc *errno_loc = d->syscall_errno_loc.file ? &d->syscall_errno_loc : &l->first;
        char buf[16];

        if (!syscall_list_active(l))
                return 0;

        /* seccomp_init() with the default action comes first. */
        if (l->allow_list && d->syscall_errno == ERRNO_MAX)
                return diag_log(diag, DIAG_ERROR, errno_loc, EINVAL,
                                "SystemCallErrorNumber=%d: libseccomp refuses errno %d as the default action of "
                                "the SystemCallFilter= allow-list (it takes 0…%d); systemd 252 fails the service "
                                "with status 228/SECCOMP.", ERRNO_MAX, ERRNO_MAX, ERRNO_MAX_LIBSECCOMP), -EINVAL;

        for (size_t id = 0; id < syscall_count(); id++) {
                int32_t a = l->action[id];

                if (a == SYSCALL_ABSENT)
                        continue;
                if (a == SYSCALL_DEFAULT && !l->allow_list && d->syscall_errno == ERRNO_MAX)
                        return diag_log(diag, DIAG_ERROR, errno_loc, EINVAL,
                                        "SystemCallErrorNumber=%d: libseccomp refuses errno %d for %s() of the "
                                        "SystemCallFilter= deny-list (it takes 0…%d); systemd 252 fails the service "
                                        "with status 228/SECCOMP.", ERRNO_MAX, ERRNO_MAX, syscall_name((int) id),
                                        ERRNO_MAX_LIBSECCOMP), -EINVAL;
                if (a == ERRNO_MAX)
                        return diag_log(diag, DIAG_ERROR, &l->loc[id], EINVAL,
                                        "SystemCallFilter=~%s:%d: libseccomp refuses errno %d (it takes 0…%d); "
                                        "systemd 252 fails the service with status 228/SECCOMP.",
                                        syscall_name((int) id), ERRNO_MAX, ERRNO_MAX, ERRNO_MAX_LIBSECCOMP), -EINVAL;
                if (l->allow_list && a >= 0 && a == d->syscall_errno)
                        return diag_log(diag, DIAG_ERROR, &l->loc[id], EACCES,
                                        "SystemCallFilter=~%s:%s in an allow-list whose default action is %s%s: "
                                        "libseccomp refuses a rule with the filter's default action; systemd 252 "
                                        "fails the service with status 228/SECCOMP.",
                                        syscall_name((int) id), errno_or_action(a, buf), errno_or_action(a, buf),
                                        d->syscall_errno_loc.file ? "" : " (SystemCallErrorNumber= unset)"), -EACCES;
        }
        return 0;
}
