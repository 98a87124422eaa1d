/*
 * logkeep runtime: the diff of S3 lifecycle configurations (rules paired by ID: status, filter
 * prefix, expirations, transitions, housekeeping; what the IR cannot hold), as emit_s3.c writes
 * them; and for a bucket that receives logs but that no store names, whether any lifecycle rule
 * ever deletes them.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/diff/diff_int.h"

/* ------------------------------------------------------------------------------ rules */

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
static size_t s_transition_set(struct lk_diff_ctx *c, const struct lk_ir_lifecycle_rule *r,
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

static bool s_transitions_equal(struct lk_diff_ctx *c, const struct lk_ir_lifecycle_rule *a,
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

static char *s_transitions_str(struct lk_diff_ctx *c, const struct lk_ir_lifecycle_rule *r)
{
    struct lk_ir_transition *t;
    size_t n = s_transition_set(c, r, &t);
    if (!n)
        return lk_diff_fmt(c, "none");
    struct lk_buf b;
    lk_buf_init(&b, LK_BUF_MAX_LINE);
    for (size_t i = 0; i < n; i++)
        lk_buf_printf(&b, "%s%dd %s", i ? ", " : "", (int)t[i].days,
                      lk_ir_storage_class_api(t[i].storage_class));
    return lk_diff_done(c, &b);
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

static char *s_rule_str(struct lk_diff_ctx *c, const struct lk_ir_lifecycle_rule *r)
{
    struct lk_buf b;
    lk_buf_init(&b, LK_BUF_MAX_LINE);
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
    return lk_diff_done(c, &b);
}

/* @return true when live bucket @p lb reports rule @p id as filtering on tags or size. */
static bool s_has_id(const struct lk_ir_bucket *lb, const char *id)
{
    const struct lk_ir_string_list *ids = &lb->unmodelled_filter_rule_ids;
    for (size_t i = 0; i < ids->n; i++)
        if (ids->items[i] && !strcmp(ids->items[i], id))
            return true;
    return false;
}

/* Both sides hold rule @p d->id. */
static void s_rule_changes(struct lk_diff_ctx *c, const char *bucket,
                           const struct lk_ir_lifecycle_rule *d,
                           const struct lk_ir_lifecycle_rule *l, bool filter_unmodelled)
{
    const char *at = lk_diff_fmt(c, "lifecycle.rule[%s]", d->id);
    struct lk_diff_change *ch;

    if (d->enabled != l->enabled) {
        /* A disabled rule does nothing: live disabled against desired enabled is the live side
         * lacking the rule's actions. */
        const struct lk_ir_lifecycle_rule *on = d->enabled ? d : l;
        enum lk_diff_direction dir = !s_rule_acts(on) ? LK_DIFF_NEUTRAL
                                     : d->enabled     ? LK_DIFF_STRONGER
                                                      : LK_DIFF_WEAKER;
        ch = lk_diff_add(c, lk_diff_fmt(c, "%s.status", at), LK_DIFF_CHANGED, dir,
                         d->enabled ? "Enabled" : "Disabled", l->enabled ? "Enabled" : "Disabled");
        if (d->enabled && s_rule_expires(d))
            lk_diff_allow(c, ch, "expire-earlier:%s/%s", bucket, d->id);
    }

    if (filter_unmodelled) {
        /* The live rule filters on tags or object size, which logkeep never writes: its reach
         * cannot be compared. Applying replaces it with a plain prefix filter, which may make
         * the desired expiration reach objects the live filter spared. */
        ch = lk_diff_add(
            c, lk_diff_fmt(c, "%s.filter", at), LK_DIFF_CHANGED, LK_DIFF_NEUTRAL,
            lk_diff_fmt(c, "prefix \"%s\"", d->prefix ? d->prefix : ""),
            lk_diff_fmt(c, "tag or object-size filter, prefix \"%s\"", l->prefix ? l->prefix : ""));
        lk_diff_note(c, ch, "the live filter is not modelled");
        if (s_rule_expires(d))
            lk_diff_allow(c, ch, "expire-earlier:%s/%s", bucket, d->id);
    } else if (!lk_diff_streq(d->prefix, l->prefix)) {
        /* A shorter live prefix covers more keys: its expiration and transitions reach logs the
         * policy does not put under this rule. */
        enum lk_diff_direction dir = LK_DIFF_NEUTRAL;
        if (s_rule_acts(l) && lk_diff_starts_with(d->prefix, l->prefix))
            dir = LK_DIFF_WEAKER;
        else if (s_rule_acts(d) && lk_diff_starts_with(l->prefix, d->prefix))
            dir = LK_DIFF_STRONGER;
        ch = lk_diff_add(c, lk_diff_fmt(c, "%s.prefix", at), LK_DIFF_CHANGED, dir,
                         lk_diff_fmt(c, "\"%s\"", d->prefix ? d->prefix : ""),
                         lk_diff_fmt(c, "\"%s\"", l->prefix ? l->prefix : ""));
        /* Applying is safe only when the desired prefix selects a subset of the live one. */
        if (s_rule_expires(d) && !lk_diff_starts_with(d->prefix, l->prefix))
            lk_diff_allow(c, ch, "expire-earlier:%s/%s", bucket, d->id);
    }

    /* A live rule keeping logs longer is STRONGER: applying the desired one deletes them. */
    ch =
        lk_diff_keep_days(c, at, "expiration_days", d->expiration_days, l->expiration_days, "none");
    if (ch && ch->direction == LK_DIFF_STRONGER)
        lk_diff_allow(c, ch, "expire-earlier:%s/%s", bucket, d->id);
    /* Noncurrent versions are the copies versioning keeps of overwritten or deleted logs. */
    ch = lk_diff_keep_days(c, at, "noncurrent_expiration_days", d->noncurrent_expiration_days,
                           l->noncurrent_expiration_days, "none");
    if (ch && ch->direction == LK_DIFF_STRONGER)
        lk_diff_allow(c, ch, "expire-earlier:%s/%s", bucket, d->id);
    if (!s_transitions_equal(c, d, l))
        lk_diff_add(c, lk_diff_fmt(c, "%s.transitions", at), LK_DIFF_CHANGED,
                    s_transitions_dir(d, l), s_transitions_str(c, d), s_transitions_str(c, l));
    /* Housekeeping: incomplete multipart uploads are not logs yet, and an expired delete marker
     * hides nothing. */
    if (d->abort_incomplete_upload_days != l->abort_incomplete_upload_days)
        lk_diff_add(c, lk_diff_fmt(c, "%s.abort_incomplete_upload_days", at), LK_DIFF_CHANGED,
                    LK_DIFF_NEUTRAL, lk_diff_days_str(c, d->abort_incomplete_upload_days, "none"),
                    lk_diff_days_str(c, l->abort_incomplete_upload_days, "none"));
    if (d->expired_object_delete_marker != l->expired_object_delete_marker)
        lk_diff_add(c, lk_diff_fmt(c, "%s.expired_object_delete_marker", at), LK_DIFF_CHANGED,
                    LK_DIFF_NEUTRAL, lk_diff_bool(d->expired_object_delete_marker),
                    lk_diff_bool(l->expired_object_delete_marker));
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

void lk_diff_lifecycle(struct lk_diff_ctx *c, const struct lk_ir_bucket *db,
                       const struct lk_ir_bucket *lb)
{
    const struct lk_ir_lifecycle *dl = &db->lifecycle, *ll = &lb->lifecycle;
    size_t nd = dl->present ? dl->n_rules : 0, nl = ll->present ? ll->n_rules : 0;
    unsigned bits = lb->unmodelled;
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
    lk_diff_origin(c, &dl->origin);
    if (any_transitions && dl->present && ll->present && dt != lt) {
        ch = lk_diff_add(c, "lifecycle.transition_min_size", LK_DIFF_CHANGED,
                         lt == LK_IR_TMS_VARIES_BY_CLASS ? LK_DIFF_WEAKER : LK_DIFF_STRONGER,
                         s_tms_str(dt), s_tms_str(lt));
        if (ll->transition_min_size == LK_IR_TMS_UNSPECIFIED)
            lk_diff_note(c, ch, "not reported: S3's default since September 2024");
    }

    for (size_t i = 0; i < nd; i++) {
        const struct lk_ir_lifecycle_rule *d = &dl->rules[i];
        const struct lk_ir_lifecycle_rule *l = NULL;
        lk_diff_origin(c, &d->origin);
        for (size_t k = 0; k < nl && !l; k++) {
            if (!used[k] && lk_diff_streq(ll->rules[k].id, d->id)) {
                used[k] = true;
                l = &ll->rules[k];
            }
        }
        if (l) {
            s_rule_changes(c, db->name, d, l,
                           (bits & LK_IR_UNMODELLED_FILTER) && s_has_id(lb, d->id));
            continue;
        }
        /* Live lacks the rule: its expirations and transitions do not happen there (logs kept
         * longer and warmer). Adding it starts deleting what it expires. */
        ch = lk_diff_add(c, lk_diff_fmt(c, "lifecycle.rule[%s]", d->id), LK_DIFF_MISSING,
                         s_rule_acts(d) ? LK_DIFF_STRONGER : LK_DIFF_NEUTRAL, s_rule_str(c, d),
                         NULL);
        if (s_rule_expires(d))
            lk_diff_allow(c, ch, "expire-earlier:%s/%s", db->name, d->id);
    }
    /* What the policy lacks, and what logkeep cannot read: the store as a whole. */
    lk_diff_origin(c, NULL);
    for (size_t k = 0; k < nl; k++) {
        if (used[k])
            continue;
        /* A rule the policy lacks deletes or archives logs the policy keeps (removing it only
         * keeps them longer). */
        const struct lk_ir_lifecycle_rule *l = &ll->rules[k];
        ch = lk_diff_add(c, lk_diff_fmt(c, "lifecycle.rule[%s]", l->id), LK_DIFF_EXTRA,
                         s_rule_acts(l) ? LK_DIFF_WEAKER : LK_DIFF_NEUTRAL, NULL, s_rule_str(c, l));
        if ((bits & LK_IR_UNMODELLED_FILTER) && s_has_id(lb, l->id))
            lk_diff_note(c, ch, "filters on tags or object size");
    }

    if (!ll->present)
        return;
    /* Live configuration the IR cannot hold. Applying replaces the whole configuration, and for
     * filters, dates and NewerNoncurrentVersions logkeep cannot tell what that deletes. */
    if ((bits & LK_IR_UNMODELLED_FILTER) && lb->unmodelled_filter_rule_ids.n == 0) {
        ch = lk_diff_add(c, "lifecycle.filter", LK_DIFF_CHANGED, LK_DIFF_NEUTRAL,
                         "prefix filters only", "tag or object-size filters");
        lk_diff_note(c, ch, "some live rule filters on tags or object size (not modelled)");
        lk_diff_allow(c, ch, "replace-lifecycle:%s", db->name);
    }
    if (bits & LK_IR_UNMODELLED_DATE) {
        ch = lk_diff_add(c, "lifecycle.date_actions", LK_DIFF_EXTRA, LK_DIFF_NEUTRAL, NULL,
                         "expiration or transition at a date");
        lk_diff_note(c, ch, "not modelled");
        lk_diff_allow(c, ch, "replace-lifecycle:%s", db->name);
    }
    if (bits & LK_IR_UNMODELLED_NEWER_NONCURRENT) {
        /* NewerNoncurrentVersions keeps that many noncurrent versions past NoncurrentDays. */
        ch = lk_diff_add(c, "lifecycle.newer_noncurrent_versions", LK_DIFF_EXTRA, LK_DIFF_STRONGER,
                         NULL, "NewerNoncurrentVersions set");
        lk_diff_note(c, ch, "not modelled");
        lk_diff_allow(c, ch, "replace-lifecycle:%s", db->name);
    }
    if (bits & LK_IR_UNMODELLED_NONCURRENT_TRANSITION)
        lk_diff_note(c,
                     lk_diff_add(c, "lifecycle.noncurrent_transitions", LK_DIFF_EXTRA,
                                 LK_DIFF_NEUTRAL, NULL, "NoncurrentVersionTransition set"),
                     "not modelled");
    if (bits & LK_IR_UNMODELLED_STORAGE_CLASS)
        lk_diff_note(c,
                     lk_diff_add(c, "lifecycle.transition_storage_class", LK_DIFF_EXTRA,
                                 LK_DIFF_NEUTRAL, NULL,
                                 "a transition to a storage class logkeep does not know"),
                     "not modelled");
    if (bits & LK_IR_UNMODELLED_MIN_SIZE)
        lk_diff_note(c,
                     lk_diff_add(c, "lifecycle.transition_min_size", LK_DIFF_CHANGED,
                                 LK_DIFF_NEUTRAL, s_tms_str(dt), "an undocumented value"),
                     "not modelled");
}

/* ------------------------------------------------------------------------ unmanaged stores */

static const char *s_opt(const char *s)
{
    return s ? s : "";
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
static bool s_delivery_expires(struct lk_diff_ctx *c, const struct lk_ir_lifecycle *l,
                               const struct lk_ir_delivery *d)
{
    /* CloudTrail writes to "<prefix>/AWSLogs/<account>/CloudTrail/...", or "AWSLogs/..."
     * without a prefix (CloudTrail User Guide, "Finding your CloudTrail log files"). */
    const char *root = !d ? ""
                       : d->key_prefix && *d->key_prefix
                           ? lk_diff_fmt(c, "%s/AWSLogs/", d->key_prefix)
                           : "AWSLogs/";
    for (size_t i = 0; l->present && i < l->n_rules; i++) {
        const struct lk_ir_lifecycle_rule *r = &l->rules[i];
        if (r->enabled && r->expiration_days > 0 && s_prefix_related(root, s_opt(r->prefix)))
            return true;
    }
    return false;
}

/* "trail a (us-east-1), trail b (eu-west-1)", at most three named. */
static char *s_deliveries_str(struct lk_diff_ctx *c, const struct lk_ir_delivery *ds, size_t n)
{
    struct lk_buf b;
    lk_buf_init(&b, LK_BUF_MAX_LINE);
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
    return lk_diff_done(c, &b);
}

void lk_diff_unmanaged_store(struct lk_diff_ctx *c, const struct lk_ir_state *desired,
                             const struct lk_ir_unmanaged_store *u)
{
    const char *from = s_deliveries_str(c, u->deliveries, u->n_deliveries);
    if (u->error) {
        lk_diff_note(c, lk_diff_add(c, "lifecycle", LK_DIFF_NOTE, LK_DIFF_NEUTRAL, NULL, NULL),
                     "receives the logs of %s but cannot be read (%s): its lifecycle is not "
                     "checked",
                     from, u->error);
        return;
    }
    if (!u->exists) {
        lk_diff_note(c, lk_diff_add(c, "", LK_DIFF_NOTE, LK_DIFF_NEUTRAL, NULL, NULL),
                     "does not exist: the deliveries of %s fail", from);
        return;
    }
    /* The deliveries whose logs nothing deletes, named in the finding. */
    struct lk_ir_delivery *kept =
        lk_arena_alloc(c->tmp, (u->n_deliveries ? u->n_deliveries : 1) * sizeof(*kept));
    size_t n_kept = 0;
    for (size_t k = 0; k < u->n_deliveries; k++)
        if (!s_delivery_expires(c, &u->lifecycle, &u->deliveries[k]))
            kept[n_kept++] = u->deliveries[k];
    if (u->n_deliveries == 0 ? s_delivery_expires(c, &u->lifecycle, NULL) : n_kept == 0)
        return;
    from = s_deliveries_str(c, kept, n_kept);
    if (u->lifecycle_unmodelled) {
        lk_diff_note(
            c, lk_diff_add(c, "lifecycle.expiration", LK_DIFF_NOTE, LK_DIFF_NEUTRAL, NULL, NULL),
            "receives the logs of %s; no rule logkeep can read expires them, and the "
            "lifecycle holds rules it cannot (dates, tag or size filters): check them",
            from);
        return;
    }
    const char *attr = u->lifecycle.present ? "lifecycle.expiration" : "lifecycle";
    const char *why = u->lifecycle.present ? "no lifecycle rule expires them"
                                           : "it has no lifecycle configuration";
    if (desired->unmanaged_set) {
        struct lk_diff_change *ch =
            lk_diff_add(c, attr, LK_DIFF_EXTRA, LK_DIFF_STRONGER, NULL, "none");
        lk_diff_note(c, ch, "no store names it; it receives the logs of %s, and %s: kept forever",
                     from, why);
    } else {
        lk_diff_note(c, lk_diff_add(c, attr, LK_DIFF_NOTE, LK_DIFF_NEUTRAL, NULL, NULL),
                     "no store names it; it receives the logs of %s, and %s: kept forever", from,
                     why);
    }
}
