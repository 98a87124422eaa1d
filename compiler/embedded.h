/*
 * logkeep: data files built into the binary (build-aux/embed-files.sh writes the tables).
 */
#ifndef LK_EMBEDDED_H
#define LK_EMBEDDED_H

#include <stddef.h>

/** One embedded file: its name (base name without extension) and its text. */
struct lk_embedded_file {
    const char *name;
    const char *data; /* the whole text, NUL-terminated */
};

/** The built-in compliance baselines, policies/<name>.yaml, in name order. */
extern const struct lk_embedded_file lk_builtin_baselines[];
extern const char *const lk_builtin_baselines_names[];
extern const size_t lk_builtin_baselines_count;

#endif
