/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "macro.h"
#include "unit-keys.gen.c"
#include "unit-keys.h"

bool unit_section_known(const char *section) {
        return streq(section, "Unit") || streq(section, "Service") || streq(section, "Install");
}

static int key_compare(const void *a, const void *b) {
        return strcmp(a, *(const char *const *) b);
}

bool unit_key_known(const char *section, const char *key) {
        char buf[256];

        if (snprintf(buf, sizeof buf, "%s.%s", section, key) >= (int) sizeof buf)
                return false;
        return bsearch(buf, unit_keys, ELEMENTSOF(unit_keys), sizeof(char *), key_compare);
}
