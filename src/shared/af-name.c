/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <stdlib.h>

#include "af-name.h"
#include "macro.h"

typedef struct NameNumber {
        const char *name;
        int number;
} NameNumber;

#include "af-name.gen.c"

int af_max(void) {
        return (int) ELEMENTSOF(af_names);
}

const char *af_to_name(int af) {
        if (af <= 0 || af >= af_max())
                return NULL;
        return af_names[af];
}

static int compare_name(const void *key, const void *element) {
        return strcmp(key, ((const NameNumber *) element)->name);
}

int af_from_name(const char *name) {
        const NameNumber *p;

        if (!name)
                return -EINVAL;
        p = bsearch(name, af_by_name, ELEMENTSOF(af_by_name), sizeof(NameNumber), compare_name);
        return p ? p->number : -EINVAL;
}
