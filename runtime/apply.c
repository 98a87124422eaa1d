/*
 * logkeep runtime: apply (see apply.h).
 */
#include <cjson/cJSON.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/apply.h"
#include "runtime/apply_int.h"
#include "common/arena.h"
#include "common/array.h"
#include "common/buf.h"
#include "runtime/services/cloudtrail.h"
#include "runtime/services/kms.h"
#include "runtime/services/logs.h"
#include "runtime/services/policy_json.h"
#include "runtime/services/s3.h"
#include "runtime/services/sts.h"

#include <cjson/cJSON.h>

void lk_apply_plan_init(struct lk_apply_plan *plan)
{
    memset(plan, 0, sizeof(*plan));
    lk_arena_init(&plan->arena);
}

void lk_apply_plan_free(struct lk_apply_plan *plan)
{
    if (!plan)
        return;
    free(plan->steps);
    free(plan->caller_arn);
    free(plan->caller_account);
    lk_arena_destroy(&plan->arena);
    memset(plan, 0, sizeof(*plan));
}

const char *lk_apply_op_name(enum lk_apply_op op)
{
    switch (op) {
    case LK_APPLY_CREATE_BUCKET: return "CreateBucket";
    case LK_APPLY_PUT_PUBLIC_ACCESS_BLOCK: return "PutPublicAccessBlock";
    case LK_APPLY_PUT_ENCRYPTION: return "PutBucketEncryption";
    case LK_APPLY_PUT_VERSIONING: return "PutBucketVersioning";
    case LK_APPLY_PUT_OBJECT_LOCK: return "PutObjectLockConfiguration";
    case LK_APPLY_PUT_BUCKET_POLICY: return "PutBucketPolicy";
    case LK_APPLY_DELETE_BUCKET_POLICY: return "DeleteBucketPolicy";
    case LK_APPLY_PUT_LIFECYCLE: return "PutBucketLifecycleConfiguration";
    case LK_APPLY_DELETE_LIFECYCLE: return "DeleteBucketLifecycle";
    case LK_APPLY_CREATE_LOG_GROUP: return "CreateLogGroup";
    case LK_APPLY_PUT_RETENTION: return "PutRetentionPolicy";
    case LK_APPLY_DELETE_RETENTION: return "DeleteRetentionPolicy";
    case LK_APPLY_CREATE_TRAIL: return "CreateTrail";
    case LK_APPLY_UPDATE_TRAIL: return "UpdateTrail";
    case LK_APPLY_PUT_EVENT_SELECTORS: return "PutEventSelectors";
    case LK_APPLY_START_LOGGING: return "StartLogging";
    case LK_APPLY_STOP_LOGGING: return "StopLogging";
    case LK_APPLY_PUT_KEY_POLICY: return "PutKeyPolicy";
    case LK_APPLY_PUT_DELETION_PROTECTION: return "PutLogGroupDeletionProtection";
    case LK_APPLY_ASSOCIATE_KMS_KEY: return "AssociateKmsKey";
    case LK_APPLY_CREATE_FLOW_LOGS: return "CreateFlowLogs";
    case LK_APPLY_CREATE_QUERY_LOG_CONFIG: return "CreateResolverQueryLogConfig";
    case LK_APPLY_ASSOCIATE_QUERY_LOG_CONFIG: return "AssociateResolverQueryLogConfig";
    case LK_APPLY_ENABLE_ACCESS_LOGS: return "ModifyLoadBalancerAttributes";
    case LK_APPLY_PUT_WAF_LOGGING: return "PutLoggingConfiguration";
    case LK_APPLY_UPDATE_FIREWALL_LOGGING: return "UpdateLoggingConfiguration";
    case LK_APPLY_PUT_DELIVERY_CHANNEL: return "PutDeliveryChannel";
    case LK_APPLY_START_RECORDER: return "StartConfigurationRecorder";
    case LK_APPLY_CREATE_PUBLISHING_DESTINATION: return "CreatePublishingDestination";
    case LK_APPLY_UPDATE_PUBLISHING_DESTINATION: return "UpdatePublishingDestination";
    case LK_APPLY_ENABLE_CLUSTER_LOGGING: return "UpdateClusterConfig";
    case LK_APPLY_MODIFY_DB_INSTANCE: return "ModifyDBInstance";
    case LK_APPLY_MODIFY_DB_CLUSTER: return "ModifyDBCluster";
    }
    return "?";
}

static struct lk_apply_step *s_push(struct lk_apply_plan *p, enum lk_apply_op op, const char *name,
                                    const char *region)
{
    /* A change list can name one attribute several times (lifecycle rules): one call each. */
    for (size_t i = 0; i < p->n; i++)
        if (p->steps[i].op == op && !strcmp(p->steps[i].name, name) &&
            ((!p->steps[i].region && !region) ||
             (p->steps[i].region && region && !strcmp(p->steps[i].region, region))))
            return NULL;
    LK_ARRAY_GROW(p->steps, p->n, p->cap);
    struct lk_apply_step *s = &p->steps[p->n++];
    memset(s, 0, sizeof(*s));
    s->op = op;
    s->name = name;
    s->region = region;
    return s;
}

static bool s_starts(const char *s, const char *prefix)
{
    return !strncmp(s, prefix, strlen(prefix));
}

static const struct lk_artifact *s_artifact(const struct lk_artifacts *a, struct lk_arena *tmp,
                                            const char *kind, const char *name, const char *file)
{
    return lk_artifacts_find(a, lk_arena_printf(tmp, "%s/%s/%s", kind, name, file));
}

/* Literal characters of a pattern: the most specific pattern wins, as in runtime/diff/diff.c. */
static size_t s_literal_len(const char *p)
{
    size_t n = 0;
    for (; *p; p++)
        n += *p != '*';
    return n;
}

/* The desired log group governing live group @p name of @p region: an exact name wins over
 * patterns; among patterns, the one with the most literal characters (runtime/diff/diff.c's rule). */
static const struct lk_ir_log_group *s_group_for(const struct lk_ir_state *d, const char *region,
                                                 const char *name)
{
    const struct lk_ir_log_group *best = NULL;
    for (size_t i = 0; i < d->n_log_groups; i++) {
        const struct lk_ir_log_group *g = &d->log_groups[i];
        const char *gr = g->region ? g->region : d->region;
        if (region && gr && strcmp(region, gr) != 0)
            continue;
        if (!g->pattern) {
            if (!strcmp(g->name, name))
                return g;
            continue;
        }
        if (lk_logs_pattern_match(g->name, name) &&
            (!best || s_literal_len(g->name) > s_literal_len(best->name)))
            best = g;
    }
    return best;
}

/* PutKeyPolicy for every desired key with a change to logkeep's statements (attribute
 * "policy.statement[...]"; the guard asked for --allow key-policy:<key-id> already). */
static void s_key_steps(struct lk_apply_plan *p, const struct lk_ir_state *d,
                        const struct lk_diff *diff, const struct lk_artifacts *a,
                        struct lk_arena *tmp)
{
    for (size_t i = 0; i < d->n_keys; i++) {
        const struct lk_ir_key *k = &d->keys[i];
        bool change = false;
        for (size_t c = 0; c < diff->n && !change; c++) {
            const struct lk_diff_change *ch = &diff->changes[c];
            change = ch->resource == LK_DIFF_KEY && ch->kind != LK_DIFF_NOTE &&
                     !strcmp(ch->name, k->arn) && s_starts(ch->attribute, "policy.statement");
        }
        const char *key_id = NULL;
        if (!change || !lk_kms_parse_key_arn(k->arn, NULL, 0, &key_id))
            continue;
        struct lk_apply_step *s = s_push(p, LK_APPLY_PUT_KEY_POLICY, k->arn, k->region);
        if (s) {
            s->key = k;
            s->artifact = s_artifact(a, tmp, "kms", key_id, "key-policy.json");
        }
    }
}

/* PutLogGroupDeletionProtection where the policy wants it and it is off (and on every group
 * created now that wants it), AssociateKmsKey where the key differs. */
static void s_log_group_integrity_steps(struct lk_apply_plan *p, const struct lk_ir_state *d,
                                        const struct lk_diff *diff)
{
    for (size_t i = 0; i < diff->n; i++) {
        const struct lk_diff_change *ch = &diff->changes[i];
        if (ch->resource != LK_DIFF_LOG_GROUP || ch->kind == LK_DIFF_NOTE)
            continue;
        const struct lk_ir_log_group *g = s_group_for(d, ch->region, ch->name);
        if (!g)
            continue;
        bool created = ch->kind == LK_DIFF_MISSING && ch->attribute[0] == '\0' && !g->pattern;
        if (!strcmp(ch->attribute, "deletion_protection") || (created && g->deletion_protection)) {
            s_push(p, LK_APPLY_PUT_DELETION_PROTECTION, ch->name, ch->region);
        } else if (!strcmp(ch->attribute, "kms_key_id") && g->kms_key_id) {
            struct lk_apply_step *s = s_push(p, LK_APPLY_ASSOCIATE_KMS_KEY, ch->name, ch->region);
            if (s)
                s->kms_key_id = g->kms_key_id;
        }
    }
}

/* The S3 steps of one bucket, in their safe order. @p all: the bucket is missing. */
static void s_bucket_steps(struct lk_apply_plan *p, const struct lk_ir_bucket *b,
                           const struct lk_diff *diff, const struct lk_artifacts *a,
                           struct lk_arena *tmp, bool all)
{
    bool want[LK_APPLY_DELETE_LIFECYCLE + 1] = {false};
    if (all) {
        want[LK_APPLY_CREATE_BUCKET] = true;
        want[LK_APPLY_PUT_PUBLIC_ACCESS_BLOCK] = b->public_access_block.present;
        want[LK_APPLY_PUT_ENCRYPTION] = b->encryption.present;
        want[LK_APPLY_PUT_VERSIONING] = b->versioning != LK_IR_VERSIONING_NEVER;
        /* Enabled at creation; a configuration is only needed for a default retention. */
        want[LK_APPLY_PUT_OBJECT_LOCK] = b->object_lock.enabled &&
                                         b->object_lock.mode != LK_IR_LOCK_NONE;
        want[LK_APPLY_PUT_BUCKET_POLICY] = b->policy.present;
        want[LK_APPLY_PUT_LIFECYCLE] = b->lifecycle.present;
    } else {
        for (size_t i = 0; i < diff->n; i++) {
            const struct lk_diff_change *ch = &diff->changes[i];
            if (ch->resource != LK_DIFF_BUCKET || ch->kind == LK_DIFF_NOTE ||
                strcmp(ch->name, b->name) != 0)
                continue;
            const char *at = ch->attribute;
            if (s_starts(at, "public_access_block"))
                want[LK_APPLY_PUT_PUBLIC_ACCESS_BLOCK] = true;
            else if (s_starts(at, "encryption"))
                want[LK_APPLY_PUT_ENCRYPTION] = true;
            else if (!strcmp(at, "versioning"))
                want[LK_APPLY_PUT_VERSIONING] = true;
            else if (s_starts(at, "object_lock"))
                want[LK_APPLY_PUT_OBJECT_LOCK] = true;
            else if (s_starts(at, "policy"))
                want[b->policy.present ? LK_APPLY_PUT_BUCKET_POLICY
                                       : LK_APPLY_DELETE_BUCKET_POLICY] = true;
            else if (s_starts(at, "lifecycle"))
                want[b->lifecycle.present ? LK_APPLY_PUT_LIFECYCLE : LK_APPLY_DELETE_LIFECYCLE] =
                    true;
            /* "region" (a bucket cannot move) and "mfa_delete" (needs the root user's MFA
             * device in the request) are reported, not applied. */
        }
    }
    static const struct {
        enum lk_apply_op op;
        const char *file;
    } s_files[] = {
        {LK_APPLY_CREATE_BUCKET, NULL},
        {LK_APPLY_PUT_PUBLIC_ACCESS_BLOCK, "public-access-block.xml"},
        {LK_APPLY_PUT_ENCRYPTION, "encryption.xml"},
        {LK_APPLY_PUT_VERSIONING, "versioning.xml"},
        {LK_APPLY_PUT_OBJECT_LOCK, "object-lock.xml"},
        {LK_APPLY_PUT_BUCKET_POLICY, "policy.json"},
        {LK_APPLY_DELETE_BUCKET_POLICY, NULL},
        {LK_APPLY_PUT_LIFECYCLE, "lifecycle.xml"},
        {LK_APPLY_DELETE_LIFECYCLE, NULL},
    };
    for (size_t i = 0; i < sizeof(s_files) / sizeof(s_files[0]); i++) {
        if (!want[s_files[i].op])
            continue;
        const struct lk_artifact *art = NULL;
        if (s_files[i].file) {
            art = s_artifact(a, tmp, "s3", b->name, s_files[i].file);
            if (!art)
                continue; /* the compiler emits nothing for it: nothing to send */
        }
        struct lk_apply_step *s = s_push(p, s_files[i].op, b->name, b->region);
        if (s) {
            s->bucket = b;
            s->artifact = art;
        }
    }
}

enum lk_status lk_apply_plan_build(const struct lk_ir_state *desired, const struct lk_diff *diff,
                                   const struct lk_artifacts *artifacts, struct lk_apply_plan *out)
{
    if (!desired || !diff || !artifacts || !out)
        return LK_STATUS_INVALID_ARGUMENT;
    struct lk_arena tmp;
    lk_arena_init(&tmp);

    /* 0. key policies */
    s_key_steps(out, desired, diff, artifacts, &tmp);

    /* 1. buckets */
    for (size_t i = 0; i < desired->n_buckets; i++) {
        const struct lk_ir_bucket *b = &desired->buckets[i];
        const struct lk_diff_change *whole = lk_diff_find(diff, LK_DIFF_BUCKET, b->name, "");
        s_bucket_steps(out, b, diff, artifacts, &tmp, whole && whole->kind == LK_DIFF_MISSING);
    }

    /* 2. log groups: creations first, then retention */
    for (size_t i = 0; i < diff->n; i++) {
        const struct lk_diff_change *ch = &diff->changes[i];
        if (ch->resource != LK_DIFF_LOG_GROUP || ch->kind != LK_DIFF_MISSING ||
            ch->attribute[0] != '\0')
            continue;
        const struct lk_ir_log_group *g = s_group_for(desired, ch->region, ch->name);
        if (!g || g->pattern)
            continue;
        struct lk_apply_step *s = s_push(out, LK_APPLY_CREATE_LOG_GROUP, g->name, ch->region);
        if (s) {
            s->kms_key_id = g->kms_key_id;
            s->log_group_class = g->log_group_class;
        }
    }
    for (size_t i = 0; i < diff->n; i++) {
        const struct lk_diff_change *ch = &diff->changes[i];
        if (ch->resource != LK_DIFF_LOG_GROUP || ch->kind == LK_DIFF_NOTE)
            continue;
        bool whole = ch->attribute[0] == '\0' && ch->kind == LK_DIFF_MISSING;
        if (!whole && strcmp(ch->attribute, "retention_days") != 0)
            continue; /* kms_key_id: AssociateKmsKey is not part of this apply */
        const struct lk_ir_log_group *g = s_group_for(desired, ch->region, ch->name);
        if (!g)
            continue;
        if (whole && g->retention_days == 0)
            continue; /* a new group never expires by default */
        if (whole && g->log_group_class == LK_IR_LOG_CLASS_DELIVERY)
            continue; /* created with its fixed one-day retention */
        /* The group's own name (ch->name), not the pattern: one call per live group. */
        struct lk_apply_step *s =
            s_push(out, g->retention_days ? LK_APPLY_PUT_RETENTION : LK_APPLY_DELETE_RETENTION,
                   ch->name, ch->region);
        if (s)
            s->retention_days = g->retention_days;
    }
    s_log_group_integrity_steps(out, desired, diff);
    /* Log groups no source names: the unmanaged rule's retention (lk_diff_log_groups_unmanaged()
     * reports a change only where the rule applies, and the rule is always finite: LK116). */
    for (size_t i = 0;
         desired->unmanaged_set && desired->unmanaged_retention_days > 0 && i < diff->n; i++) {
        const struct lk_diff_change *ch = &diff->changes[i];
        if (ch->resource != LK_DIFF_UNMANAGED_LOG_GROUP || ch->kind != LK_DIFF_CHANGED ||
            strcmp(ch->attribute, "retention_days") != 0)
            continue;
        struct lk_apply_step *s = s_push(out, LK_APPLY_PUT_RETENTION, ch->name, ch->region);
        if (s)
            s->retention_days = desired->unmanaged_retention_days;
    }

    /* 3. trails */
    for (size_t i = 0; i < desired->n_trails; i++) {
        const struct lk_ir_trail *t = &desired->trails[i];
        const char *region = t->home_region ? t->home_region : desired->region;
        const struct lk_artifact *art =
            lk_artifacts_find(artifacts, lk_arena_printf(&tmp, "cloudtrail/%s.json", t->name));
        const struct lk_diff_change *whole = lk_diff_find(diff, LK_DIFF_TRAIL, t->name, "");
        bool create = whole && whole->kind == LK_DIFF_MISSING;
        bool update = false, selectors = create, logging = create && t->is_logging;
        bool stop = false;
        for (size_t k = 0; !create && k < diff->n; k++) {
            const struct lk_diff_change *ch = &diff->changes[k];
            if (ch->resource != LK_DIFF_TRAIL || ch->kind == LK_DIFF_NOTE ||
                strcmp(ch->name, t->name) != 0)
                continue;
            if (!strcmp(ch->attribute, "trail.event_selectors"))
                selectors = true;
            else if (!strcmp(ch->attribute, "trail.is_logging"))
                {
                if (t->is_logging)
                    logging = true;
                else
                    stop = true;
            }
            else if (!strcmp(ch->attribute, "trail.home_region"))
                continue; /* a trail cannot move: reported, not applied */
            else if (s_starts(ch->attribute, "trail."))
                update = true;
        }
        struct lk_apply_step *s;
        if (create && (s = s_push(out, LK_APPLY_CREATE_TRAIL, t->name, region))) {
            s->trail = t;
            s->artifact = art;
        }
        if (update && (s = s_push(out, LK_APPLY_UPDATE_TRAIL, t->name, region)))
            s->trail = t;
        if (selectors && (s = s_push(out, LK_APPLY_PUT_EVENT_SELECTORS, t->name, region))) {
            s->trail = t;
            s->artifact = art;
        }
        if (logging && (s = s_push(out, LK_APPLY_START_LOGGING, t->name, region)))
            s->trail = t;
        if (stop && (s = s_push(out, LK_APPLY_STOP_LOGGING, t->name, region)))
            s->trail = t;
    }
    lk_arena_destroy(&tmp);
    return LK_STATUS_OK;
}

static enum lk_status s_trail_section(struct lk_aws_client *c, const struct lk_apply_step *s,
                                      const char *section, struct lk_aws_error *err)
{
    if (s->artifact)
        return lk_cloudtrail_send_artifact_section(c, s->artifact->content, s->artifact->len,
                                                   section, s->region, err);
    if (!strcmp(section, "CreateTrail"))
        return lk_cloudtrail_create_trail(c, s->trail, err);
    return lk_cloudtrail_put_event_selectors(c, s->trail, err);
}

/* ------------------------------------------------------------------------------ policy merge */

/* The statements of a policy document: "Statement" is an array, or a single statement object
 * (IAM JSON policy elements: Statement). @return a new array (cJSON_Delete()) of copies. */
static cJSON *s_statements_of(const cJSON *doc)
{
    cJSON *out = cJSON_CreateArray();
    if (!out)
        lk_oom();
    const cJSON *st = cJSON_GetObjectItemCaseSensitive(doc, "Statement");
    if (cJSON_IsObject(st)) {
        cJSON_AddItemToArray(out, cJSON_Duplicate(st, true));
    } else if (cJSON_IsArray(st)) {
        const cJSON *x;
        cJSON_ArrayForEach(x, st) cJSON_AddItemToArray(out, cJSON_Duplicate(x, true));
    }
    return out;
}

static const char *s_sid_of(const cJSON *statement)
{
    const cJSON *sid = cJSON_GetObjectItemCaseSensitive(statement, "Sid");
    return cJSON_IsString(sid) ? sid->valuestring : NULL;
}

enum lk_status lk_apply_merge_policy(const char *live, const char *compiled, size_t compiled_len,
                                     char **out, size_t *n_foreign, char *why, size_t why_len)
{
    enum lk_status rc = LK_STATUS_OK;
    cJSON *ldoc = NULL, *cdoc = NULL, *merged = NULL, *foreign = NULL, *mine = NULL;
    *out = NULL;
    *n_foreign = 0;
    if (live) {
        ldoc = cJSON_Parse(live);
        if (!cJSON_IsObject(ldoc)) {
            snprintf(why, why_len, "the live bucket policy is not a JSON object");
            rc = LK_STATUS_MALFORMED;
            goto cleanup;
        }
    }
    if (compiled) {
        cdoc = cJSON_ParseWithLength(compiled, compiled_len);
        if (!cJSON_IsObject(cdoc)) {
            snprintf(why, why_len, "the compiled bucket policy is not a JSON object");
            rc = LK_STATUS_MALFORMED;
            goto cleanup;
        }
    }
    /* Foreign statements stay as they are and where they are; logkeep's own (live ones
     * included, whatever they say now) are replaced by the compiled ones, after them. */
    foreign = ldoc ? s_statements_of(ldoc) : NULL;
    cJSON *statements = cJSON_CreateArray();
    if (!statements)
        lk_oom();
    if (foreign) {
        cJSON *x = foreign->child;
        while (x) {
            cJSON *next = x->next;
            if (!lk_ir_sid_owned(s_sid_of(x))) {
                cJSON_AddItemToArray(statements, cJSON_DetachItemViaPointer(foreign, x));
                (*n_foreign)++;
            }
            x = next;
        }
    }
    mine = cdoc ? s_statements_of(cdoc) : NULL;
    while (mine && mine->child)
        cJSON_AddItemToArray(statements, cJSON_DetachItemViaPointer(mine, mine->child));
    if (!cJSON_GetArraySize(statements)) {
        cJSON_Delete(statements);
        goto cleanup; /* nothing left: no policy */
    }
    merged = cJSON_CreateObject();
    if (!merged)
        lk_oom();
    const cJSON *version = cJSON_GetObjectItemCaseSensitive(cdoc ? cdoc : ldoc, "Version");
    cJSON_AddStringToObject(merged, "Version",
                            cJSON_IsString(version) ? version->valuestring : "2012-10-17");
    const cJSON *id = ldoc ? cJSON_GetObjectItemCaseSensitive(ldoc, "Id") : NULL;
    if (cJSON_IsString(id))
        cJSON_AddStringToObject(merged, "Id", id->valuestring);
    cJSON_AddItemToObject(merged, "Statement", statements);
    char *text = cJSON_PrintUnformatted(merged);
    if (!text)
        lk_oom();
    size_t len = strlen(text);
    if (len > LK_APPLY_POLICY_MAX_BYTES) {
        snprintf(why, why_len,
                 "the merged bucket policy would be %zu bytes (%zu foreign statements kept), over "
                 "S3's limit of %d bytes: nothing was sent; shorten the foreign statements or "
                 "the policy's",
                 len, *n_foreign, LK_APPLY_POLICY_MAX_BYTES);
        free(text);
        rc = LK_STATUS_TOO_LARGE;
        goto cleanup;
    }
    *out = text;
cleanup:
    cJSON_Delete(ldoc);
    cJSON_Delete(cdoc);
    cJSON_Delete(merged);
    cJSON_Delete(foreign);
    cJSON_Delete(mine);
    return rc;
}

/* PutBucketPolicy (or DeleteBucketPolicy) of one bucket: the live policy, read again right
 * before, with logkeep's statements replaced by the compiled ones (lk_apply_merge_policy()).
 * Reading it again, not using what the plan read, keeps a statement added since. */
static enum lk_status s_merge_and_put_policy(struct lk_aws_client *c, const struct lk_apply_step *s,
                                             struct lk_aws_error *err)
{
    const char *op = lk_apply_op_name(s->op);
    char *live = NULL, *merged = NULL;
    size_t n_foreign = 0;
    char why[512];
    enum lk_status rc = lk_s3_get_policy_text(c, s->name, s->region, &live, err);
    if (rc != LK_STATUS_OK)
        return rc;
    const struct lk_artifact *a = s->op == LK_APPLY_PUT_BUCKET_POLICY ? s->artifact : NULL;
    rc = lk_apply_merge_policy(live, a ? a->content : NULL, a ? a->len : 0, &merged, &n_foreign,
                               why, sizeof(why));
    bool had_policy = live != NULL;
    free(live);
    if (rc != LK_STATUS_OK) {
        lk_aws_error_invalid(err, op, why);
        err->status = rc;
        return rc;
    }
    if (merged)
        rc = lk_s3_put_policy(c, s->name, s->region, merged, strlen(merged), err);
    else if (had_policy)
        rc = lk_s3_delete_policy(c, s->name, s->region, err);
    free(merged);
    return rc;
}

static enum lk_status s_run(struct lk_aws_client *c, const struct lk_apply_step *s,
                            struct lk_aws_error *err)
{
    const struct lk_artifact *a = s->artifact;
    switch (s->op) {
    case LK_APPLY_CREATE_BUCKET:
        return lk_s3_create_bucket(c, s->name, s->region, s->bucket->object_lock.enabled, err);
    case LK_APPLY_PUT_PUBLIC_ACCESS_BLOCK:
        return lk_s3_put_public_access_block(c, s->name, s->region, a->content, a->len, err);
    case LK_APPLY_PUT_ENCRYPTION:
        return lk_s3_put_encryption(c, s->name, s->region, a->content, a->len, err);
    case LK_APPLY_PUT_VERSIONING:
        return lk_s3_put_versioning(c, s->name, s->region, a->content, a->len, err);
    case LK_APPLY_PUT_OBJECT_LOCK:
        return lk_s3_put_object_lock(c, s->name, s->region, a->content, a->len, err);
    case LK_APPLY_PUT_BUCKET_POLICY:
    case LK_APPLY_DELETE_BUCKET_POLICY:
        return s_merge_and_put_policy(c, s, err);
    case LK_APPLY_PUT_LIFECYCLE:
        return lk_s3_put_lifecycle(c, s->name, s->region, a->content, a->len,
                                   s->bucket->lifecycle.transition_min_size, err);
    case LK_APPLY_DELETE_LIFECYCLE:
        return lk_s3_delete_lifecycle(c, s->name, s->region, err);
    case LK_APPLY_CREATE_LOG_GROUP:
        /* if_not_exists: a group created since the read is not a failure. */
        if (s->log_group_class != LK_IR_LOG_CLASS_UNSET)
            return lk_logs_create_log_group_in_class(c, s->name, s->region, s->kms_key_id,
                                                     s->log_group_class, true, err);
        return lk_logs_create_log_group(c, s->name, s->region, s->kms_key_id, true, err);
    case LK_APPLY_PUT_RETENTION:
        return lk_logs_put_retention(c, s->name, s->region, s->retention_days, err);
    case LK_APPLY_DELETE_RETENTION:
        return lk_logs_delete_retention(c, s->name, s->region, err);
    case LK_APPLY_CREATE_TRAIL:
        return s_trail_section(c, s, "CreateTrail", err);
    case LK_APPLY_UPDATE_TRAIL:
        return lk_cloudtrail_update_trail(c, s->trail, err);
    case LK_APPLY_PUT_EVENT_SELECTORS:
        return s_trail_section(c, s, "PutEventSelectors", err);
    case LK_APPLY_START_LOGGING:
        return lk_cloudtrail_start_logging(c, s->name, s->region, err);
    case LK_APPLY_STOP_LOGGING:
        return lk_cloudtrail_stop_logging(c, s->name, s->region, err);
    case LK_APPLY_PUT_DELETION_PROTECTION:
        return lk_logs_put_deletion_protection(c, s->name, s->region, true, err);
    case LK_APPLY_ASSOCIATE_KMS_KEY:
        return lk_logs_associate_kms_key(c, s->name, s->region, s->kms_key_id, err);
    case LK_APPLY_PUT_KEY_POLICY:
        break; /* lk_apply_execute(): needs the plan's caller */
    default:
        break; /* producer steps: lk_apply_run_producer() */
    }
    return LK_STATUS_INVALID_ARGUMENT; /* an op this build does not know */
}

/* ------------------------------------------------------------------------------ key policies */

/* IAM wildcards, case-insensitive (action names are: IAM JSON policy elements, Action). */
static bool s_wild_ci(const char *p, const char *s)
{
    for (; *p; p++, s++) {
        if (*p == '*') {
            for (const char *t = s;; t++) {
                if (s_wild_ci(p + 1, t))
                    return true;
                if (!*t)
                    return false;
            }
        }
        if (!*s)
            return false;
        char a = *p >= 'A' && *p <= 'Z' ? (char)(*p + 32) : *p;
        char b = *s >= 'A' && *s <= 'Z' ? (char)(*s + 32) : *s;
        if (*p != '?' && a != b)
            return false;
    }
    return !*s;
}

/* Whether a string or an array of strings holds one for which @p pred holds. */
static bool s_any_str(const cJSON *v, bool (*pred)(const char *s, const void *ctx), const void *ctx)
{
    if (cJSON_IsString(v))
        return pred(v->valuestring, ctx);
    const cJSON *e;
    cJSON_ArrayForEach(e, v) if (cJSON_IsString(e) && pred(e->valuestring, ctx)) return true;
    return false;
}

struct s_caller {
    const char *principal_arn; /* the IAM principal (a role for an assumed-role session) */
    const char *session_arn;   /* as STS reports it */
    const char *account;
    const char *partition;
};

static bool s_names_caller(const char *p, const void *ctx)
{
    const struct s_caller *c = ctx;
    char root[96];
    snprintf(root, sizeof(root), "arn:%s:iam::%s:root", c->partition, c->account);
    /* The account principal gives the key to the account's IAM policies ("Default key policy":
     * it "allows IAM policies to allow access to the KMS key"): the caller keeps its rights
     * through them. */
    return !strcmp(p, "*") || !strcmp(p, c->principal_arn) || !strcmp(p, c->session_arn) ||
           !strcmp(p, root) || !strcmp(p, c->account);
}

static bool s_covers_put(const char *a, const void *ctx)
{
    (void)ctx;
    return s_wild_ci(a, "kms:PutKeyPolicy");
}

static bool s_principal_is_caller(const cJSON *st, const struct s_caller *c)
{
    const cJSON *p = cJSON_GetObjectItemCaseSensitive(st, "Principal");
    if (cJSON_IsString(p))
        return !strcmp(p->valuestring, "*");
    return cJSON_IsObject(p) &&
           s_any_str(cJSON_GetObjectItemCaseSensitive(p, "AWS"), s_names_caller, c);
}

/* Whether @p doc lets the caller call kms:PutKeyPolicy again: an unconditional Allow naming it
 * (or its account), and no unconditional Deny naming it. Conditions are not evaluated: a
 * conditional Allow does not count, a conditional Deny is left to KMS's own lockout check,
 * which is never bypassed. */
static bool s_keeps_caller(const cJSON *doc, const struct s_caller *c)
{
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(doc, "Statement"), *st;
    bool allowed = false;
    cJSON_ArrayForEach(st, list)
    {
        const cJSON *effect = cJSON_GetObjectItemCaseSensitive(st, "Effect");
        if (!cJSON_IsString(effect) || cJSON_GetObjectItemCaseSensitive(st, "Condition") ||
            !s_principal_is_caller(st, c) ||
            !s_any_str(cJSON_GetObjectItemCaseSensitive(st, "Action"), s_covers_put, NULL))
            continue;
        if (!strcmp(effect->valuestring, "Deny"))
            return false;
        if (!strcmp(effect->valuestring, "Allow"))
            allowed = true;
    }
    return allowed;
}

static cJSON *s_str_list(const struct lk_ir_string_list *l)
{
    if (l->n == 1)
        return cJSON_CreateString(l->items[0]);
    cJSON *a = cJSON_CreateArray();
    for (size_t i = 0; i < l->n; i++)
        cJSON_AddItemToArray(a, cJSON_CreateString(l->items[i]));
    return a;
}

/* A desired statement as JSON (when the compiler wrote no artifact for the key). */
static cJSON *s_statement_json(const struct lk_ir_statement *s)
{
    cJSON *o = cJSON_CreateObject();
    if (s->sid)
        cJSON_AddStringToObject(o, "Sid", s->sid);
    cJSON_AddStringToObject(o, "Effect", s->allow ? "Allow" : "Deny");
    if (s->principal_kind == LK_IR_PRINCIPAL_ANY) {
        cJSON_AddStringToObject(o, "Principal", "*");
    } else {
        cJSON *p = cJSON_AddObjectToObject(o, "Principal");
        cJSON_AddItemToObject(p, s->principal_kind == LK_IR_PRINCIPAL_SERVICE ? "Service" : "AWS",
                              s_str_list(&s->principals));
    }
    cJSON_AddItemToObject(o, "Action", s_str_list(&s->actions));
    if (s->resources.n)
        cJSON_AddItemToObject(o, "Resource", s_str_list(&s->resources));
    else
        cJSON_AddStringToObject(o, "Resource", "*"); /* a key policy's resource: the key */
    if (s->n_conditions) {
        cJSON *cond = cJSON_AddObjectToObject(o, "Condition");
        for (size_t i = 0; i < s->n_conditions; i++) {
            cJSON *op = cJSON_GetObjectItemCaseSensitive(cond, s->conditions[i].op);
            if (!op)
                op = cJSON_AddObjectToObject(cond, s->conditions[i].op);
            cJSON_AddItemToObject(op, s->conditions[i].key, s_str_list(&s->conditions[i].values));
        }
    }
    return o;
}

static bool s_owned_json(const cJSON *st)
{
    const cJSON *sid = cJSON_GetObjectItemCaseSensitive(st, "Sid");
    return cJSON_IsString(sid) && lk_ir_sid_owned(sid->valuestring);
}

/* Fills plan->caller_arn and caller_account once. */
static enum lk_status s_caller(struct lk_aws_client *c, struct lk_apply_plan *plan,
                               struct lk_aws_error *err)
{
    if (plan->caller_arn)
        return LK_STATUS_OK;
    struct lk_sts_identity id;
    memset(&id, 0, sizeof(id));
    if (lk_sts_get_caller_identity(c, &id, err) != 0)
        return lk_svc_status(err);
    plan->caller_arn = id.arn;
    plan->caller_account = id.account;
    id.arn = id.account = NULL;
    lk_sts_identity_clear(&id);
    return LK_STATUS_OK;
}

static enum lk_status s_refuse(struct lk_aws_error *err, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static enum lk_status s_refuse(struct lk_aws_error *err, const char *code, const char *fmt, ...)
{
    char msg[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    (void)lk_aws_error_invalid(err, "PutKeyPolicy", msg);
    free(err->code);
    err->code = strdup(code);
    return LK_STATUS_REFUSED;
}

static enum lk_status s_put_key_policy(struct lk_aws_client *c, struct lk_apply_plan *plan,
                                       const struct lk_apply_step *s, struct lk_aws_error *err)
{
    enum lk_status rc = s_caller(c, plan, err);
    if (rc != LK_STATUS_OK)
        return rc;
    struct lk_ir_state *st = lk_ir_state_new();
    cJSON *live = NULL, *want = NULL, *out = NULL;
    char *text = NULL, *printed = NULL;
    struct lk_error why = {0};
    /* Fresh: a statement added since the plan was read is kept too. */
    if ((rc = lk_kms_get_key_policy(c, s->name, st, &text, err)) != LK_STATUS_OK)
        goto done;
    if (lk_json_parse_bounded(text, strlen(text), LK_POLICY_JSON_MAX_BYTES, &live, &why) !=
            LK_STATUS_OK ||
        !cJSON_IsObject(live)) {
        rc = s_refuse(err, "logkeep.UnreadableKeyPolicy",
                      "the key policy of %s is not a JSON object; nothing sent", s->name);
        goto done;
    }
    out = cJSON_Duplicate(live, true);
    cJSON_DeleteItemFromObjectCaseSensitive(out, "Statement");
    if (!cJSON_GetObjectItemCaseSensitive(out, "Version"))
        cJSON_AddStringToObject(out, "Version", "2012-10-17");
    cJSON *stmts = cJSON_AddArrayToObject(out, "Statement");
    const cJSON *old = cJSON_GetObjectItemCaseSensitive(live, "Statement"), *e;
    if (cJSON_IsObject(old)) {
        if (!s_owned_json(old))
            cJSON_AddItemToArray(stmts, cJSON_Duplicate(old, true));
    } else {
        cJSON_ArrayForEach(e, old) if (!s_owned_json(e))
            cJSON_AddItemToArray(stmts, cJSON_Duplicate(e, true));
    }
    if (s->artifact &&
        lk_json_parse_bounded(s->artifact->content, s->artifact->len, LK_POLICY_JSON_MAX_BYTES,
                              &want, &why) == LK_STATUS_OK) {
        cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(want, "Statement"))
            cJSON_AddItemToArray(stmts, cJSON_Duplicate(e, true));
    } else {
        for (size_t i = 0; s->key && i < s->key->policy.n_statements; i++)
            cJSON_AddItemToArray(stmts, s_statement_json(&s->key->policy.statements[i]));
    }
    char *principal = lk_apply_principal_arn(plan->caller_arn);
    char partition[32] = "aws";
    const char *pe = strchr(plan->caller_arn + (strncmp(plan->caller_arn, "arn:", 4) ? 0 : 4), ':');
    if (!strncmp(plan->caller_arn, "arn:", 4) && pe && pe - plan->caller_arn - 4 < 31)
        snprintf(partition, sizeof(partition), "%.*s", (int)(pe - plan->caller_arn - 4),
                 plan->caller_arn + 4);
    struct s_caller who = {principal ? principal : plan->caller_arn, plan->caller_arn,
                           plan->caller_account, partition};
    bool keeps = s_keeps_caller(out, &who);
    if (!keeps) {
        rc = s_refuse(err, "logkeep.KeyPolicyLockout",
                      "the merged key policy of %s would no longer let %s (nor the root of "
                      "account %s) call kms:PutKeyPolicy: it would lock you out of the key; "
                      "nothing sent. Keep a statement that allows it (the key's default policy "
                      "allows arn:%s:iam::%s:root kms:*)",
                      s->name, who.principal_arn, who.account, partition, who.account);
        free(principal);
        goto done;
    }
    free(principal);
    printed = cJSON_PrintUnformatted(out);
    rc = lk_kms_put_key_policy(c, s->name, printed, err);
done:
    free(printed);
    cJSON_Delete(live);
    cJSON_Delete(want);
    cJSON_Delete(out);
    lk_ir_state_free(st);
    return rc;
}

enum lk_status lk_apply_execute(struct lk_aws_client *client, struct lk_apply_plan *plan,
                                void (*on_step)(void *ctx, const struct lk_apply_step *step),
                                void *ctx, struct lk_aws_error *err)
{
    if (!client || !plan || !err)
        return LK_STATUS_INVALID_ARGUMENT;
    for (size_t i = 0; i < plan->n; i++) {
        struct lk_apply_step *s = &plan->steps[i];
        if (s->status == LK_APPLY_DONE) {
            /* Made with an earlier step's call (CreateFlowLogs takes many VPCs). */
            if (on_step)
                on_step(ctx, s);
            continue;
        }
        enum lk_status rc = s->op == LK_APPLY_PUT_KEY_POLICY ? s_put_key_policy(client, plan, s, err)
                            : lk_apply_op_is_producer(s->op)
                                ? lk_apply_run_producer(client, plan, s, err)
                                : s_run(client, s, err);
        if (rc != LK_STATUS_OK) {
            s->status = LK_APPLY_FAILED;
            if (on_step)
                on_step(ctx, s);
            return rc;
        }
        s->status = LK_APPLY_DONE;
        if (on_step)
            on_step(ctx, s);
    }
    return LK_STATUS_OK;
}

void lk_apply_report(const struct lk_apply_plan *plan, FILE *f)
{
    for (size_t i = 0; i < plan->n; i++) {
        const struct lk_apply_step *s = &plan->steps[i];
        const char *st = s->status == LK_APPLY_DONE     ? "done    "
                         : s->status == LK_APPLY_FAILED ? "FAILED  "
                                                        : "not made";
        fprintf(f, "  %s  %s %s", st, lk_apply_op_name(s->op), s->name);
        if (s->op == LK_APPLY_PUT_RETENTION)
            fprintf(f, " (%d days)", (int)s->retention_days);
        if (s->region)
            fprintf(f, " [%s]", s->region);
        const char *effect = lk_apply_step_effect(s);
        if (effect)
            fprintf(f, ": %s", effect);
        fputc('\n', f);
    }
}

size_t lk_apply_missing_allows(const struct lk_diff *diff, const char *const *allow,
                               size_t n_allow, FILE *f)
{
    size_t missing = 0;
    if (!diff)
        return 0;
    for (size_t i = 0; i < diff->n; i++) {
        const struct lk_diff_change *ch = &diff->changes[i];
        if (!ch->data_loss || !ch->allow_name)
            continue;
        bool given = false;
        for (size_t k = 0; k < n_allow && !given; k++)
            given = !strcmp(allow[k], ch->allow_name);
        if (given)
            continue;
        bool seen = false; /* several attributes can share one allow name */
        for (size_t k = 0; k < i && !seen; k++)
            seen = diff->changes[k].data_loss && diff->changes[k].allow_name &&
                   !strcmp(diff->changes[k].allow_name, ch->allow_name);
        if (seen)
            continue;
        missing++;
        if (f && ch->resource == LK_DIFF_PRODUCER)
            /* Why, in the diff's words: where it delivers now, where apply would point it. */
            fprintf(f, "  --allow %s  (%s %s: %s; apply would make it deliver to %s)\n",
                    ch->allow_name, ch->attribute, ch->name,
                    ch->live ? ch->live : "delivers elsewhere",
                    ch->desired ? ch->desired : "the source's destination");
        else if (f)
            fprintf(f, "  --allow %s\n", ch->allow_name);
    }
    return missing;
}

char *lk_apply_principal_arn(const char *arn)
{
    /* arn:PARTITION:sts::ACCOUNT:assumed-role/ROLE/SESSION -> arn:PARTITION:iam::ACCOUNT:role/ROLE.
     * The session ARN drops the role's path (/team/ROLE appears as ROLE), so the result is
     * exact only for roles without a path; lk_apply_check_lockout() compares by role name. */
    const char *sts = strstr(arn, ":sts::");
    const char *ar = strstr(arn, ":assumed-role/");
    if (!sts || !ar || ar < sts)
        return lk_xstrdup(arn);
    const char *role = ar + strlen(":assumed-role/");
    const char *slash = strchr(role, '/');
    size_t role_len = slash ? (size_t)(slash - role) : strlen(role);
    const char *acct = sts + strlen(":sts::");
    /* Every part but the two literals is a piece of @p arn: this cap always fits the result. */
    struct lk_buf b;
    lk_buf_init(&b, strlen(arn) + sizeof(":iam::") + sizeof(":role/"));
    lk_buf_append(&b, arn, (size_t)(sts - arn));
    lk_buf_puts(&b, ":iam::");
    lk_buf_append(&b, acct, (size_t)(ar - acct));
    lk_buf_puts(&b, ":role/");
    lk_buf_append(&b, role, role_len);
    return lk_buf_take(&b, NULL);
}

/* IAM wildcard match: '*' any run, '?' one character. */
static bool s_wild(const char *p, const char *s)
{
    if (!*p)
        return !*s;
    if (*p == '*')
        return s_wild(p + 1, s) || (*s && s_wild(p, s + 1));
    if (*s && (*p == '?' || *p == *s))
        return s_wild(p + 1, s + 1);
    return false;
}

/* Whether @p principal (an IAM principal ARN) is @p admin. For an assumed role the session ARN
 * gave no path, so an admin role arn:P:iam::A:role/PATH/NAME matches by account and role
 * name. */
static bool s_admin_match(const char *admin, const char *principal, bool like, bool assumed)
{
    if (like ? s_wild(admin, principal) : !strcmp(admin, principal))
        return true;
    if (!assumed)
        return false;
    const char *ar = strstr(admin, ":role/"), *pr = strstr(principal, ":role/");
    if (!ar || !pr || (ar - admin) != (pr - principal) || strncmp(admin, principal, (size_t)(ar - admin)))
        return false;
    const char *aname = strrchr(ar, '/') + 1, *pname = pr + strlen(":role/");
    return like ? s_wild(aname, pname) : !strcmp(aname, pname);
}

static bool s_action_covers(const struct lk_ir_string_list *actions, const char *action)
{
    for (size_t i = 0; i < actions->n; i++) {
        const char *a = actions->items[i];
        if (!strcmp(a, "*") || !strcmp(a, "s3:*") || !strcmp(a, action) || s_wild(a, action))
            return true;
    }
    return false;
}

bool lk_apply_check_lockout(const struct lk_ir_state *desired, const char *caller_arn, char *msg,
                            size_t len)
{
    if (!desired || !caller_arn)
        return false;
    char *principal = lk_apply_principal_arn(caller_arn);
    if (!principal) {
        /* Fail closed: a guard that cannot name the caller does not let the apply through. */
        if (msg && len)
            snprintf(msg, len, "cannot derive the principal ARN of %s", caller_arn);
        return false;
    }
    bool assumed = strcmp(principal, caller_arn) != 0;
    bool ok = true;
    for (size_t i = 0; ok && i < desired->n_buckets; i++) {
        const struct lk_ir_bucket *b = &desired->buckets[i];
        if (!b->policy.present)
            continue;
        for (size_t k = 0; ok && k < b->policy.n_statements; k++) {
            const struct lk_ir_statement *st = &b->policy.statements[k];
            if (st->allow || st->principal_kind != LK_IR_PRINCIPAL_ANY ||
                !s_action_covers(&st->actions, "s3:PutBucketPolicy"))
                continue;
            for (size_t c = 0; ok && c < st->n_conditions; c++) {
                const struct lk_ir_condition *cond = &st->conditions[c];
                bool like = !strcmp(cond->op, "ArnNotLike") || !strcmp(cond->op, "StringNotLike");
                bool equals =
                    !strcmp(cond->op, "ArnNotEquals") || !strcmp(cond->op, "StringNotEquals");
                if ((!like && !equals) || strcmp(cond->key, "aws:PrincipalArn") != 0)
                    continue;
                bool match = false;
                for (size_t v = 0; v < cond->values.n && !match; v++)
                    match = s_admin_match(cond->values.items[v], principal, like, assumed);
                if (!match) {
                    ok = false;
                    if (msg && len)
                        snprintf(msg, len,
                                 "the bucket policy of %s (store %s) would deny policy changes "
                                 "to the calling principal %s: it is not one of the store's "
                                 "admins; add it to the admins or run apply as an admin",
                                 b->name, b->store ? b->store : "?", principal);
                }
            }
        }
    }
    free(principal);
    return ok;
}

/* ------------------------------------------------------------------------------ store guards */

static bool s_given(const char *const *allow, size_t n_allow, const char *name)
{
    for (size_t i = 0; i < n_allow; i++)
        if (!strcmp(allow[i], name))
            return true;
    return false;
}

bool lk_apply_check_control_tower(const struct lk_ir_state *desired, const char *const *allow,
                                  size_t n_allow, char *msg, size_t len)
{
    char missing[1024] = "";
    size_t used = 0;
    bool ok = true;
    for (size_t i = 0; desired && i < desired->n_buckets; i++) {
        const char *name = desired->buckets[i].name;
        if (!s_starts(name, LK_APPLY_CONTROL_TOWER_PREFIX))
            continue;
        char want[320];
        snprintf(want, sizeof(want), "control-tower:%s", name);
        if (s_given(allow, n_allow, want))
            continue;
        ok = false;
        if (used < sizeof(missing)) {
            int n = snprintf(missing + used, sizeof(missing) - used, "\n  --allow %s", want);
            used += n > 0 ? (size_t)n : 0;
        }
    }
    if (!ok && msg && len)
        snprintf(msg, len,
                 "the policy names buckets AWS Control Tower manages (%s*): changing them drifts "
                 "the landing zone, and Control Tower may change them back; nothing was "
                 "changed. To allow it, add:%s",
                 LK_APPLY_CONTROL_TOWER_PREFIX, missing);
    return ok;
}

bool lk_apply_check_mfa_delete(const struct lk_apply_plan *plan, const struct lk_ir_state *live,
                               char *msg, size_t len)
{
    for (size_t i = 0; plan && live && i < plan->n; i++) {
        const struct lk_apply_step *s = &plan->steps[i];
        if (s->op != LK_APPLY_PUT_LIFECYCLE && s->op != LK_APPLY_DELETE_LIFECYCLE)
            continue;
        for (size_t k = 0; k < live->n_buckets; k++) {
            const struct lk_ir_bucket *b = &live->buckets[k];
            if (!b->exists || !b->mfa_delete || strcmp(b->name, s->name) != 0)
                continue;
            /* "S3 Lifecycle configuration on multi-factor authentication (MFA)-enabled buckets
             * isn't supported." (S3 User Guide, "Lifecycle and other bucket configurations",
             * https://docs.aws.amazon.com/AmazonS3/latest/userguide/lifecycle-and-other-bucket-config.html)
             */
            if (msg && len)
                snprintf(msg, len,
                         "bucket %s has MFA delete enabled, and S3 does not support lifecycle "
                         "configuration on MFA delete-enabled buckets (S3 User Guide, "
                         "\"Lifecycle and other bucket configurations\"): %s is not sent. "
                         "Disable MFA delete (the root user, with its MFA device) or remove the "
                         "store's retention from the policy",
                         b->name, lk_apply_op_name(s->op));
            return false;
        }
    }
    return true;
}
