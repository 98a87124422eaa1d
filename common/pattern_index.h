/*
 * logkeep: an index of name patterns (common/glob.h) by region, for matching many names.
 *
 * Matching every listed log group against every pattern of a policy costs groups x patterns
 * glob matches. Every name a pattern matches starts with the pattern's literal prefix (the bytes
 * before its first '*'), so the index keeps the distinct (region, literal prefix) keys sorted
 * bytewise and, for each key, the longest other key that is a prefix of it (its parent). The
 * keys that are prefixes of a name are then the predecessor of the name in that order and its
 * ancestors (every string sorted between a prefix P of the name and the name itself starts
 * with P): one binary search and a walk up at most strlen(name) keys, after which only the
 * patterns of those keys are given to lk_glob_match().
 *
 * An entry without '*' (or marked exact) is a plain name: its prefix is the whole name and it
 * matches only that name.
 * The index borrows the entries' strings; it is read-only once built and safe to share between
 * threads.
 */
#ifndef LK_COMMON_PATTERN_INDEX_H
#define LK_COMMON_PATTERN_INDEX_H

#include <stdbool.h>
#include <stddef.h>

/* No entry matches (lk_pattern_index_best()). */
#define LK_PATTERN_INDEX_NONE ((size_t)-1)

/* One pattern to index; the strings are borrowed and must outlive the index. */
struct lk_pattern_entry {
    const char *region;  /* NULL is a region of its own, equal only to NULL */
    const char *pattern; /* '*' matches any run of characters (lk_glob_match(), flags 0) */
    size_t id;           /* the caller's number for the entry, returned by the lookups */
    bool exact;          /* a plain name: every byte, '*' included, stands for itself */
};

struct lk_pattern_index {
    struct lk_pattern_index_entry *entries; /* sorted by region, literal prefix, id */
    size_t n_entries;
    struct lk_pattern_index_key *keys; /* the distinct (region, literal prefix), sorted */
    size_t n_keys;
};

/**
 * Builds the index of @p n entries (copied; their strings borrowed).
 * @param idx the index to fill; lk_pattern_index_destroy() frees it.
 * @param entries the entries, in any order; ids need not be distinct.
 * @param n how many.
 */
void lk_pattern_index_init(struct lk_pattern_index *idx, const struct lk_pattern_entry *entries,
                           size_t n);

/** Frees what lk_pattern_index_init() allocated (not the entries' strings). */
void lk_pattern_index_destroy(struct lk_pattern_index *idx);

/**
 * @param idx the index.
 * @param region the name's region (NULL matches only entries of region NULL).
 * @param name the name to match.
 * @return true when an entry of @p region matches @p name.
 */
bool lk_pattern_index_any(const struct lk_pattern_index *idx, const char *region, const char *name);

/**
 * The most specific entry of @p region that matches @p name: the one with the most literal
 * characters (those other than '*'), then the bytewise smallest pattern, then the smallest id.
 * @param idx the index.
 * @param region the name's region (NULL matches only entries of region NULL).
 * @param name the name to match.
 * @return that entry's id, or LK_PATTERN_INDEX_NONE when no entry matches.
 */
size_t lk_pattern_index_best(const struct lk_pattern_index *idx, const char *region,
                             const char *name);

#endif
