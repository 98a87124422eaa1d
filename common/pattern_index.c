/*
 * logkeep: an index of name patterns by region (see pattern_index.h).
 */
#include "common/pattern_index.h"

#include <stdlib.h>
#include <string.h>

#include "common/arena.h"
#include "common/glob.h"

struct lk_pattern_index_entry {
    const char *region;
    const char *pattern;
    size_t pattern_len;
    size_t prefix_len;  /* bytes before the first '*' */
    size_t literal_len; /* bytes other than '*' */
    size_t id;
};

struct lk_pattern_index_key {
    const char *region;
    const char *prefix; /* the first prefix_len bytes of its entries' patterns */
    size_t prefix_len;
    size_t first, count; /* its entries */
    size_t parent;       /* the longest other key of the region that is a prefix of it */
};

static int s_region_cmp(const char *a, const char *b)
{
    if (a == NULL || b == NULL)
        return (a != NULL) - (b != NULL);
    return strcmp(a, b);
}

/* Bytewise, a prefix before the strings it starts. */
static int s_bytes_cmp(const char *a, size_t a_len, const char *b, size_t b_len)
{
    int c = memcmp(a, b, a_len < b_len ? a_len : b_len);
    if (c)
        return c;
    return (a_len > b_len) - (a_len < b_len);
}

static int s_cmp_entry(const void *pa, const void *pb)
{
    const struct lk_pattern_index_entry *a = pa, *b = pb;
    int c = s_region_cmp(a->region, b->region);
    if (!c)
        c = s_bytes_cmp(a->pattern, a->prefix_len, b->pattern, b->prefix_len);
    if (!c)
        c = (a->id > b->id) - (a->id < b->id);
    return c;
}

void lk_pattern_index_init(struct lk_pattern_index *idx, const struct lk_pattern_entry *entries,
                           size_t n)
{
    memset(idx, 0, sizeof(*idx));
    idx->entries = lk_xcalloc(n ? n : 1, sizeof(*idx->entries));
    idx->keys = lk_xcalloc(n ? n : 1, sizeof(*idx->keys));
    for (size_t i = 0; i < n; i++) {
        struct lk_pattern_index_entry *e = &idx->entries[i];
        e->region = entries[i].region;
        e->pattern = entries[i].pattern;
        e->pattern_len = strlen(e->pattern);
        e->prefix_len =
            entries[i].exact ? e->pattern_len : lk_glob_literal_prefix_len(lk_str_c(e->pattern), 0);
        e->literal_len = e->prefix_len;
        for (size_t k = e->prefix_len; k < e->pattern_len; k++)
            e->literal_len += e->pattern[k] != '*';
        e->id = entries[i].id;
    }
    idx->n_entries = n;
    if (n > 1)
        qsort(idx->entries, n, sizeof(*idx->entries), s_cmp_entry);

    /* The keys, and their parents with a stack of the keys that are prefixes of the last one:
     * in sorted order, a key that is a prefix of a later one is a prefix of every key between
     * the two, so it stays on the stack until then. The stack is threaded through parent. */
    size_t top = LK_PATTERN_INDEX_NONE;
    for (size_t i = 0; i < n; i++) {
        const struct lk_pattern_index_entry *e = &idx->entries[i];
        struct lk_pattern_index_key *last = idx->n_keys ? &idx->keys[idx->n_keys - 1] : NULL;
        if (last && s_region_cmp(last->region, e->region) == 0 &&
            last->prefix_len == e->prefix_len &&
            memcmp(last->prefix, e->pattern, e->prefix_len) == 0) {
            last->count++;
            continue;
        }
        if (last && s_region_cmp(last->region, e->region) != 0)
            top = LK_PATTERN_INDEX_NONE;
        while (top != LK_PATTERN_INDEX_NONE &&
               !(idx->keys[top].prefix_len <= e->prefix_len &&
                 memcmp(idx->keys[top].prefix, e->pattern, idx->keys[top].prefix_len) == 0))
            top = idx->keys[top].parent;
        struct lk_pattern_index_key *k = &idx->keys[idx->n_keys];
        k->region = e->region;
        k->prefix = e->pattern;
        k->prefix_len = e->prefix_len;
        k->first = i;
        k->count = 1;
        k->parent = top;
        top = idx->n_keys++;
    }
}

void lk_pattern_index_destroy(struct lk_pattern_index *idx)
{
    free(idx->entries);
    free(idx->keys);
    memset(idx, 0, sizeof(*idx));
}

/* @return the last key of @p region not after @p name, the first whose ancestors (parent
 *         chain) hold every key that is a prefix of @p name; LK_PATTERN_INDEX_NONE if none. */
static size_t s_last_key_not_after(const struct lk_pattern_index *idx, const char *region,
                                   const char *name, size_t name_len)
{
    size_t lo = 0, hi = idx->n_keys;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const struct lk_pattern_index_key *k = &idx->keys[mid];
        int c = s_region_cmp(k->region, region);
        if (!c)
            c = s_bytes_cmp(k->prefix, k->prefix_len, name, name_len);
        if (c <= 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == 0 || s_region_cmp(idx->keys[lo - 1].region, region) != 0)
        return LK_PATTERN_INDEX_NONE;
    return lo - 1;
}

/* Whether entry @p e (whose literal prefix starts @p name) matches all of @p name. */
static bool s_entry_matches(const struct lk_pattern_index_entry *e, const char *name,
                            size_t name_len)
{
    if (e->prefix_len == e->pattern_len)
        return name_len == e->prefix_len;
    struct lk_str pattern = {e->pattern + e->prefix_len, e->pattern_len - e->prefix_len};
    struct lk_str rest = {name + e->prefix_len, name_len - e->prefix_len};
    return lk_glob_match(pattern, rest, 0);
}

/* Calls @p visit on every entry of @p region that matches @p name until it returns false. */
static void s_each_match(const struct lk_pattern_index *idx, const char *region, const char *name,
                         bool (*visit)(void *ctx, const struct lk_pattern_index_entry *e),
                         void *ctx)
{
    size_t name_len = strlen(name);
    size_t k = s_last_key_not_after(idx, region, name, name_len);
    for (; k != LK_PATTERN_INDEX_NONE; k = idx->keys[k].parent) {
        const struct lk_pattern_index_key *key = &idx->keys[k];
        if (key->prefix_len > name_len || memcmp(key->prefix, name, key->prefix_len) != 0)
            continue;
        for (size_t i = key->first; i < key->first + key->count; i++)
            if (s_entry_matches(&idx->entries[i], name, name_len) && !visit(ctx, &idx->entries[i]))
                return;
    }
}

static bool s_visit_any(void *ctx, const struct lk_pattern_index_entry *e)
{
    (void)e;
    *(bool *)ctx = true;
    return false;
}

bool lk_pattern_index_any(const struct lk_pattern_index *idx, const char *region, const char *name)
{
    bool found = false;
    s_each_match(idx, region, name, s_visit_any, &found);
    return found;
}

static bool s_visit_best(void *ctx, const struct lk_pattern_index_entry *e)
{
    const struct lk_pattern_index_entry **best = ctx;
    const struct lk_pattern_index_entry *b = *best;
    int c = 0;
    if (b) {
        c = (e->literal_len < b->literal_len) - (e->literal_len > b->literal_len);
        if (!c)
            c = strcmp(e->pattern, b->pattern);
        if (!c)
            c = (e->id > b->id) - (e->id < b->id);
    }
    if (!b || c < 0)
        *best = e;
    return true;
}

size_t lk_pattern_index_best(const struct lk_pattern_index *idx, const char *region,
                             const char *name)
{
    const struct lk_pattern_index_entry *best = NULL;
    s_each_match(idx, region, name, s_visit_best, &best);
    return best ? best->id : LK_PATTERN_INDEX_NONE;
}
