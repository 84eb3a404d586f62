/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <inttypes.h>
#include <sched.h>
#include <stdarg.h>

#include "af-name.h"
#include "errno-name.h"
#include "learn-propose.h"
#include "namespace-flags.h"
#include "syscall-set-systemd252.h"
#include "syscall-table.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

#define NAMES_SHOWN 8

typedef struct Ctx {
        const Observation *o;
        const Directives *unit;
        const ProposeOptions *opts;
        Proposal *p;
        size_t n;                       /* syscall_count() */
        AbiSet abis;                    /* the ABIs the proposal allows */
        uint8_t *seen;                  /* needed by the run, or by a fallback of the proposal's */
        uint8_t *def;                   /* @default of both megafilter and systemd 252 */
        uint8_t *def_any;               /* @default of either */
        uint8_t *exists;                /* has a number on an allowed ABI */
        uint8_t *model[_SYSCALL_SET_MAX];
        uint8_t *v252[_SYSCALL_SET_MAX];        /* NULL for the groups 252 lacks */
        const char *fallback_of[2];     /* "clone3", "openat2" when their fallback was added */
        char *kept_answers;             /* calls listed so that another directive's errno stays theirs */
} Ctx;

static bool knows(const Ctx *c, int id) {
        return !c->opts->systemd_knows || c->opts->systemd_knows[id];
}

static bool in_union(const Ctx *c, SyscallSetId g, size_t id) {
        return c->model[g][id] || (c->v252[g] && c->v252[g][id]);
}

static bool in_both(const Ctx *c, SyscallSetId g, size_t id) {
        return c->model[g][id] && c->v252[g] && c->v252[g][id];
}

/* ---- output ---- */

/* Comment lines wrapped at 100 columns. */
static int push_comment(char ***l, const char *text) {
        const size_t width = 98;
        const char *s = text;
        int r;

        while (*s) {
                size_t n = strlen(s);
                char *line;

                if (n > width) {
                        size_t cut = width;

                        while (cut > 0 && s[cut] != ' ')
                                cut--;
                        n = cut > 0 ? cut : width;
                }
                if (asprintf(&line, "# %.*s", (int) n, s) < 0)
                        return -ENOMEM;
                r = strv_push(l, line);
                if (r < 0)
                        return r;
                s += n;
                while (*s == ' ')
                        s++;
        }
        return 0;
}

static int vcomment(char ***l, const char *format, va_list ap) _printf_(2, 0);
static int vcomment(char ***l, const char *format, va_list ap) {
        _cleanup_free_ char *text = NULL;

        if (vasprintf(&text, format, ap) < 0)
                return -ENOMEM;
        return push_comment(l, text);
}

static int note(Ctx *c, const char *format, ...) _printf_(2, 3);
static int note(Ctx *c, const char *format, ...) {
        va_list ap;
        int r;

        va_start(ap, format);
        r = vcomment(&c->p->lines, format, ap);
        va_end(ap);
        return r;
}

/* An assignment with the comment that says why, above it. */
static int emit(Ctx *c, const char *assignment, const char *format, ...) _printf_(3, 4);
static int emit(Ctx *c, const char *assignment, const char *format, ...) {
        va_list ap;
        int r;

        va_start(ap, format);
        r = vcomment(&c->p->lines, format, ap);
        va_end(ap);
        if (r < 0)
                return r;
        return strv_extend(&c->p->lines, assignment);
}

int proposal_add_header(Proposal *p, const char *format, ...) {
        va_list ap;
        int r;

        va_start(ap, format);
        r = vcomment(&p->header, format, ap);
        va_end(ap);
        return r;
}

/* "a b c" from the ids marked in set, at most max of them (then "…"); "" when none. */
static char *names_of(const Ctx *c, const uint8_t *set, const uint8_t *also, size_t max) {
        _cleanup_free_ char *s = strdup("");
        size_t shown = 0, more = 0;

        for (size_t id = 0; s && id < c->n; id++) {
                char *t;

                if (!set[id] || (also && !also[id]))
                        continue;
                if (shown >= max) {
                        more++;
                        continue;
                }
                if (asprintf(&t, "%s%s%s", s, shown > 0 ? " " : "", syscall_name((int) id)) < 0)
                        return NULL;
                free(s);
                s = t;
                shown++;
        }
        if (s && more > 0) {
                char *t;

                if (asprintf(&t, "%s and %zu more", s, more) < 0)
                        return NULL;
                free(s);
                s = t;
        }
        return TAKE_PTR(s);
}

/* ---- sets ---- */

static int mark(const char *name, void *userdata) {
        int id = syscall_from_name(name);

        if (id >= 0)
                ((uint8_t *) userdata)[id] = 1;
        return 0;
}

static int ctx_init(Ctx *c) {
        c->seen = calloc(c->n, 1);
        c->def = calloc(c->n, 1);
        c->def_any = calloc(c->n, 1);
        c->exists = calloc(c->n, 1);
        if (!c->seen || !c->def || !c->def_any || !c->exists)
                return -ENOMEM;
        for (SyscallSetId g = 0; g < _SYSCALL_SET_MAX; g++) {
                c->model[g] = calloc(c->n, 1);
                if (!c->model[g])
                        return -ENOMEM;
                (void) syscall_set_foreach(&syscall_sets[g], mark, c->model[g]);
                if (!syscall_set_in_systemd252(g))
                        continue;
                c->v252[g] = calloc(c->n, 1);
                if (!c->v252[g])
                        return -ENOMEM;
                (void) syscall_set_foreach_systemd252(g, mark, c->v252[g]);
        }
        for (size_t id = 0; id < c->n; id++) {
                c->def[id] = in_both(c, SYSCALL_SET_DEFAULT, id);
                c->def_any[id] = in_union(c, SYSCALL_SET_DEFAULT, id);
        }
        return 0;
}

static void ctx_done(Ctx *c) {
        free(c->kept_answers);
        free(c->seen);
        free(c->def);
        free(c->def_any);
        free(c->exists);
        for (SyscallSetId g = 0; g < _SYSCALL_SET_MAX; g++) {
                free(c->model[g]);
                free(c->v252[g]);
        }
}

static int id_of(const char *name) {
        return syscall_from_name(name);
}

static bool seen_name(const Ctx *c, const char *name) {
        int id = id_of(name);

        return id >= 0 && c->seen[id];
}

static bool seen_in_group(const Ctx *c, SyscallSetId g) {
        for (size_t id = 0; id < c->n; id++)
                if (c->seen[id] && in_union(c, g, id))
                        return true;
        return false;
}

/* ---- the facts ---- */

static bool path_under(const char *path, const char *dir) {
        const char *rest = startswith(path, dir);

        return rest && (*rest == 0 || *rest == '/');
}

/* What PrivateDevices= leaves in its /dev (systemd 252's mount_private_dev()). */
static bool private_dev_has(const char *path) {
        static const char *const nodes[] = {
                "/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom", "/dev/tty",
                "/dev/ptmx", "/dev/log", "/dev/stdin", "/dev/stdout", "/dev/stderr", NULL,
        };
        static const char *const dirs[] = { "/dev/pts", "/dev/shm", "/dev/mqueue", "/dev/hugepages", "/dev/fd", NULL };

        for (const char *const *n = nodes; *n; n++)
                if (streq(path, *n))
                        return true;
        for (const char *const *d = dirs; *d; d++)
                if (path_under(path, *d))
                        return true;
        return false;
}

/* The first path a predicate finds, or NULL. */
static const char *path_find(const Ctx *c, bool (*f)(const ObservedPath *p)) {
        for (size_t i = 0; i < c->o->facts.n_paths; i++)
                if (f(&c->o->facts.paths[i]))
                        return c->o->facts.paths[i].path;
        return NULL;
}

static bool breaks_private_devices(const ObservedPath *p) {
        return path_under(p->path, "/dev") && !streq(p->path, "/dev") && !private_dev_has(p->path);
}

static bool breaks_kernel_modules(const ObservedPath *p) {
        return path_under(p->path, "/lib/modules") || path_under(p->path, "/usr/lib/modules");
}

static bool breaks_kernel_logs(const ObservedPath *p) {
        return streq(p->path, "/proc/kmsg") || streq(p->path, "/dev/kmsg");
}

/* ProtectKernelTunables=: these become read-only, /proc/kallsyms and /proc/kcore inaccessible. */
static bool breaks_kernel_tunables(const ObservedPath *p) {
        static const char *const ro[] = {
                "/proc/acpi", "/proc/apm", "/proc/asound", "/proc/bus", "/proc/fs", "/proc/irq",
                "/proc/latency_stats", "/proc/mtrr", "/proc/scsi", "/proc/sys", "/proc/sysrq-trigger",
                "/proc/timer_stats", NULL,
        };

        if (streq(p->path, "/proc/kallsyms") || streq(p->path, "/proc/kcore"))
                return true;
        if (!(p->use & PATH_USE_WRITE))
                return false;
        for (const char *const *d = ro; *d; d++)
                if (path_under(p->path, *d))
                        return true;
        return path_under(p->path, "/sys") && !path_under(p->path, "/sys/fs/cgroup") &&
               !path_under(p->path, "/sys/fs/selinux");
}

/* The first seen call of a group, or NULL. */
static const char *seen_of_group(const Ctx *c, SyscallSetId g) {
        for (size_t id = 0; id < c->n; id++)
                if (c->seen[id] && in_union(c, g, id))
                        return syscall_name((int) id);
        return NULL;
}

static int decide_booleans(Ctx *c) {
        const ObservedFacts *f = &c->o->facts;
        Proposal *p = c->p;
        const uint64_t rt_ok = (UINT64_C(1) << SCHED_OTHER) | (UINT64_C(1) << SCHED_BATCH) | (UINT64_C(1) << SCHED_IDLE);
        bool personality_ok = !f->personalities_overflow;

        for (size_t i = 0; i < f->n_personalities; i++)
                if (f->personalities[i] != p->persona)
                        personality_ok = false;

        p->mdwe = !f->wx_mmap && !f->exec_mprotect && !f->exec_shmat && !f->old_mmap;
        p->lock_personality = personality_ok;
        p->restrict_realtime = !(f->sched_policies & ~rt_ok);
        p->restrict_suid_sgid = f->suid_sgid < 0;
        p->protect_clock = !seen_in_group(c, SYSCALL_SET_CLOCK) && !f->alarm_clock;
        p->protect_kernel_modules = !seen_in_group(c, SYSCALL_SET_MODULE) && !path_find(c, breaks_kernel_modules);
        p->protect_kernel_logs = !seen_name(c, "syslog") && !path_find(c, breaks_kernel_logs);
        p->protect_kernel_tunables = !seen_name(c, "_sysctl") && !path_find(c, breaks_kernel_tunables);
        p->protect_hostname = !seen_name(c, "sethostname") && !seen_name(c, "setdomainname");
        p->private_devices = !seen_in_group(c, SYSCALL_SET_RAW_IO) && !f->mknod_device &&
                             !path_find(c, breaks_private_devices);

        p->families_set = !f->family_unknown;
        p->families = f->families;
        p->namespaces_set = !f->setns_any && !f->clone3_unread;
        p->namespaces = f->namespaces;
        return 0;
}

/* ---- SystemCallFilter= ---- */

static bool candidate(SyscallSetId g) {
        return g != SYSCALL_SET_DEFAULT && g != SYSCALL_SET_KNOWN && syscall_set_in_systemd252(g);
}

typedef struct Cover {
        uint8_t *need;                  /* seen, not in @default: to be listed */
        uint8_t *covered;
        uint8_t *allowed;               /* what the list lets through so far */
        bool chosen[_SYSCALL_SET_MAX];
        bool denied[_SYSCALL_SET_MAX];
        SyscallSetId order[_SYSCALL_SET_MAX];   /* chosen groups, then denied groups, in the order decided */
        size_t n_chosen, n_denied;
} Cover;

static size_t count_new_cover(const Ctx *c, const Cover *v, SyscallSetId g) {
        size_t k = 0;

        for (size_t id = 0; id < c->n; id++)
                if (v->need[id] && !v->covered[id] && in_both(c, g, id) && knows(c, (int) id))
                        k++;
        return k;
}

static size_t count_slack(const Ctx *c, const Cover *v, SyscallSetId g) {
        size_t k = 0;

        for (size_t id = 0; id < c->n; id++)
                if (in_union(c, g, id) && c->exists[id] && !v->allowed[id] && !c->seen[id])
                        k++;
        return k;
}

static void choose_groups(const Ctx *c, Cover *v) {
        for (;;) {
                SyscallSetId best = _SYSCALL_SET_MAX;
                long best_gain = 0;
                size_t best_cover = 0;

                for (SyscallSetId g = 0; g < _SYSCALL_SET_MAX; g++) {
                        size_t cover;
                        long gain;

                        if (!candidate(g) || v->chosen[g])
                                continue;
                        cover = count_new_cover(c, v, g);
                        if (cover == 0)
                                continue;
                        gain = (long) cover - 1 - (long) count_slack(c, v, g);
                        if (gain > best_gain || (gain == best_gain && gain > 0 && cover > best_cover)) {
                                best = g;
                                best_gain = gain;
                                best_cover = cover;
                        }
                }
                if (best == _SYSCALL_SET_MAX)
                        break;
                v->chosen[best] = true;
                v->order[v->n_chosen++] = best;
                for (size_t id = 0; id < c->n; id++) {
                        if (in_both(c, best, id) && knows(c, (int) id))
                                v->covered[id] |= v->need[id];
                        if (in_union(c, best, id))
                                v->allowed[id] = 1;
                }
        }
}

/* Groups the run never touched (nor @default) that take back some of what the chosen groups let in. */
static void deny_groups(const Ctx *c, Cover *v) {
        for (;;) {
                SyscallSetId best = _SYSCALL_SET_MAX;
                size_t best_removed = 0;

                for (SyscallSetId g = 0; g < _SYSCALL_SET_MAX; g++) {
                        size_t removed = 0;
                        bool touched = false;

                        if (!candidate(g) || v->chosen[g] || v->denied[g])
                                continue;
                        for (size_t id = 0; id < c->n && !touched; id++)
                                if (in_union(c, g, id)) {
                                        touched = c->seen[id] || c->def_any[id];
                                        removed += v->allowed[id] && c->exists[id];
                                }
                        if (!touched && removed > best_removed) {
                                best = g;
                                best_removed = removed;
                        }
                }
                if (best == _SYSCALL_SET_MAX)
                        break;
                v->denied[best] = true;
                v->order[v->n_chosen + v->n_denied++] = best;
                for (size_t id = 0; id < c->n; id++)
                        if (in_union(c, best, id))
                                v->allowed[id] = 0;
        }
}

static size_t group_size(const Ctx *c, SyscallSetId g) {
        size_t k = 0;

        for (size_t id = 0; id < c->n; id++)
                k += in_union(c, g, id) && c->exists[id];
        return k;
}

/* The smallest candidate group holding id, for grouping the single names; _SYSCALL_SET_MAX if none. */
static SyscallSetId home_group(const Ctx *c, const size_t sizes[_SYSCALL_SET_MAX], size_t id) {
        SyscallSetId best = _SYSCALL_SET_MAX;

        for (SyscallSetId g = 0; g < _SYSCALL_SET_MAX; g++)
                if (candidate(g) && in_union(c, g, id) && (best == _SYSCALL_SET_MAX || sizes[g] < sizes[best]))
                        best = g;
        return best;
}

static int emit_chosen_group(Ctx *c, Cover *v, SyscallSetId g, uint8_t *tmp) {
        _cleanup_free_ char *used = NULL, *extra = NULL, *assignment = NULL;
        size_t n_used = 0, n_extra = 0, n_back = 0;

        /* What the group lets in that the run did not use, and how much of it the ~@ lines take
         * back (v->allowed is the list's final reach). */
        memset(tmp, 0, c->n);
        for (size_t id = 0; id < c->n; id++)
                if (in_union(c, g, id) && c->exists[id] && !c->seen[id] && !c->def_any[id]) {
                        n_extra++;
                        if (v->allowed[id])
                                tmp[id] = 1;
                        else
                                n_back++;
                }
        extra = names_of(c, tmp, NULL, NAMES_SHOWN);
        for (size_t id = 0; id < c->n; id++) {
                tmp[id] = in_union(c, g, id) && c->seen[id];
                n_used += tmp[id];
        }
        used = names_of(c, tmp, NULL, NAMES_SHOWN);
        if (!extra || !used || asprintf(&assignment, "SystemCallFilter=%s", syscall_sets[g].name) < 0)
                return -ENOMEM;
        if (n_extra == 0)
                return emit(c, assignment, "%s: the run used every call of it that @default does not have (%s).",
                            syscall_sets[g].name, used);
        if (n_back == n_extra)
                return emit(c, assignment, "%s: the run used %zu of its calls (%s); the %zu others are taken back "
                            "below by the groups the run never touched.", syscall_sets[g].name, n_used, used, n_extra);
        return emit(c, assignment, "%s: the run used %zu of its %zu calls (%s): fewer words than naming them, "
                    "for %zu calls it did not use (%s)%s.", syscall_sets[g].name, n_used, group_size(c, g), used,
                    n_extra - n_back, extra, n_back > 0 ? "; the groups denied below take back the others" : "");
}

static int emit_names(Ctx *c, Cover *v, uint8_t *tmp) {
        uint8_t *listed = tmp;
        size_t sizes[_SYSCALL_SET_MAX];
        _cleanup_free_ uint8_t *home = calloc(c->n, 1);
        int r;

        if (!home)
                return -ENOMEM;
        for (SyscallSetId g = 0; g < _SYSCALL_SET_MAX; g++)
                sizes[g] = group_size(c, g);
        /* Names systemd 252 cannot allow go on a line of their own. */
        memset(listed, 0, c->n);
        for (size_t id = 0; id < c->n; id++) {
                listed[id] = v->need[id] && !v->covered[id];
                home[id] = listed[id] ? (uint8_t) home_group(c, sizes, id) : _SYSCALL_SET_MAX;
        }

        for (SyscallSetId g = 0; g <= _SYSCALL_SET_MAX; g++) {
                _cleanup_free_ uint8_t *line = calloc(c->n, 1);
                _cleanup_free_ char *names = NULL, *assignment = NULL;
                size_t k = 0, unknown = 0;

                if (!line)
                        return -ENOMEM;
                for (size_t id = 0; id < c->n; id++)
                        if (listed[id] && knows(c, (int) id) && home[id] == g) {
                                line[id] = 1;
                                k++;
                        }
                if (g == _SYSCALL_SET_MAX)
                        for (size_t id = 0; id < c->n; id++)
                                if (listed[id] && !knows(c, (int) id)) {
                                        line[id] = 1;
                                        unknown++;
                                }
                if (k + unknown == 0)
                        continue;
                names = names_of(c, line, NULL, SIZE_MAX);
                if (!names || asprintf(&assignment, "SystemCallFilter=%s", names) < 0)
                        return -ENOMEM;
                if (g < _SYSCALL_SET_MAX)
                        r = emit(c, assignment, "Used by the run: %zu of the %zu calls of %s; its others stay denied.",
                                 k, sizes[g], syscall_sets[g].name);
                else if (unknown == 0)
                        r = emit(c, assignment, "Used by the run, and in none of systemd's groups.");
                else
                        r = emit(c, assignment, "Used by the run. systemd 252's libseccomp does not know %zu "
                                 "of these names: systemd ignores them and denies those calls, megafilter allows them.",
                                 unknown);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int emit_denied_group(Ctx *c, SyscallSetId g, const Cover *v, uint8_t *tmp) {
        _cleanup_free_ char *names = NULL, *assignment = NULL;
        size_t k = 0;

        /* What it takes back from the chosen groups (v->allowed is after the denial). */
        memset(tmp, 0, c->n);
        for (size_t id = 0; id < c->n; id++)
                if (in_union(c, g, id) && c->exists[id])
                        for (size_t i = 0; i < v->n_chosen; i++)
                                if (in_union(c, v->order[i], id)) {
                                        tmp[id] = 1;
                                        k++;
                                        break;
                                }
        names = names_of(c, tmp, NULL, NAMES_SHOWN);
        if (!names || asprintf(&assignment, "SystemCallFilter=~%s", syscall_sets[g].name) < 0)
                return -ENOMEM;
        return emit(c, assignment, "%s: never used; takes back the %zu of its calls the groups above let in (%s).",
                    syscall_sets[g].name, k, names);
}

static void add_seen(Ctx *c, const char *name, const char *why, size_t slot) {
        int id = id_of(name);

        if (id < 0 || c->seen[id])
                return;
        c->seen[id] = 1;
        c->fallback_of[slot] = why;
}

static int keep_answers(Ctx *c) {
        _cleanup_free_ uint8_t *kept = calloc(c->n, 1);
        _cleanup_free_ char *names = NULL;
        size_t k = 0;

        if (!kept)
                return -ENOMEM;
        for (size_t i = 0; i < c->o->n_denials; i++) {
                const ObservedDenial *d = &c->o->denials[i];
                int id = syscall_from_nr(d->abi, d->nr);

                if (id < 0 || d->needed || c->seen[id] || (d->action & SECCOMP_RET_ACTION_FULL) != SECCOMP_RET_ERRNO ||
                    d->layer == LAYER_SYSCALL_FILTER || d->layer == LAYER_SYSCALL_ARCHITECTURES || d->layer == LAYER_NONE)
                        continue;
                kept[id] = 1;
                k++;
        }
        if (k == 0)
                return 0;
        for (size_t id = 0; id < c->n; id++)
                c->seen[id] |= kept[id];
        names = names_of(c, kept, NULL, SIZE_MAX);
        if (!names)
                return -ENOMEM;
        c->kept_answers = TAKE_PTR(names);
        return 0;
}

static int propose_syscall_filter(Ctx *c) {
        _cleanup_free_ uint8_t *need = calloc(c->n, 1), *covered = calloc(c->n, 1), *allowed = calloc(c->n, 1),
                               *tmp = calloc(c->n, 1);
        Cover v = { .need = need, .covered = covered, .allowed = allowed };
        Proposal *p = c->p;
        int r;

        if (!need || !covered || !allowed || !tmp)
                return -ENOMEM;

        /* Where the proposal answers a call with ENOSYS, libc falls back to the older call. */
        if (seen_name(c, "clone3") && p->namespaces_set)
                add_seen(c, "clone", "clone3", 0);
        if (seen_name(c, "openat2") && p->restrict_suid_sgid)
                add_seen(c, "openat", "openat2", 1);

        /* A call another directive refused with an errno of its own keeps that answer only if the
         * list lets it through to that directive (the list's errno would win). */
        r = keep_answers(c);
        if (r < 0)
                return r;

        for (size_t id = 0; id < c->n; id++) {
                need[id] = c->seen[id] && !c->def[id];
                allowed[id] = c->def_any[id];
                p->allow[id] = c->seen[id] || c->def[id];
        }
        choose_groups(c, &v);
        for (size_t id = 0; id < c->n; id++)
                if (need[id] && !covered[id])
                        allowed[id] = 1;
        deny_groups(c, &v);

        r = emit(c, "SystemCallFilter=", "Replaces the unit's own list. What follows allows the calls the run made "
                 "and no others (systemd adds @default to every allow-list).");
        if (r < 0)
                return r;
        if (c->fallback_of[0] && (r = note(c, "clone is listed although the run used clone3: RestrictNamespaces= "
                                              "answers clone3 with ENOSYS (its flags are in memory, out of a "
                                              "filter's reach), and the C library then falls back to clone.")) < 0)
                return r;
        if (c->kept_answers && (r = note(c, "Listed although the unit's sandbox refused them during the run: "
                                            "%s. The directive that refused them with an errno of its own (such as "
                                            "ENOSYS for clone3, on which the C library falls back) refuses them "
                                            "below as it did; the list's EPERM would take its place.",
                                            c->kept_answers)) < 0)
                return r;
        if (c->fallback_of[1] && (r = note(c, "openat is listed although the run used openat2: RestrictSUIDSGID= "
                                              "answers openat2 with ENOSYS, and callers fall back to openat.")) < 0)
                return r;
        for (size_t i = 0; i < v.n_chosen; i++)
                if ((r = emit_chosen_group(c, &v, v.order[i], tmp)) < 0)
                        return r;
        if ((r = emit_names(c, &v, tmp)) < 0)
                return r;
        for (size_t i = 0; i < v.n_denied; i++)
                if ((r = emit_denied_group(c, v.order[v.n_chosen + i], &v, tmp)) < 0)
                        return r;

        for (size_t i = 0; i < c->o->n_unnamed; i++) {
                const ObservedUnnamed *u = &c->o->unnamed[i];

                r = note(c, "The run called number %u on %s (%" PRIu64 " time%s), which no syscall table names: "
                         "SystemCallFilter= cannot list it, so the list denies it (megafilter with ENOSYS).",
                         u->nr - abi_info[u->abi].nr_bias, abi_to_name(u->abi), u->count, u->count == 1 ? "" : "s");
                if (r < 0)
                        return r;
        }

        if (c->unit->syscall_errno_loc.file == NULL) {
                p->errno_eperm = true;
                r = emit(c, "SystemCallErrorNumber=EPERM", "Calls outside the list fail with EPERM instead of "
                         "killing the service with SIGSYS (systemd's default); remove this line to have them kill it.");
                if (r < 0)
                        return r;
        }
        return 0;
}

/* ---- the other directives ---- */

static int propose_architectures(Ctx *c) {
        _cleanup_free_ char *others = strdup("");

        if (!others)
                return -ENOMEM;
        if (c->p->archs_native)
                return emit(c, "SystemCallArchitectures=native", "The run used the native ABI (%s) only; calls of "
                            "the other ABIs this host runs are killed.", abi_to_name(c->o->native));
        ABI_SET_FOREACH(a, c->o->abis)
                if (a != c->o->native && observation_used_abi(c->o, a)) {
                        char *t;

                        if (asprintf(&t, "%s%s%s", others, others[0] ? ", " : "", abi_to_name(a)) < 0)
                                return -ENOMEM;
                        free(others);
                        others = t;
                }
        return note(c, "SystemCallArchitectures=native is not proposed: the run made calls of the %s ABI.", others);
}

static int propose_families(Ctx *c) {
        _cleanup_free_ char *list = strdup(""), *assignment = NULL;
        const Proposal *p = c->p;
        int r;

        if (!list)
                return -ENOMEM;
        if (!p->families_set)
                return note(c, "RestrictAddressFamilies= is left as it is: the run opened a socket whose family "
                            "could not be read or has no name.");
        for (int af = 1; af < 64; af++)
                if (p->families & (UINT64_C(1) << af)) {
                        const char *name = af_to_name(af);
                        char *t;

                        if (!name)
                                continue;
                        if (asprintf(&t, "%s%s%s", list, list[0] ? " " : "", name) < 0)
                                return -ENOMEM;
                        free(list);
                        list = t;
                }
        if (!list[0])
                return emit(c, "RestrictAddressFamilies=none", "The run created no socket with socket(): every "
                            "family is refused (socketpair() is not affected).");
        r = emit(c, "RestrictAddressFamilies=", "Replaces the unit's own list.");
        if (r < 0)
                return r;
        if (asprintf(&assignment, "RestrictAddressFamilies=%s", list) < 0)
                return -ENOMEM;
        ABI_SET_FOREACH(a, c->o->abis)
                if (!abi_info[a].socket_by_family && observation_used_abi(c->o, a))
                        return emit(c, assignment, "The socket families the run used; other families get "
                                    "EAFNOSUPPORT (not on %s, whose socketcall() systemd does not filter).",
                                    abi_to_name(a));
        return emit(c, assignment, "The socket families the run used; other families get EAFNOSUPPORT.");
}

static int propose_namespaces(Ctx *c) {
        const ObservedFacts *f = &c->o->facts;
        _cleanup_free_ char *names = NULL, *assignment = NULL;
        int r;

        if (f->setns_any)
                return note(c, "RestrictNamespaces= is not proposed: the run called setns() with nstype 0 "
                            "(the type of the fd), which any restriction refuses.");
        if (f->clone3_unread)
                return note(c, "RestrictNamespaces= is not proposed: the flags of a clone3() call could not be read.");
        if (c->p->namespaces == 0)
                return emit(c, "RestrictNamespaces=yes", "The run created and joined no namespace; clone3() gets "
                            "ENOSYS (the C library falls back to clone()).");
        r = namespace_flags_to_string(c->p->namespaces, &names);
        if (r < 0)
                return r;
        r = emit(c, "RestrictNamespaces=", "Back to the default, so that the list below replaces the unit's own.");
        if (r < 0)
                return r;
        if (asprintf(&assignment, "RestrictNamespaces=%s", names) < 0)
                return -ENOMEM;
        return emit(c, assignment, "The namespace types the run created or joined; the others are refused, and "
                    "clone3() gets ENOSYS (the C library falls back to clone()).");
}

static int propose_bool(Ctx *c, bool yes, const char *key, const char *why_not, const char *what_else, ...)
        _printf_(4, 6);
static int propose_bool(Ctx *c, bool yes, const char *key, const char *why_not, const char *what_else, ...) {
        _cleanup_free_ char *assignment = NULL, *reason = NULL;
        va_list ap;

        if (!yes) {
                va_start(ap, what_else);
                if (vasprintf(&reason, why_not, ap) < 0)
                        reason = NULL;
                va_end(ap);
                if (!reason)
                        return -ENOMEM;
                return note(c, "%s=yes is not proposed: %s", key, reason);
        }
        if (asprintf(&assignment, "%s=yes", key) < 0)
                return -ENOMEM;
        return emit(c, assignment, "%s", what_else);
}

static const char *first_personality(const Ctx *c) {
        static char buf[32];
        const ObservedFacts *f = &c->o->facts;

        for (size_t i = 0; i < f->n_personalities; i++)
                if (f->personalities[i] != c->p->persona) {
                        snprintf(buf, sizeof buf, "%#lx", f->personalities[i]);
                        return buf;
                }
        return "(many values)";
}

static const char *first_sched_policy(const Ctx *c) {
        static char buf[32];
        uint64_t bad = c->o->facts.sched_policies & ~((UINT64_C(1) << SCHED_OTHER) | (UINT64_C(1) << SCHED_BATCH) |
                                                      (UINT64_C(1) << SCHED_IDLE));

        snprintf(buf, sizeof buf, "%d", bad ? __builtin_ctzll(bad) : -1);
        return buf;
}

static int propose_protections(Ctx *c) {
        const ObservedFacts *f = &c->o->facts;
        const Proposal *p = c->p;
        int r;

        r = propose_bool(c, p->mdwe, "MemoryDenyWriteExecute",
                         "the run %s.", "The run mapped no memory writable and executable at once and made none "
                         "executable later; such mappings get EPERM.",
                         f->wx_mmap ? "mapped memory with PROT_WRITE|PROT_EXEC" :
                         f->exec_mprotect ? "made memory executable with mprotect(PROT_EXEC)" :
                         f->exec_shmat ? "attached shared memory with SHM_EXEC" : "used the old mmap() of its ABI");
        if (r >= 0)
                r = propose_bool(c, p->lock_personality, "LockPersonality",
                                 "the run called personality(%s), which it would refuse.",
                                 "The run did not change its execution domain; personality() with another "
                                 "value gets EPERM.", first_personality(c));
        if (r >= 0)
                r = propose_bool(c, p->restrict_realtime, "RestrictRealtime",
                                 "the run asked for scheduling policy %s.",
                                 "The run asked for no real-time scheduling; SCHED_FIFO, SCHED_RR and "
                                 "SCHED_DEADLINE get EPERM.", first_sched_policy(c));
        if (r >= 0)
                r = propose_bool(c, p->restrict_suid_sgid, "RestrictSUIDSGID",
                                 "the run set a set-user-ID or set-group-ID mode with %s.",
                                 "The run set no set-user-ID or set-group-ID mode; such modes get EPERM.",
                                 strna(syscall_name(f->suid_sgid)));
        if (r >= 0)
                r = propose_bool(c, p->protect_clock, "ProtectClock", "the run %s%s.",
                                 "The run did not set a clock (@clock gets EPERM). Also drops CAP_SYS_TIME and "
                                 "CAP_WAKE_ALARM, and adds /dev/rtc (read) to a device policy the unit sets.",
                                 f->alarm_clock ? "used an alarm clock" : "called ",
                                 f->alarm_clock ? "" : strempty(seen_of_group(c, SYSCALL_SET_CLOCK)));
        if (r >= 0)
                r = propose_bool(c, p->protect_kernel_modules, "ProtectKernelModules", "the run %s %s.",
                                 "The run loaded no kernel module (@module gets EPERM). Also drops CAP_SYS_MODULE "
                                 "and makes /usr/lib/modules inaccessible.",
                                 seen_of_group(c, SYSCALL_SET_MODULE) ? "called" : "opened",
                                 seen_of_group(c, SYSCALL_SET_MODULE) ?: strempty(path_find(c, breaks_kernel_modules)));
        if (r >= 0)
                r = propose_bool(c, p->protect_kernel_logs, "ProtectKernelLogs", "the run %s.",
                                 "The run did not read the kernel log (syslog() gets EPERM). Also drops CAP_SYSLOG "
                                 "and makes /proc/kmsg and /dev/kmsg inaccessible.",
                                 seen_name(c, "syslog") ? "called syslog()" : "opened the kernel log");
        if (r >= 0)
                r = propose_bool(c, p->protect_kernel_tunables, "ProtectKernelTunables", "the run %s%s.",
                                 "The run changed no kernel tunable (_sysctl() gets EPERM). Also makes /proc/sys, "
                                 "/sys and other kernel interfaces read-only, and /proc/kallsyms and /proc/kcore "
                                 "inaccessible.",
                                 seen_name(c, "_sysctl") ? "called _sysctl()" : "used ",
                                 seen_name(c, "_sysctl") ? "" : strempty(path_find(c, breaks_kernel_tunables)));
        if (r >= 0)
                r = propose_bool(c, p->protect_hostname, "ProtectHostname", "the run set the host or domain name.",
                                 "The run did not set the host name (sethostname() and setdomainname() get EPERM). "
                                 "Also gives the service a UTS namespace of its own: it will not see later "
                                 "changes of the host name.");
        if (r >= 0)
                r = propose_bool(c, p->private_devices, "PrivateDevices", "the run %s%s.",
                                 "The run used no device but the pseudo-devices (@raw-io gets EPERM). Also gives "
                                 "the service a /dev of its own with only /dev/null, /dev/zero, /dev/full, "
                                 "/dev/random, /dev/urandom, /dev/tty and the pseudo-terminals, closes the device "
                                 "policy, and drops CAP_MKNOD and CAP_SYS_RAWIO.",
                                 seen_of_group(c, SYSCALL_SET_RAW_IO) ? "called " :
                                 f->mknod_device ? "created a device node" : "opened ",
                                 seen_of_group(c, SYSCALL_SET_RAW_IO) ?:
                                 f->mknod_device ? "" : strempty(path_find(c, breaks_private_devices)));
        return r;
}

static const char *action_text(uint32_t action, char *buf, size_t size) {
        uint32_t a = action & SECCOMP_RET_ACTION_FULL;

        if (a == SECCOMP_RET_ERRNO)
                snprintf(buf, size, "%s", errno_to_name((int) (action & SECCOMP_RET_DATA)) ?: "an errno");
        else if (a == SECCOMP_RET_KILL_PROCESS || a == SECCOMP_RET_KILL_THREAD)
                snprintf(buf, size, "killed (SIGSYS)");
        else
                snprintf(buf, size, "%#x", action);
        return buf;
}

/* What the unit's own sandbox refused during the run: still refused. */
static int note_denials(Ctx *c) {
        size_t shown = 0;
        int r;

        for (size_t i = 0; i < c->o->n_denials; i++) {
                const ObservedDenial *d = &c->o->denials[i];
                const char *name = syscall_name(syscall_from_nr(d->abi, d->nr));
                char act[32], where[256];

                if (d->needed)
                        continue;
                if (shown++ == 0 && (r = note(c, "The unit's own sandbox refused these calls during the run; they "
                                              "stay refused (with this drop-in's errno):")) < 0)
                        return r;
                if (shown > 20)
                        continue;
                if (d->loc.file)
                        snprintf(where, sizeof where, "%s (%s:%u)", strempty(policy_layer_to_directive(d->layer)),
                                 d->loc.file, d->loc.line);
                else
                        snprintf(where, sizeof where, "%s", strempty(policy_layer_to_directive(d->layer)));
                r = note(c, "  %s%s%s%s on %s: %s by %s, %" PRIu64 " time%s", name ?: "?", d->detail[0] ? "(" : "",
                         d->detail, d->detail[0] ? ")" : "", abi_to_name(d->abi),
                         action_text(d->action, act, sizeof act), where, d->count, d->count == 1 ? "" : "s");
                if (r < 0)
                        return r;
        }
        if (shown > 20)
                return note(c, "  and %zu more", shown - 20);
        return 0;
}

static int header(Ctx *c) {
        const ObservedRun *run = &c->o->run;
        const ObservedFacts *f = &c->o->facts;
        _cleanup_free_ char *programs = NULL;
        char how[128];

        if (run->partial)
                snprintf(how, sizeof how, "PARTIAL: interrupted after %.1f s, so the service may need more than this allows", run->seconds);
        else if (run->stopped)
                snprintf(how, sizeof how, "stopped after %.1f s", run->seconds);
        else if (run->exit_status > 128 && run->exit_status < 128 + 65)
                snprintf(how, sizeof how, "killed by signal %d after %.1f s", run->exit_status - 128, run->seconds);
        else
                snprintf(how, sizeof how, "exit status %d after %.1f s", run->exit_status, run->seconds);
        programs = strv_join(f->programs, ", ");
        if (!programs)
                return -ENOMEM;

        if (proposal_add_header(c->p, "Proposed by megafilter learn for %s, from one run of %s (%s).",
                                c->opts->unit_name, strna(c->opts->command), how) < 0 ||
            proposal_add_header(c->p, "The run started %" PRIu64 " process%s and %" PRIu64 " thread%s and executed %s.",
                                f->forks, f->forks == 1 ? "" : "es", f->threads, f->threads == 1 ? "" : "s",
                                programs[0] ? programs : "nothing") < 0 ||
            proposal_add_header(c->p, "Install it as /etc/systemd/system/%s.d/50-learned.conf (then systemctl "
                                "daemon-reload). It allows what the run did and nothing else: code paths the run did "
                                "not take may need more.", c->opts->unit_name) < 0)
                return -ENOMEM;
        if (run->leftovers > 0 &&
            proposal_add_header(c->p, "%u process%s outlived the main process and %s stopped, as systemd stops them.",
                                run->leftovers, run->leftovers == 1 ? "" : "es", run->leftovers == 1 ? "was" : "were") < 0)
                return -ENOMEM;
        if (run->sigkill_kills > 0 &&
            proposal_add_header(c->p, "The unit's sandbox killed %u process%s that %s SIGSYS: %s killed with "
                                "SIGKILL in its place.", run->sigkill_kills, run->sigkill_kills == 1 ? "" : "es",
                                run->sigkill_kills == 1 ? "handles or blocks" : "handle or block",
                                run->sigkill_kills == 1 ? "it was" : "they were") < 0)
                return -ENOMEM;
        if (f->paths_overflow &&
            proposal_add_header(c->p, "More than %d paths under /dev, /proc and /sys were opened; only the first "
                                "count for the Protect*= settings.", LEARN_MAX_PATHS) < 0)
                return -ENOMEM;
        return 0;
}

int learn_propose(const Observation *o, const Directives *unit, const ProposeOptions *opts, Proposal **ret) {
        _cleanup_(proposal_freep) Proposal *p = calloc(1, sizeof(Proposal));
        Ctx c = { .o = o, .unit = unit, .opts = opts, .p = p, .n = syscall_count() };
        AbiSet used = 0;
        int r;

        if (!p)
                return -ENOMEM;
        p->allow = calloc(c.n, 1);
        if (!p->allow)
                return -ENOMEM;
        p->persona = opts->persona;

        r = ctx_init(&c);
        if (r >= 0) {
                ABI_SET_FOREACH(a, o->abis) {
                        if (!observation_used_abi(o, a))
                                continue;
                        used |= ABI_BIT(a);
                        for (uint32_t i = 0; i < o->n[a]; i++)
                                if (o->calls[a][i].needed > 0) {
                                        int id = syscall_from_nr(a, o->nr_first[a] + i);

                                        if (id >= 0)
                                                c.seen[id] = 1;
                                }
                }
                p->archs_native = (used & ~ABI_BIT(o->native)) == 0;
                c.abis = p->archs_native ? ABI_BIT(o->native) : o->abis;
                for (size_t id = 0; id < c.n; id++)
                        ABI_SET_FOREACH(a, c.abis)
                                if (syscall_nr(a, (int) id) != SYSCALL_NR_NONE)
                                        c.exists[id] = 1;

                r = header(&c);
        }
        if (r >= 0)
                r = decide_booleans(&c);
        if (r >= 0)
                r = propose_syscall_filter(&c);
        if (r >= 0)
                r = propose_architectures(&c);
        if (r >= 0)
                r = propose_families(&c);
        if (r >= 0)
                r = propose_namespaces(&c);
        if (r >= 0)
                r = propose_protections(&c);
        if (r >= 0)
                r = note_denials(&c);
        ctx_done(&c);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(p);
        return 0;
}

Proposal *proposal_free(Proposal *p) {
        if (!p)
                return NULL;
        free(p->allow);
        strv_free(p->header);
        strv_free(p->lines);
        free(p);
        return NULL;
}

char *proposal_to_dropin(const Proposal *p) {
        _cleanup_free_ char *head = strv_join(p->header, "\n"), *body = strv_join(p->lines, "\n");
        char *s;

        if (!head || !body || asprintf(&s, "%s%s[Service]\n%s\n", head, head[0] ? "\n" : "", body) < 0)
                return NULL;
        return s;
}
