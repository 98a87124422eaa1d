/*
 * logkeep runtime: the Elastic Load Balancing v2 client for access logs (elbv2.h).
 *
 * Sources (ELBv2 API Reference,
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/): [DLB]
 * "DescribeLoadBalancers", API_DescribeLoadBalancers.html: Marker, PageSize (1-400); response
 * LoadBalancers/member, NextMarker ("If there are additional results, this is the marker for the
 * next set of results. Otherwise, this is null."). [DLBA] "DescribeLoadBalancerAttributes",
 * API_DescribeLoadBalancerAttributes.html: one LoadBalancerArn; response Attributes/member (Key,
 * Value). [MLBA] "ModifyLoadBalancerAttributes", API_ModifyLoadBalancerAttributes.html:
 *          Attributes.member.N.Key/Value; "If any of the specified attributes can't be
 *          modified as requested, the call fails. Any existing attributes that you do not
 *          modify retain their current values."
 *   [ATTR] "LoadBalancerAttribute", API_LoadBalancerAttribute.html: access_logs.s3.enabled
 *          ("true or false"), access_logs.s3.bucket, access_logs.s3.prefix.
 *   [DT]   "DescribeTags", API_DescribeTags.html: ResourceArns.member.N, "You can specify up to
 *          20 resources in a single call."; response TagDescriptions/member (ResourceArn,
 *          Tags/member: Key, Value; API_TagDescription.html, API_Tag.html).
 */
#include "runtime/services/elbv2.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/services/query.h"

#define ELB_OP_DESCRIBE "DescribeLoadBalancers"
#define ELB_OP_ATTRS "DescribeLoadBalancerAttributes"
#define ELB_OP_MODIFY "ModifyLoadBalancerAttributes"
#define ELB_OP_TAGS "DescribeTags"

void lk_elbv2_list_free(struct lk_elbv2_list *list)
{
    if (list == NULL)
        return;
    free(list->items);
    lk_arena_destroy(&list->arena);
    memset(list, 0, sizeof(*list));
}

static const char *s_dup(struct lk_arena *a, const char *s)
{
    return s ? lk_arena_strdup(a, s) : NULL;
}

enum lk_status lk_elbv2_parse_describe_load_balancers(struct lk_elbv2_list *out, const char *xml,
                                                      size_t len, const char **next_marker,
                                                      struct lk_error *err)
{
    struct lk_query_doc doc;
    const struct lk_query_node *result = NULL;
    enum lk_status rc;
    struct lk_arena *a = &out->arena;
    *next_marker = NULL;
    LK_GUARD_GOTO(rc, lk_query_parse(&doc, xml, len, err), cleanup);
    LK_GUARD_GOTO(rc, lk_query_result(&doc, ELB_OP_DESCRIBE, false, &result, err), cleanup);
    for (const struct lk_query_node *it =
             lk_query_child(lk_query_child(result, "LoadBalancers"), "member");
         it; it = lk_query_next(it)) {
        const char *arn = lk_query_text(it, "LoadBalancerArn");
        LK_ENSURE_GOTO(
            rc, arn && arn[0],
            lk_error_set(err, LK_STATUS_SCHEMA, "a load balancer has no <LoadBalancerArn>"),
            cleanup);
        struct lk_elbv2_load_balancer lb = {
            .arn = lk_arena_strdup(a, arn),
            .name = s_dup(a, lk_query_text(it, "LoadBalancerName")),
            .type = s_dup(a, lk_query_text(it, "Type")),
            .scheme = s_dup(a, lk_query_text(it, "Scheme")),
            .vpc_id = s_dup(a, lk_query_text(it, "VpcId")),
            .state = s_dup(a, lk_query_text(lk_query_child(it, "State"), "Code")),
            .access_logs_bucket = "",
            .access_logs_prefix = "",
        };
        if (out->n == out->cap) {
            out->cap = out->cap ? out->cap * 2 : 16;
            out->items = lk_xrealloc(out->items, out->cap * sizeof(*out->items));
        }
        out->items[out->n++] = lb;
    }
    const char *marker = lk_query_text(result, "NextMarker");
    *next_marker = marker && marker[0] ? lk_arena_strdup(a, marker) : NULL;
cleanup:
    lk_query_doc_free(&doc);
    return rc;
}

enum lk_status lk_elbv2_parse_attributes(struct lk_arena *arena, const char *op,
                                         struct lk_elbv2_load_balancer *lb, const char *xml,
                                         size_t len, struct lk_error *err)
{
    struct lk_query_doc doc;
    const struct lk_query_node *result = NULL;
    enum lk_status rc;
    bool enabled = false, seen_enabled = false;
    const char *bucket = "", *prefix = "";
    LK_GUARD_GOTO(rc, lk_query_parse(&doc, xml, len, err), cleanup);
    LK_GUARD_GOTO(rc, lk_query_result(&doc, op, false, &result, err), cleanup);
    for (const struct lk_query_node *it =
             lk_query_child(lk_query_child(result, "Attributes"), "member");
         it; it = lk_query_next(it)) {
        const char *key = lk_query_text(it, "Key");
        const char *value = lk_query_text(it, "Value");
        if (key == NULL)
            continue;
        if (strcmp(key, LK_ELBV2_ACCESS_LOGS_ENABLED) == 0) {
            /* [ATTR] "The value is true or false." */
            LK_ENSURE_GOTO(rc, value && (!strcmp(value, "true") || !strcmp(value, "false")),
                           lk_error_set(err, LK_STATUS_SCHEMA,
                                        "access_logs.s3.enabled is not true or false: \"%.40s\"",
                                        value ? value : ""),
                           cleanup);
            enabled = strcmp(value, "true") == 0;
            seen_enabled = true;
        } else if (strcmp(key, LK_ELBV2_ACCESS_LOGS_BUCKET) == 0) {
            bucket = value ? value : "";
        } else if (strcmp(key, LK_ELBV2_ACCESS_LOGS_PREFIX) == 0) {
            prefix = value ? value : "";
        }
    }
    /* Every balancer type that logs has the attribute [ATTR]: an answer without it says
     * nothing about access logs. */
    LK_ENSURE_GOTO(rc, seen_enabled,
                   lk_error_set(err, LK_STATUS_SCHEMA, "the attributes have no %s",
                                LK_ELBV2_ACCESS_LOGS_ENABLED),
                   cleanup);
    lb->access_logs_enabled = enabled;
    lb->access_logs_bucket = lk_arena_strdup(arena, bucket);
    lb->access_logs_prefix = lk_arena_strdup(arena, prefix);
    lb->attributes_read = true;
cleanup:
    lk_query_doc_free(&doc);
    return rc;
}

enum lk_status lk_elbv2_parse_tags(struct lk_arena *arena, struct lk_elbv2_load_balancer *lbs,
                                   size_t n, const char *xml, size_t len, struct lk_error *err)
{
    struct lk_query_doc doc;
    const struct lk_query_node *result = NULL;
    enum lk_status rc;
    LK_GUARD_GOTO(rc, lk_query_parse(&doc, xml, len, err), cleanup);
    LK_GUARD_GOTO(rc, lk_query_result(&doc, ELB_OP_TAGS, false, &result, err), cleanup);
    for (const struct lk_query_node *it =
             lk_query_child(lk_query_child(result, "TagDescriptions"), "member");
         it; it = lk_query_next(it)) {
        const char *arn = lk_query_text(it, "ResourceArn");
        struct lk_elbv2_load_balancer *lb = NULL;
        for (size_t i = 0; arn != NULL && i < n && lb == NULL; i++)
            if (strcmp(lbs[i].arn, arn) == 0)
                lb = &lbs[i];
        if (lb == NULL)
            continue; /* not one asked for */
        const struct lk_query_node *tags = lk_query_child(it, "Tags");
        size_t count = 0;
        for (const struct lk_query_node *t = lk_query_child(tags, "member"); t;
             t = lk_query_next(t))
            count++;
        lb->tag_keys = count ? lk_arena_alloc(arena, count * sizeof(*lb->tag_keys)) : NULL;
        lb->tag_values = count ? lk_arena_alloc(arena, count * sizeof(*lb->tag_values)) : NULL;
        lb->n_tags = 0;
        for (const struct lk_query_node *t = lk_query_child(tags, "member"); t;
             t = lk_query_next(t)) {
            const char *key = lk_query_text(t, "Key");
            const char *value = lk_query_text(t, "Value");
            LK_ENSURE_GOTO(
                rc, key && key[0],
                lk_error_set(err, LK_STATUS_SCHEMA, "a tag of %.200s has no <Key>", lb->arn),
                cleanup);
            lb->tag_keys[lb->n_tags] = lk_arena_strdup(arena, key);
            lb->tag_values[lb->n_tags++] = lk_arena_strdup(arena, value ? value : "");
        }
        lb->tags_read = true;
    }
cleanup:
    lk_query_doc_free(&doc);
    return rc;
}

/* ------------------------------------------------------------------------------ calls */

struct s_page_ctx {
    struct lk_elbv2_list *list;
    const char **next;
};

static enum lk_status s_read_page(void *ctx, const char *xml, size_t len, struct lk_error *why)
{
    struct s_page_ctx *c = ctx;
    return lk_elbv2_parse_describe_load_balancers(c->list, xml, len, c->next, why);
}

struct s_attr_ctx {
    struct lk_arena *arena;
    const char *op;
    struct lk_elbv2_load_balancer *lb;
};

static enum lk_status s_read_attrs(void *ctx, const char *xml, size_t len, struct lk_error *why)
{
    struct s_attr_ctx *c = ctx;
    return lk_elbv2_parse_attributes(c->arena, c->op, c->lb, xml, len, why);
}

enum lk_status lk_elbv2_read_attributes(struct lk_aws_client *client, const char *region,
                                        struct lk_arena *arena, struct lk_elbv2_load_balancer *lb,
                                        struct lk_aws_error *err)
{
    struct lk_buf form;
    lk_query_form_init(&form, ELB_OP_ATTRS, LK_ELBV2_API_VERSION);
    lk_query_form_add(&form, "LoadBalancerArn", lb->arn);
    struct s_attr_ctx ctx = {arena, ELB_OP_ATTRS, lb};
    struct lk_query_reader reader = {s_read_attrs, &ctx};
    enum lk_status rc =
        lk_query_call(client, LK_AWS_ELBV2, ELB_OP_ATTRS, region, &form, &reader, err);
    lk_buf_free(&form);
    return rc;
}

struct s_tags_ctx {
    struct lk_arena *arena;
    struct lk_elbv2_load_balancer *lbs;
    size_t n;
};

static enum lk_status s_read_tags(void *ctx, const char *xml, size_t len, struct lk_error *why)
{
    struct s_tags_ctx *c = ctx;
    return lk_elbv2_parse_tags(c->arena, c->lbs, c->n, xml, len, why);
}

enum lk_status lk_elbv2_describe_tags(struct lk_aws_client *client, const char *region,
                                      struct lk_arena *arena, struct lk_elbv2_load_balancer *lbs,
                                      size_t n, size_t *requests, struct lk_aws_error *err)
{
    /* [DT] at most 20 ARNs a call. */
    for (size_t at = 0; at < n; at += LK_ELBV2_TAGS_MAX) {
        size_t batch = n - at < LK_ELBV2_TAGS_MAX ? n - at : LK_ELBV2_TAGS_MAX;
        struct lk_buf form;
        lk_query_form_init(&form, ELB_OP_TAGS, LK_ELBV2_API_VERSION);
        for (size_t i = 0; i < batch; i++)
            lk_query_form_addf(&form, lbs[at + i].arn, "ResourceArns.member.%zu", i + 1);
        struct s_tags_ctx ctx = {arena, lbs + at, batch};
        struct lk_query_reader reader = {s_read_tags, &ctx};
        enum lk_status rc =
            lk_query_call(client, LK_AWS_ELBV2, ELB_OP_TAGS, region, &form, &reader, err);
        lk_buf_free(&form);
        if (requests != NULL)
            (*requests)++;
        if (rc != LK_STATUS_OK)
            return rc;
    }
    return LK_STATUS_OK;
}

enum lk_status lk_elbv2_describe_load_balancers(struct lk_aws_client *client, const char *region,
                                                bool with_attributes, struct lk_elbv2_list *out,
                                                struct lk_aws_error *err)
{
    const char *marker = NULL;
    size_t first = out->n;
    char size[16];
    snprintf(size, sizeof(size), "%d", LK_ELBV2_PAGE_MAX);
    for (int page = 0;; page++) {
        if (page >= LK_QUERY_MAX_PAGES)
            return lk_svc_result(
                lk_aws_error_invalid(err, ELB_OP_DESCRIBE, "the listing did not end"), err);
        struct lk_buf form;
        lk_query_form_init(&form, ELB_OP_DESCRIBE, LK_ELBV2_API_VERSION);
        lk_query_form_add(&form, "PageSize", size);
        if (marker != NULL)
            lk_query_form_add(&form, "Marker", marker);
        const char *next = NULL;
        struct s_page_ctx ctx = {out, &next};
        struct lk_query_reader reader = {s_read_page, &ctx};
        enum lk_status rc =
            lk_query_call(client, LK_AWS_ELBV2, ELB_OP_DESCRIBE, region, &form, &reader, err);
        lk_buf_free(&form);
        if (rc != LK_STATUS_OK)
            return rc;
        out->pages++;
        /* [DLB] NextMarker is null on the last page; one equal to the marker sent would loop. */
        if (next == NULL || (marker != NULL && strcmp(next, marker) == 0))
            break;
        marker = next;
    }
    if (!with_attributes)
        return LK_STATUS_OK;
    for (size_t i = first; i < out->n; i++) {
        LK_GUARD(lk_elbv2_read_attributes(client, region, &out->arena, &out->items[i], err));
        out->attribute_reads++;
    }
    return LK_STATUS_OK;
}

enum lk_status lk_elbv2_enable_access_logs(struct lk_aws_client *client, const char *region,
                                           const char *lb_arn, const char *bucket,
                                           const char *prefix, struct lk_aws_error *err)
{
    if (lb_arn == NULL || bucket == NULL || bucket[0] == '\0')
        return lk_svc_result(
            lk_aws_error_invalid(err, ELB_OP_MODIFY, "no load balancer or no bucket given"), err);
    struct lk_buf form;
    lk_query_form_init(&form, ELB_OP_MODIFY, LK_ELBV2_API_VERSION);
    lk_query_form_add(&form, "LoadBalancerArn", lb_arn);
    /* [MLBA] Attributes.member.N.Key / .Value (Query list serialization). */
    lk_query_form_add(&form, "Attributes.member.1.Key", LK_ELBV2_ACCESS_LOGS_ENABLED);
    lk_query_form_add(&form, "Attributes.member.1.Value", "true");
    lk_query_form_add(&form, "Attributes.member.2.Key", LK_ELBV2_ACCESS_LOGS_BUCKET);
    lk_query_form_add(&form, "Attributes.member.2.Value", bucket);
    lk_query_form_add(&form, "Attributes.member.3.Key", LK_ELBV2_ACCESS_LOGS_PREFIX);
    lk_query_form_add(&form, "Attributes.member.3.Value", prefix ? prefix : "");
    struct lk_arena arena;
    lk_arena_init(&arena);
    struct lk_elbv2_load_balancer lb = {.arn = lb_arn};
    struct s_attr_ctx ctx = {&arena, ELB_OP_MODIFY, &lb};
    struct lk_query_reader reader = {s_read_attrs, &ctx};
    enum lk_status rc =
        lk_query_call(client, LK_AWS_ELBV2, ELB_OP_MODIFY, region, &form, &reader, err);
    lk_buf_free(&form);
    if (rc == LK_STATUS_OK &&
        (!lb.access_logs_enabled || strcmp(lb.access_logs_bucket, bucket) != 0 ||
         strcmp(lb.access_logs_prefix, prefix ? prefix : "") != 0)) {
        /* [MLBA] the answer lists the attributes in force: they must be the ones asked for. */
        struct lk_http_response none = {0};
        none.status = 200;
        rc = lk_svc_result(lk_aws_error_malformed(err, ELB_OP_MODIFY, &none,
                                                  "the answer does not show access logs on to "
                                                  "the bucket and prefix asked for"),
                           err);
    }
    lk_arena_destroy(&arena);
    return rc;
}
