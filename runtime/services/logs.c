/*
 * logkeep runtime: the Amazon CloudWatch Logs client (JSON 1.1).
 *
 * Requests: POST / with X-Amz-Target "Logs_20140328.<Operation>" and Content-Type
 * "application/x-amz-json-1.1", body a JSON object of the members (docs/protocol-notes.md §4).
 * Request bodies are written directly (the members are few and fixed); responses are read with
 * cJSON through lk_json_parse_bounded().
 */
#include "runtime/services/logs.h"

#include <cjson/cJSON.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/array.h"
#include "common/escape.h"
#include "common/glob.h"
#include "runtime/services/policy_json.h"

#define LOGS_TARGET_PREFIX "Logs_20140328."

/* ------------------------------------------------------------------------------ parsing */

/* A JSON number that is an integer in [min, max]. */
static bool s_int32(const cJSON *v, int32_t min, int32_t max, int32_t *out)
{
    if (!cJSON_IsNumber(v))
        return false;
    double d = v->valuedouble;
    if (!(d >= (double)min && d <= (double)max) || d != (double)(int32_t)d)
        return false;
    *out = (int32_t)d;
    return true;
}

/* One LogGroup object (model shape LogGroup). */
static enum lk_status s_log_group(struct lk_ir_state *st, const cJSON *o, const char *region,
                                  struct lk_ir_log_group *g, struct lk_error *err)
{
    LK_ENSURE(cJSON_IsObject(o),
              lk_error_set(err, LK_STATUS_SCHEMA, "a logGroups entry is not an object"));
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(o, "logGroupName");
    LK_ENSURE(cJSON_IsString(name) && name->valuestring[0],
              lk_error_set(err, LK_STATUS_SCHEMA, "a log group has no logGroupName"));
    memset(g, 0, sizeof(*g));
    g->name = lk_ir_strdup(st, name->valuestring);
    g->region = region ? lk_ir_strdup(st, region) : NULL;
    g->exists = true;
    /* "If the retentionInDays value is not included for a log group, then that log group's
     * events do not expire." (model DescribeLogGroupsResponse logGroups;
     * https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_DescribeLogGroups.html).
     * The IR says 0 for "never expire". */
    const cJSON *days = cJSON_GetObjectItemCaseSensitive(o, "retentionInDays");
    LK_ENSURE(!days || cJSON_IsNull(days) || s_int32(days, 1, INT32_MAX, &g->retention_days),
              lk_error_set(err, LK_STATUS_SCHEMA,
                           "log group %.120s: retentionInDays is not a positive integer", g->name));
    const cJSON *kms = cJSON_GetObjectItemCaseSensitive(o, "kmsKeyId");
    if (kms && !cJSON_IsNull(kms)) {
        LK_ENSURE(cJSON_IsString(kms),
                  lk_error_set(err, LK_STATUS_SCHEMA, "log group %.120s: kmsKeyId is not a string",
                               g->name));
        if (kms->valuestring[0])
            g->kms_key_id = lk_ir_strdup(st, kms->valuestring);
    }
    /* deletionProtectionEnabled and logGroupClass (API Reference, LogGroup; newer than
     * botocore 1.29's model): an absent flag is off, an absent class is not reported (UNSET). */
    const cJSON *prot = cJSON_GetObjectItemCaseSensitive(o, "deletionProtectionEnabled");
    if (prot && !cJSON_IsNull(prot)) {
        LK_ENSURE(cJSON_IsBool(prot),
                  lk_error_set(err, LK_STATUS_SCHEMA,
                               "log group %.120s: deletionProtectionEnabled is not a boolean",
                               g->name));
        g->deletion_protection = cJSON_IsTrue(prot);
    }
    const cJSON *cls = cJSON_GetObjectItemCaseSensitive(o, "logGroupClass");
    if (cls && !cJSON_IsNull(cls)) {
        /* A class this build does not know stays UNSET: it is shown as not reported rather
         * than refusing the whole listing. */
        LK_ENSURE(cJSON_IsString(cls),
                  lk_error_set(err, LK_STATUS_SCHEMA,
                               "log group %.120s: logGroupClass is not a string", g->name));
        if (!lk_ir_log_group_class_parse(cls->valuestring, &g->log_group_class))
            g->log_group_class = LK_IR_LOG_CLASS_UNSET;
    }
    return LK_STATUS_OK;
}

enum lk_status lk_logs_parse_describe_log_groups(struct lk_ir_state *st, const char *json,
                                                 size_t len, const char *region,
                                                 struct lk_ir_log_group **groups, size_t *n,
                                                 char **next_token, struct lk_error *err)
{
    enum lk_status rc;
    struct lk_ir_log_group *out = NULL;
    size_t count = 0;
    char *token = NULL;
    struct lk_json_doc doc;
    LK_GUARD_GOTO(rc, lk_json_doc_parse(&doc, json, len, LK_JSON_MAX_BYTES, err), cleanup);
    const cJSON *root = doc.root;
    LK_ENSURE_GOTO(
        rc, cJSON_IsObject(root),
        lk_error_set(err, LK_STATUS_SCHEMA, "DescribeLogGroups response is not a JSON object"),
        cleanup);
    /* A missing list is an empty page (botocore parses absent members as absent). */
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(root, "logGroups");
    if (list && !cJSON_IsNull(list)) {
        LK_ENSURE_GOTO(rc, cJSON_IsArray(list),
                       lk_error_set(err, LK_STATUS_SCHEMA, "logGroups is not a list"), cleanup);
        size_t total = (size_t)cJSON_GetArraySize(list);
        out = total ? lk_arena_alloc(&st->arena, total * sizeof(*out)) : NULL;
        const cJSON *o;
        cJSON_ArrayForEach(o, list)
        {
            LK_GUARD_GOTO(rc, s_log_group(st, o, region, &out[count], err), cleanup);
            count++;
        }
    }
    /* Pagination: output_token nextToken; absent or empty on the last page (paginators-1.json,
     * DescribeLogGroups). */
    const cJSON *next = cJSON_GetObjectItemCaseSensitive(root, "nextToken");
    if (next && !cJSON_IsNull(next)) {
        LK_ENSURE_GOTO(rc, cJSON_IsString(next),
                       lk_error_set(err, LK_STATUS_SCHEMA, "nextToken is not a string"), cleanup);
        if (next->valuestring[0])
            token = lk_ir_strdup(st, next->valuestring);
    }
    *groups = out;
    *n = count;
    *next_token = token;
cleanup:
    lk_json_doc_free(&doc);
    return rc;
}

/* ------------------------------------------------------------------------------ calls */

/* Request bodies are a name and a few members: far below LK_BUF_MAX_REQUEST, unless a caller
 * passes a name AWS would refuse anyway, which lk_svc_json_call() refuses before sending. */
static enum lk_status s_call(struct lk_aws_client *client, const char *op, const char *region,
                             const struct lk_buf *body, struct lk_http_response *resp,
                             struct lk_aws_error *err)
{
    return lk_svc_json_call(client, LK_AWS_LOGS, LOGS_TARGET_PREFIX, op, region, body, resp, err);
}

/* A call whose answer is not read (empty on success); frees @p body. */
static enum lk_status s_call_void(struct lk_aws_client *client, const char *op, const char *region,
                                  struct lk_buf *body, struct lk_aws_error *err)
{
    struct lk_http_response resp = {0};
    enum lk_status rc = s_call(client, op, region, body, &resp, err);
    lk_http_response_free(&resp);
    lk_buf_free(body);
    return rc;
}

/* Starts a request body {"logGroupName": "<name>" and leaves it open for more members. */
static void s_body_name(struct lk_buf *b, const char *name)
{
    lk_buf_init(b, LK_BUF_MAX_REQUEST);
    lk_buf_puts(b, "{\"logGroupName\":");
    lk_json_escape(b, name);
}

enum lk_status lk_logs_create_log_group(struct lk_aws_client *client, const char *name,
                                        const char *region, const char *kms_key_id,
                                        bool if_not_exists, struct lk_aws_error *err)
{
    return lk_logs_create_log_group_in_class(client, name, region, kms_key_id,
                                             LK_IR_LOG_CLASS_UNSET, if_not_exists, err);
}

enum lk_status lk_logs_create_log_group_in_class(struct lk_aws_client *client, const char *name,
                                                 const char *region, const char *kms_key_id,
                                                 enum lk_ir_log_group_class log_group_class,
                                                 bool if_not_exists, struct lk_aws_error *err)
{
    struct lk_buf body;
    s_body_name(&body, name);
    if (kms_key_id) {
        lk_buf_puts(&body, ",\"kmsKeyId\":");
        lk_json_escape(&body, kms_key_id);
    }
    const char *cls = lk_ir_log_group_class_api(log_group_class); /* NULL: the service's default */
    if (cls) {
        lk_buf_puts(&body, ",\"logGroupClass\":");
        lk_json_escape(&body, cls);
    }
    lk_buf_putc(&body, '}');
    enum lk_status rc = s_call_void(client, "CreateLogGroup", region, &body, err);
    /* "ResourceAlreadyExistsException: The specified resource already exists." (API Reference,
     * CreateLogGroup errors): the wanted outcome when creating idempotently. */
    if (rc != LK_STATUS_OK && if_not_exists && err->code &&
        !strcmp(err->code, "ResourceAlreadyExistsException")) {
        lk_aws_error_clear(err);
        rc = LK_STATUS_OK;
    }
    return rc;
}

enum lk_status lk_logs_delete_log_group(struct lk_aws_client *client, const char *name,
                                        const char *region, struct lk_aws_error *err)
{
    struct lk_buf body;
    s_body_name(&body, name);
    lk_buf_putc(&body, '}');
    return s_call_void(client, "DeleteLogGroup", region, &body, err);
}

enum lk_status lk_logs_put_deletion_protection(struct lk_aws_client *client, const char *name,
                                               const char *region, bool enabled,
                                               struct lk_aws_error *err)
{
    /* PutLogGroupDeletionProtection: {"logGroupIdentifier", "deletionProtectionEnabled"}, both
     * required; the identifier is a name or an ARN (API Reference). */
    struct lk_buf body;
    lk_buf_init(&body, LK_BUF_MAX_REQUEST);
    lk_buf_puts(&body, "{\"logGroupIdentifier\":");
    lk_json_escape(&body, name);
    lk_buf_printf(&body, ",\"deletionProtectionEnabled\":%s}", enabled ? "true" : "false");
    return s_call_void(client, "PutLogGroupDeletionProtection", region, &body, err);
}

enum lk_status lk_logs_associate_kms_key(struct lk_aws_client *client, const char *name,
                                         const char *region, const char *kms_key_arn,
                                         struct lk_aws_error *err)
{
    struct lk_buf body;
    s_body_name(&body, name);
    lk_buf_puts(&body, ",\"kmsKeyId\":");
    lk_json_escape(&body, kms_key_arn);
    lk_buf_putc(&body, '}');
    return s_call_void(client, "AssociateKmsKey", region, &body, err);
}

enum lk_status lk_logs_put_retention(struct lk_aws_client *client, const char *name,
                                     const char *region, int32_t days, struct lk_aws_error *err)
{
    struct lk_buf body;
    s_body_name(&body, name);
    lk_buf_printf(&body, ",\"retentionInDays\":%d}", (int)days);
    return s_call_void(client, "PutRetentionPolicy", region, &body, err);
}

enum lk_status lk_logs_delete_retention(struct lk_aws_client *client, const char *name,
                                        const char *region, struct lk_aws_error *err)
{
    struct lk_buf body;
    s_body_name(&body, name);
    lk_buf_putc(&body, '}');
    return s_call_void(client, "DeleteRetentionPolicy", region, &body, err);
}

/* lk_logs_describe_log_groups_pages()'s callback behind the _more one. */
struct s_pages_adapter {
    bool (*on_page)(void *ctx, const struct lk_ir_log_group *groups, size_t n);
    void *ctx;
};

static bool s_adapt_page(void *ctx, const struct lk_ir_log_group *groups, size_t n, bool more)
{
    (void)more;
    struct s_pages_adapter *a = ctx;
    return a->on_page(a->ctx, groups, n);
}

enum lk_status lk_logs_describe_log_groups_pages(
    struct lk_aws_client *client, const struct lk_logs_query *q, struct lk_ir_state *st,
    bool (*on_page)(void *ctx, const struct lk_ir_log_group *groups, size_t n), void *ctx,
    struct lk_aws_error *err)
{
    struct s_pages_adapter a = {on_page, ctx};
    return lk_logs_describe_log_groups_pages_more(client, q, st, s_adapt_page, &a, err);
}

enum lk_status lk_logs_describe_log_groups_pages_more(
    struct lk_aws_client *client, const struct lk_logs_query *q, struct lk_ir_state *st,
    bool (*on_page)(void *ctx, const struct lk_ir_log_group *groups, size_t n, bool more),
    void *ctx, struct lk_aws_error *err)
{
    static const char op[] = "DescribeLogGroups";
    struct lk_http_response resp = {0};
    struct lk_buf body;
    struct lk_error why = {0};
    char *token = NULL;
    enum lk_status rc = LK_STATUS_OK;
    lk_buf_init(&body, LK_BUF_MAX_REQUEST);
    const char *region = q->region ? q->region : client->cfg.region;
    /* "logGroupNamePrefix and logGroupNamePattern are mutually exclusive. Only one of these
     * parameters can be passed." (model DescribeLogGroupsRequest); both have a minimum length
     * of 1, so an empty one is left out. */
    LK_ENSURE_GOTO(
        rc, !(q->prefix && q->pattern),
        lk_svc_result(
            lk_aws_error_invalid(
                err, op, "logGroupNamePrefix and logGroupNamePattern are mutually exclusive"),
            err),
        cleanup);
    int limit = q->limit > 0 && q->limit <= LK_LOGS_PAGE_MAX ? q->limit : LK_LOGS_PAGE_MAX;
    for (int page = 0;; page++) {
        LK_ENSURE_GOTO(
            rc, page < LK_LOGS_MAX_PAGES,
            lk_svc_result(
                lk_aws_error_malformed(err, op, &resp, "DescribeLogGroups did not stop paginating"),
                err),
            cleanup);
        lk_buf_free(&body);
        lk_buf_puts(&body, "{");
        if (q->prefix && q->prefix[0]) {
            lk_buf_puts(&body, "\"logGroupNamePrefix\":");
            lk_json_escape(&body, q->prefix);
            lk_buf_putc(&body, ',');
        } else if (q->pattern && q->pattern[0]) {
            lk_buf_puts(&body, "\"logGroupNamePattern\":");
            lk_json_escape(&body, q->pattern);
            lk_buf_putc(&body, ',');
        }
        if (token) {
            lk_buf_puts(&body, "\"nextToken\":");
            lk_json_escape(&body, token);
            lk_buf_putc(&body, ',');
        }
        lk_buf_printf(&body, "\"limit\":%d}", limit);

        lk_http_response_free(&resp);
        LK_GUARD_GOTO(rc, s_call(client, op, q->region, &body, &resp, err), cleanup);
        struct lk_ir_log_group *groups = NULL;
        size_t n = 0;
        char *next = NULL;
        LK_ENSURE_GOTO(
            rc,
            lk_logs_parse_describe_log_groups(st, (const char *)resp.body, resp.body_len, region,
                                              &groups, &n, &next, &why) == LK_STATUS_OK,
            lk_svc_result(lk_aws_error_malformed(err, op, &resp, why.message), err), cleanup);
        if (!on_page(ctx, groups, n, next != NULL && next[0] != '\0') || !next)
            break;
        /* A token handed back unchanged would page forever. */
        LK_ENSURE_GOTO(rc, !token || strcmp(token, next) != 0,
                       lk_svc_result(lk_aws_error_malformed(
                                         err, op, &resp,
                                         "DescribeLogGroups returned the same nextToken twice"),
                                     err),
                       cleanup);
        token = next;
    }
cleanup:
    lk_buf_free(&body);
    lk_http_response_free(&resp);
    return rc;
}

/* Collects pages into one arena array, optionally keeping only the names matching a pattern. */
struct s_collect {
    struct lk_ir_state *st;
    const char *pattern; /* NULL keeps all */
    struct lk_ir_log_group *items;
    size_t n, cap;
};

static bool s_collect_page(void *ctx, const struct lk_ir_log_group *groups, size_t n)
{
    struct s_collect *c = ctx;
    for (size_t i = 0; i < n; i++) {
        if (c->pattern && !lk_logs_pattern_match(c->pattern, groups[i].name))
            continue;
        LK_ARENA_ARRAY_GROW(&c->st->arena, c->items, c->n, c->cap);
        c->items[c->n++] = groups[i];
    }
    return true;
}

enum lk_status lk_logs_describe_log_groups(struct lk_aws_client *client,
                                           const struct lk_logs_query *q, struct lk_ir_state *st,
                                           struct lk_ir_log_group **out, size_t *n_out,
                                           struct lk_aws_error *err)
{
    struct s_collect c = {.st = st};
    *out = NULL;
    *n_out = 0;
    LK_GUARD(lk_logs_describe_log_groups_pages(client, q, st, s_collect_page, &c, err));
    *out = c.items;
    *n_out = c.n;
    return LK_STATUS_OK;
}

bool lk_logs_pattern_match(const char *pattern, const char *name)
{
    return lk_glob_match_c(pattern, name, 0);
}

size_t lk_logs_pattern_prefix_len(const char *pattern)
{
    return lk_glob_literal_prefix_len(lk_str_c(pattern), 0);
}

enum lk_status lk_logs_expand_pattern(struct lk_aws_client *client, const char *pattern,
                                      const char *region, struct lk_ir_state *st,
                                      struct lk_ir_log_group **out, size_t *n_out,
                                      struct lk_aws_error *err)
{
    struct s_collect c = {.st = st, .pattern = pattern};
    struct lk_logs_query q = {0};
    *out = NULL;
    *n_out = 0;
    size_t plen = lk_logs_pattern_prefix_len(pattern);
    /* An empty prefix is not a valid logGroupNamePrefix (minimum length 1): list everything. */
    q.prefix = plen ? lk_ir_strndup(st, pattern, plen) : NULL;
    q.region = region;
    LK_GUARD(lk_logs_describe_log_groups_pages(client, &q, st, s_collect_page, &c, err));
    *out = c.items;
    *n_out = c.n;
    return LK_STATUS_OK;
}
