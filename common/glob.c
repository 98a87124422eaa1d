/*
 * logkeep: wildcard matching of names (see glob.h).
 */
#include "common/glob.h"

#include <stdint.h>
#include <string.h>

bool lk_glob_match(struct lk_str pattern, struct lk_str name, unsigned flags)
{
    /* Greedy, with one backtrack point: on a mismatch, the last '*' seen absorbs one more
     * character of the name and matching resumes after it. Earlier stars never need to move:
     * whatever they could absorb, the last one can too. */
    const bool question = (flags & LK_GLOB_QUESTION) != 0;
    size_t p = 0, i = 0, star = SIZE_MAX, resume = 0;
    while (i < name.len) {
        if (p < pattern.len && pattern.ptr[p] == '*') {
            star = p++;
            resume = i;
        } else if (p < pattern.len &&
                   (pattern.ptr[p] == name.ptr[i] || (question && pattern.ptr[p] == '?'))) {
            p++;
            i++;
        } else if (star != SIZE_MAX) {
            p = star + 1;
            i = ++resume;
        } else {
            return false;
        }
    }
    while (p < pattern.len && pattern.ptr[p] == '*')
        p++;
    return p == pattern.len;
}

bool lk_glob_match_c(const char *pattern, const char *name, unsigned flags)
{
    return lk_glob_match(lk_str_c(pattern), lk_str_c(name), flags);
}

bool lk_glob_has_wildcard(struct lk_str pattern, unsigned flags)
{
    return lk_glob_literal_prefix_len(pattern, flags) < pattern.len;
}

size_t lk_glob_literal_prefix_len(struct lk_str pattern, unsigned flags)
{
    /* memchr(): the compiler's checks ask this of every name of a policy, most without '*'. */
    const char *star = pattern.len ? memchr(pattern.ptr, '*', pattern.len) : NULL;
    size_t n = star ? (size_t)(star - pattern.ptr) : pattern.len;
    if ((flags & LK_GLOB_QUESTION) && n) {
        const char *q = memchr(pattern.ptr, '?', n);
        if (q)
            n = (size_t)(q - pattern.ptr);
    }
    return n;
}
