/*
 * logkeep service client tests: comparing desired and live IR values.
 *
 * Each function compares the fields both sides carry and returns NULL when they are equal, or a
 * message naming the first difference (in a static buffer). Fields only desired state has
 * (rule sources, bucket store, trail and log group source, wanted days) are not compared.
 */
#ifndef LK_SVC_TEST_H
#define LK_SVC_TEST_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compiler/compile.h"
#include "ir/ir.h"
#include "compiler/policy.h"

static char s_svc_diff[512];

static inline const char *lk_svc_diff(const char *fmt, const char *a, const char *b)
{
    snprintf(s_svc_diff, sizeof(s_svc_diff), fmt, a ? a : "(null)", b ? b : "(null)");
    return s_svc_diff;
}

static inline int lk_svc_strcmp(const char *a, const char *b)
{
    if (!a || !b)
        return a == b ? 0 : 1;
    return strcmp(a, b);
}

static inline const char *lk_svc_cmp_list(const char *what, const struct lk_ir_string_list *a,
                                          const struct lk_ir_string_list *b)
{
    if (a->n != b->n) {
        snprintf(s_svc_diff, sizeof(s_svc_diff), "%s: %zu values vs %zu", what, a->n, b->n);
        return s_svc_diff;
    }
    for (size_t i = 0; i < a->n; i++)
        if (strcmp(a->items[i], b->items[i]) != 0) {
            snprintf(s_svc_diff, sizeof(s_svc_diff), "%s: \"%s\" vs \"%s\"", what, a->items[i],
                     b->items[i]);
            return s_svc_diff;
        }
    return NULL;
}

static inline const char *lk_svc_cmp_lifecycle(const struct lk_ir_lifecycle *a,
                                               const struct lk_ir_lifecycle *b)
{
    if (a->present != b->present)
        return "lifecycle presence differs";
    if (a->transition_min_size != b->transition_min_size)
        return "lifecycle transition_min_size differs";
    if (a->n_rules != b->n_rules)
        return "lifecycle rule count differs";
    for (size_t i = 0; i < a->n_rules; i++) {
        const struct lk_ir_lifecycle_rule *x = &a->rules[i], *y = &b->rules[i];
        if (lk_svc_strcmp(x->id, y->id))
            return lk_svc_diff("rule id \"%s\" vs \"%s\"", x->id, y->id);
        if (lk_svc_strcmp(x->prefix, y->prefix))
            return lk_svc_diff("rule prefix \"%s\" vs \"%s\"", x->prefix, y->prefix);
        if (x->enabled != y->enabled || x->expiration_days != y->expiration_days ||
            x->expired_object_delete_marker != y->expired_object_delete_marker ||
            x->noncurrent_expiration_days != y->noncurrent_expiration_days ||
            x->abort_incomplete_upload_days != y->abort_incomplete_upload_days)
            return lk_svc_diff("rule %s: status, expiration or abort days differ%s", x->id, "");
        if (x->n_transitions != y->n_transitions)
            return lk_svc_diff("rule %s: transition count differs%s", x->id, "");
        for (size_t t = 0; t < x->n_transitions; t++)
            if (x->transitions[t].days != y->transitions[t].days ||
                x->transitions[t].storage_class != y->transitions[t].storage_class)
                return lk_svc_diff("rule %s: transition differs%s", x->id, "");
    }
    return NULL;
}

static inline const char *lk_svc_cmp_policy(const struct lk_ir_bucket_policy *a,
                                            const struct lk_ir_bucket_policy *b)
{
    const char *d;
    if (a->present != b->present)
        return "policy presence differs";
    if (!a->present)
        return NULL;
    if (lk_svc_strcmp(a->version, b->version))
        return lk_svc_diff("policy version \"%s\" vs \"%s\"", a->version, b->version);
    if (a->n_statements != b->n_statements)
        return "policy statement count differs";
    for (size_t i = 0; i < a->n_statements; i++) {
        const struct lk_ir_statement *x = &a->statements[i], *y = &b->statements[i];
        if (lk_svc_strcmp(x->sid, y->sid))
            return lk_svc_diff("statement Sid \"%s\" vs \"%s\"", x->sid, y->sid);
        if (x->allow != y->allow || x->principal_kind != y->principal_kind)
            return lk_svc_diff("statement %s: effect or principal kind differs%s", x->sid, "");
        if ((d = lk_svc_cmp_list("principals", &x->principals, &y->principals)) ||
            (d = lk_svc_cmp_list("actions", &x->actions, &y->actions)) ||
            (d = lk_svc_cmp_list("resources", &x->resources, &y->resources)))
            return d;
        if (x->n_conditions != y->n_conditions)
            return lk_svc_diff("statement %s: condition count differs%s", x->sid, "");
        for (size_t k = 0; k < x->n_conditions; k++) {
            if (strcmp(x->conditions[k].op, y->conditions[k].op) ||
                strcmp(x->conditions[k].key, y->conditions[k].key))
                return lk_svc_diff("condition %s vs %s", x->conditions[k].key,
                                   y->conditions[k].key);
            if ((d = lk_svc_cmp_list("condition values", &x->conditions[k].values,
                                     &y->conditions[k].values)))
                return d;
        }
    }
    return NULL;
}

/* Compares the configuration of two buckets (not name, region, store or exists). */
static inline const char *lk_svc_cmp_bucket(const struct lk_ir_bucket *a,
                                            const struct lk_ir_bucket *b)
{
    const char *d;
    if ((d = lk_svc_cmp_lifecycle(&a->lifecycle, &b->lifecycle)) ||
        (d = lk_svc_cmp_policy(&a->policy, &b->policy)))
        return d;
    if (a->versioning != b->versioning || a->mfa_delete != b->mfa_delete)
        return "versioning differs";
    if (a->public_access_block.present != b->public_access_block.present ||
        a->public_access_block.block_public_acls != b->public_access_block.block_public_acls ||
        a->public_access_block.ignore_public_acls != b->public_access_block.ignore_public_acls ||
        a->public_access_block.block_public_policy != b->public_access_block.block_public_policy ||
        a->public_access_block.restrict_public_buckets !=
            b->public_access_block.restrict_public_buckets)
        return "public access block differs";
    if (a->encryption.present != b->encryption.present ||
        lk_svc_strcmp(a->encryption.algorithm, b->encryption.algorithm) ||
        lk_svc_strcmp(a->encryption.kms_key_id, b->encryption.kms_key_id) ||
        a->encryption.bucket_key_enabled != b->encryption.bucket_key_enabled)
        return lk_svc_diff("encryption differs (%s vs %s)", a->encryption.algorithm,
                           b->encryption.algorithm);
    if (a->object_lock.enabled != b->object_lock.enabled ||
        a->object_lock.mode != b->object_lock.mode || a->object_lock.days != b->object_lock.days ||
        a->object_lock.years != b->object_lock.years)
        return "object lock differs";
    return NULL;
}

/* Compares trail settings, event selectors and logging state (not source or exists). */
static inline const char *lk_svc_cmp_trail(const struct lk_ir_trail *a, const struct lk_ir_trail *b)
{
    const char *d;
    if (lk_svc_strcmp(a->name, b->name))
        return lk_svc_diff("trail name %s vs %s", a->name, b->name);
    if (lk_svc_strcmp(a->home_region, b->home_region))
        return lk_svc_diff("home region %s vs %s", a->home_region, b->home_region);
    if (lk_svc_strcmp(a->s3_bucket_name, b->s3_bucket_name))
        return lk_svc_diff("bucket %s vs %s", a->s3_bucket_name, b->s3_bucket_name);
    if (lk_svc_strcmp(a->s3_key_prefix, b->s3_key_prefix))
        return lk_svc_diff("prefix %s vs %s", a->s3_key_prefix, b->s3_key_prefix);
    if (lk_svc_strcmp(a->cloud_watch_logs_log_group_arn, b->cloud_watch_logs_log_group_arn))
        return lk_svc_diff("log group ARN %s vs %s", a->cloud_watch_logs_log_group_arn,
                           b->cloud_watch_logs_log_group_arn);
    if (lk_svc_strcmp(a->cloud_watch_logs_role_arn, b->cloud_watch_logs_role_arn))
        return lk_svc_diff("role ARN %s vs %s", a->cloud_watch_logs_role_arn,
                           b->cloud_watch_logs_role_arn);
    if (lk_svc_strcmp(a->kms_key_id, b->kms_key_id))
        return lk_svc_diff("KMS key %s vs %s", a->kms_key_id, b->kms_key_id);
    if (a->include_global_service_events != b->include_global_service_events ||
        a->is_multi_region_trail != b->is_multi_region_trail ||
        a->enable_log_file_validation != b->enable_log_file_validation ||
        a->is_organization_trail != b->is_organization_trail)
        return "trail flags differ";
    if (a->is_logging != b->is_logging)
        return "logging state differs";
    if (a->n_event_selectors != b->n_event_selectors)
        return "event selector count differs";
    for (size_t i = 0; i < a->n_event_selectors; i++) {
        const struct lk_ir_event_selector *x = &a->event_selectors[i], *y = &b->event_selectors[i];
        if (lk_svc_strcmp(x->read_write_type, y->read_write_type) ||
            x->include_management_events != y->include_management_events)
            return "event selector differs";
        if (x->n_data_resources != y->n_data_resources)
            return "data resource count differs";
        for (size_t k = 0; k < x->n_data_resources; k++) {
            if (lk_svc_strcmp(x->data_resources[k].type, y->data_resources[k].type))
                return "data resource type differs";
            if ((d = lk_svc_cmp_list("data resource values", &x->data_resources[k].values,
                                     &y->data_resources[k].values)))
                return d;
        }
        if ((d = lk_svc_cmp_list("excluded sources", &x->exclude_management_event_sources,
                                 &y->exclude_management_event_sources)))
            return d;
    }
    return NULL;
}

/* Loads, checks and compiles a policy directory; aborts the test on errors. */
static inline struct lk_policy *lk_svc_compile(const char *dir, struct lk_ir_state **st,
                                               struct lk_artifacts *arts)
{
    struct lk_policy *p = lk_policy_new();
    const char *paths[1] = {dir};
    const char *bad = NULL;
    if (lk_policy_load_paths(p, paths, 1, &bad) != 0) {
        fprintf(stderr, "cannot read policy %s\n", bad ? bad : dir);
        abort();
    }
    lk_policy_check(p);
    lk_artifacts_init(arts);
    if (lk_compile(p, st, arts) != 0) {
        fprintf(stderr, "policy %s has errors\n", dir);
        abort();
    }
    return p;
}

/* $LK_SRCDIR/<rel>, or <rel> relative to the current directory's source tree guess. */
static inline char *lk_svc_srcpath(const char *rel)
{
    const char *src = getenv("LK_SRCDIR");
    size_t n = strlen(src ? src : ".") + strlen(rel) + 2;
    char *p = malloc(n);
    if (!p)
        abort();
    snprintf(p, n, "%s/%s", src ? src : ".", rel);
    return p;
}

#endif
