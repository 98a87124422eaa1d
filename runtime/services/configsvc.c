/*
 * logkeep runtime: the AWS Config recording client (see configsvc.h).
 */
#include "runtime/services/configsvc.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/escape.h"
#include "runtime/services/policy_json.h"
#include "runtime/services/restjson.h"

#define CONFIG_TARGET_PREFIX "StarlingDoveService."
#define MAXS LK_RESTJSON_MAX_STRING

void lk_config_listing_init(struct lk_config_listing *l)
{
    memset(l, 0, sizeof(*l));
    lk_arena_init(&l->arena);
}

void lk_config_listing_free(struct lk_config_listing *l)
{
    free(l->recorders);
    free(l->channels);
    lk_arena_destroy(&l->arena);
    memset(l, 0, sizeof(*l));
}

/* The array member @p name of an answer, with at most LK_CONFIG_MAX_ENTRIES entries. */
static enum lk_status s_entries(struct lk_json_doc *doc, const char *json, size_t len,
                                const char *op, const char *name, const cJSON **arr,
                                struct lk_error *err)
{
    LK_GUARD(lk_restjson_parse_object(doc, json, len, op, err));
    LK_GUARD(lk_restjson_get_array(doc->root, name, false, arr, err));
    if (*arr != NULL && cJSON_GetArraySize(*arr) > LK_CONFIG_MAX_ENTRIES)
        return lk_error_set(err, LK_STATUS_TOO_LARGE, "%s has more than %d entries", name,
                            LK_CONFIG_MAX_ENTRIES);
    return LK_STATUS_OK;
}

enum lk_status lk_config_parse_recorders(struct lk_config_listing *l, const char *json, size_t len,
                                         struct lk_error *err)
{
    enum lk_status rc;
    struct lk_json_doc doc;
    const cJSON *arr = NULL, *item;
    LK_GUARD_GOTO(rc,
                  s_entries(&doc, json, len, "DescribeConfigurationRecorders",
                            "ConfigurationRecorders", &arr, err),
                  cleanup);
    cJSON_ArrayForEach(item, arr)
    {
        const cJSON *group = NULL;
        LK_ENSURE_GOTO(rc, cJSON_IsObject(item),
                       lk_error_set(err, LK_STATUS_SCHEMA, "a recorder is not an object"), cleanup);
        struct lk_config_recorder *r =
            lk_restjson_push((void **)&l->recorders, &l->n_recorders, sizeof(*r));
        LK_ENSURE_GOTO(rc, r != NULL, lk_error_set(err, LK_STATUS_TOO_LARGE, "too many recorders"),
                       cleanup);
        LK_GUARD_GOTO(rc, lk_restjson_get_str(&l->arena, item, "name", MAXS, &r->name, err),
                      cleanup);
        LK_GUARD_GOTO(rc, lk_restjson_get_str(&l->arena, item, "roleARN", MAXS, &r->role_arn, err),
                      cleanup);
        LK_GUARD_GOTO(rc, lk_restjson_get_object(item, "recordingGroup", &group, err), cleanup);
        if (group != NULL) {
            LK_GUARD_GOTO(rc, lk_restjson_get_bool(group, "allSupported", &r->all_supported, err),
                          cleanup);
            LK_GUARD_GOTO(rc,
                          lk_restjson_get_bool(group, "includeGlobalResourceTypes",
                                               &r->include_global_resources, err),
                          cleanup);
        }
        LK_ENSURE_GOTO(rc, r->name != NULL,
                       lk_error_set(err, LK_STATUS_SCHEMA, "a recorder has no name"), cleanup);
    }
cleanup:
    lk_json_doc_free(&doc);
    return rc;
}

enum lk_status lk_config_parse_status(struct lk_config_listing *l, const char *json, size_t len,
                                      struct lk_error *err)
{
    enum lk_status rc;
    struct lk_json_doc doc;
    const cJSON *arr = NULL, *item;
    LK_GUARD_GOTO(rc,
                  s_entries(&doc, json, len, "DescribeConfigurationRecorderStatus",
                            "ConfigurationRecordersStatus", &arr, err),
                  cleanup);
    cJSON_ArrayForEach(item, arr)
    {
        LK_ENSURE_GOTO(rc, cJSON_IsObject(item),
                       lk_error_set(err, LK_STATUS_SCHEMA, "a recorder status is not an object"),
                       cleanup);
        const cJSON *name = cJSON_GetObjectItemCaseSensitive(item, "name");
        LK_ENSURE_GOTO(rc, cJSON_IsString(name),
                       lk_error_set(err, LK_STATUS_SCHEMA, "a recorder status has no name"),
                       cleanup);
        for (size_t i = 0; i < l->n_recorders; i++) {
            struct lk_config_recorder *r = &l->recorders[i];
            if (strcmp(r->name, name->valuestring) != 0)
                continue;
            r->has_status = true;
            LK_GUARD_GOTO(rc, lk_restjson_get_bool(item, "recording", &r->recording, err), cleanup);
            LK_GUARD_GOTO(
                rc, lk_restjson_get_str(&l->arena, item, "lastStatus", MAXS, &r->last_status, err),
                cleanup);
        }
    }
cleanup:
    lk_json_doc_free(&doc);
    return rc;
}

enum lk_status lk_config_parse_channels(struct lk_config_listing *l, const char *json, size_t len,
                                        struct lk_error *err)
{
    enum lk_status rc;
    struct lk_json_doc doc;
    const cJSON *arr = NULL, *item;
    LK_GUARD_GOTO(
        rc, s_entries(&doc, json, len, "DescribeDeliveryChannels", "DeliveryChannels", &arr, err),
        cleanup);
    cJSON_ArrayForEach(item, arr)
    {
        const cJSON *props = NULL;
        LK_ENSURE_GOTO(rc, cJSON_IsObject(item),
                       lk_error_set(err, LK_STATUS_SCHEMA, "a delivery channel is not an object"),
                       cleanup);
        struct lk_config_channel *c =
            lk_restjson_push((void **)&l->channels, &l->n_channels, sizeof(*c));
        LK_ENSURE_GOTO(rc, c != NULL, lk_error_set(err, LK_STATUS_TOO_LARGE, "too many channels"),
                       cleanup);
        struct {
            const char *key;
            char **out;
        } fields[] = {{"name", &c->name},
                      {"s3BucketName", &c->s3_bucket_name},
                      {"s3KeyPrefix", &c->s3_key_prefix},
                      {"s3KmsKeyArn", &c->s3_kms_key_arn},
                      {"snsTopicARN", &c->sns_topic_arn}};
        for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
            LK_GUARD_GOTO(
                rc, lk_restjson_get_str(&l->arena, item, fields[i].key, MAXS, fields[i].out, err),
                cleanup);
        LK_GUARD_GOTO(rc,
                      lk_restjson_get_object(item, "configSnapshotDeliveryProperties", &props, err),
                      cleanup);
        if (props != NULL)
            LK_GUARD_GOTO(rc,
                          lk_restjson_get_str(&l->arena, props, "deliveryFrequency", MAXS,
                                              &c->delivery_frequency, err),
                          cleanup);
        LK_ENSURE_GOTO(rc, c->name != NULL,
                       lk_error_set(err, LK_STATUS_SCHEMA, "a delivery channel has no name"),
                       cleanup);
    }
cleanup:
    lk_json_doc_free(&doc);
    return rc;
}

/* One call with @p body (freed); the answer, when @p parse is set, parsed into @p l. */
static enum lk_status
s_call(struct lk_aws_client *client, const char *region, const char *op, struct lk_buf *body,
       enum lk_status (*parse)(struct lk_config_listing *, const char *, size_t, struct lk_error *),
       struct lk_config_listing *l, struct lk_aws_error *err)
{
    struct lk_http_response resp = {0};
    struct lk_error why = {0};
    enum lk_status rc =
        lk_svc_json_call(client, LK_AWS_CONFIG, CONFIG_TARGET_PREFIX, op, region, body, &resp, err);
    lk_buf_free(body);
    if (l != NULL)
        l->requests++;
    if (rc == LK_STATUS_OK && parse != NULL &&
        parse(l, (const char *)resp.body, resp.body_len, &why) != LK_STATUS_OK)
        rc = lk_svc_result(lk_aws_error_malformed(err, op, &resp, why.message), err);
    lk_http_response_free(&resp);
    return rc;
}

enum lk_status lk_config_list(struct lk_aws_client *client, const char *region,
                              struct lk_config_listing *l, struct lk_aws_error *err)
{
    struct lk_buf body;
    lk_buf_init(&body, LK_BUF_MAX_REQUEST);
    lk_buf_puts(&body, "{}");
    LK_GUARD(s_call(client, region, "DescribeConfigurationRecorders", &body,
                    lk_config_parse_recorders, l, err));
    lk_buf_init(&body, LK_BUF_MAX_REQUEST);
    lk_buf_puts(&body, "{}");
    LK_GUARD(s_call(client, region, "DescribeConfigurationRecorderStatus", &body,
                    lk_config_parse_status, l, err));
    lk_buf_init(&body, LK_BUF_MAX_REQUEST);
    lk_buf_puts(&body, "{}");
    return s_call(client, region, "DescribeDeliveryChannels", &body, lk_config_parse_channels, l,
                  err);
}

static void s_member(struct lk_buf *b, const char *key, const char *value)
{
    if (value == NULL)
        return;
    lk_buf_printf(b, ",\"%s\":", key);
    lk_json_escape(b, value);
}

enum lk_status lk_config_put_channel(struct lk_aws_client *client, const char *region,
                                     const struct lk_config_channel *ch, struct lk_aws_error *err)
{
    struct lk_buf body;
    lk_buf_init(&body, LK_BUF_MAX_REQUEST);
    lk_buf_puts(&body, "{\"DeliveryChannel\":{\"name\":");
    lk_json_escape(&body, ch->name ? ch->name : "");
    s_member(&body, "s3BucketName", ch->s3_bucket_name);
    s_member(&body, "s3KeyPrefix", ch->s3_key_prefix);
    s_member(&body, "s3KmsKeyArn", ch->s3_kms_key_arn);
    s_member(&body, "snsTopicARN", ch->sns_topic_arn);
    if (ch->delivery_frequency != NULL) {
        lk_buf_puts(&body, ",\"configSnapshotDeliveryProperties\":{\"deliveryFrequency\":");
        lk_json_escape(&body, ch->delivery_frequency);
        lk_buf_putc(&body, '}');
    }
    lk_buf_puts(&body, "}}");
    return s_call(client, region, "PutDeliveryChannel", &body, NULL, NULL, err);
}

enum lk_status lk_config_start_recorder(struct lk_aws_client *client, const char *region,
                                        const char *name, struct lk_aws_error *err)
{
    struct lk_buf body;
    lk_buf_init(&body, LK_BUF_MAX_REQUEST);
    lk_buf_puts(&body, "{\"ConfigurationRecorderName\":");
    lk_json_escape(&body, name ? name : "");
    lk_buf_putc(&body, '}');
    return s_call(client, region, "StartConfigurationRecorder", &body, NULL, NULL, err);
}
