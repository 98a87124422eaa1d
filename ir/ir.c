/*
 * logkeep: the IR of AWS state: construction helpers and canonical ordering.
 */
#include "ir/ir.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>

#include "common/array.h"
#include "ir/artifact.h"

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

static const char *const s_class_api[] = {NULL, "STANDARD", "INFREQUENT_ACCESS", "DELIVERY"};

const char *lk_ir_log_group_class_api(enum lk_ir_log_group_class c)
{
    return (size_t)c < sizeof(s_class_api) / sizeof(s_class_api[0]) ? s_class_api[c] : NULL;
}

bool lk_ir_log_group_class_parse(const char *api, enum lk_ir_log_group_class *out)
{
    for (size_t i = 1; i < sizeof(s_class_api) / sizeof(s_class_api[0]); i++) {
        if (!strcmp(api, s_class_api[i])) {
            *out = (enum lk_ir_log_group_class)i;
            return true;
        }
    }
    return false;
}

/* The Sids logkeep wrote before LK_IR_SID_PREFIX: exact names, and names followed by a trail's
 * name in Sid form ("CloudTrailWriteOrgTrail"). */
static const char *const s_legacy_sids[] = {
    "ConfigBucketDelivery",        "ConfigBucketExistenceCheck", "ConfigBucketPermissionsCheck",
    "DenyChangesExceptAdmins",     "DenyInsecureTransport",      "ElbLogDelivery",
    "GuardDutyGetBucketLocation",  "GuardDutyPutObject",         "LogDeliveryAclCheck",
    "LogDeliveryWrite",            "ReadLogs",
};
static const char *const s_legacy_sid_prefixes[] = {"CloudTrailAclCheck", "CloudTrailWrite"};

bool lk_ir_sid_owned(const char *sid)
{
    if (!sid)
        return false;
    if (!strncmp(sid, LK_IR_SID_PREFIX, sizeof(LK_IR_SID_PREFIX) - 1))
        return true;
    for (size_t i = 0; i < sizeof(s_legacy_sids) / sizeof(s_legacy_sids[0]); i++)
        if (!strcmp(sid, s_legacy_sids[i]))
            return true;
    for (size_t i = 0; i < sizeof(s_legacy_sid_prefixes) / sizeof(s_legacy_sid_prefixes[0]); i++) {
        size_t n = strlen(s_legacy_sid_prefixes[i]);
        if (!strncmp(sid, s_legacy_sid_prefixes[i], n) && sid[n] >= 'A' && sid[n] <= 'Z')
            return true;
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

/* The strings lk_ir_intern() has copied, by content (open addressing, FNV-1a). At most
 * S_INTERN_MAX are remembered: the repeated strings come early (each bucket's), and the unique
 * ones (an ARN per source) would only grow the table. */
#define S_INTERN_MAX ((size_t)16384)
struct s_intern {
    const struct lk_ir_state *state;
    char **slots; /* owned (heap); NULL = empty */
    size_t cap;   /* a power of two, at least twice n */
    size_t n;
};
static _Thread_local struct s_intern s_intern_tl;

void lk_ir_intern_begin(struct lk_ir_state *state)
{
    lk_ir_intern_end();
    s_intern_tl.state = state;
}

void lk_ir_intern_end(void)
{
    free(s_intern_tl.slots);
    memset(&s_intern_tl, 0, sizeof(s_intern_tl));
}

static size_t s_hash(const char *s)
{
    uint64_t h = 1469598103934665603u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211u;
    return (size_t)h;
}

char *lk_ir_intern(struct lk_ir_state *state, const char *s)
{
    struct s_intern *t = &s_intern_tl;
    if (!s || t->state != state)
        return lk_ir_strdup(state, s);
    if (t->n * 2 >= t->cap && t->n < S_INTERN_MAX) {
        size_t cap = t->cap ? t->cap * 2 : 256;
        char **slots = lk_xcalloc(cap, sizeof(*slots));
        for (size_t i = 0; i < t->cap; i++) {
            if (!t->slots[i])
                continue;
            size_t k = s_hash(t->slots[i]) & (cap - 1);
            while (slots[k])
                k = (k + 1) & (cap - 1);
            slots[k] = t->slots[i];
        }
        free(t->slots);
        t->slots = slots;
        t->cap = cap;
    }
    size_t k = s_hash(s) & (t->cap - 1);
    for (; t->slots[k]; k = (k + 1) & (t->cap - 1))
        if (!strcmp(t->slots[k], s))
            return t->slots[k];
    char *copy = lk_ir_strdup(state, s);
    if (t->n < S_INTERN_MAX) {
        t->slots[k] = copy;
        t->n++;
    }
    return copy;
}

void lk_ir_list_add(struct lk_ir_state *state, struct lk_ir_string_list *list, const char *s)
{
    LK_ARENA_ARRAY_GROW_IMPLICIT(&state->arena, list->items, list->n);
    list->items[list->n++] = lk_ir_intern(state, s);
}

char *lk_ir_cat(struct lk_ir_state *state, const struct lk_str *parts, size_t n)
{
    size_t len = 0;
    for (size_t i = 0; i < n; i++) {
        if (parts[i].len > SIZE_MAX - 1 - len)
            lk_oom();
        len += parts[i].len;
    }
    char *out = lk_arena_alloc_uninit(&state->arena, len + 1), *w = out;
    for (size_t i = 0; i < n; i++) {
        if (parts[i].len)
            memcpy(w, parts[i].ptr, parts[i].len);
        w += parts[i].len;
    }
    *w = '\0';
    return out;
}

void lk_ir_list_push(struct lk_ir_state *state, struct lk_ir_string_list *list, char *s)
{
    LK_ARENA_ARRAY_GROW_IMPLICIT(&state->arena, list->items, list->n);
    list->items[list->n++] = s;
}

void lk_ir_list_add_set(struct lk_ir_state *state, struct lk_ir_string_list *list, const char *s)
{
    if (list->n && !strcmp(list->items[list->n - 1], s))
        return;
    lk_ir_list_add(state, list, s);
}

void lk_ir_list_sort_unique(struct lk_ir_string_list *list)
{
    if (list->n < 2)
        return;
    qsort(list->items, list->n, sizeof(*list->items), lk_ir_cmp_string);
    size_t w = 1;
    for (size_t i = 1; i < list->n; i++)
        if (lk_ir_strcmp(list->items[i], list->items[w - 1]) != 0)
            list->items[w++] = list->items[i];
    list->n = w;
}

/* ------------------------------------------------------------------------------ order */

int lk_ir_strcmp(const char *a, const char *b)
{
    if (a == b)
        return 0;
    if (!a)
        return -1;
    if (!b)
        return 1;
    return strcmp(a, b);
}

int lk_ir_cmp_string(const void *a, const void *b)
{
    return lk_ir_strcmp(*(char *const *)a, *(char *const *)b);
}

int lk_ir_cmp_transition(const void *a, const void *b)
{
    const struct lk_ir_transition *x = a, *y = b;
    if (x->days != y->days)
        return x->days < y->days ? -1 : 1;
    return (int)x->storage_class - (int)y->storage_class;
}

int lk_ir_cmp_rule(const void *a, const void *b)
{
    return lk_ir_strcmp(((const struct lk_ir_lifecycle_rule *)a)->id,
                        ((const struct lk_ir_lifecycle_rule *)b)->id);
}

int lk_ir_cmp_statement(const void *a, const void *b)
{
    const struct lk_ir_statement *x = a, *y = b;
    return strcmp(x->sid ? x->sid : "", y->sid ? y->sid : "");
}

int lk_ir_cmp_condition(const void *a, const void *b)
{
    const struct lk_ir_condition *x = a, *y = b;
    int c = lk_ir_strcmp(x->op, y->op);
    return c ? c : lk_ir_strcmp(x->key, y->key);
}

int lk_ir_cmp_bucket(const void *a, const void *b)
{
    return lk_ir_strcmp(((const struct lk_ir_bucket *)a)->name,
                        ((const struct lk_ir_bucket *)b)->name);
}

int lk_ir_cmp_log_group(const void *a, const void *b)
{
    const struct lk_ir_log_group *x = a, *y = b;
    int c = strcmp(x->region ? x->region : "", y->region ? y->region : "");
    return c ? c : lk_ir_strcmp(x->name, y->name);
}

int lk_ir_cmp_trail(const void *a, const void *b)
{
    return lk_ir_strcmp(((const struct lk_ir_trail *)a)->name,
                        ((const struct lk_ir_trail *)b)->name);
}

int lk_ir_cmp_key(const void *a, const void *b)
{
    return lk_ir_strcmp(((const struct lk_ir_key *)a)->arn, ((const struct lk_ir_key *)b)->arn);
}

int lk_ir_cmp_data_resource(const void *a, const void *b)
{
    return lk_ir_strcmp(((const struct lk_ir_data_resource *)a)->type,
                        ((const struct lk_ir_data_resource *)b)->type);
}

int lk_ir_cmp_store(const void *a, const void *b)
{
    return lk_ir_strcmp(((const struct lk_ir_unmanaged_store *)a)->bucket,
                        ((const struct lk_ir_unmanaged_store *)b)->bucket);
}

int lk_ir_cmp_delivery(const void *a, const void *b)
{
    const struct lk_ir_delivery *x = a, *y = b;
    int c = lk_ir_strcmp(x->service, y->service);
    if (!c)
        c = lk_ir_strcmp(x->region, y->region);
    return c ? c : lk_ir_strcmp(x->name, y->name);
}

/* ------------------------------------------------------------------------------ coverage */

/* The policy's source type names (compiler/sources.c), in enum order. */
static const char *const s_producer_names[LK_IR_PRODUCER_COUNT] = {
    "vpc-flow-logs", "route53-resolver-query-logs", "elb-access-logs", "nlb-access-logs",
    "waf",           "network-firewall",            "config",          "guardduty",
    "eks-audit",     "rds",
};

const char *lk_ir_producer_type_name(enum lk_ir_producer_type t)
{
    return (size_t)t < LK_IR_PRODUCER_COUNT ? s_producer_names[t] : "?";
}

bool lk_ir_producer_type_parse(const char *name, enum lk_ir_producer_type *out)
{
    for (size_t i = 0; i < LK_IR_PRODUCER_COUNT; i++) {
        if (!strcmp(name, s_producer_names[i])) {
            *out = (enum lk_ir_producer_type)i;
            return true;
        }
    }
    return false;
}

static const char *const s_dest_names[] = {"s3", "logs", "firehose"};

const char *lk_ir_destination_kind_name(enum lk_ir_destination_kind k)
{
    return (size_t)k < sizeof(s_dest_names) / sizeof(s_dest_names[0]) ? s_dest_names[k] : "?";
}

bool lk_ir_destination_kind_parse(const char *name, enum lk_ir_destination_kind *out)
{
    for (size_t i = 0; i < sizeof(s_dest_names) / sizeof(s_dest_names[0]); i++) {
        if (!strcmp(name, s_dest_names[i])) {
            *out = (enum lk_ir_destination_kind)i;
            return true;
        }
    }
    return false;
}

/* Engines by name prefix, and the log each writes first: the error log of the MySQL family and
 * SQL Server, the PostgreSQL log, Oracle's alert log, Db2's diagnostic log (RDS API,
 * CloudwatchLogsExportConfiguration; RDS User Guide, the "database log files" page of each
 * engine). Neptune ("neptune") and DocumentDB ("docdb") are not RDS's. */
static const struct {
    const char *prefix;
    const char *log_type;
} s_rds_defaults[] = {
    {"aurora-mysql", "error"}, {"aurora-postgresql", "postgresql"}, {"aurora", "error"},
    {"mysql", "error"},        {"mariadb", "error"},                {"postgres", "postgresql"},
    {"oracle-", "alert"},      {"custom-oracle-", "alert"},         {"sqlserver-", "error"},
    {"custom-sqlserver-", "error"}, {"db2-", "diag.log"},
};

const char *lk_ir_rds_default_log_type(const char *engine)
{
    if (!engine)
        return NULL;
    for (size_t i = 0; i < sizeof(s_rds_defaults) / sizeof(s_rds_defaults[0]); i++) {
        size_t n = strlen(s_rds_defaults[i].prefix);
        bool exact_family = s_rds_defaults[i].prefix[n - 1] != '-';
        if (!strncmp(engine, s_rds_defaults[i].prefix, n) &&
            (!exact_family || engine[n] == '\0' || engine[n] == '-'))
            return s_rds_defaults[i].log_type;
    }
    return NULL;
}

int lk_ir_cmp_coverage(const void *a, const void *b)
{
    const struct lk_ir_coverage *x = a, *y = b;
    int c = strcmp(x->region ? x->region : "", y->region ? y->region : "");
    if (c)
        return c;
    if (x->type != y->type)
        return x->type < y->type ? -1 : 1;
    return lk_ir_strcmp(x->source, y->source);
}

int lk_ir_cmp_producer(const void *a, const void *b)
{
    const struct lk_ir_producer *x = a, *y = b;
    int c = strcmp(x->region ? x->region : "", y->region ? y->region : "");
    if (c)
        return c;
    if (x->type != y->type)
        return x->type < y->type ? -1 : 1;
    return lk_ir_strcmp(x->id, y->id);
}

int lk_ir_cmp_destination(const void *a, const void *b)
{
    const struct lk_ir_destination *x = a, *y = b;
    if (x->kind != y->kind)
        return x->kind < y->kind ? -1 : 1;
    int c = lk_ir_strcmp(x->arn, y->arn);
    if (!c)
        c = lk_ir_strcmp(x->prefix, y->prefix);
    if (!c)
        c = lk_ir_strcmp(x->log_group, y->log_group);
    return c ? c : lk_ir_strcmp(x->log_type, y->log_type);
}

int lk_ir_cmp_tag(const void *a, const void *b)
{
    const struct lk_ir_tag *x = a, *y = b;
    int c = lk_ir_strcmp(x->key, y->key);
    return c ? c : lk_ir_strcmp(x->value, y->value);
}

int lk_ir_cmp_exclusion(const void *a, const void *b)
{
    const struct lk_ir_exclusion *x = a, *y = b;
    return lk_ir_strcmp(x->id, y->id);
}

static void s_sort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
    if (n > 1)
        qsort(base, n, size, cmp);
}

static void s_canon_coverages(struct lk_ir_state *state)
{
    for (size_t i = 0; i < state->n_coverages; i++) {
        struct lk_ir_coverage *c = &state->coverages[i];
        s_sort(c->destinations, c->n_destinations, sizeof(*c->destinations),
               lk_ir_cmp_destination);
        lk_ir_list_sort_unique(&c->ids);
        lk_ir_list_sort_unique(&c->names);
        s_sort(c->tags, c->n_tags, sizeof(*c->tags), lk_ir_cmp_tag);
        s_sort(c->exclusions, c->n_exclusions, sizeof(*c->exclusions), lk_ir_cmp_exclusion);
        lk_ir_list_sort_unique(&c->log_types);
        lk_ir_list_sort_unique(&c->accounts);
    }
    s_sort(state->coverages, state->n_coverages, sizeof(*state->coverages), lk_ir_cmp_coverage);
    for (size_t i = 0; i < state->n_producers; i++) {
        struct lk_ir_producer *p = &state->producers[i];
        s_sort(p->tags, p->n_tags, sizeof(*p->tags), lk_ir_cmp_tag);
        s_sort(p->destinations, p->n_destinations, sizeof(*p->destinations),
               lk_ir_cmp_destination);
        lk_ir_list_sort_unique(&p->log_types);
        lk_ir_list_sort_unique(&p->pending_log_types);
    }
    s_sort(state->producers, state->n_producers, sizeof(*state->producers), lk_ir_cmp_producer);
    lk_ir_list_sort_unique(&state->producer_regions);
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
            qsort(st->conditions, st->n_conditions, sizeof(*st->conditions), lk_ir_cmp_condition);
    }
    if (p->n_statements > 1)
        qsort(p->statements, p->n_statements, sizeof(*p->statements), lk_ir_cmp_statement);
}

void lk_ir_canonicalize(struct lk_ir_state *state)
{
    for (size_t i = 0; i < state->n_buckets; i++) {
        struct lk_ir_bucket *b = &state->buckets[i];
        if (b->lifecycle.n_rules > 1)
            qsort(b->lifecycle.rules, b->lifecycle.n_rules, sizeof(*b->lifecycle.rules),
                  lk_ir_cmp_rule);
        for (size_t r = 0; r < b->lifecycle.n_rules; r++)
            lk_ir_list_sort_unique(&b->lifecycle.rules[r].sources);
        s_canon_policy(&b->policy);
        lk_ir_list_sort_unique(&b->unmodelled_filter_rule_ids);
    }
    if (state->n_buckets > 1)
        qsort(state->buckets, state->n_buckets, sizeof(*state->buckets), lk_ir_cmp_bucket);
    if (state->n_log_groups > 1)
        qsort(state->log_groups, state->n_log_groups, sizeof(*state->log_groups),
              lk_ir_cmp_log_group);
    for (size_t i = 0; i < state->n_trails; i++) {
        struct lk_ir_trail *t = &state->trails[i];
        for (size_t e = 0; e < t->n_event_selectors; e++) {
            struct lk_ir_event_selector *es = &t->event_selectors[e];
            for (size_t d = 0; d < es->n_data_resources; d++)
                lk_ir_list_sort_unique(&es->data_resources[d].values);
            if (es->n_data_resources > 1)
                qsort(es->data_resources, es->n_data_resources, sizeof(*es->data_resources),
                      lk_ir_cmp_data_resource);
            lk_ir_list_sort_unique(&es->exclude_management_event_sources);
        }
    }
    if (state->n_trails > 1)
        qsort(state->trails, state->n_trails, sizeof(*state->trails), lk_ir_cmp_trail);
    for (size_t i = 0; i < state->n_keys; i++) {
        s_canon_policy(&state->keys[i].policy);
        lk_ir_list_sort_unique(&state->keys[i].users);
    }
    if (state->n_keys > 1)
        qsort(state->keys, state->n_keys, sizeof(*state->keys), lk_ir_cmp_key);
    for (size_t i = 0; i < state->n_unmanaged_stores; i++) {
        struct lk_ir_unmanaged_store *u = &state->unmanaged_stores[i];
        if (u->lifecycle.n_rules > 1)
            qsort(u->lifecycle.rules, u->lifecycle.n_rules, sizeof(*u->lifecycle.rules),
                  lk_ir_cmp_rule);
        if (u->n_deliveries > 1)
            qsort(u->deliveries, u->n_deliveries, sizeof(*u->deliveries), lk_ir_cmp_delivery);
    }
    if (state->n_unmanaged_stores > 1)
        qsort(state->unmanaged_stores, state->n_unmanaged_stores, sizeof(*state->unmanaged_stores),
              lk_ir_cmp_store);
    s_canon_coverages(state);
}

/* ------------------------------------------------------------------------------ equality */

/* A comparison in progress: the flags, where the first difference goes, and the path of the
 * value being compared ("buckets[2].lifecycle"). */
struct s_eq {
    unsigned flags;
    struct lk_ir_mismatch *why;
    char path[256];
    size_t len;
};

/* Appends ".key" ("key" at the start) or "[i]" to the path. @return the length to restore. */
static size_t s_push(struct s_eq *c, const char *key, size_t index, bool is_index)
{
    size_t old = c->len;
    int n = is_index ? snprintf(c->path + old, sizeof(c->path) - old, "[%zu]", index)
                     : snprintf(c->path + old, sizeof(c->path) - old, "%s%s", old ? "." : "", key);
    if (n > 0)
        c->len = old + (size_t)n < sizeof(c->path) ? old + (size_t)n : sizeof(c->path) - 1;
    return old;
}

static void s_pop(struct s_eq *c, size_t old)
{
    c->len = old;
    c->path[old] = '\0';
}

/* Records the difference of @p field (under the current path). @return false. */
static bool s_differ(struct s_eq *c, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static bool s_differ(struct s_eq *c, const char *field, const char *fmt, ...)
{
    if (!c->why)
        return false;
    char detail[384];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof(detail), fmt, ap);
    va_end(ap);
    /* Cut to fit: the path comes first, so a long value loses its end, never the path. */
    if (snprintf(c->why->text, sizeof(c->why->text), "%s%s%s: %s", c->path,
                 c->len && field ? "." : "", field ? field : "", detail) < 0)
        c->why->text[0] = '\0';
    return false;
}

static bool s_str(struct s_eq *c, const char *field, const char *a, const char *b)
{
    if (!lk_ir_strcmp(a, b))
        return true;
    return s_differ(c, field, "%s%.160s%s vs %s%.160s%s", a ? "\"" : "", a ? a : "null",
                    a ? "\"" : "", b ? "\"" : "", b ? b : "null", b ? "\"" : "");
}

static bool s_int(struct s_eq *c, const char *field, long long a, long long b)
{
    return a == b || s_differ(c, field, "%lld vs %lld", a, b);
}

static bool s_bool(struct s_eq *c, const char *field, bool a, bool b)
{
    return a == b || s_differ(c, field, "%s vs %s", a ? "true" : "false", b ? "true" : "false");
}

static bool s_count(struct s_eq *c, const char *field, size_t a, size_t b)
{
    return a == b || s_differ(c, field, "%zu vs %zu elements", a, b);
}

static bool s_list(struct s_eq *c, const char *field, const struct lk_ir_string_list *a,
                   const struct lk_ir_string_list *b)
{
    if (!s_count(c, field, a->n, b->n))
        return false;
    size_t old = s_push(c, field, 0, false);
    bool eq = true;
    for (size_t i = 0; i < a->n && eq; i++) {
        size_t o2 = s_push(c, NULL, i, true);
        eq = s_str(c, NULL, a->items[i], b->items[i]);
        s_pop(c, o2);
    }
    s_pop(c, old);
    return eq;
}

static bool s_rule(struct s_eq *c, const struct lk_ir_lifecycle_rule *a,
                   const struct lk_ir_lifecycle_rule *b)
{
    if (!s_str(c, "id", a->id, b->id) || !s_str(c, "prefix", a->prefix, b->prefix) ||
        !s_bool(c, "enabled", a->enabled, b->enabled) ||
        !s_count(c, "transitions", a->n_transitions, b->n_transitions))
        return false;
    for (size_t t = 0; t < a->n_transitions; t++) {
        size_t old = s_push(c, "transitions", 0, false);
        s_push(c, NULL, t, true);
        bool eq =
            s_int(c, "days", a->transitions[t].days, b->transitions[t].days) &&
            s_str(c, "storage_class", lk_ir_storage_class_api(a->transitions[t].storage_class),
                  lk_ir_storage_class_api(b->transitions[t].storage_class));
        s_pop(c, old);
        if (!eq)
            return false;
    }
    return s_int(c, "expiration_days", a->expiration_days, b->expiration_days) &&
           s_bool(c, "expired_object_delete_marker", a->expired_object_delete_marker,
                  b->expired_object_delete_marker) &&
           s_int(c, "noncurrent_expiration_days", a->noncurrent_expiration_days,
                 b->noncurrent_expiration_days) &&
           s_int(c, "abort_incomplete_upload_days", a->abort_incomplete_upload_days,
                 b->abort_incomplete_upload_days) &&
           ((c->flags & LK_IR_EQ_SKIP_DESIRED_ONLY) ||
            s_list(c, "sources", &a->sources, &b->sources));
}

static bool s_lifecycle(struct s_eq *c, const struct lk_ir_lifecycle *a,
                        const struct lk_ir_lifecycle *b)
{
    if (!s_bool(c, "present", a->present, b->present))
        return false;
    if (!a->present)
        return true;
    if (!s_int(c, "transition_min_size", a->transition_min_size, b->transition_min_size) ||
        !s_count(c, "rules", a->n_rules, b->n_rules))
        return false;
    for (size_t i = 0; i < a->n_rules; i++) {
        size_t old = s_push(c, "rules", 0, false);
        s_push(c, NULL, i, true);
        bool eq = s_rule(c, &a->rules[i], &b->rules[i]);
        s_pop(c, old);
        if (!eq)
            return false;
    }
    return true;
}

static bool s_statement(struct s_eq *c, const struct lk_ir_statement *a,
                        const struct lk_ir_statement *b)
{
    if (!s_str(c, "sid", a->sid, b->sid) ||
        !s_str(c, "effect", a->allow ? "Allow" : "Deny", b->allow ? "Allow" : "Deny") ||
        !s_int(c, "principal_kind", a->principal_kind, b->principal_kind) ||
        !s_list(c, "principals", &a->principals, &b->principals) ||
        !s_list(c, "actions", &a->actions, &b->actions) ||
        !s_list(c, "resources", &a->resources, &b->resources) ||
        !s_count(c, "conditions", a->n_conditions, b->n_conditions))
        return false;
    for (size_t k = 0; k < a->n_conditions; k++) {
        const struct lk_ir_condition *x = &a->conditions[k], *y = &b->conditions[k];
        size_t old = s_push(c, "conditions", 0, false);
        s_push(c, NULL, k, true);
        bool eq = s_str(c, "op", x->op, y->op) && s_str(c, "key", x->key, y->key) &&
                  s_list(c, "values", &x->values, &y->values);
        s_pop(c, old);
        if (!eq)
            return false;
    }
    return true;
}

static bool s_policy(struct s_eq *c, const struct lk_ir_bucket_policy *a,
                     const struct lk_ir_bucket_policy *b)
{
    if (!s_bool(c, "present", a->present, b->present))
        return false;
    if (!a->present)
        return true;
    if (!s_str(c, "version", a->version, b->version) ||
        !s_count(c, "statements", a->n_statements, b->n_statements))
        return false;
    for (size_t i = 0; i < a->n_statements; i++) {
        size_t old = s_push(c, "statements", 0, false);
        s_push(c, NULL, i, true);
        bool eq = s_statement(c, &a->statements[i], &b->statements[i]);
        s_pop(c, old);
        if (!eq)
            return false;
    }
    return true;
}

static bool s_lifecycle_at(struct s_eq *c, const char *key, const struct lk_ir_lifecycle *a,
                           const struct lk_ir_lifecycle *b)
{
    size_t old = s_push(c, key, 0, false);
    bool eq = s_lifecycle(c, a, b);
    s_pop(c, old);
    return eq;
}

static bool s_bucket(struct s_eq *c, const struct lk_ir_bucket *a, const struct lk_ir_bucket *b)
{
    bool desired = !(c->flags & LK_IR_EQ_SKIP_DESIRED_ONLY),
         live = !(c->flags & LK_IR_EQ_SKIP_LIVE_ONLY);
    if (!s_str(c, "name", a->name, b->name) || !s_str(c, "region", a->region, b->region) ||
        (desired && !s_str(c, "store", a->store, b->store)) ||
        (live && !s_bool(c, "exists", a->exists, b->exists)) ||
        !s_lifecycle_at(c, "lifecycle", &a->lifecycle, &b->lifecycle))
        return false;
    size_t old = s_push(c, "policy", 0, false);
    bool eq = s_policy(c, &a->policy, &b->policy);
    s_pop(c, old);
    if (!eq || !s_int(c, "versioning", a->versioning, b->versioning) ||
        !s_bool(c, "mfa_delete", a->mfa_delete, b->mfa_delete))
        return false;

    old = s_push(c, "public_access_block", 0, false);
    eq = s_bool(c, "present", a->public_access_block.present, b->public_access_block.present) &&
         (!a->public_access_block.present ||
          (s_bool(c, "block_public_acls", a->public_access_block.block_public_acls,
                  b->public_access_block.block_public_acls) &&
           s_bool(c, "ignore_public_acls", a->public_access_block.ignore_public_acls,
                  b->public_access_block.ignore_public_acls) &&
           s_bool(c, "block_public_policy", a->public_access_block.block_public_policy,
                  b->public_access_block.block_public_policy) &&
           s_bool(c, "restrict_public_buckets", a->public_access_block.restrict_public_buckets,
                  b->public_access_block.restrict_public_buckets)));
    s_pop(c, old);
    if (!eq)
        return false;

    old = s_push(c, "encryption", 0, false);
    eq = s_bool(c, "present", a->encryption.present, b->encryption.present) &&
         (!a->encryption.present ||
          (s_str(c, "algorithm", a->encryption.algorithm, b->encryption.algorithm) &&
           s_str(c, "kms_key_id", a->encryption.kms_key_id, b->encryption.kms_key_id) &&
           s_bool(c, "bucket_key_enabled", a->encryption.bucket_key_enabled,
                  b->encryption.bucket_key_enabled)));
    s_pop(c, old);
    if (!eq)
        return false;

    old = s_push(c, "object_lock", 0, false);
    eq = s_bool(c, "enabled", a->object_lock.enabled, b->object_lock.enabled) &&
         s_int(c, "mode", a->object_lock.mode, b->object_lock.mode) &&
         s_int(c, "days", a->object_lock.days, b->object_lock.days) &&
         s_int(c, "years", a->object_lock.years, b->object_lock.years);
    s_pop(c, old);
    return eq && (!live || (s_int(c, "unmodelled", a->unmodelled, b->unmodelled) &&
                            s_list(c, "unmodelled_filter_rule_ids", &a->unmodelled_filter_rule_ids,
                                   &b->unmodelled_filter_rule_ids)));
}

static bool s_log_group(struct s_eq *c, const struct lk_ir_log_group *a,
                        const struct lk_ir_log_group *b)
{
    bool desired = !(c->flags & LK_IR_EQ_SKIP_DESIRED_ONLY),
         live = !(c->flags & LK_IR_EQ_SKIP_LIVE_ONLY);
    return s_str(c, "name", a->name, b->name) &&
           (!desired || s_bool(c, "pattern", a->pattern, b->pattern)) &&
           s_str(c, "region", a->region, b->region) &&
           s_int(c, "retention_days", a->retention_days, b->retention_days) &&
           (!desired || s_int(c, "wanted_days", a->wanted_days, b->wanted_days)) &&
           s_str(c, "kms_key_id", a->kms_key_id, b->kms_key_id) &&
           s_bool(c, "deletion_protection", a->deletion_protection, b->deletion_protection) &&
           s_int(c, "log_group_class", a->log_group_class, b->log_group_class) &&
           (!desired || s_str(c, "source", a->source, b->source)) &&
           (!live || s_bool(c, "exists", a->exists, b->exists));
}

static bool s_selector(struct s_eq *c, const struct lk_ir_event_selector *a,
                       const struct lk_ir_event_selector *b)
{
    if (!s_str(c, "read_write_type", a->read_write_type, b->read_write_type) ||
        !s_bool(c, "include_management_events", a->include_management_events,
                b->include_management_events) ||
        !s_count(c, "data_resources", a->n_data_resources, b->n_data_resources))
        return false;
    for (size_t k = 0; k < a->n_data_resources; k++) {
        size_t old = s_push(c, "data_resources", 0, false);
        s_push(c, NULL, k, true);
        bool eq = s_str(c, "type", a->data_resources[k].type, b->data_resources[k].type) &&
                  s_list(c, "values", &a->data_resources[k].values, &b->data_resources[k].values);
        s_pop(c, old);
        if (!eq)
            return false;
    }
    return s_list(c, "exclude_management_event_sources", &a->exclude_management_event_sources,
                  &b->exclude_management_event_sources);
}

static bool s_trail(struct s_eq *c, const struct lk_ir_trail *a, const struct lk_ir_trail *b)
{
    bool desired = !(c->flags & LK_IR_EQ_SKIP_DESIRED_ONLY),
         live = !(c->flags & LK_IR_EQ_SKIP_LIVE_ONLY);
    if (!s_str(c, "name", a->name, b->name) ||
        !s_str(c, "home_region", a->home_region, b->home_region) ||
        (desired && !s_str(c, "source", a->source, b->source)) ||
        (live && !s_bool(c, "exists", a->exists, b->exists)) ||
        !s_str(c, "s3_bucket_name", a->s3_bucket_name, b->s3_bucket_name) ||
        !s_str(c, "s3_key_prefix", a->s3_key_prefix, b->s3_key_prefix) ||
        !s_bool(c, "include_global_service_events", a->include_global_service_events,
                b->include_global_service_events) ||
        !s_bool(c, "is_multi_region_trail", a->is_multi_region_trail, b->is_multi_region_trail) ||
        !s_bool(c, "enable_log_file_validation", a->enable_log_file_validation,
                b->enable_log_file_validation) ||
        !s_str(c, "cloud_watch_logs_log_group_arn", a->cloud_watch_logs_log_group_arn,
               b->cloud_watch_logs_log_group_arn) ||
        !s_str(c, "cloud_watch_logs_role_arn", a->cloud_watch_logs_role_arn,
               b->cloud_watch_logs_role_arn) ||
        !s_str(c, "kms_key_id", a->kms_key_id, b->kms_key_id) ||
        !s_bool(c, "is_organization_trail", a->is_organization_trail, b->is_organization_trail) ||
        !s_count(c, "event_selectors", a->n_event_selectors, b->n_event_selectors))
        return false;
    for (size_t i = 0; i < a->n_event_selectors; i++) {
        size_t old = s_push(c, "event_selectors", 0, false);
        s_push(c, NULL, i, true);
        bool eq = s_selector(c, &a->event_selectors[i], &b->event_selectors[i]);
        s_pop(c, old);
        if (!eq)
            return false;
    }
    return s_bool(c, "is_logging", a->is_logging, b->is_logging) &&
           (!live || s_int(c, "unmodelled", a->unmodelled, b->unmodelled));
}

static bool s_key(struct s_eq *c, const struct lk_ir_key *a, const struct lk_ir_key *b)
{
    bool desired = !(c->flags & LK_IR_EQ_SKIP_DESIRED_ONLY),
         live = !(c->flags & LK_IR_EQ_SKIP_LIVE_ONLY);
    if (!s_str(c, "arn", a->arn, b->arn) || !s_str(c, "region", a->region, b->region) ||
        (live && (!s_bool(c, "exists", a->exists, b->exists) ||
                  !s_str(c, "error", a->error, b->error))) ||
        (desired && !s_list(c, "users", &a->users, &b->users)))
        return false;
    size_t old = s_push(c, "policy", 0, false);
    bool eq = s_policy(c, &a->policy, &b->policy);
    s_pop(c, old);
    return eq;
}

static bool s_store(struct s_eq *c, const struct lk_ir_unmanaged_store *a,
                    const struct lk_ir_unmanaged_store *b)
{
    if (!s_str(c, "bucket", a->bucket, b->bucket) || !s_str(c, "region", a->region, b->region) ||
        !s_bool(c, "exists", a->exists, b->exists) || !s_str(c, "error", a->error, b->error) ||
        !s_lifecycle_at(c, "lifecycle", &a->lifecycle, &b->lifecycle) ||
        !s_bool(c, "lifecycle_unmodelled", a->lifecycle_unmodelled, b->lifecycle_unmodelled) ||
        !s_count(c, "deliveries", a->n_deliveries, b->n_deliveries))
        return false;
    for (size_t i = 0; i < a->n_deliveries; i++) {
        const struct lk_ir_delivery *x = &a->deliveries[i], *y = &b->deliveries[i];
        size_t old = s_push(c, "deliveries", 0, false);
        s_push(c, NULL, i, true);
        bool eq = s_str(c, "service", x->service, y->service) &&
                  s_str(c, "name", x->name, y->name) && s_str(c, "region", x->region, y->region) &&
                  s_str(c, "key_prefix", x->key_prefix, y->key_prefix);
        s_pop(c, old);
        if (!eq)
            return false;
    }
    return true;
}

static bool s_each(struct s_eq *c, const char *key, const void *a, size_t na, const void *b,
                   size_t nb, size_t size, bool (*fn)(struct s_eq *, const void *, const void *));

static bool s_destination_v(struct s_eq *c, const void *a_, const void *b_)
{
    const struct lk_ir_destination *a = a_, *b = b_;
    bool desired = !(c->flags & LK_IR_EQ_SKIP_DESIRED_ONLY);
    return s_str(c, "kind", lk_ir_destination_kind_name(a->kind),
                 lk_ir_destination_kind_name(b->kind)) &&
           s_str(c, "arn", a->arn, b->arn) && s_str(c, "bucket", a->bucket, b->bucket) &&
           s_str(c, "prefix", a->prefix, b->prefix) &&
           s_str(c, "log_group", a->log_group, b->log_group) &&
           (!desired || s_bool(c, "pattern", a->pattern, b->pattern)) &&
           s_str(c, "kms_key_arn", a->kms_key_arn, b->kms_key_arn) &&
           s_str(c, "traffic_type", a->traffic_type, b->traffic_type) &&
           s_str(c, "log_type", a->log_type, b->log_type) &&
           s_str(c, "status", a->status, b->status);
}

static bool s_tag_v(struct s_eq *c, const void *a_, const void *b_)
{
    const struct lk_ir_tag *a = a_, *b = b_;
    return s_str(c, "key", a->key, b->key) && s_str(c, "value", a->value, b->value);
}

static bool s_exclusion_v(struct s_eq *c, const void *a_, const void *b_)
{
    const struct lk_ir_exclusion *a = a_, *b = b_;
    return s_str(c, "id", a->id, b->id) && s_str(c, "reason", a->reason, b->reason);
}

static bool s_coverage(struct s_eq *c, const struct lk_ir_coverage *a,
                       const struct lk_ir_coverage *b)
{
    return s_str(c, "type", lk_ir_producer_type_name(a->type),
                 lk_ir_producer_type_name(b->type)) &&
           s_str(c, "region", a->region, b->region) && s_str(c, "source", a->source, b->source) &&
           s_each(c, "destinations", a->destinations, a->n_destinations, b->destinations,
                  b->n_destinations, sizeof(*a->destinations), s_destination_v) &&
           s_list(c, "ids", &a->ids, &b->ids) && s_list(c, "names", &a->names, &b->names) &&
           s_each(c, "tags", a->tags, a->n_tags, b->tags, b->n_tags, sizeof(*a->tags), s_tag_v) &&
           s_each(c, "exclusions", a->exclusions, a->n_exclusions, b->exclusions,
                  b->n_exclusions, sizeof(*a->exclusions), s_exclusion_v) &&
           s_bool(c, "enable", a->enable, b->enable) &&
           s_list(c, "log_types", &a->log_types, &b->log_types) &&
           s_str(c, "traffic_type", a->traffic_type, b->traffic_type) &&
           s_str(c, "delivery_role_arn", a->delivery_role_arn, b->delivery_role_arn) &&
           s_list(c, "accounts", &a->accounts, &b->accounts);
}

static bool s_producer(struct s_eq *c, const struct lk_ir_producer *a,
                       const struct lk_ir_producer *b)
{
    return s_str(c, "type", lk_ir_producer_type_name(a->type), lk_ir_producer_type_name(b->type)) &&
           s_str(c, "region", a->region, b->region) && s_str(c, "id", a->id, b->id) &&
           s_str(c, "arn", a->arn, b->arn) && s_str(c, "name", a->name, b->name) &&
           s_each(c, "tags", a->tags, a->n_tags, b->tags, b->n_tags, sizeof(*a->tags), s_tag_v) &&
           s_each(c, "destinations", a->destinations, a->n_destinations, b->destinations,
                  b->n_destinations, sizeof(*a->destinations), s_destination_v) &&
           s_list(c, "log_types", &a->log_types, &b->log_types) &&
           s_list(c, "pending_log_types", &a->pending_log_types, &b->pending_log_types) &&
           s_bool(c, "enabled", a->enabled, b->enabled) &&
           s_str(c, "partial", a->partial, b->partial) &&
           s_str(c, "engine", a->engine, b->engine) && s_str(c, "error", a->error, b->error) &&
           s_str(c, "administrator_account", a->administrator_account,
                 b->administrator_account) &&
           s_str(c, "administrator_status", a->administrator_status, b->administrator_status);
}

static bool s_coverage_v(struct s_eq *c, const void *a, const void *b)
{
    return s_coverage(c, a, b);
}

static bool s_producer_v(struct s_eq *c, const void *a, const void *b)
{
    return s_producer(c, a, b);
}

/* Compares arrays @p a and @p b of @p n elements of @p size bytes under "key[i]". */
static bool s_each(struct s_eq *c, const char *key, const void *a, size_t na, const void *b,
                   size_t nb, size_t size, bool (*fn)(struct s_eq *, const void *, const void *))
{
    if (!s_count(c, key, na, nb))
        return false;
    for (size_t i = 0; i < na; i++) {
        size_t old = s_push(c, key, 0, false);
        s_push(c, NULL, i, true);
        bool eq = fn(c, (const char *)a + i * size, (const char *)b + i * size);
        s_pop(c, old);
        if (!eq)
            return false;
    }
    return true;
}

static bool s_bucket_v(struct s_eq *c, const void *a, const void *b)
{
    return s_bucket(c, a, b);
}

static bool s_log_group_v(struct s_eq *c, const void *a, const void *b)
{
    return s_log_group(c, a, b);
}

static bool s_trail_v(struct s_eq *c, const void *a, const void *b)
{
    return s_trail(c, a, b);
}

static bool s_key_v(struct s_eq *c, const void *a, const void *b)
{
    return s_key(c, a, b);
}

static bool s_store_v(struct s_eq *c, const void *a, const void *b)
{
    return s_store(c, a, b);
}

static struct s_eq s_eq_start(unsigned flags, struct lk_ir_mismatch *why)
{
    struct s_eq c = {.flags = flags, .why = why};
    if (why)
        why->text[0] = '\0';
    return c;
}

bool lk_ir_state_equal(const struct lk_ir_state *a, const struct lk_ir_state *b, unsigned flags,
                       struct lk_ir_mismatch *why)
{
    struct s_eq c = s_eq_start(flags, why);
    return s_str(&c, "account", a->account, b->account) &&
           s_str(&c, "region", a->region, b->region) &&
           s_str(&c, "partition", a->partition, b->partition) &&
           s_bool(&c, "unmanaged_set", a->unmanaged_set, b->unmanaged_set) &&
           s_int(&c, "unmanaged_retention_days", a->unmanaged_retention_days,
                 b->unmanaged_retention_days) &&
           s_each(&c, "buckets", a->buckets, a->n_buckets, b->buckets, b->n_buckets,
                  sizeof(*a->buckets), s_bucket_v) &&
           s_each(&c, "log_groups", a->log_groups, a->n_log_groups, b->log_groups, b->n_log_groups,
                  sizeof(*a->log_groups), s_log_group_v) &&
           s_each(&c, "trails", a->trails, a->n_trails, b->trails, b->n_trails, sizeof(*a->trails),
                  s_trail_v) &&
           s_each(&c, "keys", a->keys, a->n_keys, b->keys, b->n_keys, sizeof(*a->keys), s_key_v) &&
           ((flags & LK_IR_EQ_SKIP_LIVE_ONLY) ||
            s_each(&c, "unmanaged_stores", a->unmanaged_stores, a->n_unmanaged_stores,
                   b->unmanaged_stores, b->n_unmanaged_stores, sizeof(*a->unmanaged_stores),
                   s_store_v)) &&
           ((flags & LK_IR_EQ_SKIP_DESIRED_ONLY) ||
            s_each(&c, "coverages", a->coverages, a->n_coverages, b->coverages, b->n_coverages,
                   sizeof(*a->coverages), s_coverage_v)) &&
           ((flags & LK_IR_EQ_SKIP_LIVE_ONLY) ||
            (s_each(&c, "producers", a->producers, a->n_producers, b->producers, b->n_producers,
                    sizeof(*a->producers), s_producer_v) &&
             s_list(&c, "producer_regions", &a->producer_regions, &b->producer_regions)));
}

bool lk_ir_coverage_equal(const struct lk_ir_coverage *a, const struct lk_ir_coverage *b,
                          unsigned flags, struct lk_ir_mismatch *why)
{
    struct s_eq c = s_eq_start(flags, why);
    return s_coverage(&c, a, b);
}

bool lk_ir_producer_equal(const struct lk_ir_producer *a, const struct lk_ir_producer *b,
                          unsigned flags, struct lk_ir_mismatch *why)
{
    struct s_eq c = s_eq_start(flags, why);
    return s_producer(&c, a, b);
}

bool lk_ir_bucket_equal(const struct lk_ir_bucket *a, const struct lk_ir_bucket *b, unsigned flags,
                        struct lk_ir_mismatch *why)
{
    struct s_eq c = s_eq_start(flags, why);
    return s_bucket(&c, a, b);
}

bool lk_ir_lifecycle_equal(const struct lk_ir_lifecycle *a, const struct lk_ir_lifecycle *b,
                           unsigned flags, struct lk_ir_mismatch *why)
{
    struct s_eq c = s_eq_start(flags, why);
    return s_lifecycle(&c, a, b);
}

bool lk_ir_policy_equal(const struct lk_ir_bucket_policy *a, const struct lk_ir_bucket_policy *b,
                        unsigned flags, struct lk_ir_mismatch *why)
{
    struct s_eq c = s_eq_start(flags, why);
    return s_policy(&c, a, b);
}

bool lk_ir_log_group_equal(const struct lk_ir_log_group *a, const struct lk_ir_log_group *b,
                           unsigned flags, struct lk_ir_mismatch *why)
{
    struct s_eq c = s_eq_start(flags, why);
    return s_log_group(&c, a, b);
}

bool lk_ir_trail_equal(const struct lk_ir_trail *a, const struct lk_ir_trail *b, unsigned flags,
                       struct lk_ir_mismatch *why)
{
    struct s_eq c = s_eq_start(flags, why);
    return s_trail(&c, a, b);
}

bool lk_ir_key_equal(const struct lk_ir_key *a, const struct lk_ir_key *b, unsigned flags,
                     struct lk_ir_mismatch *why)
{
    struct s_eq c = s_eq_start(flags, why);
    return s_key(&c, a, b);
}

/* ------------------------------------------------------------------------------ scope */

struct lk_ir_scope *lk_ir_scope_new(void)
{
    struct lk_ir_scope *s = lk_xcalloc(1, sizeof(*s));
    lk_arena_init(&s->arena);
    return s;
}

void lk_ir_scope_free(struct lk_ir_scope *scope)
{
    if (!scope)
        return;
    for (size_t i = 0; i < scope->n_pairs; i++) {
        lk_ir_state_free(scope->pairs[i].state);
        if (scope->pairs[i].artifacts) {
            lk_artifacts_free(scope->pairs[i].artifacts);
            free(scope->pairs[i].artifacts);
        }
    }
    lk_arena_destroy(&scope->arena);
    free(scope);
}

struct lk_ir_pair *lk_ir_scope_add(struct lk_ir_scope *scope, const char *account_name,
                                   const char *account, const char *region,
                                   struct lk_ir_state *state, struct lk_artifacts *artifacts)
{
    LK_ARENA_ARRAY_GROW(&scope->arena, scope->pairs, scope->n_pairs, scope->cap_pairs);
    struct lk_ir_pair *p = &scope->pairs[scope->n_pairs++];
    p->account_name = lk_arena_strdup(&scope->arena, account_name ? account_name : account);
    p->account = lk_arena_strdup(&scope->arena, account);
    p->region = lk_arena_strdup(&scope->arena, region);
    p->state = state;
    p->artifacts = artifacts;
    return p;
}

static int s_cmp_pair(const void *a, const void *b)
{
    const struct lk_ir_pair *x = a, *y = b;
    int c = lk_ir_strcmp(x->account, y->account);
    return c ? c : lk_ir_strcmp(x->region, y->region);
}

void lk_ir_scope_sort(struct lk_ir_scope *scope)
{
    if (scope->n_pairs > 1)
        qsort(scope->pairs, scope->n_pairs, sizeof(*scope->pairs), s_cmp_pair);
}

struct lk_ir_pair *lk_ir_scope_find(const struct lk_ir_scope *scope, const char *account,
                                    const char *region)
{
    for (size_t i = 0; i < scope->n_pairs; i++)
        if (!lk_ir_strcmp(scope->pairs[i].account, account) &&
            !lk_ir_strcmp(scope->pairs[i].region, region))
            return &scope->pairs[i];
    return NULL;
}
