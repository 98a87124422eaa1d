/*
 * logkeep runtime: the diff of an S3 bucket's settings: whether it exists and where, versioning
 * and MFA delete, Object Lock, Block Public Access and default encryption, as emit_s3.c writes
 * them. Lifecycle rules and the bucket policy have their own files.
 */
#include <string.h>

#include "runtime/diff/diff_int.h"

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
static void s_versioning(struct lk_diff_ctx *c, const struct lk_ir_bucket *d,
                         const struct lk_ir_bucket *l)
{
    bool d_on = d->versioning == LK_IR_VERSIONING_ENABLED;
    bool l_on = l->versioning == LK_IR_VERSIONING_ENABLED;
    lk_diff_origin(c, &d->versioning_origin);
    if (d_on != l_on) {
        struct lk_diff_change *ch =
            lk_diff_add(c, "versioning", LK_DIFF_CHANGED, d_on ? LK_DIFF_WEAKER : LK_DIFF_STRONGER,
                        s_versioning_str(d->versioning), s_versioning_str(l->versioning));
        if (!d_on)
            lk_diff_allow(c, ch, "suspend-versioning:%s", d->name);
    }
    if (d->mfa_delete && !l->mfa_delete)
        lk_diff_add(c, "mfa_delete", LK_DIFF_CHANGED, LK_DIFF_WEAKER, "true", "false");
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

static char *s_period_str(struct lk_diff_ctx *c, int32_t days, int32_t years)
{
    return years > 0 ? lk_diff_fmt(c, "%d year%s", (int)years, years == 1 ? "" : "s")
                     : lk_diff_fmt(c, "%d days", (int)days);
}

static char *s_lock_str(struct lk_diff_ctx *c, const struct lk_ir_bucket *b)
{
    if (!b->object_lock.enabled)
        return lk_diff_fmt(c, "off");
    if (b->object_lock.mode == LK_IR_LOCK_NONE)
        return lk_diff_fmt(c, "enabled, no default retention");
    return lk_diff_fmt(c, "%s, %s", s_lock_mode_str(b->object_lock.mode),
                       s_period_str(c, b->object_lock.days, b->object_lock.years));
}

/* Changes that bind what is written from then on and cannot be undone for it: turning on a
 * default retention, GOVERNANCE -> COMPLIANCE, a longer period. "In compliance mode, a protected
 * object version can't be overwritten or deleted by any user, including the root user in your
 * AWS account. When an object is locked in compliance mode, its retention mode can't be
 * changed, and its retention period can't be shortened." (S3 User Guide, "Object Lock
 * retention modes"). apply needs --allow lock:<bucket> for them (diff.h). */
static void s_lock_allow(struct lk_diff_ctx *c, struct lk_diff_change *ch,
                         const struct lk_ir_bucket *d)
{
    lk_diff_allow(c, ch, "lock:%s", d->name);
    if (d->object_lock.mode == LK_IR_LOCK_COMPLIANCE)
        lk_diff_note(c, ch,
                     "COMPLIANCE: no one, the root user included, can delete or overwrite an "
                     "object version written from then on before its retention ends, nor "
                     "shorten that retention");
    else
        lk_diff_note(c, ch,
                     "GOVERNANCE: object versions written from then on can be deleted before "
                     "their retention ends only with s3:BypassGovernanceRetention");
}

static void s_object_lock(struct lk_diff_ctx *c, const struct lk_ir_bucket *d,
                          const struct lk_ir_bucket *l)
{
    struct lk_diff_change *ch;
    if (!d->object_lock.enabled && !l->object_lock.enabled)
        return;
    lk_diff_origin(c, &d->object_lock.origin);
    if (!l->object_lock.enabled) {
        ch = lk_diff_add(c, "object_lock", LK_DIFF_MISSING, LK_DIFF_WEAKER, s_lock_str(c, d), NULL);
        if (d->object_lock.mode != LK_IR_LOCK_NONE)
            s_lock_allow(c, ch, d);
        return;
    }
    if (!d->object_lock.enabled) {
        /* "After you enable Object Lock on a bucket, you can't disable Object Lock" (S3 User
         * Guide, "Object Lock considerations"); only a default retention can be removed. */
        bool rule = l->object_lock.mode != LK_IR_LOCK_NONE;
        ch = lk_diff_add(c, "object_lock", LK_DIFF_EXTRA, rule ? LK_DIFF_STRONGER : LK_DIFF_NEUTRAL,
                         NULL, s_lock_str(c, l));
        if (rule)
            lk_diff_allow(c, ch, "remove-object-lock:%s", d->name);
        else
            lk_diff_note(c, ch, "Object Lock cannot be disabled");
        return;
    }
    int rd = s_lock_rank(d->object_lock.mode), rl = s_lock_rank(l->object_lock.mode);
    if (rd != rl) {
        /* COMPLIANCE binds everyone, GOVERNANCE can be bypassed with
         * s3:BypassGovernanceRetention, no mode protects nothing by default (S3 User Guide,
         * "Object Lock retention modes"). */
        ch = lk_diff_add(c, "object_lock.mode", LK_DIFF_CHANGED,
                         rl < rd ? LK_DIFF_WEAKER : LK_DIFF_STRONGER, s_lock_str(c, d),
                         s_lock_str(c, l));
        if (rl > rd) {
            if (rd == 0)
                lk_diff_allow(c, ch, "remove-object-lock:%s", d->name);
            else
                lk_diff_allow(c, ch, "weaken-object-lock:%s", d->name);
        } else {
            s_lock_allow(c, ch, d); /* a default retention turned on, or made COMPLIANCE */
        }
    }
    if (rd == 0 || rl == 0)
        return;
    if (d->object_lock.days == l->object_lock.days && d->object_lock.years == l->object_lock.years)
        return;
    int64_t dd = s_lock_days(d->object_lock.days, d->object_lock.years);
    int64_t ld = s_lock_days(l->object_lock.days, l->object_lock.years);
    bool in_days = !d->object_lock.years && !l->object_lock.years;
    ch = lk_diff_add(c, in_days ? "object_lock.days" : "object_lock.period", LK_DIFF_CHANGED,
                     ld < dd   ? LK_DIFF_WEAKER
                     : ld > dd ? LK_DIFF_STRONGER
                               : LK_DIFF_NEUTRAL,
                     s_period_str(c, d->object_lock.days, d->object_lock.years),
                     s_period_str(c, l->object_lock.days, l->object_lock.years));
    if (ld > dd)
        lk_diff_allow(c, ch, "weaken-object-lock:%s", d->name);
    else if (ld < dd)
        s_lock_allow(c, ch, d); /* a longer period */
}

static void s_public_access_block(struct lk_diff_ctx *c, const struct lk_ir_bucket *d,
                                  const struct lk_ir_bucket *l)
{
    if (!d->public_access_block.present)
        return;
    /* The policy has no key for it: every store blocks public access. */
    lk_diff_origin(c, NULL);
    if (!l->public_access_block.present) {
        /* No bucket-level configuration: none of the four settings applies to the bucket (the
         * account's own settings may still). */
        lk_diff_add(
            c, "public_access_block", LK_DIFF_MISSING, LK_DIFF_WEAKER,
            lk_diff_fmt(c,
                        "block_public_acls=%s, ignore_public_acls=%s, block_public_policy=%s, "
                        "restrict_public_buckets=%s",
                        lk_diff_bool(d->public_access_block.block_public_acls),
                        lk_diff_bool(d->public_access_block.ignore_public_acls),
                        lk_diff_bool(d->public_access_block.block_public_policy),
                        lk_diff_bool(d->public_access_block.restrict_public_buckets)),
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
            lk_diff_add(c, s[i].attr, LK_DIFF_CHANGED, s[i].d ? LK_DIFF_WEAKER : LK_DIFF_STRONGER,
                        lk_diff_bool(s[i].d), lk_diff_bool(s[i].l));
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

static void s_encryption(struct lk_diff_ctx *c, const struct lk_ir_bucket *d,
                         const struct lk_ir_bucket *l)
{
    if (!d->encryption.present)
        return;
    lk_diff_origin(c, &d->encryption.origin);
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
        ch = lk_diff_add(c, "encryption.algorithm", LK_DIFF_CHANGED, dir, dalg, lalg);
        if (!l->encryption.present)
            lk_diff_note(c, ch, "no configuration: S3 encrypts with SSE-S3 by default");
    }
    if (rd >= 2 && rl >= 2) {
        /* Another key means another key policy decides who can read the logs; no key means the
         * AWS managed key aws/s3, which every principal of the account may use through S3. */
        if (!lk_diff_kms_same(d->encryption.kms_key_id, lkey)) {
            const char *dk =
                d->encryption.kms_key_id ? d->encryption.kms_key_id : "aws/s3 (AWS managed)";
            const char *lk = lkey ? lkey : "aws/s3 (AWS managed)";
            lk_diff_add(c, "encryption.kms_key_id", LK_DIFF_CHANGED,
                        d->encryption.kms_key_id ? LK_DIFF_WEAKER : LK_DIFF_STRONGER, dk, lk);
        }
        /* S3 Bucket Keys change the cost of KMS requests, not who can read. */
        if (d->encryption.bucket_key_enabled != lbk)
            lk_diff_add(c, "encryption.bucket_key_enabled", LK_DIFF_CHANGED, LK_DIFF_NEUTRAL,
                        lk_diff_bool(d->encryption.bucket_key_enabled), lk_diff_bool(lbk));
    }
    if (l->unmodelled & LK_IR_UNMODELLED_ENCRYPTION)
        lk_diff_note(c,
                     lk_diff_add(c, "encryption.rules", LK_DIFF_CHANGED, LK_DIFF_NEUTRAL,
                                 "one default rule", "several rules or blocked encryption types"),
                     "not modelled");
}

static char *s_bucket_str(struct lk_diff_ctx *c, const struct lk_ir_bucket *b)
{
    return lk_diff_fmt(
        c,
        "versioning %s; Object Lock %s; encryption %s; %zu lifecycle rules; %zu policy "
        "statements",
        s_versioning_str(b->versioning), s_lock_str(c, b),
        b->encryption.present && b->encryption.algorithm ? b->encryption.algorithm : "AES256",
        b->lifecycle.present ? b->lifecycle.n_rules : 0,
        b->policy.present ? b->policy.n_statements : 0);
}

bool lk_diff_bucket_exists(struct lk_diff_ctx *c, const struct lk_ir_bucket *d,
                           const struct lk_ir_bucket *l)
{
    lk_diff_origin(c, NULL);
    if (!l || !l->exists) {
        lk_diff_add(c, "", LK_DIFF_MISSING, LK_DIFF_WEAKER, s_bucket_str(c, d), NULL);
        return false;
    }
    if (d->region && l->region && strcmp(d->region, l->region) != 0)
        lk_diff_note(
            c, lk_diff_add(c, "region", LK_DIFF_CHANGED, LK_DIFF_NEUTRAL, d->region, l->region),
            "a bucket cannot move between regions");
    return true;
}

void lk_diff_bucket_settings(struct lk_diff_ctx *c, const struct lk_ir_bucket *d,
                             const struct lk_ir_bucket *l)
{
    s_versioning(c, d, l);
    s_object_lock(c, d, l);
    s_public_access_block(c, d, l);
    s_encryption(c, d, l);
}
