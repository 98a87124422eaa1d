/*
 * logkeep: deterministic pretty-printing of cJSON trees.
 */
#ifndef LK_COMMON_JSON_H
#define LK_COMMON_JSON_H

#include "common/arena.h"

struct cJSON;

/** Pretty-prints @p item with two-space indentation, object members in their stored order,
 *  integers without a fraction, and a final newline.
 *  @return the text, owned by @p arena; NULL when it would exceed LK_BUF_MAX_DOCUMENT. */
LK_MUST_CHECK char *lk_json_print(const struct cJSON *item, struct lk_arena *arena);

#endif
