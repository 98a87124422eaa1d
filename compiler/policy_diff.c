/*
 * logkeep: the semantic diff of two policies (see policy_diff.h).
 *
 * Each side is first reduced to views: per source and per store, every compared attribute
 * rendered as text (what reports print and what renames are matched on), with the numbers and
 * principal sets the risk decisions need. Views live in a scratch arena freed before returning;
 * the diff copies what it keeps into its own arena.
 */
#include "compiler/policy_diff.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "common/array.h"
#include "compiler/check_int.h"
#include "compiler/emit.h"
#include "compiler/policy.h"

/* Day counts of a view: a number of days, or one of these. */
#define S_FOREVER (-1)
#define S_UNKNOWN (-2)

static const char *const s_risk_names[LK_POLICY_DIFF_N_RISKS] = {
    "data-loss",          "availability-reduced", "access-widened",
    "integrity-weakened", "baseline-violated",
};

const char *lk_policy_diff_risk_name(unsigned risk)
{
    for (unsigned i = 0; i < LK_POLICY_DIFF_N_RISKS; i++)
        if (risk == 1u << i)
            return s_risk_names[i];
    return NULL;
}

const char *lk_policy_diff_kind_name(enum lk_policy_diff_kind kind)
{
    switch (kind) {
    case LK_POLICY_DIFF_POLICY:
        return "policy";
    case LK_POLICY_DIFF_SOURCE:
        return "source";
    case LK_POLICY_DIFF_STORE:
        return "store";
    case LK_POLICY_DIFF_BASELINE:
        return "baseline";
    }
    return "?";
}

const char *lk_policy_diff_status_name(enum lk_policy_diff_status status)
{
    switch (status) {
    case LK_POLICY_DIFF_CHANGED:
        return "changed";
    case LK_POLICY_DIFF_ADDED:
        return "added";
    case LK_POLICY_DIFF_REMOVED:
        return "removed";
    case LK_POLICY_DIFF_RENAMED:
        return "renamed";
    }
    return "?";
}

/* ------------------------------------------------------------------------------ helpers */

/* A sorted set of strings (scratch arena). */
struct s_list {
    char **v;
    size_t n;
};

static int s_cmp_cstr(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void s_list_finish(struct s_list *l)
{
    if (l->n < 2)
        return;
    qsort(l->v, l->n, sizeof(*l->v), s_cmp_cstr);
    size_t w = 1;
    for (size_t i = 1; i < l->n; i++)
        if (strcmp(l->v[i], l->v[w - 1]))
            l->v[w++] = l->v[i];
    l->n = w;
}

static bool s_list_has(const struct s_list *l, const char *s)
{
    return l->n && bsearch(&s, l->v, l->n, sizeof(*l->v), s_cmp_cstr) != NULL;
}

/* A value that outgrew its buffer, shown as what it is: the report around it would outgrow
 * LK_BUF_MAX_REPORT as well, and fail as a whole. */
static char *s_too_long(struct lk_arena *a)
{
    return lk_arena_printf(a, "(more than %zu bytes)", (size_t)LK_BUF_MAX_REPORT);
}

/* "a, b, c", or @p empty for an empty list. */
static char *s_list_join(struct lk_arena *a, const struct s_list *l, const char *empty)
{
    if (!l->n)
        return lk_arena_strdup(a, empty);
    struct lk_buf b;
    lk_buf_init(&b, LK_BUF_MAX_REPORT);
    for (size_t i = 0; i < l->n; i++) {
        if (i)
            lk_buf_puts(&b, ", ");
        lk_buf_puts(&b, l->v[i]);
    }
    char *out = lk_buf_take_arena(&b, a);
    return out ? out : s_too_long(a);
}

/* The members of @p to that @p from lacks, joined, or NULL when there are none. */
static char *s_list_minus(struct lk_arena *a, const struct s_list *to, const struct s_list *from)
{
    struct s_list only = {lk_arena_alloc(a, (to->n + 1) * sizeof(char *)), 0};
    for (size_t i = 0; i < to->n; i++)
        if (!s_list_has(from, to->v[i]))
            only.v[only.n++] = to->v[i];
    return only.n ? s_list_join(a, &only, "") : NULL;
}

/* "added: x; removed: y" for two non-empty sets, or NULL. */
static char *s_list_note(struct lk_arena *a, const struct s_list *o, const struct s_list *n)
{
    if (!o->n || !n->n)
        return NULL; /* "none" on one side says it all */
    char *added = s_list_minus(a, n, o), *removed = s_list_minus(a, o, n);
    if (added && removed)
        return lk_arena_printf(a, "added: %s; removed: %s", added, removed);
    if (added)
        return lk_arena_printf(a, "added: %s", added);
    if (removed)
        return lk_arena_printf(a, "removed: %s", removed);
    return NULL;
}

static char *s_dup(struct lk_arena *a, struct lk_str s)
{
    return lk_arena_strndup(a, s.ptr ? s.ptr : "", s.len);
}

static const char *s_onoff(bool v)
{
    return v ? "on" : "off";
}

static char *s_days_text(struct lk_arena *a, int64_t days)
{
    if (days == S_FOREVER)
        return lk_arena_strdup(a, "forever");
    if (days == S_UNKNOWN)
        return lk_arena_strdup(a, "unknown");
    return lk_arena_printf(a, "%lld day%s", (long long)days, days == 1 ? "" : "s");
}

/* @return true when @p n keeps logs for less time than @p o (unknown compares as no change). */
static bool s_shorter(int64_t o, int64_t n)
{
    if (o == S_UNKNOWN || n == S_UNKNOWN || n == S_FOREVER)
        return false;
    return o == S_FOREVER || n < o;
}

static bool s_streq(const char *a, const char *b)
{
    if (!a || !b)
        return a == b;
    return strcmp(a, b) == 0;
}

/* Principals of the roles named in @p roles, as AWS stores them: a bare account ID becomes
 * that account's root ARN (as lowering writes them into the bucket policy). */
static void s_principals(struct lk_arena *a, struct lk_policy *p, const struct lk_text_list *roles,
                         struct s_list *out)
{
    const char *part = p->region.set ? lk_region_partition(p->region.v) : NULL;
    size_t n = 0;
    for (size_t i = 0; i < roles->n; i++) {
        struct lk_role *r = lk_policy_find_role(p, roles->items[i].v);
        n += r ? r->principals.n : 0;
    }
    out->v = lk_arena_alloc(a, (n + 1) * sizeof(char *));
    out->n = 0;
    for (size_t i = 0; i < roles->n; i++) {
        struct lk_role *r = lk_policy_find_role(p, roles->items[i].v);
        for (size_t k = 0; r && k < r->principals.n; k++) {
            struct lk_str pr = r->principals.items[k].v;
            out->v[out->n++] = lk_account_id_valid(pr)
                                   ? lk_arena_printf(a, "arn:%s:iam::%.*s:root",
                                                     part ? part : "aws", LK_STR_ARG(pr))
                                   : s_dup(a, pr);
        }
    }
    s_list_finish(out);
}

/* ------------------------------------------------------------------------------ building */

struct s_ctx {
    struct lk_policy_diff *d;
    struct lk_arena scratch; /* views, keys: freed when the diff is done */
};

static void s_row(struct s_ctx *c, struct lk_policy_diff_entry *e, const char *attribute,
                  const char *old_value, const char *new_value, unsigned risks, const char *note)
{
    struct lk_arena *a = &c->d->arena;
    LK_ARENA_ARRAY_GROW(a, e->rows, e->n_rows, e->cap_rows);
    struct lk_policy_diff_row *r = &e->rows[e->n_rows++];
    r->attribute = attribute;
    r->old_value = old_value ? lk_arena_strdup(a, old_value) : NULL;
    r->new_value = new_value ? lk_arena_strdup(a, new_value) : NULL;
    r->risks = risks;
    r->note = note ? lk_arena_strdup(a, note) : NULL;
}

static struct lk_policy_diff_entry s_entry(struct s_ctx *c, enum lk_policy_diff_kind kind,
                                           enum lk_policy_diff_status status, const char *name,
                                           const char *old_name)
{
    struct lk_policy_diff_entry e;
    memset(&e, 0, sizeof(e));
    e.kind = kind;
    e.status = status;
    e.name = lk_arena_strdup(&c->d->arena, name);
    e.old_name = old_name ? lk_arena_strdup(&c->d->arena, old_name) : NULL;
    return e;
}

/* Keeps @p e when it says anything: rows, or a status other than "changed". */
static void s_push(struct s_ctx *c, const struct lk_policy_diff_entry *e)
{
    struct lk_policy_diff *d = c->d;
    if (e->status == LK_POLICY_DIFF_CHANGED && e->n_rows == 0)
        return;
    LK_ARRAY_GROW(d->entries, d->n_entries, d->cap_entries);
    d->entries[d->n_entries++] = *e;
}

/* Changed rows compare "none" where one side has no value. */
static const char *s_or_none(const char *v)
{
    return v ? v : "none";
}

/* ------------------------------------------------------------------------------ sources */

enum s_sa {
    SA_TYPE,
    SA_PURPOSE,
    SA_PERSONAL_DATA,
    SA_BUCKET,
    SA_PREFIX,
    SA_LOG_GROUPS,
    SA_DELETION_PROTECTION,
    SA_LOG_GROUP_KMS_KEY,
    SA_AVAILABLE,
    SA_DELETE_AFTER,
    SA_ARCHIVE,
    SA_READERS,
    SA_ADMINS,
    SA_TRAIL_NAME,
    SA_TRAIL_MULTI_REGION,
    SA_TRAIL_ORGANIZATION,
    SA_TRAIL_ORGANIZATION_ID,
    SA_TRAIL_VALIDATION,
    SA_TRAIL_GLOBAL_EVENTS,
    SA_TRAIL_MANAGEMENT_EVENTS,
    SA_TRAIL_READ_WRITE,
    SA_TRAIL_KMS_KEY,
    SA_TRAIL_CW_LOG_GROUP,
    SA_TRAIL_CW_ROLE,
    SA_COVERAGE,
    SA_ENABLE,
    SA_RESOURCES,
    SA_EXCLUDE,
    SA_LOG_TYPES,
    SA_DELIVERY_ROLE,
    SA_COUNT,
};

static const char *const s_sa_names[SA_COUNT] = {
    "type",
    "purpose",
    "personal_data",
    "bucket",
    "prefix",
    "log_groups",
    "deletion_protection",
    "kms_key",
    "available",
    "delete_after",
    "archive",
    "readers",
    "admins",
    "trail.name",
    "trail.multi_region",
    "trail.organization",
    "trail.organization_id",
    "trail.log_file_validation",
    "trail.global_service_events",
    "trail.management_events",
    "trail.read_write",
    "trail.kms_key",
    "trail.cloudwatch.log_group",
    "trail.cloudwatch.role",
    "coverage",
    "enable",
    "resources",
    "resources.exclude",
    "log_types",
    "delivery_role",
};

/* Attributes that are descriptions of the logs, not what happens to them: a source renamed
 * with a new purpose is still a rename. */
static bool s_sa_descriptive(enum s_sa a)
{
    return a == SA_PURPOSE || a == SA_PERSONAL_DATA;
}

struct s_src {
    const char *name;
    const char *v[SA_COUNT]; /* rendered; NULL where the attribute does not apply */
    int64_t available;       /* the effective window: what log groups keep, too */
    int64_t delete_after;
    bool has_store;
    struct s_list groups; /* governed log groups, the trail's CloudWatch Logs group included */
    struct s_list readers, admins;
    bool trail;
    bool multi_region, organization, validation, global_events, management_events;
    bool kms_effective; /* the trail's log files are encrypted with a KMS key (its own or the
                         * store's) */
    bool coverage;      /* a producing type whose producers are checked */
    bool cov_written;   /* the source writes a coverage key: an added or removed source lists
                         * its coverage settings only then, as the others are the defaults */
    struct s_list excluded; /* the IDs of resources.exclude */
    char *key;          /* every attribute but the descriptive ones: for renames */
    bool matched;
};

/* The coverage settings of a producing source (docs/language.md, "Coverage and enable"), with
 * the defaults written out. */
static void s_coverage_view(struct lk_arena *a, const struct lk_source *src, struct s_src *v)
{
    const struct lk_coverage_cfg *cov = src->cov;
    v->coverage = !(cov && cov->coverage.set && !cov->coverage.v);
    v->cov_written = cov != NULL;
    v->v[SA_COVERAGE] = s_onoff(v->coverage);
    v->v[SA_ENABLE] = s_onoff(cov && cov->enable.set && cov->enable.v);
    struct lk_buf b;
    lk_buf_init(&b, LK_BUF_MAX_REPORT);
    const struct lk_text_list *lists[2] = {cov ? &cov->ids : NULL, cov ? &cov->names : NULL};
    static const char *const list_names[2] = {"ids", "names"};
    bool any = false;
    for (size_t k = 0; k < 2; k++) {
        if (!lists[k] || !lists[k]->n)
            continue;
        struct s_list l = {lk_arena_alloc(a, lists[k]->n * sizeof(char *)), 0};
        for (size_t i = 0; i < lists[k]->n; i++)
            l.v[l.n++] = s_dup(a, lists[k]->items[i].v);
        s_list_finish(&l);
        lk_buf_printf(&b, "%s%s: %s", any ? "; " : "", list_names[k], s_list_join(a, &l, ""));
        any = true;
    }
    if (cov && cov->n_tags) {
        struct s_list l = {lk_arena_alloc(a, cov->n_tags * sizeof(char *)), 0};
        for (size_t i = 0; i < cov->n_tags; i++)
            l.v[l.n++] = lk_arena_printf(a, "%.*s=%.*s", LK_STR_ARG(cov->tags[i].key.v),
                                         LK_STR_ARG(cov->tags[i].value.v));
        s_list_finish(&l);
        lk_buf_printf(&b, "%stags: %s", any ? "; " : "", s_list_join(a, &l, ""));
        any = true;
    }
    if (!any)
        lk_buf_puts(&b, "every producer of the scope");
    v->v[SA_RESOURCES] = lk_buf_take_arena(&b, a);
    if (!v->v[SA_RESOURCES])
        v->v[SA_RESOURCES] = s_too_long(a);
    size_t n_x = cov ? cov->n_exclude : 0;
    v->excluded.v = lk_arena_alloc(a, (n_x + 1) * sizeof(char *));
    for (size_t i = 0; i < n_x; i++)
        v->excluded.v[v->excluded.n++] = s_dup(a, cov->exclude[i].id.v);
    s_list_finish(&v->excluded);
    v->v[SA_EXCLUDE] = s_list_join(a, &v->excluded, "none");
    if (src->type == LK_SRC_VPC_FLOW_LOGS && src->log_groups.n)
        v->v[SA_DELIVERY_ROLE] =
            cov && cov->delivery_role.set ? s_dup(a, cov->delivery_role.v) : "none";
    if (src->type == LK_SRC_EKS_AUDIT || src->type == LK_SRC_RDS) {
        if (cov && cov->log_types.set) {
            struct s_list l = {lk_arena_alloc(a, cov->log_types.n * sizeof(char *)), 0};
            for (size_t i = 0; i < cov->log_types.n; i++)
                l.v[l.n++] = s_dup(a, cov->log_types.items[i].v);
            s_list_finish(&l);
            v->v[SA_LOG_TYPES] = s_list_join(a, &l, "");
        } else {
            v->v[SA_LOG_TYPES] = src->type == LK_SRC_EKS_AUDIT ? "audit" : "the engine's main log";
        }
    }
}

static void s_src_view(struct lk_arena *a, struct lk_policy *p, const struct lk_source *src,
                       struct s_src *v)
{
    memset(v, 0, sizeof(*v));
    v->name = s_dup(a, src->name);
    v->v[SA_TYPE] = src->type_set ? lk_source_type_info(src->type)->name : "unknown";
    v->v[SA_PURPOSE] = src->purpose.set ? s_dup(a, src->purpose.v) : "none";
    const struct lk_source_more *more = lk_source_more(src);
    v->v[SA_PERSONAL_DATA] = s_onoff(more->personal_data.set && more->personal_data.v);
    /* As lowering decides: a source that names a store delivers to S3 (and its log groups keep
     * the availability window). */
    v->has_store = src->store_ref.set;
    if (v->has_store) {
        v->v[SA_BUCKET] = src->store ? s_dup(a, src->store->bucket.v) : "unknown";
        v->v[SA_PREFIX] = src->prefix.v.len ? s_dup(a, src->prefix.v) : "(bucket root)";
    }

    const struct lk_retention *r = src->retention;
    if (!r || !r->delete_after.set) {
        v->delete_after = v->available = S_UNKNOWN;
        v->v[SA_ARCHIVE] = "unknown";
    } else {
        v->delete_after = r->delete_after.forever ? S_FOREVER : r->delete_after.days;
        /* Log groups of a source without a store keep delete_after (lowering); with a store,
         * the window, which defaults to delete_after. */
        if (v->has_store && r->available.set)
            v->available = r->available.days;
        else
            v->available = v->delete_after;
        if (!r->n_tiers) {
            v->v[SA_ARCHIVE] = "none";
        } else {
            struct lk_buf b;
            lk_buf_init(&b, LK_BUF_MAX_LINE);
            for (size_t i = 0; i < r->n_tiers; i++)
                lk_buf_printf(&b, "%s%s from day %lld", i ? ", " : "",
                              lk_storage_class_name(r->tiers[i].storage_class),
                              (long long)r->tiers[i].after.days);
            v->v[SA_ARCHIVE] = lk_buf_take_arena(&b, a);
            if (!v->v[SA_ARCHIVE])
                v->v[SA_ARCHIVE] = s_too_long(a);
        }
    }
    v->v[SA_AVAILABLE] = s_days_text(a, v->available);
    v->v[SA_DELETE_AFTER] = s_days_text(a, v->delete_after);

    const struct lk_trail_cfg *t =
        src->type_set && src->type == LK_SRC_CLOUDTRAIL ? src->trail : NULL;
    bool cw = t && t->cloudwatch.set && t->cloudwatch.log_group.set;
    v->groups.v = lk_arena_alloc(a, (src->log_groups.n + 1) * sizeof(char *));
    for (size_t i = 0; i < src->log_groups.n; i++)
        v->groups.v[v->groups.n++] = s_dup(a, src->log_groups.items[i].v);
    if (cw)
        v->groups.v[v->groups.n++] = s_dup(a, t->cloudwatch.log_group.v);
    s_list_finish(&v->groups);
    if (v->groups.n) {
        v->v[SA_LOG_GROUPS] = s_list_join(a, &v->groups, "");
        /* As lowering decides: on unless the source turns it off. */
        v->v[SA_DELETION_PROTECTION] =
            s_onoff(!more->deletion_protection.set || more->deletion_protection.v);
        v->v[SA_LOG_GROUP_KMS_KEY] = more->kms_key.set ? s_dup(a, more->kms_key.v) : "none";
    }

    if (v->has_store) {
        static const struct lk_text_list none = {0};
        s_principals(a, p, src->store ? &src->store->readers : &none, &v->readers);
        s_principals(a, p, src->store ? &src->store->admins : &none, &v->admins);
        v->v[SA_READERS] = s_list_join(a, &v->readers, "none");
        v->v[SA_ADMINS] = s_list_join(a, &v->admins, "none");
    }

    if (t) {
        v->trail = true;
        v->v[SA_TRAIL_NAME] = t->name.set ? s_dup(a, t->name.v) : v->name;
        v->multi_region = !t->multi_region.set || t->multi_region.v;
        v->organization = t->organization.set && t->organization.v;
        v->validation = !t->log_file_validation.set || t->log_file_validation.v;
        v->global_events = !t->global_service_events.set || t->global_service_events.v;
        v->management_events = !t->management_events.set || t->management_events.v;
        v->kms_effective = t->kms_key.set || (src->store && src->store->kms_key.set);
        v->v[SA_TRAIL_MULTI_REGION] = s_onoff(v->multi_region);
        v->v[SA_TRAIL_ORGANIZATION] = s_onoff(v->organization);
        v->v[SA_TRAIL_ORGANIZATION_ID] =
            t->organization_id.set ? s_dup(a, t->organization_id.v) : "none";
        v->v[SA_TRAIL_VALIDATION] = s_onoff(v->validation);
        v->v[SA_TRAIL_GLOBAL_EVENTS] = s_onoff(v->global_events);
        v->v[SA_TRAIL_MANAGEMENT_EVENTS] = s_onoff(v->management_events);
        v->v[SA_TRAIL_READ_WRITE] = t->read_write.set ? s_dup(a, t->read_write.v) : "All";
        v->v[SA_TRAIL_KMS_KEY] = t->kms_key.set ? s_dup(a, t->kms_key.v) : "none";
        v->v[SA_TRAIL_CW_LOG_GROUP] = cw ? s_dup(a, t->cloudwatch.log_group.v) : "none";
        v->v[SA_TRAIL_CW_ROLE] =
            t->cloudwatch.set && t->cloudwatch.role.set ? s_dup(a, t->cloudwatch.role.v) : "none";
    }

    if (src->type_set && lk_source_type_produces(src->type))
        s_coverage_view(a, src, v);

    /* The rename key: every non-descriptive attribute, unambiguously separated. */
    struct lk_buf b;
    lk_buf_init(&b, LK_BUF_MAX_DOCUMENT);
    for (int i = 0; i < SA_COUNT; i++) {
        if (s_sa_descriptive((enum s_sa)i))
            continue;
        lk_buf_puts(&b, v->v[i] ? v->v[i] : "\x1e");
        lk_buf_putc(&b, '\x1f');
    }
    v->key = lk_buf_take_arena(&b, a);
    /* A key too long to build matches no other source's: the source is then never taken for
     * a rename. ('\x1d' starts no key that was built.) */
    if (!v->key)
        v->key = lk_arena_printf(a, "\x1d%p", (const void *)v);
}

/* The days each governed log group of a policy keeps, for log groups that move between
 * sources. */
struct s_group {
    const char *name;
    int64_t days;
};

static int s_cmp_group(const void *x, const void *y)
{
    return strcmp(((const struct s_group *)x)->name, ((const struct s_group *)y)->name);
}

struct s_groups {
    struct s_group *v;
    size_t n;
};

static void s_groups_build(struct lk_arena *a, const struct s_src *srcs, size_t n,
                           struct s_groups *out)
{
    size_t total = 0;
    for (size_t i = 0; i < n; i++)
        total += srcs[i].groups.n;
    out->v = lk_arena_alloc(a, (total + 1) * sizeof(*out->v));
    out->n = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < srcs[i].groups.n; k++)
            out->v[out->n++] = (struct s_group){srcs[i].groups.v[k], srcs[i].available};
    qsort(out->v, out->n, sizeof(*out->v), s_cmp_group);
}

static const struct s_group *s_groups_find(const struct s_groups *g, const char *name)
{
    struct s_group key = {name, 0};
    return g->n ? bsearch(&key, g->v, g->n, sizeof(*g->v), s_cmp_group) : NULL;
}

/* Rows of a source that is added (@p o NULL), removed (@p n NULL) or on both sides. */
static void s_src_rows(struct s_ctx *c, struct lk_policy_diff_entry *e, const struct s_src *o,
                       const struct s_src *n, const struct s_groups *new_groups)
{
    struct lk_arena *a = &c->scratch;
    if (!o || !n) {
        const struct s_src *v = o ? o : n;
        for (int i = 0; i < SA_COUNT; i++)
            if (v->v[i] && (i < SA_COVERAGE || v->cov_written))
                s_row(c, e, s_sa_names[i], o ? v->v[i] : NULL, n ? v->v[i] : NULL, 0, NULL);
        return;
    }
    bool moved = !s_streq(o->v[SA_BUCKET], n->v[SA_BUCKET]);
    for (int i = 0; i < SA_COUNT; i++) {
        const char *ov = s_or_none(o->v[i]), *nv = s_or_none(n->v[i]);
        if (!strcmp(ov, nv))
            continue;
        unsigned risks = 0;
        const char *note = NULL;
        switch ((enum s_sa)i) {
        case SA_AVAILABLE:
            /* Fewer days readily available, unless deletion ends the window (data-loss says
             * so on delete_after). */
            if (s_shorter(o->available, n->available) &&
                (n->delete_after == S_FOREVER || n->available < n->delete_after))
                risks |= LK_POLICY_DIFF_RISK_AVAILABILITY_REDUCED;
            if (s_shorter(o->available, n->available) && !o->has_store && n->has_store &&
                o->groups.n) {
                /* The log groups were the only copy: what they no longer keep is gone. */
                risks |= LK_POLICY_DIFF_RISK_DATA_LOSS;
                note = "the log groups, the only copy until now, keep fewer days";
            }
            break;
        case SA_DELETE_AFTER:
            if (s_shorter(o->delete_after, n->delete_after))
                risks |= LK_POLICY_DIFF_RISK_DATA_LOSS;
            break;
        case SA_LOG_GROUPS: {
            /* A log group dropped from the source loses its retention, unless another source
             * now governs it at least as long. */
            struct s_list lost = {lk_arena_alloc(a, (o->groups.n + 1) * sizeof(char *)), 0};
            for (size_t k = 0; k < o->groups.n; k++) {
                if (s_list_has(&n->groups, o->groups.v[k]))
                    continue;
                const struct s_group *g = s_groups_find(new_groups, o->groups.v[k]);
                if (!g || s_shorter(o->available, g->days))
                    lost.v[lost.n++] = o->groups.v[k];
            }
            if (lost.n) {
                risks |= LK_POLICY_DIFF_RISK_DATA_LOSS;
                note = lk_arena_printf(a, "no longer kept as long by any source: %s",
                                       s_list_join(a, &lost, ""));
            } else {
                note = s_list_note(a, &o->groups, &n->groups);
            }
            break;
        }
        case SA_READERS:
        case SA_ADMINS: {
            /* A store's own readers and admins are reported on the store; a source reports
             * them when it moves to another bucket. */
            if (!moved)
                continue;
            const struct s_list *ol = i == SA_READERS ? &o->readers : &o->admins;
            const struct s_list *nl = i == SA_READERS ? &n->readers : &n->admins;
            if (s_list_minus(a, nl, ol))
                risks |= LK_POLICY_DIFF_RISK_ACCESS_WIDENED;
            note = s_list_note(a, ol, nl);
            break;
        }
        case SA_DELETION_PROTECTION:
            /* Without it, deleting a log group deletes its logs. */
            if (!strcmp(ov, "on") && !strcmp(nv, "off"))
                risks |= LK_POLICY_DIFF_RISK_INTEGRITY_WEAKENED;
            break;
        case SA_LOG_GROUP_KMS_KEY:
            if (strcmp(ov, "none") != 0 && !strcmp(nv, "none"))
                risks |= LK_POLICY_DIFF_RISK_INTEGRITY_WEAKENED;
            break;
        case SA_TRAIL_MULTI_REGION:
            if (o->trail && n->trail && o->multi_region && !n->multi_region)
                risks |= LK_POLICY_DIFF_RISK_INTEGRITY_WEAKENED;
            break;
        case SA_TRAIL_ORGANIZATION:
            if (o->trail && n->trail && o->organization && !n->organization)
                risks |= LK_POLICY_DIFF_RISK_INTEGRITY_WEAKENED;
            break;
        case SA_TRAIL_VALIDATION:
            if (o->trail && n->trail && o->validation && !n->validation)
                risks |= LK_POLICY_DIFF_RISK_INTEGRITY_WEAKENED;
            break;
        case SA_TRAIL_GLOBAL_EVENTS:
            if (o->trail && n->trail && o->global_events && !n->global_events)
                risks |= LK_POLICY_DIFF_RISK_INTEGRITY_WEAKENED;
            break;
        case SA_TRAIL_MANAGEMENT_EVENTS:
            if (o->trail && n->trail && o->management_events && !n->management_events)
                risks |= LK_POLICY_DIFF_RISK_INTEGRITY_WEAKENED;
            break;
        case SA_TRAIL_READ_WRITE:
            /* All records reads and writes; anything else records fewer events. */
            if (o->trail && n->trail && strcmp(nv, "All"))
                risks |= LK_POLICY_DIFF_RISK_INTEGRITY_WEAKENED;
            break;
        case SA_COVERAGE:
            /* Producers that stop delivering are no longer reported. */
            if (o->coverage && !n->coverage)
                risks |= LK_POLICY_DIFF_RISK_INTEGRITY_WEAKENED;
            break;
        case SA_EXCLUDE: {
            char *added = s_list_minus(a, &n->excluded, &o->excluded);
            if (added && o->coverage && n->coverage)
                risks |= LK_POLICY_DIFF_RISK_INTEGRITY_WEAKENED;
            note = s_list_note(a, &o->excluded, &n->excluded);
            break;
        }
        case SA_TRAIL_KMS_KEY:
            if (o->trail && n->trail && o->kms_effective && !n->kms_effective)
                risks |= LK_POLICY_DIFF_RISK_INTEGRITY_WEAKENED;
            if (!strcmp(nv, "none") && n->kms_effective)
                note = "the store's KMS key still encrypts the log files";
            break;
        default:
            break;
        }
        s_row(c, e, s_sa_names[i], ov, nv, risks, note);
    }
    /* A trail whose KMS protection came from its store loses it when the store's key goes: the
     * store reports that, and so does the trail, whose log files it concerns. */
    if (o->trail && n->trail && o->kms_effective && !n->kms_effective &&
        !strcmp(s_or_none(o->v[SA_TRAIL_KMS_KEY]), s_or_none(n->v[SA_TRAIL_KMS_KEY])))
        s_row(c, e, "trail.encryption", "SSE-KMS", "none", LK_POLICY_DIFF_RISK_INTEGRITY_WEAKENED,
              "the store's KMS key no longer applies");
}

static int s_cmp_src_key(const void *x, const void *y)
{
    const struct s_src *a = *(const struct s_src *const *)x;
    const struct s_src *b = *(const struct s_src *const *)y;
    int k = strcmp(a->key, b->key);
    return k ? k : strcmp(a->name, b->name);
}

static int s_cmp_src_name(const void *x, const void *y)
{
    return strcmp(((const struct s_src *)x)->name, ((const struct s_src *)y)->name);
}

static void s_diff_sources(struct s_ctx *c, struct lk_policy *op, struct lk_policy *np)
{
    struct lk_arena *a = &c->scratch;
    struct s_src *ov = lk_arena_alloc(a, (op->n_srcs + 1) * sizeof(*ov));
    struct s_src *nv = lk_arena_alloc(a, (np->n_srcs + 1) * sizeof(*nv));
    for (size_t i = 0; i < op->n_srcs; i++)
        s_src_view(a, op, op->srcs[i], &ov[i]);
    for (size_t i = 0; i < np->n_srcs; i++)
        s_src_view(a, np, np->srcs[i], &nv[i]);
    /* Sources are indexed by name after lk_policy_check(); sort again in case it did not run
     * to the end. */
    qsort(ov, op->n_srcs, sizeof(*ov), s_cmp_src_name);
    qsort(nv, np->n_srcs, sizeof(*nv), s_cmp_src_name);
    struct s_groups new_groups;
    s_groups_build(a, nv, np->n_srcs, &new_groups);

    /* Same names: merge the two sorted lists. */
    size_t i = 0, k = 0;
    while (i < op->n_srcs && k < np->n_srcs) {
        int cmp = strcmp(ov[i].name, nv[k].name);
        if (cmp < 0) {
            i++;
        } else if (cmp > 0) {
            k++;
        } else {
            ov[i].matched = nv[k].matched = true;
            struct lk_policy_diff_entry e =
                s_entry(c, LK_POLICY_DIFF_SOURCE, LK_POLICY_DIFF_CHANGED, nv[k].name, ov[i].name);
            s_src_rows(c, &e, &ov[i], &nv[k], &new_groups);
            s_push(c, &e);
            i++, k++;
        }
    }

    /* Renames: an unmatched old source and an unmatched new one with the same content. Added
     * sources sorted by content then name; each removed one (in name order) takes the first
     * free added one with its content. */
    struct s_src **added = lk_arena_alloc(a, (np->n_srcs + 1) * sizeof(*added));
    size_t n_added = 0;
    for (k = 0; k < np->n_srcs; k++)
        if (!nv[k].matched)
            added[n_added++] = &nv[k];
    qsort(added, n_added, sizeof(*added), s_cmp_src_key);
    for (i = 0; i < op->n_srcs; i++) {
        if (ov[i].matched)
            continue;
        size_t lo = 0, hi = n_added;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (strcmp(added[mid]->key, ov[i].key) < 0)
                lo = mid + 1;
            else
                hi = mid;
        }
        for (; lo < n_added && !strcmp(added[lo]->key, ov[i].key); lo++) {
            if (added[lo]->matched)
                continue;
            added[lo]->matched = ov[i].matched = true;
            struct lk_policy_diff_entry e = s_entry(
                c, LK_POLICY_DIFF_SOURCE, LK_POLICY_DIFF_RENAMED, added[lo]->name, ov[i].name);
            s_src_rows(c, &e, &ov[i], added[lo], &new_groups);
            s_push(c, &e);
            break;
        }
    }

    for (i = 0; i < op->n_srcs; i++) {
        if (ov[i].matched)
            continue;
        struct lk_policy_diff_entry e =
            s_entry(c, LK_POLICY_DIFF_SOURCE, LK_POLICY_DIFF_REMOVED, ov[i].name, ov[i].name);
        e.risks = LK_POLICY_DIFF_RISK_DATA_LOSS;
        e.note = lk_arena_strdup(&c->d->arena,
                                 "its logs are no longer governed by the policy: nothing keeps "
                                 "their retention, and its log groups may fall under the "
                                 "unmanaged rule");
        s_src_rows(c, &e, &ov[i], NULL, &new_groups);
        s_push(c, &e);
    }
    for (k = 0; k < np->n_srcs; k++) {
        if (nv[k].matched)
            continue;
        struct lk_policy_diff_entry e =
            s_entry(c, LK_POLICY_DIFF_SOURCE, LK_POLICY_DIFF_ADDED, nv[k].name, NULL);
        s_src_rows(c, &e, NULL, &nv[k], &new_groups);
        s_push(c, &e);
    }
}

/* ------------------------------------------------------------------------------ stores */

enum s_ta {
    TA_REGION,
    TA_READERS,
    TA_ADMINS,
    TA_VERSIONING,
    TA_OBJECT_LOCK,
    TA_ENCRYPTION,
    TA_SMALL_OBJECTS,
    TA_ABORT_UPLOADS,
    TA_COUNT,
};

static const char *const s_ta_names[TA_COUNT] = {
    "region",
    "readers",
    "admins",
    "versioning",
    "object_lock",
    "encryption",
    "transition_small_objects",
    "abort_incomplete_uploads",
};

struct s_store {
    const char *name;
    const char *bucket;
    const char *v[TA_COUNT];
    struct s_list readers, admins;
    bool versioning;
    bool lock;
    enum lk_lock_mode lock_mode;
    int64_t lock_days;
    bool kms;
    bool matched;
};

static void s_store_view(struct lk_arena *a, struct lk_policy *p, const struct lk_store *s,
                         struct s_store *v)
{
    memset(v, 0, sizeof(*v));
    v->name = s_dup(a, s->name);
    v->bucket = s_dup(a, s->bucket.v);
    v->v[TA_REGION] = s->region.set ? s_dup(a, s->region.v) : s_dup(a, p->region.v);
    s_principals(a, p, &s->readers, &v->readers);
    s_principals(a, p, &s->admins, &v->admins);
    v->v[TA_READERS] = s_list_join(a, &v->readers, "none");
    v->v[TA_ADMINS] = s_list_join(a, &v->admins, "none");
    /* As lowering decides: Object Lock needs versioning, so it keeps it on. */
    v->versioning = !s->versioning.set || s->versioning.v || s->object_lock.set;
    v->v[TA_VERSIONING] = s_onoff(v->versioning);
    v->lock = s->object_lock.set;
    if (v->lock) {
        v->lock_mode = s->object_lock.mode;
        v->lock_days = s->object_lock.period.set ? s->object_lock.period.days : S_UNKNOWN;
        v->v[TA_OBJECT_LOCK] = lk_arena_printf(
            a, "%s, %s", v->lock_mode == LK_LOCK_COMPLIANCE ? "compliance" : "governance",
            s_days_text(a, v->lock_days));
    } else {
        v->v[TA_OBJECT_LOCK] = "none";
    }
    v->kms = s->kms_key.set;
    v->v[TA_ENCRYPTION] =
        v->kms ? lk_arena_printf(a, "SSE-KMS %.*s", LK_STR_ARG(s->kms_key.v)) : "SSE-S3";
    /* Unset sends S3's default, the 128 KB minimum: the same as false. */
    v->v[TA_SMALL_OBJECTS] =
        s_onoff(s->transition_small_objects.set && s->transition_small_objects.v);
    /* The default of 7 days: lower.c, LK_ABORT_UPLOAD_DAYS. */
    v->v[TA_ABORT_UPLOADS] =
        s_days_text(a, s->abort_incomplete_uploads.set ? s->abort_incomplete_uploads.days : 7);
}

static void s_store_rows(struct s_ctx *c, struct lk_policy_diff_entry *e, const struct s_store *o,
                         const struct s_store *n)
{
    struct lk_arena *a = &c->scratch;
    if (!o || !n) {
        const struct s_store *v = o ? o : n;
        for (int i = 0; i < TA_COUNT; i++)
            s_row(c, e, s_ta_names[i], o ? v->v[i] : NULL, n ? v->v[i] : NULL, 0, NULL);
        return;
    }
    for (int i = 0; i < TA_COUNT; i++) {
        if (!strcmp(o->v[i], n->v[i]))
            continue;
        unsigned risks = 0;
        const char *note = NULL;
        switch ((enum s_ta)i) {
        case TA_READERS:
        case TA_ADMINS: {
            const struct s_list *ol = i == TA_READERS ? &o->readers : &o->admins;
            const struct s_list *nl = i == TA_READERS ? &n->readers : &n->admins;
            if (s_list_minus(a, nl, ol))
                risks |= LK_POLICY_DIFF_RISK_ACCESS_WIDENED;
            note = s_list_note(a, ol, nl);
            break;
        }
        case TA_VERSIONING:
            if (o->versioning && !n->versioning)
                risks |= LK_POLICY_DIFF_RISK_INTEGRITY_WEAKENED;
            break;
        case TA_OBJECT_LOCK:
            if (o->lock && !n->lock) {
                risks |= LK_POLICY_DIFF_RISK_INTEGRITY_WEAKENED;
                note = "new objects are no longer locked";
            } else if (o->lock && n->lock) {
                /* Compliance mode cannot be lifted by anyone; governance can, with
                 * s3:BypassGovernanceRetention. */
                if (o->lock_mode == LK_LOCK_COMPLIANCE && n->lock_mode == LK_LOCK_GOVERNANCE)
                    risks |= LK_POLICY_DIFF_RISK_INTEGRITY_WEAKENED;
                if (s_shorter(o->lock_days, n->lock_days))
                    risks |= LK_POLICY_DIFF_RISK_INTEGRITY_WEAKENED;
            }
            break;
        case TA_ENCRYPTION:
            if (o->kms && !n->kms)
                risks |= LK_POLICY_DIFF_RISK_INTEGRITY_WEAKENED;
            break;
        default:
            break;
        }
        s_row(c, e, s_ta_names[i], o->v[i], n->v[i], risks, note);
    }
}

static int s_cmp_store_bucket(const void *x, const void *y)
{
    const struct s_store *a = x, *b = y;
    int k = strcmp(a->bucket, b->bucket);
    return k ? k : strcmp(a->name, b->name);
}

static void s_diff_stores(struct s_ctx *c, struct lk_policy *op, struct lk_policy *np)
{
    struct lk_arena *a = &c->scratch;
    struct s_store *ov = lk_arena_alloc(a, (op->n_stores + 1) * sizeof(*ov));
    struct s_store *nv = lk_arena_alloc(a, (np->n_stores + 1) * sizeof(*nv));
    for (size_t i = 0; i < op->n_stores; i++)
        s_store_view(a, op, op->stores[i], &ov[i]);
    for (size_t i = 0; i < np->n_stores; i++)
        s_store_view(a, np, np->stores[i], &nv[i]);
    qsort(ov, op->n_stores, sizeof(*ov), s_cmp_store_bucket);
    qsort(nv, np->n_stores, sizeof(*nv), s_cmp_store_bucket);
    size_t i = 0, k = 0;
    while (i < op->n_stores || k < np->n_stores) {
        int cmp = i == op->n_stores   ? 1
                  : k == np->n_stores ? -1
                                      : strcmp(ov[i].bucket, nv[k].bucket);
        struct lk_policy_diff_entry e;
        if (cmp < 0) {
            e = s_entry(c, LK_POLICY_DIFF_STORE, LK_POLICY_DIFF_REMOVED, ov[i].name, ov[i].name);
            e.risks = LK_POLICY_DIFF_RISK_DATA_LOSS;
            e.note = lk_arena_strdup(&c->d->arena,
                                     "the bucket is no longer governed: nothing keeps its "
                                     "lifecycle, bucket policy, versioning or Object Lock");
            e.bucket = lk_arena_strdup(&c->d->arena, ov[i].bucket);
            s_store_rows(c, &e, &ov[i], NULL);
            i++;
        } else if (cmp > 0) {
            e = s_entry(c, LK_POLICY_DIFF_STORE, LK_POLICY_DIFF_ADDED, nv[k].name, NULL);
            e.bucket = lk_arena_strdup(&c->d->arena, nv[k].bucket);
            s_store_rows(c, &e, NULL, &nv[k]);
            k++;
        } else {
            bool renamed = strcmp(ov[i].name, nv[k].name) != 0;
            e = s_entry(c, LK_POLICY_DIFF_STORE,
                        renamed ? LK_POLICY_DIFF_RENAMED : LK_POLICY_DIFF_CHANGED, nv[k].name,
                        ov[i].name);
            e.bucket = lk_arena_strdup(&c->d->arena, nv[k].bucket);
            s_store_rows(c, &e, &ov[i], &nv[k]);
            i++, k++;
        }
        s_push(c, &e);
    }
}

/* ------------------------------------------------------------------------------ the policy */

static int64_t s_unmanaged_days(const struct lk_policy *p)
{
    if (!p->unmanaged.set || !p->unmanaged.delete_after.set)
        return S_FOREVER; /* log groups nobody names keep what they have: never expire */
    return p->unmanaged.delete_after.forever ? S_FOREVER : p->unmanaged.delete_after.days;
}

static void s_diff_policy(struct s_ctx *c, struct lk_policy *op, struct lk_policy *np)
{
    struct lk_arena *a = &c->scratch;
    struct lk_policy_diff_entry e =
        s_entry(c, LK_POLICY_DIFF_POLICY, LK_POLICY_DIFF_CHANGED, "policy", "policy");
    const struct lk_text *ot[2] = {&op->account, &op->region};
    const struct lk_text *nt[2] = {&np->account, &np->region};
    static const char *const names[2] = {"account", "region"};
    for (int i = 0; i < 2; i++) {
        const char *ov = ot[i]->set ? s_dup(a, ot[i]->v) : "none";
        const char *nv = nt[i]->set ? s_dup(a, nt[i]->v) : "none";
        if (!strcmp(ov, nv))
            continue;
        /* An old policy that did not say (an empty one: new files) loses nothing. */
        bool risky = ot[i]->set;
        s_row(c, &e, names[i], ov, nv, risky ? LK_POLICY_DIFF_RISK_DATA_LOSS : 0,
              risky ? lk_arena_printf(a,
                                      "what the policy governed in %s %s is no longer "
                                      "governed",
                                      names[i], ov)
                    : NULL);
    }
    struct s_list ob = {lk_arena_alloc(a, (op->baselines.n + 1) * sizeof(char *)), 0};
    struct s_list nb = {lk_arena_alloc(a, (np->baselines.n + 1) * sizeof(char *)), 0};
    for (size_t i = 0; i < op->baselines.n; i++)
        ob.v[ob.n++] = s_dup(a, op->baselines.items[i].v);
    for (size_t i = 0; i < np->baselines.n; i++)
        nb.v[nb.n++] = s_dup(a, np->baselines.items[i].v);
    s_list_finish(&ob);
    s_list_finish(&nb);
    const char *obs = s_list_join(a, &ob, "none"), *nbs = s_list_join(a, &nb, "none");
    if (strcmp(obs, nbs))
        s_row(c, &e, "baselines", obs, nbs, 0, s_list_note(a, &ob, &nb));

    int64_t ou = s_unmanaged_days(op), nu = s_unmanaged_days(np);
    if (ou != nu) {
        /* Setting or shortening it makes apply delete older events of every log group no
         * source names. */
        bool risky = s_shorter(ou, nu);
        s_row(c, &e, "unmanaged.log_groups.delete_after",
              ou == S_FOREVER ? "not set" : s_days_text(a, ou),
              nu == S_FOREVER ? "not set" : s_days_text(a, nu),
              risky ? LK_POLICY_DIFF_RISK_DATA_LOSS : 0,
              risky ? "older events of log groups that no source names are deleted" : NULL);
    }
    s_push(c, &e);
}

/* ------------------------------------------------------------------------------ baselines */

struct s_finding {
    const char *rule;
    const char *message;
};

static int s_cmp_finding(const void *x, const void *y)
{
    const struct s_finding *a = x, *b = y;
    int k = strcmp(a->rule, b->rule);
    return k ? k : strcmp(a->message, b->message);
}

/* The baseline findings of @p p (LK5xx, warnings and errors), sorted, each once. */
static size_t s_findings(struct lk_arena *a, const struct lk_policy *p, struct s_finding **out)
{
    struct s_finding *f = lk_arena_alloc(a, (p->diags.n + 1) * sizeof(*f));
    size_t n = 0;
    for (size_t i = 0; i < p->diags.n; i++) {
        const struct lk_diag *d = &p->diags.items[i];
        if (d->severity < LK_SEV_WARNING || strncmp(d->rule->id, "LK5", 3))
            continue;
        f[n++] = (struct s_finding){d->rule->id, d->message ? d->message : ""};
    }
    qsort(f, n, sizeof(*f), s_cmp_finding);
    size_t w = 0;
    for (size_t i = 0; i < n; i++)
        if (!w || s_cmp_finding(&f[i], &f[w - 1]))
            f[w++] = f[i];
    *out = f;
    return w;
}

static void s_diff_baselines(struct s_ctx *c, struct lk_policy *op, struct lk_policy *np)
{
    struct s_finding *of, *nf;
    size_t on = s_findings(&c->scratch, op, &of), nn = s_findings(&c->scratch, np, &nf);
    size_t i = 0, k = 0;
    while (i < on || k < nn) {
        int cmp = i == on ? 1 : k == nn ? -1 : s_cmp_finding(&of[i], &nf[k]);
        if (cmp == 0) {
            i++, k++;
            continue;
        }
        const struct s_finding *f = cmp < 0 ? &of[i++] : &nf[k++];
        struct lk_policy_diff_entry e = s_entry(
            c, LK_POLICY_DIFF_BASELINE, cmp < 0 ? LK_POLICY_DIFF_REMOVED : LK_POLICY_DIFF_ADDED,
            f->rule, cmp < 0 ? f->rule : NULL);
        e.note = lk_arena_strdup(&c->d->arena, f->message);
        if (cmp > 0)
            e.risks = LK_POLICY_DIFF_RISK_BASELINE_VIOLATED;
        s_push(c, &e);
    }
}

/* ------------------------------------------------------------------------------ artifacts */

static int s_cmp_artifact(const void *x, const void *y)
{
    const struct lk_artifact *a = *(const struct lk_artifact *const *)x;
    const struct lk_artifact *b = *(const struct lk_artifact *const *)y;
    return strcmp(a->path, b->path);
}

static const struct lk_artifact **s_sorted_artifacts(struct lk_arena *a,
                                                     const struct lk_artifacts *arts)
{
    const struct lk_artifact **v = lk_arena_alloc(a, (arts->n + 1) * sizeof(*v));
    for (size_t i = 0; i < arts->n; i++)
        v[i] = &arts->items[i];
    qsort(v, arts->n, sizeof(*v), s_cmp_artifact);
    return v;
}

static void s_artifact(struct lk_policy_diff *d, const char *path,
                       enum lk_policy_diff_artifact_change change, const char *old_sha,
                       const char *new_sha)
{
    LK_ARRAY_GROW(d->artifacts, d->n_artifacts, d->cap_artifacts);
    struct lk_policy_diff_artifact *x = &d->artifacts[d->n_artifacts++];
    memset(x, 0, sizeof(*x));
    x->path = lk_arena_strdup(&d->arena, path);
    x->change = change;
    snprintf(x->old_sha256, sizeof(x->old_sha256), "%s", old_sha ? old_sha : "");
    snprintf(x->new_sha256, sizeof(x->new_sha256), "%s", new_sha ? new_sha : "");
}

static void s_diff_artifacts(struct s_ctx *c, const struct lk_artifacts *oa,
                             const struct lk_artifacts *na)
{
    const struct lk_artifact **o = s_sorted_artifacts(&c->scratch, oa);
    const struct lk_artifact **n = s_sorted_artifacts(&c->scratch, na);
    size_t i = 0, k = 0;
    while (i < oa->n || k < na->n) {
        int cmp = i == oa->n ? 1 : k == na->n ? -1 : strcmp(o[i]->path, n[k]->path);
        if (cmp < 0) {
            s_artifact(c->d, o[i]->path, LK_POLICY_DIFF_ARTIFACT_REMOVED, o[i]->sha256, NULL);
            i++;
        } else if (cmp > 0) {
            s_artifact(c->d, n[k]->path, LK_POLICY_DIFF_ARTIFACT_ADDED, NULL, n[k]->sha256);
            k++;
        } else {
            if (strcmp(o[i]->sha256, n[k]->sha256))
                s_artifact(c->d, n[k]->path, LK_POLICY_DIFF_ARTIFACT_CHANGED, o[i]->sha256,
                           n[k]->sha256);
            i++, k++;
        }
    }
}

/* ------------------------------------------------------------------------------ the diff */

static int s_cmp_str_null(const char *a, const char *b)
{
    if (!a || !b)
        return a ? 1 : b ? -1 : 0;
    return strcmp(a, b);
}

static int s_cmp_entry(const void *x, const void *y)
{
    const struct lk_policy_diff_entry *a = x, *b = y;
    if (a->kind != b->kind)
        return a->kind < b->kind ? -1 : 1;
    int k = strcmp(a->name, b->name);
    if (k)
        return k;
    if (a->status != b->status)
        return a->status < b->status ? -1 : 1;
    k = s_cmp_str_null(a->note, b->note);
    return k ? k : s_cmp_str_null(a->old_name, b->old_name);
}

struct lk_policy_diff *lk_policy_diff_compute(struct lk_policy *old_p,
                                              const struct lk_artifacts *old_arts,
                                              struct lk_policy *new_p,
                                              const struct lk_artifacts *new_arts)
{
    struct lk_policy_diff *d = lk_xcalloc(1, sizeof(*d));
    lk_arena_init(&d->arena);
    d->old_errors = old_p->diags.n_errors;
    struct s_ctx c = {d, {0}};
    lk_arena_init(&c.scratch);
    s_diff_policy(&c, old_p, new_p);
    s_diff_sources(&c, old_p, new_p);
    s_diff_stores(&c, old_p, new_p);
    s_diff_baselines(&c, old_p, new_p);
    if (old_arts && new_arts) {
        d->artifacts_compared = true;
        s_diff_artifacts(&c, old_arts, new_arts);
    }
    lk_arena_destroy(&c.scratch);
    if (d->n_entries > 1)
        qsort(d->entries, d->n_entries, sizeof(*d->entries), s_cmp_entry);
    return d;
}

void lk_policy_diff_free(struct lk_policy_diff *diff)
{
    if (!diff)
        return;
    free(diff->entries);
    free(diff->artifacts);
    lk_arena_destroy(&diff->arena);
    free(diff);
}

static unsigned s_entry_risks(const struct lk_policy_diff_entry *e)
{
    unsigned r = e->risks;
    for (size_t i = 0; i < e->n_rows; i++)
        r |= e->rows[i].risks;
    return r;
}

unsigned lk_policy_diff_risks(const struct lk_policy_diff *diff)
{
    unsigned r = 0;
    for (size_t i = 0; i < diff->n_entries; i++)
        r |= s_entry_risks(&diff->entries[i]);
    return r;
}

size_t lk_policy_diff_count(const struct lk_policy_diff *diff, unsigned risk)
{
    size_t n = 0;
    for (size_t i = 0; i < diff->n_entries; i++) {
        const struct lk_policy_diff_entry *e = &diff->entries[i];
        n += (e->risks & risk) != 0;
        for (size_t k = 0; k < e->n_rows; k++)
            n += (e->rows[k].risks & risk) != 0;
    }
    return n;
}

bool lk_policy_diff_format_parse(const char *name, enum lk_policy_diff_format *out)
{
    if (!strcmp(name, "text"))
        *out = LK_POLICY_DIFF_TEXT;
    else if (!strcmp(name, "markdown"))
        *out = LK_POLICY_DIFF_MARKDOWN;
    else if (!strcmp(name, "json"))
        *out = LK_POLICY_DIFF_JSON;
    else
        return false;
    return true;
}

/* ------------------------------------------------------------------------------ text */

#define C_RESET "\033[0m"
#define C_BOLD "\033[1m"
#define C_RED "\033[1;31m"
#define C_GREEN "\033[1;32m"
#define C_YELLOW "\033[1;33m"
#define C_CYAN "\033[1;36m"

struct s_out {
    struct lk_buf b;
    bool color;
};

static void s_col(struct s_out *o, const char *code)
{
    if (o->color)
        lk_buf_puts(&o->b, code);
}

/* " [data-loss, access-widened]" */
static void s_text_risks(struct s_out *o, unsigned risks)
{
    if (!risks)
        return;
    lk_buf_puts(&o->b, "  ");
    s_col(o, C_RED);
    lk_buf_putc(&o->b, '[');
    bool first = true;
    for (unsigned i = 0; i < LK_POLICY_DIFF_N_RISKS; i++) {
        if (!(risks & (1u << i)))
            continue;
        lk_buf_printf(&o->b, "%s%s", first ? "" : ", ", s_risk_names[i]);
        first = false;
    }
    lk_buf_putc(&o->b, ']');
    s_col(o, C_RESET);
}

static const char *s_marker(enum lk_policy_diff_status s)
{
    switch (s) {
    case LK_POLICY_DIFF_ADDED:
        return "+";
    case LK_POLICY_DIFF_REMOVED:
        return "-";
    case LK_POLICY_DIFF_RENAMED:
        return ">";
    default:
        return "~";
    }
}

static const char *s_marker_color(enum lk_policy_diff_status s)
{
    switch (s) {
    case LK_POLICY_DIFF_ADDED:
        return C_GREEN;
    case LK_POLICY_DIFF_REMOVED:
        return C_RED;
    case LK_POLICY_DIFF_RENAMED:
        return C_CYAN;
    default:
        return C_YELLOW;
    }
}

static void s_text_entry(struct s_out *o, const struct lk_policy_diff_entry *e)
{
    struct lk_buf *b = &o->b;
    s_col(o, s_marker_color(e->status));
    lk_buf_puts(b, s_marker(e->status));
    s_col(o, C_RESET);
    lk_buf_putc(b, ' ');
    s_col(o, C_BOLD);
    if (e->kind == LK_POLICY_DIFF_POLICY)
        lk_buf_puts(b, "policy");
    else
        lk_buf_printf(b, "%s %s", lk_policy_diff_kind_name(e->kind), e->name);
    s_col(o, C_RESET);
    if (e->bucket)
        lk_buf_printf(b, " (bucket %s)", e->bucket);
    if (e->status == LK_POLICY_DIFF_RENAMED)
        lk_buf_printf(b, ", renamed from %s", e->old_name);
    else if (e->status != LK_POLICY_DIFF_CHANGED)
        lk_buf_printf(b, ": %s", lk_policy_diff_status_name(e->status));
    s_text_risks(o, e->risks);
    lk_buf_putc(b, '\n');
    if (e->note)
        lk_buf_printf(b, "    %s\n", e->note);
    int width = 0;
    for (size_t i = 0; i < e->n_rows; i++) {
        int len = (int)strlen(e->rows[i].attribute);
        width = len > width ? len : width;
    }
    for (size_t i = 0; i < e->n_rows; i++) {
        const struct lk_policy_diff_row *r = &e->rows[i];
        lk_buf_printf(b, "    %-*s  ", width, r->attribute);
        if (r->old_value && r->new_value)
            lk_buf_printf(b, "%s -> %s", r->old_value, r->new_value);
        else
            lk_buf_puts(b, r->new_value ? r->new_value : r->old_value);
        s_text_risks(o, r->risks);
        lk_buf_putc(b, '\n');
        if (r->note)
            lk_buf_printf(b, "    %-*s  (%s)\n", width, "", r->note);
    }
}

static const char *const s_artifact_marks[3] = {"+", "~", "-"};
static const char *const s_artifact_names[3] = {"added", "changed", "removed"};

static void s_artifact_counts(const struct lk_policy_diff *d, size_t counts[3])
{
    counts[0] = counts[1] = counts[2] = 0;
    for (size_t i = 0; i < d->n_artifacts; i++)
        counts[d->artifacts[i].change]++;
}

static void s_render_text(struct s_out *o, const struct lk_policy_diff *d)
{
    struct lk_buf *b = &o->b;
    for (size_t i = 0; i < d->n_entries; i++)
        s_text_entry(o, &d->entries[i]);
    if (!d->n_entries)
        lk_buf_puts(b, "no change in meaning\n");
    lk_buf_putc(b, '\n');
    if (!d->artifacts_compared) {
        lk_buf_puts(b, "artifacts: not compared (the old policy does not compile)\n");
    } else {
        size_t counts[3];
        s_artifact_counts(d, counts);
        lk_buf_printf(b, "artifacts: %zu added, %zu changed, %zu removed\n", counts[0], counts[1],
                      counts[2]);
        for (size_t i = 0; i < d->n_artifacts; i++)
            lk_buf_printf(b, "  %s %s\n", s_artifact_marks[d->artifacts[i].change],
                          d->artifacts[i].path);
    }
    unsigned risks = lk_policy_diff_risks(d);
    lk_buf_putc(b, '\n');
    if (!risks) {
        lk_buf_puts(b, "no risky change\n");
        return;
    }
    s_col(o, C_RED);
    lk_buf_puts(b, "risky:");
    s_col(o, C_RESET);
    bool first = true;
    for (unsigned i = 0; i < LK_POLICY_DIFF_N_RISKS; i++) {
        size_t n = lk_policy_diff_count(d, 1u << i);
        if (!n)
            continue;
        lk_buf_printf(b, "%s %s (%zu)", first ? "" : ",", s_risk_names[i], n);
        first = false;
    }
    lk_buf_putc(b, '\n');
}

/* ------------------------------------------------------------------------------ Markdown */


/* A name, attribute or path as a code span; text that a code span cannot hold (a backtick, a
 * '|' that would end the table cell, a line break) is escaped text instead. */
static void s_md_code(struct lk_buf *b, const char *s)
{
    if (!*s || strpbrk(s, "`|\r\n")) {
        lk_md_escape(b, s);
        return;
    }
    lk_buf_putc(b, '`');
    lk_buf_puts(b, s);
    lk_buf_putc(b, '`');
}

static void s_md_risks(struct lk_buf *b, unsigned risks)
{
    bool first = true;
    for (unsigned i = 0; i < LK_POLICY_DIFF_N_RISKS; i++) {
        if (!(risks & (1u << i)))
            continue;
        lk_buf_printf(b, "%s**%s**", first ? "" : ", ", s_risk_names[i]);
        first = false;
    }
}

static void s_md_entry(struct lk_buf *b, const struct lk_policy_diff_entry *e)
{
    lk_buf_puts(b, "### ");
    if (e->kind == LK_POLICY_DIFF_POLICY) {
        lk_buf_puts(b, "Policy");
    } else {
        lk_buf_puts(b, e->kind == LK_POLICY_DIFF_SOURCE ? "Source " : "Store ");
        s_md_code(b, e->name);
    }
    if (e->status == LK_POLICY_DIFF_RENAMED) {
        lk_buf_puts(b, " (renamed from ");
        s_md_code(b, e->old_name);
        lk_buf_putc(b, ')');
    } else if (e->status != LK_POLICY_DIFF_CHANGED) {
        lk_buf_printf(b, " (%s)", lk_policy_diff_status_name(e->status));
    }
    lk_buf_puts(b, "\n\n");
    if (e->bucket) {
        lk_buf_puts(b, "Bucket ");
        s_md_code(b, e->bucket);
        lk_buf_puts(b, ".\n\n");
    }
    if (e->risks || e->note) {
        s_md_risks(b, e->risks);
        if (e->risks && e->note)
            lk_buf_puts(b, ": ");
        if (e->note)
            lk_md_escape(b, e->note);
        lk_buf_puts(b, "\n\n");
    }
    if (!e->n_rows) {
        if (e->status == LK_POLICY_DIFF_RENAMED)
            lk_buf_puts(b, "No other change.\n\n");
        return;
    }
    bool both = e->status == LK_POLICY_DIFF_CHANGED || e->status == LK_POLICY_DIFF_RENAMED;
    if (both)
        lk_buf_puts(b, "| Attribute | Old | New | Risk |\n|---|---|---|---|\n");
    else
        lk_buf_puts(b, "| Attribute | Value |\n|---|---|\n");
    for (size_t i = 0; i < e->n_rows; i++) {
        const struct lk_policy_diff_row *r = &e->rows[i];
        lk_buf_puts(b, "| ");
        s_md_code(b, r->attribute);
        lk_buf_puts(b, " | ");
        if (both) {
            lk_md_escape(b, r->old_value ? r->old_value : "");
            lk_buf_puts(b, " | ");
            lk_md_escape(b, r->new_value ? r->new_value : "");
            lk_buf_puts(b, " | ");
            s_md_risks(b, r->risks);
            if (r->note) {
                lk_buf_puts(b, r->risks ? ": " : "");
                lk_md_escape(b, r->note);
            }
        } else {
            lk_md_escape(b, r->new_value ? r->new_value : r->old_value ? r->old_value : "");
        }
        lk_buf_puts(b, " |\n");
    }
    lk_buf_putc(b, '\n');
}

static void s_render_markdown(struct lk_buf *b, const struct lk_policy_diff *d)
{
    unsigned risks = lk_policy_diff_risks(d);
    if (risks) {
        lk_buf_puts(b, "## logkeep diff: risky change (");
        bool first = true;
        for (unsigned i = 0; i < LK_POLICY_DIFF_N_RISKS; i++)
            if (risks & (1u << i)) {
                lk_buf_printf(b, "%s%s", first ? "" : ", ", s_risk_names[i]);
                first = false;
            }
        lk_buf_puts(b, ")\n\n");
    } else if (d->n_entries)
        lk_buf_puts(b, "## logkeep diff: no risky change\n\n");
    else
        lk_buf_puts(b, "## logkeep diff: no change in meaning\n\n");
    lk_buf_puts(b, "| Risk | Findings |\n|---|---:|\n");
    for (unsigned i = 0; i < LK_POLICY_DIFF_N_RISKS; i++) {
        size_t n = lk_policy_diff_count(d, 1u << i);
        if (n)
            lk_buf_printf(b, "| **%s** | %zu |\n", s_risk_names[i], n);
        else
            lk_buf_printf(b, "| %s | 0 |\n", s_risk_names[i]);
    }
    lk_buf_putc(b, '\n');
    if (risks)
        lk_buf_puts(b, "logkeep flags this change as risky (exit status 3): review each flagged "
                       "finding below.\n\n");

    size_t i = 0;
    for (; i < d->n_entries && d->entries[i].kind != LK_POLICY_DIFF_BASELINE; i++)
        s_md_entry(b, &d->entries[i]);
    if (i < d->n_entries) {
        lk_buf_puts(b, "### Baseline findings\n\n| Rule | Change | Finding | Risk |\n"
                       "|---|---|---|---|\n");
        for (; i < d->n_entries; i++) {
            const struct lk_policy_diff_entry *e = &d->entries[i];
            lk_buf_puts(b, "| ");
            s_md_code(b, e->name);
            lk_buf_printf(b, " | %s | ",
                          e->status == LK_POLICY_DIFF_ADDED ? "new" : "no longer reported");
            lk_md_escape(b, e->note ? e->note : "");
            lk_buf_puts(b, " | ");
            s_md_risks(b, e->risks);
            lk_buf_puts(b, " |\n");
        }
        lk_buf_putc(b, '\n');
    }

    if (!d->artifacts_compared) {
        lk_buf_puts(b, "Artifacts not compared: the old policy does not compile.\n");
        return;
    }
    if (!d->n_artifacts) {
        lk_buf_puts(b, "Artifacts: no change.\n");
        return;
    }
    size_t counts[3];
    s_artifact_counts(d, counts);
    lk_buf_printf(b,
                  "<details>\n<summary>Artifacts: %zu added, %zu changed, %zu removed"
                  "</summary>\n\n",
                  counts[0], counts[1], counts[2]);
    lk_buf_puts(b, "| Change | Path |\n|---|---|\n");
    for (size_t k = 0; k < d->n_artifacts; k++) {
        lk_buf_printf(b, "| %s | ", s_artifact_names[d->artifacts[k].change]);
        s_md_code(b, d->artifacts[k].path);
        lk_buf_puts(b, " |\n");
    }
    lk_buf_puts(b, "\n</details>\n");
}

/* ------------------------------------------------------------------------------ JSON */

static cJSON *s_jcheck(cJSON *x)
{
    if (!x)
        lk_oom();
    return x;
}

static void s_jstr(cJSON *obj, const char *key, const char *value)
{
    if (value)
        s_jcheck(cJSON_AddStringToObject(obj, key, value));
    else
        s_jcheck(cJSON_AddNullToObject(obj, key));
}

static cJSON *s_jrisks(unsigned risks)
{
    cJSON *arr = s_jcheck(cJSON_CreateArray());
    for (unsigned i = 0; i < LK_POLICY_DIFF_N_RISKS; i++)
        if (risks & (1u << i))
            cJSON_AddItemToArray(arr, s_jcheck(cJSON_CreateString(s_risk_names[i])));
    return arr;
}

static void s_render_json(struct lk_buf *b, const struct lk_policy_diff *d)
{
    cJSON *root = s_jcheck(cJSON_CreateObject());
    s_jstr(root, "format", "logkeep-diff");
    s_jcheck(cJSON_AddNumberToObject(root, "version", 1));
    unsigned all = lk_policy_diff_risks(d);
    s_jcheck(cJSON_AddBoolToObject(root, "risky", all != 0));
    cJSON *risks = s_jcheck(cJSON_AddObjectToObject(root, "risks"));
    for (unsigned i = 0; i < LK_POLICY_DIFF_N_RISKS; i++)
        s_jcheck(cJSON_AddNumberToObject(risks, s_risk_names[i],
                                         (double)lk_policy_diff_count(d, 1u << i)));
    s_jcheck(cJSON_AddNumberToObject(root, "old_errors", (double)d->old_errors));
    cJSON *entries = s_jcheck(cJSON_AddArrayToObject(root, "entries"));
    for (size_t i = 0; i < d->n_entries; i++) {
        const struct lk_policy_diff_entry *e = &d->entries[i];
        cJSON *je = s_jcheck(cJSON_CreateObject());
        cJSON_AddItemToArray(entries, je);
        s_jstr(je, "kind", lk_policy_diff_kind_name(e->kind));
        s_jstr(je, "status", lk_policy_diff_status_name(e->status));
        s_jstr(je, "name", e->name);
        s_jstr(je, "old_name", e->old_name);
        s_jstr(je, "bucket", e->bucket);
        cJSON_AddItemToObject(je, "risks", s_jrisks(s_entry_risks(e)));
        s_jstr(je, "note", e->note);
        cJSON *rows = s_jcheck(cJSON_AddArrayToObject(je, "changes"));
        for (size_t k = 0; k < e->n_rows; k++) {
            const struct lk_policy_diff_row *r = &e->rows[k];
            cJSON *jr = s_jcheck(cJSON_CreateObject());
            cJSON_AddItemToArray(rows, jr);
            s_jstr(jr, "attribute", r->attribute);
            s_jstr(jr, "old", r->old_value);
            s_jstr(jr, "new", r->new_value);
            cJSON_AddItemToObject(jr, "risks", s_jrisks(r->risks));
            s_jstr(jr, "note", r->note);
        }
    }
    if (d->artifacts_compared) {
        cJSON *arts = s_jcheck(cJSON_AddArrayToObject(root, "artifacts"));
        for (size_t i = 0; i < d->n_artifacts; i++) {
            const struct lk_policy_diff_artifact *x = &d->artifacts[i];
            cJSON *ja = s_jcheck(cJSON_CreateObject());
            cJSON_AddItemToArray(arts, ja);
            s_jstr(ja, "path", x->path);
            s_jstr(ja, "change", s_artifact_names[x->change]);
            s_jstr(ja, "old_sha256", x->old_sha256[0] ? x->old_sha256 : NULL);
            s_jstr(ja, "new_sha256", x->new_sha256[0] ? x->new_sha256 : NULL);
        }
    } else {
        s_jcheck(cJSON_AddNullToObject(root, "artifacts"));
    }
    struct lk_arena a;
    lk_arena_init(&a);
    const char *text = lk_json_print(root, &a);
    if (text)
        lk_buf_puts(b, text);
    else
        lk_buf_fail(b); /* the tree alone is over its cap: so is the report */
    lk_arena_destroy(&a);
    cJSON_Delete(root);
}

char *lk_policy_diff_render(const struct lk_policy_diff *diff, enum lk_policy_diff_format format,
                            bool color)
{
    struct s_out o;
    lk_buf_init(&o.b, LK_BUF_MAX_REPORT);
    o.color = color && format == LK_POLICY_DIFF_TEXT;
    switch (format) {
    case LK_POLICY_DIFF_TEXT:
        s_render_text(&o, diff);
        break;
    case LK_POLICY_DIFF_MARKDOWN:
        s_render_markdown(&o.b, diff);
        break;
    case LK_POLICY_DIFF_JSON:
        s_render_json(&o.b, diff);
        break;
    }
    return lk_buf_take(&o.b, NULL);
}
