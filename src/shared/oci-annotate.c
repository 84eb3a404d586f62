/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <fcntl.h>
#include <libgen.h>
#include <linux/filter.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "oci-annotate.h"

char *oci_base64_encode(const void *data, size_t n) {
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

int oci_write_atomic(const char *path, const void *data, size_t size, mode_t mode, bool sync) {
        _cleanup_free_ char *tmp = NULL, *dir = strdup(path), *base = strdup(path);
        struct stat st;
        int fd, r = 0;

        if (!dir || !base || asprintf(&tmp, "%s/.#%s.XXXXXX", dirname(dir), basename(base)) < 0)
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
        if (r >= 0 && sync && fsync(fd) < 0)
                r = -errno;
        if (close(fd) < 0 && r >= 0)
                r = -errno;
        if (r >= 0 && rename(tmp, path) < 0)
                r = -errno;
        if (r < 0)
                (void) unlink(tmp);
        return r;
}

bool oci_config_has_annotation(const JsonDocument *doc, const char *key) {
        return json_object_get(json_object_get(doc->root, "annotations"), key) != NULL;
}

static void write_string(FILE *f, const char *s, size_t len) {
        fputc('"', f);
        for (size_t i = 0; i < len;) {
                unsigned char c = (unsigned char) s[i];
                size_t n = 0;

                /* runs of what needs no escape in one write: a config.json is mostly such text */
                while (i + n < len && (unsigned char) s[i + n] >= 0x20 && s[i + n] != 0x7f && s[i + n] != '"' &&
                       s[i + n] != '\\')
                        n++;
                if (n > 0) {
                        fwrite(s + i, 1, n, f);
                        i += n;
                        continue;
                }
                if (c == '"' || c == '\\')
                        fprintf(f, "\\%c", c);
                else if (c == '\n')
                        fputs("\\n", f);
                else if (c == '\t')
                        fputs("\\t", f);
                else
                        fprintf(f, "\\u%04x", c);
                i++;
        }
        fputc('"', f);
}

static void write_indent(FILE *f, unsigned depth) {
        fputc('\n', f);
        for (unsigned i = 0; i < depth; i++)
                fputs("\t", f);
}

/* v as JSON, numbers as written. */
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

/* obj gains (or has replaced) the member key = value. */
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

void oci_json_write(FILE *f, const JsonValue *v) {
        write_value(f, v, 0);
}

int oci_config_write_annotation(JsonDocument *doc, const char *key, const char *value, bool sync, Diag *diag) {
        JsonValue *root = doc->root, *annotations, *data;
        _cleanup_free_ char *text = NULL;
        const JsonValue *old;
        size_t size = 0;
        char *copy;
        FILE *f;
        int r;

        if (root->type != JSON_OBJECT)
                return diag_log(diag, DIAG_ERROR, &(SourceLoc) { doc->file, root->line, root->column }, EINVAL,
                                "expected an object, got %s.", json_type_to_string(root->type));
        data = arena_alloc(&doc->arena, sizeof(JsonValue));
        copy = arena_alloc(&doc->arena, strlen(value) + 1);
        if (!data || !copy)
                return diag_log(diag, DIAG_ERROR, NULL, ENOMEM, "Out of memory.");
        strcpy(copy, value);
        *data = (JsonValue) { .type = JSON_STRING, .string = { copy, strlen(copy) } };

        old = json_object_get(root, "annotations");
        if (old && old->type != JSON_OBJECT && old->type != JSON_NULL)
                return diag_log(diag, DIAG_ERROR, &(SourceLoc) { doc->file, old->line, old->column }, EINVAL,
                                "annotations: expected an object, got %s.", json_type_to_string(old->type));
        if (old && old->type == JSON_OBJECT)
                annotations = (JsonValue *) old;
        else {
                annotations = arena_alloc(&doc->arena, sizeof(JsonValue));
                if (!annotations)
                        return diag_log(diag, DIAG_ERROR, NULL, ENOMEM, "Out of memory.");
                annotations->type = JSON_OBJECT;
                r = set_member(&doc->arena, root, "annotations", annotations);
                if (r < 0)
                        return diag_log(diag, DIAG_ERROR, NULL, r, "Out of memory.");
        }
        r = set_member(&doc->arena, annotations, key, data);
        if (r < 0)
                return diag_log(diag, DIAG_ERROR, NULL, r, "Out of memory.");

        f = open_memstream(&text, &size);
        if (!f)
                return diag_log(diag, DIAG_ERROR, NULL, ENOMEM, "Out of memory.");
        /* Ours alone: no lock around each of the many small writes (a container start pays them). */
        (void) __fsetlocking(f, FSETLOCKING_BYCALLER);
        write_value(f, root, 0);
        fputc('\n', f);
        if (fclose(f) != 0)
                return diag_log(diag, DIAG_ERROR, NULL, ENOMEM, "Out of memory.");
        r = oci_write_atomic(doc->file, text, size, 0644, sync);
        if (r < 0)
                return diag_log(diag, DIAG_ERROR, &(SourceLoc) { doc->file }, r, "cannot write the annotation: %m");
        return 0;
}

int oci_annotate_config(OciSeccomp *oci, const Sandbox *s, bool sync, Diag *diag) {
        _cleanup_free_ char *b64 = NULL;

        if (oci->input != OCI_INPUT_CONFIG || oci->disabled || s->n_progs != 1)
                return diag_log(diag, DIAG_ERROR, &(SourceLoc) { oci->doc->file }, EINVAL,
                                "no linux.seccomp to write the annotation for.");
        b64 = oci_base64_encode(s->progs[0].insns, s->progs[0].n * sizeof(struct sock_filter));
        if (!b64)
                return diag_log(diag, DIAG_ERROR, NULL, ENOMEM, "Out of memory.");
        return oci_config_write_annotation(oci->doc, OCI_ANNOTATION_BPF_DATA, b64, sync, diag);
}
