/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The public API for containers: mf_oci_compile() and mf_oci_annotate(), over oci-seccomp.c (the
 * input, crun's semantics) and oci-annotate.c (the annotation). */

#include "api-internal.h"
#include "oci-annotate.h"
#include "oci-seccomp.h"

/* The caller's options as this version's struct, with megafilter.h's size rules: a smaller one
 * (an older caller) gets defaults for what it lacks, a larger one must have zeros there. */
static int oci_options_copy(const struct mf_oci_options *opts, struct mf_oci_options *ret) {
        *ret = (struct mf_oci_options) { .size = sizeof *ret };
        if (!opts)
                return 0;
        if (opts->size < offsetof(struct mf_oci_options, verify) + sizeof(int))
                return -EINVAL;
        for (size_t i = sizeof *ret; i < opts->size; i++)
                if (((const uint8_t *) opts)[i] != 0)
                        return -EINVAL;
        memcpy(ret, opts, MIN(opts->size, sizeof *ret));
        ret->size = sizeof *ret;
        return 0;
}

/* Public options -> the loader's. */
static int oci_options(const struct mf_oci_options *opts, OciLoadOptions *ret, bool *ret_verify) {
        struct mf_oci_options o;
        int r;

        r = oci_options_copy(opts, &o);
        if (r < 0)
                return r;
        if (o.input < MF_OCI_INPUT_AUTO || o.input > MF_OCI_INPUT_PROFILE || (o.flags & ~(unsigned) MF_OCI_STRICT) ||
            o.verify < MF_VERIFY_OFF || o.verify > MF_VERIFY_ON || (o.kernel_major == 0 && o.kernel_minor != 0))
                return -EINVAL;

        *ret = (OciLoadOptions) {
                .input = (OciInput) o.input,    /* the same order */
                .native = abi_native(),
                .strict = o.flags & MF_OCI_STRICT,
                .caps = (char **) o.caps,
                .kernel_major = o.kernel_major,
                .kernel_minor = o.kernel_minor,
        };
        if (o.arch) {
                ret->native = abi_from_name(o.arch);
                if (ret->native < 0)
                        return -EOPNOTSUPP;
        }
        *ret_verify = o.verify != MF_VERIFY_OFF;
        return 0;
}

/* Load path and compile it; the loaded input too, for the annotation. */
static int oci_compile(const char *path, const struct mf_oci_options *opts, ApiLog *l, struct mf_error *error,
                       OciSeccomp **ret_oci, Sandbox **ret) {
        _cleanup_(oci_seccomp_freep) OciSeccomp *oci = NULL;
        OciLoadOptions lo;
        bool verify;
        int r;

        if (!path || !ret)
                return api_fail(l, error, -EINVAL, MF_DIRECTIVE_NONE, _ABI_INVALID, -1);
        r = oci_options(opts, &lo, &verify);
        if (r < 0)
                return api_fail(l, error, r, MF_DIRECTIVE_NONE, _ABI_INVALID, -1);

        r = oci_seccomp_load(path, &lo, &l->diag, &oci);
        if (r == -EFBIG)                /* too large to be a profile: bad input */
                r = -EINVAL;
        if (r < 0)
                return api_fail(l, error, api_error(r), MF_DIRECTIVE_NONE, _ABI_INVALID, -1);

        r = oci_seccomp_compile(oci, lo.native, verify, &l->diag, ret);
        if (r < 0)
                return api_fail(l, error, r == -ENOMEM || r == -E2BIG || r == -EINVAL ? r : -EFAULT,
                                MF_DIRECTIVE_NONE, _ABI_INVALID, -1);
        if (ret_oci)
                *ret_oci = TAKE_PTR(oci);
        return 0;
}

_public_ int mf_oci_compile(const char *path, const struct mf_oci_options *opts, mf_log_fn log, void *userdata,
                            mf_sandbox **ret, struct mf_error *error) {
        Sandbox *s = NULL;
        ApiLog l;
        int r;

        api_log_init(&l, log, userdata);
        r = oci_compile(path, opts, &l, error, NULL, &s);
        if (r < 0)
                return r;
        r = api_sandbox_new(s, NULL, LAYOUT_SINGLE, ret);
        return r < 0 ? api_fail(&l, error, r, MF_DIRECTIVE_NONE, _ABI_INVALID, -1) : 0;
}

_public_ int mf_oci_annotate(const char *bundle, const struct mf_oci_options *opts, mf_log_fn log, void *userdata,
                             struct mf_error *error) {
        _cleanup_(oci_seccomp_freep) OciSeccomp *oci = NULL;
        _cleanup_(sandbox_freep) Sandbox *s = NULL;
        struct mf_oci_options o;
        ApiLog l;
        int r;

        api_log_init(&l, log, userdata);
        r = oci_options_copy(opts, &o);
        if (r < 0 || (o.input != MF_OCI_INPUT_AUTO && o.input != MF_OCI_INPUT_CONFIG))
                return api_fail(&l, error, -EINVAL, MF_DIRECTIVE_NONE, _ABI_INVALID, -1);
        o.input = MF_OCI_INPUT_CONFIG;

        r = oci_compile(bundle, &o, &l, error, &oci, &s);
        if (r < 0)
                return r;
        if (oci->disabled)
                return 0;
        r = oci_annotate_config(oci, s, true, &l.diag);
        return r < 0 ? api_fail(&l, error, r, MF_DIRECTIVE_NONE, _ABI_INVALID, -1) : 0;
}
