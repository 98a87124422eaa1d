/*
 * logkeep runtime: the AWS Network Firewall logging client (see netfw.h).
 */
#include "runtime/services/netfw.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/escape.h"
#include "runtime/services/policy_json.h"
#include "runtime/services/restjson.h"

#define NETFW_TARGET_PREFIX "NetworkFirewall_20201112."
#define MAXS LK_RESTJSON_MAX_STRING

void lk_netfw_listing_init(struct lk_netfw_listing *l)
{
    memset(l, 0, sizeof(*l));
    lk_arena_init(&l->arena);
}

void lk_netfw_listing_free(struct lk_netfw_listing *l)
{
    free(l->firewalls);
    lk_arena_destroy(&l->arena);
    memset(l, 0, sizeof(*l));
}

enum lk_status lk_netfw_parse_firewalls(struct lk_netfw_listing *l, const char *json, size_t len,
                                        char **next_token, struct lk_error *err)
{
    enum lk_status rc;
    struct lk_json_doc doc;
    const cJSON *arr = NULL, *item;
    *next_token = NULL;
    LK_GUARD_GOTO(rc, lk_restjson_parse_object(&doc, json, len, "ListFirewalls", err), cleanup);
    LK_GUARD_GOTO(rc, lk_restjson_get_array(doc.root, "Firewalls", false, &arr, err), cleanup);
    cJSON_ArrayForEach(item, arr)
    {
        LK_ENSURE_GOTO(rc, cJSON_IsObject(item),
                       lk_error_set(err, LK_STATUS_SCHEMA, "a firewall is not an object"), cleanup);
        struct lk_netfw_firewall *fw =
            lk_restjson_push((void **)&l->firewalls, &l->n_firewalls, sizeof(*fw));
        LK_ENSURE_GOTO(rc, fw != NULL, lk_error_set(err, LK_STATUS_TOO_LARGE, "too many firewalls"),
                       cleanup);
        LK_GUARD_GOTO(rc,
                      lk_restjson_get_str(&l->arena, item, "FirewallName", MAXS, &fw->name, err),
                      cleanup);
        LK_GUARD_GOTO(rc, lk_restjson_get_str(&l->arena, item, "FirewallArn", MAXS, &fw->arn, err),
                      cleanup);
        LK_ENSURE_GOTO(rc, fw->arn != NULL,
                       lk_error_set(err, LK_STATUS_SCHEMA, "a firewall has no FirewallArn"),
                       cleanup);
    }
    LK_GUARD_GOTO(rc, lk_restjson_get_str(&l->arena, doc.root, "NextToken", MAXS, next_token, err),
                  cleanup);
cleanup:
    lk_json_doc_free(&doc);
    return rc;
}

static enum lk_status s_destination(struct lk_arena *a, const cJSON *o,
                                    struct lk_netfw_destination *d, struct lk_error *err)
{
    const cJSON *where = NULL, *v;
    if (!cJSON_IsObject(o))
        return lk_error_set(err, LK_STATUS_SCHEMA, "a LogDestinationConfig is not an object");
    LK_GUARD(lk_restjson_get_str(a, o, "LogType", MAXS, &d->log_type, err));
    LK_GUARD(lk_restjson_get_str(a, o, "LogDestinationType", MAXS, &d->destination_type, err));
    LK_GUARD(lk_restjson_get_object(o, "LogDestination", &where, err));
    if (d->log_type == NULL || d->destination_type == NULL || where == NULL)
        return lk_error_set(err, LK_STATUS_SCHEMA,
                            "a LogDestinationConfig lacks LogType, LogDestinationType or "
                            "LogDestination");
    /* LogDestination is a map of strings (model LogDestinationMap): every value must be one;
     * keys logkeep does not use are ignored. */
    cJSON_ArrayForEach(v, where)
    {
        if (!cJSON_IsString(v))
            return lk_error_set(err, LK_STATUS_SCHEMA, "LogDestination %s is not a string",
                                v->string);
    }
    LK_GUARD(lk_restjson_get_str(a, where, "bucketName", MAXS, &d->bucket_name, err));
    LK_GUARD(lk_restjson_get_str(a, where, "prefix", MAXS, &d->prefix, err));
    LK_GUARD(lk_restjson_get_str(a, where, "logGroup", MAXS, &d->log_group, err));
    LK_GUARD(lk_restjson_get_str(a, where, "deliveryStream", MAXS, &d->delivery_stream, err));
    return LK_STATUS_OK;
}

enum lk_status lk_netfw_parse_logging(struct lk_netfw_listing *l, const char *json, size_t len,
                                      struct lk_netfw_firewall *fw, struct lk_error *err)
{
    enum lk_status rc;
    struct lk_json_doc doc;
    const cJSON *cfg = NULL, *arr = NULL, *item;
    fw->destinations = NULL;
    fw->n_destinations = 0;
    LK_GUARD_GOTO(rc,
                  lk_restjson_parse_object(&doc, json, len, "DescribeLoggingConfiguration", err),
                  cleanup);
    LK_GUARD_GOTO(rc, lk_restjson_get_object(doc.root, "LoggingConfiguration", &cfg, err), cleanup);
    if (cfg == NULL)
        goto cleanup; /* no logging at all */
    LK_GUARD_GOTO(rc, lk_restjson_get_array(cfg, "LogDestinationConfigs", true, &arr, err),
                  cleanup);
    int n = cJSON_GetArraySize(arr);
    LK_ENSURE_GOTO(rc, n <= LK_NETFW_MAX_DESTINATIONS,
                   lk_error_set(err, LK_STATUS_TOO_LARGE, "more than %d log destinations",
                                LK_NETFW_MAX_DESTINATIONS),
                   cleanup);
    fw->destinations =
        lk_arena_alloc(&l->arena, (size_t)(n > 0 ? n : 1) * sizeof(*fw->destinations));
    cJSON_ArrayForEach(item, arr)
    {
        struct lk_netfw_destination *d = &fw->destinations[fw->n_destinations++];
        memset(d, 0, sizeof(*d));
        LK_GUARD_GOTO(rc, s_destination(&l->arena, item, d, err), cleanup);
    }
cleanup:
    lk_json_doc_free(&doc);
    return rc;
}

/* One call; frees @p body. */
static enum lk_status s_call(struct lk_aws_client *client, const char *region, const char *op,
                             struct lk_buf *body, struct lk_http_response *resp,
                             struct lk_aws_error *err)
{
    enum lk_status rc = lk_restjson_json10_call(client, LK_AWS_NETWORK_FIREWALL,
                                                NETFW_TARGET_PREFIX, op, region, body, resp, err);
    lk_buf_free(body);
    return rc;
}

enum lk_status lk_netfw_list_firewalls(struct lk_aws_client *client, const char *region,
                                       int page_size, struct lk_netfw_listing *l,
                                       struct lk_aws_error *err)
{
    enum lk_status rc = LK_STATUS_OK;
    char *token = NULL, *prev = NULL;
    unsigned pages = 0;
    if (page_size <= 0 || page_size > LK_NETFW_PAGE_MAX)
        page_size = LK_NETFW_PAGE_MAX;
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
        rc = s_call(client, region, "ListFirewalls", &body, &resp, err);
        l->requests++;
        pages++;
        if (rc == LK_STATUS_OK &&
            lk_netfw_parse_firewalls(l, (const char *)resp.body, resp.body_len, &token, &why) !=
                LK_STATUS_OK)
            rc = lk_svc_result(lk_aws_error_malformed(err, "ListFirewalls", &resp, why.message),
                               err);
        if (rc == LK_STATUS_OK && token != NULL && !lk_restjson_next_page(&prev, token, pages))
            rc = lk_svc_result(lk_aws_error_malformed(err, "ListFirewalls", &resp,
                                                      "the listing does not end (NextToken)"),
                               err);
        lk_http_response_free(&resp);
    } while (rc == LK_STATUS_OK && token != NULL);
    free(prev);
    return rc;
}

/* One call about one firewall ({"FirewallArn": ...}), its answer parsed by @p parse into @p fw. */
static enum lk_status
s_firewall_call(struct lk_aws_client *client, const char *region, const char *op,
                struct lk_netfw_listing *l, struct lk_netfw_firewall *fw,
                enum lk_status (*parse)(struct lk_netfw_listing *, const char *, size_t,
                                        struct lk_netfw_firewall *, struct lk_error *),
                struct lk_aws_error *err)
{
    struct lk_buf body;
    struct lk_http_response resp = {0};
    struct lk_error why = {0};
    lk_buf_init(&body, LK_BUF_MAX_REQUEST);
    lk_buf_puts(&body, "{\"FirewallArn\":");
    lk_json_escape(&body, fw->arn);
    lk_buf_putc(&body, '}');
    enum lk_status rc = s_call(client, region, op, &body, &resp, err);
    l->requests++;
    if (rc == LK_STATUS_OK &&
        parse(l, (const char *)resp.body, resp.body_len, fw, &why) != LK_STATUS_OK)
        rc = lk_svc_result(lk_aws_error_malformed(err, op, &resp, why.message), err);
    lk_http_response_free(&resp);
    return rc;
}

enum lk_status lk_netfw_read_logging(struct lk_aws_client *client, const char *region,
                                     struct lk_netfw_listing *l, struct lk_netfw_firewall *fw,
                                     struct lk_aws_error *err)
{
    return s_firewall_call(client, region, "DescribeLoggingConfiguration", l, fw,
                           lk_netfw_parse_logging, err);
}

enum lk_status lk_netfw_parse_tags(struct lk_netfw_listing *l, const char *json, size_t len,
                                   struct lk_netfw_firewall *fw, struct lk_error *err)
{
    enum lk_status rc;
    struct lk_json_doc doc;
    const cJSON *firewall = NULL, *arr = NULL, *item;
    fw->n_tags = 0;
    LK_GUARD_GOTO(rc, lk_restjson_parse_object(&doc, json, len, "DescribeFirewall", err), cleanup);
    LK_GUARD_GOTO(rc, lk_restjson_get_object(doc.root, "Firewall", &firewall, err), cleanup);
    LK_ENSURE_GOTO(rc, firewall != NULL,
                   lk_error_set(err, LK_STATUS_SCHEMA, "the answer has no Firewall"), cleanup);
    LK_GUARD_GOTO(rc, lk_restjson_get_array(firewall, "Tags", false, &arr, err), cleanup);
    int n = arr ? cJSON_GetArraySize(arr) : 0;
    if (n <= 0)
        goto cleanup;
    fw->tag_keys = lk_arena_alloc(&l->arena, (size_t)n * sizeof(*fw->tag_keys));
    fw->tag_values = lk_arena_alloc(&l->arena, (size_t)n * sizeof(*fw->tag_values));
    cJSON_ArrayForEach(item, arr)
    {
        char *key = NULL, *value = NULL;
        LK_ENSURE_GOTO(rc, cJSON_IsObject(item),
                       lk_error_set(err, LK_STATUS_SCHEMA, "a tag is not an object"), cleanup);
        LK_GUARD_GOTO(rc, lk_restjson_get_str(&l->arena, item, "Key", MAXS, &key, err), cleanup);
        LK_GUARD_GOTO(rc, lk_restjson_get_str(&l->arena, item, "Value", MAXS, &value, err),
                      cleanup);
        LK_ENSURE_GOTO(rc, key != NULL && key[0],
                       lk_error_set(err, LK_STATUS_SCHEMA, "a tag has no Key"), cleanup);
        fw->tag_keys[fw->n_tags] = key;
        fw->tag_values[fw->n_tags++] = value ? value : lk_arena_strdup(&l->arena, "");
    }
cleanup:
    lk_json_doc_free(&doc);
    return rc;
}

enum lk_status lk_netfw_read_tags(struct lk_aws_client *client, const char *region,
                                  struct lk_netfw_listing *l, struct lk_netfw_firewall *fw,
                                  struct lk_aws_error *err)
{
    return s_firewall_call(client, region, "DescribeFirewall", l, fw, lk_netfw_parse_tags, err);
}

enum lk_status lk_netfw_list(struct lk_aws_client *client, const char *region, int page_size,
                             struct lk_netfw_listing *l, struct lk_aws_error *err)
{
    size_t first = l->n_firewalls;
    enum lk_status rc = lk_netfw_list_firewalls(client, region, page_size, l, err);
    for (size_t i = first; rc == LK_STATUS_OK && i < l->n_firewalls; i++)
        rc = lk_netfw_read_logging(client, region, l, &l->firewalls[i], err);
    return rc;
}

static void s_put_opt(struct lk_buf *b, bool *first, const char *key, const char *value)
{
    if (value == NULL)
        return;
    lk_buf_printf(b, "%s\"%s\":", *first ? "" : ",", key);
    lk_json_escape(b, value);
    *first = false;
}

enum lk_status lk_netfw_update_logging(struct lk_aws_client *client, const char *region,
                                       const char *firewall_arn,
                                       const struct lk_netfw_destination *dests, size_t n_dests,
                                       struct lk_aws_error *err)
{
    struct lk_buf body;
    struct lk_http_response resp = {0};
    lk_buf_init(&body, LK_BUF_MAX_REQUEST);
    lk_buf_puts(&body, "{\"FirewallArn\":");
    lk_json_escape(&body, firewall_arn ? firewall_arn : "");
    lk_buf_puts(&body, ",\"LoggingConfiguration\":{\"LogDestinationConfigs\":[");
    for (size_t i = 0; i < n_dests; i++) {
        const struct lk_netfw_destination *d = &dests[i];
        bool first = true;
        lk_buf_puts(&body, i ? ",{\"LogType\":" : "{\"LogType\":");
        lk_json_escape(&body, d->log_type ? d->log_type : "");
        lk_buf_puts(&body, ",\"LogDestinationType\":");
        lk_json_escape(&body, d->destination_type ? d->destination_type : "");
        lk_buf_puts(&body, ",\"LogDestination\":{");
        s_put_opt(&body, &first, "bucketName", d->bucket_name);
        s_put_opt(&body, &first, "prefix", d->prefix);
        s_put_opt(&body, &first, "logGroup", d->log_group);
        s_put_opt(&body, &first, "deliveryStream", d->delivery_stream);
        lk_buf_puts(&body, "}}");
    }
    lk_buf_puts(&body, "]}}");
    enum lk_status rc = s_call(client, region, "UpdateLoggingConfiguration", &body, &resp, err);
    lk_http_response_free(&resp);
    return rc;
}

static bool s_same_str(const char *a, const char *b)
{
    return (a == NULL && b == NULL) || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

static bool s_same(const struct lk_netfw_destination *a, const struct lk_netfw_destination *b)
{
    return s_same_str(a->destination_type, b->destination_type) &&
           s_same_str(a->bucket_name, b->bucket_name) && s_same_str(a->prefix, b->prefix) &&
           s_same_str(a->log_group, b->log_group) &&
           s_same_str(a->delivery_stream, b->delivery_stream);
}

size_t lk_netfw_next_step(const struct lk_netfw_destination *current, size_t n_current,
                          const struct lk_netfw_destination *wanted, size_t n_wanted,
                          struct lk_netfw_destination *out)
{
    for (size_t w = 0; w < n_wanted; w++) {
        size_t at = n_current;
        for (size_t c = 0; c < n_current; c++)
            if (s_same_str(current[c].log_type, wanted[w].log_type))
                at = c;
        if (at < n_current && s_same(&current[at], &wanted[w]))
            continue;
        /* One change: replace the entry of this log type, or add it. */
        for (size_t c = 0; c < n_current; c++)
            out[c] = c == at ? wanted[w] : current[c];
        if (at == n_current)
            out[n_current] = wanted[w];
        return at == n_current ? n_current + 1 : n_current;
    }
    return 0;
}
