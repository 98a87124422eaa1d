/*
 * logkeep: the list of artifacts, the exact API payloads of a desired state.
 */
#include "ir/artifact.h"

#include <stdlib.h>
#include <string.h>

#include "common/array.h"
#include "common/hash.h"

void lk_artifacts_init(struct lk_artifacts *a)
{
    memset(a, 0, sizeof(*a));
    lk_arena_init(&a->arena);
}

void lk_artifacts_free(struct lk_artifacts *a)
{
    free(a->items);
    lk_arena_destroy(&a->arena);
    memset(a, 0, sizeof(*a));
}

void lk_artifacts_add(struct lk_artifacts *a, char *path, const char *ops, const char *resource,
                      char *content, const char *headers)
{
    LK_ARRAY_GROW(a->items, a->n, a->cap);
    a->sorted = false;
    struct lk_artifact *x = &a->items[a->n++];
    memset(x, 0, sizeof(*x));
    x->path = path;
    x->operations = lk_arena_strdup(&a->arena, ops);
    x->resource = lk_arena_strdup(&a->arena, resource);
    x->content = content;
    x->len = strlen(content);
    x->headers = headers ? lk_arena_strdup(&a->arena, headers) : NULL;
    if (lk_sha256_hex(content, x->len, x->sha256) != 0)
        lk_oom(); /* OpenSSL only fails on allocation failure */
}

void lk_artifacts_add_released(struct lk_artifacts *a, char *path, const char *ops,
                               const char *resource, size_t len, const char *sha256,
                               const char *headers)
{
    LK_ARRAY_GROW(a->items, a->n, a->cap);
    a->sorted = false;
    struct lk_artifact *x = &a->items[a->n++];
    memset(x, 0, sizeof(*x));
    x->path = path;
    x->operations = lk_arena_strdup(&a->arena, ops);
    x->resource = lk_arena_strdup(&a->arena, resource);
    x->len = len;
    x->headers = headers ? lk_arena_strdup(&a->arena, headers) : NULL;
    memcpy(x->sha256, sha256, sizeof(x->sha256) - 1);
    x->sha256[sizeof(x->sha256) - 1] = '\0';
}

static int s_cmp_artifact(const void *x, const void *y)
{
    return strcmp(((const struct lk_artifact *)x)->path, ((const struct lk_artifact *)y)->path);
}

const struct lk_artifact *lk_artifacts_find(const struct lk_artifacts *a, const char *path)
{
    if (a->sorted) {
        size_t lo = 0, hi = a->n;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            int c = strcmp(path, a->items[mid].path);
            if (c == 0)
                return &a->items[mid];
            if (c < 0)
                hi = mid;
            else
                lo = mid + 1;
        }
        return NULL;
    }
    for (size_t i = 0; i < a->n; i++)
        if (!strcmp(a->items[i].path, path))
            return &a->items[i];
    return NULL;
}

void lk_artifacts_sort(struct lk_artifacts *a)
{
    if (a->n > 1)
        qsort(a->items, a->n, sizeof(*a->items), s_cmp_artifact);
    a->sorted = true;
}
