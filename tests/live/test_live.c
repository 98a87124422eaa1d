/*
 * Integration tests of the live-state reader (runtime/live.c) against the local AWS endpoint
 * (tests/aws-endpoint), over real HTTP with SigV4 signatures verified by the endpoint.
 *
 * Run by tests/live/run, which starts the endpoint and sets AWS_ACCESS_KEY_ID,
 * AWS_SECRET_ACCESS_KEY, AWS_REGION, AWS_ENDPOINT_URL and LK_SRCDIR. Every test starts from an
 * empty endpoint (POST /_admin/reset) holding only the quickstart's KMS key (logkeep never creates
 * keys), and builds what it needs.
 */
#include "../unit/lk_test.h"

#include <check.h>
#include <cjson/cJSON.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "../services/svc_test.h"
#include "runtime/apply.h"
#include "runtime/services/cloudtrail.h"
#include "runtime/transport/credentials.h"
#include "runtime/transport/ratelimit.h"
#include "runtime/diff/diff.h"
#include "compiler/emit.h"
#include "runtime/live.h"
#include "runtime/services/kms.h"
#include "runtime/services/logs.h"
#include "compiler/lower.h"
#include "runtime/report.h"
#include "runtime/services/s3.h"

#define ACCOUNT "111122223333"

static struct lk_aws_client g_client;
static struct lk_http_vtable g_transport; /* the client's transport, to check it is restored */
static struct lk_ir_state *g_desired;     /* lk_lower() of examples/quickstart */
static struct lk_policy *g_policy;
static struct lk_artifacts g_arts; /* lk_emit_all() of g_desired */

static void s_fail_err(const char *what, const struct lk_aws_error *err)
{
    char buf[1024];
    lk_aws_error_format(err, buf, sizeof(buf));
    ck_abort_msg("%s: %s", what, buf);
}

#define OK(call, err)                                                                              \
    do {                                                                                           \
        if ((call) != 0)                                                                           \
            s_fail_err(#call, &(err));                                                             \
        ck_assert_ptr_null((err).code);                                                            \
    } while (0)

static int64_t s_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ------------------------------------------------------------------------------ admin API */

/* Sends one admin request (unsigned JSON on loopback). @return the parsed answer (or NULL when
 * it is not JSON); @p status receives the HTTP status. */
static cJSON *s_admin(const char *method, const char *path, const char *json, long *status)
{
    const char *base = getenv("AWS_ENDPOINT_URL");
    ck_assert_ptr_nonnull(base);
    char url[512];
    snprintf(url, sizeof(url), "%s%s", base, path);
    char ct_name[] = "Content-Type", ct_value[] = "application/json";
    struct lk_http_header h = {ct_name, ct_value};
    struct lk_http_request req = {0};
    req.method = method;
    req.url = url;
    req.headers = &h;
    req.n_headers = 1;
    req.body = (const unsigned char *)json;
    req.body_len = json ? strlen(json) : 0;
    struct lk_http_response resp = {0};
    int rc = g_transport.perform(g_transport.impl, &req, &resp);
    ck_assert_msg(rc == LK_STATUS_OK, "admin %s: %s", path, resp.error.message);
    if (status)
        *status = resp.status;
    cJSON *out = resp.body ? cJSON_Parse((const char *)resp.body) : NULL;
    lk_http_response_free(&resp);
    return out;
}

static void s_admin_post(const char *path, const char *json)
{
    long status = 0;
    cJSON *j = s_admin("POST", path, json, &status);
    ck_assert_msg(status == 200, "POST %s: HTTP %ld", path, status);
    cJSON_Delete(j);
}

/* Requests the endpoint answered since the last log reset for @p service (NULL: all) and
 * @p operation (NULL: all operations of the service). */
static long s_logged(const char *service, const char *operation)
{
    cJSON *log = s_admin("GET", "/_admin/log?limit=0", NULL, NULL);
    ck_assert_ptr_nonnull(log);
    long n = 0;
    const cJSON *svc;
    cJSON_ArrayForEach(svc, cJSON_GetObjectItem(log, "counts_by_service"))
    {
        if (service && strcmp(svc->string, service) != 0)
            continue;
        const cJSON *op;
        cJSON_ArrayForEach(op, svc)
        {
            if (!operation || !strcmp(op->string, operation))
                n += (long)op->valuedouble;
        }
    }
    cJSON_Delete(log);
    return n;
}

/* ------------------------------------------------------------------------------ fixtures */

/* The key policy KMS gives a key created without one: the account's root may do everything,
 * which delegates to IAM (AWS KMS Developer Guide, "Default key policy"). */
#define S_DEFAULT_KEY_POLICY                                                                       \
    "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"Enable IAM User Permissions\","         \
    "\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::" ACCOUNT ":root\"},"              \
    "\"Action\":\"kms:*\",\"Resource\":\"*\"}]}"

/* Every key the quickstart names, as it exists before any apply: with the default key policy
 * (POST /_admin/state?mode=merge, the "keys" of tests/aws-endpoint/awsendpoint/state.py). */
static void s_seed_keys(void)
{
    cJSON *state = cJSON_CreateObject();
    cJSON *keys = cJSON_AddObjectToObject(state, "keys");
    for (size_t i = 0; i < g_desired->n_keys; i++) {
        cJSON *k = cJSON_AddObjectToObject(keys, g_desired->keys[i].arn);
        cJSON_AddStringToObject(k, "policy", S_DEFAULT_KEY_POLICY);
        cJSON_AddStringToObject(k, "owner", ACCOUNT);
        cJSON_AddStringToObject(k, "region", g_desired->keys[i].region);
    }
    char *json = cJSON_PrintUnformatted(state);
    ck_assert_ptr_nonnull(json);
    s_admin_post("/_admin/state?mode=merge", json);
    cJSON_free(json);
    cJSON_Delete(state);
}

static void s_setup(void)
{
    struct lk_aws_error err = {0};
    ck_assert_int_eq(lk_live_client_new(NULL, &g_client, &err), 0);
    g_transport = g_client.http;
    s_admin_post("/_admin/reset", "{}");
    s_seed_keys();
}

static void s_teardown(void)
{
    lk_aws_client_free(&g_client);
}

static int s_load_policy(void)
{
    char *dir = lk_svc_srcpath("examples/quickstart");
    const char *paths[1] = {dir};
    const char *bad = NULL;
    g_policy = lk_policy_new();
    if (lk_policy_load_paths(g_policy, paths, 1, &bad) != 0) {
        fprintf(stderr, "test_live: cannot read %s\n", bad ? bad : dir);
        free(dir);
        return -1;
    }
    free(dir);
    lk_policy_check(g_policy);
    g_desired = lk_lower(g_policy);
    lk_artifacts_init(&g_arts);
    if (lk_emit_all(g_desired, &g_arts) != LK_STATUS_OK) {
        fprintf(stderr, "test_live: cannot emit the artifacts\n");
        return -1;
    }
    return 0;
}

static void s_unload_policy(void)
{
    lk_artifacts_free(&g_arts);
    lk_ir_state_free(g_desired);
    lk_policy_free(g_policy);
}

static const struct lk_artifact *s_artifact(const char *fmt, const char *name)
{
    char path[512];
    snprintf(path, sizeof(path), fmt, name);
    const struct lk_artifact *a = lk_artifacts_find(&g_arts, path);
    ck_assert_msg(a != NULL, "no artifact %s", path);
    return a;
}

/* The value of an extra request header of an artifact ("Name: value\n" lines), or NULL. */
static char *s_artifact_header(const struct lk_artifact *a, const char *name, char *buf, size_t len)
{
    size_t nlen = strlen(name);
    for (const char *p = a->headers; p && *p;) {
        const char *eol = strchr(p, '\n');
        size_t l = eol ? (size_t)(eol - p) : strlen(p);
        if (l > nlen + 1 && !strncasecmp(p, name, nlen) && p[nlen] == ':') {
            const char *v = p + nlen + 1;
            while (*v == ' ')
                v++;
            snprintf(buf, len, "%.*s", (int)(l - (size_t)(v - p)), v);
            return buf;
        }
        p = eol ? eol + 1 : p + l;
    }
    return NULL;
}

/* Applies the S3 artifacts of one desired bucket, as `logkeep apply` would. */
static void s_apply_bucket(const struct lk_ir_bucket *b)
{
    struct lk_aws_error err = {0};
    const struct lk_artifact *a;
    OK(lk_s3_create_bucket(&g_client, b->name, b->region, b->object_lock.enabled, &err), err);
    a = s_artifact("s3/%s/versioning.xml", b->name);
    OK(lk_s3_put_versioning(&g_client, b->name, b->region, a->content, a->len, &err), err);
    a = s_artifact("s3/%s/lifecycle.xml", b->name);
    char hv[128];
    enum lk_ir_transition_min_size tms;
    ck_assert(lk_s3_transition_min_size_parse(
        s_artifact_header(a, "x-amz-transition-default-minimum-object-size", hv, sizeof(hv)),
        &tms));
    OK(lk_s3_put_lifecycle(&g_client, b->name, b->region, a->content, a->len, tms, &err), err);
    a = s_artifact("s3/%s/policy.json", b->name);
    OK(lk_s3_put_policy(&g_client, b->name, b->region, a->content, a->len, &err), err);
    a = s_artifact("s3/%s/public-access-block.xml", b->name);
    OK(lk_s3_put_public_access_block(&g_client, b->name, b->region, a->content, a->len, &err), err);
    a = s_artifact("s3/%s/encryption.xml", b->name);
    OK(lk_s3_put_encryption(&g_client, b->name, b->region, a->content, a->len, &err), err);
    if (b->object_lock.enabled) {
        a = s_artifact("s3/%s/object-lock.xml", b->name);
        OK(lk_s3_put_object_lock(&g_client, b->name, b->region, a->content, a->len, &err), err);
    }
}

/* Applies the retention artifact of the policy's region: exact names are created first, and
 * @p pattern_groups (which each desired pattern is expected to match) too. Deletion protection
 * is turned on where the policy wants it, as apply does (PutLogGroupDeletionProtection: the
 * artifact does not carry it). */
static void s_apply_retention(const char *const *pattern_groups, size_t n_pattern_groups)
{
    struct lk_aws_error err = {0};
    for (size_t i = 0; i < g_desired->n_log_groups; i++)
        if (!g_desired->log_groups[i].pattern)
            OK(lk_logs_create_log_group(&g_client, g_desired->log_groups[i].name, NULL, NULL, true,
                                        &err),
               err);
    for (size_t i = 0; i < n_pattern_groups; i++)
        OK(lk_logs_create_log_group(&g_client, pattern_groups[i], NULL, NULL, true, &err), err);

    const struct lk_artifact *a = s_artifact("logs/%s/retention.json", g_desired->region);
    cJSON *ret = cJSON_Parse(a->content);
    ck_assert_ptr_nonnull(ret);
    const cJSON *o;
    cJSON_ArrayForEach(o, cJSON_GetObjectItem(ret, "log_groups"))
    {
        const cJSON *in = cJSON_GetObjectItem(o, "input");
        const char *name = cJSON_GetObjectItem(in, "logGroupName")->valuestring;
        const cJSON *days = cJSON_GetObjectItem(in, "retentionInDays");
        if (days)
            OK(lk_logs_put_retention(&g_client, name, NULL, days->valueint, &err), err);
        else
            OK(lk_logs_delete_retention(&g_client, name, NULL, &err), err);
    }
    cJSON_ArrayForEach(o, cJSON_GetObjectItem(ret, "patterns"))
    {
        const char *pattern = cJSON_GetObjectItem(o, "pattern")->valuestring;
        int days = cJSON_GetObjectItem(o, "retentionInDays")->valueint;
        for (size_t i = 0; i < n_pattern_groups; i++) {
            if (!lk_logs_pattern_match(pattern, pattern_groups[i]))
                continue;
            if (days > 0)
                OK(lk_logs_put_retention(&g_client, pattern_groups[i], NULL, days, &err), err);
            else
                OK(lk_logs_delete_retention(&g_client, pattern_groups[i], NULL, &err), err);
        }
    }
    cJSON_Delete(ret);

    for (size_t i = 0; i < g_desired->n_log_groups; i++) {
        const struct lk_ir_log_group *g = &g_desired->log_groups[i];
        if (!g->deletion_protection)
            continue;
        if (!g->pattern)
            OK(lk_logs_put_deletion_protection(&g_client, g->name, NULL, true, &err), err);
        for (size_t k = 0; g->pattern && k < n_pattern_groups; k++)
            if (lk_logs_pattern_match(g->name, pattern_groups[k]))
                OK(lk_logs_put_deletion_protection(&g_client, pattern_groups[k], NULL, true, &err),
                   err);
    }
}

/* Applies kms/<key-id>/key-policy.json as apply does: logkeep's statements replace its own in
 * the live key policy, every other statement is kept (PutKeyPolicy replaces the whole document,
 * AWS KMS API Reference). */
static void s_apply_key(const struct lk_ir_key *k)
{
    struct lk_aws_error err = {0};
    const char *key_id = NULL;
    ck_assert(lk_kms_parse_key_arn(k->arn, NULL, 0, &key_id));
    const struct lk_artifact *a = s_artifact("kms/%s/key-policy.json", key_id);
    struct lk_ir_state *st = lk_ir_state_new();
    char *live = NULL, *merged = NULL;
    OK(lk_kms_get_key_policy(&g_client, k->arn, st, &live, &err), err);
    size_t n_foreign = 0;
    char why[256] = "";
    ck_assert_msg(lk_apply_merge_policy(live, a->content, a->len, &merged, &n_foreign, why,
                                        sizeof(why)) == LK_STATUS_OK,
                  "%s", why);
    ck_assert_ptr_nonnull(merged);
    OK(lk_kms_put_key_policy(&g_client, k->arn, merged, &err), err);
    free(merged);
    lk_ir_state_free(st);
}

/* The statements of @p p that logkeep owns (lk_ir_sid_owned()), in @p out (statements: free()).
 * @return the number of the others. */
static size_t s_owned_statements(const struct lk_ir_bucket_policy *p,
                                 struct lk_ir_bucket_policy *out)
{
    *out = *p;
    out->statements = lk_xcalloc(p->n_statements ? p->n_statements : 1, sizeof(*out->statements));
    out->n_statements = 0;
    for (size_t i = 0; i < p->n_statements; i++)
        if (lk_ir_sid_owned(p->statements[i].sid))
            out->statements[out->n_statements++] = p->statements[i];
    return p->n_statements - out->n_statements;
}

/* CreateTrail (after the bucket policy is in place), PutEventSelectors, Start/StopLogging. */
static void s_apply_trail(const struct lk_ir_trail *t)
{
    struct lk_aws_error err = {0};
    const struct lk_artifact *a = s_artifact("cloudtrail/%s.json", t->name);
    OK(lk_cloudtrail_send_artifact_section(&g_client, a->content, a->len, "CreateTrail",
                                           t->home_region, &err),
       err);
    OK(lk_cloudtrail_send_artifact_section(&g_client, a->content, a->len, "PutEventSelectors",
                                           t->home_region, &err),
       err);
    OK(lk_cloudtrail_send_artifact_section(&g_client, a->content, a->len,
                                           t->is_logging ? "StartLogging" : "StopLogging",
                                           t->home_region, &err),
       err);
}

/* Reads with the given options; asserts success and that the caller's transport is back. */
static void s_read_ok(const struct lk_ir_state *desired, const struct lk_live_options *opts,
                      struct lk_ir_state **live, struct lk_live_report *report)
{
    struct lk_aws_error err = {0};
    *live = lk_ir_state_new();
    if (lk_live_read(&g_client, desired, opts, *live, report, &err) != 0) {
        char buf[1024];
        lk_live_error_format(report, &err, buf, sizeof(buf));
        lk_aws_error_clear(&err);
        ck_abort_msg("lk_live_read: %s", buf);
    }
    ck_assert_ptr_null(err.code);
    ck_assert(g_client.http.perform == g_transport.perform);
    ck_assert(g_client.http.impl == g_transport.impl);
    ck_assert_str_eq((*live)->account, ACCOUNT);
    ck_assert_str_eq(report->account, ACCOUNT);
}

static const struct lk_ir_bucket *s_live_bucket(const struct lk_ir_state *live, const char *name)
{
    for (size_t i = 0; i < live->n_buckets; i++)
        if (!strcmp(live->buckets[i].name, name))
            return &live->buckets[i];
    return NULL;
}

static const struct lk_ir_trail *s_live_trail(const struct lk_ir_state *live, const char *name)
{
    for (size_t i = 0; i < live->n_trails; i++)
        if (!strcmp(live->trails[i].name, name))
            return &live->trails[i];
    return NULL;
}

static const struct lk_ir_log_group *s_live_group(const struct lk_ir_state *live, const char *name)
{
    for (size_t i = 0; i < live->n_log_groups; i++)
        if (!strcmp(live->log_groups[i].name, name))
            return &live->log_groups[i];
    return NULL;
}

/* A desired state of @p n buckets named PREFIX00.., in us-east-1. */
static struct lk_ir_state *s_desired_buckets(const char *prefix, size_t n)
{
    struct lk_ir_state *st = lk_ir_state_new();
    st->account = lk_ir_strdup(st, ACCOUNT);
    st->region = lk_ir_strdup(st, "us-east-1");
    st->partition = lk_ir_strdup(st, "aws");
    st->buckets = lk_arena_alloc(&st->arena, (n ? n : 1) * sizeof(*st->buckets));
    for (size_t i = 0; i < n; i++) {
        st->buckets[i].name = lk_ir_printf(st, "%s%02zu", prefix, i);
        st->buckets[i].region = lk_ir_strdup(st, "us-east-1");
    }
    st->n_buckets = n;
    return st;
}

static void s_add_pattern(struct lk_ir_state *st, const char *pattern, int32_t days)
{
    struct lk_ir_log_group *g = lk_arena_alloc(&st->arena, (st->n_log_groups + 1) * sizeof(*g));
    if (st->n_log_groups)
        memcpy(g, st->log_groups, st->n_log_groups * sizeof(*g));
    struct lk_ir_log_group *n = &g[st->n_log_groups];
    n->name = lk_ir_strdup(st, pattern);
    n->pattern = strchr(pattern, '*') != NULL;
    n->region = lk_ir_strdup(st, "us-east-1");
    n->retention_days = days;
    st->log_groups = g;
    st->n_log_groups++;
}

/* Progress calls, to check their order. */
struct s_progress {
    size_t calls, last_done, total;
    bool decreasing;
};

static void s_on_progress(void *ctx, const struct lk_live_progress *lp)
{
    size_t done = lp->done, total = lp->total;
    struct s_progress *p = ctx;
    if (p->calls && done < p->last_done)
        p->decreasing = true;
    p->calls++;
    p->last_done = done;
    p->total = total;
}

/* ------------------------------------------------------------------------------ tests */

/* Nothing applied yet: every bucket and trail reads as missing, every configuration absent,
 * the exact log group as missing, the key with its default policy only; none of it is an
 * error. */
START_TEST(test_quickstart_before_apply)
{
    struct lk_ir_state *live;
    struct lk_live_report report;
    struct lk_live_options opts = {0};
    opts.new_client = lk_live_client_new;
    opts.expected_account = g_desired->account;
    s_admin_post("/_admin/log/reset", "{}");
    s_read_ok(g_desired, &opts, &live, &report);

    ck_assert_uint_eq(live->n_buckets, g_desired->n_buckets);
    for (size_t i = 0; i < g_desired->n_buckets; i++) {
        const struct lk_ir_bucket *b = s_live_bucket(live, g_desired->buckets[i].name);
        ck_assert_ptr_nonnull(b);
        ck_assert(!b->exists);
        ck_assert(!b->lifecycle.present);
        ck_assert(!b->policy.present);
        ck_assert(!b->public_access_block.present);
        ck_assert(!b->encryption.present);
        ck_assert(!b->object_lock.enabled);
        ck_assert_int_eq(b->versioning, LK_IR_VERSIONING_NEVER);
    }
    ck_assert_uint_eq(live->n_trails, g_desired->n_trails);
    for (size_t i = 0; i < g_desired->n_trails; i++) {
        const struct lk_ir_trail *t = s_live_trail(live, g_desired->trails[i].name);
        ck_assert_ptr_nonnull(t);
        ck_assert(!t->exists);
        ck_assert(!t->is_logging);
        ck_assert_uint_eq(t->n_event_selectors, 0);
    }
    /* The exact name is there, missing; the pattern matches nothing. */
    ck_assert_uint_eq(live->n_log_groups, 1);
    ck_assert_str_eq(live->log_groups[0].name, "/aws/cloudtrail/org-trail");
    ck_assert(!live->log_groups[0].exists);
    ck_assert_str_eq(live->log_groups[0].region, "us-east-1");
    /* The key exists (seeded), with none of logkeep's statements. */
    ck_assert_uint_eq(g_desired->n_keys, 1);
    ck_assert_uint_eq(live->n_keys, 1);
    ck_assert_str_eq(live->keys[0].arn, g_desired->keys[0].arn);
    ck_assert(live->keys[0].exists);
    ck_assert_ptr_null(live->keys[0].error);
    struct lk_ir_bucket_policy owned;
    ck_assert_uint_eq(s_owned_statements(&live->keys[0].policy, &owned), 1);
    ck_assert_uint_eq(owned.n_statements, 0);
    free(owned.statements);

    /* One HeadBucket per bucket, one GetTrail per trail, one page per listing, one
     * GetKeyPolicy per key. */
    ck_assert_uint_eq(report.counts[LK_LIVE_BUCKET].requests, g_desired->n_buckets);
    ck_assert_uint_eq(report.counts[LK_LIVE_TRAIL].requests, g_desired->n_trails);
    ck_assert_uint_eq(report.counts[LK_LIVE_LOG_GROUPS].requests, 2);
    ck_assert_uint_eq(report.counts[LK_LIVE_KEY].requests, g_desired->n_keys);
    ck_assert_int_eq(s_logged("kms", "GetKeyPolicy"), (long)g_desired->n_keys);
    ck_assert_uint_eq(report.requests, report.minimum);
    ck_assert_int_eq(s_logged(NULL, NULL), (long)report.requests);
    ck_assert_int_eq(s_logged("sts", "GetCallerIdentity"), 1);
    ck_assert_uint_eq(report.throttled, 0);
    ck_assert_ptr_null(report.error_context);
    lk_live_report_free(&report);
    lk_ir_state_free(live);
}
END_TEST

/* The quickstart artifacts applied with the service clients, then read: live equals desired
 * for every governed resource, with the fewest requests the APIs allow. */
START_TEST(test_quickstart_round_trip)
{
    static const char *const matches[] = {"/app/payments/api", "/app/payments/web/1"};
    static const char *const others[] = {"/app/paymentsX", "/app/other"};
    struct lk_aws_error err = {0};
    for (size_t i = 0; i < g_desired->n_keys; i++)
        s_apply_key(&g_desired->keys[i]);
    for (size_t i = 0; i < g_desired->n_buckets; i++)
        s_apply_bucket(&g_desired->buckets[i]);
    s_apply_retention(matches, 2);
    for (size_t i = 0; i < 2; i++)
        OK(lk_logs_create_log_group(&g_client, others[i], NULL, NULL, true, &err), err);
    for (size_t i = 0; i < g_desired->n_trails; i++)
        s_apply_trail(&g_desired->trails[i]);

    struct lk_ir_state *live;
    struct lk_live_report report;
    struct lk_live_options opts = {0};
    opts.new_client = lk_live_client_new;
    struct s_progress progress = {0};
    opts.progress = s_on_progress;
    opts.progress_ctx = &progress;
    s_admin_post("/_admin/log/reset", "{}");
    s_read_ok(g_desired, &opts, &live, &report);

    for (size_t i = 0; i < g_desired->n_buckets; i++) {
        const struct lk_ir_bucket *want = &g_desired->buckets[i];
        const struct lk_ir_bucket *got = s_live_bucket(live, want->name);
        ck_assert_ptr_nonnull(got);
        ck_assert(got->exists);
        ck_assert_str_eq(got->region, want->region);
        const char *d = lk_svc_cmp_bucket(want, got);
        ck_assert_msg(d == NULL, "bucket %s: %s", want->name, d);
    }
    for (size_t i = 0; i < g_desired->n_trails; i++) {
        const struct lk_ir_trail *want = &g_desired->trails[i];
        const struct lk_ir_trail *got = s_live_trail(live, want->name);
        ck_assert_ptr_nonnull(got);
        ck_assert(got->exists);
        const char *d = lk_svc_cmp_trail(want, got);
        ck_assert_msg(d == NULL, "trail %s: %s", want->name, d);
    }
    /* Every desired exact group, and every group a desired pattern matches, with the desired
     * retention; nothing else (no discovery asked). */
    size_t governed = 0;
    for (size_t i = 0; i < g_desired->n_log_groups; i++) {
        const struct lk_ir_log_group *want = &g_desired->log_groups[i];
        size_t seen = 0;
        for (size_t k = 0; k < live->n_log_groups; k++) {
            const struct lk_ir_log_group *g = &live->log_groups[k];
            if (want->pattern ? !lk_logs_pattern_match(want->name, g->name)
                              : strcmp(want->name, g->name) != 0)
                continue;
            ck_assert(g->exists);
            ck_assert_msg(g->retention_days == want->retention_days, "%s: %d days, want %d",
                          g->name, g->retention_days, want->retention_days);
            ck_assert(g->deletion_protection == want->deletion_protection);
            seen++;
        }
        ck_assert_uint_eq(seen, want->pattern ? 2 : 1);
        governed += seen;
    }
    ck_assert_uint_eq(live->n_log_groups, governed);
    ck_assert_ptr_null(s_live_group(live, "/app/paymentsX"));
    ck_assert_uint_eq(report.n_unmanaged, 0);
    /* Nothing the IR cannot hold: no bucket or trail reports unmodelled configuration. */
    for (size_t i = 0; i < live->n_buckets; i++) {
        ck_assert_uint_eq(live->buckets[i].unmodelled, 0);
        ck_assert_uint_eq(live->buckets[i].unmodelled_filter_rule_ids.n, 0);
    }
    for (size_t i = 0; i < live->n_trails; i++)
        ck_assert_uint_eq(live->trails[i].unmodelled, 0);
    /* Each key: logkeep's statements as compiled, and the default one kept beside them. */
    ck_assert_uint_eq(live->n_keys, g_desired->n_keys);
    for (size_t i = 0; i < g_desired->n_keys; i++) {
        const struct lk_ir_key *want = &g_desired->keys[i], *got = &live->keys[i];
        ck_assert_str_eq(got->arn, want->arn);
        ck_assert(got->exists);
        ck_assert_ptr_null(got->error);
        struct lk_ir_bucket_policy owned;
        ck_assert_uint_eq(s_owned_statements(&got->policy, &owned), 1);
        const char *d = lk_svc_cmp_policy(&want->policy, &owned);
        free(owned.statements);
        ck_assert_msg(d == NULL, "key %s: %s", want->arn, d);
    }

    /* Requests: 1 STS + per bucket 7 + per trail 3 + one page per listing + per key 1, as the
     * endpoint counted them. */
    ck_assert_int_eq(s_logged("sts", NULL), 1);
    ck_assert_int_eq(s_logged("s3", NULL), (long)(7 * g_desired->n_buckets));
    ck_assert_int_eq(s_logged("s3", "GetBucketLocation"), 0);
    ck_assert_int_eq(s_logged("cloudtrail", NULL), (long)(3 * g_desired->n_trails));
    ck_assert_int_eq(s_logged("cloudtrail", "GetTrailStatus"), (long)g_desired->n_trails);
    ck_assert_int_eq(s_logged("logs", "DescribeLogGroups"), 2);
    ck_assert_int_eq(s_logged("kms", NULL), (long)g_desired->n_keys);
    ck_assert_int_eq(s_logged("kms", "GetKeyPolicy"), (long)g_desired->n_keys);
    ck_assert_int_eq(s_logged(NULL, NULL), (long)report.requests);
    ck_assert_uint_eq(report.requests, report.minimum);
    ck_assert_uint_eq(report.counts[LK_LIVE_BUCKET].requests, 7 * g_desired->n_buckets);
    ck_assert_uint_eq(report.counts[LK_LIVE_KEY].requests, g_desired->n_keys);

    /* Progress: from 0 to every item (each key one), never backwards. */
    size_t items = g_desired->n_buckets + g_desired->n_trails + 2 + g_desired->n_keys;
    ck_assert_uint_ge(progress.calls, 2);
    ck_assert(!progress.decreasing);
    ck_assert_uint_eq(progress.last_done, items);
    ck_assert_uint_eq(progress.total, items);
    lk_live_report_free(&report);
    lk_ir_state_free(live);

    /* The same read on one worker (no client factory) gives the same state. */
    struct lk_ir_state *serial;
    struct lk_live_options one = {0};
    s_read_ok(g_desired, &one, &serial, &report);
    ck_assert_int_eq(report.concurrency, 1);
    ck_assert_uint_eq(serial->n_log_groups, governed);
    ck_assert_uint_eq(serial->n_buckets, g_desired->n_buckets);
    lk_live_report_free(&report);
    lk_ir_state_free(serial);
}
END_TEST

/* A pattern over more than one page, and the log groups no pattern covers. */
START_TEST(test_pattern_pages_and_unmanaged)
{
    struct lk_aws_error err = {0};
    s_admin_post("/_admin/bulk",
                 "{\"log_groups\": [{\"prefix\": \"/app/payments/bulk-\", \"count\": 120, "
                 "\"retention\": 30}, {\"prefix\": \"/unmanaged/\", \"count\": 7}]}");
    OK(lk_logs_create_log_group(&g_client, "/app/paymentsX", NULL, NULL, true, &err), err);

    struct lk_ir_state *live;
    struct lk_live_report report;
    struct lk_live_options opts = {0};
    opts.new_client = lk_live_client_new;
    s_admin_post("/_admin/log/reset", "{}");
    s_read_ok(g_desired, &opts, &live, &report);
    /* 120 matches, and the exact group, missing. */
    ck_assert_uint_eq(live->n_log_groups, 121);
    size_t matched = 0;
    for (size_t i = 0; i < live->n_log_groups; i++) {
        const struct lk_ir_log_group *g = &live->log_groups[i];
        if (!strcmp(g->name, "/aws/cloudtrail/org-trail")) {
            ck_assert(!g->exists);
            continue;
        }
        ck_assert(lk_logs_pattern_match("/app/payments/*", g->name));
        ck_assert_int_eq(g->retention_days, 30);
        ck_assert(g->exists);
        matched++;
        /* Canonical order: by region, then name. */
        ck_assert(i == 0 || strcmp(live->log_groups[i - 1].name, g->name) < 0);
    }
    ck_assert_uint_eq(matched, 120);
    /* "/app/payments/": 3 pages of at most 50; the exact name: 1. */
    ck_assert_int_eq(s_logged("logs", "DescribeLogGroups"), 4);
    ck_assert_uint_eq(report.counts[LK_LIVE_LOG_GROUPS].requests, 4);
    ck_assert_uint_eq(report.counts[LK_LIVE_LOG_GROUPS].minimum, 4);
    ck_assert_uint_eq(report.counts[LK_LIVE_LOG_GROUPS].items, 2);
    ck_assert_uint_eq(report.n_unmanaged, 0);
    lk_live_report_free(&report);
    lk_ir_state_free(live);

    /* With discovery: one listing of the whole region covers the others. */
    opts.discover_unmanaged = true;
    s_admin_post("/_admin/log/reset", "{}");
    s_read_ok(g_desired, &opts, &live, &report);
    ck_assert_uint_eq(report.log_groups_listed, 128);
    ck_assert_uint_eq(live->n_log_groups, 129); /* + the missing exact group */
    ck_assert_int_eq(s_logged("logs", "DescribeLogGroups"), 3);
    ck_assert_uint_eq(report.counts[LK_LIVE_LOG_GROUPS].requests, 3);
    ck_assert_uint_eq(report.counts[LK_LIVE_LOG_GROUPS].items, 1);
    ck_assert_uint_eq(report.n_unmanaged, 8);
    for (size_t i = 0; i < report.n_unmanaged; i++) {
        const struct lk_ir_log_group *g = report.unmanaged[i];
        ck_assert(g >= live->log_groups && g < live->log_groups + live->n_log_groups);
        ck_assert(!strncmp(g->name, "/unmanaged/", 11) || !strcmp(g->name, "/app/paymentsX"));
        ck_assert(g->exists);
        ck_assert_int_eq(g->retention_days, 0);
    }
    ck_assert_uint_eq(report.requests, report.minimum);
    lk_live_report_free(&report);
    lk_ir_state_free(live);
}
END_TEST

/* A bucket a trail can deliver to: created with @p client in @p region, with a policy that lets
 * CloudTrail write anywhere in it. */
static void s_trail_bucket(struct lk_aws_client *client, const char *name, const char *region)
{
    struct lk_aws_error err = {0};
    char policy[1024];
    snprintf(policy, sizeof(policy),
             "{\"Version\":\"2012-10-17\",\"Statement\":["
             "{\"Sid\":\"Acl\",\"Effect\":\"Allow\",\"Principal\":{\"Service\":"
             "\"cloudtrail.amazonaws.com\"},\"Action\":\"s3:GetBucketAcl\","
             "\"Resource\":\"arn:aws:s3:::%s\"},"
             "{\"Sid\":\"Write\",\"Effect\":\"Allow\",\"Principal\":{\"Service\":"
             "\"cloudtrail.amazonaws.com\"},\"Action\":\"s3:PutObject\","
             "\"Resource\":\"arn:aws:s3:::%s/*\"}]}",
             name, name);
    OK(lk_s3_create_bucket(client, name, region, false, &err), err);
    OK(lk_s3_put_policy(client, name, region, policy, strlen(policy), &err), err);
}

/* A trail outside the policy, in @p region, delivering to @p bucket under @p prefix. */
static void s_other_trail(const char *name, const char *region, const char *bucket,
                          const char *prefix, bool multi_region)
{
    struct lk_aws_error err = {0};
    struct lk_ir_state *st = lk_ir_state_new();
    struct lk_ir_trail t;
    memset(&t, 0, sizeof(t));
    t.name = lk_ir_strdup(st, name);
    t.home_region = lk_ir_strdup(st, region);
    t.s3_bucket_name = lk_ir_strdup(st, bucket);
    t.s3_key_prefix = lk_ir_strdup(st, prefix);
    t.include_global_service_events = multi_region;
    t.is_multi_region_trail = multi_region;
    OK(lk_cloudtrail_create_trail(&g_client, &t, &err), err);
    lk_ir_state_free(st);
}

static const struct lk_ir_unmanaged_store *s_live_store(const struct lk_ir_state *live,
                                                        const char *bucket)
{
    for (size_t i = 0; i < live->n_unmanaged_stores; i++)
        if (!strcmp(live->unmanaged_stores[i].bucket, bucket))
            return &live->unmanaged_stores[i];
    return NULL;
}

/* Trails outside the policy and the buckets they deliver to: one DescribeTrails, then
 * HeadBucket and GetBucketLifecycleConfiguration per bucket the policy does not name; a bucket
 * of another account is kept with its refusal, not a failure. */
START_TEST(test_unmanaged_stores)
{
    struct lk_aws_error err = {0};
    for (size_t i = 0; i < g_desired->n_keys; i++)
        s_apply_key(&g_desired->keys[i]);
    for (size_t i = 0; i < g_desired->n_buckets; i++)
        s_apply_bucket(&g_desired->buckets[i]);
    s_apply_retention(NULL, 0);
    for (size_t i = 0; i < g_desired->n_trails; i++)
        s_apply_trail(&g_desired->trails[i]);

    /* No lifecycle, written to by a trail here and by a multi-region trail homed elsewhere
     * (listed here as a shadow). */
    s_trail_bucket(&g_client, "lk-legacy-none", "us-east-1");
    s_other_trail("legacy-none", "us-east-1", "lk-legacy-none", NULL, false);
    s_other_trail("legacy-shadow", "eu-west-1", "lk-legacy-none", "shadow", true);
    /* In another region, with a lifecycle that expires the trail's logs. */
    s_trail_bucket(&g_client, "lk-legacy-expiring", "eu-west-1");
    static const char lifecycle[] =
        "<LifecycleConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Rule>"
        "<ID>expire</ID><Filter><Prefix>old/</Prefix></Filter><Status>Enabled</Status>"
        "<Expiration><Days>365</Days></Expiration></Rule></LifecycleConfiguration>";
    OK(lk_s3_put_lifecycle(&g_client, "lk-legacy-expiring", "eu-west-1", lifecycle,
                           strlen(lifecycle), LK_IR_TMS_UNSPECIFIED, &err),
       err);
    s_other_trail("legacy-expiring", "us-east-1", "lk-legacy-expiring", "old", false);
    /* Another account's bucket (an organisation's log archive, say). */
    char *key = lk_xstrdup(getenv("AWS_ACCESS_KEY_ID")),
         *secret = lk_xstrdup(getenv("AWS_SECRET_ACCESS_KEY"));
    /* The deployer signs with a session (tests/live/run); the other account's user has none. */
    char *token = getenv("AWS_SESSION_TOKEN") ? lk_xstrdup(getenv("AWS_SESSION_TOKEN")) : NULL;
    unsetenv("AWS_SESSION_TOKEN");
    setenv("AWS_ACCESS_KEY_ID", "AKIAI44QH8DHBEXAMPLE", 1);
    setenv("AWS_SECRET_ACCESS_KEY", "je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY", 1);
    struct lk_aws_client other;
    OK(lk_live_client_new(NULL, &other, &err), err);
    s_trail_bucket(&other, "lk-foreign-archive", "us-east-1");
    lk_aws_client_free(&other);
    setenv("AWS_ACCESS_KEY_ID", key, 1);
    setenv("AWS_SECRET_ACCESS_KEY", secret, 1);
    if (token)
        setenv("AWS_SESSION_TOKEN", token, 1);
    free(key);
    free(secret);
    free(token);
    s_other_trail("legacy-foreign", "us-east-1", "lk-foreign-archive", NULL, false);

    /* Without store discovery (plan, apply): no trail listing at all. */
    struct lk_ir_state *live;
    struct lk_live_report report;
    struct lk_live_options opts = {0};
    opts.new_client = lk_live_client_new;
    s_admin_post("/_admin/log/reset", "{}");
    s_read_ok(g_desired, &opts, &live, &report);
    ck_assert_uint_eq(live->n_unmanaged_stores, 0);
    ck_assert_int_eq(s_logged("cloudtrail", "DescribeTrails"), 0);
    ck_assert_uint_eq(report.counts[LK_LIVE_TRAILS].items + report.counts[LK_LIVE_STORE].items, 0);
    lk_live_report_free(&report);
    lk_ir_state_free(live);

    opts.discover_stores = true;
    struct s_progress progress = {0};
    opts.progress = s_on_progress;
    opts.progress_ctx = &progress;
    s_admin_post("/_admin/log/reset", "{}");
    s_read_ok(g_desired, &opts, &live, &report);

    /* The quickstart's own bucket is not one of them; the rest in bucket order. */
    ck_assert_uint_eq(live->n_unmanaged_stores, 3);
    ck_assert_str_eq(live->unmanaged_stores[0].bucket, "lk-foreign-archive");
    ck_assert_str_eq(live->unmanaged_stores[1].bucket, "lk-legacy-expiring");
    ck_assert_str_eq(live->unmanaged_stores[2].bucket, "lk-legacy-none");

    const struct lk_ir_unmanaged_store *u = s_live_store(live, "lk-legacy-none");
    ck_assert(u->exists && !u->lifecycle.present);
    ck_assert_ptr_null(u->error);
    ck_assert_str_eq(u->region, "us-east-1");
    ck_assert_uint_eq(u->n_deliveries, 2);
    ck_assert_str_eq(u->deliveries[0].name, "legacy-shadow"); /* eu-west-1 sorts first */
    ck_assert_str_eq(u->deliveries[0].region, "eu-west-1");
    ck_assert_str_eq(u->deliveries[0].key_prefix, "shadow");
    ck_assert_str_eq(u->deliveries[1].name, "legacy-none");
    ck_assert_ptr_null(u->deliveries[1].key_prefix);
    ck_assert_str_eq(u->deliveries[0].service, "cloudtrail");

    u = s_live_store(live, "lk-legacy-expiring");
    ck_assert(u->exists && u->lifecycle.present && !u->lifecycle_unmodelled);
    ck_assert_str_eq(u->region, "eu-west-1");
    ck_assert_uint_eq(u->lifecycle.n_rules, 1);
    ck_assert_int_eq(u->lifecycle.rules[0].expiration_days, 365);
    ck_assert_uint_eq(u->n_deliveries, 1);

    u = s_live_store(live, "lk-foreign-archive");
    ck_assert(u->exists && !u->lifecycle.present);
    ck_assert_str_eq(u->error, "AccessDenied");

    /* One DescribeTrails (the policy's region is the trail's home region); per bucket HeadBucket
     * and GetBucketLifecycleConfiguration, HeadBucket alone for the refusing one. */
    ck_assert_int_eq(s_logged("cloudtrail", "DescribeTrails"), 1);
    ck_assert_uint_eq(report.counts[LK_LIVE_TRAILS].items, 1);
    ck_assert_uint_eq(report.counts[LK_LIVE_TRAILS].requests, 1);
    ck_assert_uint_eq(report.counts[LK_LIVE_TRAILS].minimum, 1);
    ck_assert_uint_eq(report.counts[LK_LIVE_STORE].items, 3);
    ck_assert_uint_eq(report.counts[LK_LIVE_STORE].requests, 5);
    ck_assert_uint_eq(report.counts[LK_LIVE_STORE].minimum, 5);
    ck_assert_int_eq(s_logged("s3", "HeadBucket"), (long)g_desired->n_buckets + 3);
    ck_assert_int_eq(s_logged("s3", "GetBucketLifecycleConfiguration"),
                     (long)g_desired->n_buckets + 2);
    ck_assert_uint_eq(report.requests, report.minimum);
    ck_assert_int_eq(s_logged(NULL, NULL), (long)report.requests);
    /* Progress counts the bucket reads once the listing named them (and each key read). */
    ck_assert(!progress.decreasing);
    ck_assert_uint_eq(progress.last_done, progress.total);
    ck_assert_uint_eq(report.counts[LK_LIVE_KEY].items, g_desired->n_keys);
    ck_assert_uint_eq(progress.total, report.counts[LK_LIVE_BUCKET].items +
                                          report.counts[LK_LIVE_TRAIL].items +
                                          report.counts[LK_LIVE_LOG_GROUPS].items +
                                          report.counts[LK_LIVE_KEY].items + 1 + 3);

    /* What drift makes of it: the bucket without lifecycle is drift, the refusing one a note,
     * the expiring one nothing. */
    struct lk_diff diff;
    lk_diff_init(&diff);
    ck_assert_int_eq(lk_diff_stores_unmanaged(g_desired, live->unmanaged_stores,
                                              live->n_unmanaged_stores, &diff),
                     LK_STATUS_OK);
    ck_assert_uint_eq(diff.n, 2);
    const struct lk_diff_change *ch =
        lk_diff_find(&diff, LK_DIFF_UNMANAGED_STORE, "lk-legacy-none", "lifecycle");
    ck_assert_ptr_nonnull(ch);
    ck_assert_int_eq(ch->kind, LK_DIFF_EXTRA);
    ch = lk_diff_find(&diff, LK_DIFF_UNMANAGED_STORE, "lk-foreign-archive", "lifecycle");
    ck_assert_ptr_nonnull(ch);
    ck_assert_int_eq(ch->kind, LK_DIFF_NOTE);
    lk_diff_free(&diff);
    lk_live_report_free(&report);
    lk_ir_state_free(live);
}
END_TEST

/* Renders @p d in @p fmt into a heap string (free()). */
static char *s_report(const struct lk_diff *d, const struct lk_report_context *ctx,
                      enum lk_report_format fmt)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(lk_report_render(d, ctx, fmt, f), LK_STATUS_OK);
    fclose(f);
    return text;
}

/* Drift made out of band on the endpoint, read back and diffed: each change names the place of
 * the quickstart's policy.yaml it comes from, in the text (file:line:col, the line, a caret)
 * and in SARIF (the file, region.startLine). */
START_TEST(test_drift_origins)
{
    static const char *const matches[] = {"/app/payments/api"};
    struct lk_aws_error err = {0};
    for (size_t i = 0; i < g_desired->n_keys; i++)
        s_apply_key(&g_desired->keys[i]);
    for (size_t i = 0; i < g_desired->n_buckets; i++)
        s_apply_bucket(&g_desired->buckets[i]);
    s_apply_retention(matches, 1);
    for (size_t i = 0; i < g_desired->n_trails; i++)
        s_apply_trail(&g_desired->trails[i]);
    /* Out of band: the trail's log group kept for 30 days, log file validation off. */
    OK(lk_logs_put_retention(&g_client, "/aws/cloudtrail/org-trail", NULL, 30, &err), err);
    struct lk_ir_trail t = g_desired->trails[0];
    t.enable_log_file_validation = false;
    OK(lk_cloudtrail_update_trail(&g_client, &t, &err), err);

    struct lk_ir_state *live;
    struct lk_live_report report;
    struct lk_live_options opts = {0};
    opts.new_client = lk_live_client_new;
    s_read_ok(g_desired, &opts, &live, &report);
    struct lk_diff diff;
    lk_diff_init(&diff);
    ck_assert_int_eq(lk_diff_states(g_desired, live, &diff), LK_STATUS_OK);
    /* The two changes made out of band, and a note (not drift) for the key policy's statement
     * logkeep does not own (the key's default one), which apply keeps. */
    ck_assert_uint_eq(diff.n, 3);
    const struct lk_diff_change *note =
        lk_diff_find(&diff, LK_DIFF_KEY, g_desired->keys[0].arn,
                     "policy.statement[Enable IAM User Permissions]");
    ck_assert_ptr_nonnull(note);
    ck_assert_int_eq(note->kind, LK_DIFF_NOTE);

    char *dir = lk_svc_srcpath("examples/quickstart");
    char *file = lk_svc_srcpath("examples/quickstart/policy.yaml");
    const char *paths[1] = {dir};
    struct lk_report_context ctx = {0};
    ctx.account = ACCOUNT;
    ctx.region = "us-east-1";
    ctx.policy_paths = paths;
    ctx.n_policy_paths = 1;

    char *text = s_report(&diff, &ctx, LK_REPORT_TEXT);
    char want[2048];
    snprintf(want, sizeof(want),
             "log group /aws/cloudtrail/org-trail (us-east-1):\n"
             "  ~ retention_days: 30 days -> 120 days  [weaker]\n"
             "      %s:48:32\n"
             " 48 |       cloudwatch: { log_group: /aws/cloudtrail/org-trail, role: "
             "arn:aws:iam::111122223333:role/CloudTrailToCWL }\n"
             "    |                                ^~~~~~~~~~~~~~~~~~~~~~~~~\n",
             file);
    ck_assert_msg(strstr(text, want), "%s", text);
    snprintf(want, sizeof(want),
             "  ~ trail.enable_log_file_validation: false -> true  [weaker]\n"
             "      %s:47:28\n"
             " 47 |       log_file_validation: true\n"
             "    |                            ^~~~\n",
             file);
    ck_assert_msg(strstr(text, want), "%s", text);
    free(text);

    text = s_report(&diff, &ctx, LK_REPORT_SARIF);
    cJSON *root = cJSON_Parse(text);
    ck_assert_ptr_nonnull(root);
    const cJSON *results =
        cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(root, "runs"), 0), "results");
    ck_assert_int_eq(cJSON_GetArraySize(results), 3);
    int lines[3];
    const cJSON *r;
    int i = 0;
    cJSON_ArrayForEach(r, results)
    {
        const cJSON *phys = cJSON_GetObjectItem(
            cJSON_GetArrayItem(cJSON_GetObjectItem(r, "locations"), 0), "physicalLocation");
        ck_assert_str_eq(
            cJSON_GetObjectItem(cJSON_GetObjectItem(phys, "artifactLocation"), "uri")->valuestring,
            file);
        lines[i++] =
            cJSON_GetObjectItem(cJSON_GetObjectItem(phys, "region"), "startLine")->valueint;
    }
    /* In the diff's order: log groups before trails before keys; the key's note at the first
     * kms_key that names the key (the store's encryption). */
    ck_assert_int_eq(lines[0], 48);
    ck_assert_int_eq(lines[1], 47);
    ck_assert_int_eq(lines[2], 18);
    const cJSON *last = cJSON_GetArrayItem(results, 2);
    ck_assert_str_eq(cJSON_GetObjectItem(last, "level")->valuestring, "note");
    cJSON_Delete(root);
    free(text);
    free(file);
    free(dir);
    lk_diff_free(&diff);
    lk_live_report_free(&report);
    lk_ir_state_free(live);
}
END_TEST

/* 40 buckets with 20 ms added to every request: eight workers take well under the serial
 * time, with exactly the requests the APIs need. */
START_TEST(test_concurrency_latency)
{
    enum { N = 40, PER_BUCKET = 7, LATENCY_MS = 20 };
    s_admin_post("/_admin/bulk", "{\"buckets\": {\"prefix\": \"lk-conc-\", \"count\": 40}}");
    struct lk_ir_state *desired = s_desired_buckets("lk-conc-", N);
    s_admin_post("/_admin/faults", "{\"kind\": \"latency\", \"latency_ms\": 20, \"count\": null}");
    s_admin_post("/_admin/log/reset", "{}");

    struct lk_ir_state *live;
    struct lk_live_report report;
    struct lk_live_options opts = {0};
    opts.concurrency = 8;
    opts.new_client = lk_live_client_new;
    struct s_progress progress = {0};
    opts.progress = s_on_progress;
    opts.progress_ctx = &progress;
    int64_t t0 = s_now_ms();
    s_read_ok(desired, &opts, &live, &report);
    int64_t elapsed = s_now_ms() - t0;
    int64_t serial = (int64_t)N * PER_BUCKET * LATENCY_MS;
    printf("live: %d buckets, %zu requests, concurrency %d: %" PRId64 " ms (serial latency alone "
           "%" PRId64 " ms, %.0f%%)\n",
           N, report.requests, report.concurrency, elapsed, serial, 100.0 * elapsed / serial);
    ck_assert_msg(elapsed * 10 < serial * 4, "%" PRId64 " ms is not under 40%% of %" PRId64 " ms",
                  elapsed, serial);
    ck_assert_int_eq(report.concurrency, 8);
    ck_assert_int_eq(report.concurrency_final, 8);
    ck_assert_uint_eq(live->n_buckets, N);
    for (size_t i = 0; i < N; i++) {
        ck_assert(live->buckets[i].exists);
        ck_assert_str_eq(live->buckets[i].region, "us-east-1");
        ck_assert(live->buckets[i].encryption.present);
    }
    /* The endpoint's count equals the minimum: HeadBucket + 6 Gets per bucket, no
     * GetBucketLocation (HeadBucket named the region), one GetCallerIdentity. */
    ck_assert_int_eq(s_logged("s3", NULL), N * PER_BUCKET);
    ck_assert_int_eq(s_logged("s3", "HeadBucket"), N);
    ck_assert_int_eq(s_logged("s3", "GetBucketLocation"), 0);
    ck_assert_int_eq(s_logged("s3", "GetBucketPolicy"), N);
    ck_assert_int_eq(s_logged("sts", NULL), 1);
    ck_assert_uint_eq(report.counts[LK_LIVE_BUCKET].requests, N * PER_BUCKET);
    ck_assert_uint_eq(report.counts[LK_LIVE_BUCKET].minimum, N * PER_BUCKET);
    ck_assert_uint_eq(report.requests, report.minimum);
    ck_assert(!progress.decreasing);
    ck_assert_uint_eq(progress.last_done, N);
    ck_assert_uint_eq(progress.total, N);
    lk_live_report_free(&report);
    lk_ir_state_free(live);
    lk_ir_state_free(desired);
}
END_TEST

/* A large region is read as partitions (live.c s_split), not one chain of pages: every group
 * once, the same state as one chain, and the requests within the stated bound of the minimum
 * one chain needs. The names spread over several first characters and depths, including
 * names that are a prefix of others and every kind of name character. */
START_TEST(test_partitioned_listing)
{
    enum { LATENCY_MS = 5 };
    s_admin_post("/_admin/bulk",
                 "{\"log_groups\": ["
                 "{\"prefix\": \"/app/team-0/\", \"count\": 1500, \"retention\": 30},"
                 "{\"prefix\": \"/app/team-1/\", \"count\": 700},"
                 "{\"prefix\": \"/app/team-1\", \"count\": 3},"
                 "{\"prefix\": \"/aws/lambda/fn-\", \"count\": 900, \"retention\": 7},"
                 "{\"prefix\": \"API-Gateway-Execution-Logs_\", \"count\": 260},"
                 "{\"names\": [\"#hash\", \"-dash\", \".dot\", \"_under\", \"z\", \"zz.Z-_#/9\","
                 " \"/app\", \"/app/team-0\", \"/app/team-0/\"]}]}");
    const size_t total = 1500 + 700 + 3 + 900 + 260 + 9;
    struct lk_ir_state *desired = s_desired_buckets("lk-none-", 0);
    s_add_pattern(desired, "/app/team-0/*", 30);
    s_add_pattern(desired, "/aws/lambda/*", 7);
    /* Latency on every request, so that pages take time as they do against AWS. */
    s_admin_post("/_admin/faults", "{\"kind\": \"latency\", \"latency_ms\": 5, \"count\": null}");

    /* One chain: one worker, nothing to split to. */
    struct lk_live_options one = {0};
    one.discover_unmanaged = true;
    one.concurrency = 1;
    one.new_client = lk_live_client_new;
    struct lk_ir_state *chain;
    struct lk_live_report chain_report;
    s_admin_post("/_admin/log/reset", "{}");
    int64_t t0 = s_now_ms();
    s_read_ok(desired, &one, &chain, &chain_report);
    int64_t chain_ms = s_now_ms() - t0;
    const size_t pages = (total + 49) / 50;
    ck_assert_uint_eq(chain_report.partitions, 0);
    ck_assert_uint_eq(chain_report.log_groups_listed, total);
    ck_assert_int_eq(s_logged("logs", "DescribeLogGroups"), (long)pages);
    ck_assert_uint_eq(chain_report.counts[LK_LIVE_LOG_GROUPS].minimum, pages);

    /* Partitioned: eight workers. */
    struct lk_live_options eight = one;
    eight.concurrency = 8;
    struct lk_ir_state *live;
    struct lk_live_report report;
    s_admin_post("/_admin/log/reset", "{}");
    t0 = s_now_ms();
    s_read_ok(desired, &eight, &live, &report);
    int64_t split_ms = s_now_ms() - t0;
    long requests = s_logged("logs", "DescribeLogGroups");
    printf("live: %zu log groups, one chain %zu pages in %" PRId64 " ms; partitioned: %zu "
           "partitions, %ld requests in %" PRId64 " ms, %d workers\n",
           total, pages, chain_ms, report.partitions, requests, split_ms, report.concurrency);
    ck_assert_uint_gt(report.partitions, 0);
    ck_assert_int_gt(report.concurrency, 1);
    /* Every group once, and the same state as the one chain read. */
    ck_assert_uint_eq(report.log_groups_listed, total);
    ck_assert_uint_eq(live->n_log_groups, total);
    for (size_t i = 1; i < live->n_log_groups; i++)
        ck_assert_msg(strcmp(live->log_groups[i - 1].name, live->log_groups[i].name) < 0,
                      "%s before %s", live->log_groups[i - 1].name, live->log_groups[i].name);
    struct lk_ir_mismatch why;
    ck_assert_msg(lk_ir_state_equal(chain, live, 0, &why), "%s", why.text);
    ck_assert_uint_eq(report.n_unmanaged, chain_report.n_unmanaged);
    ck_assert_uint_eq(report.n_unmanaged, total - 1501 - 900); /* "/app/team-0/" matches too */
    /* The requests: the endpoint's count is the report's; the minimum is the one chain's; each
     * partition costs at most one request more than its share of pages (one when empty, or
     * a page that is not full at its end), and so does the listing it was split from (its
     * last page, cut at the partitions). */
    ck_assert_uint_eq(report.counts[LK_LIVE_LOG_GROUPS].requests, (size_t)requests);
    ck_assert_uint_eq(report.counts[LK_LIVE_LOG_GROUPS].minimum, pages);
    ck_assert_uint_le((size_t)requests, pages + 2 * report.partitions);
    /* The split budget (live.c): at most 67 (the name characters) partitions a worker, and at
     * most 67 + 8 x the pages read. */
    ck_assert_uint_le(report.partitions, 67 * 8);
    ck_assert_uint_le(report.partitions, 67 + 8 * (size_t)requests);
    lk_live_report_free(&report);
    lk_live_report_free(&chain_report);
    lk_ir_state_free(live);
    lk_ir_state_free(chain);
    lk_ir_state_free(desired);
}
END_TEST

/* Where the policy's patterns show the names branching (live.c s_split's hints), a long
 * listing splits down to those prefixes at once, while the other workers still have buckets to
 * read: every group is still listed once, the state equals one chain's, and the requests stay
 * within the bound. Names outside the patterns (before, between, after and under them) are
 * listed too. */
START_TEST(test_hinted_partitions)
{
    enum { TEAMS = 10, PER_TEAM = 500, BUCKETS = 40 };
    char body[2048];
    size_t at = (size_t)snprintf(body, sizeof(body),
                                 "{\"buckets\": {\"prefix\": \"lk-hint-\", "
                                 "\"count\": %d}, \"log_groups\": [",
                                 BUCKETS);
    for (int t = 0; t < TEAMS; t++)
        at += (size_t)snprintf(body + at, sizeof(body) - at,
                               "{\"prefix\": \"/t%d/\", \"count\": %d}, ", t, PER_TEAM);
    snprintf(body + at, sizeof(body) - at,
             "{\"names\": [\"/t\", \"/t0\", \"/t5x\", \"/t1z\", \"/tz\", \"/u\", \"zz\", "
             "\"#a\"]}]}");
    s_admin_post("/_admin/bulk", body);
    const size_t total = TEAMS * PER_TEAM + 8;
    struct lk_ir_state *desired = s_desired_buckets("lk-hint-", BUCKETS);
    for (int t = 0; t < TEAMS; t++) {
        char pattern[64];
        snprintf(pattern, sizeof(pattern), "/t%d/*", t);
        s_add_pattern(desired, pattern, 30);
    }
    s_admin_post("/_admin/faults", "{\"kind\": \"latency\", \"latency_ms\": 5, \"count\": null}");

    struct lk_live_options one = {0};
    one.discover_unmanaged = true;
    one.concurrency = 1;
    one.new_client = lk_live_client_new;
    struct lk_ir_state *chain;
    struct lk_live_report chain_report;
    s_admin_post("/_admin/log/reset", "{}");
    s_read_ok(desired, &one, &chain, &chain_report);
    const size_t pages = (total + 49) / 50;
    ck_assert_uint_eq(chain_report.partitions, 0);
    ck_assert_uint_eq(chain_report.log_groups_listed, total);
    ck_assert_int_eq(s_logged("logs", "DescribeLogGroups"), (long)pages);

    struct lk_live_options eight = one;
    eight.concurrency = 8;
    struct lk_ir_state *live;
    struct lk_live_report report;
    s_admin_post("/_admin/log/reset", "{}");
    s_read_ok(desired, &eight, &live, &report);
    long requests = s_logged("logs", "DescribeLogGroups");
    printf("live: %zu log groups under %d patterns, %zu pages; %zu partitions (%zu hinted), %ld "
           "requests\n",
           total, TEAMS, pages, report.partitions, report.partitions_hinted, requests);
    ck_assert_uint_gt(report.partitions_hinted, 0);
    ck_assert_uint_le(report.partitions_hinted, report.partitions);
    ck_assert_uint_eq(report.log_groups_listed, total);
    ck_assert_uint_eq(live->n_log_groups, total);
    for (size_t i = 1; i < live->n_log_groups; i++)
        ck_assert_msg(strcmp(live->log_groups[i - 1].name, live->log_groups[i].name) < 0,
                      "%s before %s", live->log_groups[i - 1].name, live->log_groups[i].name);
    struct lk_ir_mismatch why;
    ck_assert_msg(lk_ir_state_equal(chain, live, 0, &why), "%s", why.text);
    ck_assert_uint_eq(report.n_unmanaged, 8);
    ck_assert_uint_eq(report.counts[LK_LIVE_LOG_GROUPS].requests, (size_t)requests);
    ck_assert_uint_eq(report.counts[LK_LIVE_LOG_GROUPS].minimum, pages);
    ck_assert_uint_le((size_t)requests, pages + 2 * report.partitions);
    ck_assert_uint_le(report.partitions, 67 * 8);
    ck_assert_uint_le(report.partitions, 67 + 8 * (size_t)requests);
    lk_live_report_free(&report);
    lk_live_report_free(&chain_report);
    lk_ir_state_free(live);
    lk_ir_state_free(chain);
    lk_ir_state_free(desired);
}
END_TEST

/* Throttling answers: the read succeeds through retries and the bound on work in flight is
 * halved. */
START_TEST(test_throttling)
{
    enum { N = 24 };
    s_admin_post("/_admin/bulk", "{\"buckets\": {\"prefix\": \"lk-thr-\", \"count\": 24}, "
                                 "\"log_groups\": {\"prefix\": \"/thr/\", \"count\": 75}}");
    struct lk_ir_state *desired = s_desired_buckets("lk-thr-", N);
    s_add_pattern(desired, "/thr/*", 30);
    /* At most two throttles per operation: every call succeeds within its three attempts. */
    s_admin_post("/_admin/faults",
                 "{\"rules\": [{\"kind\": \"throttle\", \"service\": \"s3\", \"operation\": "
                 "\"GetBucketPolicy\", \"count\": 2}, {\"kind\": \"throttle\", \"service\": "
                 "\"s3\", \"operation\": \"HeadBucket\", \"count\": 2}, {\"kind\": \"throttle\", "
                 "\"service\": \"logs\", \"operation\": \"DescribeLogGroups\", \"count\": 2}]}");
    s_admin_post("/_admin/log/reset", "{}");

    struct lk_ir_state *live;
    struct lk_live_report report;
    struct lk_live_options opts = {0};
    opts.concurrency = 8;
    opts.new_client = lk_live_client_new;
    s_read_ok(desired, &opts, &live, &report);
    printf("live: throttled %zu times, %u reductions, concurrency %d -> %d, %zu requests "
           "(minimum %zu), %" PRId64 " ms\n",
           report.throttled, report.reductions, report.concurrency, report.concurrency_final,
           report.requests, report.minimum, report.elapsed_ms);
    ck_assert_uint_eq(live->n_buckets, N);
    for (size_t i = 0; i < N; i++)
        ck_assert(live->buckets[i].exists);
    ck_assert_uint_eq(live->n_log_groups, 75);
    ck_assert_uint_eq(report.throttled, 6);
    ck_assert_uint_eq(report.counts[LK_LIVE_BUCKET].throttled, 4);
    ck_assert_uint_eq(report.counts[LK_LIVE_LOG_GROUPS].throttled, 2);
    ck_assert_uint_ge(report.reductions, 1);
    ck_assert_int_eq(report.concurrency, 8);
    ck_assert_int_lt(report.concurrency_final, report.concurrency);
    ck_assert_int_ge(report.concurrency_final, 1);
    /* Each throttled request was sent once more. */
    ck_assert_uint_eq(report.requests, report.minimum + report.throttled);
    ck_assert_int_eq(s_logged(NULL, NULL), (long)report.requests);
    lk_live_report_free(&report);
    lk_ir_state_free(live);
    lk_ir_state_free(desired);
}
END_TEST

/* The adaptive retry mode's rate limiter (runtime/transport/ratelimit.h) on its own, with the
 * clock given: nothing is delayed before a throttle; a throttle cuts the rate to 0.7 of the rate
 * measured and the callers then wait their turn; successes bring the rate back (CUBIC) to the
 * rate of the throttle K seconds after it. */
START_TEST(test_rate_limiter)
{
    struct lk_rate_limits *limits = lk_rate_limits_new();
    struct lk_rate_limiter *rl = lk_rate_limits_get(limits, "logs", "us-east-1");
    ck_assert_ptr_eq(lk_rate_limits_get(limits, "logs", "us-east-1"), rl);
    ck_assert_ptr_ne(lk_rate_limits_get(limits, "logs", "eu-west-1"), rl);
    ck_assert_ptr_ne(lk_rate_limits_get(limits, "s3", "us-east-1"), rl);
    /* 100 requests a second for 3 s, every one answered: no wait. */
    int64_t t = 1000000;
    for (int i = 0; i < 300; i++, t += 10) {
        ck_assert_int_eq(lk_rate_limiter_acquire(rl, t), 0);
        lk_rate_limiter_update(rl, t, false);
    }
    ck_assert(lk_rate_limiter_rate(rl) == 0);
    /* A throttle: 0.7 x the measured rate (about 100/s). */
    lk_rate_limiter_update(rl, t, true);
    double rate = lk_rate_limiter_rate(rl);
    ck_assert_msg(rate > 60 && rate < 80, "rate %f", rate);
    /* Ten callers at the same instant are served one after another, 1/rate apart. */
    int64_t last = -1;
    for (int i = 0; i < 10; i++) {
        int64_t wait = lk_rate_limiter_acquire(rl, t);
        ck_assert_int_gt(wait, last);
        last = wait;
    }
    ck_assert_msg(last >= 9 * 1000 / 80 && last <= 10 * 1000 / 60 + 1, "last wait %" PRId64, last);
    ck_assert_int_ge(lk_rate_limits_waited_ms(limits), last);
    /* Successes at the allowed rate: the rate grows back, past the rate of the throttle after
     * K = cbrt(100 x 0.3 / 0.4) ~ 4.2 s (capped at twice the measured rate). */
    double before = rate;
    for (int i = 0; i < 600; i++, t += 10) {
        (void)lk_rate_limiter_acquire(rl, t);
        lk_rate_limiter_update(rl, t, false);
    }
    rate = lk_rate_limiter_rate(rl);
    ck_assert_msg(rate > before && rate >= 95, "rate %f after 6 s (was %f)", rate, before);
    lk_rate_limits_free(limits);
}
END_TEST

/* retry_mode: AWS_RETRY_MODE, else the profile's; legacy, standard or adaptive. */
START_TEST(test_retry_mode_config)
{
    struct lk_aws_config_options o = {.region = "us-east-1"};
    struct lk_aws_config cfg;
    struct lk_aws_error err = {0};
    char *saved = getenv("AWS_RETRY_MODE") ? lk_xstrdup(getenv("AWS_RETRY_MODE")) : NULL;
    const struct {
        const char *value;
        enum lk_aws_retry_mode mode;
    } cases[] = {{"", LK_AWS_RETRY_UNSET},
                 {"standard", LK_AWS_RETRY_STANDARD},
                 {"legacy", LK_AWS_RETRY_STANDARD},
                 {"adaptive", LK_AWS_RETRY_ADAPTIVE}};
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        setenv("AWS_RETRY_MODE", cases[i].value, 1);
        ck_assert_int_eq(lk_aws_config_load(&o, &cfg, &err), LK_STATUS_OK);
        ck_assert_int_eq(cfg.retry_mode, cases[i].mode);
        lk_aws_config_free(&cfg);
    }
    setenv("AWS_RETRY_MODE", "fast", 1);
    ck_assert_int_ne(lk_aws_config_load(&o, &cfg, &err), LK_STATUS_OK);
    ck_assert_ptr_nonnull(
        strstr(err.message, "AWS_RETRY_MODE must be legacy, standard or adaptive"));
    lk_aws_error_clear(&err);
    if (saved)
        setenv("AWS_RETRY_MODE", saved, 1);
    else
        unsetenv("AWS_RETRY_MODE");
    free(saved);
}
END_TEST

/* The live read in the adaptive retry mode (the default) against the endpoint's throttling: the
 * throttled requests are retried, and the requests after them wait for the rate limiter; in the
 * standard mode nothing waits. Either way the read succeeds with the same requests. */
START_TEST(test_adaptive_throttling)
{
    enum { N = 30 };
    s_admin_post("/_admin/bulk", "{\"buckets\": {\"prefix\": \"lk-ad-\", \"count\": 30}}");
    struct lk_ir_state *desired = s_desired_buckets("lk-ad-", N);
    const char *faults = "{\"rules\": [{\"kind\": \"throttle\", \"service\": \"s3\", "
                         "\"operation\": \"GetBucketPolicy\", \"skip\": 10, \"count\": 2}]}";
    struct lk_live_options opts = {0};
    opts.concurrency = 8;
    opts.new_client = lk_live_client_new;
    for (int standard = 0; standard <= 1; standard++) {
        g_client.cfg.retry_mode = standard ? LK_AWS_RETRY_STANDARD : LK_AWS_RETRY_UNSET;
        s_admin_post("/_admin/faults/reset", "{}");
        s_admin_post("/_admin/faults", faults);
        s_admin_post("/_admin/log/reset", "{}");
        struct lk_ir_state *live;
        struct lk_live_report report;
        s_read_ok(desired, &opts, &live, &report);
        printf("live: %s mode: throttled %zu, rate limiter waits %" PRId64 " ms, %zu requests, "
               "%" PRId64 " ms\n",
               standard ? "standard" : "adaptive", report.throttled, report.rate_limit_wait_ms,
               report.requests, report.elapsed_ms);
        ck_assert_uint_eq(live->n_buckets, N);
        ck_assert_uint_eq(report.throttled, 2);
        ck_assert_uint_eq(report.requests, report.minimum + 2);
        ck_assert_int_eq(s_logged(NULL, NULL), (long)report.requests);
        ck_assert(report.adaptive == !standard);
        if (standard)
            ck_assert_int_eq(report.rate_limit_wait_ms, 0);
        else
            ck_assert_int_gt(report.rate_limit_wait_ms, 0);
        /* The caller's client is left as it was. */
        ck_assert_ptr_null(g_client.rate_limits);
        lk_live_report_free(&report);
        lk_ir_state_free(live);
    }
    g_client.cfg.retry_mode = LK_AWS_RETRY_UNSET;
    lk_ir_state_free(desired);
}
END_TEST

/* Every GetBucketPolicy of one bucket fails with 500: a clear error naming the bucket and the
 * operation, after the standard retries, and no hang. */
START_TEST(test_error_storm)
{
    enum { N = 12 };
    struct lk_aws_error err = {0};
    /* Only lk-storm-00 exists; the others are missing, which is not an error. */
    struct lk_ir_state *desired = s_desired_buckets("lk-storm-", N);
    OK(lk_s3_create_bucket(&g_client, "lk-storm-00", NULL, false, &err), err);
    s_admin_post("/_admin/faults", "{\"kind\": \"error\", \"service\": \"s3\", \"operation\": "
                                   "\"GetBucketPolicy\", \"count\": null}");

    for (int concurrency = 4; concurrency >= 1; concurrency -= 3) {
        struct lk_live_options opts = {0};
        opts.concurrency = concurrency;
        opts.new_client = lk_live_client_new;
        struct lk_live_report report;
        struct lk_ir_state *live = lk_ir_state_new();
        s_admin_post("/_admin/log/reset", "{}");
        int64_t t0 = s_now_ms();
        ck_assert_int_eq(lk_live_read(&g_client, desired, &opts, live, &report, &err), -1);
        int64_t elapsed = s_now_ms() - t0;
        ck_assert_msg(elapsed < 20000, "took %" PRId64 " ms", elapsed);
        ck_assert_str_eq(err.code, "InternalError");
        ck_assert_str_eq(err.operation, "GetBucketPolicy");
        ck_assert_int_eq(err.http_status, 500);
        ck_assert_int_eq(err.attempts, 3);
        ck_assert_str_eq(report.error_context, "reading bucket lk-storm-00");
        ck_assert_int_eq(report.error_kind, LK_LIVE_BUCKET);
        char text[1024];
        lk_live_error_format(&report, &err, text, sizeof(text));
        ck_assert_msg(!strncmp(text,
                               "reading bucket lk-storm-00: GetBucketPolicy failed: "
                               "InternalError",
                               strlen("reading bucket lk-storm-00: GetBucketPolicy failed: "
                                      "InternalError")),
                      "%s", text);
        if (concurrency == 4)
            printf("live: %s (%" PRId64 " ms)\n", text, elapsed);
        ck_assert_uint_eq(live->n_buckets, 0);
        ck_assert(g_client.http.perform == g_transport.perform);
        ck_assert_int_eq(s_logged("s3", "GetBucketPolicy"), 3);
        if (concurrency == 1) {
            /* The failing bucket is the first item: nothing after it was handed out. */
            ck_assert_int_eq(s_logged("s3", "HeadBucket"), 1);
        }
        lk_aws_error_clear(&err);
        lk_live_report_free(&report);
        lk_ir_state_free(live);
    }
    lk_ir_state_free(desired);
}
END_TEST

/* Credentials of another account: refused after GetCallerIdentity, before anything else. */
START_TEST(test_wrong_account)
{
    struct lk_aws_error err = {0};
    struct lk_live_options opts = {0};
    opts.expected_account = "444455556666";
    opts.new_client = lk_live_client_new;
    struct lk_live_report report;
    struct lk_ir_state *live = lk_ir_state_new();
    s_admin_post("/_admin/log/reset", "{}");
    ck_assert_int_eq(lk_live_read(&g_client, g_desired, &opts, live, &report, &err), -1);
    ck_assert_str_eq(err.code, LK_LIVE_WRONG_ACCOUNT);
    ck_assert_str_eq(report.account, ACCOUNT);
    ck_assert_int_eq(report.error_kind, LK_LIVE_ACCOUNT);
    ck_assert_int_eq(s_logged(NULL, NULL), 1);
    ck_assert_uint_eq(report.counts[LK_LIVE_ACCOUNT].requests, 1);
    char text[512];
    lk_live_error_format(&report, &err, text, sizeof(text));
    ck_assert_ptr_nonnull(strstr(text, "444455556666"));
    lk_aws_error_clear(&err);
    lk_live_report_free(&report);
    lk_ir_state_free(live);
}
END_TEST

int main(void)
{
    if (s_load_policy() != 0)
        return EXIT_FAILURE;
    Suite *s = suite_create("live");
    TCase *tc = tcase_create("endpoint");
    tcase_add_checked_fixture(tc, s_setup, s_teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_quickstart_before_apply);
    tcase_add_test(tc, test_quickstart_round_trip);
    tcase_add_test(tc, test_pattern_pages_and_unmanaged);
    tcase_add_test(tc, test_unmanaged_stores);
    tcase_add_test(tc, test_drift_origins);
    tcase_add_test(tc, test_concurrency_latency);
    tcase_add_test(tc, test_partitioned_listing);
    tcase_add_test(tc, test_hinted_partitions);
    tcase_add_test(tc, test_throttling);
    tcase_add_test(tc, test_rate_limiter);
    tcase_add_test(tc, test_retry_mode_config);
    tcase_add_test(tc, test_adaptive_throttling);
    tcase_add_test(tc, test_error_storm);
    tcase_add_test(tc, test_wrong_account);
    suite_add_tcase(s, tc);
    int rc = lk_test_run(s);
    s_unload_policy();
    return rc;
}
