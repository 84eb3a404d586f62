/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* A bundle's config.json written back with megafilter's program as crun's
 * run.oci.seccomp_bpf_data annotation (standard base64 of the struct sock_filter array, no
 * header), linux.seccomp kept. Shared by `megafilter oci annotate` and the megafilter-crun
 * runtime wrapper. */

#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

#include "diag.h"
#include "oci-seccomp.h"
#include "sandbox.h"

#define OCI_ANNOTATION_BPF_DATA "run.oci.seccomp_bpf_data"

/* Standard base64, padded. malloc()ed; NULL on ENOMEM. */
char *oci_base64_encode(const void *data, size_t n);

/* Write size bytes to path atomically: a temporary file next to it, renamed over it; nothing is
 * left behind on failure. mode applies to a new file, an existing one keeps its own. With sync,
 * the data reaches the disk before the rename. -errno. */
int oci_write_atomic(const char *path, const void *data, size_t size, mode_t mode, bool sync);

/* Whether the config.json of doc carries the annotation key (any value). */
bool oci_config_has_annotation(const JsonDocument *doc, const char *key);

/* v as JSON text (numbers as written, strings escaped alike whatever the input's escapes were). */
void oci_json_write(FILE *f, const JsonValue *v);

/* Write doc back to its file (doc->file) with annotations[key] = value, every other member as it
 * was. -EINVAL (the root or annotations is not an object: reported), -ENOMEM, -errno of writing. */
int oci_config_write_annotation(JsonDocument *doc, const char *key, const char *value, bool sync, Diag *diag);

/* Write the program of s (a sandbox from oci_seccomp_compile() of oci, which must be a config
 * input with linux.seccomp) into oci's config.json as the annotation, every other member as it
 * was. Errors are reported to diag with the file: -EINVAL (annotations is not an object),
 * -ENOMEM, -errno of writing. */
int oci_annotate_config(OciSeccomp *oci, const Sandbox *s, bool sync, Diag *diag);
