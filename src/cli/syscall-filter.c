/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* megafilter syscall-filter: the syscall sets in the format of `systemd-analyze syscall-filter`,
 * with megafilter's membership data, plus a per-syscall view (sets and numbers per ABI). */

#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>

#include "abi.h"
#include "cli-util.h"
#include "json-writer.h"
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
               "     --json     One JSON object instead: each set as \"@name\": {\"description\",\n"
               "                \"syscalls\"}, each system call as \"name\": {\"sets\", \"numbers\"\n"
               "                (by ABI)}; without arguments also \"ungrouped\" and \"unlisted\"\n"
               "                (null when the kernel's list cannot be read)\n"
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

static void json_set(JsonWriter *j, const SyscallSet *set) {
        json_key(j, set->name);
        json_object_begin(j);
        json_key_string(j, "description", set->help);
        json_key(j, "syscalls");
        json_array_begin(j);
        for (const char *const *m = set->members; *m; m++)
                json_string(j, *m);
        json_array_end(j);
        json_object_end(j);
}

static int json_syscall(JsonWriter *j, const char *name) {
        int id = syscall_from_name(name);

        json_key(j, name);
        json_object_begin(j);
        json_key(j, "sets");
        json_array_begin(j);
        for (SyscallSetId i = 0; i < _SYSCALL_SET_MAX; i++) {
                Search s = { .name = name };
                int r = syscall_set_foreach(&syscall_sets[i], search_name, &s);

                if (r < 0)
                        return r;
                if (s.found)
                        json_string(j, syscall_sets[i].name);
        }
        json_array_end(j);
        json_key(j, "numbers");
        json_object_begin(j);
        for (Abi a = 0; id >= 0 && a < _ABI_MAX; a++) {
                int64_t nr = syscall_nr(a, id);

                if (nr != SYSCALL_NR_NONE)
                        json_key_uint(j, abi_to_name(a), (uint64_t) nr);
        }
        json_object_end(j);
        json_object_end(j);
        return 0;
}

/* Names in @known (= the syscall table) that no other set lists directly (nested sets are
 * listed themselves, so direct membership covers nesting). */
static int ungrouped_syscalls(char ***ret) {
        _cleanup_free_ bool *grouped = calloc(syscall_count(), sizeof(bool));
        _cleanup_strv_free_ char **l = NULL;

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
        for (const char *const *m = syscall_sets[SYSCALL_SET_KNOWN].members; *m; m++) {
                int id = syscall_from_name(*m);

                if ((id < 0 || !grouped[id]) && strv_extend(&l, *m) < 0)
                        return -ENOMEM;
        }
        *ret = TAKE_PTR(l);
        return 0;
}

/* What the running kernel has and no set lists; -errno (and the file tried) if it cannot be read. */
static int unlisted_syscalls(char ***ret, char *path, size_t size) {
        _cleanup_strv_free_ char **kernel = NULL, **l = NULL;
        int k = load_kernel_syscalls(&kernel, path, size);

        if (k < 0)
                return k;
        STRV_FOREACH(s, kernel)
                if (syscall_from_name(*s) < 0 && !listed_in_any_set(*s) && strv_extend(&l, *s) < 0)
                        return -ENOMEM;
        *ret = TAKE_PTR(l);
        return 0;
}

static void json_names(JsonWriter *j, const char *key, char **l) {
        json_key(j, key);
        json_array_begin(j);
        STRV_FOREACH(s, l)
                json_string(j, *s);
        json_array_end(j);
}

static int list_all(bool json) {
        _cleanup_strv_free_ char **ungrouped = NULL, **unlisted = NULL;
        _cleanup_(json_writer_done) JsonWriter j = { .f = stdout };
        char kernel_path[4096] = "";
        int k, r;

        if (json) {
                json_object_begin(&j);
                for (SyscallSetId i = 0; i < _SYSCALL_SET_MAX; i++)
                        json_set(&j, &syscall_sets[i]);
        } else
                for (SyscallSetId i = 0; i < _SYSCALL_SET_MAX; i++) {
                        if (i > 0)
                                putchar('\n');
                        dump_set(&syscall_sets[i]);
                }

        if (arg_quiet) {
                if (json) {
                        json_object_end(&j);
                        putchar('\n');
                }
                return 0;
        }

        r = ungrouped_syscalls(&ungrouped);
        if (r < 0)
                return r;
        k = unlisted_syscalls(&unlisted, kernel_path, sizeof kernel_path);
        if (k == -ENOMEM)
                return k;

        if (json) {
                json_names(&j, "ungrouped", ungrouped);
                if (k < 0) {
                        json_key(&j, "unlisted");
                        json_string(&j, NULL);
                } else
                        json_names(&j, "unlisted", unlisted);
                json_object_end(&j);
                putchar('\n');
        } else {
                if (ungrouped) {
                        printf("\n"
                               "# Ungrouped System Calls (known but not included in any of the groups except @known):\n");
                        STRV_FOREACH(s, ungrouped)
                                printf("#   %s\n", *s);
                }
                if (k >= 0 && unlisted) {
                        printf("\n"
                               "# Unlisted System Calls (supported by the local kernel, but not included in any of the groups listed above):\n");
                        STRV_FOREACH(s, unlisted)
                                printf("#   %s\n", *s);
                }
                if (k < 0)
                        putchar('\n');
        }
        if (k < 0) {
                fflush(stdout);
                errno = -k;
                fprintf(stderr, "# Unlisted system calls not shown: cannot read %s: %m\n", kernel_path);
        }
        return 0;
}

int verb_syscall_filter(int argc, char *argv[]) {
        enum { ARG_JSON = 0x100 };
        static const struct option options[] = {
                { "help",  no_argument, NULL, 'h' },
                { "quiet", no_argument, NULL, 'q' },
                { "json",  no_argument, NULL, ARG_JSON },
                {}
        };
        _cleanup_(json_writer_done) JsonWriter j = { .f = stdout };
        bool json = false;
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
                case ARG_JSON:
                        json = true;
                        break;
                default:                /* getopt has printed the problem */
                        cli_error(EINVAL, "See 'megafilter syscall-filter --help'.");
                        return 1;
                }

        if (optind >= argc) {
                r = list_all(json);
                if (r < 0) {
                        fflush(stdout);
                        cli_error(r, "Failed to list system call sets: %m");
                        return 1;
                }
                return 0;
        }

        /* JSON is one object: every name must be known before it starts. */
        for (int i = optind; json && i < argc; i++) {
                Search s = { .name = argv[i] };
                bool known = argv[i][0] == '@' ? syscall_set_find(argv[i]) != NULL : syscall_from_name(argv[i]) >= 0;

                for (SyscallSetId k = 0; !known && argv[i][0] != '@' && k < _SYSCALL_SET_MAX; k++)
                        if (syscall_set_foreach(&syscall_sets[k], search_name, &s) >= 0 && s.found)
                                known = true;
                if (!known) {
                        if (argv[i][0] == '@')
                                cli_error(ENOENT, "Filter set \"%s\" not found.", argv[i]);
                        else
                                cli_error(ENOENT, "Unknown system call or filter set: %s", argv[i]);
                        return 1;
                }
        }
        if (json)
                json_object_begin(&j);

        for (int i = optind; i < argc; i++) {
                const char *name = argv[i];

                if (i > optind && !json)
                        putchar('\n');

                if (name[0] == '@') {
                        const SyscallSet *set = syscall_set_find(name);

                        if (!set) {
                                fflush(stdout);
                                cli_error(ENOENT, "Filter set \"%s\" not found.", name);
                                return 1;
                        }
                        if (json)
                                json_set(&j, set);
                        else
                                dump_set(set);
                        continue;
                }

                r = json ? json_syscall(&j, name) : dump_syscall(name);
                if (r < 0) {
                        fflush(stdout);
                        if (r == -ENOENT)
                                cli_error(r, "Unknown system call or filter set: %s", name);
                        else
                                cli_error(r, "Failed to look up %s: %m", name);
                        return 1;
                }
        }
        if (json) {
                json_object_end(&j);
                putchar('\n');
        }
        return 0;
}
