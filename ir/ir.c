/*
 * logkeep: the IR of AWS state: construction helpers and canonical ordering.
 */
#include "ir/ir.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const s_sc_api[LK_IR_SC_COUNT] = {
    "STANDARD_IA", "ONEZONE_IA", "INTELLIGENT_TIERING", "GLACIER_IR", "GLACIER", "DEEP_ARCHIVE",
};

const char *lk_ir_storage_class_api(enum lk_ir_storage_class sc)
{
    return sc < LK_IR_SC_COUNT ? s_sc_api[sc] : "?";
}

bool lk_ir_storage_class_parse(const char *api, enum lk_ir_storage_class *out)
{
    for (int i = 0; i < LK_IR_SC_COUNT; i++) {
        if (!strcmp(api, s_sc_api[i])) {
            *out = (enum lk_ir_storage_class)i;
            return true;
        }
    }
    return false;
}

struct lk_ir_state *lk_ir_state_new(void)
{
    struct lk_ir_state *s = lk_xcalloc(1, sizeof(*s));
    lk_arena_init(&s->arena);
    return s;
}

void lk_ir_state_free(struct lk_ir_state *state)
{
    if (!state)
        return;
    lk_arena_destroy(&state->arena);
    free(state);
}

char *lk_ir_strdup(struct lk_ir_state *state, const char *s)
{
    return s ? lk_arena_strdup(&state->arena, s) : NULL;
}

char *lk_ir_strndup(struct lk_ir_state *state, const char *s, size_t len)
{
    return lk_arena_strndup(&state->arena, s, len);
}

char *lk_ir_printf(struct lk_ir_state *state, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *p = lk_arena_vprintf(&state->arena, fmt, ap);
    va_end(ap);
    return p;
}

void lk_ir_list_add(struct lk_ir_state *state, struct lk_ir_string_list *list, const char *s)
{
    /* Capacity is implicit: the next power of two at or above n. */
    size_t n = list->n;
    if ((n & (n - 1)) == 0) {
        size_t cap = n ? n * 2 : 1;
        char **items = lk_arena_alloc(&state->arena, cap * sizeof(*items));
        if (n)
            memcpy(items, list->items, n * sizeof(*items));
        list->items = items;
    }
    list->items[list->n++] = lk_ir_strdup(state, s);
}

static int s_cmp_cstr(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

void lk_ir_list_sort_unique(struct lk_ir_string_list *list)
{
    if (list->n < 2)
        return;
    qsort(list->items, list->n, sizeof(*list->items), s_cmp_cstr);
    size_t w = 1;
    for (size_t i = 1; i < list->n; i++)
        if (strcmp(list->items[i], list->items[w - 1]) != 0)
            list->items[w++] = list->items[i];
    list->n = w;
}

static int s_cmp_rule(const void *a, const void *b)
{
    return strcmp(((const struct lk_ir_lifecycle_rule *)a)->id,
                  ((const struct lk_ir_lifecycle_rule *)b)->id);
}

static int s_cmp_statement(const void *a, const void *b)
{
    const struct lk_ir_statement *x = a, *y = b;
    return strcmp(x->sid ? x->sid : "", y->sid ? y->sid : "");
}

static int s_cmp_condition(const void *a, const void *b)
{
    const struct lk_ir_condition *x = a, *y = b;
    int c = strcmp(x->op, y->op);
    return c ? c : strcmp(x->key, y->key);
}

static int s_cmp_bucket(const void *a, const void *b)
{
    return strcmp(((const struct lk_ir_bucket *)a)->name, ((const struct lk_ir_bucket *)b)->name);
}

static int s_cmp_log_group(const void *a, const void *b)
{
    const struct lk_ir_log_group *x = a, *y = b;
    int c = strcmp(x->region ? x->region : "", y->region ? y->region : "");
    return c ? c : strcmp(x->name, y->name);
}

static int s_cmp_trail(const void *a, const void *b)
{
    return strcmp(((const struct lk_ir_trail *)a)->name, ((const struct lk_ir_trail *)b)->name);
}

static int s_cmp_data_resource(const void *a, const void *b)
{
    return strcmp(((const struct lk_ir_data_resource *)a)->type,
                  ((const struct lk_ir_data_resource *)b)->type);
}

static int s_cmp_str0(const char *a, const char *b)
{
    return strcmp(a ? a : "", b ? b : "");
}

static int s_cmp_store(const void *a, const void *b)
{
    return strcmp(((const struct lk_ir_unmanaged_store *)a)->bucket,
                  ((const struct lk_ir_unmanaged_store *)b)->bucket);
}

static int s_cmp_delivery(const void *a, const void *b)
{
    const struct lk_ir_delivery *x = a, *y = b;
    int c = s_cmp_str0(x->service, y->service);
    if (!c)
        c = s_cmp_str0(x->region, y->region);
    return c ? c : s_cmp_str0(x->name, y->name);
}

static void s_canon_policy(struct lk_ir_bucket_policy *p)
{
    for (size_t i = 0; i < p->n_statements; i++) {
        struct lk_ir_statement *st = &p->statements[i];
        lk_ir_list_sort_unique(&st->principals);
        lk_ir_list_sort_unique(&st->actions);
        lk_ir_list_sort_unique(&st->resources);
        for (size_t k = 0; k < st->n_conditions; k++)
            lk_ir_list_sort_unique(&st->conditions[k].values);
        if (st->n_conditions > 1)
            qsort(st->conditions, st->n_conditions, sizeof(*st->conditions), s_cmp_condition);
    }
    if (p->n_statements > 1)
        qsort(p->statements, p->n_statements, sizeof(*p->statements), s_cmp_statement);
}

void lk_ir_canonicalize(struct lk_ir_state *state)
{
    for (size_t i = 0; i < state->n_buckets; i++) {
        struct lk_ir_bucket *b = &state->buckets[i];
        if (b->lifecycle.n_rules > 1)
            qsort(b->lifecycle.rules, b->lifecycle.n_rules, sizeof(*b->lifecycle.rules),
                  s_cmp_rule);
        for (size_t r = 0; r < b->lifecycle.n_rules; r++)
            lk_ir_list_sort_unique(&b->lifecycle.rules[r].sources);
        s_canon_policy(&b->policy);
    }
    if (state->n_buckets > 1)
        qsort(state->buckets, state->n_buckets, sizeof(*state->buckets), s_cmp_bucket);
    if (state->n_log_groups > 1)
        qsort(state->log_groups, state->n_log_groups, sizeof(*state->log_groups),
              s_cmp_log_group);
    for (size_t i = 0; i < state->n_trails; i++) {
        struct lk_ir_trail *t = &state->trails[i];
        for (size_t e = 0; e < t->n_event_selectors; e++) {
            struct lk_ir_event_selector *es = &t->event_selectors[e];
            for (size_t d = 0; d < es->n_data_resources; d++)
                lk_ir_list_sort_unique(&es->data_resources[d].values);
            if (es->n_data_resources > 1)
                qsort(es->data_resources, es->n_data_resources, sizeof(*es->data_resources),
                      s_cmp_data_resource);
            lk_ir_list_sort_unique(&es->exclude_management_event_sources);
        }
    }
    if (state->n_trails > 1)
        qsort(state->trails, state->n_trails, sizeof(*state->trails), s_cmp_trail);
    for (size_t i = 0; i < state->n_unmanaged_stores; i++) {
        struct lk_ir_unmanaged_store *u = &state->unmanaged_stores[i];
        if (u->lifecycle.n_rules > 1)
            qsort(u->lifecycle.rules, u->lifecycle.n_rules, sizeof(*u->lifecycle.rules),
                  s_cmp_rule);
        if (u->n_deliveries > 1)
            qsort(u->deliveries, u->n_deliveries, sizeof(*u->deliveries), s_cmp_delivery);
    }
    if (state->n_unmanaged_stores > 1)
        qsort(state->unmanaged_stores, state->n_unmanaged_stores, sizeof(*state->unmanaged_stores),
              s_cmp_store);
}
