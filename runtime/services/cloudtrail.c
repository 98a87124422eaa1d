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

#define CT_TARGET_PREFIX "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101."
#define CT_NOT_FOUND "TrailNotFoundException"


/* ------------------------------------------------------------------------------ parsing */

/* An optional string member: absent, null or "" give NULL. */
static int s_str(struct lk_ir_state *st, const cJSON *o, const char *key, char **out, char *errbuf,
                 size_t errlen)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    *out = NULL;
    if (!v || cJSON_IsNull(v))
        return 0;
    if (!cJSON_IsString(v))
        return lk_svc_fail(errbuf, errlen, "%s is not a string", key);
    if (v->valuestring[0])
        *out = lk_ir_strdup(st, v->valuestring);
    return 0;
}

/* An optional boolean member; absent or null give @p dflt. */
static int s_bool(const cJSON *o, const char *key, bool dflt, bool *out, char *errbuf,
                  size_t errlen)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    *out = dflt;
    if (!v || cJSON_IsNull(v))
        return 0;
    if (!cJSON_IsBool(v))
        return lk_svc_fail(errbuf, errlen, "%s is not a boolean", key);
    *out = cJSON_IsTrue(v);
    return 0;
}

/* A list of strings (absent or null: empty), added to @p list, sorted and de-duplicated. */
static int s_strings(struct lk_ir_state *st, const cJSON *o, const char *key,
                     struct lk_ir_string_list *list, char *errbuf, size_t errlen)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!v || cJSON_IsNull(v))
        return 0;
    if (!cJSON_IsArray(v))
        return lk_svc_fail(errbuf, errlen, "%s is not a list", key);
    const cJSON *el;
    cJSON_ArrayForEach(el, v)
    {
        if (!cJSON_IsString(el))
            return lk_svc_fail(errbuf, errlen, "%s holds a value that is not a string", key);
        lk_ir_list_add(st, list, el->valuestring);
    }
    lk_ir_list_sort_unique(list);
    return 0;
}

/* One Trail object (model shape Trail). Booleans the answer leaves out are false. */
static int s_trail(struct lk_ir_state *st, const cJSON *o, struct lk_ir_trail *t, char *errbuf,
                   size_t errlen)
{
    if (!cJSON_IsObject(o))
        return lk_svc_fail(errbuf, errlen, "a trail is not a JSON object");
    memset(t, 0, sizeof(*t));
    if (s_str(st, o, "Name", &t->name, errbuf, errlen) != 0)
        return -1;
    if (!t->name)
        return lk_svc_fail(errbuf, errlen, "a trail has no Name");
    t->exists = true;
    /* GetTrail reports log file validation as LogFileValidationEnabled; CreateTrail takes it as
     * EnableLogFileValidation (model Trail, CreateTrailRequest). */
    if (s_str(st, o, "HomeRegion", &t->home_region, errbuf, errlen) != 0 ||
        s_str(st, o, "S3BucketName", &t->s3_bucket_name, errbuf, errlen) != 0 ||
        s_str(st, o, "S3KeyPrefix", &t->s3_key_prefix, errbuf, errlen) != 0 ||
        s_str(st, o, "CloudWatchLogsLogGroupArn", &t->cloud_watch_logs_log_group_arn, errbuf,
              errlen) != 0 ||
        s_str(st, o, "CloudWatchLogsRoleArn", &t->cloud_watch_logs_role_arn, errbuf, errlen) != 0 ||
        s_str(st, o, "KmsKeyId", &t->kms_key_id, errbuf, errlen) != 0 ||
        s_bool(o, "IncludeGlobalServiceEvents", false, &t->include_global_service_events, errbuf,
               errlen) != 0 ||
        s_bool(o, "IsMultiRegionTrail", false, &t->is_multi_region_trail, errbuf, errlen) != 0 ||
        s_bool(o, "LogFileValidationEnabled", false, &t->enable_log_file_validation, errbuf,
               errlen) != 0 ||
        s_bool(o, "IsOrganizationTrail", false, &t->is_organization_trail, errbuf, errlen) != 0)
        return -1;
    return 0;
}

static cJSON *s_parse_object(const char *json, size_t len, const char *what, char *errbuf,
                             size_t errlen)
{
    cJSON *root = lk_json_parse_bounded(json, len, LK_JSON_MAX_BYTES, errbuf, errlen);
    if (root && !cJSON_IsObject(root)) {
        lk_svc_fail(errbuf, errlen, "%s response is not a JSON object", what);
        cJSON_Delete(root);
        root = NULL;
    }
    return root;
}

int lk_cloudtrail_parse_trail(struct lk_ir_state *st, const char *json, size_t len,
                              struct lk_ir_trail *out, char *errbuf, size_t errlen)
{
    int rc = -1;
    cJSON *root = s_parse_object(json, len, "GetTrail", errbuf, errlen);
    if (!root)
        goto cleanup;
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(root, "Trail");
    if (!t) {
        lk_svc_fail(errbuf, errlen, "GetTrail response has no Trail");
        goto cleanup;
    }
    struct lk_ir_trail trail;
    if (s_trail(st, t, &trail, errbuf, errlen) != 0)
        goto cleanup;
    *out = trail;
    rc = 0;
cleanup:
    cJSON_Delete(root);
    return rc;
}

int lk_cloudtrail_parse_describe_trails(struct lk_ir_state *st, const char *json, size_t len,
                                        struct lk_ir_trail **out, size_t *n, char *errbuf,
                                        size_t errlen)
{
    int rc = -1;
    struct lk_ir_trail *trails = NULL;
    size_t count = 0;
    cJSON *root = s_parse_object(json, len, "DescribeTrails", errbuf, errlen);
    if (!root)
        goto cleanup;
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(root, "trailList");
    if (list && !cJSON_IsNull(list)) {
        if (!cJSON_IsArray(list)) {
            lk_svc_fail(errbuf, errlen, "trailList is not a list");
            goto cleanup;
        }
        size_t total = (size_t)cJSON_GetArraySize(list);
        trails = total ? lk_arena_alloc(&st->arena, total * sizeof(*trails)) : NULL;
        const cJSON *o;
        cJSON_ArrayForEach(o, list)
        {
            if (s_trail(st, o, &trails[count], errbuf, errlen) != 0)
                goto cleanup;
            count++;
        }
    }
    *out = trails;
    *n = count;
    rc = 0;
cleanup:
    cJSON_Delete(root);
    return rc;
}

int lk_cloudtrail_parse_trail_status(const char *json, size_t len, bool *is_logging, char *errbuf,
                                     size_t errlen)
{
    int rc = -1;
    cJSON *root = s_parse_object(json, len, "GetTrailStatus", errbuf, errlen);
    if (!root)
        goto cleanup;
    /* "IsLogging: Whether the CloudTrail trail is currently logging Amazon Web Services API
     * calls." (model GetTrailStatusResponse) */
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, "IsLogging");
    if (!cJSON_IsBool(v)) {
        lk_svc_fail(errbuf, errlen, "GetTrailStatus response has no boolean IsLogging");
        goto cleanup;
    }
    *is_logging = cJSON_IsTrue(v);
    rc = 0;
cleanup:
    cJSON_Delete(root);
    return rc;
}

static int s_cmp_data_resource(const void *a, const void *b)
{
    return strcmp(((const struct lk_ir_data_resource *)a)->type,
                  ((const struct lk_ir_data_resource *)b)->type);
}

/* One EventSelector (model shape EventSelector). */
static int s_selector(struct lk_ir_state *st, const cJSON *o, struct lk_ir_event_selector *e,
                      char *errbuf, size_t errlen)
{
    if (!cJSON_IsObject(o))
        return lk_svc_fail(errbuf, errlen, "an EventSelectors entry is not an object");
    memset(e, 0, sizeof(*e));
    /* "By default, the value is All." and IncludeManagementEvents "By default, the value is
     * true." (model EventSelector member docs) */
    if (s_str(st, o, "ReadWriteType", &e->read_write_type, errbuf, errlen) != 0)
        return -1;
    if (!e->read_write_type)
        e->read_write_type = lk_ir_strdup(st, "All");
    if (strcmp(e->read_write_type, "All") != 0 && strcmp(e->read_write_type, "ReadOnly") != 0 &&
        strcmp(e->read_write_type, "WriteOnly") != 0)
        return lk_svc_fail(errbuf, errlen, "ReadWriteType must be ReadOnly, WriteOnly or All");
    if (s_bool(o, "IncludeManagementEvents", true, &e->include_management_events, errbuf, errlen) !=
        0)
        return -1;
    const cJSON *drs = cJSON_GetObjectItemCaseSensitive(o, "DataResources");
    if (drs && !cJSON_IsNull(drs)) {
        if (!cJSON_IsArray(drs))
            return lk_svc_fail(errbuf, errlen, "DataResources is not a list");
        size_t total = (size_t)cJSON_GetArraySize(drs);
        e->data_resources =
            total ? lk_arena_alloc(&st->arena, total * sizeof(*e->data_resources)) : NULL;
        const cJSON *dr;
        cJSON_ArrayForEach(dr, drs)
        {
            struct lk_ir_data_resource *d = &e->data_resources[e->n_data_resources];
            if (!cJSON_IsObject(dr))
                return lk_svc_fail(errbuf, errlen, "a DataResources entry is not an object");
            if (s_str(st, dr, "Type", &d->type, errbuf, errlen) != 0)
                return -1;
            if (!d->type)
                return lk_svc_fail(errbuf, errlen, "a data resource has no Type");
            if (s_strings(st, dr, "Values", &d->values, errbuf, errlen) != 0)
                return -1;
            e->n_data_resources++;
        }
        if (e->n_data_resources > 1)
            qsort(e->data_resources, e->n_data_resources, sizeof(*e->data_resources),
                  s_cmp_data_resource);
    }
    return s_strings(st, o, "ExcludeManagementEventSources", &e->exclude_management_event_sources,
                     errbuf, errlen);
}

int lk_cloudtrail_parse_event_selectors(struct lk_ir_state *st, const char *json, size_t len,
                                        struct lk_ir_trail *out, bool *advanced, char *errbuf,
                                        size_t errlen)
{
    int rc = -1;
    struct lk_ir_event_selector *sels = NULL;
    size_t count = 0;
    cJSON *root = s_parse_object(json, len, "GetEventSelectors", errbuf, errlen);
    if (!root)
        goto cleanup;
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(root, "EventSelectors");
    if (list && !cJSON_IsNull(list)) {
        if (!cJSON_IsArray(list)) {
            lk_svc_fail(errbuf, errlen, "EventSelectors is not a list");
            goto cleanup;
        }
        size_t total = (size_t)cJSON_GetArraySize(list);
        sels = total ? lk_arena_alloc(&st->arena, total * sizeof(*sels)) : NULL;
        const cJSON *o;
        cJSON_ArrayForEach(o, list)
        {
            if (s_selector(st, o, &sels[count], errbuf, errlen) != 0)
                goto cleanup;
            count++;
        }
    }
    /* A trail uses basic or advanced selectors, never both (API Reference,
     * PutEventSelectors). The IR models basic ones only. */
    const cJSON *adv = cJSON_GetObjectItemCaseSensitive(root, "AdvancedEventSelectors");
    if (adv && !cJSON_IsNull(adv) && !cJSON_IsArray(adv)) {
        lk_svc_fail(errbuf, errlen, "AdvancedEventSelectors is not a list");
        goto cleanup;
    }
    if (advanced)
        *advanced = adv && cJSON_GetArraySize(adv) > 0;
    out->event_selectors = sels;
    out->n_event_selectors = count;
    rc = 0;
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
    lk_buf_init(&b);
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
    return b.data;
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
    lk_buf_init(&b);
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
    return b.data;
}

/* ------------------------------------------------------------------------------ calls */

static int s_call(struct lk_aws_client *client, const char *op, const char *region,
                  const char *body, size_t len, struct lk_http_response *resp,
                  struct lk_aws_error *err)
{
    return lk_aws_json_call(client, LK_AWS_CLOUDTRAIL, CT_TARGET_PREFIX, op, region, body, len,
                            resp, err);
}

static bool s_not_found(const struct lk_aws_error *err)
{
    return err->code && !strcmp(err->code, CT_NOT_FOUND);
}

/* {"<key>": "<name>"} */
static char *s_name_body(const char *key, const char *name)
{
    struct lk_buf b;
    lk_buf_init(&b);
    lk_buf_putc(&b, '{');
    lk_json_escape(&b, key);
    lk_buf_putc(&b, ':');
    lk_json_escape(&b, name);
    lk_buf_putc(&b, '}');
    return b.data;
}

int lk_cloudtrail_send_json(struct lk_aws_client *client, const char *operation, const char *region,
                            const char *json, size_t len, struct lk_aws_error *err)
{
    struct lk_http_response resp = {0};
    int rc = s_call(client, operation, region, json, len, &resp, err);
    lk_http_response_free(&resp);
    return rc;
}

/* Sends a heap body and frees it. */
static int s_send_owned(struct lk_aws_client *client, const char *op, const char *region,
                        char *body, struct lk_aws_error *err)
{
    int rc = lk_cloudtrail_send_json(client, op, region, body, strlen(body), err);
    free(body);
    return rc;
}

int lk_cloudtrail_send_artifact_section(struct lk_aws_client *client, const char *artifact,
                                        size_t len, const char *operation, const char *region,
                                        struct lk_aws_error *err)
{
    char why[160];
    char *body = NULL;
    int rc = -1;
    cJSON *root = lk_json_parse_bounded(artifact, len, LK_JSON_MAX_BYTES, why, sizeof(why));
    const cJSON *section = root ? cJSON_GetObjectItemCaseSensitive(root, operation) : NULL;
    if (!cJSON_IsObject(section)) {
        lk_aws_error_invalid(err, operation,
                             root ? "the trail artifact has no section for this operation" : why);
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
int lk_cloudtrail_create_trail(struct lk_aws_client *client, const struct lk_ir_trail *t,
                               struct lk_aws_error *err)
{
    return s_send_owned(client, "CreateTrail", t->home_region, lk_cloudtrail_trail_request_json(t),
                        err);
}

int lk_cloudtrail_update_trail(struct lk_aws_client *client, const struct lk_ir_trail *t,
                               struct lk_aws_error *err)
{
    return s_send_owned(client, "UpdateTrail", t->home_region, lk_cloudtrail_trail_request_json(t),
                        err);
}

int lk_cloudtrail_get_trail(struct lk_aws_client *client, const char *name, const char *region,
                            struct lk_ir_state *st, struct lk_ir_trail *out,
                            struct lk_aws_error *err)
{
    static const char op[] = "GetTrail";
    struct lk_http_response resp = {0};
    char why[160];
    char *body = s_name_body("Name", name);
    int rc = -1;
    if (s_call(client, op, region, body, strlen(body), &resp, err) != 0) {
        /* "TrailNotFoundException: This exception is thrown when the trail with the given name
         * is not found." (API Reference, GetTrail errors) */
        if (s_not_found(err)) {
            lk_aws_error_clear(err);
            memset(out, 0, sizeof(*out));
            out->name = lk_ir_strdup(st, name);
            rc = 0;
        }
        goto cleanup;
    }
    if (lk_cloudtrail_parse_trail(st, (const char *)resp.body, resp.body_len, out, why,
                                  sizeof(why)) != 0) {
        lk_aws_error_malformed(err, op, &resp, why);
        goto cleanup;
    }
    rc = 0;
cleanup:
    free(body);
    lk_http_response_free(&resp);
    return rc;
}

int lk_cloudtrail_describe_trails(struct lk_aws_client *client, const char *region,
                                  const char *const *names, size_t n_names,
                                  bool include_shadow_trails, struct lk_ir_state *st,
                                  struct lk_ir_trail **out, size_t *n_out, struct lk_aws_error *err)
{
    static const char op[] = "DescribeTrails";
    struct lk_http_response resp = {0};
    struct lk_buf b;
    char why[160];
    int rc = -1;
    *out = NULL;
    *n_out = 0;
    lk_buf_init(&b);
    lk_buf_puts(&b, "{\"trailNameList\":[");
    for (size_t i = 0; i < n_names; i++) {
        if (i)
            lk_buf_putc(&b, ',');
        lk_json_escape(&b, names[i]);
    }
    lk_buf_printf(&b, "],\"includeShadowTrails\":%s}", include_shadow_trails ? "true" : "false");
    if (s_call(client, op, region, b.data, b.len, &resp, err) != 0)
        goto cleanup;
    if (lk_cloudtrail_parse_describe_trails(st, (const char *)resp.body, resp.body_len, out, n_out,
                                            why, sizeof(why)) != 0) {
        lk_aws_error_malformed(err, op, &resp, why);
        goto cleanup;
    }
    rc = 0;
cleanup:
    lk_buf_free(&b);
    lk_http_response_free(&resp);
    return rc;
}

int lk_cloudtrail_get_trail_status(struct lk_aws_client *client, const char *name,
                                   const char *region, bool *is_logging, struct lk_aws_error *err)
{
    static const char op[] = "GetTrailStatus";
    struct lk_http_response resp = {0};
    char why[160];
    char *body = s_name_body("Name", name);
    int rc = -1;
    if (s_call(client, op, region, body, strlen(body), &resp, err) != 0)
        goto cleanup;
    if (lk_cloudtrail_parse_trail_status((const char *)resp.body, resp.body_len, is_logging, why,
                                         sizeof(why)) != 0) {
        lk_aws_error_malformed(err, op, &resp, why);
        goto cleanup;
    }
    rc = 0;
cleanup:
    free(body);
    lk_http_response_free(&resp);
    return rc;
}

int lk_cloudtrail_start_logging(struct lk_aws_client *client, const char *name, const char *region,
                                struct lk_aws_error *err)
{
    return s_send_owned(client, "StartLogging", region, s_name_body("Name", name), err);
}

int lk_cloudtrail_stop_logging(struct lk_aws_client *client, const char *name, const char *region,
                               struct lk_aws_error *err)
{
    return s_send_owned(client, "StopLogging", region, s_name_body("Name", name), err);
}

int lk_cloudtrail_get_event_selectors(struct lk_aws_client *client, const char *name,
                                      const char *region, struct lk_ir_state *st,
                                      struct lk_ir_trail *out, bool *advanced,
                                      struct lk_aws_error *err)
{
    static const char op[] = "GetEventSelectors";
    struct lk_http_response resp = {0};
    char why[160];
    char *body = s_name_body("TrailName", name);
    int rc = -1;
    if (s_call(client, op, region, body, strlen(body), &resp, err) != 0)
        goto cleanup;
    if (lk_cloudtrail_parse_event_selectors(st, (const char *)resp.body, resp.body_len, out,
                                            advanced, why, sizeof(why)) != 0) {
        lk_aws_error_malformed(err, op, &resp, why);
        goto cleanup;
    }
    rc = 0;
cleanup:
    free(body);
    lk_http_response_free(&resp);
    return rc;
}

int lk_cloudtrail_put_event_selectors(struct lk_aws_client *client, const struct lk_ir_trail *t,
                                      struct lk_aws_error *err)
{
    return s_send_owned(client, "PutEventSelectors", t->home_region,
                        lk_cloudtrail_event_selectors_request_json(t), err);
}

int lk_cloudtrail_delete_trail(struct lk_aws_client *client, const char *name, const char *region,
                               struct lk_aws_error *err)
{
    return s_send_owned(client, "DeleteTrail", region, s_name_body("Name", name), err);
}

int lk_cloudtrail_read_trail_ex(struct lk_aws_client *client, const char *name, const char *region,
                                struct lk_ir_state *st, struct lk_ir_trail *out,
                                unsigned *unmodelled, struct lk_aws_error *err)
{
    bool advanced = false;
    int rc = -1;
    if (unmodelled)
        *unmodelled = 0;
    if (lk_cloudtrail_get_trail(client, name, region, st, out, err) != 0)
        goto cleanup;
    if (!out->exists) {
        rc = 0;
        goto cleanup;
    }
    if (lk_cloudtrail_get_trail_status(client, name, region, &out->is_logging, err) != 0 ||
        lk_cloudtrail_get_event_selectors(client, name, region, st, out, &advanced, err) != 0)
        goto cleanup;
    if (unmodelled && advanced)
        *unmodelled |= LK_CLOUDTRAIL_UNMODELLED_ADVANCED_SELECTORS;
    rc = 0;
cleanup:
    /* A trail deleted between the calls reads as missing, not as an error. */
    if (rc != 0 && s_not_found(err)) {
        lk_aws_error_clear(err);
        memset(out, 0, sizeof(*out));
        out->name = lk_ir_strdup(st, name);
        rc = 0;
    }
    return rc;
}

int lk_cloudtrail_read_trail(struct lk_aws_client *client, const char *name, struct lk_ir_state *st,
                             struct lk_ir_trail *out, struct lk_aws_error *err)
{
    return lk_cloudtrail_read_trail_ex(client, name, NULL, st, out, NULL, err);
}
