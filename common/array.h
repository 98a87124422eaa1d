/*
 * logkeep: growing arrays by doubling.
 *
 * One way to make room for the next element of an array, on the heap or in an arena:
 *
 *     LK_ARRAY_GROW(list->items, list->n, list->cap);          heap (lk_xrealloc())
 *     list->items[list->n++] = item;
 *
 *     LK_ARENA_ARRAY_GROW(&st->arena, st->log_groups, st->n_log_groups, cap);    arena
 *
 * The capacity doubles (from LK_ARRAY_MIN_CAP), so n pushes cost O(n) copies in all. Sizes are
 * checked: a count or byte size that would overflow size_t aborts like an allocation failure
 * (lk_oom()), it never wraps into a small allocation. An arena cannot give memory back, so an
 * arena array grows by copying into a new block and leaves the old one to the arena; the same
 * doubling keeps that waste under the size of the final array.
 *
 * Arrays of the IR that keep no capacity field (the count alone says how full they are: an array
 * of n elements holds the next power of two at or above n) grow with
 * LK_ARENA_ARRAY_GROW_IMPLICIT.
 *
 * The macros evaluate their arguments more than once: pass plain lvalues. @c cap must be a
 * size_t lvalue.
 */
#ifndef LK_COMMON_ARRAY_H
#define LK_COMMON_ARRAY_H

#include <stddef.h>

struct lk_arena;

/* The first capacity of an array that grows from empty. */
#define LK_ARRAY_MIN_CAP ((size_t)16)

/**
 * Makes room for at least @p need elements of @p elem_size bytes: the capacity doubles from
 * *@p cap (or starts at @p min_cap) until it holds them.
 * @param arena NULL for a heap array (grown with lk_xrealloc(), the old pointer is invalid
 *        afterwards), or the arena that holds the array (the first @p n elements are copied to a
 *        new block; the old block stays valid until the arena goes).
 * @param items the array (NULL when empty).
 * @param n elements in use (copied for an arena array).
 * @param cap in: the current capacity; out: the new one.
 * @return the array to use from now on. Aborts when the size overflows or memory runs out.
 */
void *lk_array_grow(struct lk_arena *arena, void *items, size_t n, size_t *cap, size_t need,
                    size_t elem_size, size_t min_cap);

/* Room for one more element in heap array @p arr of @p n elements and capacity @p cap. */
#define LK_ARRAY_GROW(arr, n, cap)                                                                 \
    do {                                                                                           \
        if ((n) >= (cap))                                                                          \
            (arr) = lk_array_grow(NULL, (arr), (n), &(cap), (n) + 1, sizeof(*(arr)),               \
                                  LK_ARRAY_MIN_CAP);                                               \
    } while (0)

/* Room for one more element in arena array @p arr of @p n elements and capacity @p cap. */
#define LK_ARENA_ARRAY_GROW(arena, arr, n, cap)                                                    \
    do {                                                                                           \
        if ((n) >= (cap))                                                                          \
            (arr) = lk_array_grow((arena), (arr), (n), &(cap), (n) + 1, sizeof(*(arr)),            \
                                  LK_ARRAY_MIN_CAP);                                               \
    } while (0)

/* Room for one more element in arena array @p arr of @p n elements with no capacity field: its
 * capacity is the next power of two at or above n (1, 2, 4, ...), so it is full exactly when n
 * is 0 or a power of two. Small arrays stay small: most IR lists hold one or two items. */
#define LK_ARENA_ARRAY_GROW_IMPLICIT(arena, arr, n)                                                \
    do {                                                                                           \
        if (((n) & ((n)-1)) == 0) {                                                                \
            size_t lk_array_cap_ = (n);                                                            \
            (arr) =                                                                                \
                lk_array_grow((arena), (arr), (n), &lk_array_cap_, (n) + 1, sizeof(*(arr)), 1);    \
        }                                                                                          \
    } while (0)

#endif
