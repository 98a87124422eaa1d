/*
 * logkeep runtime: the AWS CloudTrail client (JSON 1.1).
 *
 * Requests: POST / with X-Amz-Target
 * "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.<Operation>" and Content-Type
 * "application/x-amz-json-1.1" (docs/protocol-notes.md §5). Member names are PascalCase but for
 * DescribeTrails (trailNameList, includeShadowTrails). Request bodies are written directly;
 * responses are read with cJSON through lk_json_parse_bounded().
 */
#include "runtime/services/cloudtrail.h"

#include <cjson/cJSON.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/escape.h"
#include "runtime/services/policy_json.h"
#include "runtime/services/service.h"

#define CT_TARGET_PREFIX "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101."
#define CT_NOT_FOUND "TrailNotFoundException"

/* ------------------------------------------------------------------------------ parsing */

/* An optional string member: absent, null or "" give NULL. */
static enum lk_status s_str(struct lk_ir_state *st, const cJSON *o, const char *key, char **out,
                            struct lk_error *err)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    *out = NULL;
    if (!v || cJSON_IsNull(v))
        return LK_STATUS_OK;
    LK_ENSURE(cJSON_IsString(v), lk_error_set(err, LK_STATUS_SCHEMA, "%s is not a string", key));
    if (v->valuestring[0])
        *out = lk_ir_strdup(st, v->valuestring);
    return LK_STATUS_OK;
}

/* An optional boolean member; absent or null give @p dflt. */
static enum lk_status s_bool(const cJSON *o, const char *key, bool dflt, bool *out,
                             struct lk_error *err)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    *out = dflt;
    if (!v || cJSON_IsNull(v))
        return LK_STATUS_OK;
    LK_ENSURE(cJSON_IsBool(v), lk_error_set(err, LK_STATUS_SCHEMA, "%s is not a boolean", key));
    *out = cJSON_IsTrue(v);
    return LK_STATUS_OK;
}

/* A list of strings (absent or null: empty), added to @p list, sorted and de-duplicated. */
static enum lk_status s_strings(struct lk_ir_state *st, const cJSON *o, const char *key,
                                struct lk_ir_string_list *list, struct lk_error *err)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!v || cJSON_IsNull(v))
        return LK_STATUS_OK;
    LK_ENSURE(cJSON_IsArray(v), lk_error_set(err, LK_STATUS_SCHEMA, "%s is not a list", key));
    const cJSON *el;
    cJSON_ArrayForEach(el, v)
    {
        LK_ENSURE(cJSON_IsString(el), lk_error_set(err, LK_STATUS_SCHEMA,
                                                   "%s holds a value that is not a string", key));
        lk_ir_list_add(st, list, el->valuestring);
    }
    lk_ir_list_sort_unique(list);
    return LK_STATUS_OK;
}

/* One Trail object (model shape Trail). Booleans the answer leaves out are false. */
static enum lk_status s_trail(struct lk_ir_state *st, const cJSON *o, struct lk_ir_trail *t,
                              struct lk_error *err)
{
    LK_ENSURE(cJSON_IsObject(o),
              lk_error_set(err, LK_STATUS_SCHEMA, "a trail is not a JSON object"));
    memset(t, 0, sizeof(*t));
    LK_GUARD(s_str(st, o, "Name", &t->name, err));
    LK_ENSURE(t->name, lk_error_set(err, LK_STATUS_SCHEMA, "a trail has no Name"));
    t->exists = true;
    /* GetTrail reports log file validation as LogFileValidationEnabled; CreateTrail takes it as
     * EnableLogFileValidation (model Trail, CreateTrailRequest). */
    LK_GUARD(s_str(st, o, "HomeRegion", &t->home_region, err));
    LK_GUARD(s_str(st, o, "S3BucketName", &t->s3_bucket_name, err));
    LK_GUARD(s_str(st, o, "S3KeyPrefix", &t->s3_key_prefix, err));
    LK_GUARD(s_str(st, o, "CloudWatchLogsLogGroupArn", &t->cloud_watch_logs_log_group_arn, err));
    LK_GUARD(s_str(st, o, "CloudWatchLogsRoleArn", &t->cloud_watch_logs_role_arn, err));
    LK_GUARD(s_str(st, o, "KmsKeyId", &t->kms_key_id, err));
    LK_GUARD(
        s_bool(o, "IncludeGlobalServiceEvents", false, &t->include_global_service_events, err));
    LK_GUARD(s_bool(o, "IsMultiRegionTrail", false, &t->is_multi_region_trail, err));
    LK_GUARD(s_bool(o, "LogFileValidationEnabled", false, &t->enable_log_file_validation, err));
    LK_GUARD(s_bool(o, "IsOrganizationTrail", false, &t->is_organization_trail, err));
    return LK_STATUS_OK;
}

/* Parses a response that must be a JSON object; *@p out is freed by the caller (cJSON_Delete())
 * in every case. */
static enum lk_status s_parse_object(const char *json, size_t len, const char *what, cJSON **out,
                                     struct lk_error *err)
{
    LK_GUARD(lk_json_parse_bounded(json, len, LK_JSON_MAX_BYTES, out, err));
    LK_ENSURE(cJSON_IsObject(*out),
              lk_error_set(err, LK_STATUS_SCHEMA, "%s response is not a JSON object", what));
    return LK_STATUS_OK;
}

enum lk_status lk_cloudtrail_parse_trail(struct lk_ir_state *st, const char *json, size_t len,
                                         struct lk_ir_trail *out, struct lk_error *err)
{
    enum lk_status rc;
    cJSON *root = NULL;
    struct lk_ir_trail trail;
    LK_GUARD_GOTO(rc, s_parse_object(json, len, "GetTrail", &root, err), cleanup);
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(root, "Trail");
    LK_ENSURE_GOTO(rc, t, lk_error_set(err, LK_STATUS_SCHEMA, "GetTrail response has no Trail"),
                   cleanup);
    LK_GUARD_GOTO(rc, s_trail(st, t, &trail, err), cleanup);
    *out = trail;
cleanup:
    cJSON_Delete(root);
    return rc;
}

enum lk_status lk_cloudtrail_parse_describe_trails(struct lk_ir_state *st, const char *json,
                                                   size_t len, struct lk_ir_trail **out, size_t *n,
                                                   struct lk_error *err)
{
    enum lk_status rc;
    struct lk_ir_trail *trails = NULL;
    size_t count = 0;
    cJSON *root = NULL;
    LK_GUARD_GOTO(rc, s_parse_object(json, len, "DescribeTrails", &root, err), cleanup);
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(root, "trailList");
    if (list && !cJSON_IsNull(list)) {
        LK_ENSURE_GOTO(rc, cJSON_IsArray(list),
                       lk_error_set(err, LK_STATUS_SCHEMA, "trailList is not a list"), cleanup);
        size_t total = (size_t)cJSON_GetArraySize(list);
        trails = total ? lk_arena_alloc(&st->arena, total * sizeof(*trails)) : NULL;
        const cJSON *o;
        cJSON_ArrayForEach(o, list)
        {
            LK_GUARD_GOTO(rc, s_trail(st, o, &trails[count], err), cleanup);
            count++;
        }
    }
    *out = trails;
    *n = count;
cleanup:
    cJSON_Delete(root);
    return rc;
}

enum lk_status lk_cloudtrail_parse_trail_status(const char *json, size_t len, bool *is_logging,
                                                struct lk_error *err)
{
    enum lk_status rc;
    cJSON *root = NULL;
    LK_GUARD_GOTO(rc, s_parse_object(json, len, "GetTrailStatus", &root, err), cleanup);
    /* "IsLogging: Whether the CloudTrail trail is currently logging Amazon Web Services API
     * calls." (model GetTrailStatusResponse) The model does not require it, but it is the one
     * member logkeep reads, and an absence documents neither answer: reading it as false would
     * report drift that is not there, so an answer without it is refused (the SDKs hand the
     * absence to their caller to decide). */
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, "IsLogging");
    LK_ENSURE_GOTO(rc, v && !cJSON_IsNull(v),
                   lk_error_set(err, LK_STATUS_SCHEMA,
                                "GetTrailStatus response has no IsLogging: whether the trail "
                                "logs is unknown"),
                   cleanup);
    LK_ENSURE_GOTO(rc, cJSON_IsBool(v),
                   lk_error_set(err, LK_STATUS_SCHEMA, "IsLogging is not a boolean"), cleanup);
    *is_logging = cJSON_IsTrue(v);
cleanup:
    cJSON_Delete(root);
    return rc;
}

/* One EventSelector (model shape EventSelector). */
static enum lk_status s_selector(struct lk_ir_state *st, const cJSON *o,
                                 struct lk_ir_event_selector *e, struct lk_error *err)
{
    LK_ENSURE(cJSON_IsObject(o),
              lk_error_set(err, LK_STATUS_SCHEMA, "an EventSelectors entry is not an object"));
    memset(e, 0, sizeof(*e));
    /* "By default, the value is All." and IncludeManagementEvents "By default, the value is
     * true." (model EventSelector member docs) */
    LK_GUARD(s_str(st, o, "ReadWriteType", &e->read_write_type, err));
    if (!e->read_write_type)
        e->read_write_type = lk_ir_strdup(st, "All");
    LK_ENSURE(
        !strcmp(e->read_write_type, "All") || !strcmp(e->read_write_type, "ReadOnly") ||
            !strcmp(e->read_write_type, "WriteOnly"),
        lk_error_set(err, LK_STATUS_SCHEMA, "ReadWriteType must be ReadOnly, WriteOnly or All"));
    LK_GUARD(s_bool(o, "IncludeManagementEvents", true, &e->include_management_events, err));
    const cJSON *drs = cJSON_GetObjectItemCaseSensitive(o, "DataResources");
    if (drs && !cJSON_IsNull(drs)) {
        LK_ENSURE(cJSON_IsArray(drs),
                  lk_error_set(err, LK_STATUS_SCHEMA, "DataResources is not a list"));
        size_t total = (size_t)cJSON_GetArraySize(drs);
        e->data_resources =
            total ? lk_arena_alloc(&st->arena, total * sizeof(*e->data_resources)) : NULL;
        const cJSON *dr;
        cJSON_ArrayForEach(dr, drs)
        {
            struct lk_ir_data_resource *d = &e->data_resources[e->n_data_resources];
            LK_ENSURE(cJSON_IsObject(dr), lk_error_set(err, LK_STATUS_SCHEMA,
                                                       "a DataResources entry is not an object"));
            LK_GUARD(s_str(st, dr, "Type", &d->type, err));
            LK_ENSURE(d->type, lk_error_set(err, LK_STATUS_SCHEMA, "a data resource has no Type"));
            LK_GUARD(s_strings(st, dr, "Values", &d->values, err));
            e->n_data_resources++;
        }
        if (e->n_data_resources > 1)
            qsort(e->data_resources, e->n_data_resources, sizeof(*e->data_resources),
                  lk_ir_cmp_data_resource);
    }
    return s_strings(st, o, "ExcludeManagementEventSources", &e->exclude_management_event_sources,
                     err);
}

enum lk_status lk_cloudtrail_parse_event_selectors(struct lk_ir_state *st, const char *json,
                                                   size_t len, struct lk_ir_trail *out,
                                                   struct lk_error *err)
{
    enum lk_status rc;
    struct lk_ir_event_selector *sels = NULL;
    size_t count = 0;
    cJSON *root = NULL;
    LK_GUARD_GOTO(rc, s_parse_object(json, len, "GetEventSelectors", &root, err), cleanup);
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(root, "EventSelectors");
    if (list && !cJSON_IsNull(list)) {
        LK_ENSURE_GOTO(rc, cJSON_IsArray(list),
                       lk_error_set(err, LK_STATUS_SCHEMA, "EventSelectors is not a list"),
                       cleanup);
        size_t total = (size_t)cJSON_GetArraySize(list);
        sels = total ? lk_arena_alloc(&st->arena, total * sizeof(*sels)) : NULL;
        const cJSON *o;
        cJSON_ArrayForEach(o, list)
        {
            LK_GUARD_GOTO(rc, s_selector(st, o, &sels[count], err), cleanup);
            count++;
        }
    }
    /* A trail uses basic or advanced selectors, never both (API Reference,
     * PutEventSelectors). The IR models basic ones only. */
    const cJSON *adv = cJSON_GetObjectItemCaseSensitive(root, "AdvancedEventSelectors");
    LK_ENSURE_GOTO(rc, !adv || cJSON_IsNull(adv) || cJSON_IsArray(adv),
                   lk_error_set(err, LK_STATUS_SCHEMA, "AdvancedEventSelectors is not a list"),
                   cleanup);
    if (adv && cJSON_GetArraySize(adv) > 0)
        out->unmodelled |= LK_IR_UNMODELLED_ADVANCED_SELECTORS;
    else
        out->unmodelled &= ~(unsigned)LK_IR_UNMODELLED_ADVANCED_SELECTORS;
    out->event_selectors = sels;
    out->n_event_selectors = count;
cleanup:
    cJSON_Delete(root);
    return rc;
}

/* ------------------------------------------------------------------------------ requests */

static void s_member_str(struct lk_buf *b, const char *key, const char *value)
{
    lk_buf_putc(b, ',');
    lk_json_escape(b, key);
    lk_buf_putc(b, ':');
    lk_json_escape(b, value);
}

static void s_member_bool(struct lk_buf *b, const char *key, bool value)
{
    lk_buf_putc(b, ',');
    lk_json_escape(b, key);
    lk_buf_puts(b, value ? ":true" : ":false");
}

char *lk_cloudtrail_trail_request_json(const struct lk_ir_trail *t)
{
    /* Members as emit_trail.c writes them (model CreateTrailRequest). */
    struct lk_buf b;
    lk_buf_init(&b, LK_BUF_MAX_REQUEST);
    lk_buf_puts(&b, "{\"Name\":");
    lk_json_escape(&b, t->name);
    s_member_str(&b, "S3BucketName", t->s3_bucket_name ? t->s3_bucket_name : "");
    if (t->s3_key_prefix)
        s_member_str(&b, "S3KeyPrefix", t->s3_key_prefix);
    s_member_bool(&b, "IncludeGlobalServiceEvents", t->include_global_service_events);
    s_member_bool(&b, "IsMultiRegionTrail", t->is_multi_region_trail);
    s_member_bool(&b, "EnableLogFileValidation", t->enable_log_file_validation);
    if (t->cloud_watch_logs_log_group_arn)
        s_member_str(&b, "CloudWatchLogsLogGroupArn", t->cloud_watch_logs_log_group_arn);
    if (t->cloud_watch_logs_role_arn)
        s_member_str(&b, "CloudWatchLogsRoleArn", t->cloud_watch_logs_role_arn);
    if (t->kms_key_id)
        s_member_str(&b, "KmsKeyId", t->kms_key_id);
    s_member_bool(&b, "IsOrganizationTrail", t->is_organization_trail);
    lk_buf_putc(&b, '}');
    return lk_buf_take(&b, NULL);
}

static void s_string_array(struct lk_buf *b, const struct lk_ir_string_list *l)
{
    lk_buf_putc(b, '[');
    for (size_t i = 0; i < l->n; i++) {
        if (i)
            lk_buf_putc(b, ',');
        lk_json_escape(b, l->items[i]);
    }
    lk_buf_putc(b, ']');
}

char *lk_cloudtrail_event_selectors_request_json(const struct lk_ir_trail *t)
{
    /* PutEventSelectors {TrailName, EventSelectors[{ReadWriteType, IncludeManagementEvents,
     * DataResources[{Type, Values}], ExcludeManagementEventSources}]} (model). */
    struct lk_buf b;
    lk_buf_init(&b, LK_BUF_MAX_REQUEST);
    lk_buf_puts(&b, "{\"TrailName\":");
    lk_json_escape(&b, t->name);
    lk_buf_puts(&b, ",\"EventSelectors\":[");
    for (size_t i = 0; i < t->n_event_selectors; i++) {
        const struct lk_ir_event_selector *e = &t->event_selectors[i];
        lk_buf_puts(&b, i ? ",{\"ReadWriteType\":" : "{\"ReadWriteType\":");
        lk_json_escape(&b, e->read_write_type ? e->read_write_type : "All");
        s_member_bool(&b, "IncludeManagementEvents", e->include_management_events);
        lk_buf_puts(&b, ",\"DataResources\":[");
        for (size_t d = 0; d < e->n_data_resources; d++) {
            lk_buf_puts(&b, d ? ",{\"Type\":" : "{\"Type\":");
            lk_json_escape(&b, e->data_resources[d].type);
            lk_buf_puts(&b, ",\"Values\":");
            s_string_array(&b, &e->data_resources[d].values);
            lk_buf_putc(&b, '}');
        }
        lk_buf_putc(&b, ']');
        if (e->exclude_management_event_sources.n) {
            lk_buf_puts(&b, ",\"ExcludeManagementEventSources\":");
            s_string_array(&b, &e->exclude_management_event_sources);
        }
        lk_buf_putc(&b, '}');
    }
    lk_buf_puts(&b, "]}");
    return lk_buf_take(&b, NULL);
}

/* ------------------------------------------------------------------------------ calls */

static enum lk_status s_call(struct lk_aws_client *client, const char *op, const char *region,
                             const char *body, size_t len, struct lk_http_response *resp,
                             struct lk_aws_error *err)
{
    return lk_svc_result(lk_aws_json_call(client, LK_AWS_CLOUDTRAIL, CT_TARGET_PREFIX, op, region,
                                          body, len, resp, err),
                         err);
}

static bool s_not_found(const struct lk_aws_error *err)
{
    return err->code && !strcmp(err->code, CT_NOT_FOUND);
}

/* A 2xx answer that the parser refused: LK_SVC_MALFORMED_RESPONSE with the parser's reason. */
static enum lk_status s_malformed(struct lk_aws_error *err, const char *op,
                                  const struct lk_http_response *resp, const struct lk_error *why)
{
    return lk_svc_result(lk_aws_error_malformed(err, op, resp, why->message), err);
}

/* {"<key>": "<name>"}, or NULL past LK_BUF_MAX_REQUEST. */
static char *s_name_body(const char *key, const char *name)
{
    struct lk_buf b;
    lk_buf_init(&b, LK_BUF_MAX_REQUEST);
    lk_buf_putc(&b, '{');
    lk_json_escape(&b, key);
    lk_buf_putc(&b, ':');
    lk_json_escape(&b, name);
    lk_buf_putc(&b, '}');
    return lk_buf_take(&b, NULL);
}

/* A request body that could not be built: it would pass LK_BUF_MAX_REQUEST. */
static enum lk_status s_body_too_large(struct lk_aws_error *err, const char *op)
{
    char why[96];
    snprintf(why, sizeof(why), "the %s request would exceed %zu bytes", op, LK_BUF_MAX_REQUEST);
    return lk_svc_result(lk_aws_error_invalid(err, op, why), err);
}

enum lk_status lk_cloudtrail_send_json(struct lk_aws_client *client, const char *operation,
                                       const char *region, const char *json, size_t len,
                                       struct lk_aws_error *err)
{
    struct lk_http_response resp = {0};
    enum lk_status rc = s_call(client, operation, region, json, len, &resp, err);
    lk_http_response_free(&resp);
    return rc;
}

/* Sends a heap body (NULL: it could not be built) and frees it. */
static enum lk_status s_send_owned(struct lk_aws_client *client, const char *op, const char *region,
                                   char *body, struct lk_aws_error *err)
{
    if (!body)
        return s_body_too_large(err, op);
    enum lk_status rc = lk_cloudtrail_send_json(client, op, region, body, strlen(body), err);
    free(body);
    return rc;
}

enum lk_status lk_cloudtrail_send_artifact_section(struct lk_aws_client *client,
                                                   const char *artifact, size_t len,
                                                   const char *operation, const char *region,
                                                   struct lk_aws_error *err)
{
    struct lk_error why = {0};
    char *body = NULL;
    enum lk_status rc;
    cJSON *root = NULL;
    enum lk_status parsed = lk_json_parse_bounded(artifact, len, LK_JSON_MAX_BYTES, &root, &why);
    const cJSON *section =
        parsed == LK_STATUS_OK ? cJSON_GetObjectItemCaseSensitive(root, operation) : NULL;
    if (!cJSON_IsObject(section)) {
        rc = lk_svc_result(lk_aws_error_invalid(err, operation,
                                                parsed == LK_STATUS_OK
                                                    ? "the trail artifact has no section for this "
                                                      "operation"
                                                    : why.message),
                           err);
        goto cleanup;
    }
    body = cJSON_PrintUnformatted(section);
    if (!body)
        lk_oom();
    rc = lk_cloudtrail_send_json(client, operation, region, body, strlen(body), err);
cleanup:
    cJSON_free(body);
    cJSON_Delete(root);
    return rc;
}

/* CreateTrail, UpdateTrail, StartLogging and PutEventSelectors act in the trail's home region
 * ("InvalidHomeRegionException: This exception is thrown when an operation is called on a trail
 * from a Region other than the Region in which the trail was created", API Reference). */
enum lk_status lk_cloudtrail_create_trail(struct lk_aws_client *client, const struct lk_ir_trail *t,
                                          struct lk_aws_error *err)
{
    return s_send_owned(client, "CreateTrail", t->home_region, lk_cloudtrail_trail_request_json(t),
                        err);
}

enum lk_status lk_cloudtrail_update_trail(struct lk_aws_client *client, const struct lk_ir_trail *t,
                                          struct lk_aws_error *err)
{
    return s_send_owned(client, "UpdateTrail", t->home_region, lk_cloudtrail_trail_request_json(t),
                        err);
}

enum lk_status lk_cloudtrail_get_trail(struct lk_aws_client *client, const char *name,
                                       const char *region, struct lk_ir_state *st,
                                       struct lk_ir_trail *out, struct lk_aws_error *err)
{
    static const char op[] = "GetTrail";
    struct lk_http_response resp = {0};
    struct lk_error why = {0};
    char *body = s_name_body("Name", name);
    enum lk_status rc;
    LK_ENSURE_GOTO(rc, body, s_body_too_large(err, op), cleanup);
    rc = s_call(client, op, region, body, strlen(body), &resp, err);
    /* "TrailNotFoundException: This exception is thrown when the trail with the given name
     * is not found." (API Reference, GetTrail errors) */
    if (rc != LK_STATUS_OK && s_not_found(err)) {
        lk_aws_error_clear(err);
        memset(out, 0, sizeof(*out));
        out->name = lk_ir_strdup(st, name);
        rc = LK_STATUS_OK;
        goto cleanup;
    }
    if (rc != LK_STATUS_OK)
        goto cleanup;
    if (lk_cloudtrail_parse_trail(st, (const char *)resp.body, resp.body_len, out, &why) !=
        LK_STATUS_OK)
        rc = s_malformed(err, op, &resp, &why);
cleanup:
    free(body);
    lk_http_response_free(&resp);
    return rc;
}

enum lk_status lk_cloudtrail_describe_trails(struct lk_aws_client *client, const char *region,
                                             const char *const *names, size_t n_names,
                                             bool include_shadow_trails, struct lk_ir_state *st,
                                             struct lk_ir_trail **out, size_t *n_out,
                                             struct lk_aws_error *err)
{
    static const char op[] = "DescribeTrails";
    struct lk_http_response resp = {0};
    struct lk_buf b;
    struct lk_error why = {0};
    enum lk_status rc;
    *out = NULL;
    *n_out = 0;
    lk_buf_init(&b, LK_BUF_MAX_REQUEST);
    lk_buf_puts(&b, "{\"trailNameList\":[");
    for (size_t i = 0; i < n_names; i++) {
        if (i)
            lk_buf_putc(&b, ',');
        lk_json_escape(&b, names[i]);
    }
    lk_buf_printf(&b, "],\"includeShadowTrails\":%s}", include_shadow_trails ? "true" : "false");
    LK_ENSURE_GOTO(rc, !lk_buf_failed(&b), s_body_too_large(err, op), cleanup);
    LK_GUARD_GOTO(rc, s_call(client, op, region, b.data, b.len, &resp, err), cleanup);
    if (lk_cloudtrail_parse_describe_trails(st, (const char *)resp.body, resp.body_len, out, n_out,
                                            &why) != LK_STATUS_OK)
        rc = s_malformed(err, op, &resp, &why);
cleanup:
    lk_buf_free(&b);
    lk_http_response_free(&resp);
    return rc;
}

enum lk_status lk_cloudtrail_get_trail_status(struct lk_aws_client *client, const char *name,
                                              const char *region, bool *is_logging,
                                              struct lk_aws_error *err)
{
    static const char op[] = "GetTrailStatus";
    struct lk_http_response resp = {0};
    struct lk_error why = {0};
    char *body = s_name_body("Name", name);
    enum lk_status rc;
    LK_ENSURE_GOTO(rc, body, s_body_too_large(err, op), cleanup);
    LK_GUARD_GOTO(rc, s_call(client, op, region, body, strlen(body), &resp, err), cleanup);
    if (lk_cloudtrail_parse_trail_status((const char *)resp.body, resp.body_len, is_logging,
                                         &why) != LK_STATUS_OK)
        rc = s_malformed(err, op, &resp, &why);
cleanup:
    free(body);
    lk_http_response_free(&resp);
    return rc;
}

enum lk_status lk_cloudtrail_start_logging(struct lk_aws_client *client, const char *name,
                                           const char *region, struct lk_aws_error *err)
{
    return s_send_owned(client, "StartLogging", region, s_name_body("Name", name), err);
}

enum lk_status lk_cloudtrail_stop_logging(struct lk_aws_client *client, const char *name,
                                          const char *region, struct lk_aws_error *err)
{
    return s_send_owned(client, "StopLogging", region, s_name_body("Name", name), err);
}

enum lk_status lk_cloudtrail_get_event_selectors(struct lk_aws_client *client, const char *name,
                                                 const char *region, struct lk_ir_state *st,
                                                 struct lk_ir_trail *out, struct lk_aws_error *err)
{
    static const char op[] = "GetEventSelectors";
    struct lk_http_response resp = {0};
    struct lk_error why = {0};
    char *body = s_name_body("TrailName", name);
    enum lk_status rc;
    LK_ENSURE_GOTO(rc, body, s_body_too_large(err, op), cleanup);
    LK_GUARD_GOTO(rc, s_call(client, op, region, body, strlen(body), &resp, err), cleanup);
    if (lk_cloudtrail_parse_event_selectors(st, (const char *)resp.body, resp.body_len, out,
                                            &why) != LK_STATUS_OK)
        rc = s_malformed(err, op, &resp, &why);
cleanup:
    free(body);
    lk_http_response_free(&resp);
    return rc;
}

enum lk_status lk_cloudtrail_put_event_selectors(struct lk_aws_client *client,
                                                 const struct lk_ir_trail *t,
                                                 struct lk_aws_error *err)
{
    return s_send_owned(client, "PutEventSelectors", t->home_region,
                        lk_cloudtrail_event_selectors_request_json(t), err);
}

enum lk_status lk_cloudtrail_delete_trail(struct lk_aws_client *client, const char *name,
                                          const char *region, struct lk_aws_error *err)
{
    return s_send_owned(client, "DeleteTrail", region, s_name_body("Name", name), err);
}

enum lk_status lk_cloudtrail_read_trail(struct lk_aws_client *client, const char *name,
                                        const char *region, struct lk_ir_state *st,
                                        struct lk_ir_trail *out, struct lk_aws_error *err)
{
    enum lk_status rc;
    LK_GUARD_GOTO(rc, lk_cloudtrail_get_trail(client, name, region, st, out, err), cleanup);
    if (!out->exists)
        goto cleanup;
    LK_GUARD_GOTO(rc, lk_cloudtrail_get_trail_status(client, name, region, &out->is_logging, err),
                  cleanup);
    LK_GUARD_GOTO(rc, lk_cloudtrail_get_event_selectors(client, name, region, st, out, err),
                  cleanup);
cleanup:
    /* A trail deleted between the calls reads as missing, not as an error. */
    if (rc != LK_STATUS_OK && s_not_found(err)) {
        lk_aws_error_clear(err);
        memset(out, 0, sizeof(*out));
        out->name = lk_ir_strdup(st, name);
        rc = LK_STATUS_OK;
    }
    return rc;
}
