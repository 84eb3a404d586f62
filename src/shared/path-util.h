/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Small path checks with systemd's definitions. Internal. */

#include <stdbool.h>

/* Not empty, no '/', not "." or "..", at most NAME_MAX bytes. */
bool filename_is_valid(const char *p);
/* Not empty, every component at most NAME_MAX bytes, shorter than PATH_MAX. */
bool path_is_valid(const char *p);
/* Remove repeated slashes, "." components and a trailing slash, in place (".." is kept: it may
 * follow a symlink). An empty result becomes ".". */
char *path_simplify(char *p);
/* Remove ".", ".." and repeated slashes from an absolute path without looking at the file system. */
char *path_normalize(char *p);
