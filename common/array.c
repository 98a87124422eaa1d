/*
 * logkeep: growing arrays by doubling (see array.h).
 */
#include "common/array.h"

#include <stdint.h>
#include <string.h>

#include "common/arena.h"

void *lk_array_grow(struct lk_arena *arena, void *items, size_t n, size_t *cap, size_t need,
                    size_t elem_size, size_t min_cap)
{
    size_t ncap = *cap ? *cap : (min_cap ? min_cap : 1);
    while (ncap < need) {
        if (ncap > SIZE_MAX / 2)
            lk_oom();
        ncap *= 2;
    }
    if (elem_size && ncap > SIZE_MAX / elem_size)
        lk_oom();
    void *grown;
    if (arena == NULL) {
        grown = lk_xrealloc(items, ncap * elem_size);
    } else {
        grown = lk_arena_alloc(arena, ncap * elem_size);
        if (n)
            memcpy(grown, items, n * elem_size);
    }
    *cap = ncap;
    return grown;
}
