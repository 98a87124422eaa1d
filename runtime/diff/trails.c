/*
 * logkeep runtime: the diff of CloudTrail trails: where logs go (bucket, key prefix, CloudWatch
 * Logs), what is recorded (multi-Region, organization, global service events, event selectors),
 * validation, encryption and logging state, as emit_trail.c writes them.
 */
#include <string.h>

#include "runtime/diff/diff_int.h"

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
            if (!lk_diff_streq(r->type, type))
                continue;
            for (size_t v = 0; v < r->values.n; v++)
                if (lk_diff_starts_with(value, r->values.items[v]))
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

static char *s_selectors_str(struct lk_diff_ctx *c, const struct lk_ir_trail *t)
{
    if (!t->n_event_selectors)
        return lk_diff_fmt(c, "none");
    /* Up to 250 data resources of over 1 KB each (CloudTrail API Reference,
     * PutEventSelectors): more than one line's cap. */
    struct lk_buf b;
    lk_buf_init(&b, LK_BUF_MAX_REPORT);
    for (size_t i = 0; i < t->n_event_selectors; i++) {
        const struct lk_ir_event_selector *e = &t->event_selectors[i];
        lk_buf_printf(&b, "%s%s, management events %s", i ? "; " : "",
                      e->read_write_type ? e->read_write_type : "All",
                      e->include_management_events ? "on" : "off");
        if (e->exclude_management_event_sources.n) {
            lk_buf_puts(&b, " except ");
            lk_diff_join_list(&b, &e->exclude_management_event_sources);
        }
        for (size_t d = 0; d < e->n_data_resources; d++) {
            lk_buf_printf(&b, ", data %s=", e->data_resources[d].type);
            lk_diff_join_list(&b, &e->data_resources[d].values);
        }
    }
    return lk_diff_done(c, &b);
}

/* A trail setting that records or protects more when true; @p origin is its key in the policy. */
static void s_trail_flag(struct lk_diff_ctx *c, const char *attr, bool d, bool l, const char *verb,
                         const char *trail, const struct lk_ir_origin *origin)
{
    if (d == l)
        return;
    lk_diff_origin(c, origin);
    struct lk_diff_change *ch =
        lk_diff_add(c, attr, LK_DIFF_CHANGED, d ? LK_DIFF_WEAKER : LK_DIFF_STRONGER,
                    lk_diff_bool(d), lk_diff_bool(l));
    if (!d && verb)
        lk_diff_allow(c, ch, "%s:%s", verb, trail);
}

/* CloudWatchLogsLogGroupArn is written with and may be read back with the ":*" suffix. */
static char *s_cwl_arn(struct lk_diff_ctx *c, const char *arn)
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
static char *s_key_prefix(struct lk_diff_ctx *c, const char *p)
{
    size_t n = p ? strlen(p) : 0;
    while (n && p[n - 1] == '/')
        n--;
    return lk_arena_strndup(c->tmp, p ? p : "", n);
}

static char *s_trail_str(struct lk_diff_ctx *c, const struct lk_ir_trail *t)
{
    return lk_diff_fmt(c, "S3 bucket %s; multi-Region %s; log file validation %s; logging %s",
                       t->s3_bucket_name ? t->s3_bucket_name : "none",
                       t->is_multi_region_trail ? "on" : "off",
                       t->enable_log_file_validation ? "on" : "off", t->is_logging ? "on" : "off");
}

void lk_diff_trail(struct lk_diff_ctx *c, const struct lk_ir_trail *d, const struct lk_ir_trail *l,
                   const char *home)
{
    if (!l || !l->exists) {
        lk_diff_add(c, "", LK_DIFF_MISSING, LK_DIFF_WEAKER, s_trail_str(c, d), NULL);
        return;
    }
    struct lk_diff_change *ch;
    lk_diff_origin(c, NULL);
    if (l->home_region && !lk_diff_streq(l->home_region, home))
        lk_diff_add(c, "trail.home_region", LK_DIFF_CHANGED, LK_DIFF_NEUTRAL, home, l->home_region);
    lk_diff_origin(c, &d->origins.s3_bucket_name);
    if (!lk_diff_streq(d->s3_bucket_name, l->s3_bucket_name)) {
        ch = lk_diff_add(c, "trail.s3_bucket_name", LK_DIFF_CHANGED, LK_DIFF_WEAKER,
                         d->s3_bucket_name ? d->s3_bucket_name : "none",
                         l->s3_bucket_name ? l->s3_bucket_name : "none");
        lk_diff_note(c, ch, "logs go where the policy does not govern them");
    }
    const char *dp = s_key_prefix(c, d->s3_key_prefix), *lp = s_key_prefix(c, l->s3_key_prefix);
    lk_diff_origin(c, &d->origins.s3_key_prefix);
    if (strcmp(dp, lp) != 0)
        lk_diff_add(c, "trail.s3_key_prefix", LK_DIFF_CHANGED, LK_DIFF_NEUTRAL, *dp ? dp : "none",
                    *lp ? lp : "none");
    s_trail_flag(c, "trail.include_global_service_events", d->include_global_service_events,
                 l->include_global_service_events, "reduce-logging", d->name,
                 &d->origins.include_global_service_events);
    s_trail_flag(c, "trail.is_multi_region_trail", d->is_multi_region_trail,
                 l->is_multi_region_trail, "reduce-logging", d->name,
                 &d->origins.is_multi_region_trail);
    s_trail_flag(c, "trail.is_organization_trail", d->is_organization_trail,
                 l->is_organization_trail, "reduce-logging", d->name,
                 &d->origins.is_organization_trail);
    s_trail_flag(c, "trail.enable_log_file_validation", d->enable_log_file_validation,
                 l->enable_log_file_validation, "disable-validation", d->name,
                 &d->origins.enable_log_file_validation);
    /* The policy has no key for it: a trail of the policy always logs. */
    s_trail_flag(c, "trail.is_logging", d->is_logging, l->is_logging, "stop-logging", d->name,
                 NULL);

    lk_diff_origin(c, &d->origins.kms_key_id);
    if (!lk_diff_kms_same(d->kms_key_id, l->kms_key_id)) {
        if (!l->kms_key_id)
            lk_diff_add(c, "trail.kms_key_id", LK_DIFF_MISSING, LK_DIFF_WEAKER, d->kms_key_id,
                        NULL);
        else if (!d->kms_key_id)
            lk_diff_add(c, "trail.kms_key_id", LK_DIFF_EXTRA, LK_DIFF_STRONGER, NULL,
                        l->kms_key_id);
        else
            lk_diff_add(c, "trail.kms_key_id", LK_DIFF_CHANGED, LK_DIFF_WEAKER, d->kms_key_id,
                        l->kms_key_id);
    }
    const char *dg = s_cwl_arn(c, d->cloud_watch_logs_log_group_arn);
    const char *lg = s_cwl_arn(c, l->cloud_watch_logs_log_group_arn);
    lk_diff_origin(c, &d->origins.cloud_watch_logs);
    if (!lk_diff_streq(dg, lg)) {
        if (!lg) {
            lk_diff_add(c, "trail.cloud_watch_logs_log_group_arn", LK_DIFF_MISSING, LK_DIFF_WEAKER,
                        dg, NULL);
        } else if (!dg) {
            ch = lk_diff_add(c, "trail.cloud_watch_logs_log_group_arn", LK_DIFF_EXTRA,
                             LK_DIFF_STRONGER, NULL, lg);
            lk_diff_allow(c, ch, "reduce-logging:%s", d->name);
        } else {
            lk_diff_add(c, "trail.cloud_watch_logs_log_group_arn", LK_DIFF_CHANGED, LK_DIFF_WEAKER,
                        dg, lg);
        }
    } else if (dg && !lk_diff_streq(d->cloud_watch_logs_role_arn, l->cloud_watch_logs_role_arn)) {
        lk_diff_add(c, "trail.cloud_watch_logs_role_arn", LK_DIFF_CHANGED, LK_DIFF_NEUTRAL,
                    d->cloud_watch_logs_role_arn ? d->cloud_watch_logs_role_arn : "none",
                    l->cloud_watch_logs_role_arn ? l->cloud_watch_logs_role_arn : "none");
    }

    lk_diff_origin(c, &d->origins.event_selectors);
    if (l->unmodelled & LK_IR_UNMODELLED_ADVANCED_SELECTORS) {
        /* Advanced event selectors replace the basic ones; PutEventSelectors with basic
         * selectors replaces them in turn, dropping whatever they recorded. */
        ch = lk_diff_add(c, "trail.event_selectors", LK_DIFF_CHANGED, LK_DIFF_NEUTRAL,
                         s_selectors_str(c, d), "advanced event selectors");
        lk_diff_note(c, ch, "advanced event selectors are not modelled");
        lk_diff_allow(c, ch, "reduce-logging:%s", d->name);
        return;
    }
    bool lcd = s_selectors_cover(l, d), dcl = s_selectors_cover(d, l);
    if (lcd && dcl)
        return;
    ch = lk_diff_add(c, "trail.event_selectors", LK_DIFF_CHANGED,
                     dcl   ? LK_DIFF_WEAKER
                     : lcd ? LK_DIFF_STRONGER
                           : LK_DIFF_WEAKER,
                     s_selectors_str(c, d), s_selectors_str(c, l));
    if (!dcl)
        lk_diff_allow(c, ch, "reduce-logging:%s", d->name);
}
