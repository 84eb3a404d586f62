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

int af_from_name(const char *name) {
        if (!name)
                return -EINVAL;
        /* systemd's gperf table ignores the case of ASCII letters: "af_inet", "Af_packet". */
        for (size_t i = 0; i < ELEMENTSOF(af_by_name); i++)
                if (ascii_strcaseeq(name, af_by_name[i].name))
                        return af_by_name[i].number;
        return -EINVAL;
}
