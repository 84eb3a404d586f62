/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Container seccomp input: an OCI runtime spec's linux.seccomp (from a bundle's config.json or
 * a file holding the object alone), or a Docker/Moby/Podman profile resolved as the engines
 * resolve it, read into one Layer (layer.h) with the semantics crun 1.8 gives it on top of
 * libseccomp 2.5:
 *
 *   file ──json-reader──▶ JsonDocument ──oci_spec_parse() / oci_profile_resolve()──▶ OciSpec
 *        ──oci_spec_to_layer()──▶ Layer ──policy_merge(), bpf_gen(LAYOUT_SINGLE), verify──▶ one program
 *
 * OciSpec is the linux.seccomp object, checked for shape: every member is where the input had it,
 * so that every diagnostic names the file, line and column, and the JSON path
 * ("linux.seccomp.syscalls[12].args[0].op"). */

#include <stdbool.h>
#include <stdint.h>

#include "arena.h"
#include "diag.h"
#include "json-reader.h"
#include "layer.h"
#include "sandbox.h"

/* crun: unknown system call names in linux.seccomp are fatal when a config.json has this
 * annotation (oci_seccomp_load() reads it). */
#define OCI_ANNOTATION_FAIL_UNKNOWN "run.oci.seccomp_fail_unknown_syscall"

typedef enum OciInput {
        OCI_INPUT_AUTO,                 /* a directory: a bundle; a file: by its keys */
        OCI_INPUT_SECCOMP,              /* the linux.seccomp object alone */
        OCI_INPUT_CONFIG,               /* a runtime spec (config.json) */
        OCI_INPUT_PROFILE,              /* a Docker/Moby/Podman profile */
        _OCI_INPUT_MAX,
        _OCI_INPUT_INVALID = -EINVAL,
} OciInput;

const char *oci_input_to_string(OciInput i);
OciInput oci_input_from_string(const char *s);

typedef struct OciArg {
        const JsonValue *json;
        const JsonValue *index_json, *op_json;
        uint64_t index;
        uint64_t value, value_two;
        const char *op;
} OciArg;

typedef struct OciSyscall {
        const JsonValue *json;
        size_t pos;                     /* its index in the input's syscalls[] */
        const JsonValue **names;        /* strings */
        size_t n_names;
        const char *action;
        const JsonValue *action_json;
        bool errno_ret_set;
        uint32_t errno_ret;
        const JsonValue *errno_ret_json;
        OciArg *args;
        size_t n_args;
} OciSyscall;

typedef struct OciSpec {
        const JsonDocument *doc;
        const char *prefix;             /* of every JSON path: "", "linux.seccomp." */
        const JsonValue *json;
        const char *default_action;
        const JsonValue *default_action_json;
        bool default_errno_set;
        uint32_t default_errno;
        const JsonValue *default_errno_json;
        const JsonValue **architectures;
        size_t n_architectures;
        const JsonValue **flags;
        size_t n_flags;
        const JsonValue *listener_path;
        OciSyscall *syscalls;
        size_t n_syscalls;
} OciSpec;

/* The linux.seccomp object v of doc. Allocates from arena. Reports to diag; unknown members are
 * warnings. -EINVAL, -ENOMEM. */
int oci_spec_parse(const JsonDocument *doc, const JsonValue *v, const char *prefix, Arena *arena, Diag *diag,
                   OciSpec *ret);

/* What a profile is resolved for, as the engine does it for one container. */
typedef struct OciProfileContext {
        Abi arch;                       /* the host (runtime.GOARCH) */
        char **caps;                    /* the container's bounding set: "CAP_CHOWN", … */
        unsigned kernel_major, kernel_minor;    /* the running kernel, for minKernel */
} OciProfileContext;

/* Docker's default capabilities (moby's oci/caps), NULL-terminated. */
extern const char *const oci_docker_default_caps[];

/* A Docker/Moby/Podman profile v of doc resolved into the linux.seccomp it stands for (moby's
 * profiles/seccomp setupSeccomp()). *ret_disabled is set when the profile disables seccomp (no
 * defaultAction and no syscalls). */
int oci_profile_resolve(const JsonDocument *doc, const JsonValue *v, const OciProfileContext *ctx, Arena *arena,
                        Diag *diag, OciSpec *ret, bool *ret_disabled);

enum {
        OCI_STRICT_NAMES = 1 << 0,      /* names no ABI knows are errors, not warnings (crun's
                                         * run.oci.seccomp_fail_unknown_syscall) */
};

/* Whether libseccomp 2.5.4 as Debian 12 ships it knows the system call name (crun skips the others
 * with a warning). */
bool oci_libseccomp_knows(const char *name);

/* The filter crun builds from spec on a host of native ABI, as a layer (source
 * LAYER_SYSCALL_FILTER). Allocates from arena; spec and its document must outlive the layer.
 * -EINVAL (what crun or libseccomp refuse: reported), -ENOMEM. */
int oci_spec_to_layer(const OciSpec *spec, Abi native, unsigned flags, Arena *arena, Diag *diag, Layer *ret);

/* A loaded input: its document, the spec and the layer, in one arena. */
typedef struct OciSeccomp {
        Arena arena;
        JsonDocument *doc;
        OciInput input;                 /* what it turned out to be */
        bool disabled;                  /* no linux.seccomp: nothing to filter */
        OciSpec spec;
        Layer layer;
} OciSeccomp;

typedef struct OciLoadOptions {
        OciInput input;
        Abi native;                     /* _ABI_INVALID: this machine's */
        unsigned flags;                 /* OCI_STRICT_NAMES */
        bool strict;                    /* any warning is an error */
        char **caps;                    /* for profiles; NULL: Docker's defaults */
        unsigned kernel_major, kernel_minor;    /* for profiles; 0.0: the running kernel's */
} OciLoadOptions;

/* Load path: a bundle directory (its config.json), a config.json, a seccomp object or a
 * profile. -EINVAL (reported), -ENOENT…, -ENOMEM. */
int oci_seccomp_load(const char *path, const OciLoadOptions *o, Diag *diag, OciSeccomp **ret);
OciSeccomp *oci_seccomp_free(OciSeccomp *s);
DEFINE_POINTER_CLEANUP(OciSeccomp, oci_seccomp_free);

/* Merge the layer into a policy for native and generate one program (LAYOUT_SINGLE, as crun
 * loads exactly one), verified against the policy when verify is set. A disabled input gives a
 * sandbox without programs. */
int oci_seccomp_compile(const OciSeccomp *s, Abi native, bool verify, Diag *diag, Sandbox **ret);
