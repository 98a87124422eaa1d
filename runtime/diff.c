/*
 * logkeep runtime: the semantic diff of desired against live AWS state (see diff.h for the
 * meaning of directions, data loss and allow names).
 *
 * Layout: change bookkeeping; small value helpers (string sets, retention order, rendering);
 * then one section per resource part: S3 lifecycle, bucket policy, the other bucket settings,
 * log groups, trails; then sorting, rendering and JSON.
 */
#include "runtime/diff.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/services/cloudtrail.h"
#include "runtime/services/logs.h"
#include "runtime/services/s3.h"

/* Guard for the public entry points: set the result code and leave through cleanup. */
#define S_ENSURE(cond, code)                                                                       \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            rc = (code);                                                                           \
            goto cleanup;                                                                          \
        }                                                                                          \
    } while (0)

/* One call's working context: where changes go, scratch memory, and the resource at hand. */
struct s_ctx {
    struct lk_diff *out;
    struct lk_arena *tmp;  /* scratch for renderings and normalised copies; freed per call */
    const char *partition; /* "aws", for account-id principals */
    enum lk_diff_resource res;
    const char *name;
    const char *res_region;
};

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

/* Appends a change for the context's resource. The strings are copied into the diff's arena.
 * The pointer is valid until the next s_add() (the array may move). */
static struct lk_diff_change *s_add(struct s_ctx *c, const char *attr, enum lk_diff_kind kind,
                                    enum lk_diff_direction dir, const char *desired,
                                    const char *live)
{
    struct lk_diff *d = c->out;
    if (d->n == d->cap) {
        d->cap = d->cap ? d->cap * 2 : 32;
        d->changes = lk_xrealloc(d->changes, d->cap * sizeof(*d->changes));
    }
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
    /* Changes are never removed, so the count is a unique, increasing sequence number. */
    ch->seq = d->n++;
    return ch;
}

static void s_allow(struct s_ctx *c, struct lk_diff_change *ch, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Marks @p ch as a data-loss change with the allow name printed from @p fmt. */
static void s_allow(struct s_ctx *c, struct lk_diff_change *ch, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    ch->allow_name = lk_arena_vprintf(&c->out->arena, fmt, ap);
    va_end(ap);
    ch->data_loss = true;
}

static void s_note(struct s_ctx *c, struct lk_diff_change *ch, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void s_note(struct s_ctx *c, struct lk_diff_change *ch, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    ch->note = lk_arena_vprintf(&c->out->arena, fmt, ap);
    va_end(ap);
}

static char *s_fmt(struct s_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* printf into scratch memory. */
static char *s_fmt(struct s_ctx *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = lk_arena_vprintf(c->tmp, fmt, ap);
    va_end(ap);
    return s;
}

/* Moves a rendering buffer into scratch memory. */
static char *s_done(struct s_ctx *c, struct lk_buf *b)
{
    char *s = lk_arena_strndup(c->tmp, b->data ? b->data : "", b->len);
    lk_buf_free(b);
    return s;
}

static void s_at(struct s_ctx *c, enum lk_diff_resource res, const char *name, const char *region)
{
    c->res = res;
    c->name = name;
    c->res_region = region;
}

/* ------------------------------------------------------------------------------ values */

static bool s_streq(const char *a, const char *b)
{
    return !strcmp(a ? a : "", b ? b : "");
}

static const char *s_opt(const char *s)
{
    return s ? s : "";
}

static const char *s_bool(bool v)
{
    return v ? "true" : "false";
}

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

static char *s_retention_str(struct s_ctx *c, int32_t days)
{
    return days > 0 ? s_fmt(c, "%d days", (int)days) : s_fmt(c, "never expire");
}

static char *s_days_or_none(struct s_ctx *c, int32_t days)
{
    return days > 0 ? s_fmt(c, "%d days", (int)days) : s_fmt(c, "none");
}

/* A growable set of borrowed strings in scratch memory. */
struct s_strs {
    const char **items;
    size_t n;
    size_t cap;
};

static void s_strs_add(struct lk_arena *a, struct s_strs *l, const char *s)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 4;
        const char **items = lk_arena_alloc(a, cap * sizeof(*items));
        if (l->n)
            memcpy(items, l->items, l->n * sizeof(*items));
        l->items = items;
        l->cap = cap;
    }
    l->items[l->n++] = s;
}

static int s_cmp_cstr(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void s_strs_sort_unique(struct s_strs *l)
{
    if (l->n < 2)
        return;
    qsort(l->items, l->n, sizeof(*l->items), s_cmp_cstr);
    size_t w = 1;
    for (size_t i = 1; i < l->n; i++)
        if (strcmp(l->items[i], l->items[w - 1]) != 0)
            l->items[w++] = l->items[i];
    l->n = w;
}

/* @return true when every item of @p sub is in @p set (both sorted and unique). */
static bool s_strs_subset(const struct s_strs *sub, const struct s_strs *set)
{
    size_t j = 0;
    for (size_t i = 0; i < sub->n; i++) {
        while (j < set->n && strcmp(set->items[j], sub->items[i]) < 0)
            j++;
        if (j == set->n || strcmp(set->items[j], sub->items[i]) != 0)
            return false;
    }
    return true;
}

/* IAM wildcard matching: '*' matches any run of characters, '?' any one character (IAM JSON
 * policy element reference, "Action" and "Resource"). */
static bool s_glob(const char *p, const char *s)
{
    const char *star = NULL, *resume = NULL;
    while (*s) {
        if (*p == '*') {
            star = p++;
            resume = s;
        } else if (*p == '?' || *p == *s) {
            p++;
            s++;
        } else if (star) {
            p = star + 1;
            s = ++resume;
        } else {
            return false;
        }
    }
    while (*p == '*')
        p++;
    return *p == '\0';
}

/* @return true when every item of @p narrow is matched by a pattern of @p wide. */
static bool s_strs_covered(const struct s_strs *wide, const struct s_strs *narrow)
{
    for (size_t i = 0; i < narrow->n; i++) {
        bool hit = false;
        for (size_t k = 0; k < wide->n && !hit; k++)
            hit = s_glob(wide->items[k], narrow->items[i]);
        if (!hit)
            return false;
    }
    return true;
}

static char *s_lower(struct s_ctx *c, const char *s)
{
    char *o = lk_arena_strdup(c->tmp, s);
    for (char *p = o; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    return o;
}

static void s_join_list(struct lk_buf *b, const struct lk_ir_string_list *l)
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

static char *s_list_str(struct s_ctx *c, const struct lk_ir_string_list *l)
{
    struct lk_buf b;
    lk_buf_init(&b);
    s_join_list(&b, l);
    return s_done(c, &b);
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

static bool s_kms_same(const char *a, const char *b)
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

/* ------------------------------------------------------------------------------ S3 lifecycle */

/* Rank of a storage class along S3's lifecycle transition waterfall, warmest first: Standard,
 * Standard-IA, Intelligent-Tiering, One Zone-IA, Glacier Instant Retrieval, Glacier Flexible
 * Retrieval, Glacier Deep Archive (S3 User Guide, "Transitioning objects using Amazon S3
 * Lifecycle", supported lifecycle transitions). Colder means slower or costlier to read back,
 * or (One Zone-IA) kept in one Availability Zone: worse for logs needed in an investigation. */
static int s_sc_rank(enum lk_ir_storage_class sc)
{
    switch (sc) {
    case LK_IR_SC_STANDARD_IA:
        return 1;
    case LK_IR_SC_INTELLIGENT_TIERING:
        return 2;
    case LK_IR_SC_ONEZONE_IA:
        return 3;
    case LK_IR_SC_GLACIER_IR:
        return 4;
    case LK_IR_SC_GLACIER:
        return 5;
    case LK_IR_SC_DEEP_ARCHIVE:
        return 6;
    case LK_IR_SC_COUNT:
        break;
    }
    return 0;
}

/* Rank of the class an object of age @p day is in under @p r: the coldest transition due. */
static int s_rank_at(const struct lk_ir_lifecycle_rule *r, int32_t day)
{
    int rank = 0;
    for (size_t i = 0; i < r->n_transitions; i++)
        if (r->transitions[i].days <= day && s_sc_rank(r->transitions[i].storage_class) > rank)
            rank = s_sc_rank(r->transitions[i].storage_class);
    return rank;
}

static int s_cmp_transition(const void *a, const void *b)
{
    const struct lk_ir_transition *x = a, *y = b;
    if (x->days != y->days)
        return x->days < y->days ? -1 : 1;
    return (int)x->storage_class - (int)y->storage_class;
}

/* Transitions as a sorted, de-duplicated set in scratch memory. */
static size_t s_transition_set(struct s_ctx *c, const struct lk_ir_lifecycle_rule *r,
                               struct lk_ir_transition **out)
{
    size_t n = r->n_transitions;
    struct lk_ir_transition *t = lk_arena_alloc(c->tmp, (n ? n : 1) * sizeof(*t));
    if (n)
        memcpy(t, r->transitions, n * sizeof(*t));
    if (n > 1)
        qsort(t, n, sizeof(*t), s_cmp_transition);
    size_t w = n ? 1 : 0;
    for (size_t i = 1; i < n; i++)
        if (s_cmp_transition(&t[i], &t[w - 1]) != 0)
            t[w++] = t[i];
    *out = t;
    return w;
}

static bool s_transitions_equal(struct s_ctx *c, const struct lk_ir_lifecycle_rule *a,
                                const struct lk_ir_lifecycle_rule *b)
{
    struct lk_ir_transition *x, *y;
    size_t nx = s_transition_set(c, a, &x), ny = s_transition_set(c, b, &y);
    if (nx != ny)
        return false;
    for (size_t i = 0; i < nx; i++)
        if (s_cmp_transition(&x[i], &y[i]) != 0)
            return false;
    return true;
}

static char *s_transitions_str(struct s_ctx *c, const struct lk_ir_lifecycle_rule *r)
{
    struct lk_ir_transition *t;
    size_t n = s_transition_set(c, r, &t);
    if (!n)
        return s_fmt(c, "none");
    struct lk_buf b;
    lk_buf_init(&b);
    for (size_t i = 0; i < n; i++)
        lk_buf_printf(&b, "%s%dd %s", i ? ", " : "", (int)t[i].days,
                      lk_ir_storage_class_api(t[i].storage_class));
    return s_done(c, &b);
}

/* Live against desired transitions: WEAKER when at some age before both rules expire the live
 * rule has objects in a colder class; else STRONGER when it has them warmer; else NEUTRAL (the
 * same class at every age, or classes of equal rank). */
static enum lk_diff_direction s_transitions_dir(const struct lk_ir_lifecycle_rule *d,
                                                const struct lk_ir_lifecycle_rule *l)
{
    int32_t cutoff = INT32_MAX;
    if (d->expiration_days > 0)
        cutoff = d->expiration_days;
    if (l->expiration_days > 0 && l->expiration_days < cutoff)
        cutoff = l->expiration_days;
    bool colder = false, warmer = false;
    for (int side = 0; side < 2; side++) {
        const struct lk_ir_lifecycle_rule *r = side ? l : d;
        for (size_t i = 0; i < r->n_transitions; i++) {
            int32_t day = r->transitions[i].days;
            if (day >= cutoff)
                continue;
            int rd = s_rank_at(d, day), rl = s_rank_at(l, day);
            colder |= rl > rd;
            warmer |= rl < rd;
        }
    }
    return colder ? LK_DIFF_WEAKER : warmer ? LK_DIFF_STRONGER : LK_DIFF_NEUTRAL;
}

static bool s_rule_expires(const struct lk_ir_lifecycle_rule *r)
{
    return r->enabled && (r->expiration_days > 0 || r->noncurrent_expiration_days > 0);
}

/* Whether a rule changes how long or how warm logs are kept (not only housekeeping). */
static bool s_rule_acts(const struct lk_ir_lifecycle_rule *r)
{
    return r->enabled && (s_rule_expires(r) || r->n_transitions > 0);
}

static char *s_rule_str(struct s_ctx *c, const struct lk_ir_lifecycle_rule *r)
{
    struct lk_buf b;
    lk_buf_init(&b);
    lk_buf_printf(&b, "prefix \"%s\"", r->prefix ? r->prefix : "");
    if (!r->enabled)
        lk_buf_puts(&b, ", disabled");
    if (r->n_transitions)
        lk_buf_printf(&b, ", transitions %s", s_transitions_str(c, r));
    if (r->expiration_days > 0)
        lk_buf_printf(&b, ", expire after %d days", (int)r->expiration_days);
    if (r->noncurrent_expiration_days > 0)
        lk_buf_printf(&b, ", noncurrent versions expire after %d days",
                      (int)r->noncurrent_expiration_days);
    if (r->abort_incomplete_upload_days > 0)
        lk_buf_printf(&b, ", abort incomplete uploads after %d days",
                      (int)r->abort_incomplete_upload_days);
    if (r->expired_object_delete_marker)
        lk_buf_puts(&b, ", remove expired delete markers");
    return s_done(c, &b);
}

static bool s_starts_with(const char *s, const char *prefix)
{
    return strncmp(s ? s : "", prefix ? prefix : "", strlen(prefix ? prefix : "")) == 0;
}

static bool s_has_id(const struct lk_diff_unmodelled *um, const char *id)
{
    for (size_t i = 0; um && i < um->n_filter_rule_ids; i++)
        if (um->filter_rule_ids[i] && !strcmp(um->filter_rule_ids[i], id))
            return true;
    return false;
}

/* Both sides hold rule @p d->id. */
static void s_rule_changes(struct s_ctx *c, const char *bucket,
                           const struct lk_ir_lifecycle_rule *d,
                           const struct lk_ir_lifecycle_rule *l, bool filter_unmodelled)
{
    const char *at = s_fmt(c, "lifecycle.rule[%s]", d->id);
    struct lk_diff_change *ch;

    if (d->enabled != l->enabled) {
        /* A disabled rule does nothing: live disabled against desired enabled is the live side
         * lacking the rule's actions. */
        const struct lk_ir_lifecycle_rule *on = d->enabled ? d : l;
        enum lk_diff_direction dir = !s_rule_acts(on) ? LK_DIFF_NEUTRAL
                                     : d->enabled     ? LK_DIFF_STRONGER
                                                      : LK_DIFF_WEAKER;
        ch = s_add(c, s_fmt(c, "%s.status", at), LK_DIFF_CHANGED, dir,
                   d->enabled ? "Enabled" : "Disabled", l->enabled ? "Enabled" : "Disabled");
        if (d->enabled && s_rule_expires(d))
            s_allow(c, ch, "expire-earlier:%s/%s", bucket, d->id);
    }

    if (filter_unmodelled) {
        /* The live rule filters on tags or object size, which logkeep never writes: its reach
         * cannot be compared. Applying replaces it with a plain prefix filter, which may make
         * the desired expiration reach objects the live filter spared. */
        ch =
            s_add(c, s_fmt(c, "%s.filter", at), LK_DIFF_CHANGED, LK_DIFF_NEUTRAL,
                  s_fmt(c, "prefix \"%s\"", d->prefix ? d->prefix : ""),
                  s_fmt(c, "tag or object-size filter, prefix \"%s\"", l->prefix ? l->prefix : ""));
        s_note(c, ch, "the live filter is not modelled");
        if (s_rule_expires(d))
            s_allow(c, ch, "expire-earlier:%s/%s", bucket, d->id);
    } else if (!s_streq(d->prefix, l->prefix)) {
        /* A shorter live prefix covers more keys: its expiration and transitions reach logs the
         * policy does not put under this rule. */
        enum lk_diff_direction dir = LK_DIFF_NEUTRAL;
        if (s_rule_acts(l) && s_starts_with(d->prefix, l->prefix))
            dir = LK_DIFF_WEAKER;
        else if (s_rule_acts(d) && s_starts_with(l->prefix, d->prefix))
            dir = LK_DIFF_STRONGER;
        ch = s_add(c, s_fmt(c, "%s.prefix", at), LK_DIFF_CHANGED, dir,
                   s_fmt(c, "\"%s\"", d->prefix ? d->prefix : ""),
                   s_fmt(c, "\"%s\"", l->prefix ? l->prefix : ""));
        /* Applying is safe only when the desired prefix selects a subset of the live one. */
        if (s_rule_expires(d) && !s_starts_with(d->prefix, l->prefix))
            s_allow(c, ch, "expire-earlier:%s/%s", bucket, d->id);
    }

    int cmp = s_cmp_keep(l->expiration_days, d->expiration_days);
    if (cmp) {
        ch = s_add(c, s_fmt(c, "%s.expiration_days", at), LK_DIFF_CHANGED,
                   cmp < 0 ? LK_DIFF_WEAKER : LK_DIFF_STRONGER,
                   s_days_or_none(c, d->expiration_days), s_days_or_none(c, l->expiration_days));
        if (cmp > 0)
            s_allow(c, ch, "expire-earlier:%s/%s", bucket, d->id);
    }
    cmp = s_cmp_keep(l->noncurrent_expiration_days, d->noncurrent_expiration_days);
    if (cmp) {
        /* Noncurrent versions are the copies versioning keeps of overwritten or deleted logs. */
        ch = s_add(c, s_fmt(c, "%s.noncurrent_expiration_days", at), LK_DIFF_CHANGED,
                   cmp < 0 ? LK_DIFF_WEAKER : LK_DIFF_STRONGER,
                   s_days_or_none(c, d->noncurrent_expiration_days),
                   s_days_or_none(c, l->noncurrent_expiration_days));
        if (cmp > 0)
            s_allow(c, ch, "expire-earlier:%s/%s", bucket, d->id);
    }
    if (!s_transitions_equal(c, d, l))
        s_add(c, s_fmt(c, "%s.transitions", at), LK_DIFF_CHANGED, s_transitions_dir(d, l),
              s_transitions_str(c, d), s_transitions_str(c, l));
    /* Housekeeping: incomplete multipart uploads are not logs yet, and an expired delete marker
     * hides nothing. */
    if (d->abort_incomplete_upload_days != l->abort_incomplete_upload_days)
        s_add(c, s_fmt(c, "%s.abort_incomplete_upload_days", at), LK_DIFF_CHANGED, LK_DIFF_NEUTRAL,
              s_days_or_none(c, d->abort_incomplete_upload_days),
              s_days_or_none(c, l->abort_incomplete_upload_days));
    if (d->expired_object_delete_marker != l->expired_object_delete_marker)
        s_add(c, s_fmt(c, "%s.expired_object_delete_marker", at), LK_DIFF_CHANGED, LK_DIFF_NEUTRAL,
              s_bool(d->expired_object_delete_marker), s_bool(l->expired_object_delete_marker));
}

/* x-amz-transition-default-minimum-object-size: "all_storage_classes_128K - Objects smaller
 * than 128 KB will not transition to any storage class by default. varies_by_storage_class -
 * Objects smaller than 128 KB will transition to Glacier Flexible Retrieval or Glacier Deep
 * Archive storage classes" (S3 API Reference, GetBucketLifecycleConfiguration). Since September
 * 2024 all_storage_classes_128K is what S3 applies when no value is given (S3 User Guide,
 * "Transitioning objects using Amazon S3 Lifecycle"), so an unreported
 * value is all_storage_classes_128K. */
static enum lk_ir_transition_min_size s_tms(enum lk_ir_transition_min_size t)
{
    return t == LK_IR_TMS_UNSPECIFIED ? LK_IR_TMS_ALL_128K : t;
}

static const char *s_tms_str(enum lk_ir_transition_min_size t)
{
    return t == LK_IR_TMS_VARIES_BY_CLASS ? "varies_by_storage_class" : "all_storage_classes_128K";
}

static void s_lifecycle(struct s_ctx *c, const struct lk_ir_bucket *db,
                        const struct lk_ir_bucket *lb, const struct lk_diff_unmodelled *um)
{
    const struct lk_ir_lifecycle *dl = &db->lifecycle, *ll = &lb->lifecycle;
    size_t nd = dl->present ? dl->n_rules : 0, nl = ll->present ? ll->n_rules : 0;
    unsigned bits = um ? um->bits : 0;
    bool *used = lk_arena_alloc(c->tmp, (nl ? nl : 1) * sizeof(*used));
    struct lk_diff_change *ch;

    bool any_transitions = false;
    for (size_t i = 0; i < nd; i++)
        any_transitions |= dl->rules[i].n_transitions > 0;
    for (size_t i = 0; i < nl; i++)
        any_transitions |= ll->rules[i].n_transitions > 0;
    /* The minimum size only matters to transitions. Small objects transitioned
     * (varies_by_storage_class) go colder than under the 128 KB floor. */
    enum lk_ir_transition_min_size dt = s_tms(dl->transition_min_size);
    enum lk_ir_transition_min_size lt = s_tms(ll->transition_min_size);
    if (any_transitions && dl->present && ll->present && dt != lt) {
        ch = s_add(c, "lifecycle.transition_min_size", LK_DIFF_CHANGED,
                   lt == LK_IR_TMS_VARIES_BY_CLASS ? LK_DIFF_WEAKER : LK_DIFF_STRONGER,
                   s_tms_str(dt), s_tms_str(lt));
        if (ll->transition_min_size == LK_IR_TMS_UNSPECIFIED)
            s_note(c, ch, "not reported: S3's default since September 2024");
    }

    for (size_t i = 0; i < nd; i++) {
        const struct lk_ir_lifecycle_rule *d = &dl->rules[i];
        const struct lk_ir_lifecycle_rule *l = NULL;
        for (size_t k = 0; k < nl && !l; k++) {
            if (!used[k] && s_streq(ll->rules[k].id, d->id)) {
                used[k] = true;
                l = &ll->rules[k];
            }
        }
        if (l) {
            s_rule_changes(c, db->name, d, l,
                           (bits & LK_S3_UNMODELLED_FILTER) && s_has_id(um, d->id));
            continue;
        }
        /* Live lacks the rule: its expirations and transitions do not happen there (logs kept
         * longer and warmer). Adding it starts deleting what it expires. */
        ch = s_add(c, s_fmt(c, "lifecycle.rule[%s]", d->id), LK_DIFF_MISSING,
                   s_rule_acts(d) ? LK_DIFF_STRONGER : LK_DIFF_NEUTRAL, s_rule_str(c, d), NULL);
        if (s_rule_expires(d))
            s_allow(c, ch, "expire-earlier:%s/%s", db->name, d->id);
    }
    for (size_t k = 0; k < nl; k++) {
        if (used[k])
            continue;
        /* A rule the policy lacks deletes or archives logs the policy keeps (removing it only
         * keeps them longer). */
        const struct lk_ir_lifecycle_rule *l = &ll->rules[k];
        ch = s_add(c, s_fmt(c, "lifecycle.rule[%s]", l->id), LK_DIFF_EXTRA,
                   s_rule_acts(l) ? LK_DIFF_WEAKER : LK_DIFF_NEUTRAL, NULL, s_rule_str(c, l));
        if ((bits & LK_S3_UNMODELLED_FILTER) && s_has_id(um, l->id))
            s_note(c, ch, "filters on tags or object size");
    }

    if (!ll->present)
        return;
    /* Live configuration the IR cannot hold. Applying replaces the whole configuration, and for
     * filters, dates and NewerNoncurrentVersions logkeep cannot tell what that deletes. */
    if ((bits & LK_S3_UNMODELLED_FILTER) && (!um || um->n_filter_rule_ids == 0)) {
        ch = s_add(c, "lifecycle.filter", LK_DIFF_CHANGED, LK_DIFF_NEUTRAL, "prefix filters only",
                   "tag or object-size filters");
        s_note(c, ch, "some live rule filters on tags or object size (not modelled)");
        s_allow(c, ch, "replace-lifecycle:%s", db->name);
    }
    if (bits & LK_S3_UNMODELLED_DATE) {
        ch = s_add(c, "lifecycle.date_actions", LK_DIFF_EXTRA, LK_DIFF_NEUTRAL, NULL,
                   "expiration or transition at a date");
        s_note(c, ch, "not modelled");
        s_allow(c, ch, "replace-lifecycle:%s", db->name);
    }
    if (bits & LK_S3_UNMODELLED_NEWER_NONCURRENT) {
        /* NewerNoncurrentVersions keeps that many noncurrent versions past NoncurrentDays. */
        ch = s_add(c, "lifecycle.newer_noncurrent_versions", LK_DIFF_EXTRA, LK_DIFF_STRONGER, NULL,
                   "NewerNoncurrentVersions set");
        s_note(c, ch, "not modelled");
        s_allow(c, ch, "replace-lifecycle:%s", db->name);
    }
    if (bits & LK_S3_UNMODELLED_NONCURRENT_TRANSITION)
        s_note(c,
               s_add(c, "lifecycle.noncurrent_transitions", LK_DIFF_EXTRA, LK_DIFF_NEUTRAL, NULL,
                     "NoncurrentVersionTransition set"),
               "not modelled");
    if (bits & LK_S3_UNMODELLED_STORAGE_CLASS)
        s_note(c,
               s_add(c, "lifecycle.transition_storage_class", LK_DIFF_EXTRA, LK_DIFF_NEUTRAL, NULL,
                     "a transition to a storage class logkeep does not know"),
               "not modelled");
    if (bits & LK_S3_UNMODELLED_MIN_SIZE)
        s_note(c,
               s_add(c, "lifecycle.transition_min_size", LK_DIFF_CHANGED, LK_DIFF_NEUTRAL,
                     s_tms_str(dt), "an undocumented value"),
               "not modelled");
}

/* ------------------------------------------------------------------------------ bucket policy */

/* A condition, normalised for comparison. */
struct s_ncond {
    const char *op;
    const char *key; /* lower case: "Context key names are not case-sensitive" (IAM JSON
                      * policy elements: Condition) */
    struct s_strs values;
    bool negated; /* a Not operator: true when the context matches none of the values */
};

/* A statement, normalised for comparison. */
struct s_nstmt {
    const struct lk_ir_statement *src;
    const char *sid;
    const char *label; /* the Sid, or "#n" for the n-th statement without one */
    bool allow;
    enum lk_ir_principal_kind kind;
    struct s_strs principals;
    struct s_strs actions; /* lower case */
    struct s_strs resources;
    struct s_ncond *conds;
    size_t n_conds;
    char *content; /* everything but the Sid, as text: equal text = equal meaning */
    bool used;
};

/* "You can specify ... the account ARN (arn:aws:iam::account-ID:root), or a shortened form
 * that consists of the "AWS": prefix followed by the account ID ... The account ARN and the
 * shortened account ID behave the same way." (IAM JSON policy elements: Principal). */
static bool s_is_account_id(const char *s)
{
    size_t n = 0;
    for (; s[n]; n++)
        if (!isdigit((unsigned char)s[n]))
            return false;
    return n == 12;
}

/* Values whose comparison ignores case: Bool and Null take "true"/"false", and the
 * ...IgnoreCase string operators say so (IAM JSON policy elements: Condition operators). */
static bool s_op_ci(const char *op)
{
    return !strcmp(op, "Bool") || !strcmp(op, "Null") || strstr(op, "IgnoreCase") != NULL;
}

static int s_cmp_ncond(const void *a, const void *b)
{
    const struct s_ncond *x = a, *y = b;
    int c = strcmp(x->op, y->op);
    return c ? c : strcmp(x->key, y->key);
}

static void s_content_list(struct lk_buf *b, const struct s_strs *l)
{
    for (size_t i = 0; i < l->n; i++) {
        lk_buf_puts(b, l->items[i]);
        lk_buf_putc(b, '\x1e');
    }
    lk_buf_putc(b, '\x1f');
}

/* Spellings that policy_json.c already unifies when it reads a document are unified again here,
 * so that a state built by other means (tests, a future reader) compares the same: S3 returns a
 * one-element list as a plain string (GetBucketPolicy), which the IR already holds as a list;
 * "*" may be written {"AWS": "*"}; an account may be its ID or its root ARN. */
static void s_normalize(struct s_ctx *c, const struct lk_ir_statement *s, struct s_nstmt *n)
{
    memset(n, 0, sizeof(*n));
    n->src = s;
    n->sid = s->sid;
    n->allow = s->allow;
    n->kind = s->principal_kind;
    /* "Principal": "*" and {"AWS": "*"} are the same: everyone (IAM JSON policy elements:
     * Principal, "All principals"). */
    bool any = s->principal_kind == LK_IR_PRINCIPAL_ANY;
    for (size_t i = 0; i < s->principals.n && !any; i++) {
        const char *p = s->principals.items[i];
        if (s->principal_kind == LK_IR_PRINCIPAL_AWS && !strcmp(p, "*"))
            any = true;
        else if (s->principal_kind == LK_IR_PRINCIPAL_AWS && s_is_account_id(p))
            s_strs_add(c->tmp, &n->principals, s_fmt(c, "arn:%s:iam::%s:root", c->partition, p));
        else
            s_strs_add(c->tmp, &n->principals, p);
    }
    if (any) {
        n->kind = LK_IR_PRINCIPAL_ANY;
        n->principals.n = 0;
    }
    s_strs_sort_unique(&n->principals);
    /* "The prefix and the action name are case insensitive. For example, iam:ListAccessKeys is
     * the same as IAM:listaccesskeys." (IAM JSON policy elements: Action) */
    for (size_t i = 0; i < s->actions.n; i++)
        s_strs_add(c->tmp, &n->actions, s_lower(c, s->actions.items[i]));
    s_strs_sort_unique(&n->actions);
    for (size_t i = 0; i < s->resources.n; i++)
        s_strs_add(c->tmp, &n->resources, s->resources.items[i]);
    s_strs_sort_unique(&n->resources);

    n->conds = lk_arena_alloc(c->tmp, (s->n_conditions ? s->n_conditions : 1) * sizeof(*n->conds));
    for (size_t i = 0; i < s->n_conditions; i++) {
        const struct lk_ir_condition *sc = &s->conditions[i];
        const char *key = s_lower(c, sc->key);
        struct s_ncond *nc = NULL;
        for (size_t k = 0; k < n->n_conds && !nc; k++)
            if (!strcmp(n->conds[k].op, sc->op) && !strcmp(n->conds[k].key, key))
                nc = &n->conds[k];
        if (!nc) {
            nc = &n->conds[n->n_conds++];
            memset(nc, 0, sizeof(*nc));
            nc->op = sc->op;
            nc->key = key;
            nc->negated = strstr(sc->op, "Not") != NULL;
        }
        for (size_t v = 0; v < sc->values.n; v++)
            s_strs_add(c->tmp, &nc->values,
                       s_op_ci(sc->op) ? s_lower(c, sc->values.items[v]) : sc->values.items[v]);
    }
    for (size_t k = 0; k < n->n_conds; k++)
        s_strs_sort_unique(&n->conds[k].values);
    if (n->n_conds > 1)
        qsort(n->conds, n->n_conds, sizeof(*n->conds), s_cmp_ncond);

    struct lk_buf b;
    lk_buf_init(&b);
    lk_buf_printf(&b, "%s\x1f%d\x1f", n->allow ? "Allow" : "Deny", (int)n->kind);
    s_content_list(&b, &n->principals);
    s_content_list(&b, &n->actions);
    s_content_list(&b, &n->resources);
    for (size_t k = 0; k < n->n_conds; k++) {
        lk_buf_printf(&b, "%s\x1d%s\x1d", n->conds[k].op, n->conds[k].key);
        s_content_list(&b, &n->conds[k].values);
    }
    n->content = s_done(c, &b);
}

static int s_cmp_nstmt(const void *a, const void *b)
{
    const struct s_nstmt *x = a, *y = b;
    if (!x->sid != !y->sid)
        return x->sid ? 1 : -1;
    int r = x->sid ? strcmp(x->sid, y->sid) : 0;
    return r ? r : strcmp(x->content, y->content);
}

static struct s_nstmt *s_normalize_all(struct s_ctx *c, const struct lk_ir_bucket_policy *p,
                                       size_t *n_out)
{
    size_t n = p->present ? p->n_statements : 0;
    struct s_nstmt *v = lk_arena_alloc(c->tmp, (n ? n : 1) * sizeof(*v));
    for (size_t i = 0; i < n; i++)
        s_normalize(c, &p->statements[i], &v[i]);
    if (n > 1)
        qsort(v, n, sizeof(*v), s_cmp_nstmt);
    size_t anonymous = 0;
    for (size_t i = 0; i < n; i++)
        v[i].label = v[i].sid ? v[i].sid : s_fmt(c, "#%zu", ++anonymous);
    *n_out = n;
    return v;
}

/* "Deliveries": statements that let a service, or a named account such as the Regional Elastic
 * Load Balancing account, write log objects (delivery.c). Without them logs are not delivered.
 * Everyone ("*") is never a delivery, and neither is a wildcard action: narrowing those back is
 * the point of the policy. */
static bool s_is_delivery(const struct s_nstmt *s)
{
    if (!s->allow || s->kind == LK_IR_PRINCIPAL_ANY)
        return false;
    if (s->kind == LK_IR_PRINCIPAL_SERVICE)
        return true;
    for (size_t i = 0; i < s->actions.n; i++)
        if (!strcmp(s->actions.items[i], "s3:putobject"))
            return true;
    return false;
}

/* Whether @p w names at least every principal @p n names. */
static bool s_principals_cover(const struct s_nstmt *w, const struct s_nstmt *n)
{
    if (w->kind == LK_IR_PRINCIPAL_ANY)
        return true;
    if (n->kind != w->kind)
        return false;
    return s_strs_subset(&n->principals, &w->principals);
}

/* Whether condition @p a being true makes condition @p b true: same operator and key, and for
 * a positive operator (true when the context matches any value) a's values within b's; for a
 * negated one (true when it matches none), b's within a's. */
static bool s_cond_implies(const struct s_ncond *a, const struct s_ncond *b)
{
    if (strcmp(a->op, b->op) != 0 || strcmp(a->key, b->key) != 0)
        return false;
    return a->negated ? s_strs_subset(&b->values, &a->values)
                      : s_strs_subset(&a->values, &b->values);
}

/* Whether statement @p w applies whenever @p n does, as far as conditions go: every condition of
 * @p w follows from one of @p n (all conditions of a statement must hold). */
static bool s_conds_cover(const struct s_nstmt *w, const struct s_nstmt *n)
{
    for (size_t i = 0; i < w->n_conds; i++) {
        bool implied = false;
        for (size_t k = 0; k < n->n_conds && !implied; k++)
            implied = s_cond_implies(&n->conds[k], &w->conds[i]);
        if (!implied)
            return false;
    }
    return true;
}

/* Whether @p w allows (or denies) at least everything @p n does. */
static bool s_stmt_covers(const struct s_nstmt *w, const struct s_nstmt *n)
{
    return w->allow == n->allow && s_principals_cover(w, n) &&
           s_strs_covered(&w->actions, &n->actions) &&
           s_strs_covered(&w->resources, &n->resources) && s_conds_cover(w, n);
}

/* How far the live side of one statement element reaches against the desired side. */
enum s_scope {
    S_SAME,
    S_WIDER,
    S_NARROWER,
    S_MIXED,
};

static enum s_scope s_scope_of(bool live_covers_desired, bool desired_covers_live)
{
    if (live_covers_desired && desired_covers_live)
        return S_SAME;
    if (live_covers_desired)
        return S_WIDER;
    return desired_covers_live ? S_NARROWER : S_MIXED;
}

/* An Allow reaching further, or a Deny reaching less far, is weaker; an Allow that lets a
 * service deliver logs reaching less far is weaker too (logs are not delivered). Mixed changes
 * are weaker: something reaches further or less far where it matters. */
static enum lk_diff_direction s_scope_dir(bool allow, bool delivery, enum s_scope sc)
{
    switch (sc) {
    case S_SAME:
        return LK_DIFF_NEUTRAL;
    case S_WIDER:
        return allow ? LK_DIFF_WEAKER : LK_DIFF_STRONGER;
    case S_NARROWER:
        return allow && !delivery ? LK_DIFF_STRONGER : LK_DIFF_WEAKER;
    case S_MIXED:
        return LK_DIFF_WEAKER;
    }
    return LK_DIFF_NEUTRAL;
}

static void s_principal_render(struct lk_buf *b, const struct lk_ir_statement *s)
{
    if (s->principal_kind == LK_IR_PRINCIPAL_ANY) {
        lk_buf_putc(b, '*');
        return;
    }
    lk_buf_puts(b, s->principal_kind == LK_IR_PRINCIPAL_AWS ? "AWS:" : "Service:");
    s_join_list(b, &s->principals);
}

static void s_conditions_render(struct lk_buf *b, const struct lk_ir_statement *s)
{
    for (size_t i = 0; i < s->n_conditions; i++) {
        const struct lk_ir_condition *k = &s->conditions[i];
        lk_buf_printf(b, "%s%s %s=", i ? "; " : "", k->op, k->key);
        s_join_list(b, &k->values);
    }
}

static char *s_stmt_str(struct s_ctx *c, const struct lk_ir_statement *s)
{
    struct lk_buf b;
    lk_buf_init(&b);
    lk_buf_puts(&b, s->allow ? "Allow " : "Deny ");
    s_principal_render(&b, s);
    lk_buf_putc(&b, ' ');
    s_join_list(&b, &s->actions);
    lk_buf_puts(&b, " on ");
    s_join_list(&b, &s->resources);
    if (s->n_conditions) {
        lk_buf_puts(&b, " if ");
        s_conditions_render(&b, s);
    }
    return s_done(c, &b);
}

static char *s_principals_str(struct s_ctx *c, const struct lk_ir_statement *s)
{
    struct lk_buf b;
    lk_buf_init(&b);
    s_principal_render(&b, s);
    return s_done(c, &b);
}

static char *s_conditions_str(struct s_ctx *c, const struct lk_ir_statement *s)
{
    if (!s->n_conditions)
        return s_fmt(c, "none");
    struct lk_buf b;
    lk_buf_init(&b);
    s_conditions_render(&b, s);
    return s_done(c, &b);
}

/* One element of a statement both sides hold under one Sid. */
static void s_element(struct s_ctx *c, const char *bucket, const struct s_nstmt *d,
                      const struct s_nstmt *l, const char *element, bool live_covers,
                      bool desired_covers, const char *dv, const char *lv)
{
    enum s_scope sc = s_scope_of(live_covers, desired_covers);
    if (sc == S_SAME)
        return;
    struct lk_diff_change *ch =
        s_add(c, s_fmt(c, "policy.statement[%s].%s", d->label, element), LK_DIFF_CHANGED,
              s_scope_dir(d->allow, s_is_delivery(d), sc), dv, lv);
    /* The desired element does not reach everything the live one does: applying takes some
     * delivery permission away from a service writing logs. */
    if (s_is_delivery(l) && !desired_covers)
        s_allow(c, ch, "stop-delivery:%s/%s", bucket, l->label);
}

static void s_statement_changes(struct s_ctx *c, const char *bucket, const struct s_nstmt *d,
                                const struct s_nstmt *l)
{
    if (d->allow != l->allow) {
        enum lk_diff_direction dir = !d->allow          ? LK_DIFF_WEAKER
                                     : s_is_delivery(d) ? LK_DIFF_WEAKER
                                                        : LK_DIFF_STRONGER;
        struct lk_diff_change *ch =
            s_add(c, s_fmt(c, "policy.statement[%s]", d->label), LK_DIFF_CHANGED, dir,
                  s_stmt_str(c, d->src), s_stmt_str(c, l->src));
        if (s_is_delivery(l))
            s_allow(c, ch, "stop-delivery:%s/%s", bucket, l->label);
        return;
    }
    s_element(c, bucket, d, l, "principals", s_principals_cover(l, d), s_principals_cover(d, l),
              s_principals_str(c, d->src), s_principals_str(c, l->src));
    s_element(c, bucket, d, l, "actions", s_strs_covered(&l->actions, &d->actions),
              s_strs_covered(&d->actions, &l->actions), s_list_str(c, &d->src->actions),
              s_list_str(c, &l->src->actions));
    s_element(c, bucket, d, l, "resources", s_strs_covered(&l->resources, &d->resources),
              s_strs_covered(&d->resources, &l->resources), s_list_str(c, &d->src->resources),
              s_list_str(c, &l->src->resources));
    /* Conditions narrow a statement: the live one reaches further when its conditions follow
     * from the desired ones. */
    s_element(c, bucket, d, l, "conditions", s_conds_cover(l, d), s_conds_cover(d, l),
              s_conditions_str(c, d->src), s_conditions_str(c, l->src));
}

static void s_policy(struct s_ctx *c, const struct lk_ir_bucket *db, const struct lk_ir_bucket *lb)
{
    const struct lk_ir_bucket_policy *dp = &db->policy, *lp = &lb->policy;
    if (!dp->present && !lp->present)
        return;
    size_t nd, nl;
    struct s_nstmt *d = s_normalize_all(c, dp, &nd);
    struct s_nstmt *l = s_normalize_all(c, lp, &nl);
    struct lk_diff_change *ch;

    /* Version 2008-10-17 lacks policy variables; logkeep's statements use none, so the two
     * versions mean the same here, but a rewrite would change what the document says. */
    if (dp->present && lp->present && !s_streq(dp->version, lp->version))
        s_note(
            c,
            s_add(c, "policy.version", LK_DIFF_CHANGED, LK_DIFF_NEUTRAL, dp->version, lp->version),
            "no policy variables are used");

    /* Pairing, each pass over what is left: the same Sid and meaning; the same meaning under
     * another Sid (a Sid only names a statement, IAM JSON policy elements: Sid); the same Sid. */
    for (size_t i = 0; i < nd; i++)
        for (size_t k = 0; k < nl && !d[i].used; k++)
            if (!l[k].used && d[i].sid && l[k].sid && !strcmp(d[i].sid, l[k].sid) &&
                !strcmp(d[i].content, l[k].content))
                d[i].used = l[k].used = true;
    for (size_t i = 0; i < nd; i++)
        for (size_t k = 0; k < nl && !d[i].used; k++)
            if (!l[k].used && !strcmp(d[i].content, l[k].content))
                d[i].used = l[k].used = true;
    for (size_t i = 0; i < nd; i++) {
        for (size_t k = 0; k < nl && !d[i].used; k++) {
            if (!l[k].used && d[i].sid && l[k].sid && !strcmp(d[i].sid, l[k].sid)) {
                d[i].used = l[k].used = true;
                s_statement_changes(c, db->name, &d[i], &l[k]);
            }
        }
    }

    for (size_t i = 0; i < nd; i++) {
        if (d[i].used)
            continue;
        /* A live statement under another Sid may already grant or deny all of it. */
        const struct s_nstmt *by = NULL;
        for (size_t k = 0; k < nl && !by; k++)
            if (s_stmt_covers(&l[k], &d[i]))
                by = &l[k];
        enum lk_diff_direction dir = by                     ? LK_DIFF_NEUTRAL
                                     : !d[i].allow          ? LK_DIFF_WEAKER
                                     : s_is_delivery(&d[i]) ? LK_DIFF_WEAKER
                                                            : LK_DIFF_STRONGER;
        ch = s_add(c, s_fmt(c, "policy.statement[%s]", d[i].label), LK_DIFF_MISSING, dir,
                   s_stmt_str(c, d[i].src), NULL);
        if (by)
            s_note(c, ch, "live statement %s already covers it", by->label);
    }
    for (size_t k = 0; k < nl; k++) {
        if (l[k].used)
            continue;
        /* A live statement the policy lacks: an Allow grants access the policy does not, a Deny
         * restricts more; unless a desired statement already grants or denies all of it (AWS
         * adds its own delivery statements: docs/source-types.md). */
        const struct s_nstmt *by = NULL;
        for (size_t i = 0; i < nd && !by; i++)
            if (s_stmt_covers(&d[i], &l[k]))
                by = &d[i];
        enum lk_diff_direction dir = by           ? LK_DIFF_NEUTRAL
                                     : l[k].allow ? LK_DIFF_WEAKER
                                                  : LK_DIFF_STRONGER;
        ch = s_add(c, s_fmt(c, "policy.statement[%s]", l[k].label), LK_DIFF_EXTRA, dir, NULL,
                   s_stmt_str(c, l[k].src));
        if (by)
            s_note(c, ch, "desired statement %s covers it", by->label);
        else if (s_is_delivery(&l[k]))
            s_allow(c, ch, "stop-delivery:%s/%s", db->name, l[k].label);
    }
}

/* ------------------------------------------------------------------------------ bucket settings */

static const char *s_versioning_str(enum lk_ir_versioning v)
{
    switch (v) {
    case LK_IR_VERSIONING_ENABLED:
        return "Enabled";
    case LK_IR_VERSIONING_SUSPENDED:
        return "Suspended";
    case LK_IR_VERSIONING_NEVER:
        break;
    }
    return "never enabled";
}

/* Never enabled and Suspended both mean "new versions are not kept" (S3 User Guide, "Using
 * versioning in S3 buckets": a bucket is unversioned, versioning-enabled or
 * versioning-suspended); the policy asks only for on or not on. */
static void s_versioning(struct s_ctx *c, const struct lk_ir_bucket *d,
                         const struct lk_ir_bucket *l)
{
    bool d_on = d->versioning == LK_IR_VERSIONING_ENABLED;
    bool l_on = l->versioning == LK_IR_VERSIONING_ENABLED;
    if (d_on != l_on) {
        struct lk_diff_change *ch =
            s_add(c, "versioning", LK_DIFF_CHANGED, d_on ? LK_DIFF_WEAKER : LK_DIFF_STRONGER,
                  s_versioning_str(d->versioning), s_versioning_str(l->versioning));
        if (!d_on)
            s_allow(c, ch, "suspend-versioning:%s", d->name);
    }
    if (d->mfa_delete && !l->mfa_delete)
        s_add(c, "mfa_delete", LK_DIFF_CHANGED, LK_DIFF_WEAKER, "true", "false");
}

static int s_lock_rank(enum lk_ir_lock_mode m)
{
    return m == LK_IR_LOCK_COMPLIANCE ? 2 : m == LK_IR_LOCK_GOVERNANCE ? 1 : 0;
}

static const char *s_lock_mode_str(enum lk_ir_lock_mode m)
{
    return m == LK_IR_LOCK_COMPLIANCE   ? "COMPLIANCE"
           : m == LK_IR_LOCK_GOVERNANCE ? "GOVERNANCE"
                                        : "none";
}

/* A default retention period in days, counting a year as 365 (S3 computes "retain until" by
 * calendar, so a year is 365 or 366 days: close enough to order periods). */
static int64_t s_lock_days(int32_t days, int32_t years)
{
    return years > 0 ? (int64_t)years * 365 : days;
}

static char *s_period_str(struct s_ctx *c, int32_t days, int32_t years)
{
    return years > 0 ? s_fmt(c, "%d year%s", (int)years, years == 1 ? "" : "s")
                     : s_fmt(c, "%d days", (int)days);
}

static char *s_lock_str(struct s_ctx *c, const struct lk_ir_bucket *b)
{
    if (!b->object_lock.enabled)
        return s_fmt(c, "off");
    if (b->object_lock.mode == LK_IR_LOCK_NONE)
        return s_fmt(c, "enabled, no default retention");
    return s_fmt(c, "%s, %s", s_lock_mode_str(b->object_lock.mode),
                 s_period_str(c, b->object_lock.days, b->object_lock.years));
}

static void s_object_lock(struct s_ctx *c, const struct lk_ir_bucket *d,
                          const struct lk_ir_bucket *l)
{
    struct lk_diff_change *ch;
    if (!d->object_lock.enabled && !l->object_lock.enabled)
        return;
    if (!l->object_lock.enabled) {
        s_add(c, "object_lock", LK_DIFF_MISSING, LK_DIFF_WEAKER, s_lock_str(c, d), NULL);
        return;
    }
    if (!d->object_lock.enabled) {
        /* "After you enable Object Lock on a bucket, you can't disable Object Lock" (S3 User
         * Guide, "Object Lock considerations"); only a default retention can be removed. */
        bool rule = l->object_lock.mode != LK_IR_LOCK_NONE;
        ch = s_add(c, "object_lock", LK_DIFF_EXTRA, rule ? LK_DIFF_STRONGER : LK_DIFF_NEUTRAL, NULL,
                   s_lock_str(c, l));
        if (rule)
            s_allow(c, ch, "remove-object-lock:%s", d->name);
        else
            s_note(c, ch, "Object Lock cannot be disabled");
        return;
    }
    int rd = s_lock_rank(d->object_lock.mode), rl = s_lock_rank(l->object_lock.mode);
    if (rd != rl) {
        /* COMPLIANCE binds everyone, GOVERNANCE can be bypassed with
         * s3:BypassGovernanceRetention, no mode protects nothing by default (S3 User Guide,
         * "Object Lock retention modes"). */
        ch = s_add(c, "object_lock.mode", LK_DIFF_CHANGED,
                   rl < rd ? LK_DIFF_WEAKER : LK_DIFF_STRONGER, s_lock_str(c, d), s_lock_str(c, l));
        if (rl > rd) {
            if (rd == 0)
                s_allow(c, ch, "remove-object-lock:%s", d->name);
            else
                s_allow(c, ch, "weaken-object-lock:%s", d->name);
        }
    }
    if (rd == 0 || rl == 0)
        return;
    if (d->object_lock.days == l->object_lock.days && d->object_lock.years == l->object_lock.years)
        return;
    int64_t dd = s_lock_days(d->object_lock.days, d->object_lock.years);
    int64_t ld = s_lock_days(l->object_lock.days, l->object_lock.years);
    bool in_days = !d->object_lock.years && !l->object_lock.years;
    ch = s_add(c, in_days ? "object_lock.days" : "object_lock.period", LK_DIFF_CHANGED,
               ld < dd   ? LK_DIFF_WEAKER
               : ld > dd ? LK_DIFF_STRONGER
                         : LK_DIFF_NEUTRAL,
               s_period_str(c, d->object_lock.days, d->object_lock.years),
               s_period_str(c, l->object_lock.days, l->object_lock.years));
    if (ld > dd)
        s_allow(c, ch, "weaken-object-lock:%s", d->name);
}

static void s_public_access_block(struct s_ctx *c, const struct lk_ir_bucket *d,
                                  const struct lk_ir_bucket *l)
{
    if (!d->public_access_block.present)
        return;
    if (!l->public_access_block.present) {
        /* No bucket-level configuration: none of the four settings applies to the bucket (the
         * account's own settings may still). */
        s_add(c, "public_access_block", LK_DIFF_MISSING, LK_DIFF_WEAKER,
              s_fmt(c,
                    "block_public_acls=%s, ignore_public_acls=%s, block_public_policy=%s, "
                    "restrict_public_buckets=%s",
                    s_bool(d->public_access_block.block_public_acls),
                    s_bool(d->public_access_block.ignore_public_acls),
                    s_bool(d->public_access_block.block_public_policy),
                    s_bool(d->public_access_block.restrict_public_buckets)),
              NULL);
        return;
    }
    const struct {
        const char *attr;
        bool d, l;
    } s[4] = {
        {"public_access_block.block_public_acls", d->public_access_block.block_public_acls,
         l->public_access_block.block_public_acls},
        {"public_access_block.ignore_public_acls", d->public_access_block.ignore_public_acls,
         l->public_access_block.ignore_public_acls},
        {"public_access_block.block_public_policy", d->public_access_block.block_public_policy,
         l->public_access_block.block_public_policy},
        {"public_access_block.restrict_public_buckets",
         d->public_access_block.restrict_public_buckets,
         l->public_access_block.restrict_public_buckets},
    };
    for (int i = 0; i < 4; i++)
        if (s[i].d != s[i].l)
            s_add(c, s[i].attr, LK_DIFF_CHANGED, s[i].d ? LK_DIFF_WEAKER : LK_DIFF_STRONGER,
                  s_bool(s[i].d), s_bool(s[i].l));
}

/* Strength of default encryption: SSE-S3 < SSE-KMS (access also governed by a key policy, and
 * logged in CloudTrail) < DSSE-KMS (two layers). 0 for an algorithm logkeep does not rank. */
static int s_sse_rank(const char *alg)
{
    if (!alg)
        return 0;
    if (!strcmp(alg, "AES256"))
        return 1;
    if (!strcmp(alg, "aws:kms"))
        return 2;
    if (!strcmp(alg, "aws:kms:dsse"))
        return 3;
    return 0;
}

static void s_encryption(struct s_ctx *c, const struct lk_ir_bucket *d,
                         const struct lk_ir_bucket *l, const struct lk_diff_unmodelled *um)
{
    if (!d->encryption.present)
        return;
    /* "Amazon S3 now applies server-side encryption with Amazon S3 managed keys (SSE-S3) as the
     * base level of encryption for every bucket" since January 5, 2023 (S3 User Guide, "Setting
     * default server-side encryption behavior"): no configuration means AES256. */
    const char *lalg =
        l->encryption.present && l->encryption.algorithm ? l->encryption.algorithm : "AES256";
    const char *lkey = l->encryption.present ? l->encryption.kms_key_id : NULL;
    bool lbk = l->encryption.present && l->encryption.bucket_key_enabled;
    const char *dalg = d->encryption.algorithm ? d->encryption.algorithm : "AES256";
    struct lk_diff_change *ch;
    int rd = s_sse_rank(dalg), rl = s_sse_rank(lalg);
    if (strcmp(dalg, lalg) != 0) {
        enum lk_diff_direction dir = !rd || !rl ? LK_DIFF_NEUTRAL
                                     : rl < rd  ? LK_DIFF_WEAKER
                                     : rl > rd  ? LK_DIFF_STRONGER
                                                : LK_DIFF_NEUTRAL;
        ch = s_add(c, "encryption.algorithm", LK_DIFF_CHANGED, dir, dalg, lalg);
        if (!l->encryption.present)
            s_note(c, ch, "no configuration: S3 encrypts with SSE-S3 by default");
    }
    if (rd >= 2 && rl >= 2) {
        /* Another key means another key policy decides who can read the logs; no key means the
         * AWS managed key aws/s3, which every principal of the account may use through S3. */
        if (!s_kms_same(d->encryption.kms_key_id, lkey)) {
            const char *dk =
                d->encryption.kms_key_id ? d->encryption.kms_key_id : "aws/s3 (AWS managed)";
            const char *lk = lkey ? lkey : "aws/s3 (AWS managed)";
            s_add(c, "encryption.kms_key_id", LK_DIFF_CHANGED,
                  d->encryption.kms_key_id ? LK_DIFF_WEAKER : LK_DIFF_STRONGER, dk, lk);
        }
        /* S3 Bucket Keys change the cost of KMS requests, not who can read. */
        if (d->encryption.bucket_key_enabled != lbk)
            s_add(c, "encryption.bucket_key_enabled", LK_DIFF_CHANGED, LK_DIFF_NEUTRAL,
                  s_bool(d->encryption.bucket_key_enabled), s_bool(lbk));
    }
    if (um && (um->bits & LK_S3_UNMODELLED_ENCRYPTION))
        s_note(c,
               s_add(c, "encryption.rules", LK_DIFF_CHANGED, LK_DIFF_NEUTRAL, "one default rule",
                     "several rules or blocked encryption types"),
               "not modelled");
}

static char *s_bucket_str(struct s_ctx *c, const struct lk_ir_bucket *b)
{
    return s_fmt(c,
                 "versioning %s; Object Lock %s; encryption %s; %zu lifecycle rules; %zu policy "
                 "statements",
                 s_versioning_str(b->versioning), s_lock_str(c, b),
                 b->encryption.present && b->encryption.algorithm ? b->encryption.algorithm
                                                                  : "AES256",
                 b->lifecycle.present ? b->lifecycle.n_rules : 0,
                 b->policy.present ? b->policy.n_statements : 0);
}

static const struct lk_diff_unmodelled *s_find_unmodelled(const struct lk_diff_unmodelled *um,
                                                          size_t n, enum lk_diff_resource res,
                                                          const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (um[i].resource == res && um[i].name && !strcmp(um[i].name, name))
            return &um[i];
    return NULL;
}

static void s_bucket(struct s_ctx *c, const struct lk_ir_bucket *d, const struct lk_ir_state *live,
                     const struct lk_diff_unmodelled *um)
{
    const struct lk_ir_bucket *l = NULL;
    for (size_t i = 0; i < live->n_buckets && !l; i++)
        if (s_streq(live->buckets[i].name, d->name))
            l = &live->buckets[i];
    s_at(c, LK_DIFF_BUCKET, d->name, d->region ? d->region : l ? l->region : NULL);
    if (!l || !l->exists) {
        s_add(c, "", LK_DIFF_MISSING, LK_DIFF_WEAKER, s_bucket_str(c, d), NULL);
        return;
    }
    if (d->region && l->region && strcmp(d->region, l->region) != 0)
        s_note(c, s_add(c, "region", LK_DIFF_CHANGED, LK_DIFF_NEUTRAL, d->region, l->region),
               "a bucket cannot move between regions");
    s_lifecycle(c, d, l, um);
    s_policy(c, d, l);
    s_versioning(c, d, l);
    s_object_lock(c, d, l);
    s_public_access_block(c, d, l);
    s_encryption(c, d, l, um);
}

/* ------------------------------------------------------------------------------ log groups */

static const char *s_region_or(const char *region, const char *dflt)
{
    return region ? region : dflt ? dflt : "";
}

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

/* The desired exact names, sorted by (region, name) for lookup. */
static struct s_group_ref *s_exact_index(struct s_ctx *c, const struct lk_ir_state *desired,
                                         size_t *n_out)
{
    struct s_group_ref *v =
        lk_arena_alloc(c->tmp, (desired->n_log_groups ? desired->n_log_groups : 1) * sizeof(*v));
    size_t n = 0;
    for (size_t i = 0; i < desired->n_log_groups; i++) {
        const struct lk_ir_log_group *g = &desired->log_groups[i];
        if (g->pattern)
            continue;
        v[n].region = s_region_or(g->region, desired->region);
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

static size_t s_literal_len(const char *pattern)
{
    size_t n = 0;
    for (; *pattern; pattern++)
        n += *pattern != '*';
    return n;
}

/* The desired pattern of @p region that governs @p name: the most specific (most literal
 * characters; bytewise first on a tie), or NULL. */
static const struct lk_ir_log_group *s_pattern_for(const struct lk_ir_state *desired,
                                                   const char *region, const char *name)
{
    const struct lk_ir_log_group *best = NULL;
    for (size_t i = 0; i < desired->n_log_groups; i++) {
        const struct lk_ir_log_group *p = &desired->log_groups[i];
        if (!p->pattern || strcmp(s_region_or(p->region, desired->region), region) != 0 ||
            !lk_logs_pattern_match(p->name, name))
            continue;
        if (!best || s_literal_len(p->name) > s_literal_len(best->name) ||
            (s_literal_len(p->name) == s_literal_len(best->name) &&
             strcmp(p->name, best->name) < 0))
            best = p;
    }
    return best;
}

/* Live retention against desired: shorter live retention deletes logs the policy keeps
 * (WEAKER; applying lengthens it, which is safe); longer live retention keeps logs the policy
 * deletes (STRONGER; applying deletes them: "Shortening retention deletes existing data
 * irreversibly", CloudWatch Logs deletes events past retention). 0 is never expire. */
static struct lk_diff_change *s_retention(struct s_ctx *c, int32_t want, int32_t have)
{
    int cmp = s_cmp_keep(have, want);
    if (!cmp)
        return NULL;
    struct lk_diff_change *ch =
        s_add(c, "retention_days", LK_DIFF_CHANGED, cmp < 0 ? LK_DIFF_WEAKER : LK_DIFF_STRONGER,
              s_retention_str(c, want), s_retention_str(c, have));
    if (cmp > 0)
        s_allow(c, ch, "shorten-retention:%s", c->name);
    return ch;
}

static void s_log_groups(struct s_ctx *c, const struct lk_ir_state *desired,
                         const struct lk_ir_state *live)
{
    size_t n_exact;
    struct s_group_ref *exact = s_exact_index(c, desired, &n_exact);

    /* Live groups, sorted the same way, for the exact lookups. */
    size_t nl = 0;
    struct s_group_ref *lv =
        lk_arena_alloc(c->tmp, (live->n_log_groups ? live->n_log_groups : 1) * sizeof(*lv));
    for (size_t i = 0; i < live->n_log_groups; i++) {
        const struct lk_ir_log_group *g = &live->log_groups[i];
        if (!g->exists || g->pattern)
            continue;
        lv[nl].region = s_region_or(g->region, desired->region);
        lv[nl].name = g->name;
        lv[nl++].g = g;
    }
    if (nl > 1)
        qsort(lv, nl, sizeof(*lv), s_cmp_group_ref);

    for (size_t i = 0; i < n_exact; i++) {
        const struct lk_ir_log_group *d = exact[i].g;
        s_at(c, LK_DIFF_LOG_GROUP, d->name, exact[i].region);
        const struct lk_ir_log_group *l = s_exact_find(lv, nl, exact[i].region, d->name);
        if (!l) {
            s_add(c, "", LK_DIFF_MISSING, LK_DIFF_WEAKER,
                  s_fmt(c, "retention %s", s_retention_str(c, d->retention_days)), NULL);
            continue;
        }
        s_retention(c, d->retention_days, l->retention_days);
        if (d->kms_key_id && !s_kms_same(d->kms_key_id, l->kms_key_id))
            s_add(c, "kms_key_id", LK_DIFF_CHANGED, LK_DIFF_WEAKER, d->kms_key_id,
                  l->kms_key_id ? l->kms_key_id : "none");
    }

    bool *matched = lk_arena_alloc(c->tmp, (desired->n_log_groups ? desired->n_log_groups : 1) *
                                               sizeof(*matched));
    for (size_t i = 0; i < nl; i++) {
        if (s_exact_find(exact, n_exact, lv[i].region, lv[i].name))
            continue;
        const struct lk_ir_log_group *p = s_pattern_for(desired, lv[i].region, lv[i].name);
        if (!p)
            continue;
        matched[p - desired->log_groups] = true;
        s_at(c, LK_DIFF_LOG_GROUP, lv[i].name, lv[i].region);
        struct lk_diff_change *ch = s_retention(c, p->retention_days, lv[i].g->retention_days);
        if (ch)
            s_note(c, ch, "governed by pattern %s", p->name);
    }
    for (size_t i = 0; i < desired->n_log_groups; i++) {
        const struct lk_ir_log_group *p = &desired->log_groups[i];
        if (!p->pattern || matched[i])
            continue;
        s_at(c, LK_DIFF_LOG_GROUP, p->name, s_region_or(p->region, desired->region));
        s_note(c, s_add(c, "", LK_DIFF_NOTE, LK_DIFF_NEUTRAL, NULL, NULL),
               "pattern matches no live log group");
    }
}

/* ------------------------------------------------------------------------------ trails */

static bool s_rw_covers(const char *rw, bool read)
{
    if (!rw || !strcmp(rw, "All"))
        return true;
    return read ? !strcmp(rw, "ReadOnly") : !strcmp(rw, "WriteOnly");
}

static bool s_list_has(const struct lk_ir_string_list *l, const char *s)
{
    for (size_t i = 0; i < l->n; i++)
        if (!strcmp(l->items[i], s))
            return true;
    return false;
}

/* Whether trail @p t records management events of kind @p read from event source @p source
 * (NULL: a source no selector excludes). Events are recorded when any selector records them
 * (CloudTrail User Guide, "Logging management events"; ExcludeManagementEventSources). */
static bool s_mgmt_logged(const struct lk_ir_trail *t, bool read, const char *source)
{
    for (size_t i = 0; i < t->n_event_selectors; i++) {
        const struct lk_ir_event_selector *e = &t->event_selectors[i];
        if (e->include_management_events && s_rw_covers(e->read_write_type, read) &&
            (!source || !s_list_has(&e->exclude_management_event_sources, source)))
            return true;
    }
    return false;
}

/* Whether trail @p t records data events of @p type on resource ARN @p value. A selector value
 * is an ARN prefix ("arn:aws:s3:::bucket/prefix", or "arn:aws:s3" for every bucket) (CloudTrail
 * API Reference, DataResource Values). */
static bool s_data_logged(const struct lk_ir_trail *t, bool read, const char *type,
                          const char *value)
{
    for (size_t i = 0; i < t->n_event_selectors; i++) {
        const struct lk_ir_event_selector *e = &t->event_selectors[i];
        if (!s_rw_covers(e->read_write_type, read))
            continue;
        for (size_t d = 0; d < e->n_data_resources; d++) {
            const struct lk_ir_data_resource *r = &e->data_resources[d];
            if (!s_streq(r->type, type))
                continue;
            for (size_t v = 0; v < r->values.n; v++)
                if (s_starts_with(value, r->values.items[v]))
                    return true;
        }
    }
    return false;
}

/* Whether trail @p w records every event @p n records (by event selectors). */
static bool s_selectors_cover(const struct lk_ir_trail *w, const struct lk_ir_trail *n)
{
    for (int read = 0; read < 2; read++) {
        if (s_mgmt_logged(n, read, NULL) && !s_mgmt_logged(w, read, NULL))
            return false;
        for (int side = 0; side < 2; side++) {
            const struct lk_ir_trail *t = side ? n : w;
            for (size_t i = 0; i < t->n_event_selectors; i++) {
                const struct lk_ir_string_list *ex =
                    &t->event_selectors[i].exclude_management_event_sources;
                for (size_t k = 0; k < ex->n; k++)
                    if (s_mgmt_logged(n, read, ex->items[k]) &&
                        !s_mgmt_logged(w, read, ex->items[k]))
                        return false;
            }
        }
        for (size_t i = 0; i < n->n_event_selectors; i++) {
            const struct lk_ir_event_selector *e = &n->event_selectors[i];
            if (!s_rw_covers(e->read_write_type, read))
                continue;
            for (size_t d = 0; d < e->n_data_resources; d++)
                for (size_t v = 0; v < e->data_resources[d].values.n; v++)
                    if (!s_data_logged(w, read, e->data_resources[d].type,
                                       e->data_resources[d].values.items[v]))
                        return false;
        }
    }
    return true;
}

static char *s_selectors_str(struct s_ctx *c, const struct lk_ir_trail *t)
{
    if (!t->n_event_selectors)
        return s_fmt(c, "none");
    struct lk_buf b;
    lk_buf_init(&b);
    for (size_t i = 0; i < t->n_event_selectors; i++) {
        const struct lk_ir_event_selector *e = &t->event_selectors[i];
        lk_buf_printf(&b, "%s%s, management events %s", i ? "; " : "",
                      e->read_write_type ? e->read_write_type : "All",
                      e->include_management_events ? "on" : "off");
        if (e->exclude_management_event_sources.n) {
            lk_buf_puts(&b, " except ");
            s_join_list(&b, &e->exclude_management_event_sources);
        }
        for (size_t d = 0; d < e->n_data_resources; d++) {
            lk_buf_printf(&b, ", data %s=", e->data_resources[d].type);
            s_join_list(&b, &e->data_resources[d].values);
        }
    }
    return s_done(c, &b);
}

/* A trail setting that records or protects more when true. */
static void s_trail_flag(struct s_ctx *c, const char *attr, bool d, bool l, const char *verb,
                         const char *trail)
{
    if (d == l)
        return;
    struct lk_diff_change *ch = s_add(c, attr, LK_DIFF_CHANGED,
                                      d ? LK_DIFF_WEAKER : LK_DIFF_STRONGER, s_bool(d), s_bool(l));
    if (!d && verb)
        s_allow(c, ch, "%s:%s", verb, trail);
}

/* CloudWatchLogsLogGroupArn is written with and may be read back with the ":*" suffix. */
static char *s_cwl_arn(struct s_ctx *c, const char *arn)
{
    if (!arn)
        return NULL;
    size_t n = strlen(arn);
    if (n >= 2 && !strcmp(arn + n - 2, ":*"))
        n -= 2;
    return lk_arena_strndup(c->tmp, arn, n);
}

/* S3KeyPrefix: none, "" and a trailing '/' all mean the same key layout (CloudTrail adds the
 * '/' itself, CloudTrail API Reference, CreateTrail S3KeyPrefix). */
static char *s_key_prefix(struct s_ctx *c, const char *p)
{
    size_t n = p ? strlen(p) : 0;
    while (n && p[n - 1] == '/')
        n--;
    return lk_arena_strndup(c->tmp, p ? p : "", n);
}

static char *s_trail_str(struct s_ctx *c, const struct lk_ir_trail *t)
{
    return s_fmt(c, "S3 bucket %s; multi-Region %s; log file validation %s; logging %s",
                 t->s3_bucket_name ? t->s3_bucket_name : "none",
                 t->is_multi_region_trail ? "on" : "off",
                 t->enable_log_file_validation ? "on" : "off", t->is_logging ? "on" : "off");
}

static void s_trail(struct s_ctx *c, const struct lk_ir_state *desired, const struct lk_ir_trail *d,
                    const struct lk_ir_state *live, const struct lk_diff_unmodelled *um)
{
    const char *home = s_region_or(d->home_region, desired->region);
    const struct lk_ir_trail *l = NULL;
    /* A multi-Region trail is listed in every region (shadow trails): prefer its home copy. */
    for (size_t i = 0; i < live->n_trails; i++) {
        const struct lk_ir_trail *t = &live->trails[i];
        if (!s_streq(t->name, d->name))
            continue;
        if (!l || (!s_streq(l->home_region, home) && s_streq(t->home_region, home)) ||
            (!l->exists && t->exists))
            l = t;
    }
    s_at(c, LK_DIFF_TRAIL, d->name, home);
    if (!l || !l->exists) {
        s_add(c, "", LK_DIFF_MISSING, LK_DIFF_WEAKER, s_trail_str(c, d), NULL);
        return;
    }
    struct lk_diff_change *ch;
    if (l->home_region && !s_streq(l->home_region, home))
        s_add(c, "trail.home_region", LK_DIFF_CHANGED, LK_DIFF_NEUTRAL, home, l->home_region);
    if (!s_streq(d->s3_bucket_name, l->s3_bucket_name)) {
        ch = s_add(c, "trail.s3_bucket_name", LK_DIFF_CHANGED, LK_DIFF_WEAKER,
                   d->s3_bucket_name ? d->s3_bucket_name : "none",
                   l->s3_bucket_name ? l->s3_bucket_name : "none");
        s_note(c, ch, "logs go where the policy does not govern them");
    }
    const char *dp = s_key_prefix(c, d->s3_key_prefix), *lp = s_key_prefix(c, l->s3_key_prefix);
    if (strcmp(dp, lp) != 0)
        s_add(c, "trail.s3_key_prefix", LK_DIFF_CHANGED, LK_DIFF_NEUTRAL, *dp ? dp : "none",
              *lp ? lp : "none");
    s_trail_flag(c, "trail.include_global_service_events", d->include_global_service_events,
                 l->include_global_service_events, "reduce-logging", d->name);
    s_trail_flag(c, "trail.is_multi_region_trail", d->is_multi_region_trail,
                 l->is_multi_region_trail, "reduce-logging", d->name);
    s_trail_flag(c, "trail.is_organization_trail", d->is_organization_trail,
                 l->is_organization_trail, "reduce-logging", d->name);
    s_trail_flag(c, "trail.enable_log_file_validation", d->enable_log_file_validation,
                 l->enable_log_file_validation, "disable-validation", d->name);
    s_trail_flag(c, "trail.is_logging", d->is_logging, l->is_logging, "stop-logging", d->name);

    if (!s_kms_same(d->kms_key_id, l->kms_key_id)) {
        if (!l->kms_key_id)
            s_add(c, "trail.kms_key_id", LK_DIFF_MISSING, LK_DIFF_WEAKER, d->kms_key_id, NULL);
        else if (!d->kms_key_id)
            s_add(c, "trail.kms_key_id", LK_DIFF_EXTRA, LK_DIFF_STRONGER, NULL, l->kms_key_id);
        else
            s_add(c, "trail.kms_key_id", LK_DIFF_CHANGED, LK_DIFF_WEAKER, d->kms_key_id,
                  l->kms_key_id);
    }
    const char *dg = s_cwl_arn(c, d->cloud_watch_logs_log_group_arn);
    const char *lg = s_cwl_arn(c, l->cloud_watch_logs_log_group_arn);
    if (!s_streq(dg, lg)) {
        if (!lg) {
            s_add(c, "trail.cloud_watch_logs_log_group_arn", LK_DIFF_MISSING, LK_DIFF_WEAKER, dg,
                  NULL);
        } else if (!dg) {
            ch = s_add(c, "trail.cloud_watch_logs_log_group_arn", LK_DIFF_EXTRA, LK_DIFF_STRONGER,
                       NULL, lg);
            s_allow(c, ch, "reduce-logging:%s", d->name);
        } else {
            s_add(c, "trail.cloud_watch_logs_log_group_arn", LK_DIFF_CHANGED, LK_DIFF_WEAKER, dg,
                  lg);
        }
    } else if (dg && !s_streq(d->cloud_watch_logs_role_arn, l->cloud_watch_logs_role_arn)) {
        s_add(c, "trail.cloud_watch_logs_role_arn", LK_DIFF_CHANGED, LK_DIFF_NEUTRAL,
              d->cloud_watch_logs_role_arn ? d->cloud_watch_logs_role_arn : "none",
              l->cloud_watch_logs_role_arn ? l->cloud_watch_logs_role_arn : "none");
    }

    if (um && (um->bits & LK_CLOUDTRAIL_UNMODELLED_ADVANCED_SELECTORS)) {
        /* Advanced event selectors replace the basic ones; PutEventSelectors with basic
         * selectors replaces them in turn, dropping whatever they recorded. */
        ch = s_add(c, "trail.event_selectors", LK_DIFF_CHANGED, LK_DIFF_NEUTRAL,
                   s_selectors_str(c, d), "advanced event selectors");
        s_note(c, ch, "advanced event selectors are not modelled");
        s_allow(c, ch, "reduce-logging:%s", d->name);
        return;
    }
    bool lcd = s_selectors_cover(l, d), dcl = s_selectors_cover(d, l);
    if (lcd && dcl)
        return;
    ch = s_add(c, "trail.event_selectors", LK_DIFF_CHANGED,
               dcl   ? LK_DIFF_WEAKER
               : lcd ? LK_DIFF_STRONGER
                     : LK_DIFF_WEAKER,
               s_selectors_str(c, d), s_selectors_str(c, l));
    if (!dcl)
        s_allow(c, ch, "reduce-logging:%s", d->name);
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

static void s_ctx_init(struct s_ctx *c, struct lk_diff *out, struct lk_arena *tmp,
                       const struct lk_ir_state *desired)
{
    memset(c, 0, sizeof(*c));
    c->out = out;
    c->tmp = tmp;
    c->partition = desired->partition ? desired->partition : "aws";
}

int lk_diff_states_ex(const struct lk_ir_state *desired, const struct lk_ir_state *live,
                      const struct lk_diff_unmodelled *unmodelled, size_t n_unmodelled,
                      struct lk_diff *out)
{
    int rc = LK_DIFF_OK;
    struct lk_arena tmp;
    lk_arena_init(&tmp);
    S_ENSURE(desired && live && out && (unmodelled || n_unmodelled == 0), LK_DIFF_EINVAL);
    struct s_ctx c;
    s_ctx_init(&c, out, &tmp, desired);
    for (size_t i = 0; i < desired->n_buckets; i++)
        s_bucket(
            &c, &desired->buckets[i], live,
            s_find_unmodelled(unmodelled, n_unmodelled, LK_DIFF_BUCKET, desired->buckets[i].name));
    s_log_groups(&c, desired, live);
    for (size_t i = 0; i < desired->n_trails; i++)
        s_trail(
            &c, desired, &desired->trails[i], live,
            s_find_unmodelled(unmodelled, n_unmodelled, LK_DIFF_TRAIL, desired->trails[i].name));
    s_sort(out);
cleanup:
    lk_arena_destroy(&tmp);
    return rc;
}

int lk_diff_states(const struct lk_ir_state *desired, const struct lk_ir_state *live,
                   struct lk_diff *out)
{
    return lk_diff_states_ex(desired, live, NULL, 0, out);
}

int lk_diff_log_groups_unmanaged(const struct lk_ir_state *desired,
                                 const struct lk_ir_log_group *groups, size_t n,
                                 struct lk_diff *out)
{
    int rc = LK_DIFF_OK;
    struct lk_arena tmp;
    lk_arena_init(&tmp);
    S_ENSURE(desired && out && (groups || n == 0), LK_DIFF_EINVAL);
    struct s_ctx c;
    s_ctx_init(&c, out, &tmp, desired);
    size_t n_exact;
    struct s_group_ref *exact = s_exact_index(&c, desired, &n_exact);
    const char *home = s_region_or(desired->region, NULL);
    for (size_t i = 0; i < n; i++) {
        const struct lk_ir_log_group *g = &groups[i];
        const char *region = s_region_or(g->region, desired->region);
        if (!g->exists || g->pattern || s_exact_find(exact, n_exact, region, g->name) ||
            s_pattern_for(desired, region, g->name))
            continue;
        s_at(&c, LK_DIFF_UNMANAGED_LOG_GROUP, g->name, region);
        /* The unmanaged rule is set in the policy's own region (emit_logs.c). */
        if (desired->unmanaged_set && !strcmp(region, home)) {
            struct lk_diff_change *ch =
                s_retention(&c, desired->unmanaged_retention_days, g->retention_days);
            if (ch) {
                s_note(&c, ch, "no source names it: the unmanaged rule applies");
                if (ch->data_loss)
                    ch->allow_name =
                        lk_arena_strdup(&out->arena, LK_DIFF_ALLOW_UNMANAGED_RETENTION);
            }
        } else if (g->retention_days == 0) {
            s_note(&c, s_add(&c, "retention_days", LK_DIFF_NOTE, LK_DIFF_NEUTRAL, NULL, NULL),
                   "never expires, and no unmanaged rule covers it");
        }
    }
    s_sort(out);
cleanup:
    lk_arena_destroy(&tmp);
    return rc;
}

/* @return true when @p a starts with @p b or @p b with @p a: a lifecycle rule whose prefix is
 * one reaches (some of) the keys under the other. */
static bool s_prefix_related(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    return !strncmp(a, b, la < lb ? la : lb);
}

/* Whether an enabled rule of @p l expires current objects under where @p d writes (anywhere
 * when @p d is NULL). A rule whose prefix is narrower than that ("AWSLogs/<account>/" for a
 * trail of one account) counts: the check finds logs that nothing deletes, not rules that miss
 * a corner. */
static bool s_delivery_expires(struct s_ctx *c, const struct lk_ir_lifecycle *l,
                               const struct lk_ir_delivery *d)
{
    /* CloudTrail writes to "<prefix>/AWSLogs/<account>/CloudTrail/...", or "AWSLogs/..."
     * without a prefix (CloudTrail User Guide, "Finding your CloudTrail log files"). */
    const char *root = !d                                ? ""
                       : d->key_prefix && *d->key_prefix ? s_fmt(c, "%s/AWSLogs/", d->key_prefix)
                                                         : "AWSLogs/";
    for (size_t i = 0; l->present && i < l->n_rules; i++) {
        const struct lk_ir_lifecycle_rule *r = &l->rules[i];
        if (r->enabled && r->expiration_days > 0 && s_prefix_related(root, s_opt(r->prefix)))
            return true;
    }
    return false;
}

/* "trail a (us-east-1), trail b (eu-west-1)", at most three named. */
static char *s_deliveries_str(struct s_ctx *c, const struct lk_ir_delivery *ds, size_t n)
{
    struct lk_buf b;
    lk_buf_init(&b);
    for (size_t i = 0; i < n && i < 3; i++) {
        const struct lk_ir_delivery *d = &ds[i];
        lk_buf_printf(&b, "%s%s %s", i ? ", " : "",
                      !strcmp(s_opt(d->service), "cloudtrail") ? "trail" : s_opt(d->service),
                      s_opt(d->name));
        if (d->region)
            lk_buf_printf(&b, " (%s)", d->region);
    }
    if (n > 3)
        lk_buf_printf(&b, " and %zu more", n - 3);
    if (n == 0)
        lk_buf_puts(&b, "a log delivery");
    return s_done(c, &b);
}

int lk_diff_stores_unmanaged(const struct lk_ir_state *desired,
                             const struct lk_ir_unmanaged_store *stores, size_t n,
                             struct lk_diff *out)
{
    int rc = LK_DIFF_OK;
    struct lk_arena tmp;
    lk_arena_init(&tmp);
    S_ENSURE(desired && out && (stores || n == 0), LK_DIFF_EINVAL);
    struct s_ctx c;
    s_ctx_init(&c, out, &tmp, desired);
    for (size_t i = 0; i < n; i++) {
        const struct lk_ir_unmanaged_store *u = &stores[i];
        bool governed = false;
        for (size_t k = 0; k < desired->n_buckets && !governed; k++)
            governed = !strcmp(desired->buckets[k].name, u->bucket);
        if (governed)
            continue;
        s_at(&c, LK_DIFF_UNMANAGED_STORE, u->bucket, u->region);
        const char *from = s_deliveries_str(&c, u->deliveries, u->n_deliveries);
        if (u->error) {
            s_note(&c, s_add(&c, "lifecycle", LK_DIFF_NOTE, LK_DIFF_NEUTRAL, NULL, NULL),
                   "receives the logs of %s but cannot be read (%s): its lifecycle is not "
                   "checked",
                   from, u->error);
            continue;
        }
        if (!u->exists) {
            s_note(&c, s_add(&c, "", LK_DIFF_NOTE, LK_DIFF_NEUTRAL, NULL, NULL),
                   "does not exist: the deliveries of %s fail", from);
            continue;
        }
        /* The deliveries whose logs nothing deletes, named in the finding. */
        struct lk_ir_delivery *kept =
            lk_arena_alloc(&tmp, (u->n_deliveries ? u->n_deliveries : 1) * sizeof(*kept));
        size_t n_kept = 0;
        for (size_t k = 0; k < u->n_deliveries; k++)
            if (!s_delivery_expires(&c, &u->lifecycle, &u->deliveries[k]))
                kept[n_kept++] = u->deliveries[k];
        if (u->n_deliveries == 0 ? s_delivery_expires(&c, &u->lifecycle, NULL) : n_kept == 0)
            continue;
        from = s_deliveries_str(&c, kept, n_kept);
        if (u->lifecycle_unmodelled) {
            s_note(&c, s_add(&c, "lifecycle.expiration", LK_DIFF_NOTE, LK_DIFF_NEUTRAL, NULL, NULL),
                   "receives the logs of %s; no rule logkeep can read expires them, and the "
                   "lifecycle holds rules it cannot (dates, tag or size filters): check them",
                   from);
            continue;
        }
        const char *attr = u->lifecycle.present ? "lifecycle.expiration" : "lifecycle";
        const char *why = u->lifecycle.present ? "no lifecycle rule expires them"
                                               : "it has no lifecycle configuration";
        if (desired->unmanaged_set) {
            struct lk_diff_change *ch =
                s_add(&c, attr, LK_DIFF_EXTRA, LK_DIFF_STRONGER, NULL, "none");
            s_note(&c, ch, "no store names it; it receives the logs of %s, and %s: kept forever",
                   from, why);
        } else {
            s_note(&c, s_add(&c, attr, LK_DIFF_NOTE, LK_DIFF_NEUTRAL, NULL, NULL),
                   "no store names it; it receives the logs of %s, and %s: kept forever", from,
                   why);
        }
    }
    s_sort(out);
cleanup:
    lk_arena_destroy(&tmp);
    return rc;
}

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

const char *lk_diff_resource_name(enum lk_diff_resource resource)
{
    switch (resource) {
    case LK_DIFF_BUCKET:
        return "bucket";
    case LK_DIFF_LOG_GROUP:
        return "log_group";
    case LK_DIFF_TRAIL:
        return "trail";
    case LK_DIFF_UNMANAGED_LOG_GROUP:
        return "unmanaged_log_group";
    case LK_DIFF_UNMANAGED_STORE:
        return "unmanaged_store";
    }
    return "?";
}

const char *lk_diff_kind_name(enum lk_diff_kind kind)
{
    switch (kind) {
    case LK_DIFF_MISSING:
        return "add";
    case LK_DIFF_CHANGED:
        return "change";
    case LK_DIFF_EXTRA:
        return "remove";
    case LK_DIFF_NOTE:
        return "note";
    }
    return "?";
}

const char *lk_diff_direction_name(enum lk_diff_direction direction)
{
    switch (direction) {
    case LK_DIFF_WEAKER:
        return "weaker";
    case LK_DIFF_STRONGER:
        return "stronger";
    case LK_DIFF_NEUTRAL:
        break;
    }
    return "neutral";
}

/* ------------------------------------------------------------------------------ rendering */

#define S_RESET "\033[0m"

static const char *s_resource_title(enum lk_diff_resource r)
{
    switch (r) {
    case LK_DIFF_BUCKET:
        return "bucket";
    case LK_DIFF_LOG_GROUP:
        return "log group";
    case LK_DIFF_TRAIL:
        return "trail";
    case LK_DIFF_UNMANAGED_LOG_GROUP:
        return "unmanaged log group";
    case LK_DIFF_UNMANAGED_STORE:
        return "unmanaged store";
    }
    return "?";
}

static bool s_same_resource(const struct lk_diff_change *a, const struct lk_diff_change *b)
{
    return a->resource == b->resource && !strcmp(a->name, b->name) && s_streq(a->region, b->region);
}

static void s_render_change(struct lk_buf *b, const struct lk_diff_change *ch, bool color)
{
    static const char sym[] = {'+', '~', '-', '#'};
    static const char *const sym_color[] = {"\033[32m", "\033[33m", "\033[31m", "\033[2m"};
    /* The resource as a whole is shown by its kind ("+ bucket = ..."). */
    const char *attr = ch->attribute[0] ? ch->attribute : lk_diff_resource_name(ch->resource);
    lk_buf_puts(b, "  ");
    if (color)
        lk_buf_puts(b, sym_color[ch->kind]);
    lk_buf_putc(b, sym[ch->kind]);
    if (color)
        lk_buf_puts(b, S_RESET);
    switch (ch->kind) {
    case LK_DIFF_MISSING:
        lk_buf_printf(b, " %s = %s", attr, ch->desired ? ch->desired : "");
        break;
    case LK_DIFF_CHANGED:
        lk_buf_printf(b, " %s: %s -> %s", attr, ch->live ? ch->live : "",
                      ch->desired ? ch->desired : "");
        break;
    case LK_DIFF_EXTRA:
        lk_buf_printf(b, " %s = %s", attr, ch->live ? ch->live : "");
        break;
    case LK_DIFF_NOTE:
        lk_buf_printf(b, " %s: %s", attr, ch->note ? ch->note : "");
        break;
    }
    if (ch->direction == LK_DIFF_WEAKER)
        lk_buf_puts(b, color ? "  \033[1;31m[weaker]" S_RESET : "  [weaker]");
    else if (ch->direction == LK_DIFF_STRONGER)
        lk_buf_puts(b, color ? "  \033[36m[stronger]" S_RESET : "  [stronger]");
    if (ch->data_loss)
        lk_buf_printf(b, color ? "  \033[1m(needs --allow %s)" S_RESET : "  (needs --allow %s)",
                      ch->allow_name);
    if (ch->note && ch->kind != LK_DIFF_NOTE)
        lk_buf_printf(b, "  # %s", ch->note);
    lk_buf_putc(b, '\n');
}

int lk_diff_render_text(const struct lk_diff *diff, FILE *f, bool color)
{
    int rc = LK_DIFF_OK;
    struct lk_buf b;
    lk_buf_init(&b);
    S_ENSURE(diff && f, LK_DIFF_EINVAL);
    for (size_t i = 0; i < diff->n; i++) {
        const struct lk_diff_change *ch = &diff->changes[i];
        if (i == 0 || !s_same_resource(ch, &diff->changes[i - 1])) {
            if (i)
                lk_buf_putc(&b, '\n');
            lk_buf_printf(&b, color ? "\033[1m%s %s" S_RESET : "%s %s",
                          s_resource_title(ch->resource), ch->name);
            if (ch->region)
                lk_buf_printf(&b, " (%s)", ch->region);
            lk_buf_puts(&b, ":\n");
        }
        s_render_change(&b, ch, color);
    }
    struct lk_diff_summary s;
    lk_diff_summarize(diff, &s);
    if (diff->n)
        lk_buf_putc(&b, '\n');
    if (s.to_add + s.to_change + s.to_remove == 0)
        lk_buf_puts(&b, "No changes: live state matches the policy.\n");
    lk_buf_printf(&b, "%zu to add, %zu to change, %zu to remove", s.to_add, s.to_change,
                  s.to_remove);
    if (s.unmanaged_stores)
        lk_buf_printf(&b, ", of which %zu unmanaged store%s that apply leaves alone",
                      s.unmanaged_stores, s.unmanaged_stores == 1 ? "" : "s");
    lk_buf_printf(&b, " (%zu weaker than policy; %zu need --allow)\n", s.weaker, s.need_allow);
    S_ENSURE(fwrite(b.data, 1, b.len, f) == b.len, LK_DIFF_EIO);
    S_ENSURE(fflush(f) == 0, LK_DIFF_EIO);
cleanup:
    lk_buf_free(&b);
    return rc;
}

static void s_json_str(cJSON *o, const char *key, const char *value)
{
    if (value)
        cJSON_AddStringToObject(o, key, value);
    else
        cJSON_AddNullToObject(o, key);
}

char *lk_diff_to_json(const struct lk_diff *diff)
{
    if (!diff)
        return NULL;
    cJSON *root = cJSON_CreateObject();
    if (!root)
        lk_oom();
    cJSON_AddNumberToObject(root, "format_version", 1);
    cJSON *changes = cJSON_AddArrayToObject(root, "changes");
    for (size_t i = 0; i < diff->n; i++) {
        const struct lk_diff_change *ch = &diff->changes[i];
        cJSON *o = cJSON_CreateObject();
        if (!o)
            lk_oom();
        cJSON_AddStringToObject(o, "resource", lk_diff_resource_name(ch->resource));
        s_json_str(o, "name", ch->name);
        s_json_str(o, "region", ch->region);
        s_json_str(o, "attribute", ch->attribute);
        cJSON_AddStringToObject(o, "action", lk_diff_kind_name(ch->kind));
        cJSON_AddStringToObject(o, "direction", lk_diff_direction_name(ch->direction));
        s_json_str(o, "desired", ch->desired);
        s_json_str(o, "live", ch->live);
        cJSON_AddBoolToObject(o, "data_loss", ch->data_loss);
        s_json_str(o, "allow_name", ch->allow_name);
        s_json_str(o, "note", ch->note);
        cJSON_AddItemToArray(changes, o);
    }
    struct lk_diff_summary s;
    lk_diff_summarize(diff, &s);
    cJSON *sum = cJSON_AddObjectToObject(root, "summary");
    cJSON_AddNumberToObject(sum, "add", (double)s.to_add);
    cJSON_AddNumberToObject(sum, "change", (double)s.to_change);
    cJSON_AddNumberToObject(sum, "remove", (double)s.to_remove);
    cJSON_AddNumberToObject(sum, "unmanaged_stores", (double)s.unmanaged_stores);
    cJSON_AddNumberToObject(sum, "notes", (double)s.notes);
    cJSON_AddNumberToObject(sum, "weaker", (double)s.weaker);
    cJSON_AddNumberToObject(sum, "stronger", (double)s.stronger);
    cJSON_AddNumberToObject(sum, "need_allow", (double)s.need_allow);
    char *text = cJSON_Print(root);
    cJSON_Delete(root);
    if (!text)
        lk_oom();
    return text;
}
