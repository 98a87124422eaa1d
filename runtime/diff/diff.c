/*
 * logkeep runtime: the semantic diff of desired against live AWS state (see diff.h for the
 * meaning of directions, data loss and allow names).
 *
 * This file pairs what the policy names with what AWS holds: buckets by name, log groups by
 * region and exact name or else by the pattern that governs them, trails by name and home
 * region; each pair goes to the file of its resource kind (diff_int.h). It also keeps the
 * change list, sorts and summarises it, and holds the values the kinds share.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/pattern_index.h"
#include "runtime/diff/diff_int.h"

/* ------------------------------------------------------------------------------ changes */

void lk_diff_init(struct lk_diff *diff)
{
    memset(diff, 0, sizeof(*diff));
    lk_arena_init(&diff->arena);
}

void lk_diff_free(struct lk_diff *diff)
{
    if (!diff)
        return;
    free(diff->changes);
    lk_arena_destroy(&diff->arena);
    memset(diff, 0, sizeof(*diff));
}

static char *s_keep(struct lk_diff *d, const char *s)
{
    return s ? lk_arena_strdup(&d->arena, s) : NULL;
}

struct lk_diff_interned {
    const char *from; /* in the desired state; NULL: an empty slot */
    const char *to;   /* the copy in the diff's arena */
};

static size_t s_slot(const char *p, size_t cap)
{
    /* Fibonacci hashing of the address (its low bits are alignment). */
    return (size_t)(((uint64_t)(uintptr_t)p * UINT64_C(0x9E3779B97F4A7C15)) >> 32) & (cap - 1);
}

/* @return the copy of @p s in the diff's arena, made once per call: the origins of many changes
 * share one file path, and often one line. */
static const char *s_intern(struct lk_diff_ctx *c, const char *s)
{
    if (!s)
        return NULL;
    if (2 * (c->n_interned + 1) > c->cap_interned) {
        size_t cap = c->cap_interned ? 2 * c->cap_interned : 64;
        struct lk_diff_interned *t = lk_arena_alloc(c->tmp, cap * sizeof(*t));
        for (size_t i = 0; i < c->cap_interned; i++) {
            const struct lk_diff_interned *e = &c->interned[i];
            if (!e->from)
                continue;
            size_t k = s_slot(e->from, cap);
            while (t[k].from)
                k = (k + 1) & (cap - 1);
            t[k] = *e;
        }
        c->interned = t;
        c->cap_interned = cap;
    }
    size_t k = s_slot(s, c->cap_interned);
    while (c->interned[k].from && c->interned[k].from != s)
        k = (k + 1) & (c->cap_interned - 1);
    if (!c->interned[k].from) {
        c->interned[k].from = s;
        c->interned[k].to = lk_arena_strdup(&c->out->arena, s);
        c->n_interned++;
    }
    return c->interned[k].to;
}

void lk_diff_origin(struct lk_diff_ctx *c, const struct lk_ir_origin *o)
{
    c->origin = lk_ir_origin_or(o, c->res_origin);
}

/* The pointer is valid until the next lk_diff_add(): the array may move. */
struct lk_diff_change *lk_diff_add(struct lk_diff_ctx *c, const char *attr, enum lk_diff_kind kind,
                                   enum lk_diff_direction dir, const char *desired,
                                   const char *live)
{
    struct lk_diff *d = c->out;
    LK_ARRAY_GROW(d->changes, d->n, d->cap);
    struct lk_diff_change *ch = &d->changes[d->n];
    memset(ch, 0, sizeof(*ch));
    ch->resource = c->res;
    ch->name = s_keep(d, c->name);
    ch->region = s_keep(d, c->res_region);
    ch->attribute = s_keep(d, attr ? attr : "");
    ch->kind = kind;
    ch->direction = kind == LK_DIFF_NOTE ? LK_DIFF_NEUTRAL : dir;
    ch->desired = kind == LK_DIFF_EXTRA || kind == LK_DIFF_NOTE ? NULL : s_keep(d, desired);
    ch->live = kind == LK_DIFF_MISSING || kind == LK_DIFF_NOTE ? NULL : s_keep(d, live);
    if (c->origin && c->origin->file) {
        ch->origin = *c->origin;
        ch->origin.file = s_intern(c, c->origin->file);
        ch->origin.text = s_intern(c, c->origin->text ? c->origin->text : "");
    }
    /* Changes are never removed, so the count is a unique, increasing sequence number. */
    ch->seq = d->n++;
    return ch;
}

void lk_diff_allow(struct lk_diff_ctx *c, struct lk_diff_change *ch, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    ch->allow_name = lk_arena_vprintf(&c->out->arena, fmt, ap);
    va_end(ap);
    ch->data_loss = true;
}

void lk_diff_note(struct lk_diff_ctx *c, struct lk_diff_change *ch, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    ch->note = lk_arena_vprintf(&c->out->arena, fmt, ap);
    va_end(ap);
}

char *lk_diff_fmt(struct lk_diff_ctx *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = lk_arena_vprintf(c->tmp, fmt, ap);
    va_end(ap);
    return s;
}

char *lk_diff_done(struct lk_diff_ctx *c, struct lk_buf *b)
{
    char *s = lk_buf_take_arena(b, c->tmp);
    return s ? s : lk_arena_strdup(c->tmp, LK_DIFF_TOO_LONG);
}

/* The resource at hand, and the origin of its changes (NULL: none). */
static void s_at(struct lk_diff_ctx *c, enum lk_diff_resource res, const char *name,
                 const char *region, const struct lk_ir_origin *origin)
{
    c->res = res;
    c->name = name;
    c->res_region = region;
    c->res_origin = lk_ir_origin_or(origin, NULL);
    c->origin = c->res_origin;
}

/* ------------------------------------------------------------------------------ shared values */

/* Ordering of "how long something is kept", where 0 means forever (CloudWatch Logs: no
 * retentionInDays = never expire; S3 lifecycle: no Expiration = kept until deleted).
 * @return <0 when @p a keeps for less time than @p b, 0 when equal, >0 when longer. */
static int s_cmp_keep(int32_t a, int32_t b)
{
    if (a == b)
        return 0;
    if (a == 0)
        return 1;
    if (b == 0)
        return -1;
    return a < b ? -1 : 1;
}

/* "never expire" for a log group's retention, "none" for an unset lifecycle action. */
char *lk_diff_days_str(struct lk_diff_ctx *c, int32_t days, const char *when_zero)
{
    return days > 0 ? lk_diff_fmt(c, "%d days", (int)days) : lk_diff_fmt(c, "%s", when_zero);
}

struct lk_diff_change *lk_diff_keep_days(struct lk_diff_ctx *c, const char *at, const char *field,
                                         int32_t want, int32_t have, const char *when_zero)
{
    int cmp = s_cmp_keep(have, want);
    if (!cmp)
        return NULL;
    /* The attribute is printed only for a change: most comparisons find none. */
    return lk_diff_add(c, at ? lk_diff_fmt(c, "%s.%s", at, field) : field, LK_DIFF_CHANGED,
                       cmp < 0 ? LK_DIFF_WEAKER : LK_DIFF_STRONGER,
                       lk_diff_days_str(c, want, when_zero), lk_diff_days_str(c, have, when_zero));
}

void lk_diff_join_list(struct lk_buf *b, const struct lk_ir_string_list *l)
{
    if (l->n == 1) {
        lk_buf_puts(b, l->items[0]);
        return;
    }
    lk_buf_putc(b, '[');
    for (size_t i = 0; i < l->n; i++) {
        if (i)
            lk_buf_puts(b, ", ");
        lk_buf_puts(b, l->items[i]);
    }
    lk_buf_putc(b, ']');
}

/* "arn:aws:kms:us-east-1:111122223333:key/1234abcd-..." and "1234abcd-..." name the same key,
 * as do an alias ARN and "alias/name": S3 and CloudTrail accept a key ID, key ARN, alias name or
 * alias ARN (S3 API Reference, ServerSideEncryptionByDefault KMSMasterKeyID; CloudTrail API
 * Reference, CreateTrail KmsKeyId). Two ARNs must be equal; an ARN and a bare form compare by
 * their "key/<id>" or "alias/<name>" part (the bare form resolves in the resource's own account
 * and region). An alias and a key ID cannot be compared without KMS: they differ. */
static const char *s_kms_tail(const char *k)
{
    if (strncmp(k, "arn:", 4) != 0)
        return k;
    const char *p = strstr(k, ":key/");
    if (p)
        return p + 5;
    p = strstr(k, ":alias/");
    return p ? p + 1 : k;
}

bool lk_diff_kms_same(const char *a, const char *b)
{
    if (!a || !b)
        return !a && !b;
    if (!strcmp(a, b))
        return true;
    bool arn_a = !strncmp(a, "arn:", 4), arn_b = !strncmp(b, "arn:", 4);
    if (arn_a && arn_b)
        return false;
    return !strcmp(s_kms_tail(a), s_kms_tail(b));
}

bool lk_diff_starts_with(const char *s, const char *prefix)
{
    return strncmp(s ? s : "", prefix ? prefix : "", strlen(prefix ? prefix : "")) == 0;
}

/* ------------------------------------------------------------------------------ buckets */

static void s_bucket(struct lk_diff_ctx *c, const struct lk_ir_bucket *d,
                     const struct lk_ir_state *live)
{
    const struct lk_ir_bucket *l = NULL;
    for (size_t i = 0; i < live->n_buckets && !l; i++)
        if (lk_diff_streq(live->buckets[i].name, d->name))
            l = &live->buckets[i];
    s_at(c, LK_DIFF_BUCKET, d->name, d->region ? d->region : l ? l->region : NULL, &d->origin);
    if (!lk_diff_bucket_exists(c, d, l))
        return;
    lk_diff_lifecycle(c, d, l);
    lk_diff_bucket_policy(c, d, l);
    lk_diff_bucket_settings(c, d, l);
}

/* ------------------------------------------------------------------------------ log groups */

struct s_group_ref {
    const char *region;
    const char *name;
    const struct lk_ir_log_group *g;
};

static int s_cmp_group_ref(const void *a, const void *b)
{
    const struct s_group_ref *x = a, *y = b;
    int r = strcmp(x->region, y->region);
    return r ? r : strcmp(x->name, y->name);
}

/* The groups of @p groups named exactly (not patterns; when @p live, only those that exist),
 * sorted by (region, name) for lookup; a group without a region is in @p home. */
static struct s_group_ref *s_group_index(struct lk_diff_ctx *c,
                                         const struct lk_ir_log_group *groups, size_t n_groups,
                                         const char *home, bool live, size_t *n_out)
{
    struct s_group_ref *v = lk_arena_alloc(c->tmp, (n_groups ? n_groups : 1) * sizeof(*v));
    size_t n = 0;
    for (size_t i = 0; i < n_groups; i++) {
        const struct lk_ir_log_group *g = &groups[i];
        if (g->pattern || (live && !g->exists))
            continue;
        v[n].region = lk_diff_region_or(g->region, home);
        v[n].name = g->name;
        v[n++].g = g;
    }
    if (n > 1)
        qsort(v, n, sizeof(*v), s_cmp_group_ref);
    *n_out = n;
    return v;
}

static const struct lk_ir_log_group *s_exact_find(const struct s_group_ref *v, size_t n,
                                                  const char *region, const char *name)
{
    struct s_group_ref key = {region, name, NULL};
    const struct s_group_ref *hit = n ? bsearch(&key, v, n, sizeof(*v), s_cmp_group_ref) : NULL;
    return hit ? hit->g : NULL;
}

/* The desired patterns, by region (lk_diff_region_or() of the policy's), numbered by their
 * index in desired->log_groups: lk_pattern_index_best() then picks the one that governs a
 * name, the most specific (most literal characters; bytewise first on a tie; the first
 * declared on an equal pattern). Free with lk_pattern_index_destroy(). */
static void s_pattern_index(struct lk_diff_ctx *c, const struct lk_ir_state *desired,
                            struct lk_pattern_index *idx)
{
    struct lk_pattern_entry *e =
        lk_arena_alloc(c->tmp, (desired->n_log_groups ? desired->n_log_groups : 1) * sizeof(*e));
    size_t n = 0;
    for (size_t i = 0; i < desired->n_log_groups; i++) {
        const struct lk_ir_log_group *p = &desired->log_groups[i];
        if (!p->pattern)
            continue;
        e[n].region = lk_diff_region_or(p->region, desired->region);
        e[n].pattern = p->name;
        e[n++].id = i;
    }
    lk_pattern_index_init(idx, e, n);
}

/* The desired pattern of @p region that governs @p name (see s_pattern_index()), or NULL. */
static const struct lk_ir_log_group *s_pattern_for(const struct lk_ir_state *desired,
                                                   const struct lk_pattern_index *idx,
                                                   const char *region, const char *name)
{
    size_t i = lk_pattern_index_best(idx, region, name);
    return i == LK_PATTERN_INDEX_NONE ? NULL : &desired->log_groups[i];
}

static void s_log_groups(struct lk_diff_ctx *c, const struct lk_ir_state *desired,
                         const struct lk_ir_state *live)
{
    size_t n_exact, nl;
    struct s_group_ref *exact = s_group_index(c, desired->log_groups, desired->n_log_groups,
                                              desired->region, false, &n_exact);
    /* Live groups, sorted the same way, for the exact lookups. */
    struct s_group_ref *lv =
        s_group_index(c, live->log_groups, live->n_log_groups, desired->region, true, &nl);

    for (size_t i = 0; i < n_exact; i++) {
        const struct lk_ir_log_group *d = exact[i].g;
        s_at(c, LK_DIFF_LOG_GROUP, d->name, exact[i].region, &d->origin);
        lk_diff_log_group(c, d, s_exact_find(lv, nl, exact[i].region, d->name));
    }

    bool *matched = lk_arena_alloc(c->tmp, (desired->n_log_groups ? desired->n_log_groups : 1) *
                                               sizeof(*matched));
    struct lk_pattern_index patterns;
    s_pattern_index(c, desired, &patterns);
    for (size_t i = 0; i < nl; i++) {
        if (s_exact_find(exact, n_exact, lv[i].region, lv[i].name))
            continue;
        const struct lk_ir_log_group *p =
            s_pattern_for(desired, &patterns, lv[i].region, lv[i].name);
        if (!p)
            continue;
        matched[p - desired->log_groups] = true;
        s_at(c, LK_DIFF_LOG_GROUP, lv[i].name, lv[i].region, &p->origin);
        lk_diff_log_group_by_pattern(c, p, lv[i].g);
    }
    for (size_t i = 0; i < desired->n_log_groups; i++) {
        const struct lk_ir_log_group *p = &desired->log_groups[i];
        if (!p->pattern || matched[i])
            continue;
        s_at(c, LK_DIFF_LOG_GROUP, p->name, lk_diff_region_or(p->region, desired->region),
             &p->origin);
        lk_diff_pattern_unmatched(c);
    }
    lk_pattern_index_destroy(&patterns);
}

/* ------------------------------------------------------------------------------ trails */

static void s_trail(struct lk_diff_ctx *c, const struct lk_ir_state *desired,
                    const struct lk_ir_trail *d, const struct lk_ir_state *live)
{
    const char *home = lk_diff_region_or(d->home_region, desired->region);
    const struct lk_ir_trail *l = NULL;
    /* A multi-Region trail is listed in every region (shadow trails): prefer its home copy. */
    for (size_t i = 0; i < live->n_trails; i++) {
        const struct lk_ir_trail *t = &live->trails[i];
        if (!lk_diff_streq(t->name, d->name))
            continue;
        if (!l || (!lk_diff_streq(l->home_region, home) && lk_diff_streq(t->home_region, home)) ||
            (!l->exists && t->exists))
            l = t;
    }
    s_at(c, LK_DIFF_TRAIL, d->name, home, &d->origin);
    lk_diff_trail(c, d, l, home);
}

/* ------------------------------------------------------------------------------ entry points */

static int s_cmp_change(const void *a, const void *b)
{
    const struct lk_diff_change *x = a, *y = b;
    if (x->resource != y->resource)
        return x->resource < y->resource ? -1 : 1;
    int r = strcmp(x->name, y->name);
    if (r)
        return r;
    if (!x->region != !y->region)
        return x->region ? 1 : -1;
    if (x->region && (r = strcmp(x->region, y->region)) != 0)
        return r;
    if ((r = strcmp(x->attribute, y->attribute)) != 0)
        return r;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static void s_sort(struct lk_diff *d)
{
    if (d->n > 1)
        qsort(d->changes, d->n, sizeof(*d->changes), s_cmp_change);
}

static void s_ctx_init(struct lk_diff_ctx *c, struct lk_diff *out, struct lk_arena *tmp,
                       const struct lk_ir_state *desired)
{
    memset(c, 0, sizeof(*c));
    c->out = out;
    c->tmp = tmp;
    c->partition = desired->partition ? desired->partition : "aws";
}

enum lk_status lk_diff_states(const struct lk_ir_state *desired, const struct lk_ir_state *live,
                              struct lk_diff *out)
{
    enum lk_status rc = LK_STATUS_OK;
    struct lk_arena tmp;
    lk_arena_init(&tmp);
    LK_ENSURE_GOTO(rc, desired && live && out, LK_STATUS_INVALID_ARGUMENT, cleanup);
    struct lk_diff_ctx c;
    s_ctx_init(&c, out, &tmp, desired);
    for (size_t i = 0; i < desired->n_buckets; i++)
        s_bucket(&c, &desired->buckets[i], live);
    s_log_groups(&c, desired, live);
    for (size_t i = 0; i < desired->n_trails; i++)
        s_trail(&c, desired, &desired->trails[i], live);
    lk_diff_keys(&c, desired, live);
    s_sort(out);
cleanup:
    lk_arena_destroy(&tmp);
    return rc;
}

enum lk_status lk_diff_log_groups_unmanaged(const struct lk_ir_state *desired,
                                            const struct lk_ir_log_group *groups, size_t n,
                                            struct lk_diff *out)
{
    enum lk_status rc = LK_STATUS_OK;
    struct lk_arena tmp;
    lk_arena_init(&tmp);
    LK_ENSURE_GOTO(rc, desired && out && (groups || n == 0), LK_STATUS_INVALID_ARGUMENT, cleanup);
    struct lk_diff_ctx c;
    s_ctx_init(&c, out, &tmp, desired);
    size_t n_exact;
    struct s_group_ref *exact = s_group_index(&c, desired->log_groups, desired->n_log_groups,
                                              desired->region, false, &n_exact);
    struct lk_pattern_index patterns;
    s_pattern_index(&c, desired, &patterns);
    for (size_t i = 0; i < n; i++) {
        const struct lk_ir_log_group *g = &groups[i];
        const char *region = lk_diff_region_or(g->region, desired->region);
        if (!g->exists || g->pattern || s_exact_find(exact, n_exact, region, g->name) ||
            lk_pattern_index_any(&patterns, region, g->name))
            continue;
        /* The unmanaged rule governs the group, or would: the policy's section, if any. */
        s_at(&c, LK_DIFF_UNMANAGED_LOG_GROUP, g->name, region, &desired->unmanaged_origin);
        lk_diff_log_group_unmanaged(&c, desired, g, region);
    }
    lk_pattern_index_destroy(&patterns);
    s_sort(out);
cleanup:
    lk_arena_destroy(&tmp);
    return rc;
}

enum lk_status lk_diff_stores_unmanaged(const struct lk_ir_state *desired,
                                        const struct lk_ir_unmanaged_store *stores, size_t n,
                                        struct lk_diff *out)
{
    enum lk_status rc = LK_STATUS_OK;
    struct lk_arena tmp;
    lk_arena_init(&tmp);
    LK_ENSURE_GOTO(rc, desired && out && (stores || n == 0), LK_STATUS_INVALID_ARGUMENT, cleanup);
    struct lk_diff_ctx c;
    s_ctx_init(&c, out, &tmp, desired);
    for (size_t i = 0; i < n; i++) {
        const struct lk_ir_unmanaged_store *u = &stores[i];
        bool governed = false;
        for (size_t k = 0; k < desired->n_buckets && !governed; k++)
            governed = !strcmp(desired->buckets[k].name, u->bucket);
        if (governed)
            continue;
        /* Nothing in the policy names the bucket. */
        s_at(&c, LK_DIFF_UNMANAGED_STORE, u->bucket, u->region, NULL);
        lk_diff_unmanaged_store(&c, desired, u);
    }
    s_sort(out);
cleanup:
    lk_arena_destroy(&tmp);
    return rc;
}

enum lk_status lk_diff_coverage(const struct lk_ir_state *desired, const struct lk_ir_state *live,
                                struct lk_diff *out)
{
    enum lk_status rc = LK_STATUS_OK;
    struct lk_arena tmp;
    lk_arena_init(&tmp);
    LK_ENSURE_GOTO(rc, desired && live && out, LK_STATUS_INVALID_ARGUMENT, cleanup);
    struct lk_diff_ctx c;
    s_ctx_init(&c, out, &tmp, desired);
    lk_diff_producers(&c, desired, live);
    s_sort(out);
cleanup:
    lk_arena_destroy(&tmp);
    return rc;
}

/* lk_diff_coverage_stale() into @p out, or with @p outs each finding into its pair's diff. */
static enum lk_status s_coverage_stale(const struct lk_ir_state *const *desired,
                                       const struct lk_ir_state *const *live, size_t n,
                                       struct lk_diff *out, struct lk_diff *const *outs)
{
    enum lk_status rc = LK_STATUS_OK;
    struct lk_arena tmp;
    lk_arena_init(&tmp);
    LK_ENSURE_GOTO(rc, (out || outs) && (n == 0 || (desired && live)), LK_STATUS_INVALID_ARGUMENT,
                   cleanup);
    for (size_t i = 0; i < n; i++)
        LK_ENSURE_GOTO(rc, desired[i] && live[i] && (!outs || outs[i]), LK_STATUS_INVALID_ARGUMENT,
                       cleanup);
    struct lk_diff_ctx c;
    memset(&c, 0, sizeof(c));
    c.out = out;
    c.tmp = &tmp;
    c.partition = n > 0 && desired[0]->partition ? desired[0]->partition : "aws";
    lk_diff_producers_stale(&c, desired, live, n, outs);
    if (out)
        s_sort(out);
    for (size_t i = 0; outs && i < n; i++)
        s_sort(outs[i]);
cleanup:
    lk_arena_destroy(&tmp);
    return rc;
}

enum lk_status lk_diff_coverage_stale(const struct lk_ir_state *const *desired,
                                      const struct lk_ir_state *const *live, size_t n,
                                      struct lk_diff *out)
{
    return out ? s_coverage_stale(desired, live, n, out, NULL) : LK_STATUS_INVALID_ARGUMENT;
}

enum lk_status lk_diff_coverage_stale_pairs(const struct lk_ir_state *const *desired,
                                            const struct lk_ir_state *const *live, size_t n,
                                            struct lk_diff *const *outs)
{
    return outs || n == 0 ? s_coverage_stale(desired, live, n, NULL, outs)
                          : LK_STATUS_INVALID_ARGUMENT;
}

/* ------------------------------------------------------------------------------ summaries */

void lk_diff_summarize(const struct lk_diff *diff, struct lk_diff_summary *out)
{
    memset(out, 0, sizeof(*out));
    for (size_t i = 0; diff && i < diff->n; i++) {
        const struct lk_diff_change *ch = &diff->changes[i];
        switch (ch->kind) {
        case LK_DIFF_MISSING:
            out->to_add++;
            break;
        case LK_DIFF_CHANGED:
            out->to_change++;
            break;
        case LK_DIFF_EXTRA:
            out->to_remove++;
            out->unmanaged_stores += ch->resource == LK_DIFF_UNMANAGED_STORE;
            break;
        case LK_DIFF_NOTE:
            out->notes++;
            continue;
        }
        out->weaker += ch->direction == LK_DIFF_WEAKER;
        out->stronger += ch->direction == LK_DIFF_STRONGER;
        out->need_allow += ch->data_loss;
    }
}

const struct lk_diff_change *lk_diff_find(const struct lk_diff *diff,
                                          enum lk_diff_resource resource, const char *name,
                                          const char *attribute)
{
    for (size_t i = 0; diff && name && attribute && i < diff->n; i++) {
        const struct lk_diff_change *ch = &diff->changes[i];
        if (ch->resource == resource && !strcmp(ch->name, name) &&
            !strcmp(ch->attribute, attribute))
            return ch;
    }
    return NULL;
}
