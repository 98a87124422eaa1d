/*
 * logkeep runtime: the Route 53 Resolver query-logging client (see resolver.h).
 */
#include "runtime/services/resolver.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/escape.h"
#include "runtime/services/policy_json.h"
#include "runtime/services/restjson.h"

#define RESOLVER_TARGET_PREFIX "Route53Resolver."
#define MAXS LK_RESTJSON_MAX_STRING

void lk_resolver_listing_init(struct lk_resolver_listing *l)
{
    memset(l, 0, sizeof(*l));
    lk_arena_init(&l->arena);
}

void lk_resolver_listing_free(struct lk_resolver_listing *l)
{
    free(l->configs);
    free(l->associations);
    lk_arena_destroy(&l->arena);
    memset(l, 0, sizeof(*l));
}

static enum lk_status s_config(struct lk_arena *a, const cJSON *o, struct lk_resolver_config *c,
                               struct lk_error *err)
{
    if (!cJSON_IsObject(o))
        return lk_error_set(err, LK_STATUS_SCHEMA, "a query log config is not an object");
    LK_GUARD(lk_restjson_get_str(a, o, "Id", MAXS, &c->id, err));
    LK_GUARD(lk_restjson_get_str(a, o, "Arn", MAXS, &c->arn, err));
    LK_GUARD(lk_restjson_get_str(a, o, "Name", MAXS, &c->name, err));
    LK_GUARD(lk_restjson_get_str(a, o, "OwnerId", MAXS, &c->owner_id, err));
    LK_GUARD(lk_restjson_get_str(a, o, "Status", MAXS, &c->status, err));
    LK_GUARD(lk_restjson_get_str(a, o, "ShareStatus", MAXS, &c->share_status, err));
    LK_GUARD(lk_restjson_get_str(a, o, "DestinationArn", MAXS, &c->destination_arn, err));
    LK_GUARD(lk_restjson_get_int(o, "AssociationCount", &c->association_count, err));
    if (c->id == NULL)
        return lk_error_set(err, LK_STATUS_SCHEMA, "a query log config has no Id");
    return LK_STATUS_OK;
}

static enum lk_status s_association(struct lk_arena *a, const cJSON *o,
                                    struct lk_resolver_association *x, struct lk_error *err)
{
    if (!cJSON_IsObject(o))
        return lk_error_set(err, LK_STATUS_SCHEMA, "an association is not an object");
    LK_GUARD(lk_restjson_get_str(a, o, "Id", MAXS, &x->id, err));
    LK_GUARD(lk_restjson_get_str(a, o, "ResolverQueryLogConfigId", MAXS, &x->config_id, err));
    LK_GUARD(lk_restjson_get_str(a, o, "ResourceId", MAXS, &x->resource_id, err));
    LK_GUARD(lk_restjson_get_str(a, o, "Status", MAXS, &x->status, err));
    LK_GUARD(lk_restjson_get_str(a, o, "Error", MAXS, &x->error, err));
    if (x->config_id == NULL || x->resource_id == NULL)
        return lk_error_set(err, LK_STATUS_SCHEMA,
                            "an association has no ResolverQueryLogConfigId or ResourceId");
    return LK_STATUS_OK;
}

enum lk_status lk_resolver_parse_configs(struct lk_resolver_listing *l, const char *json,
                                         size_t len, char **next_token, struct lk_error *err)
{
    enum lk_status rc;
    struct lk_json_doc doc;
    const cJSON *arr = NULL, *item;
    *next_token = NULL;
    LK_GUARD_GOTO(rc, lk_restjson_parse_object(&doc, json, len, "ListResolverQueryLogConfigs", err),
                  cleanup);
    LK_GUARD_GOTO(rc, lk_restjson_get_array(doc.root, "ResolverQueryLogConfigs", false, &arr, err),
                  cleanup);
    cJSON_ArrayForEach(item, arr)
    {
        struct lk_resolver_config *c =
            lk_restjson_push((void **)&l->configs, &l->n_configs, sizeof(*c));
        LK_ENSURE_GOTO(rc, c != NULL,
                       lk_error_set(err, LK_STATUS_TOO_LARGE, "too many query log configs"),
                       cleanup);
        LK_GUARD_GOTO(rc, s_config(&l->arena, item, c, err), cleanup);
    }
    LK_GUARD_GOTO(rc, lk_restjson_get_str(&l->arena, doc.root, "NextToken", MAXS, next_token, err),
                  cleanup);
cleanup:
    lk_json_doc_free(&doc);
    return rc;
}

enum lk_status lk_resolver_parse_associations(struct lk_resolver_listing *l, const char *json,
                                              size_t len, char **next_token, struct lk_error *err)
{
    enum lk_status rc;
    struct lk_json_doc doc;
    const cJSON *arr = NULL, *item;
    *next_token = NULL;
    LK_GUARD_GOTO(
        rc,
        lk_restjson_parse_object(&doc, json, len, "ListResolverQueryLogConfigAssociations", err),
        cleanup);
    LK_GUARD_GOTO(
        rc, lk_restjson_get_array(doc.root, "ResolverQueryLogConfigAssociations", false, &arr, err),
        cleanup);
    cJSON_ArrayForEach(item, arr)
    {
        struct lk_resolver_association *x =
            lk_restjson_push((void **)&l->associations, &l->n_associations, sizeof(*x));
        LK_ENSURE_GOTO(rc, x != NULL,
                       lk_error_set(err, LK_STATUS_TOO_LARGE, "too many associations"), cleanup);
        LK_GUARD_GOTO(rc, s_association(&l->arena, item, x, err), cleanup);
    }
    LK_GUARD_GOTO(rc, lk_restjson_get_str(&l->arena, doc.root, "NextToken", MAXS, next_token, err),
                  cleanup);
cleanup:
    lk_json_doc_free(&doc);
    return rc;
}

typedef enum lk_status (*s_page_parser)(struct lk_resolver_listing *, const char *, size_t, char **,
                                        struct lk_error *);

/* Follows one listing's pages. */
static enum lk_status s_list(struct lk_aws_client *client, const char *region, const char *op,
                             int page_size, s_page_parser parse, struct lk_resolver_listing *l,
                             struct lk_aws_error *err)
{
    enum lk_status rc = LK_STATUS_OK;
    char *token = NULL, *prev = NULL;
    unsigned pages = 0;
    if (page_size <= 0 || page_size > LK_RESOLVER_PAGE_MAX)
        page_size = LK_RESOLVER_PAGE_MAX;
    do {
        struct lk_buf body;
        struct lk_http_response resp = {0};
        struct lk_error why = {0};
        lk_buf_init(&body, LK_BUF_MAX_REQUEST);
        lk_buf_printf(&body, "{\"MaxResults\":%d", page_size);
        if (token != NULL) {
            lk_buf_puts(&body, ",\"NextToken\":");
            lk_json_escape(&body, token);
        }
        lk_buf_putc(&body, '}');
        rc = lk_svc_json_call(client, LK_AWS_ROUTE53RESOLVER, RESOLVER_TARGET_PREFIX, op, region,
                              &body, &resp, err);
        lk_buf_free(&body);
        l->requests++;
        pages++;
        if (rc == LK_STATUS_OK &&
            parse(l, (const char *)resp.body, resp.body_len, &token, &why) != LK_STATUS_OK)
            rc = lk_svc_result(lk_aws_error_malformed(err, op, &resp, why.message), err);
        if (rc == LK_STATUS_OK && token != NULL && !lk_restjson_next_page(&prev, token, pages))
            rc = lk_svc_result(
                lk_aws_error_malformed(err, op, &resp, "the listing does not end (NextToken)"),
                err);
        lk_http_response_free(&resp);
    } while (rc == LK_STATUS_OK && token != NULL);
    free(prev);
    return rc;
}

enum lk_status lk_resolver_list(struct lk_aws_client *client, const char *region, int page_size,
                                struct lk_resolver_listing *l, struct lk_aws_error *err)
{
    LK_GUARD(s_list(client, region, "ListResolverQueryLogConfigs", page_size,
                    lk_resolver_parse_configs, l, err));
    return s_list(client, region, "ListResolverQueryLogConfigAssociations", page_size,
                  lk_resolver_parse_associations, l, err);
}

/* Runs a write call whose answer is {"<member>": {...}} and parses the member with @p parse. */
static enum lk_status s_write(struct lk_aws_client *client, const char *region, const char *op,
                              struct lk_buf *body, const char *member,
                              enum lk_status (*parse)(struct lk_arena *, const cJSON *, void *,
                                                      struct lk_error *),
                              struct lk_arena *arena, void *out, struct lk_aws_error *err)
{
    struct lk_http_response resp = {0};
    enum lk_status rc = lk_svc_json_call(client, LK_AWS_ROUTE53RESOLVER, RESOLVER_TARGET_PREFIX, op,
                                         region, body, &resp, err);
    lk_buf_free(body);
    if (rc == LK_STATUS_OK && out != NULL) {
        struct lk_error why = {0};
        struct lk_json_doc doc;
        const cJSON *obj = NULL;
        enum lk_status prc =
            lk_restjson_parse_object(&doc, (const char *)resp.body, resp.body_len, op, &why);
        if (prc == LK_STATUS_OK)
            prc = lk_restjson_get_object(doc.root, member, &obj, &why);
        if (prc == LK_STATUS_OK && obj == NULL)
            prc = lk_error_set(&why, LK_STATUS_SCHEMA, "%s is missing", member);
        if (prc == LK_STATUS_OK)
            prc = parse(arena, obj, out, &why);
        lk_json_doc_free(&doc);
        if (prc != LK_STATUS_OK)
            rc = lk_svc_result(lk_aws_error_malformed(err, op, &resp, why.message), err);
    }
    lk_http_response_free(&resp);
    return rc;
}

static enum lk_status s_config_any(struct lk_arena *a, const cJSON *o, void *out,
                                   struct lk_error *err)
{
    return s_config(a, o, out, err);
}

static enum lk_status s_association_any(struct lk_arena *a, const cJSON *o, void *out,
                                        struct lk_error *err)
{
    return s_association(a, o, out, err);
}

enum lk_status lk_resolver_create_config(struct lk_aws_client *client, const char *region,
                                         const char *name, const char *destination_arn,
                                         const char *creator_request_id,
                                         struct lk_resolver_listing *l,
                                         struct lk_resolver_config *out, struct lk_aws_error *err)
{
    struct lk_buf body;
    lk_buf_init(&body, LK_BUF_MAX_REQUEST);
    lk_buf_puts(&body, "{\"Name\":");
    lk_json_escape(&body, name ? name : "");
    lk_buf_puts(&body, ",\"DestinationArn\":");
    lk_json_escape(&body, destination_arn ? destination_arn : "");
    lk_buf_puts(&body, ",\"CreatorRequestId\":");
    lk_json_escape(&body, creator_request_id ? creator_request_id : "");
    lk_buf_putc(&body, '}');
    if (out != NULL)
        memset(out, 0, sizeof(*out));
    return s_write(client, region, "CreateResolverQueryLogConfig", &body, "ResolverQueryLogConfig",
                   s_config_any, &l->arena, out, err);
}

enum lk_status lk_resolver_associate(struct lk_aws_client *client, const char *region,
                                     const char *config_id, const char *vpc_id,
                                     struct lk_resolver_listing *l,
                                     struct lk_resolver_association *out, struct lk_aws_error *err)
{
    struct lk_buf body;
    lk_buf_init(&body, LK_BUF_MAX_REQUEST);
    lk_buf_puts(&body, "{\"ResolverQueryLogConfigId\":");
    lk_json_escape(&body, config_id ? config_id : "");
    lk_buf_puts(&body, ",\"ResourceId\":");
    lk_json_escape(&body, vpc_id ? vpc_id : "");
    lk_buf_putc(&body, '}');
    if (out != NULL)
        memset(out, 0, sizeof(*out));
    return s_write(client, region, "AssociateResolverQueryLogConfig", &body,
                   "ResolverQueryLogConfigAssociation", s_association_any, &l->arena, out, err);
}
