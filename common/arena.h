/*
 * logkeep: memory arenas and string views.
 *
 * One arena per compilation owns the AST, the IR, the diagnostics and their strings; a single
 * lk_arena_destroy() releases all of it. Allocation failure aborts with a message: the program
 * cannot do anything useful without memory, and threading ENOMEM through every caller would
 * hide the real logic.
 */
#ifndef LK_ARENA_H
#define LK_ARENA_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* struct lk_buf lived here; files that still get it through this header keep compiling. New code
 * includes common/buf.h itself. */
#include "common/buf.h"

/** A borrowed, not necessarily NUL-terminated, string: {ptr, len}. */
struct lk_str {
    const char *ptr;
    size_t len;
};

#define LK_STR_LIT(s) ((struct lk_str){(s), sizeof(s) - 1})
#define LK_STR_FMT "%.*s"
#define LK_STR_ARG(s) (int)(s).len, (s).ptr

struct lk_arena_chunk;

struct lk_arena {
    struct lk_arena_chunk *head; /* owned: list of chunks, newest first */
    size_t bytes_used;           /* statistics for the benchmark */
    size_t bytes_reserved;
};

/** @return a zeroed arena; never fails. */
void lk_arena_init(struct lk_arena *arena);

/** Frees every allocation made from @p arena. The arena may be reused after lk_arena_init(). */
void lk_arena_destroy(struct lk_arena *arena);

/**
 * @param size bytes wanted; may be 0.
 * @return zeroed memory aligned to 8 bytes (any type the compiler stores), valid until
 * lk_arena_destroy(). Aborts on allocation failure.
 */
void *lk_arena_alloc(struct lk_arena *arena, size_t size);

/** lk_arena_alloc() without the zeroing, for memory the caller fills at once. */
void *lk_arena_alloc_uninit(struct lk_arena *arena, size_t size);

/** A position in an arena, to release everything allocated after it (scratch use). */
struct lk_arena_mark {
    struct lk_arena_chunk *chunk;
    size_t used;
    size_t bytes_used;
};

/** @return the current position of @p arena. */
struct lk_arena_mark lk_arena_mark(const struct lk_arena *arena);

/** Frees everything allocated after @p mark; memory before it stays valid. */
void lk_arena_reset(struct lk_arena *arena, struct lk_arena_mark mark);

/** Frees every allocation but keeps the newest (largest) chunk for reuse: a scratch arena
 *  that holds one thing at a time then stops asking malloc() for memory. */
void lk_arena_rewind(struct lk_arena *arena);

/** @return a NUL-terminated copy of @p len bytes of @p s owned by the arena. */
char *lk_arena_strndup(struct lk_arena *arena, const char *s, size_t len);

/** @return a NUL-terminated copy of @p s owned by the arena. */
char *lk_arena_strdup(struct lk_arena *arena, const char *s);

/** printf into the arena. @return the NUL-terminated result. */
char *lk_arena_printf(struct lk_arena *arena, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/** @return a view over a C string (NULL gives the empty view). */
struct lk_str lk_str_c(const char *s);

/** @return true when the two views hold the same bytes. */
bool lk_str_eq(struct lk_str a, struct lk_str b);

/** @return true when the view equals the C string @p s. */
bool lk_str_eq_c(struct lk_str a, const char *s);

/** @return true when @p s starts with the C string @p prefix. */
bool lk_str_starts_with(struct lk_str s, const char *prefix);

/** @return memcmp-style ordering of two views (bytewise, shorter first on a tie). */
int lk_str_cmp(struct lk_str a, struct lk_str b);

/* Heap helpers for memory that outlives an arena. All abort on failure. */
void *lk_xmalloc(size_t size);
void *lk_xcalloc(size_t n, size_t size);
void *lk_xrealloc(void *ptr, size_t size);
char *lk_xstrdup(const char *s);
char *lk_xstrndup(const char *s, size_t len);

/** vprintf into the arena. @return the NUL-terminated result. */
char *lk_arena_vprintf(struct lk_arena *arena, const char *fmt, va_list ap);

/** Prints "logkeep: out of memory" and aborts. */
_Noreturn void lk_oom(void);

#endif
