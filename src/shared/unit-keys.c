/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "macro.h"
#include "unit-keys.h"

typedef struct UnitKey {
        const char *section;
        const char *key;
} UnitKey;

#include "unit-keys.gen.c"

static int unit_key_compare(const void *a, const void *b) {
        const UnitKey *x = a, *y = b;
        int c = strcmp(x->section, y->section);

        return c != 0 ? c : strcmp(x->key, y->key);
}

bool unit_section_known(const char *section) {
        return section && (streq(section, "Unit") || streq(section, "Service") || streq(section, "Install"));
}

bool unit_key_known(const char *section, const char *key) {
        UnitKey k = { section, key };

        if (!section || !key)
                return false;
        return bsearch(&k, unit_keys, ELEMENTSOF(unit_keys), sizeof(UnitKey), unit_key_compare) != NULL;
}
