/*
 * logkeep: memory arenas and string views.
 */
#include "common/arena.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Chunks grow geometrically up to this size; bigger requests get a chunk of their own. */
#define LK_ARENA_MIN_CHUNK (4u * 1024u)
#define LK_ARENA_MAX_CHUNK (4u * 1024u * 1024u)

struct lk_arena_chunk {
    struct lk_arena_chunk *next;
    size_t used;
    size_t cap;
    _Alignas(16) unsigned char data[];
};

_Noreturn void lk_oom(void)
{
    fputs("logkeep: out of memory\n", stderr);
    abort();
}

void *lk_xmalloc(size_t size)
{
    void *p = malloc(size ? size : 1);
    if (!p)
        lk_oom();
    return p;
}

void *lk_xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p)
        lk_oom();
    return p;
}

void *lk_xrealloc(void *ptr, size_t size)
{
    void *p = realloc(ptr, size ? size : 1);
    if (!p)
        lk_oom();
    return p;
}

char *lk_xstrndup(const char *s, size_t len)
{
    char *p = lk_xmalloc(len + 1);
    memcpy(p, s, len);
    p[len] = '\0';
    return p;
}

char *lk_xstrdup(const char *s)
{
    return lk_xstrndup(s, strlen(s));
}

void lk_arena_init(struct lk_arena *arena)
{
    memset(arena, 0, sizeof(*arena));
}

void lk_arena_destroy(struct lk_arena *arena)
{
    struct lk_arena_chunk *c = arena->head;
    while (c) {
        struct lk_arena_chunk *next = c->next;
        free(c);
        c = next;
    }
    memset(arena, 0, sizeof(*arena));
}

/* Allocations are aligned to 8 bytes: enough for every type the compiler stores (pointers,
 * 64-bit integers, doubles), and tighter than max_align_t's 16, which matters when a large
 * policy allocates a hundred thousand small nodes. */
#define LK_ARENA_ALIGN ((size_t)8)

static void *s_alloc_raw(struct lk_arena *arena, size_t size)
{
    size_t need = (size + LK_ARENA_ALIGN - 1) & ~(LK_ARENA_ALIGN - 1);
    if (need < size)
        lk_oom();
    struct lk_arena_chunk *c = arena->head;
    if (!c || c->cap - c->used < need) {
        size_t cap = c ? c->cap * 2 : LK_ARENA_MIN_CHUNK;
        if (cap > LK_ARENA_MAX_CHUNK)
            cap = LK_ARENA_MAX_CHUNK;
        if (cap < need)
            cap = need;
        struct lk_arena_chunk *n = malloc(sizeof(*n) + cap);
        if (!n)
            lk_oom();
        n->used = 0;
        n->cap = cap;
        n->next = c;
        arena->head = n;
        arena->bytes_reserved += cap;
        c = n;
    }
    void *p = c->data + c->used;
    c->used += need;
    arena->bytes_used += need;
    return p;
}

void *lk_arena_alloc_uninit(struct lk_arena *arena, size_t size)
{
    return s_alloc_raw(arena, size);
}

void *lk_arena_alloc(struct lk_arena *arena, size_t size)
{
    void *p = s_alloc_raw(arena, size);
    memset(p, 0, size);
    return p;
}

struct lk_arena_mark lk_arena_mark(const struct lk_arena *arena)
{
    struct lk_arena_mark m = {arena->head, arena->head ? arena->head->used : 0, arena->bytes_used};
    return m;
}

void lk_arena_reset(struct lk_arena *arena, struct lk_arena_mark mark)
{
    while (arena->head && arena->head != mark.chunk) {
        struct lk_arena_chunk *next = arena->head->next;
        arena->bytes_reserved -= arena->head->cap;
        free(arena->head);
        arena->head = next;
    }
    if (arena->head)
        arena->head->used = mark.used;
    arena->bytes_used = mark.bytes_used;
}

void lk_arena_rewind(struct lk_arena *arena)
{
    struct lk_arena_chunk *keep = arena->head;
    if (keep == NULL)
        return;
    struct lk_arena_chunk *c = keep->next;
    while (c) {
        struct lk_arena_chunk *next = c->next;
        free(c);
        c = next;
    }
    keep->next = NULL;
    keep->used = 0;
    arena->bytes_used = 0;
    arena->bytes_reserved = keep->cap;
}

char *lk_arena_strndup(struct lk_arena *arena, const char *s, size_t len)
{
    char *p = s_alloc_raw(arena, len + 1);
    if (len)
        memcpy(p, s, len);
    p[len] = '\0';
    return p;
}

char *lk_arena_strdup(struct lk_arena *arena, const char *s)
{
    return lk_arena_strndup(arena, s, strlen(s));
}

char *lk_arena_vprintf(struct lk_arena *arena, const char *fmt, va_list ap)
{
    /* Most strings are short: format once into a stack buffer, and again only if it is not
     * large enough. */
    char small[256];
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(small, sizeof(small), fmt, ap2);
    va_end(ap2);
    if (n < 0)
        lk_oom();
    if ((size_t)n < sizeof(small))
        return lk_arena_strndup(arena, small, (size_t)n);
    char *p = s_alloc_raw(arena, (size_t)n + 1);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    return p;
}

char *lk_arena_printf(struct lk_arena *arena, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *p = lk_arena_vprintf(arena, fmt, ap);
    va_end(ap);
    return p;
}

struct lk_str lk_str_c(const char *s)
{
    return (struct lk_str){s ? s : "", s ? strlen(s) : 0};
}

bool lk_str_eq(struct lk_str a, struct lk_str b)
{
    return a.len == b.len && (a.len == 0 || memcmp(a.ptr, b.ptr, a.len) == 0);
}

bool lk_str_eq_c(struct lk_str a, const char *s)
{
    return lk_str_eq(a, lk_str_c(s));
}

bool lk_str_starts_with(struct lk_str s, const char *prefix)
{
    size_t n = strlen(prefix);
    return s.len >= n && memcmp(s.ptr, prefix, n) == 0;
}

int lk_str_cmp(struct lk_str a, struct lk_str b)
{
    size_t n = a.len < b.len ? a.len : b.len;
    int c = n ? memcmp(a.ptr, b.ptr, n) : 0;
    if (c)
        return c;
    return (a.len > b.len) - (a.len < b.len);
}
