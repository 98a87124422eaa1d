/*
 * logkeep runtime: the diff of CloudWatch Logs log groups: the retention, KMS key, deletion
 * protection and class of a group the policy names exactly, the retention of a group a pattern
 * governs, patterns that match nothing, and the unmanaged rule for groups nothing names
 * (emit_logs.c writes the same settings). Pairing, and which pattern governs a group, are diff.c's.
 */
#include <string.h>

#include "runtime/diff/diff_int.h"

/* A group of the DELIVERY class keeps its events one day, and that cannot be changed
 * (CloudWatch Logs API Reference, CreateLogGroup logGroupClass: "Log events in log groups in the
 * Delivery class are kept in CloudWatch Logs for only one day"): a retention the policy wants
 * there is a note, never a change apply would send. @return true when @p l is such a group. */
static bool s_delivery_note(struct lk_diff_ctx *c, int32_t want, const struct lk_ir_log_group *l)
{
    if (l->log_group_class != LK_IR_LOG_CLASS_DELIVERY)
        return false;
    if (want != 1)
        lk_diff_note(c, lk_diff_add(c, "retention_days", LK_DIFF_NOTE, LK_DIFF_NEUTRAL, NULL, NULL),
                     "DELIVERY class: retention fixed at 1 day (the policy wants %s); not changed",
                     lk_diff_days_str(c, want, "never expire"));
    return true;
}

/* Live retention against desired: shorter live retention deletes logs the policy keeps
 * (WEAKER; applying lengthens it, which is safe); longer live retention keeps logs the policy
 * deletes (STRONGER; applying deletes them: "Shortening retention deletes existing data
 * irreversibly", CloudWatch Logs deletes events past retention). 0 is never expire. */
static struct lk_diff_change *s_retention(struct lk_diff_ctx *c, int32_t want, int32_t have)
{
    struct lk_diff_change *ch =
        lk_diff_keep_days(c, NULL, "retention_days", want, have, "never expire");
    if (ch && ch->direction == LK_DIFF_STRONGER)
        lk_diff_allow(c, ch, "shorten-retention:%s", c->name);
    return ch;
}

void lk_diff_log_group(struct lk_diff_ctx *c, const struct lk_ir_log_group *d,
                       const struct lk_ir_log_group *l)
{
    if (!l) {
        lk_diff_add(
            c, "", LK_DIFF_MISSING, LK_DIFF_WEAKER,
            lk_diff_fmt(c, "retention %s", lk_diff_days_str(c, d->retention_days, "never expire")),
            NULL);
        return;
    }
    if (!s_delivery_note(c, d->retention_days, l))
        s_retention(c, d->retention_days, l->retention_days);
    if (d->kms_key_id && !lk_diff_kms_same(d->kms_key_id, l->kms_key_id)) {
        struct lk_diff_change *ch =
            lk_diff_add(c, "kms_key_id", LK_DIFF_CHANGED, LK_DIFF_WEAKER, d->kms_key_id,
                        l->kms_key_id ? l->kms_key_id : "none");
        /* AssociateKmsKey "overrides any existing associations" (API Reference): replacing
         * another key is asked for; associating one where none is, is not. */
        if (l->kms_key_id)
            lk_diff_allow(c, ch, "log-group-key:%s", c->name);
    }
    lk_diff_log_group_integrity(c, d, l);
}

void lk_diff_log_group_integrity(struct lk_diff_ctx *c, const struct lk_ir_log_group *d,
                                 const struct lk_ir_log_group *l)
{
    /* Deletion protection (PutLogGroupDeletionProtection): logkeep turns it on, never off. */
    if (d->deletion_protection && !l->deletion_protection)
        lk_diff_add(c, "deletion_protection", LK_DIFF_CHANGED, LK_DIFF_WEAKER, "on", "off");
    /* "The value of logGroupClass can't be changed after a log group is created" (API
     * Reference, CreateLogGroup): a different class is shown, never applied. */
    const char *want = lk_ir_log_group_class_api(d->log_group_class);
    const char *have = lk_ir_log_group_class_api(l->log_group_class);
    if (want && have && strcmp(want, have) != 0)
        lk_diff_note(
            c, lk_diff_add(c, "log_group_class", LK_DIFF_NOTE, LK_DIFF_NEUTRAL, NULL, NULL),
            "class %s, the policy says %s: a class never changes; not applied", have, want);
    else if (!want && l->log_group_class == LK_IR_LOG_CLASS_INFREQUENT_ACCESS)
        lk_diff_note(c,
                     lk_diff_add(c, "log_group_class", LK_DIFF_NOTE, LK_DIFF_NEUTRAL, NULL, NULL),
                     "class INFREQUENT_ACCESS (fewer features; a class never changes)");
}

void lk_diff_log_group_by_pattern(struct lk_diff_ctx *c, const struct lk_ir_log_group *p,
                                  const struct lk_ir_log_group *l)
{
    lk_diff_log_group_integrity(c, p, l);
    if (s_delivery_note(c, p->retention_days, l))
        return;
    struct lk_diff_change *ch = s_retention(c, p->retention_days, l->retention_days);
    if (ch)
        lk_diff_note(c, ch, "governed by pattern %s", p->name);
}

void lk_diff_pattern_unmatched(struct lk_diff_ctx *c)
{
    lk_diff_note(c, lk_diff_add(c, "", LK_DIFF_NOTE, LK_DIFF_NEUTRAL, NULL, NULL),
                 "pattern matches no live log group");
}

void lk_diff_log_group_unmanaged(struct lk_diff_ctx *c, const struct lk_ir_state *desired,
                                 const struct lk_ir_log_group *g, const char *region)
{
    /* The unmanaged rule is set in the policy's own region (emit_logs.c). */
    if (g->log_group_class == LK_IR_LOG_CLASS_DELIVERY)
        return; /* one day, fixed: nothing to keep or shorten */
    if (desired->unmanaged_set && !strcmp(region, lk_diff_region_or(desired->region, NULL))) {
        struct lk_diff_change *ch =
            s_retention(c, desired->unmanaged_retention_days, g->retention_days);
        if (ch) {
            lk_diff_note(c, ch, "no source names it: the unmanaged rule applies");
            if (ch->data_loss)
                ch->allow_name = lk_arena_strdup(&c->out->arena, LK_DIFF_ALLOW_UNMANAGED_RETENTION);
        }
    } else if (g->retention_days == 0) {
        lk_diff_note(c, lk_diff_add(c, "retention_days", LK_DIFF_NOTE, LK_DIFF_NEUTRAL, NULL, NULL),
                     "never expires, and no unmanaged rule covers it");
    }
}
