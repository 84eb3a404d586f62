/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* RestrictAddressFamilies= and RestrictNamespaces=. */

#include "af-name.h"
#include "directives-internal.h"
#include "extract-word.h"
#include "namespace-flags.h"

static void address_families_clear(AddressFamilies *a) {
        memset(a->family, 0, sizeof(bool) * af_max());
        a->n_families = 0;
}

int parse_address_families(Directives *d, const UnitEntry *e, Diag *diag) {
        AddressFamilies *a = &d->address_families;
        const char *rvalue = e->value;
        bool invert = false;
        int r;

        a->where = e->loc;

        if (isempty(rvalue)) {
                address_families_clear(a);
                a->started = false;
                a->allow_list = false;
                d->address_families_set = false;
                return 0;
        }

        if (streq(rvalue, "none")) {
                /* An allow-list with nothing in it. */
                address_families_clear(a);
                a->started = false;
                a->allow_list = true;
                d->address_families_set = true;
                return 0;
        }

        if (rvalue[0] == '~') {
                invert = true;
                rvalue++;
        }

        /* Like systemd: the first assignment after a reset (or after "none") decides the polarity. */
        if (!a->started) {
                a->started = true;
                a->allow_list = !invert;
        }

        /* Word by word, as systemd: a syntax error stops the line after the words before it. */
        for (const char *p = rvalue;;) {
                _cleanup_free_ char *word = NULL;
                int af;

                r = extract_first_word(&p, &word, EXTRACT_UNQUOTE);
                if (r == -ENOMEM)
                        return r;
                if (r < 0) {
                        diag_log(diag, DIAG_WARNING, &e->loc, r, "Invalid syntax, ignoring: %s", rvalue);
                        break;
                }
                if (r == 0)
                        break;

                af = af_from_name(word);
                if (af < 0) {
                        diag_log(diag, DIAG_WARNING, &e->loc, af, "Failed to parse address family, ignoring: %s", word);
                        continue;
                }

                /* An entry of the other polarity removes the family from the list. */
                if (!invert == a->allow_list) {
                        if (!a->family[af])
                                a->n_families++;
                        a->family[af] = true;
                        a->loc[af] = e->loc;
                } else if (a->family[af]) {
                        a->family[af] = false;
                        a->n_families--;
                }
        }

        /* A deny-list that became empty restricts nothing; an allow-list always restricts. */
        d->address_families_set = a->allow_list || a->n_families > 0;
        return 0;
}

int parse_restrict_namespaces(Directives *d, const UnitEntry *e, Diag *diag) {
        const char *rvalue = e->value;
        unsigned long flags, all = namespace_flags_all();
        bool invert = false;
        int r;

        if (isempty(rvalue)) {
                d->restrict_namespaces = NAMESPACE_FLAGS_INITIAL;
                d->restrict_namespaces_loc = SOURCE_LOC_NULL;
                return 0;
        }

        /* A boolean replaces whatever came before. */
        r = parse_boolean(rvalue);
        if (r >= 0) {
                d->restrict_namespaces = r ? 0 : all;
                d->restrict_namespaces_loc = e->loc;
                return 0;
        }

        if (rvalue[0] == '~') {
                invert = true;
                rvalue++;
        }

        r = namespace_flags_from_string(rvalue, &flags);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                return diag_log(diag, DIAG_WARNING, &e->loc, r,
                                "Failed to parse namespace type string, ignoring: %s", rvalue), 0;

        if (d->restrict_namespaces == NAMESPACE_FLAGS_INITIAL)
                d->restrict_namespaces = invert ? ~flags & all : flags;
        else if (invert)
                d->restrict_namespaces &= ~flags;
        else
                d->restrict_namespaces |= flags;
        d->restrict_namespaces_loc = e->loc;
        return 0;
}
