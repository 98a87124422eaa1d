/*
 * logkeep runtime: the Amazon EC2 client for VPC flow logs (ec2.h).
 *
 * Sources (EC2 API Reference, https://docs.aws.amazon.com/AWSEC2/latest/APIReference/):
 *   [VPCS]   "DescribeVpcs", API_DescribeVpcs.html: MaxResults 5-1000, NextToken, VpcId.N,
 *            Filter.N; response vpcSet/item, nextToken.
 *   [FLOWS]  "DescribeFlowLogs", API_DescribeFlowLogs.html: filter resource-id ("The ID of the
 *            VPC, subnet, or network interface"), MaxResults, NextToken; response
 *            flowLogSet/item.
 *   [CREATE] "CreateFlowLogs", API_CreateFlowLogs.html: ResourceId.N, ResourceType,
 *            TrafficType, LogDestinationType, LogDestination, LogGroupName,
 *            DeliverLogsPermissionArn, LogFormat, MaxAggregationInterval; response
 *            flowLogIdSet/item and unsuccessful/item (resourceId, error/code, error/message).
 *   [QUERY]  "Query requests for Amazon EC2", Query-Requests.html: lists as Name.N.
 */
#include "runtime/services/ec2.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/hash.h"
#include "runtime/services/query.h"

#define EC2_OP_VPCS "DescribeVpcs"
#define EC2_OP_FLOWS "DescribeFlowLogs"
#define EC2_OP_CREATE "CreateFlowLogs"

void lk_ec2_vpc_list_free(struct lk_ec2_vpc_list *list)
{
    if (list == NULL)
        return;
    free(list->items);
    lk_arena_destroy(&list->arena);
    memset(list, 0, sizeof(*list));
}

void lk_ec2_flow_log_list_free(struct lk_ec2_flow_log_list *list)
{
    if (list == NULL)
        return;
    free(list->items);
    lk_arena_destroy(&list->arena);
    memset(list, 0, sizeof(*list));
}

void lk_ec2_create_result_free(struct lk_ec2_create_result *res)
{
    if (res == NULL)
        return;
    free(res->flow_log_ids);
    free(res->unsuccessful);
    lk_arena_destroy(&res->arena);
    memset(res, 0, sizeof(*res));
}

/* Grows an array of @p size-byte items to hold one more. */
static void *s_grow(void *items, size_t n, size_t *cap, size_t size)
{
    if (n < *cap)
        return items;
    *cap = *cap ? *cap * 2 : 16;
    return lk_xrealloc(items, *cap * size);
}

static const char *s_dup(struct lk_arena *a, const char *s)
{
    return s ? lk_arena_strdup(a, s) : NULL;
}

/* The text of @p name under @p n, copied; a required member that is absent or empty refuses the
 * page, as an item without its id cannot be used. */
static enum lk_status s_required(struct lk_arena *a, const struct lk_query_node *n,
                                 const char *name, const char *what, const char **out,
                                 struct lk_error *err)
{
    const char *t = lk_query_text(n, name);
    LK_ENSURE(t && t[0], lk_error_set(err, LK_STATUS_SCHEMA, "a %s has no <%s>", what, name));
    *out = lk_arena_strdup(a, t);
    return LK_STATUS_OK;
}

/* Parses @p xml as an EC2 answer of @p op; @p result receives the root. */
static enum lk_status s_open(struct lk_query_doc *doc, const char *op, const char *xml, size_t len,
                             const struct lk_query_node **result, struct lk_error *err)
{
    LK_GUARD(lk_query_parse(doc, xml, len, err));
    return lk_query_result(doc, op, true, result, err);
}

static const char *s_token(struct lk_arena *a, const struct lk_query_node *result)
{
    const char *t = lk_query_text(result, "nextToken");
    return t && t[0] ? lk_arena_strdup(a, t) : NULL;
}

enum lk_status lk_ec2_parse_describe_vpcs(struct lk_ec2_vpc_list *out, const char *xml, size_t len,
                                          const char **next_token, struct lk_error *err)
{
    struct lk_query_doc doc;
    const struct lk_query_node *result = NULL;
    enum lk_status rc;
    *next_token = NULL;
    LK_GUARD_GOTO(rc, s_open(&doc, EC2_OP_VPCS, xml, len, &result, err), cleanup);
    /* [VPCS] an empty listing may leave vpcSet out or empty. */
    for (const struct lk_query_node *it = lk_query_child(lk_query_child(result, "vpcSet"), "item");
         it; it = lk_query_next(it)) {
        struct lk_ec2_vpc v = {0};
        LK_GUARD_GOTO(rc, s_required(&out->arena, it, "vpcId", "VPC", &v.vpc_id, err), cleanup);
        v.owner_id = s_dup(&out->arena, lk_query_text(it, "ownerId"));
        v.cidr_block = s_dup(&out->arena, lk_query_text(it, "cidrBlock"));
        v.state = s_dup(&out->arena, lk_query_text(it, "state"));
        LK_GUARD_GOTO(rc, lk_query_bool(it, "isDefault", &v.is_default, err), cleanup);
        const struct lk_query_node *tags = lk_query_child(it, "tagSet");
        for (const struct lk_query_node *t = lk_query_child(tags, "item"); t; t = lk_query_next(t))
            v.n_tags++;
        if (v.n_tags > 0) {
            v.tag_keys = lk_arena_alloc(&out->arena, v.n_tags * sizeof(*v.tag_keys));
            v.tag_values = lk_arena_alloc(&out->arena, v.n_tags * sizeof(*v.tag_values));
            size_t k = 0;
            for (const struct lk_query_node *t = lk_query_child(tags, "item"); t;
                 t = lk_query_next(t), k++) {
                const char *key = lk_query_text(t, "key"), *value = lk_query_text(t, "value");
                v.tag_keys[k] = s_dup(&out->arena, key ? key : "");
                v.tag_values[k] = s_dup(&out->arena, value ? value : "");
            }
        }
        out->items = s_grow(out->items, out->n, &out->cap, sizeof(*out->items));
        out->items[out->n++] = v;
    }
    *next_token = s_token(&out->arena, result);
cleanup:
    lk_query_doc_free(&doc);
    return rc;
}

enum lk_status lk_ec2_parse_describe_flow_logs(struct lk_ec2_flow_log_list *out, const char *xml,
                                               size_t len, const char **next_token,
                                               struct lk_error *err)
{
    struct lk_query_doc doc;
    const struct lk_query_node *result = NULL;
    enum lk_status rc;
    struct lk_arena *a = &out->arena;
    *next_token = NULL;
    LK_GUARD_GOTO(rc, s_open(&doc, EC2_OP_FLOWS, xml, len, &result, err), cleanup);
    for (const struct lk_query_node *it =
             lk_query_child(lk_query_child(result, "flowLogSet"), "item");
         it; it = lk_query_next(it)) {
        struct lk_ec2_flow_log f = {0};
        LK_GUARD_GOTO(rc, s_required(a, it, "flowLogId", "flow log", &f.flow_log_id, err), cleanup);
        LK_GUARD_GOTO(rc, s_required(a, it, "resourceId", "flow log", &f.resource_id, err),
                      cleanup);
        f.traffic_type = s_dup(a, lk_query_text(it, "trafficType"));
        /* [FLOWS] flow logs made before destinations other than CloudWatch Logs existed carry
         * only logGroupName: they deliver to CloudWatch Logs. */
        f.log_destination_type = s_dup(a, lk_query_text(it, "logDestinationType"));
        if (f.log_destination_type == NULL)
            f.log_destination_type = "cloud-watch-logs";
        f.log_destination = s_dup(a, lk_query_text(it, "logDestination"));
        f.log_group_name = s_dup(a, lk_query_text(it, "logGroupName"));
        f.deliver_logs_permission_arn = s_dup(a, lk_query_text(it, "deliverLogsPermissionArn"));
        f.flow_log_status = s_dup(a, lk_query_text(it, "flowLogStatus"));
        f.deliver_logs_status = s_dup(a, lk_query_text(it, "deliverLogsStatus"));
        f.log_format = s_dup(a, lk_query_text(it, "logFormat"));
        LK_GUARD_GOTO(
            rc, lk_query_int(it, "maxAggregationInterval", &f.max_aggregation_interval_s, err),
            cleanup);
        out->items = s_grow(out->items, out->n, &out->cap, sizeof(*out->items));
        out->items[out->n++] = f;
    }
    *next_token = s_token(a, result);
cleanup:
    lk_query_doc_free(&doc);
    return rc;
}

enum lk_status lk_ec2_parse_create_flow_logs(struct lk_ec2_create_result *out, const char *xml,
                                             size_t len, struct lk_error *err)
{
    struct lk_query_doc doc;
    const struct lk_query_node *result = NULL;
    enum lk_status rc;
    struct lk_arena *a = &out->arena;
    size_t cap = out->n_flow_log_ids; /* appends: s_grow() doubles from here */
    LK_GUARD_GOTO(rc, s_open(&doc, EC2_OP_CREATE, xml, len, &result, err), cleanup);
    for (const struct lk_query_node *it =
             lk_query_child(lk_query_child(result, "flowLogIdSet"), "item");
         it; it = lk_query_next(it)) {
        LK_ENSURE_GOTO(rc, it->text[0], lk_error_set(err, LK_STATUS_SCHEMA, "an empty flow log id"),
                       cleanup);
        out->flow_log_ids =
            s_grow(out->flow_log_ids, out->n_flow_log_ids, &cap, sizeof(*out->flow_log_ids));
        out->flow_log_ids[out->n_flow_log_ids++] = lk_arena_strdup(a, it->text);
    }
    cap = out->n_unsuccessful;
    for (const struct lk_query_node *it =
             lk_query_child(lk_query_child(result, "unsuccessful"), "item");
         it; it = lk_query_next(it)) {
        const struct lk_query_node *e = lk_query_child(it, "error");
        struct lk_ec2_unsuccessful u = {
            .resource_id = s_dup(a, lk_query_text(it, "resourceId")),
            .code = s_dup(a, lk_query_text(e, "code")),
            .message = s_dup(a, lk_query_text(e, "message")),
        };
        out->unsuccessful =
            s_grow(out->unsuccessful, out->n_unsuccessful, &cap, sizeof(*out->unsuccessful));
        out->unsuccessful[out->n_unsuccessful++] = u;
    }
cleanup:
    lk_query_doc_free(&doc);
    return rc;
}

/* ------------------------------------------------------------------------------ calls */

struct s_page_ctx {
    void *list;
    const char **next_token;
    enum lk_status (*parse)(void *list, const char *xml, size_t len, const char **next,
                            struct lk_error *err);
};

static enum lk_status s_read_page(void *ctx, const char *xml, size_t len, struct lk_error *why)
{
    struct s_page_ctx *c = ctx;
    return c->parse(c->list, xml, len, c->next_token, why);
}

static enum lk_status s_parse_vpcs(void *list, const char *xml, size_t len, const char **next,
                                   struct lk_error *err)
{
    return lk_ec2_parse_describe_vpcs(list, xml, len, next, err);
}

static enum lk_status s_parse_flows(void *list, const char *xml, size_t len, const char **next,
                                    struct lk_error *err)
{
    return lk_ec2_parse_describe_flow_logs(list, xml, len, next, err);
}

/* Follows NextToken until the last page. @p filter_ids (at most LK_EC2_FILTER_VALUES_MAX) makes
 * a resource-id filter. */
static enum lk_status s_list(struct lk_aws_client *client, const char *region, const char *op,
                             const char *const *filter_ids, size_t n_filter, void *list, int *pages,
                             enum lk_status (*parse)(void *, const char *, size_t, const char **,
                                                     struct lk_error *),
                             struct lk_aws_error *err)
{
    const char *token = NULL;
    char size[16];
    snprintf(size, sizeof(size), "%d", LK_EC2_PAGE_MAX);
    for (int page = 0;; page++) {
        if (page >= LK_QUERY_MAX_PAGES)
            return lk_svc_result(lk_aws_error_invalid(err, op, "the listing did not end"), err);
        struct lk_buf form;
        lk_query_form_init(&form, op, LK_EC2_API_VERSION);
        lk_query_form_add(&form, "MaxResults", size);
        if (token != NULL)
            lk_query_form_add(&form, "NextToken", token);
        if (n_filter > 0) {
            /* [FLOWS][QUERY] Filter.1.Name=resource-id&Filter.1.Value.N=<id>. */
            lk_query_form_add(&form, "Filter.1.Name", "resource-id");
            for (size_t i = 0; i < n_filter; i++)
                lk_query_form_addf(&form, filter_ids[i], "Filter.1.Value.%zu", i + 1);
        }
        const char *next = NULL;
        struct s_page_ctx ctx = {list, &next, parse};
        struct lk_query_reader reader = {s_read_page, &ctx};
        enum lk_status rc = lk_query_call(client, LK_AWS_EC2, op, region, &form, &reader, err);
        lk_buf_free(&form);
        if (rc != LK_STATUS_OK)
            return rc;
        (*pages)++;
        /* [VPCS] "This value is null when there are no more items to return." A token equal to
         * the one sent would loop forever. */
        if (next == NULL || (token != NULL && strcmp(next, token) == 0))
            return LK_STATUS_OK;
        token = next;
    }
}

enum lk_status lk_ec2_describe_vpcs(struct lk_aws_client *client, const char *region,
                                    struct lk_ec2_vpc_list *out, struct lk_aws_error *err)
{
    return s_list(client, region, EC2_OP_VPCS, NULL, 0, out, &out->pages, s_parse_vpcs, err);
}

enum lk_status lk_ec2_describe_flow_logs(struct lk_aws_client *client, const char *region,
                                         const char *const *resource_ids, size_t n_ids,
                                         struct lk_ec2_flow_log_list *out, struct lk_aws_error *err)
{
    if (n_ids == 0)
        return s_list(client, region, EC2_OP_FLOWS, NULL, 0, out, &out->pages, s_parse_flows, err);
    for (size_t at = 0; at < n_ids; at += LK_EC2_FILTER_VALUES_MAX) {
        size_t chunk =
            n_ids - at < LK_EC2_FILTER_VALUES_MAX ? n_ids - at : LK_EC2_FILTER_VALUES_MAX;
        LK_GUARD(s_list(client, region, EC2_OP_FLOWS, resource_ids + at, chunk, out, &out->pages,
                        s_parse_flows, err));
    }
    return LK_STATUS_OK;
}

/* A ClientToken unique to this request: SHA-256 of bytes from /dev/urandom (when readable), the
 * time, the process and a counter, so that two requests never share one (at most 64 ASCII
 * characters [CREATE]). */
static void s_client_token(char out[LK_SHA256_HEX_LEN + 1])
{
    static atomic_ulong s_counter; /* clients of several threads may create flow logs */
    struct {
        unsigned char random[16];
        struct timespec now;
        long pid;
        unsigned long counter;
    } seed;
    memset(&seed, 0, sizeof(seed));
    FILE *f = fopen("/dev/urandom", "rb");
    if (f != NULL) {
        LK_IGNORE(fread(seed.random, 1, sizeof(seed.random), f));
        fclose(f);
    }
    clock_gettime(CLOCK_REALTIME, &seed.now);
    seed.pid = (long)getpid();
    seed.counter = atomic_fetch_add(&s_counter, 1) + 1;
    if (lk_sha256_hex(&seed, sizeof(seed), out) != 0)
        snprintf(out, LK_SHA256_HEX_LEN + 1, "%ld-%lu-%lld", seed.pid, seed.counter,
                 (long long)seed.now.tv_nsec);
}

static enum lk_status s_read_create(void *ctx, const char *xml, size_t len, struct lk_error *why)
{
    return lk_ec2_parse_create_flow_logs(ctx, xml, len, why);
}

enum lk_status lk_ec2_create_flow_logs(struct lk_aws_client *client, const char *region,
                                       const struct lk_ec2_flow_log_spec *spec,
                                       const char *const *vpc_ids, size_t n_ids,
                                       struct lk_ec2_create_result *out, struct lk_aws_error *err)
{
    if (spec == NULL || spec->traffic_type == NULL || n_ids == 0)
        return lk_svc_result(
            lk_aws_error_invalid(err, EC2_OP_CREATE, "no VPC or no traffic type given"), err);
    struct lk_buf form;
    lk_query_form_init(&form, EC2_OP_CREATE, LK_EC2_API_VERSION);
    /* [CREATE] ResourceIds is serialized ResourceId.N (its locationName), ResourceType VPC. */
    for (size_t i = 0; i < n_ids; i++)
        lk_query_form_addf(&form, vpc_ids[i], "ResourceId.%zu", i + 1);
    lk_query_form_add(&form, "ResourceType", "VPC");
    /* [CREATE] ClientToken: "Unique, case-sensitive identifier that you provide to ensure the
     * idempotency of the request": a retry after a lost answer does not create a second flow
     * log. */
    char token[LK_SHA256_HEX_LEN + 1];
    s_client_token(token);
    lk_query_form_add(&form, "ClientToken", token);
    lk_query_form_add(&form, "TrafficType", spec->traffic_type);
    if (spec->log_destination_type)
        lk_query_form_add(&form, "LogDestinationType", spec->log_destination_type);
    if (spec->log_destination)
        lk_query_form_add(&form, "LogDestination", spec->log_destination);
    if (spec->log_group_name)
        lk_query_form_add(&form, "LogGroupName", spec->log_group_name);
    if (spec->deliver_logs_permission_arn)
        lk_query_form_add(&form, "DeliverLogsPermissionArn", spec->deliver_logs_permission_arn);
    if (spec->log_format)
        lk_query_form_add(&form, "LogFormat", spec->log_format);
    if (spec->max_aggregation_interval_s > 0) {
        char v[16];
        snprintf(v, sizeof(v), "%d", spec->max_aggregation_interval_s);
        lk_query_form_add(&form, "MaxAggregationInterval", v);
    }
    struct lk_query_reader reader = {s_read_create, out};
    enum lk_status rc =
        lk_query_call(client, LK_AWS_EC2, EC2_OP_CREATE, region, &form, &reader, err);
    lk_buf_free(&form);
    return rc;
}
