/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* megafilter oci: container seccomp input (an OCI bundle's linux.seccomp, a bare linux.seccomp
 * object, a Docker/Podman profile) compiled into the one program crun loads from its
 * run.oci.seccomp_bpf_data annotation. */

#include <ctype.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bpf-disasm.h"
#include "cli-util.h"
#include "filter-stats.h"
#include "json-writer.h"
#include "oci-seccomp.h"
#include "syscall-table.h"
#include "verbs.h"

#define OCI_ANNOTATION "run.oci.seccomp_bpf_data"

typedef enum Format {
        FORMAT_DISASM,
        FORMAT_RAW,
        FORMAT_BASE64,
        FORMAT_JSON,
} Format;

static void help(void) {
        printf("Usage: megafilter oci compile [OPTIONS…] PROFILE|BUNDLE\n"
               "       megafilter oci annotate [OPTIONS…] BUNDLE\n"
               "       megafilter oci resolve [OPTIONS…] PROFILE|BUNDLE\n"
               "\n"
               "Compile a container's seccomp filter as crun builds it from the runtime spec's\n"
               "linux.seccomp (or from a Docker/Podman profile, resolved as the engine resolves\n"
               "it) into one verified program; annotate writes it into the bundle's config.json\n"
               "as the " OCI_ANNOTATION " annotation, which crun loads instead.\n"
               "\n"
               "Commands:\n"
               "  compile                Print or write the program\n"
               "  annotate               Write the annotation into BUNDLE/config.json\n"
               "  resolve                Print the linux.seccomp object the input stands for\n"
               "                         (a profile resolved as the engine resolves it)\n"
               "\n"
               "Options:\n"
               "     --input=KIND         auto (default), seccomp (a linux.seccomp object),\n"
               "                          config (a config.json or bundle) or profile\n"
               "     --format=FORMAT      compile: disasm (default), raw, base64 or json\n"
               "  -o --output=FILE        compile, resolve: write FILE (atomically) instead of\n"
               "                          stdout\n"
               "     --arch=ABI           Compile for a host of this ABI ('help' lists them)\n"
               "     --caps=CAP,…         Profiles: the container's capabilities (default:\n"
               "                          Docker's defaults)\n"
               "     --kernel=MAJOR.MINOR Profiles: the kernel for minKernel (default: running)\n"
               "     --strict             Treat every warning (unknown member or system call\n"
               "                          name) as an error\n"
               "     --no-verify          Skip checking the program against the policy\n"
               "  -v --verbose            Also show debug diagnostics\n"
               "  -h --help               Show this help\n");
}

static void log_stderr(void *userdata, int level, const SourceLoc *loc, const char *message) {
        const int *verbose = userdata;
        char prefix[1024];

        if (level > DIAG_NOTICE && *verbose == 0)
                return;
        if (loc && loc->file)
                fprintf(stderr, "%s%s\n", source_loc_prefix(loc, prefix, sizeof prefix), message);
        else
                fprintf(stderr, "megafilter: %s\n", message);
}

static char *base64_encode(const void *data, size_t n) {
        static const char table[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        const uint8_t *p = data;
        char *out = malloc((n + 2) / 3 * 4 + 1), *o = out;

        if (!out)
                return NULL;
        for (size_t i = 0; i < n; i += 3) {
                uint32_t v = (uint32_t) p[i] << 16 | (i + 1 < n ? (uint32_t) p[i + 1] << 8 : 0) | (i + 2 < n ? p[i + 2] : 0);

                *o++ = table[v >> 18 & 63];
                *o++ = table[v >> 12 & 63];
                *o++ = i + 1 < n ? table[v >> 6 & 63] : '=';
                *o++ = i + 2 < n ? table[v & 63] : '=';
        }
        *o = 0;
        return out;
}

/* "chown,CAP_KILL" → { "CAP_CHOWN", "CAP_KILL" }; "" is the empty set. */
static int parse_caps(const char *s, char ***ret) {
        _cleanup_strv_free_ char **l = NULL;
        size_t n = 0;

        for (const char *p = s; *p;) {
                size_t len = strcspn(p, ",");
                char *c;

                if (len > 0) {
                        bool prefixed = len > 4 && strncasecmp(p, "CAP_", 4) == 0;

                        if (asprintf(&c, "%s%.*s", prefixed ? "" : "CAP_", (int) len, p) < 0)
                                return -ENOMEM;
                        for (char *q = c; *q; q++)
                                *q = (char) toupper((unsigned char) *q);
                        if (strv_push(&l, c) < 0)
                                return -ENOMEM;
                        n++;
                }
                p += len;
                if (*p == ',')
                        p++;
        }
        if (!l) {
                l = calloc(1, sizeof(char *));
                if (!l)
                        return -ENOMEM;
        }
        *ret = TAKE_PTR(l);
        return 0;
}

/* Write size bytes to path atomically: a temporary file next to it, renamed over it. Nothing is
 * left behind on failure. mode applies to a new file; an existing one keeps its own. */
static int write_atomic(const char *path, const void *data, size_t size, mode_t mode) {
        _cleanup_free_ char *tmp = NULL, *copy = strdup(path);
        struct stat st;
        int fd, r = 0;

        if (!copy || asprintf(&tmp, "%s/.#%s.XXXXXX", dirname(copy), basename((char *) path)) < 0)
                return -ENOMEM;
        if (stat(path, &st) >= 0)
                mode = st.st_mode & 07777;
        fd = mkostemp(tmp, O_CLOEXEC);
        if (fd < 0)
                return -errno;
        for (size_t done = 0; done < size;) {
                ssize_t k = write(fd, (const char *) data + done, size - done);

                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        r = -errno;
                        break;
                }
                done += (size_t) k;
        }
        if (r >= 0 && fchmod(fd, mode) < 0)
                r = -errno;
        if (r >= 0 && fsync(fd) < 0)
                r = -errno;
        if (close(fd) < 0 && r >= 0)
                r = -errno;
        if (r >= 0 && rename(tmp, path) < 0)
                r = -errno;
        if (r < 0)
                (void) unlink(tmp);
        return r;
}

static void write_json(FILE *f, const char *input, const OciSeccomp *oci, const Sandbox *s) {
        _cleanup_(json_writer_done) JsonWriter j = { .f = f };
        _cleanup_free_ char *b64 = NULL;
        const BpfProgram *p = s->n_progs > 0 ? &s->progs[0] : NULL;

        json_object_begin(&j);
        json_key_string(&j, "input", input);
        json_key_string(&j, "kind", oci_input_to_string(oci->input));
        json_key_string(&j, "arch", abi_to_name(s->policy->native));
        json_key_uint(&j, "instructions", p ? p->n : 0);
        if (p)
                b64 = base64_encode(p->insns, p->n * sizeof(struct sock_filter));
        json_key_string(&j, OCI_ANNOTATION, p ? strempty(b64) : NULL);
        json_key(&j, "program");
        json_array_begin(&j);
        for (size_t i = 0; p && i < p->n; i++) {
                json_array_begin(&j);
                json_uint(&j, p->insns[i].code);
                json_uint(&j, p->insns[i].jt);
                json_uint(&j, p->insns[i].jf);
                json_uint(&j, p->insns[i].k);
                json_array_end(&j);
        }
        json_array_end(&j);
        json_key(&j, "abis");
        json_array_begin(&j);
        ABI_SET_FOREACH(abi, s->policy->abis) {
                BpfFilterRef ref = { p ? p->insns : NULL, p ? p->n : 0 };
                AbiStats st;

                json_object_begin(&j);
                json_key_string(&j, "name", abi_to_name(abi));
                json_key_bool(&j, "allowed", s->policy->abi[abi].allowed);
                if (p && filter_stats_abi(&ref, 1, s->policy->native, abi, s->policy, &st) >= 0) {
                        json_key_uint(&j, "syscalls", st.n_syscalls);
                        json_key_bool(&j, "kernel_cache", st.cacheable);
                        for (SyscallClass k = 0; k < _CLASS_MAX; k++) {
                                json_key(&j, syscall_class_to_string(k));
                                json_object_begin(&j);
                                json_key_uint(&j, "count", st.count[k]);
                                json_key_uint(&j, "instructions_max", st.steps_max[k]);
                                json_key_double(&j, "instructions_mean", st.steps_mean[k]);
                                json_object_end(&j);
                        }
                        abi_stats_done(&st);
                }
                json_object_end(&j);
        }
        json_array_end(&j);
        json_object_end(&j);
        fputc('\n', f);
}

/* The output of compile, in memory: written to stdout or atomically to a file only when whole. */
static int format_program(Format format, const char *input, const OciSeccomp *oci, const Sandbox *s, char **ret,
                          size_t *ret_size) {
        const BpfProgram *p = s->n_progs > 0 ? &s->progs[0] : NULL;
        _cleanup_free_ char *buf = NULL;
        size_t size = 0;
        FILE *f;

        f = open_memstream(&buf, &size);
        if (!f)
                return -ENOMEM;
        switch (format) {
        case FORMAT_RAW:
                if (p)
                        fwrite(p->insns, sizeof(struct sock_filter), p->n, f);
                break;
        case FORMAT_BASE64: {
                _cleanup_free_ char *b64 = p ? base64_encode(p->insns, p->n * sizeof(struct sock_filter)) : NULL;

                if (p && !b64) {
                        fclose(f);
                        return -ENOMEM;
                }
                fprintf(f, "%s\n", strempty(b64));
                break;
        }
        case FORMAT_JSON:
                write_json(f, input, oci, s);
                break;
        default:
                if (!p)
                        fprintf(f, "# %s: no linux.seccomp, no filter.\n", input);
                else {
                        _cleanup_free_ char *text = bpf_disassemble(p->insns, p->n, s->policy->native);

                        if (!text) {
                                fclose(f);
                                return -ENOMEM;
                        }
                        fprintf(f, "# %s: %zu instructions\n%s", input, p->n, text);
                }
        }
        if (fclose(f) != 0)
                return -ENOMEM;
        *ret = TAKE_PTR(buf);
        *ret_size = size;
        return 0;
}

/* ---- resolve: the linux.seccomp object ---- */

static void write_spec(FILE *f, const OciSpec *spec) {
        _cleanup_(json_writer_done) JsonWriter j = { .f = f };

        json_object_begin(&j);
        json_key_string(&j, "defaultAction", spec->default_action);
        if (spec->default_errno_set)
                json_key_uint(&j, "defaultErrnoRet", spec->default_errno);
        json_key(&j, "architectures");
        json_array_begin(&j);
        for (size_t i = 0; i < spec->n_architectures; i++)
                json_string(&j, spec->architectures[i]->string.s);
        json_array_end(&j);
        if (spec->n_flags > 0) {
                json_key(&j, "flags");
                json_array_begin(&j);
                for (size_t i = 0; i < spec->n_flags; i++)
                        json_string(&j, spec->flags[i]->string.s);
                json_array_end(&j);
        }
        if (spec->listener_path)
                json_key_string(&j, "listenerPath", spec->listener_path->string.s);
        json_key(&j, "syscalls");
        json_array_begin(&j);
        for (size_t i = 0; i < spec->n_syscalls; i++) {
                const OciSyscall *sc = &spec->syscalls[i];

                json_object_begin(&j);
                json_key(&j, "names");
                json_array_begin(&j);
                for (size_t k = 0; k < sc->n_names; k++)
                        json_string(&j, sc->names[k]->string.s);
                json_array_end(&j);
                json_key_string(&j, "action", sc->action);
                if (sc->errno_ret_set)
                        json_key_uint(&j, "errnoRet", sc->errno_ret);
                if (sc->n_args > 0) {
                        json_key(&j, "args");
                        json_array_begin(&j);
                        for (size_t k = 0; k < sc->n_args; k++) {
                                json_object_begin(&j);
                                json_key_uint(&j, "index", sc->args[k].index);
                                json_key_uint(&j, "value", sc->args[k].value);
                                json_key_uint(&j, "valueTwo", sc->args[k].value_two);
                                json_key_string(&j, "op", sc->args[k].op);
                                json_object_end(&j);
                        }
                        json_array_end(&j);
                }
                json_object_end(&j);
        }
        json_array_end(&j);
        json_object_end(&j);
        fputc('\n', f);
}

/* ---- annotate: config.json written back with the annotation ---- */

static void write_string(FILE *f, const char *s, size_t len) {
        fputc('"', f);
        for (size_t i = 0; i < len; i++) {
                unsigned char c = (unsigned char) s[i];

                if (c == '"' || c == '\\')
                        fprintf(f, "\\%c", c);
                else if (c == '\n')
                        fputs("\\n", f);
                else if (c == '\t')
                        fputs("\\t", f);
                else if (c < 0x20 || c == 0x7f)
                        fprintf(f, "\\u%04x", c);
                else
                        fputc(c, f);
        }
        fputc('"', f);
}

static void write_indent(FILE *f, unsigned depth) {
        fputc('\n', f);
        for (unsigned i = 0; i < depth; i++)
                fputs("\t", f);
}

/* v as JSON, numbers as written; the annotations object of the root gains (or has replaced) the
 * member key = value. */
static void write_value(FILE *f, const JsonValue *v, unsigned depth) {
        switch (v->type) {
        case JSON_NULL:
                fputs("null", f);
                break;
        case JSON_BOOLEAN:
                fputs(v->boolean ? "true" : "false", f);
                break;
        case JSON_NUMBER:
                fputs(v->number.text, f);
                break;
        case JSON_STRING:
                write_string(f, v->string.s, v->string.len);
                break;
        case JSON_ARRAY:
                fputc('[', f);
                for (size_t i = 0; i < v->array.n; i++) {
                        write_indent(f, depth + 1);
                        write_value(f, v->array.items[i], depth + 1);
                        if (i + 1 < v->array.n)
                                fputc(',', f);
                }
                if (v->array.n > 0)
                        write_indent(f, depth);
                fputc(']', f);
                break;
        case JSON_OBJECT:
                fputc('{', f);
                for (size_t i = 0; i < v->object.n; i++) {
                        write_indent(f, depth + 1);
                        write_string(f, v->object.members[i].key, v->object.members[i].key_len);
                        fputs(": ", f);
                        write_value(f, v->object.members[i].value, depth + 1);
                        if (i + 1 < v->object.n)
                                fputc(',', f);
                }
                if (v->object.n > 0)
                        write_indent(f, depth);
                fputc('}', f);
                break;
        }
}

static int set_member(Arena *a, JsonValue *obj, const char *key, JsonValue *value) {
        JsonMember *m;

        for (size_t i = 0; i < obj->object.n; i++)
                if (streq(obj->object.members[i].key, key)) {
                        obj->object.members[i].value = value;
                        return 0;
                }
        m = arena_alloc_array(a, obj->object.n + 1, sizeof(JsonMember));
        if (!m)
                return -ENOMEM;
        if (obj->object.n > 0)
                memcpy(m, obj->object.members, obj->object.n * sizeof(JsonMember));
        m[obj->object.n] = (JsonMember) { .key = key, .key_len = strlen(key), .value = value };
        obj->object.members = m;
        obj->object.n++;
        return 0;
}

static int annotate(const char *bundle, OciSeccomp *oci, const Sandbox *s) {
        JsonDocument *doc = oci->doc;
        JsonValue *root = doc->root, *annotations, *data;
        _cleanup_free_ char *b64 = NULL, *text = NULL;
        const JsonValue *old;
        size_t size = 0;
        FILE *f;
        int r;

        if (oci->disabled || s->n_progs == 0)
                return 0;               /* no linux.seccomp (the loader said so): nothing to annotate */

        b64 = base64_encode(s->progs[0].insns, s->progs[0].n * sizeof(struct sock_filter));
        data = arena_alloc(&doc->arena, sizeof(JsonValue));
        if (!b64 || !data)
                return -ENOMEM;
        *data = (JsonValue) { .type = JSON_STRING, .string = { b64, strlen(b64) } };

        old = json_object_get(root, "annotations");
        if (old && old->type != JSON_OBJECT && old->type != JSON_NULL)
                return diag_log(NULL, DIAG_ERROR, &(SourceLoc) { doc->file, old->line, old->column }, EINVAL,
                                "annotations: expected an object, got %s.", json_type_to_string(old->type));
        if (old && old->type == JSON_OBJECT)
                annotations = (JsonValue *) old;
        else {
                annotations = arena_alloc(&doc->arena, sizeof(JsonValue));
                if (!annotations)
                        return -ENOMEM;
                annotations->type = JSON_OBJECT;
                r = set_member(&doc->arena, root, "annotations", annotations);
                if (r < 0)
                        return r;
        }
        r = set_member(&doc->arena, annotations, OCI_ANNOTATION, data);
        if (r < 0)
                return r;

        f = open_memstream(&text, &size);
        if (!f)
                return -ENOMEM;
        write_value(f, root, 0);
        fputc('\n', f);
        if (fclose(f) != 0)
                return -ENOMEM;
        r = write_atomic(doc->file, text, size, 0644);
        if (r < 0)
                return cli_error(r, "Failed to write %s: %m", doc->file);
        fprintf(stderr, "%s: %s written (%zu instructions).\n", doc->file, OCI_ANNOTATION, s->progs[0].n);
        (void) bundle;
        return 0;
}

int verb_oci(int argc, char *argv[]) {
        enum { ARG_INPUT = 0x100, ARG_FORMAT, ARG_ARCH, ARG_CAPS, ARG_KERNEL, ARG_STRICT, ARG_NO_VERIFY };
        static const struct option options[] = {
                { "help", no_argument, NULL, 'h' },
                { "input", required_argument, NULL, ARG_INPUT },
                { "format", required_argument, NULL, ARG_FORMAT },
                { "output", required_argument, NULL, 'o' },
                { "arch", required_argument, NULL, ARG_ARCH },
                { "caps", required_argument, NULL, ARG_CAPS },
                { "kernel", required_argument, NULL, ARG_KERNEL },
                { "strict", no_argument, NULL, ARG_STRICT },
                { "no-verify", no_argument, NULL, ARG_NO_VERIFY },
                { "verbose", no_argument, NULL, 'v' },
                {}
        };
        _cleanup_(oci_seccomp_freep) OciSeccomp *oci = NULL;
        _cleanup_(sandbox_freep) Sandbox *s = NULL;
        _cleanup_strv_free_ char **caps = NULL;
        _cleanup_free_ char *out = NULL;
        OciLoadOptions lo = { .native = _ABI_INVALID };
        Format format = FORMAT_DISASM;
        const char *output = NULL, *verb, *arch;
        bool verify = true, format_set = false;
        int verbose = 0, c, r;
        Diag diag = { .func = log_stderr, .userdata = &verbose, .max_level = DIAG_DEBUG };
        size_t size;

        optind = 0;
        while ((c = getopt_long(argc, argv, "ho:v", options, NULL)) >= 0) {
                switch (c) {
                case 'h':
                        help();
                        return 0;
                case ARG_INPUT:
                        lo.input = oci_input_from_string(optarg);
                        if (lo.input < 0) {
                                cli_error(EINVAL, "Unknown input kind %s; valid kinds: auto, seccomp, config, profile.", optarg);
                                return 1;
                        }
                        break;
                case ARG_FORMAT:
                        format_set = true;
                        if (streq(optarg, "disasm"))
                                format = FORMAT_DISASM;
                        else if (streq(optarg, "raw"))
                                format = FORMAT_RAW;
                        else if (streq(optarg, "base64"))
                                format = FORMAT_BASE64;
                        else if (streq(optarg, "json"))
                                format = FORMAT_JSON;
                        else {
                                cli_error(EINVAL, "Unknown format %s; valid formats: disasm, raw, base64, json.", optarg);
                                return 1;
                        }
                        break;
                case 'o':
                        output = optarg;
                        break;
                case ARG_ARCH:
                        if (cli_parse_arch(optarg, &arch) < 0)
                                return 1;
                        lo.native = abi_from_name(arch);
                        break;
                case ARG_CAPS:
                        caps = strv_free(caps);
                        if (parse_caps(optarg, &caps) < 0) {
                                cli_error(ENOMEM, "Out of memory.");
                                return 1;
                        }
                        break;
                case ARG_KERNEL: {
                        int n = -1;

                        if (sscanf(optarg, "%u.%u%n", &lo.kernel_major, &lo.kernel_minor, &n) != 2 ||
                            (size_t) n != strlen(optarg) || lo.kernel_major == 0) {
                                cli_error(EINVAL, "--kernel= takes MAJOR.MINOR (e.g. 6.1), not %s.", optarg);
                                return 1;
                        }
                        break;
                }
                case ARG_STRICT:
                        lo.strict = true;
                        lo.flags |= OCI_STRICT_NAMES;
                        break;
                case ARG_NO_VERIFY:
                        verify = false;
                        break;
                case 'v':
                        verbose++;
                        break;
                case '?':
                default:
                        return 1;
                }
        }
        lo.caps = caps;

        if (optind >= argc) {
                cli_error(EINVAL, "oci: expected a command (compile or annotate); see 'megafilter oci --help'.");
                return 1;
        }
        verb = argv[optind++];
        if (!streq(verb, "compile") && !streq(verb, "annotate") && !streq(verb, "resolve")) {
                const char *const verbs[] = { "compile", "annotate", "resolve", NULL }, *guess = cli_closest(verb, verbs);

                if (guess)
                        cli_error(EINVAL, "oci: unknown command '%s'. Did you mean '%s'?", verb, guess);
                else
                        cli_error(EINVAL, "oci: unknown command '%s'; expected compile, annotate or resolve.", verb);
                return 1;
        }
        if (streq(verb, "resolve") && format_set) {
                cli_error(EINVAL, "oci resolve: --format is for compile.");
                return 1;
        }
        if (optind != argc - 1) {
                cli_error(EINVAL, "oci %s: expected exactly one %s; see 'megafilter oci --help'.", verb,
                          streq(verb, "annotate") ? "bundle" : "profile or bundle");
                return 1;
        }
        if (streq(verb, "annotate")) {
                if (output || format_set) {
                        cli_error(EINVAL, "oci annotate: --output and --format are for compile.");
                        return 1;
                }
                if (lo.input != OCI_INPUT_AUTO && lo.input != OCI_INPUT_CONFIG) {
                        cli_error(EINVAL, "oci annotate: takes a bundle (--input=config).");
                        return 1;
                }
                lo.input = OCI_INPUT_CONFIG;
        }

        r = oci_seccomp_load(argv[optind], &lo, &diag, &oci);
        if (r < 0)
                return 1;
        if (streq(verb, "resolve")) {
                FILE *f;

                if (oci->disabled) {
                        cli_error(EINVAL, "%s: seccomp is disabled, there is no linux.seccomp to print.", argv[optind]);
                        return 1;
                }
                f = open_memstream(&out, &size);
                if (!f) {
                        cli_error(ENOMEM, "Out of memory.");
                        return 1;
                }
                write_spec(f, &oci->spec);
                if (fclose(f) != 0) {
                        cli_error(ENOMEM, "Out of memory.");
                        return 1;
                }
                goto write;
        }

        r = oci_seccomp_compile(oci, lo.native >= 0 ? lo.native : abi_native(), verify, &diag, &s);
        if (r < 0) {
                cli_error(r, "Failed to compile %s: %m", argv[optind]);
                return 1;
        }

        if (streq(verb, "annotate"))
                return annotate(argv[optind], oci, s) < 0 ? 1 : 0;

        if (format == FORMAT_RAW && !output && isatty(STDOUT_FILENO)) {
                cli_error(EINVAL, "oci compile: --format=raw is binary; redirect it or use --output=FILE.");
                return 1;
        }
        r = format_program(format, argv[optind], oci, s, &out, &size);
        if (r < 0) {
                cli_error(r, "Failed to format the program: %m");
                return 1;
        }
write:
        if (output)
                r = write_atomic(output, out, size, 0644);
        else
                r = fwrite(out, 1, size, stdout) == size && fflush(stdout) == 0 ? 0 : -EIO;
        if (r < 0) {
                cli_error(r, "Failed to write the %s%s%s: %m", streq(verb, "resolve") ? "linux.seccomp object" : "program",
                          output ? " to " : "", strempty(output));
                return 1;
        }
        return 0;
}
