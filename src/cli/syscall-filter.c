/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* megafilter syscall-filter: the syscall sets in the format of `systemd-analyze syscall-filter`,
 * with megafilter's membership data, plus a per-syscall view (sets and numbers per ABI). */

#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>

#include "abi.h"
#include "macro.h"
#include "syscall-set.h"
#include "syscall-table.h"
#include "verbs.h"

static bool arg_quiet = false;

static void help(void) {
        printf("Usage: megafilter syscall-filter [OPTIONS…] [@SET|NAME…]\n"
               "\n"
               "List system call sets and their members, in the format of\n"
               "'systemd-analyze syscall-filter', or show where a system call belongs.\n"
               "\n"
               "Without arguments, every set is listed (@known last), followed by two sections:\n"
               "  # Ungrouped System Calls   names in @known that no other set contains\n"
               "  # Unlisted System Calls    names the running kernel offers (from tracefs'\n"
               "                             available_events) that no set contains\n"
               "  If the kernel's list cannot be read, a notice on stderr replaces the latter.\n"
               "\n"
               "Arguments:\n"
               "  @SET     The set's name, \"    # \" and a description, then one member per line,\n"
               "           indented by four spaces; nested sets appear as @name.\n"
               "  NAME     The system call's name, \"    # System call, in:\" and every set that\n"
               "           contains it directly or through nesting, then \"    ABI NUMBER\" for\n"
               "           every ABI that has it (this host's ABIs first), NUMBER as the filter\n"
               "           sees it (x32 and MIPS numbers include their ABI's offset).\n"
               "  Output for several arguments is separated by blank lines. An unknown set or\n"
               "  name is reported on stderr after the output for the arguments before it, and\n"
               "  the exit status is 1.\n"
               "\n"
               "Options:\n"
               "  -h --help      Show this help\n"
               "  -q --quiet     Without arguments, list the sets only\n"
               "\n"
               "Environment:\n"
               "  MEGAFILTER_TRACING_DIR   Read available_events from this directory instead of\n"
               "                           /sys/kernel/tracing (or /sys/kernel/debug/tracing)\n");
}

static void dump_set(const SyscallSet *set) {
        printf("%s\n"
               "    # %s\n",
               set->name, set->help);
        for (const char *const *m = set->members; *m; m++)
                printf("    %s\n", *m);
}

static bool set_lists_directly(const SyscallSet *set, const char *name) {
        for (const char *const *m = set->members; *m; m++)
                if (streq(*m, name))
                        return true;
        return false;
}

static bool listed_in_any_set(const char *name) {
        for (SyscallSetId i = 0; i < _SYSCALL_SET_MAX; i++)
                if (set_lists_directly(&syscall_sets[i], name))
                        return true;
        return false;
}

typedef struct Search {
        const char *name;
        bool found;
} Search;

static int search_name(const char *name, void *userdata) {
        Search *s = userdata;

        if (streq(name, s->name))
                s->found = true;
        return 0;
}

/* Returns -ENOENT if the name is neither a syscall nor a member of any set. */
static int dump_syscall(const char *name) {
        _cleanup_strv_free_ char **sets = NULL;
        _cleanup_free_ char *joined = NULL;
        AbiSet native, host;
        int id, r;

        for (SyscallSetId i = 0; i < _SYSCALL_SET_MAX; i++) {
                Search s = { .name = name };

                r = syscall_set_foreach(&syscall_sets[i], search_name, &s);
                if (r < 0)
                        return r;
                if (s.found) {
                        r = strv_extend(&sets, syscall_sets[i].name);
                        if (r < 0)
                                return r;
                }
        }

        id = syscall_from_name(name);
        if (id < 0 && !sets)
                return -ENOENT;

        joined = strv_join(sets, " ");
        if (!joined)
                return -ENOMEM;

        printf("%s\n"
               "    # System call, in:%s%s\n",
               name, isempty(joined) ? "" : " ", joined);

        if (id < 0)             /* listed by a set, but no ABI has it */
                return 0;

        /* The native ABI, then the others this host runs, then the rest; each group in enum order. */
        native = ABI_BIT(abi_native());
        host = abi_info[abi_native()].host_abis & ~native;
        const AbiSet order[] = { native, host, ~(native | host) };

        for (size_t g = 0; g < ELEMENTSOF(order); g++)
                ABI_SET_FOREACH(a, order[g]) {
                        int64_t nr = syscall_nr(a, id);

                        if (nr != SYSCALL_NR_NONE)
                                printf("    %s %" PRIi64 "\n", abi_to_name(a), nr);
                }
        return 0;
}

/* Opens the tracefs list of events; path receives the file tried last. */
static int open_available_events(FILE **ret, char *path, size_t size) {
        static const char *const dirs[] = { "/sys/kernel/tracing", "/sys/kernel/debug/tracing" };
        const char *env = getenv("MEGAFILTER_TRACING_DIR");
        int r = -ENOENT;

        for (size_t i = 0; i < (env ? 1 : ELEMENTSOF(dirs)); i++) {
                snprintf(path, size, "%s/available_events", env ?: dirs[i]);
                *ret = fopen(path, "re");
                if (*ret)
                        return 0;
                r = negative_errno();
        }
        return r;
}

/* The syscalls the running kernel has tracepoints for, sorted, without duplicates. */
static int load_kernel_syscalls(char ***ret, char *path, size_t path_size) {
        _cleanup_strv_free_ char **l = NULL;
        _cleanup_fclose_ FILE *f = NULL;
        _cleanup_free_ char *line = NULL;
        size_t line_size = 0, n = 0;
        ssize_t k;
        int r;

        r = open_available_events(&f, path, path_size);
        if (r < 0)
                return r;

        errno = 0;
        while ((k = getline(&line, &line_size, f)) >= 0) {
                const char *e;

                if (k > 0 && line[k - 1] == '\n')
                        line[k - 1] = 0;
                e = startswith(line, "syscalls:sys_enter_");
                if (!e || isempty(e))
                        continue;
                /* The kernel's internal names for calls known by another name. */
                if (streq(e, "newuname") || streq(e, "newfstat") || streq(e, "newstat") ||
                    streq(e, "newlstat") || streq(e, "sysctl"))
                        continue;
                r = strv_extend(&l, e);
                if (r < 0)
                        return r;
                n++;
        }
        if (ferror(f))
                return errno > 0 ? -errno : -EIO;

        strv_sort(l);
        /* Remove duplicates in place. */
        size_t w = 0;
        for (size_t i = 0; i < n; i++) {
                if (w > 0 && streq(l[w - 1], l[i])) {
                        free(l[i]);
                        continue;
                }
                l[w++] = l[i];
        }
        if (l)
                l[w] = NULL;

        *ret = TAKE_PTR(l);
        return 0;
}

static int list_all(void) {
        _cleanup_strv_free_ char **kernel = NULL;
        _cleanup_free_ bool *grouped = NULL;
        char kernel_path[4096] = "";
        bool any;
        int k = 0;

        for (SyscallSetId i = 0; i < _SYSCALL_SET_MAX; i++) {
                if (i > 0)
                        putchar('\n');
                dump_set(&syscall_sets[i]);
        }

        if (arg_quiet)
                return 0;

        /* Ungrouped: in @known (= the syscall table) but directly in no other set. Nested sets
         * are listed themselves, so direct membership covers nesting. */
        grouped = calloc(syscall_count(), sizeof(bool));
        if (!grouped)
                return -ENOMEM;
        for (SyscallSetId i = 0; i < _SYSCALL_SET_MAX; i++) {
                if (i == SYSCALL_SET_KNOWN)
                        continue;
                for (const char *const *m = syscall_sets[i].members; *m; m++) {
                        int id = syscall_from_name(*m);
                        if (id >= 0)
                                grouped[id] = true;
                }
        }

        any = false;
        for (const char *const *m = syscall_sets[SYSCALL_SET_KNOWN].members; *m; m++) {
                int id = syscall_from_name(*m);

                if (id >= 0 && grouped[id])
                        continue;
                if (!any)
                        printf("\n"
                               "# Ungrouped System Calls (known but not included in any of the groups except @known):\n");
                any = true;
                printf("#   %s\n", *m);
        }

        k = load_kernel_syscalls(&kernel, kernel_path, sizeof kernel_path);
        if (k < 0) {
                putchar('\n');
                fflush(stdout);
                errno = -k;
                fprintf(stderr, "# Unlisted system calls not shown: cannot read %s: %m\n", kernel_path);
                return 0;
        }

        any = false;
        STRV_FOREACH(s, kernel) {
                if (syscall_from_name(*s) >= 0 || listed_in_any_set(*s))
                        continue;
                if (!any)
                        printf("\n"
                               "# Unlisted System Calls (supported by the local kernel, but not included in any of the groups listed above):\n");
                any = true;
                printf("#   %s\n", *s);
        }
        return 0;
}

int verb_syscall_filter(int argc, char *argv[]) {
        static const struct option options[] = {
                { "help",  no_argument, NULL, 'h' },
                { "quiet", no_argument, NULL, 'q' },
                {}
        };
        int c, r;

        optind = 0;
        while ((c = getopt_long(argc, argv, "hq", options, NULL)) >= 0)
                switch (c) {
                case 'h':
                        help();
                        return 0;
                case 'q':
                        arg_quiet = true;
                        break;
                default:                /* getopt has printed the problem */
                        fprintf(stderr, "See 'megafilter syscall-filter --help'.\n");
                        return 1;
                }

        if (optind >= argc) {
                r = list_all();
                if (r < 0) {
                        fflush(stdout);
                        errno = -r;
                        fprintf(stderr, "Failed to list system call sets: %m\n");
                        return 1;
                }
                return 0;
        }

        for (int i = optind; i < argc; i++) {
                const char *name = argv[i];

                if (i > optind)
                        putchar('\n');

                if (name[0] == '@') {
                        const SyscallSet *set = syscall_set_find(name);

                        if (!set) {
                                fflush(stdout);
                                fprintf(stderr, "Filter set \"%s\" not found.\n", name);
                                return 1;
                        }
                        dump_set(set);
                        continue;
                }

                r = dump_syscall(name);
                if (r < 0) {
                        fflush(stdout);
                        if (r == -ENOENT)
                                fprintf(stderr, "Unknown system call or filter set: %s\n", name);
                        else {
                                errno = -r;
                                fprintf(stderr, "Failed to look up %s: %m\n", name);
                        }
                        return 1;
                }
        }
        return 0;
}
