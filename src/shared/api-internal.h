/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* What the public API's objects are made of, for the files that implement megafilter.h (api*.c,
 * and entry points such as mf_oci_*) and for the command line, which goes through the public API
 * but formats with internal helpers. Nothing here is exported. */

#include "diag.h"
#include "directives.h"
#include "megafilter.h"
#include "sandbox.h"
#include "unit-file.h"

struct mf_unit {
        UnitFile *file;
        Directives *directives;
        unsigned warnings;
        unsigned n_assignments;         /* mf_unit_set_property() calls so far: the "line" of the next */
};

struct mf_sandbox {
        Sandbox *sandbox;
        Layout layout;                  /* the layout the programs have */
        uint64_t directives;            /* MF_DIRECTIVE_BIT()s of the directives in use */
        uint64_t arg_directives;        /* … of those with argument rules */
};

/* A diagnostics sink for one public call: forwards to the caller's callback (or nowhere) and
 * keeps the first error for struct mf_error. */
typedef struct ApiLog {
        mf_log_fn fn;
        void *userdata;
        Diag diag;
        char first_error[sizeof(((struct mf_error *) NULL)->message)];
} ApiLog;

void api_log_init(ApiLog *l, mf_log_fn fn, void *userdata);

/* The errors the API documents: internal codes that mean bad input become -EINVAL, unknown ones
 * -EFAULT. */
int api_error(int r);

/* Fill error (if not NULL, as far as its size goes) for a call failing with r, which is returned. */
int api_fail(ApiLog *l, struct mf_error *error, int r, int directive, Abi abi, int syscall_id);

/* A unit from parts the caller made (both taken over, also on failure). */
int api_unit_new(UnitFile *file, Directives *d, mf_unit **ret);

/* Public compile options -> internal ones, with the size rules of megafilter.h. -EINVAL,
 * -EOPNOTSUPP (unknown arch). */
int api_compile_options(const struct mf_compile_options *opts, CompileOptions *ret, uint64_t *ret_skip);

/* Wrap a compiled sandbox (taken over, also on failure); d is what it was compiled from, NULL for
 * a policy that did not come from unit directives (mf_sandbox_directives() is then 0). */
int api_sandbox_new(Sandbox *s, const Directives *d, Layout layout, mf_sandbox **ret);

/* The directives of d in use, as MF_DIRECTIVE_BIT()s. */
uint64_t api_directives_in_use(const Directives *d);

/* Remove directive (MF_DIRECTIVE_*) from d, as if never set. */
void api_directive_clear(Directives *d, int directive);

/* MF_DIRECTIVE_* <-> the policy's layers. */
int api_directive_of_layer(PolicyLayer l);

/* Verify s's programs against its policy, reporting through l. */
int api_sandbox_verify(const mf_sandbox *s, ApiLog *l, struct mf_error *error);

/* For tests only: a program of s to mutate. */
BpfProgram *api_sandbox_program(mf_sandbox *s, size_t i);

DEFINE_POINTER_CLEANUP(mf_unit, mf_unit_free);
DEFINE_POINTER_CLEANUP(mf_sandbox, mf_sandbox_free);
