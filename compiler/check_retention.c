/*
 * logkeep: retention and availability rules (LK101-LK117).
 */
#include <stdlib.h>
#include <string.h>

#include "common/glob.h"
#include "compiler/check_int.h"
#include "compiler/decode_int.h"
#include "compiler/duration.h"

/* Retention in days under which logs are "deleted too soon" (LK103). CloudTrail's own event
 * history keeps 90 days, and SEC04-BP01 names three months as the low end of ready
 * availability. */
#define LK_MIN_RETENTION_DAYS 90

/* S3 Lifecycle: "Amazon S3 doesn't transition objects that are smaller than 128 KB ... objects
 * must be stored at least 30 days in the current storage class before you can transition them to
 * S3 Standard-IA or S3 One Zone-IA" (User Guide, "Transitioning objects using Amazon S3
 * Lifecycle", constraints). */
#define LK_IA_MIN_AGE_DAYS 30
/* "... transition from S3 Standard-IA or S3 One Zone-IA to S3 Glacier Flexible Retrieval or
 * S3 Glacier Deep Archive ... must be at least 30 days after the transition to IA." */
#define LK_IA_TO_GLACIER_GAP_DAYS 30

/* Minimum storage durations, in days (User Guide, "Amazon S3 storage classes", comparison
 * table): STANDARD_IA 30, ONEZONE_IA 30, INTELLIGENT_TIERING none, GLACIER_IR 90, GLACIER 90,
 * DEEP_ARCHIVE 180. */
static const int s_min_storage_days[LK_SC_COUNT] = {30, 30, 0, 90, 90, 180};

/* Supported lifecycle transitions (User Guide, "Transitioning objects using Amazon S3
 * Lifecycle", "Supported lifecycle transitions"): the "waterfall" only runs towards colder
 * classes, and One Zone-IA goes only to Glacier Flexible Retrieval or Deep Archive. */
static bool s_transition_allowed(enum lk_storage_class from, enum lk_storage_class to)
{
    switch (from) {
    case LK_SC_STANDARD_IA: return to != LK_SC_STANDARD_IA;
    case LK_SC_INTELLIGENT_TIERING:
        return to == LK_SC_ONEZONE_IA || to == LK_SC_GLACIER_IR || to == LK_SC_GLACIER ||
               to == LK_SC_DEEP_ARCHIVE;
    case LK_SC_ONEZONE_IA:
    case LK_SC_GLACIER_IR: return to == LK_SC_GLACIER || to == LK_SC_DEEP_ARCHIVE;
    case LK_SC_GLACIER: return to == LK_SC_DEEP_ARCHIVE;
    case LK_SC_DEEP_ARCHIVE:
    case LK_SC_COUNT: break;
    }
    return false;
}

/* Classes that need a restore before objects can be read. */
static bool s_slow(enum lk_storage_class sc)
{
    return sc == LK_SC_GLACIER || sc == LK_SC_DEEP_ARCHIVE;
}

static bool s_ia(enum lk_storage_class sc)
{
    return sc == LK_SC_STANDARD_IA || sc == LK_SC_ONEZONE_IA;
}

int64_t lk_retention_available_days(const struct lk_retention *r)
{
    if (r->available.set)
        return r->available.days;
    if (!r->delete_after.set || r->delete_after.forever)
        return -1;
    return r->delete_after.days;
}

/* Checks that do not depend on the source: ordering and S3's constraints on the tiers. */
static void s_check_class(struct lk_policy *p, struct lk_retention *r)
{
    struct lk_diags *D = &p->diags;
    bool finite = r->delete_after.set && !r->delete_after.forever;
    int64_t del = r->delete_after.days;
    if (r->available.set && finite && r->available.days > del) {
        struct lk_diag *d = lk_diag_add(D, "LK104", r->available.span,
                                        "logs are available for %lld days but deleted after %lld",
                                        (long long)r->available.days, (long long)del);
        lk_diag_related(D, d, r->delete_after.span, "deleted here");
    }
    if (r->archive_set && !r->available.set && r->n_tiers > 0) {
        struct lk_diag *d = lk_diag_add(D, "LK011", r->archive_span,
                                        "a retention with archive tiers has no \"available\"");
        lk_diag_help(D, d, "say how long logs stay readily available before they are archived");
    }
    int64_t avail = r->available.set ? r->available.days : -1;
    int64_t last_ia = -1;
    for (size_t i = 0; i < r->n_tiers; i++) {
        struct lk_tier *t = &r->tiers[i];
        int64_t after = t->after.days;
        const char *cls = lk_storage_class_name(t->storage_class);
        if (i > 0 && after <= r->tiers[i - 1].after.days) {
            struct lk_diag *d = lk_diag_add(D, "LK105", t->after.span,
                                            "tier %s starts at day %lld, not after the previous "
                                            "tier (day %lld)",
                                            cls, (long long)after,
                                            (long long)r->tiers[i - 1].after.days);
            lk_diag_help(D, d, "list tiers in increasing \"after\"");
            continue;
        }
        if (i > 0 && !s_transition_allowed(r->tiers[i - 1].storage_class, t->storage_class)) {
            lk_diag_add(D, "LK105", t->class_span, "S3 Lifecycle cannot move objects from %s to %s",
                        lk_storage_class_name(r->tiers[i - 1].storage_class), cls);
            continue;
        }
        if (finite && after >= del) {
            struct lk_diag *d = lk_diag_add(D, "LK106", t->after.span,
                                            "tier %s starts at day %lld, when logs are already "
                                            "deleted (day %lld)",
                                            cls, (long long)after, (long long)del);
            lk_diag_related(D, d, r->delete_after.span, "deleted here");
            continue;
        }
        if (s_slow(t->storage_class) && avail >= 0 && after < avail) {
            struct lk_diag *d = lk_diag_add(D, "LK107", t->after.span,
                                            "logs move to %s at day %lld but must stay readily "
                                            "available until day %lld",
                                            cls, (long long)after, (long long)avail);
            lk_diag_help(D, d, "start the %s tier at %lld days or later, or use glacier-ir", cls,
                         (long long)avail);
            lk_diag_related(D, d, r->available.span, "availability set here");
        }
        if (s_ia(t->storage_class) && after < LK_IA_MIN_AGE_DAYS) {
            struct lk_diag *d = lk_diag_add(D, "LK108", t->after.span,
                                            "S3 cannot move objects to %s before day %d (here: "
                                            "day %lld)",
                                            cls, LK_IA_MIN_AGE_DAYS, (long long)after);
            lk_diag_help(D, d, "use after: %dd or later", LK_IA_MIN_AGE_DAYS);
        }
        if (s_slow(t->storage_class) && last_ia >= 0 &&
            after - r->tiers[last_ia].after.days < LK_IA_TO_GLACIER_GAP_DAYS) {
            struct lk_diag *d = lk_diag_add(
                D, "LK109", t->after.span,
                "%s starts %lld days after %s; S3 requires at least %d", cls,
                (long long)(after - r->tiers[last_ia].after.days),
                lk_storage_class_name(r->tiers[last_ia].storage_class), LK_IA_TO_GLACIER_GAP_DAYS);
            lk_diag_related(D, d, r->tiers[last_ia].after.span, "IA transition here");
        }
        if (s_ia(t->storage_class))
            last_ia = (int64_t)i;
        /* How long objects stay in this class: until the next tier, or deletion. */
        int64_t until = i + 1 < r->n_tiers ? r->tiers[i + 1].after.days : (finite ? del : -1);
        int min = s_min_storage_days[t->storage_class];
        if (until > after && until - after < min) {
            struct lk_diag *d = lk_diag_add(D, "LK110", t->after.span,
                                            "objects stay in %s for %lld days, less than its "
                                            "%d-day minimum storage duration",
                                            cls, (long long)(until - after), min);
            lk_diag_help(D, d, "S3 bills the full %d days; lengthen the tier or drop it", min);
        }
    }
}


/* Where to point for a finding about a source's retention: the class it names, or, for an
 * inline retention, its delete_after value. */
static struct lk_span s_retention_span(const struct lk_source *src)
{
    if (src->retention_ref.set)
        return src->retention_ref.span;
    if (src->retention && src->retention->delete_after.set)
        return src->retention->delete_after.span;
    return src->retention_span;
}

/* Source-level checks: forever, too short, CloudWatch values, archives without a store. */
static void s_check_source(struct lk_policy *p, struct lk_source *src)
{
    struct lk_diags *D = &p->diags;
    struct lk_retention *r = src->retention;
    if (!r || !r->delete_after.set)
        return;
    const struct lk_text *because = &lk_source_more(src)->forever_because;
    if (r->delete_after.forever) {
        if (!because->set) {
            struct lk_diag *d = lk_diag_add(D, "LK101", s_retention_span(src),
                                            "source \"%.*s\" keeps its logs forever",
                                            LK_STR_ARG(src->name));
            lk_diag_help(D, d, "set a finite delete_after, or say why with forever_because: "
                               "\"<reason>\"");
            if (src->retention_ref.set)
                lk_diag_related(D, d, r->delete_after.span, "forever set here");
        } else {
            lk_policy_report(p, lk_source_waivers(src), "LK102", because->span,
                             "source \"%.*s\" keeps its logs forever: %.*s", LK_STR_ARG(src->name),
                             LK_STR_ARG(because->v));
        }
    } else if (because->set) {
        struct lk_diag *d = lk_diag_add(D, "LK028", because->span,
                                        "source \"%.*s\" gives forever_because, but deletes its "
                                        "logs after %lld days",
                                        LK_STR_ARG(src->name), (long long)r->delete_after.days);
        lk_diag_help(D, d, "remove forever_because, or keep the logs forever");
    }
    if (!r->delete_after.forever && r->delete_after.days < LK_MIN_RETENTION_DAYS) {
        struct lk_diag *d = lk_policy_report(
            p, lk_source_waivers(src), "LK103", s_retention_span(src),
            "source \"%.*s\" deletes its logs after %lld days, sooner than the %d days "
            "investigations commonly need",
            LK_STR_ARG(src->name), (long long)r->delete_after.days, LK_MIN_RETENTION_DAYS);
        if (d && d->severity != LK_SEV_NOTE)
            lk_diag_help(D, d, "keep security logs for at least %d days (SEC04-BP01)",
                         LK_MIN_RETENTION_DAYS);
    }
    if (r->n_tiers > 0 && !src->store_ref.set && src->type_set)
        lk_diag_add(D, "LK117", src->retention_ref.set ? src->retention_ref.span : r->archive_span,
                    "source \"%.*s\" has archive tiers but no store to archive in",
                    LK_STR_ARG(src->name));

    /* CloudWatch Logs: the log group keeps everything when it is the only home, or the
     * availability window when S3 keeps the rest. */
    bool has_logs = (src->log_groups.set && src->log_groups.n > 0) || (src->trail && src->trail->cloudwatch.set);
    if (!has_logs)
        return;
    bool also_s3 = src->store_ref.set;
    int64_t days = also_s3 ? lk_retention_available_days(r) : r->delete_after.days;
    if (!also_s3 && r->delete_after.forever)
        return; /* never expire: judged by LK101/LK102 */
    if (days < 0)
        return;
    struct lk_span at = also_s3 && r->available.set ? r->available.span : r->delete_after.span;
    int rounded;
    if (!lk_cwl_round_up(days, &rounded)) {
        struct lk_diag *d = lk_diag_add(D, "LK112", s_retention_span(src),
                                        "source \"%.*s\" needs its log groups to keep %lld days; "
                                        "CloudWatch Logs keeps at most %d",
                                        LK_STR_ARG(src->name), (long long)days,
                                        LK_CWL_MAX_RETENTION_DAYS);
        lk_diag_help(D, d, also_s3 ? "shorten the availability window: S3 keeps the rest"
                                   : "archive to a store for longer retention");
        return;
    }
    if (rounded != days) {
        /* One note per retention value, not one per source using it. */
        bool *noted = &r->cwl_noted[also_s3 ? 1 : 0];
        if (*noted)
            return;
        *noted = true;
        struct lk_diag *d = lk_diag_add(D, "LK111", at,
                                        "CloudWatch Logs keeps %s: %lld days rounded up to the "
                                        "next allowed value",
                                        lk_days_describe(&p->arena, rounded), (long long)days);
        lk_diag_help(D, d, "write %dd to say so explicitly", rounded);
    }
}

static bool s_has_prefix(struct lk_str s, struct lk_str prefix)
{
    return s.len >= prefix.len && (prefix.len == 0 || memcmp(s.ptr, prefix.ptr, prefix.len) == 0);
}

struct s_entry {
    struct lk_source *src;
};

static int s_cmp_entry(const void *a, const void *b)
{
    const struct lk_source *x = ((const struct s_entry *)a)->src;
    const struct lk_source *y = ((const struct s_entry *)b)->src;
    if (x->store != y->store)
        return x->store < y->store ? -1 : 1;
    int c = lk_str_cmp(x->prefix.v, y->prefix.v);
    if (c)
        return c;
    return lk_str_cmp(x->name, y->name);
}

/* S3 lifecycle limits for the sources of one store: overlapping prefixes with different
 * retention (LK114), the 1,000-rule limit (LK115), and the 128 KB default (LK113). */
static void s_check_store(struct lk_policy *p, struct lk_store *store, struct s_entry *e, size_t n)
{
    struct lk_diags *D = &p->diags;
    size_t rules = 0;
    bool tiers = false, warm_tier = false;
    enum lk_storage_class warm_class = LK_SC_STANDARD_IA;
    /* Entries are sorted by prefix, so every prefix of e[i]'s prefix is on the stack. */
    struct s_entry **stack = lk_xmalloc(n * sizeof(*stack));
    size_t depth = 0;
    for (size_t i = 0; i < n; i++) {
        struct lk_source *src = e[i].src;
        struct lk_str pre = src->prefix.v;
        if (src->retention && src->retention->n_tiers)
            tiers = true;
        for (size_t t = 0; src->retention && t < src->retention->n_tiers; t++) {
            if (!s_slow(src->retention->tiers[t].storage_class) && !warm_tier) {
                warm_tier = true;
                warm_class = src->retention->tiers[t].storage_class;
            }
        }
        while (depth && !s_has_prefix(pre, stack[depth - 1]->src->prefix.v))
            depth--;
        bool merged = false;
        for (size_t k = depth; k > 0; k--) {
            struct lk_source *o = stack[k - 1]->src;
            if (!src->retention || !o->retention)
                continue;
            if (lk_retention_same_s3(src->retention, o->retention)) {
                if (lk_str_eq(o->prefix.v, pre))
                    merged = true;
                continue;
            }
            struct lk_span at = src->prefix.set ? src->prefix.span : src->span;
            struct lk_diag *d = lk_diag_add(
                D, "LK114", at,
                "source \"%.*s\" (prefix \"%.*s\") overlaps source \"%.*s\" (prefix \"%.*s\") in "
                "bucket %.*s with a different retention",
                LK_STR_ARG(src->name), LK_STR_ARG(pre), LK_STR_ARG(o->name),
                LK_STR_ARG(o->prefix.v), LK_STR_ARG(store->bucket.v));
            lk_diag_help(D, d, "S3 applies the shortest expiration to overlapping rules; give "
                               "each source a prefix of its own");
            lk_diag_related(D, d, o->prefix.set ? o->prefix.span : o->span, "other source here");
            break;
        }
        if (!merged)
            rules++;
        stack[depth++] = &e[i];
    }
    free(stack);
    /* Every store's lifecycle also holds the bucket-wide housekeeping rule (lower.c,
     * s_lifecycle: "logkeep-housekeeping"). Lifecycle rules per bucket: "Container for
     * lifecycle rules. You can add as many as 1000 rules." (S3 API Reference,
     * LifecycleConfiguration, the body of PutBucketLifecycleConfiguration). */
    rules++;
    if (rules > 1000)
        lk_diag_add(D, "LK115", store->span,
                    "store \"%.*s\" needs %zu lifecycle rules (%zu for its sources, 1 for "
                    "housekeeping); S3 allows at most 1,000 per bucket",
                    LK_STR_ARG(store->name), rules, rules - 1);
    if (tiers && !store->transition_small_objects.set) {
        struct lk_diag *d = lk_diag_add(D, "LK113", store->span,
                                        "objects under 128 KB in store \"%.*s\" will not be "
                                        "archived (S3's default since September 2024)",
                                        LK_STR_ARG(store->name));
        lk_diag_help(D, d, "set transition_small_objects: true to let them move to glacier and "
                           "deep-archive, or false to keep the default explicitly");
    } else if (warm_tier && store->transition_small_objects.set &&
               store->transition_small_objects.v) {
        /* varies_by_storage_class: "Objects smaller than 128 KB will transition to Glacier
         * Flexible Retrieval or Glacier Deep Archive storage classes. By default, all other
         * storage classes will prevent transitions smaller than 128 KB." (S3 API Reference,
         * PutBucketLifecycleConfiguration, TransitionDefaultMinimumObjectSize). */
        struct lk_diag *d = lk_diag_add(D, "LK113", store->transition_small_objects.span,
                                        "objects under 128 KB in store \"%.*s\" stay where they "
                                        "are at a %s tier: S3 moves small objects only to glacier "
                                        "and deep-archive",
                                        LK_STR_ARG(store->name), lk_storage_class_name(warm_class));
        lk_diag_help(D, d, "small log files reach the archive at the first glacier or "
                           "deep-archive tier");
    }
}

struct s_claim {
    struct lk_text *name;
    struct lk_source *src;
};

static int s_cmp_claim(const void *a, const void *b)
{
    const struct s_claim *x = a, *y = b;
    int c = lk_str_cmp(x->name->v, y->name->v);
    if (c)
        return c;
    if (x->name->span.file != y->name->span.file)
        return x->name->span.file < y->name->span.file ? -1 : 1;
    return x->name->span.line < y->name->span.line ? -1 : (x->name->span.line > y->name->span.line);
}

/* Days a source's log groups keep logs (as lowering computes them); -1 = never expire. */
static int64_t s_group_days(const struct lk_source *src)
{
    const struct lk_retention *r = src->retention;
    if (!r || !r->delete_after.set)
        return -2;
    if (src->store_ref.set)
        return lk_retention_available_days(r);
    return r->delete_after.forever ? -1 : r->delete_after.days;
}

/* A pattern of one source matching an exact log group of another with a different retention:
 * both would set the group's retention. */
static void s_check_pattern_claims(struct lk_policy *p, struct s_claim *c, size_t n)
{
    size_t patterns = 0;
    for (size_t i = 0; i < n; i++)
        patterns += lk_glob_has_wildcard(c[i].name->v, 0);
    if (!patterns || patterns == n || patterns * (n - patterns) > 10000000)
        return; /* nothing to compare, or too many pairs to be worth it */
    for (size_t i = 0; i < n; i++) {
        if (lk_glob_has_wildcard(c[i].name->v, 0))
            continue;
        for (size_t k = 0; k < n; k++) {
            if (c[k].src == c[i].src || !lk_glob_has_wildcard(c[k].name->v, 0) ||
                !lk_glob_match(c[k].name->v, c[i].name->v, 0) ||
                s_group_days(c[k].src) == s_group_days(c[i].src))
                continue;
            struct lk_diag *d = lk_diag_add(&p->diags, "LK118", c[i].name->span,
                                            "log group \"%.*s\" also matches pattern \"%.*s\" of "
                                            "source \"%.*s\", with a different retention",
                                            LK_STR_ARG(c[i].name->v), LK_STR_ARG(c[k].name->v),
                                            LK_STR_ARG(c[k].src->name));
            lk_diag_related(&p->diags, d, c[k].name->span, "pattern here");
            break;
        }
    }
}

/* LK118: one log group (or pattern) named by two sources. */
static void s_check_log_group_claims(struct lk_policy *p)
{
    size_t n = 0;
    for (size_t i = 0; i < p->n_srcs; i++) {
        n += p->srcs[i]->log_groups.n;
        if (p->srcs[i]->trail && p->srcs[i]->trail->cloudwatch.log_group.set)
            n++;
    }
    if (n < 2)
        return;
    struct s_claim *c = lk_xmalloc(n * sizeof(*c));
    size_t k = 0;
    for (size_t i = 0; i < p->n_srcs; i++) {
        struct lk_source *src = p->srcs[i];
        for (size_t j = 0; j < src->log_groups.n; j++)
            c[k++] = (struct s_claim){&src->log_groups.items[j], src};
        if (src->trail && src->trail->cloudwatch.log_group.set)
            c[k++] = (struct s_claim){&src->trail->cloudwatch.log_group, src};
    }
    qsort(c, n, sizeof(*c), s_cmp_claim);
    s_check_pattern_claims(p, c, n);
    for (size_t i = 1; i < n; i++) {
        if (!lk_str_eq(c[i].name->v, c[i - 1].name->v) || c[i].src == c[i - 1].src)
            continue;
        struct lk_diag *d = lk_diag_add(&p->diags, "LK118", c[i].name->span,
                                        "log group \"%.*s\" is also claimed by source \"%.*s\"",
                                        LK_STR_ARG(c[i].name->v), LK_STR_ARG(c[i - 1].src->name));
        lk_diag_related(&p->diags, d, c[i - 1].name->span, "claimed here");
    }
    free(c);
}

void lk_check_retention(struct lk_policy *p)
{
    for (size_t i = 0; i < p->n_retentions; i++)
        s_check_class(p, p->retentions[i]);
    for (size_t i = 0; i < p->n_srcs; i++) {
        if (p->srcs[i]->retention_inline)
            s_check_class(p, p->srcs[i]->retention);
        s_check_source(p, p->srcs[i]);
    }
    /* Group the sources of each store. A source whose prefix was refused (LK016) is left out:
     * its prefix is unknown, so an overlap found through it would be a second, false report of
     * the same mistake. */
    size_t n = 0;
    struct s_entry *e = lk_xmalloc((p->n_srcs ? p->n_srcs : 1) * sizeof(*e));
    for (size_t i = 0; i < p->n_srcs; i++)
        if (p->srcs[i]->store && !p->srcs[i]->prefix_invalid)
            e[n++].src = p->srcs[i];
    qsort(e, n, sizeof(*e), s_cmp_entry);
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && e[j].src->store == e[i].src->store)
            j++;
        s_check_store(p, e[i].src->store, e + i, j - i);
        i = j;
    }
    free(e);

    s_check_log_group_claims(p);

    if (p->unmanaged.set && p->unmanaged.delete_after.set) {
        struct lk_days *u = &p->unmanaged.delete_after;
        if (u->forever) {
            struct lk_diag *d = lk_diag_add(&p->diags, "LK116",
                                            u->span, "unmanaged log groups would be kept forever");
            lk_diag_help(&p->diags, d, "choose a finite retention such as 1y");
        } else {
            int rounded;
            if (!lk_cwl_round_up(u->days, &rounded)) {
                lk_diag_add(&p->diags, "LK112", u->span,
                            "unmanaged log groups cannot keep %lld days; CloudWatch Logs keeps at "
                            "most %d",
                            (long long)u->days, LK_CWL_MAX_RETENTION_DAYS);
            } else if (rounded != u->days) {
                struct lk_diag *d = lk_diag_add(
                    &p->diags, "LK111", u->span,
                    "CloudWatch Logs keeps %s: %lld days rounded up to the next allowed value",
                    lk_days_describe(&p->arena, rounded), (long long)u->days);
                lk_diag_help(&p->diags, d, "write %dd to say so explicitly", rounded);
            }
        }
    }
}
