/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* megafilter compile: a unit's sandbox as the programs handed to the kernel. */

#include <fcntl.h>
#include <getopt.h>
#include <sys/stat.h>

#include "bpf-disasm.h"
#include "cli-unit.h"
#include "filter-stats.h"
#include "json-writer.h"
#include "syscall-table.h"
#include "verbs.h"

typedef enum Format {
        FORMAT_DISASM,
        FORMAT_RAW,
        FORMAT_C,
        FORMAT_JSON,
} Format;

static void help(void) {
        printf("Usage: megafilter compile [OPTIONS…] UNIT\n"
               "\n"
               "Compile a unit's sandboxing directives into its seccomp programs: the megafilter\n"
               "and, when some decision depends on arguments, the argument filter.\n"
               "\n"
               "Options:\n"
               "     --format=FORMAT      disasm (default), raw, c or json\n"
               "  -o --output=DIR         Write one file per filter into DIR, named so that\n"
               "                          sorting gives the attach order (00-megafilter.bpf, …);\n"
               "                          required for --format=raw\n"
               "     --layout=LAYOUT      split (default) or single\n"
               "     --arch=ABI           Compile for a host of this ABI (x86-64, arm64, …;\n"
               "                          'help' lists them)\n"
               "     --mdwe=MODE          MemoryDenyWriteExecute= with auto (default), prctl or\n"
               "                          seccomp\n"
               "     --no-verify          Skip checking the programs against the policy\n"
               UNIT_ARGS_HELP
               "  -h --help               Show this help\n");
}

static const char *format_extension(Format f) {
        switch (f) {
        case FORMAT_RAW:
                return "bpf";
        case FORMAT_C:
                return "c";
        case FORMAT_JSON:
                return "json";
        default:
                return "txt";
        }
}

static void write_c(FILE *f, const BpfProgram *p, size_t index) {
        fprintf(f, "static const struct sock_filter filter_%02zu_%s[%zu] = {\n", index, p->name, p->n);
        for (size_t i = 0; i < p->n; i++)
                fprintf(f, "        { 0x%02x, %3u, %3u, 0x%08x },\n",
                        p->insns[i].code, p->insns[i].jt, p->insns[i].jf, p->insns[i].k);
        fprintf(f, "};\n");
}

static void write_json_program(JsonWriter *j, const BpfProgram *p) {
        json_object_begin(j);
        json_key_string(j, "name", p->name);
        json_key_uint(j, "instructions", p->n);
        json_key(j, "program");
        json_array_begin(j);
        for (size_t i = 0; i < p->n; i++) {
                json_array_begin(j);
                json_uint(j, p->insns[i].code);
                json_uint(j, p->insns[i].jt);
                json_uint(j, p->insns[i].jf);
                json_uint(j, p->insns[i].k);
                json_array_end(j);
        }
        json_array_end(j);
        json_object_end(j);
}

static void write_json_abi_stats(JsonWriter *j, const Sandbox *s, Abi abi) {
        _cleanup_free_ BpfFilterRef *refs = calloc(s->n_progs + 1, sizeof(BpfFilterRef));
        AbiStats st;

        if (!refs)
                return;
        for (size_t i = 0; i < s->n_progs; i++)
                refs[i] = (BpfFilterRef) { s->progs[i].insns, s->progs[i].n };
        if (filter_stats_abi(refs, s->n_progs, s->policy->native, abi, s->policy, &st) < 0)
                return;

        json_key_uint(j, "syscalls", st.n_syscalls);
        json_key_bool(j, "kernel_cache", st.cacheable);
        for (SyscallClass k = 0; k < _CLASS_MAX; k++) {
                json_key(j, syscall_class_to_string(k));
                json_object_begin(j);
                json_key_uint(j, "count", st.count[k]);
                json_key_uint(j, "instructions_max", st.steps_max[k]);
                json_key_double(j, "instructions_mean", st.steps_mean[k]);
                json_object_end(j);
        }
        json_key(j, "argument_checked");
        json_array_begin(j);
        for (size_t i = 0; i < st.n_costs; i++)
                if (st.costs[i].class == CLASS_ARG_CHECKED) {
                        json_object_begin(j);
                        json_key_string(j, "syscall", syscall_name(st.costs[i].id));
                        json_key_uint(j, "nr", st.costs[i].nr);
                        json_key_uint(j, "instructions_max", st.costs[i].steps);
                        json_object_end(j);
                }
        json_array_end(j);
        abi_stats_done(&st);
}

static void write_json(FILE *f, const char *unit, const mf_sandbox *sandbox) {
        _cleanup_(json_writer_done) JsonWriter j = { .f = f };
        const Sandbox *s = sandbox->sandbox;
        const Policy *p = s->policy;

        json_object_begin(&j);
        json_key_string(&j, "unit", unit);
        json_key_string(&j, "arch", abi_to_name(p->native));
        json_key_string(&j, "layout", layout_to_string(s->layout));
        json_key_string(&j, "memory_deny_write_execute", mf_sandbox_flags(sandbox) & MF_SANDBOX_MDWE_PRCTL ? "prctl" : "seccomp");
        json_key(&j, "filters");
        json_array_begin(&j);
        for (size_t i = 0; i < s->n_progs; i++)
                write_json_program(&j, &s->progs[i]);
        json_array_end(&j);
        json_key(&j, "abis");
        json_array_begin(&j);
        ABI_SET_FOREACH(abi, p->abis) {
                json_object_begin(&j);
                json_key_string(&j, "name", abi_to_name(abi));
                json_key_bool(&j, "allowed", p->abi[abi].allowed);
                write_json_abi_stats(&j, s, abi);
                json_object_end(&j);
        }
        json_array_end(&j);
        json_object_end(&j);
        fputc('\n', f);
}

static int write_one(FILE *f, Format format, const BpfProgram *p, size_t index, Abi native) {
        switch (format) {
        case FORMAT_RAW:
                return fwrite(p->insns, sizeof(struct sock_filter), p->n, f) == p->n ? 0 : -EIO;
        case FORMAT_C:
                write_c(f, p, index);
                return 0;
        case FORMAT_DISASM:
        default: {
                _cleanup_free_ char *text = bpf_disassemble(p->insns, p->n, native);

                if (!text)
                        return -ENOMEM;
                fprintf(f, "# %02zu-%s: %zu instructions\n%s", index, p->name, p->n, text);
                return 0;
        }
        }
}

static int write_to_dir(const char *dir, Format format, const char *unit, const mf_sandbox *sandbox) {
        const Sandbox *s = sandbox->sandbox;

        if (mkdir(dir, 0755) < 0 && errno != EEXIST)
                return -errno;

        if (format == FORMAT_JSON) {
                _cleanup_free_ char *path = NULL;
                _cleanup_fclose_ FILE *f = NULL;

                if (asprintf(&path, "%s/sandbox.json", dir) < 0)
                        return -ENOMEM;
                f = fopen(path, "we");
                if (!f)
                        return -errno;
                write_json(f, unit, sandbox);
                return fflush(f) == 0 ? 0 : -errno;
        }

        for (size_t i = 0; i < s->n_progs; i++) {
                _cleanup_free_ char *path = NULL;
                _cleanup_fclose_ FILE *f = NULL;
                int r;

                if (asprintf(&path, "%s/%02zu-%s.%s", dir, i, s->progs[i].name, format_extension(format)) < 0)
                        return -ENOMEM;
                f = fopen(path, "we");
                if (!f)
                        return -errno;
                r = write_one(f, format, &s->progs[i], i, s->policy->native);
                if (r < 0)
                        return r;
                if (fflush(f) != 0)
                        return -errno;
        }
        return 0;
}

int verb_compile(int argc, char *argv[]) {
        enum { ARG_FORMAT = 0x100, ARG_LAYOUT, ARG_ARCH, ARG_MDWE, ARG_NO_VERIFY };
        static const struct option options[] = {
                { "help", no_argument, NULL, 'h' },
                { "format", required_argument, NULL, ARG_FORMAT },
                { "output", required_argument, NULL, 'o' },
                { "layout", required_argument, NULL, ARG_LAYOUT },
                { "arch", required_argument, NULL, ARG_ARCH },
                { "mdwe", required_argument, NULL, ARG_MDWE },
                { "no-verify", no_argument, NULL, ARG_NO_VERIFY },
                UNIT_ARGS_OPTIONS,
                {}
        };
        _cleanup_(mf_unit_freep) mf_unit *u = NULL;
        _cleanup_(mf_sandbox_freep) mf_sandbox *sandbox = NULL;
        struct mf_compile_options o = { .size = sizeof o };
        struct mf_error error = { .size = sizeof error };
        Format format = FORMAT_DISASM;
        const char *output = NULL;
        _cleanup_(unit_args_done) UnitArgs ua = {};
        const Sandbox *s;
        int c, r;

        optind = 0;
        while ((c = getopt_long(argc, argv, "ho:" UNIT_ARGS_SHORT, options, NULL)) >= 0) {
                switch (c) {
                case 'h':
                        help();
                        return 0;
                case ARG_FORMAT:
                        if (streq(optarg, "disasm"))
                                format = FORMAT_DISASM;
                        else if (streq(optarg, "raw"))
                                format = FORMAT_RAW;
                        else if (streq(optarg, "c"))
                                format = FORMAT_C;
                        else if (streq(optarg, "json"))
                                format = FORMAT_JSON;
                        else {
                                cli_error(EINVAL, "Unknown format %s; valid formats: disasm, raw, c, json.", optarg);
                                return 1;
                        }
                        break;
                case 'o':
                        output = optarg;
                        break;
                case ARG_LAYOUT:
                        if (cli_parse_layout(optarg, &o.layout) < 0)
                                return 1;
                        break;
                case ARG_ARCH:
                        if (cli_parse_arch(optarg, &o.arch) < 0)
                                return 1;
                        break;
                case ARG_MDWE:
                        if (cli_parse_mdwe(optarg, &o.mdwe) < 0)
                                return 1;
                        break;
                case ARG_NO_VERIFY:
                        o.verify = MF_VERIFY_OFF;
                        break;
                case '?':
                        return 1;
                default:
                        r = unit_args_parse_option(&ua, c, optarg);
                        if (r <= 0)
                                return 1;
                }
        }

        if (optind != argc - 1) {
                cli_error(EINVAL, "compile: expected exactly one unit; see 'megafilter compile --help'.");
                return 1;
        }
        if (format == FORMAT_RAW && !output) {
                cli_error(EINVAL, "compile: --format=raw needs --output=DIR.");
                return 1;
        }

        r = cli_load_unit(argv[optind], &ua, &u);
        if (r < 0)
                return 1;

        r = mf_compile(u, &o, cli_log, &ua.verbose, &sandbox, &error);
        if (r < 0) {
                cli_error(r, "Failed to compile the sandbox of %s: %m", mf_unit_name(u));
                return 1;
        }
        s = sandbox->sandbox;

        if (output)
                r = write_to_dir(output, format, mf_unit_name(u), sandbox);
        else if (format == FORMAT_JSON) {
                write_json(stdout, mf_unit_name(u), sandbox);
                r = 0;
        } else {
                r = 0;
                if (format == FORMAT_C)
                        printf("/* %s: %zu filter%s in attach order (layout %s, %s) */\n#include <linux/filter.h>\n\n",
                               mf_unit_name(u), s->n_progs, s->n_progs == 1 ? "" : "s", layout_to_string(s->layout),
                               mf_sandbox_arch(sandbox));
                if (s->n_progs == 0)
                        printf("# %s restricts no system call: no filter.\n", mf_unit_name(u));
                for (size_t i = 0; i < s->n_progs && r >= 0; i++)
                        r = write_one(stdout, format, &s->progs[i], i, s->policy->native);
        }
        if (r < 0) {
                cli_error(r, "Failed to write the filters%s%s: %m", output ? " to " : "", strempty(output));
                return 1;
        }
        return 0;
}
