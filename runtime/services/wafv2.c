/*
 * logkeep runtime: the AWS WAF logging client (see wafv2.h).
 */
#include "runtime/services/wafv2.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/escape.h"
#include "runtime/services/policy_json.h"
#include "runtime/services/restjson.h"

#define WAFV2_TARGET_PREFIX "AWSWAF_20190729."
#define MAXS LK_RESTJSON_MAX_STRING

void lk_wafv2_listing_init(struct lk_wafv2_listing *l)
{
    memset(l, 0, sizeof(*l));
    lk_arena_init(&l->arena);
}

void lk_wafv2_listing_free(struct lk_wafv2_listing *l)
{
    free(l->acls);
    lk_arena_destroy(&l->arena);
    memset(l, 0, sizeof(*l));
}

enum lk_status lk_wafv2_parse_web_acls(struct lk_wafv2_listing *l, enum lk_wafv2_scope scope,
                                       const char *json, size_t len, char **next_marker,
                                       struct lk_error *err)
{
    enum lk_status rc;
    struct lk_json_doc doc;
    const cJSON *arr = NULL, *item;
    *next_marker = NULL;
    LK_GUARD_GOTO(rc, lk_restjson_parse_object(&doc, json, len, "ListWebACLs", err), cleanup);
    LK_GUARD_GOTO(rc, lk_restjson_get_array(doc.root, "WebACLs", false, &arr, err), cleanup);
    cJSON_ArrayForEach(item, arr)
    {
        LK_ENSURE_GOTO(rc, cJSON_IsObject(item),
                       lk_error_set(err, LK_STATUS_SCHEMA, "a web ACL is not an object"), cleanup);
        struct lk_wafv2_web_acl *a = lk_restjson_push((void **)&l->acls, &l->n_acls, sizeof(*a));
        LK_ENSURE_GOTO(rc, a != NULL, lk_error_set(err, LK_STATUS_TOO_LARGE, "too many web ACLs"),
                       cleanup);
        a->scope = scope;
        LK_GUARD_GOTO(rc, lk_restjson_get_str(&l->arena, item, "Name", MAXS, &a->name, err),
                      cleanup);
        LK_GUARD_GOTO(rc, lk_restjson_get_str(&l->arena, item, "Id", MAXS, &a->id, err), cleanup);
        LK_GUARD_GOTO(rc, lk_restjson_get_str(&l->arena, item, "ARN", MAXS, &a->arn, err), cleanup);
        LK_ENSURE_GOTO(rc, a->arn != NULL,
                       lk_error_set(err, LK_STATUS_SCHEMA, "a web ACL has no ARN"), cleanup);
    }
    LK_GUARD_GOTO(rc,
                  lk_restjson_get_str(&l->arena, doc.root, "NextMarker", MAXS, next_marker, err),
                  cleanup);
cleanup:
    lk_json_doc_free(&doc);
    return rc;
}

/* Reads a LoggingConfiguration object into @p a (ResourceArn already matched). */
static enum lk_status s_logging(struct lk_arena *arena, const cJSON *cfg,
                                struct lk_wafv2_web_acl *a, struct lk_error *err)
{
    const cJSON *dests = NULL, *d;
    LK_GUARD(lk_restjson_get_array(cfg, "LogDestinationConfigs", true, &dests, err));
    int n = cJSON_GetArraySize(dests);
    if (n > LK_WAFV2_MAX_DESTINATIONS)
        return lk_error_set(err, LK_STATUS_TOO_LARGE, "more than %d log destinations",
                            LK_WAFV2_MAX_DESTINATIONS);
    a->destinations = lk_arena_alloc(arena, (size_t)(n > 0 ? n : 1) * sizeof(char *));
    a->n_destinations = 0;
    cJSON_ArrayForEach(d, dests)
    {
        if (!cJSON_IsString(d) || strlen(d->valuestring) > MAXS)
            return lk_error_set(err, LK_STATUS_SCHEMA, "a log destination is not an ARN string");
        a->destinations[a->n_destinations++] = lk_arena_strdup(arena, d->valuestring);
    }
    a->managed_by_firewall_manager = false;
    LK_GUARD(lk_restjson_get_bool(cfg, "ManagedByFirewallManager", &a->managed_by_firewall_manager,
                                  err));
    a->logging = true;
    return LK_STATUS_OK;
}

enum lk_status lk_wafv2_parse_logging_configurations(struct lk_wafv2_listing *l, const char *json,
                                                     size_t len, char **next_marker,
                                                     struct lk_error *err)
{
    enum lk_status rc;
    struct lk_json_doc doc;
    const cJSON *arr = NULL, *item;
    *next_marker = NULL;
    LK_GUARD_GOTO(rc, lk_restjson_parse_object(&doc, json, len, "ListLoggingConfigurations", err),
                  cleanup);
    LK_GUARD_GOTO(rc, lk_restjson_get_array(doc.root, "LoggingConfigurations", false, &arr, err),
                  cleanup);
    cJSON_ArrayForEach(item, arr)
    {
        LK_ENSURE_GOTO(
            rc, cJSON_IsObject(item),
            lk_error_set(err, LK_STATUS_SCHEMA, "a logging configuration is not an object"),
            cleanup);
        const cJSON *arn = cJSON_GetObjectItemCaseSensitive(item, "ResourceArn");
        LK_ENSURE_GOTO(
            rc, cJSON_IsString(arn),
            lk_error_set(err, LK_STATUS_SCHEMA, "a logging configuration has no ResourceArn"),
            cleanup);
        struct lk_wafv2_web_acl *a = NULL;
        for (size_t i = 0; i < l->n_acls && a == NULL; i++)
            if (strcmp(l->acls[i].arn, arn->valuestring) == 0)
                a = &l->acls[i];
        if (a == NULL) {
            /* An ACL made after ListWebACLs ran: the next read sees it. */
            l->n_orphan_configurations++;
            continue;
        }
        LK_GUARD_GOTO(rc, s_logging(&l->arena, item, a, err), cleanup);
    }
    LK_GUARD_GOTO(rc,
                  lk_restjson_get_str(&l->arena, doc.root, "NextMarker", MAXS, next_marker, err),
                  cleanup);
cleanup:
    lk_json_doc_free(&doc);
    return rc;
}

static const char *s_scope_name(enum lk_wafv2_scope scope)
{
    return scope == LK_WAFV2_CLOUDFRONT ? "CLOUDFRONT" : "REGIONAL";
}

enum lk_status lk_wafv2_list(struct lk_aws_client *client, const char *region,
                             enum lk_wafv2_scope scope, int page_size, struct lk_wafv2_listing *l,
                             struct lk_aws_error *err)
{
    static const char *const ops[2] = {"ListWebACLs", "ListLoggingConfigurations"};
    enum lk_status rc = LK_STATUS_OK;
    if (scope == LK_WAFV2_CLOUDFRONT)
        region = "us-east-1";
    if (page_size <= 0 || page_size > LK_WAFV2_PAGE_MAX)
        page_size = LK_WAFV2_PAGE_MAX;
    for (int which = 0; which < 2 && rc == LK_STATUS_OK; which++) {
        char *marker = NULL, *prev = NULL;
        unsigned pages = 0;
        do {
            struct lk_buf body;
            struct lk_http_response resp = {0};
            struct lk_error why = {0};
            lk_buf_init(&body, LK_BUF_MAX_REQUEST);
            lk_buf_printf(&body, "{\"Scope\":\"%s\",\"Limit\":%d", s_scope_name(scope), page_size);
            if (marker != NULL) {
                lk_buf_puts(&body, ",\"NextMarker\":");
                lk_json_escape(&body, marker);
            }
            lk_buf_putc(&body, '}');
            rc = lk_svc_json_call(client, LK_AWS_WAFV2, WAFV2_TARGET_PREFIX, ops[which], region,
                                  &body, &resp, err);
            lk_buf_free(&body);
            l->requests++;
            pages++;
            if (rc == LK_STATUS_OK) {
                enum lk_status prc =
                    which == 0 ? lk_wafv2_parse_web_acls(l, scope, (const char *)resp.body,
                                                         resp.body_len, &marker, &why)
                               : lk_wafv2_parse_logging_configurations(
                                     l, (const char *)resp.body, resp.body_len, &marker, &why);
                if (prc != LK_STATUS_OK)
                    rc = lk_svc_result(lk_aws_error_malformed(err, ops[which], &resp, why.message),
                                       err);
            }
            if (rc == LK_STATUS_OK && marker != NULL &&
                !lk_restjson_next_page(&prev, marker, pages))
                rc = lk_svc_result(lk_aws_error_malformed(err, ops[which], &resp,
                                                          "the listing does not end (NextMarker)"),
                                   err);
            lk_http_response_free(&resp);
        } while (rc == LK_STATUS_OK && marker != NULL);
        free(prev);
    }
    return rc;
}

/* One ListTagsForResource answer: its TagList appended to @p acl's tags. */
static enum lk_status s_parse_tags(struct lk_arena *arena, const char *json, size_t len,
                                   struct lk_wafv2_web_acl *acl, char **next_marker,
                                   struct lk_error *err)
{
    enum lk_status rc;
    struct lk_json_doc doc;
    const cJSON *info = NULL, *arr = NULL, *item;
    *next_marker = NULL;
    LK_GUARD_GOTO(rc, lk_restjson_parse_object(&doc, json, len, "ListTagsForResource", err),
                  cleanup);
    LK_GUARD_GOTO(rc, lk_restjson_get_object(doc.root, "TagInfoForResource", &info, err), cleanup);
    if (info != NULL)
        LK_GUARD_GOTO(rc, lk_restjson_get_array(info, "TagList", false, &arr, err), cleanup);
    int n = arr ? cJSON_GetArraySize(arr) : 0;
    if (n > 0) {
        char **keys = lk_arena_alloc(arena, (acl->n_tags + (size_t)n) * sizeof(*keys));
        char **values = lk_arena_alloc(arena, (acl->n_tags + (size_t)n) * sizeof(*values));
        if (acl->n_tags) {
            memcpy(keys, acl->tag_keys, acl->n_tags * sizeof(*keys));
            memcpy(values, acl->tag_values, acl->n_tags * sizeof(*values));
        }
        acl->tag_keys = keys;
        acl->tag_values = values;
        cJSON_ArrayForEach(item, arr)
        {
            char *key = NULL, *value = NULL;
            LK_ENSURE_GOTO(rc, cJSON_IsObject(item),
                           lk_error_set(err, LK_STATUS_SCHEMA, "a tag is not an object"), cleanup);
            LK_GUARD_GOTO(rc, lk_restjson_get_str(arena, item, "Key", MAXS, &key, err), cleanup);
            LK_GUARD_GOTO(rc, lk_restjson_get_str(arena, item, "Value", MAXS, &value, err),
                          cleanup);
            LK_ENSURE_GOTO(rc, key != NULL && key[0],
                           lk_error_set(err, LK_STATUS_SCHEMA, "a tag has no Key"), cleanup);
            acl->tag_keys[acl->n_tags] = key;
            acl->tag_values[acl->n_tags++] = value ? value : lk_arena_strdup(arena, "");
        }
    }
    LK_GUARD_GOTO(rc, lk_restjson_get_str(arena, doc.root, "NextMarker", MAXS, next_marker, err),
                  cleanup);
cleanup:
    lk_json_doc_free(&doc);
    return rc;
}

enum lk_status lk_wafv2_list_tags(struct lk_aws_client *client, const char *region,
                                  struct lk_arena *arena, struct lk_wafv2_web_acl *acl,
                                  size_t *requests, struct lk_aws_error *err)
{
    static const char op[] = "ListTagsForResource";
    char *marker = NULL;
    acl->n_tags = 0;
    /* At most 50 tags a resource: one page of 100; a marker that does not end is a fault. */
    for (int page = 0; page < 16; page++) {
        struct lk_buf body;
        struct lk_http_response resp = {0};
        lk_buf_init(&body, LK_BUF_MAX_REQUEST);
        lk_buf_puts(&body, "{\"ResourceARN\":");
        lk_json_escape(&body, acl->arn ? acl->arn : "");
        lk_buf_printf(&body, ",\"Limit\":%d", LK_WAFV2_PAGE_MAX);
        if (marker != NULL) {
            lk_buf_puts(&body, ",\"NextMarker\":");
            lk_json_escape(&body, marker);
        }
        lk_buf_putc(&body, '}');
        enum lk_status rc = lk_svc_json_call(client, LK_AWS_WAFV2, WAFV2_TARGET_PREFIX, op, region,
                                             &body, &resp, err);
        lk_buf_free(&body);
        if (requests != NULL)
            (*requests)++;
        if (rc == LK_STATUS_OK) {
            struct lk_error why = {0};
            char *next = NULL;
            if (s_parse_tags(arena, (const char *)resp.body, resp.body_len, acl, &next, &why) !=
                LK_STATUS_OK)
                rc = lk_svc_result(lk_aws_error_malformed(err, op, &resp, why.message), err);
            marker = next && next[0] ? next : NULL;
        }
        lk_http_response_free(&resp);
        if (rc != LK_STATUS_OK)
            return rc;
        if (marker == NULL)
            return LK_STATUS_OK;
    }
    return lk_svc_result(lk_aws_error_invalid(err, op, "the tag listing did not end"), err);
}

enum lk_status lk_wafv2_get_logging(struct lk_aws_client *client, const char *region,
                                    const char *acl_arn, struct lk_wafv2_listing *l,
                                    struct lk_wafv2_web_acl *acl, struct lk_aws_error *err)
{
    static const char op[] = "GetLoggingConfiguration";
    struct lk_buf body;
    struct lk_http_response resp = {0};
    lk_buf_init(&body, LK_BUF_MAX_REQUEST);
    lk_buf_puts(&body, "{\"ResourceArn\":");
    lk_json_escape(&body, acl_arn ? acl_arn : "");
    lk_buf_putc(&body, '}');
    enum lk_status rc =
        lk_svc_json_call(client, LK_AWS_WAFV2, WAFV2_TARGET_PREFIX, op, region, &body, &resp, err);
    lk_buf_free(&body);
    if (rc == LK_STATUS_OK) {
        struct lk_error why = {0};
        struct lk_json_doc doc;
        const cJSON *cfg = NULL;
        enum lk_status prc =
            lk_restjson_parse_object(&doc, (const char *)resp.body, resp.body_len, op, &why);
        if (prc == LK_STATUS_OK)
            prc = lk_restjson_get_object(doc.root, "LoggingConfiguration", &cfg, &why);
        if (prc == LK_STATUS_OK && cfg == NULL)
            prc = lk_error_set(&why, LK_STATUS_SCHEMA, "LoggingConfiguration is missing");
        if (prc == LK_STATUS_OK) {
            acl->arn = lk_arena_strdup(&l->arena, acl_arn);
            prc = s_logging(&l->arena, cfg, acl, &why);
        }
        lk_json_doc_free(&doc);
        if (prc != LK_STATUS_OK)
            rc = lk_svc_result(lk_aws_error_malformed(err, op, &resp, why.message), err);
    }
    lk_http_response_free(&resp);
    return rc;
}

enum lk_status lk_wafv2_put_logging(struct lk_aws_client *client, const char *region,
                                    const char *acl_arn, const char *destination_arn,
                                    struct lk_aws_error *err)
{
    struct lk_buf body;
    struct lk_http_response resp = {0};
    lk_buf_init(&body, LK_BUF_MAX_REQUEST);
    lk_buf_puts(&body, "{\"LoggingConfiguration\":{\"ResourceArn\":");
    lk_json_escape(&body, acl_arn ? acl_arn : "");
    lk_buf_puts(&body, ",\"LogDestinationConfigs\":[");
    lk_json_escape(&body, destination_arn ? destination_arn : "");
    lk_buf_puts(&body, "]}}");
    enum lk_status rc = lk_svc_json_call(client, LK_AWS_WAFV2, WAFV2_TARGET_PREFIX,
                                         "PutLoggingConfiguration", region, &body, &resp, err);
    lk_buf_free(&body);
    lk_http_response_free(&resp);
    return rc;
}
