/*
 * Integration tests: the S3, CloudWatch Logs and CloudTrail clients over real HTTP against the
 * local AWS endpoint (tests/aws-endpoint), which verifies every SigV4 signature with botocore's
 * signer and answers with AWS's wire shapes and error codes.
 *
 * Run by tests/services/run, which starts the endpoint and sets:
 *   AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION, AWS_ENDPOINT_URL  the client's setup
 *   LK_ARTIFACTS   the directory `logkeep compile examples/quickstart -o DIR` wrote
 *   LK_SRCDIR      the source tree (the same policy is lowered here for the desired IR)
 *
 * Each test creates the resources it needs under its own names, so the tests do not depend on
 * one another (the endpoint keeps its state between them).
 */
#include "../unit/lk_test.h"

#include <check.h>
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/apply.h"
#include "runtime/diff/diff.h"
#include "runtime/live.h"
#include "runtime/services/cloudtrail.h"
#include "runtime/services/kms.h"
#include "runtime/transport/credentials.h"
#include "runtime/services/logs.h"
#include "runtime/services/policy_json.h"
#include "runtime/services/s3.h"
#include "svc_live.h"
#include "svc_test.h"

static struct lk_aws_client g_client;
static struct lk_ir_state *g_st;      /* live state read back */
static struct lk_ir_state *g_desired; /* lk_lower() of examples/quickstart */
static struct lk_policy *g_policy;
static struct lk_artifacts g_emitted; /* the same artifacts, emitted in process */
static cJSON *g_manifest;             /* LK_ARTIFACTS/manifest.json */

#define ACCOUNT "111122223333"

/* ------------------------------------------------------------------------------ fixtures */

/* Reads a whole file; NULL when it cannot (plain C: also used outside the tests). */
static char *s_slurp(const char *path, size_t *len)
{
    char *buf = NULL;
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    long n = -1;
    if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0) {
        buf = malloc((size_t)n + 1);
        if (buf && fread(buf, 1, (size_t)n, f) == (size_t)n) {
            buf[n] = '\0';
            *len = (size_t)n;
        } else {
            free(buf);
            buf = NULL;
        }
    }
    fclose(f);
    return buf;
}

static char *s_artifact_path(const char *rel, size_t *len)
{
    const char *dir = getenv("LK_ARTIFACTS");
    char path[1024];
    snprintf(path, sizeof(path), "%s/%s", dir ? dir : ".", rel);
    return s_slurp(path, len);
}

/* An artifact written by the logkeep binary (LK_ARTIFACTS/<rel>); heap, caller frees. */
static char *s_artifact(const char *rel, size_t *len)
{
    char *text = s_artifact_path(rel, len);
    ck_assert_msg(text != NULL, "cannot read artifact %s (LK_ARTIFACTS=%s)", rel,
                  getenv("LK_ARTIFACTS") ? getenv("LK_ARTIFACTS") : "unset");
    return text;
}

/* The extra request header of an artifact, from manifest.json, or NULL. */
static const char *s_manifest_header(const char *rel, const char *name)
{
    const cJSON *a;
    cJSON_ArrayForEach(a, cJSON_GetObjectItem(g_manifest, "artifacts"))
    {
        const cJSON *p = cJSON_GetObjectItem(a, "path");
        if (cJSON_IsString(p) && !strcmp(p->valuestring, rel)) {
            const cJSON *h = cJSON_GetObjectItem(cJSON_GetObjectItem(a, "headers"), name);
            return cJSON_IsString(h) ? h->valuestring : NULL;
        }
    }
    return NULL;
}

static void s_setup(void)
{
    lk_svc_client_from_env(&g_client);
    g_st = lk_ir_state_new();
    g_st->partition = lk_ir_strdup(g_st, "aws");
}

static void s_teardown(void)
{
    lk_aws_client_free(&g_client);
    lk_ir_state_free(g_st);
    g_st = NULL;
}

/* The desired state and the artifacts of examples/quickstart, loaded once per process (outside
 * any test, so without Check's assertions). */
static int s_load_policy(void)
{
    char *dir = lk_svc_srcpath("examples/quickstart");
    g_policy = lk_svc_compile(dir, &g_desired, &g_emitted);
    free(dir);
    size_t len;
    char *text = s_artifact_path("manifest.json", &len);
    g_manifest = text ? cJSON_Parse(text) : NULL;
    free(text);
    if (!g_manifest) {
        fprintf(stderr, "test_services_live: cannot read manifest.json in LK_ARTIFACTS\n");
        return -1;
    }
    return 0;
}

static void s_unload_policy(void)
{
    cJSON_Delete(g_manifest);
    lk_artifacts_free(&g_emitted);
    lk_ir_state_free(g_desired);
    lk_policy_free(g_policy);
}

/* POSTs to the endpoint's admin API (unsigned JSON on loopback). @return the HTTP status. */
static long s_admin(const char *path, const char *json)
{
    const char *base = getenv("AWS_ENDPOINT_URL");
    ck_assert_ptr_nonnull(base);
    char url[512];
    snprintf(url, sizeof(url), "%s%s", base, path);
    char ct_name[] = "Content-Type", ct_value[] = "application/json";
    struct lk_http_header h = {ct_name, ct_value};
    struct lk_http_request req = {0};
    req.method = "POST";
    req.url = url;
    req.headers = &h;
    req.n_headers = 1;
    req.body = (const unsigned char *)json;
    req.body_len = strlen(json);
    struct lk_http_response resp = {0};
    int rc = g_client.http.perform(g_client.http.impl, &req, &resp);
    ck_assert_msg(rc == LK_STATUS_OK, "admin %s: %s", path, resp.error.message);
    long status = resp.status;
    lk_http_response_free(&resp);
    return status;
}

/* Creates a bucket (us-east-1 answers 200 when it is already ours). */
static void s_create_bucket(const char *name, const char *region, bool lock)
{
    struct lk_aws_error err = {0};
    if (lk_s3_create_bucket(&g_client, name, region, lock, &err) != 0) {
        if (err.code && !strcmp(err.code, "BucketAlreadyOwnedByYou")) {
            lk_aws_error_clear(&err);
            return;
        }
        lk_svc_fail_err("CreateBucket", &err);
    }
}

/* Applies the S3 artifacts of one desired bucket, as `logkeep apply` would. */
static void s_apply_bucket(const struct lk_ir_bucket *b)
{
    struct lk_aws_error err = {0};
    char rel[512];
    size_t len;
    char *body;
    s_create_bucket(b->name, b->region, b->object_lock.enabled);

    snprintf(rel, sizeof(rel), "s3/%s/versioning.xml", b->name);
    body = s_artifact(rel, &len);
    OK(lk_s3_put_versioning(&g_client, b->name, b->region, body, len, &err), err);
    free(body);

    snprintf(rel, sizeof(rel), "s3/%s/lifecycle.xml", b->name);
    body = s_artifact(rel, &len);
    enum lk_ir_transition_min_size tms;
    ck_assert(lk_s3_transition_min_size_parse(
        s_manifest_header(rel, "x-amz-transition-default-minimum-object-size"), &tms));
    OK(lk_s3_put_lifecycle(&g_client, b->name, b->region, body, len, tms, &err), err);
    free(body);

    snprintf(rel, sizeof(rel), "s3/%s/policy.json", b->name);
    body = s_artifact(rel, &len);
    OK(lk_s3_put_policy(&g_client, b->name, b->region, body, len, &err), err);
    free(body);

    snprintf(rel, sizeof(rel), "s3/%s/public-access-block.xml", b->name);
    body = s_artifact(rel, &len);
    OK(lk_s3_put_public_access_block(&g_client, b->name, b->region, body, len, &err), err);
    free(body);

    snprintf(rel, sizeof(rel), "s3/%s/encryption.xml", b->name);
    body = s_artifact(rel, &len);
    OK(lk_s3_put_encryption(&g_client, b->name, b->region, body, len, &err), err);
    free(body);

    if (b->object_lock.enabled) {
        snprintf(rel, sizeof(rel), "s3/%s/object-lock.xml", b->name);
        body = s_artifact(rel, &len);
        OK(lk_s3_put_object_lock(&g_client, b->name, b->region, body, len, &err), err);
        free(body);
    }
}

/* ------------------------------------------------------------------------------ S3 */

START_TEST(test_s3_absent_before_put)
{
    static const char name[] = "lk-live-absent-" ACCOUNT;
    struct lk_aws_error err = {0};
    s_create_bucket(name, NULL, false);

    bool exists = false;
    char *region = NULL;
    OK(lk_s3_head_bucket(&g_client, name, NULL, g_st, &exists, &region, &err), err);
    ck_assert(exists);
    ck_assert_str_eq(region, "us-east-1");
    region = NULL;
    OK(lk_s3_get_bucket_location(&g_client, name, NULL, g_st, &region, &err), err);
    ck_assert_str_eq(region, "us-east-1"); /* an empty LocationConstraint */

    struct lk_ir_bucket b;
    memset(&b, 0xff, sizeof(b)); /* the reader sets every field */
    OK(lk_s3_read_bucket(&g_client, name, g_st, &b, &err), err);
    ck_assert(b.exists);
    ck_assert_str_eq(b.region, "us-east-1");
    ck_assert(!b.lifecycle.present);
    ck_assert(!b.policy.present);
    ck_assert_int_eq(b.versioning, LK_IR_VERSIONING_NEVER);
    ck_assert(!b.mfa_delete);
    ck_assert(!b.object_lock.enabled);
    ck_assert(!b.public_access_block.present);
    ck_assert_uint_eq(b.unmodelled, 0);
    ck_assert_uint_eq(b.unmodelled_filter_rule_ids.n, 0);
    /* New buckets get SSE-S3 by default, as on AWS since January 2023. */
    ck_assert(b.encryption.present);
    ck_assert_str_eq(b.encryption.algorithm, "AES256");

    /* Each Get on its own: "not configured" is absent, not an error. */
    struct lk_ir_bucket part = {0};
    OK(lk_s3_get_lifecycle(&g_client, name, NULL, g_st, &part, &err), err);
    ck_assert(!part.lifecycle.present);
    OK(lk_s3_get_policy(&g_client, name, NULL, g_st, &part, NULL, &err), err);
    ck_assert(!part.policy.present);
    OK(lk_s3_get_object_lock(&g_client, name, NULL, &b, &err), err);
    ck_assert(!b.object_lock.enabled);
    OK(lk_s3_get_public_access_block(&g_client, name, NULL, &b, &err), err);
    ck_assert(!b.public_access_block.present);
}
END_TEST

START_TEST(test_s3_missing_bucket)
{
    struct lk_aws_error err = {0};
    struct lk_ir_bucket b;
    OK(lk_s3_read_bucket(&g_client, "lk-live-never-created-" ACCOUNT, g_st, &b, &err), err);
    ck_assert(!b.exists);
    ck_assert_str_eq(b.name, "lk-live-never-created-" ACCOUNT);
    struct lk_ir_bucket lc = {0};
    ck_assert_int_eq(
        lk_s3_get_lifecycle(&g_client, "lk-live-never-created-" ACCOUNT, NULL, g_st, &lc, &err),
        LK_STATUS_AWS);
    ck_assert_str_eq(err.code, "NoSuchBucket");
    ck_assert_int_eq(err.http_status, 404);
    ck_assert_ptr_nonnull(err.request_id);
    lk_aws_error_clear(&err);
}
END_TEST

/* Every S3 artifact of examples/quickstart, applied and read back, equals the desired IR. */
START_TEST(test_s3_round_trip_quickstart)
{
    struct lk_aws_error err = {0};
    ck_assert_uint_ge(g_desired->n_buckets, 1);
    for (size_t i = 0; i < g_desired->n_buckets; i++) {
        const struct lk_ir_bucket *want = &g_desired->buckets[i];
        s_apply_bucket(want);
        struct lk_ir_bucket got;
        OK(lk_s3_read_bucket(&g_client, want->name, g_st, &got, &err), err);
        ck_assert(got.exists);
        ck_assert_uint_eq(got.unmodelled, 0);
        ck_assert_str_eq(got.region, want->region);
        const char *d = lk_svc_cmp_bucket(want, &got);
        ck_assert_msg(d == NULL, "bucket %s: %s", want->name, d);
        /* The raw document comes back as it was put. */
        char *raw = NULL;
        struct lk_ir_bucket pol = {0};
        OK(lk_s3_get_policy(&g_client, want->name, want->region, g_st, &pol, &raw, &err), err);
        char rel[512];
        size_t len;
        snprintf(rel, sizeof(rel), "s3/%s/policy.json", want->name);
        char *art = s_artifact(rel, &len);
        ck_assert_str_eq(raw, art);
        free(art);
    }
}
END_TEST

/* The artifacts the logkeep binary wrote are the ones this process emits from the same policy
 * (so the desired IR used here is the one they were compiled from). */
START_TEST(test_artifacts_match_binary)
{
    ck_assert_uint_ge(g_emitted.n, 1);
    for (size_t i = 0; i < g_emitted.n; i++) {
        size_t len;
        char *text = s_artifact(g_emitted.items[i].path, &len);
        ck_assert_msg(len == g_emitted.items[i].len &&
                          !memcmp(text, g_emitted.items[i].content, len),
                      "%s differs", g_emitted.items[i].path);
        free(text);
    }
}
END_TEST

START_TEST(test_s3_delete_and_versioning)
{
    static const char name[] = "lk-live-delete-" ACCOUNT;
    struct lk_aws_error err = {0};
    s_create_bucket(name, NULL, false);
    static const char lc[] =
        "<LifecycleConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Rule>"
        "<Expiration><Days>30</Days></Expiration><ID>x</ID><Filter><Prefix>tmp/</Prefix>"
        "</Filter><Status>Enabled</Status></Rule></LifecycleConfiguration>";
    OK(lk_s3_put_lifecycle(&g_client, name, NULL, lc, strlen(lc), LK_IR_TMS_UNSPECIFIED, &err),
       err);
    struct lk_ir_bucket gb = {0};
    const struct lk_ir_lifecycle *got = &gb.lifecycle;
    OK(lk_s3_get_lifecycle(&g_client, name, NULL, g_st, &gb, &err), err);
    ck_assert(got->present);
    ck_assert_uint_eq(got->n_rules, 1);
    ck_assert_str_eq(got->rules[0].prefix, "tmp/");
    ck_assert_int_eq(got->rules[0].expiration_days, 30);
    /* S3 reports its default when the header was not sent. */
    ck_assert_int_eq(got->transition_min_size, LK_IR_TMS_ALL_128K);
    OK(lk_s3_delete_lifecycle(&g_client, name, NULL, &err), err);
    OK(lk_s3_get_lifecycle(&g_client, name, NULL, g_st, &gb, &err), err);
    ck_assert(!got->present);

    static const char pol[] =
        "{\"Version\":\"2012-10-17\",\"Statement\":{\"Sid\":\"A\",\"Effect\":\"Allow\","
        "\"Principal\":{\"AWS\":\"" ACCOUNT "\"},\"Action\":\"s3:GetObject\",\"Resource\":"
        "\"arn:aws:s3:::lk-live-delete-" ACCOUNT "/*\"}}";
    OK(lk_s3_put_policy(&g_client, name, NULL, pol, strlen(pol), &err), err);
    struct lk_ir_bucket pb = {0};
    const struct lk_ir_bucket_policy *p = &pb.policy;
    OK(lk_s3_get_policy(&g_client, name, NULL, g_st, &pb, NULL, &err), err);
    ck_assert(p->present);
    ck_assert_str_eq(p->statements[0].principals.items[0], "arn:aws:iam::" ACCOUNT ":root");
    OK(lk_s3_delete_policy(&g_client, name, NULL, &err), err);
    OK(lk_s3_get_policy(&g_client, name, NULL, g_st, &pb, NULL, &err), err);
    ck_assert(!p->present);

    struct lk_ir_bucket b = {0};
    static const char on[] = "<VersioningConfiguration xmlns=\"http://s3.amazonaws.com/doc/"
                             "2006-03-01/\"><Status>Enabled</Status></VersioningConfiguration>";
    static const char off[] = "<VersioningConfiguration xmlns=\"http://s3.amazonaws.com/doc/"
                              "2006-03-01/\"><Status>Suspended</Status></VersioningConfiguration>";
    OK(lk_s3_put_versioning(&g_client, name, NULL, on, strlen(on), &err), err);
    OK(lk_s3_get_versioning(&g_client, name, NULL, &b, &err), err);
    ck_assert_int_eq(b.versioning, LK_IR_VERSIONING_ENABLED);
    OK(lk_s3_put_versioning(&g_client, name, NULL, off, strlen(off), &err), err);
    OK(lk_s3_get_versioning(&g_client, name, NULL, &b, &err), err);
    ck_assert_int_eq(b.versioning, LK_IR_VERSIONING_SUSPENDED);

    /* Errors keep the AWS code: a lifecycle S3 refuses. */
    static const char bad[] =
        "<LifecycleConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Rule>"
        "<ID>x</ID><Filter><Prefix></Prefix></Filter><Status>Enabled</Status></Rule>"
        "</LifecycleConfiguration>";
    ck_assert_int_eq(
        lk_s3_put_lifecycle(&g_client, name, NULL, bad, strlen(bad), LK_IR_TMS_UNSPECIFIED, &err),
        LK_STATUS_AWS);
    ck_assert_ptr_nonnull(err.code);
    ck_assert_int_eq(err.http_status, 400);
    ck_assert_str_eq(err.operation, "PutBucketLifecycleConfiguration");
    lk_aws_error_clear(&err);
}
END_TEST

/* A bucket in another region: HeadBucket from us-east-1 learns its region, and every read is
 * then signed for it (the endpoint refuses a signature for the wrong region). */
START_TEST(test_s3_other_region)
{
    static const char name[] = "lk-live-euw1-" ACCOUNT;
    struct lk_aws_error err = {0};
    s_create_bucket(name, "eu-west-1", true);
    struct lk_ir_bucket b;
    OK(lk_s3_read_bucket(&g_client, name, g_st, &b, &err), err);
    ck_assert(b.exists);
    ck_assert_str_eq(b.region, "eu-west-1");
    ck_assert(b.object_lock.enabled); /* created with Object Lock */
    ck_assert_int_eq(b.object_lock.mode, LK_IR_LOCK_NONE);
    ck_assert_int_eq(b.versioning, LK_IR_VERSIONING_ENABLED);
    char *region = NULL;
    OK(lk_s3_get_bucket_location(&g_client, name, NULL, g_st, &region, &err), err);
    ck_assert_str_eq(region, "eu-west-1");
    static const char lock[] =
        "<ObjectLockConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
        "<ObjectLockEnabled>Enabled</ObjectLockEnabled><Rule><DefaultRetention><Mode>COMPLIANCE"
        "</Mode><Years>2</Years></DefaultRetention></Rule></ObjectLockConfiguration>";
    OK(lk_s3_put_object_lock(&g_client, name, "eu-west-1", lock, strlen(lock), &err), err);
    OK(lk_s3_get_object_lock(&g_client, name, "eu-west-1", &b, &err), err);
    ck_assert_int_eq(b.object_lock.mode, LK_IR_LOCK_COMPLIANCE);
    ck_assert_int_eq(b.object_lock.years, 2);
    ck_assert_int_eq(b.object_lock.days, 0);
}
END_TEST

/* ------------------------------------------------------------------------------ logs */

struct s_pages {
    size_t pages, groups;
};

static bool s_count_page(void *ctx, const struct lk_ir_log_group *groups, size_t n)
{
    struct s_pages *p = ctx;
    (void)groups;
    p->pages++;
    p->groups += n;
    return true;
}

START_TEST(test_logs_pagination)
{
    struct lk_aws_error err = {0};
    ck_assert_int_eq(s_admin("/_admin/bulk", "{\"log_groups\": {\"prefix\": \"/lk-live/bulk/\", "
                                             "\"count\": 120, \"retention\": 30}}"),
                     200);
    struct lk_logs_query q = {.prefix = "/lk-live/bulk/"};
    struct lk_ir_log_group *g = NULL;
    size_t n = 0;
    OK(lk_logs_describe_log_groups(&g_client, &q, g_st, &g, &n, &err), err);
    ck_assert_uint_eq(n, 120);
    for (size_t i = 0; i < n; i++) {
        ck_assert(!strncmp(g[i].name, "/lk-live/bulk/", 14));
        ck_assert_int_eq(g[i].retention_days, 30);
        ck_assert_str_eq(g[i].region, "us-east-1");
        ck_assert(i == 0 || strcmp(g[i - 1].name, g[i].name) < 0);
    }
    /* 120 groups at the default 50 a page: 3 pages. */
    struct s_pages pages = {0};
    OK(lk_logs_describe_log_groups_pages(&g_client, &q, g_st, s_count_page, &pages, &err), err);
    ck_assert_uint_eq(pages.pages, 3);
    ck_assert_uint_eq(pages.groups, 120);
    q.limit = 7;
    memset(&pages, 0, sizeof(pages));
    OK(lk_logs_describe_log_groups_pages(&g_client, &q, g_st, s_count_page, &pages, &err), err);
    ck_assert_uint_eq(pages.pages, 18);
    ck_assert_uint_eq(pages.groups, 120);
    /* logGroupNamePattern: a case-sensitive substring; answers carry no retention. */
    struct lk_logs_query qp = {.pattern = "bulk/00"};
    OK(lk_logs_describe_log_groups(&g_client, &qp, g_st, &g, &n, &err), err);
    ck_assert_uint_ge(n, 1);
    for (size_t i = 0; i < n; i++) {
        ck_assert_ptr_nonnull(strstr(g[i].name, "bulk/00"));
        ck_assert_int_eq(g[i].retention_days, 0);
    }
}
END_TEST

/* The retention artifact applied: its exact PutRetentionPolicy inputs, its patterns expanded
 * against DescribeLogGroups, then read back and compared with the desired log groups. */
START_TEST(test_logs_retention_round_trip)
{
    struct lk_aws_error err = {0};
    static const char *const groups[] = {"/app/payments/api", "/app/payments/web/1",
                                         "/app/paymentsX", "/app/other",
                                         "/aws/cloudtrail/org-trail"};
    for (size_t i = 0; i < sizeof(groups) / sizeof(groups[0]); i++)
        OK(lk_logs_create_log_group(&g_client, groups[i], NULL, NULL, true, &err), err);
    /* Idempotent create: ResourceAlreadyExistsException only when not asked to ignore it. */
    OK(lk_logs_create_log_group(&g_client, groups[0], NULL, NULL, true, &err), err);
    ck_assert_int_eq(lk_logs_create_log_group(&g_client, groups[0], NULL, NULL, false, &err),
                     LK_STATUS_AWS);
    ck_assert_str_eq(err.code, "ResourceAlreadyExistsException");
    ck_assert_str_eq(err.operation, "CreateLogGroup");
    ck_assert_ptr_nonnull(err.request_id);
    lk_aws_error_clear(&err);

    size_t len;
    char *text = s_artifact("logs/us-east-1/retention.json", &len);
    cJSON *ret = cJSON_Parse(text);
    free(text);
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
    size_t expanded = 0;
    cJSON_ArrayForEach(o, cJSON_GetObjectItem(ret, "patterns"))
    {
        const char *pattern = cJSON_GetObjectItem(o, "pattern")->valuestring;
        int days = cJSON_GetObjectItem(o, "retentionInDays")->valueint;
        struct lk_ir_log_group *m = NULL;
        size_t n = 0;
        OK(lk_logs_expand_pattern(&g_client, pattern, NULL, g_st, &m, &n, &err), err);
        for (size_t i = 0; i < n; i++) {
            ck_assert(lk_logs_pattern_match(pattern, m[i].name));
            if (days > 0)
                OK(lk_logs_put_retention(&g_client, m[i].name, NULL, days, &err), err);
            else
                OK(lk_logs_delete_retention(&g_client, m[i].name, NULL, &err), err);
        }
        expanded += n;
    }
    cJSON_Delete(ret);
    ck_assert_uint_eq(expanded, 2); /* /app/payments/api and /app/payments/web/1 */

    /* Read back: each desired group (exact, or every match of a pattern) has its retention. */
    size_t checked = 0;
    for (size_t i = 0; i < g_desired->n_log_groups; i++) {
        const struct lk_ir_log_group *want = &g_desired->log_groups[i];
        struct lk_ir_log_group *m = NULL;
        size_t n = 0;
        OK(lk_logs_expand_pattern(&g_client, want->name, want->region, g_st, &m, &n, &err), err);
        ck_assert_msg(n >= 1, "%s: no live group", want->name);
        for (size_t k = 0; k < n; k++) {
            ck_assert_msg(m[k].retention_days == want->retention_days, "%s: %d days, want %d",
                          m[k].name, m[k].retention_days, want->retention_days);
            ck_assert(m[k].exists);
            checked++;
        }
    }
    ck_assert_uint_eq(checked, 3);
    /* The groups outside the pattern are untouched. */
    struct lk_ir_log_group *m = NULL;
    size_t n = 0;
    OK(lk_logs_expand_pattern(&g_client, "/app/paymentsX", NULL, g_st, &m, &n, &err), err);
    ck_assert_uint_eq(n, 1);
    ck_assert_int_eq(m[0].retention_days, 0);

    /* DeleteRetentionPolicy: never expire again. */
    OK(lk_logs_delete_retention(&g_client, "/app/payments/api", NULL, &err), err);
    OK(lk_logs_expand_pattern(&g_client, "/app/payments/api", NULL, g_st, &m, &n, &err), err);
    ck_assert_uint_eq(n, 1);
    ck_assert_int_eq(m[0].retention_days, 0);
    /* A value CloudWatch Logs does not allow keeps its AWS error. */
    ck_assert_int_eq(lk_logs_put_retention(&g_client, "/app/other", NULL, 42, &err), LK_STATUS_AWS);
    ck_assert_str_eq(err.code, "InvalidParameterException");
    lk_aws_error_clear(&err);
    ck_assert_int_eq(lk_logs_put_retention(&g_client, "/lk-live/none", NULL, 30, &err),
                     LK_STATUS_AWS);
    ck_assert_str_eq(err.code, "ResourceNotFoundException");
    lk_aws_error_clear(&err);

    /* DeleteLogGroup (tests only). */
    OK(lk_logs_delete_log_group(&g_client, "/app/other", NULL, &err), err);
    OK(lk_logs_expand_pattern(&g_client, "/app/other", NULL, g_st, &m, &n, &err), err);
    ck_assert_uint_eq(n, 0);
}
END_TEST

/* ------------------------------------------------------------------------------ CloudTrail */

START_TEST(test_cloudtrail_insufficient_policy)
{
    static const char bucket[] = "lk-live-ct-nopolicy-" ACCOUNT;
    struct lk_aws_error err = {0};
    s_create_bucket(bucket, NULL, false);
    struct lk_ir_trail t = {0};
    t.name = lk_ir_strdup(g_st, "lk-live-nopolicy");
    t.s3_bucket_name = lk_ir_strdup(g_st, bucket);
    t.include_global_service_events = true;
    ck_assert_int_eq(lk_cloudtrail_create_trail(&g_client, &t, &err), LK_STATUS_AWS);
    ck_assert_str_eq(err.code, "InsufficientS3BucketPolicyException");
    ck_assert_str_eq(err.operation, "CreateTrail");
    ck_assert_int_eq(err.http_status, 400);
    ck_assert_ptr_nonnull(err.request_id);
    lk_aws_error_clear(&err);
    struct lk_ir_trail got;
    OK(lk_cloudtrail_get_trail(&g_client, "lk-live-nopolicy", NULL, g_st, &got, &err), err);
    ck_assert(!got.exists);
    OK(lk_cloudtrail_read_trail(&g_client, "lk-live-nopolicy", NULL, g_st, &got, &err), err);
    ck_assert(!got.exists);
    ck_assert_str_eq(got.name, "lk-live-nopolicy");
    /* The bucket must exist. */
    t.s3_bucket_name = lk_ir_strdup(g_st, "lk-live-no-such-bucket-" ACCOUNT);
    ck_assert_int_eq(lk_cloudtrail_create_trail(&g_client, &t, &err), LK_STATUS_AWS);
    ck_assert_str_eq(err.code, "S3BucketDoesNotExistException");
    lk_aws_error_clear(&err);
}
END_TEST

/* The quickstart trail: its bucket and policy, then the artifact's CreateTrail,
 * PutEventSelectors and StartLogging sections; read back, it equals the desired trail. */
START_TEST(test_cloudtrail_round_trip_quickstart)
{
    struct lk_aws_error err = {0};
    ck_assert_uint_ge(g_desired->n_trails, 1);
    for (size_t i = 0; i < g_desired->n_buckets; i++)
        s_apply_bucket(&g_desired->buckets[i]);
    OK(lk_logs_create_log_group(&g_client, "/aws/cloudtrail/org-trail", NULL, NULL, true, &err),
       err);
    for (size_t i = 0; i < g_desired->n_trails; i++) {
        const struct lk_ir_trail *want = &g_desired->trails[i];
        char rel[512];
        size_t len;
        snprintf(rel, sizeof(rel), "cloudtrail/%s.json", want->name);
        char *art = s_artifact(rel, &len);
        OK(lk_cloudtrail_send_artifact_section(&g_client, art, len, "CreateTrail",
                                               want->home_region, &err),
           err);
        /* Created, not logging yet, with the default selector. */
        bool logging = true;
        OK(lk_cloudtrail_get_trail_status(&g_client, want->name, NULL, &logging, &err), err);
        ck_assert(!logging);
        OK(lk_cloudtrail_send_artifact_section(&g_client, art, len, "PutEventSelectors",
                                               want->home_region, &err),
           err);
        OK(lk_cloudtrail_send_artifact_section(&g_client, art, len,
                                               want->is_logging ? "StartLogging" : "StopLogging",
                                               want->home_region, &err),
           err);
        /* A second CreateTrail keeps its AWS code. */
        ck_assert_int_eq(lk_cloudtrail_send_artifact_section(&g_client, art, len, "CreateTrail",
                                                             want->home_region, &err),
                         LK_STATUS_AWS);
        ck_assert_str_eq(err.code, "TrailAlreadyExistsException");
        lk_aws_error_clear(&err);
        free(art);

        struct lk_ir_trail got;
        OK(lk_cloudtrail_read_trail(&g_client, want->name, NULL, g_st, &got, &err), err);
        ck_assert(got.exists);
        ck_assert_uint_eq(got.unmodelled, 0);
        const char *d = lk_svc_cmp_trail(want, &got);
        ck_assert_msg(d == NULL, "trail %s: %s", want->name, d);

        /* StopLogging / StartLogging and GetTrailStatus. */
        OK(lk_cloudtrail_stop_logging(&g_client, want->name, NULL, &err), err);
        OK(lk_cloudtrail_get_trail_status(&g_client, want->name, NULL, &logging, &err), err);
        ck_assert(!logging);
        OK(lk_cloudtrail_start_logging(&g_client, want->name, NULL, &err), err);
        OK(lk_cloudtrail_get_trail_status(&g_client, want->name, NULL, &logging, &err), err);
        ck_assert(logging);

        /* DescribeTrails lists it. */
        struct lk_ir_trail *list = NULL;
        size_t n = 0;
        const char *names[1] = {want->name};
        OK(lk_cloudtrail_describe_trails(&g_client, NULL, names, 1, false, g_st, &list, &n, &err),
           err);
        ck_assert_uint_eq(n, 1);
        ck_assert_str_eq(list[0].name, want->name);
        ck_assert_str_eq(list[0].s3_bucket_name, want->s3_bucket_name);
        OK(lk_cloudtrail_describe_trails(&g_client, NULL, NULL, 0, true, g_st, &list, &n, &err),
           err);
        ck_assert_uint_ge(n, 1);

        /* UpdateTrail from the IR: a change, then the desired settings again. */
        struct lk_ir_trail changed = *want;
        changed.enable_log_file_validation = !want->enable_log_file_validation;
        OK(lk_cloudtrail_update_trail(&g_client, &changed, &err), err);
        OK(lk_cloudtrail_get_trail(&g_client, want->name, NULL, g_st, &got, &err), err);
        ck_assert(got.enable_log_file_validation == changed.enable_log_file_validation);
        OK(lk_cloudtrail_update_trail(&g_client, want, &err), err);
        OK(lk_cloudtrail_read_trail(&g_client, want->name, NULL, g_st, &got, &err), err);
        d = lk_svc_cmp_trail(want, &got);
        ck_assert_msg(d == NULL, "trail %s after update: %s", want->name, d);
    }
}
END_TEST

/* A trail created from the IR (not the artifact), with data event selectors, then deleted. */
START_TEST(test_cloudtrail_from_ir)
{
    struct lk_aws_error err = {0};
    for (size_t i = 0; i < g_desired->n_buckets; i++)
        s_apply_bucket(&g_desired->buckets[i]);
    const struct lk_ir_bucket *b = &g_desired->buckets[0];
    struct lk_ir_trail t = {0};
    t.name = lk_ir_strdup(g_st, "lk-live-ir-trail");
    t.home_region = lk_ir_strdup(g_st, "us-east-1");
    t.s3_bucket_name = b->name;
    t.s3_key_prefix = lk_ir_strdup(g_st, "cloudtrail");
    t.include_global_service_events = true;
    t.enable_log_file_validation = true;
    struct lk_ir_event_selector sel = {0};
    sel.read_write_type = lk_ir_strdup(g_st, "WriteOnly");
    sel.include_management_events = false;
    struct lk_ir_data_resource dr = {0};
    dr.type = lk_ir_strdup(g_st, "AWS::S3::Object");
    lk_ir_list_add(g_st, &dr.values, "arn:aws:s3:::lk-live-data-b/");
    lk_ir_list_add(g_st, &dr.values, "arn:aws:s3:::lk-live-data-a/");
    lk_ir_list_sort_unique(&dr.values);
    sel.data_resources = &dr;
    sel.n_data_resources = 1;
    t.event_selectors = &sel;
    t.n_event_selectors = 1;

    /* The quickstart policy names the org trail in aws:SourceArn: another trail may not write. */
    ck_assert_int_eq(lk_cloudtrail_create_trail(&g_client, &t, &err), LK_STATUS_AWS);
    ck_assert_str_eq(err.code, "InsufficientS3BucketPolicyException");
    lk_aws_error_clear(&err);

    static const char bucket[] = "lk-live-ct-open-" ACCOUNT;
    s_create_bucket(bucket, NULL, false);
    static const char pol[] =
        "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"Acl\",\"Effect\":\"Allow\","
        "\"Principal\":{\"Service\":\"cloudtrail.amazonaws.com\"},\"Action\":\"s3:GetBucketAcl\","
        "\"Resource\":\"arn:aws:s3:::lk-live-ct-open-" ACCOUNT "\"},{\"Sid\":\"Write\",\"Effect\":"
        "\"Allow\",\"Principal\":{\"Service\":\"cloudtrail.amazonaws.com\"},\"Action\":"
        "\"s3:PutObject\",\"Resource\":\"arn:aws:s3:::lk-live-ct-open-" ACCOUNT
        "/cloudtrail/AWSLogs/" ACCOUNT "/*\",\"Condition\":{\"StringEquals\":{\"s3:x-amz-acl\":"
        "\"bucket-owner-full-control\"}}}]}";
    OK(lk_s3_put_policy(&g_client, bucket, NULL, pol, strlen(pol), &err), err);
    t.s3_bucket_name = lk_ir_strdup(g_st, bucket);
    OK(lk_cloudtrail_create_trail(&g_client, &t, &err), err);
    OK(lk_cloudtrail_put_event_selectors(&g_client, &t, &err), err);
    struct lk_ir_trail got;
    OK(lk_cloudtrail_read_trail(&g_client, t.name, NULL, g_st, &got, &err), err);
    const char *d = lk_svc_cmp_trail(&t, &got);
    ck_assert_msg(d == NULL, "%s", d);
    bool advanced = true;
    struct lk_ir_trail sels = {0};
    sels.unmodelled = LK_IR_UNMODELLED_ADVANCED_SELECTORS;
    OK(lk_cloudtrail_get_event_selectors(&g_client, t.name, NULL, g_st, &sels, &err), err);
    ck_assert(!(sels.unmodelled & LK_IR_UNMODELLED_ADVANCED_SELECTORS));
    ck_assert_uint_eq(sels.n_event_selectors, 1);
    ck_assert_uint_eq(sels.event_selectors[0].data_resources[0].values.n, 2);

    /* Advanced selectors are reported as unmodelled. */
    static const char adv[] =
        "{\"TrailName\":\"lk-live-ir-trail\",\"AdvancedEventSelectors\":[{\"Name\":\"m\","
        "\"FieldSelectors\":[{\"Field\":\"eventCategory\",\"Equals\":[\"Management\"]}]}]}";
    OK(lk_cloudtrail_send_json(&g_client, "PutEventSelectors", NULL, adv, strlen(adv), &err), err);
    OK(lk_cloudtrail_read_trail(&g_client, t.name, NULL, g_st, &got, &err), err);
    ck_assert_uint_eq(got.unmodelled, LK_IR_UNMODELLED_ADVANCED_SELECTORS);
    ck_assert_uint_eq(got.n_event_selectors, 0);

    /* Writes outside the home region keep CloudTrail's code. */
    ck_assert_int_eq(lk_cloudtrail_start_logging(&g_client, t.name, "eu-west-1", &err),
                     LK_STATUS_AWS);
    ck_assert_ptr_nonnull(err.code);
    lk_aws_error_clear(&err);

    OK(lk_cloudtrail_delete_trail(&g_client, t.name, NULL, &err), err);
    OK(lk_cloudtrail_get_trail(&g_client, t.name, NULL, g_st, &got, &err), err);
    ck_assert(!got.exists);
    ck_assert_int_eq(lk_cloudtrail_get_trail_status(&g_client, t.name, NULL, &advanced, &err),
                     LK_STATUS_AWS);
    ck_assert_str_eq(err.code, "TrailNotFoundException");
    lk_aws_error_clear(&err);
}
END_TEST

/* ------------------------------------------------------------------------------ KMS, log groups */

#define S_KEY_ARN "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
#define S_KEY2_ARN "arn:aws:kms:us-east-1:111122223333:key/2222abcd-12ab-34cd-56ef-1234567890ab"
#define S_OTHER_KEY "arn:aws:kms:us-east-1:111122223333:key/9999abcd-12ab-34cd-56ef-1234567890ab"

/* A desired statement: Allow @p service @p action on the key ("*"). */
static void s_key_stmt(struct lk_ir_state *st, struct lk_ir_statement *s, const char *sid,
                       const char *service, const char *action)
{
    memset(s, 0, sizeof(*s));
    s->sid = lk_ir_strdup(st, sid);
    s->allow = true;
    s->principal_kind = LK_IR_PRINCIPAL_SERVICE;
    lk_ir_list_add(st, &s->principals, service);
    lk_ir_list_add(st, &s->actions, action);
    lk_ir_list_add(st, &s->resources, "*");
}

/* A desired state with one key (the services' statements only) and three log groups. */
static struct lk_ir_state *s_kms_desired(const char *key_arn)
{
    struct lk_ir_state *d = lk_ir_state_new();
    d->account = lk_ir_strdup(d, "111122223333");
    d->region = lk_ir_strdup(d, "us-east-1");
    d->partition = lk_ir_strdup(d, "aws");
    d->keys = lk_arena_alloc(&d->arena, sizeof(*d->keys));
    d->n_keys = 1;
    struct lk_ir_key *k = &d->keys[0];
    memset(k, 0, sizeof(*k));
    k->arn = lk_ir_strdup(d, key_arn);
    k->region = lk_ir_strdup(d, "us-east-1");
    k->policy.present = true;
    k->policy.version = lk_ir_strdup(d, "2012-10-17");
    k->policy.statements = lk_arena_alloc(&d->arena, 2 * sizeof(*k->policy.statements));
    k->policy.n_statements = 2;
    s_key_stmt(d, &k->policy.statements[0], "LogKeepCloudTrailEncrypt", "cloudtrail.amazonaws.com",
               "kms:GenerateDataKey*");
    s_key_stmt(d, &k->policy.statements[1], "LogKeepCloudWatchLogs", "logs.us-east-1.amazonaws.com",
               "kms:*");
    lk_ir_list_add(d, &k->users, "store:audit");
    static const char *const names[] = {"/lk-kms/delivery", "/lk-kms/other-key", "/lk-kms/secure"};
    d->log_groups = lk_arena_alloc(&d->arena, 3 * sizeof(*d->log_groups));
    d->n_log_groups = 3;
    for (size_t i = 0; i < 3; i++) {
        struct lk_ir_log_group *g = &d->log_groups[i];
        memset(g, 0, sizeof(*g));
        g->name = lk_ir_strdup(d, names[i]);
        g->region = lk_ir_strdup(d, "us-east-1");
        g->retention_days = 30;
        g->wanted_days = 30;
        g->deletion_protection = true;
        g->kms_key_id = i ? lk_ir_strdup(d, key_arn) : NULL;
    }
    lk_ir_canonicalize(d);
    return d;
}

static struct lk_ir_state *s_kms_live(const struct lk_ir_state *desired)
{
    struct lk_aws_error err = {0};
    struct lk_live_report report;
    struct lk_ir_state *live = lk_ir_state_new();
    if (lk_live_read(&g_client, desired, NULL, live, &report, &err) != 0)
        lk_svc_fail_err("lk_live_read", &err);
    lk_live_report_free(&report);
    return live;
}

static const struct lk_diff_change *s_change(const struct lk_diff *d, enum lk_diff_resource res,
                                             const char *name, const char *attr)
{
    const struct lk_diff_change *ch = lk_diff_find(d, res, name, attr);
    ck_assert_msg(ch != NULL, "no change %s %s", name, attr);
    return ch;
}

START_TEST(test_kms_key_policy_and_log_group_integrity)
{
    /* The live key: the default root statement, a foreign organisation statement, and a stale
     * statement of logkeep's; three log groups in the states the diff must see. */
    ck_assert_int_eq(
        s_admin(
            "/_admin/state?mode=merge",
            "{\"keys\": {\"" S_KEY_ARN "\": {\"policy\": \"{\\\"Version\\\":\\\"2012-10-17\\\","
            "\\\"Statement\\\":[{\\\"Sid\\\":\\\"Enable IAM User Permissions\\\",\\\"Effect\\\":"
            "\\\"Allow\\\",\\\"Principal\\\":{\\\"AWS\\\":\\\"arn:aws:iam::111122223333:root\\\"},"
            "\\\"Action\\\":\\\"kms:*\\\",\\\"Resource\\\":\\\"*\\\"},{\\\"Sid\\\":\\\"OrgRead\\\","
            "\\\"Effect\\\":\\\"Allow\\\",\\\"Principal\\\":{\\\"AWS\\\":\\\"444455556666\\\"},"
            "\\\"Action\\\":\\\"kms:Decrypt\\\",\\\"Resource\\\":\\\"*\\\"},{\\\"Sid\\\":"
            "\\\"LogKeepOld\\\",\\\"Effect\\\":\\\"Allow\\\",\\\"Principal\\\":{\\\"Service\\\":"
            "\\\"config.amazonaws.com\\\"},\\\"Action\\\":\\\"kms:Decrypt\\\",\\\"Resource\\\":"
            "\\\"*\\\"}]}\"}, \"" S_OTHER_KEY "\": {}},"
            " \"log_groups\": {\"111122223333\": {\"us-east-1\": ["
            "{\"logGroupName\": \"/lk-kms/secure\", \"retentionInDays\": 30},"
            "{\"logGroupName\": \"/lk-kms/delivery\", \"retentionInDays\": 1,"
            " \"logGroupClass\": \"DELIVERY\", \"deletionProtectionEnabled\": true},"
            "{\"logGroupName\": \"/lk-kms/other-key\", \"retentionInDays\": 30,"
            " \"kmsKeyId\": \"" S_OTHER_KEY "\", \"deletionProtectionEnabled\": true}]}}}"),
        200);
    struct lk_ir_state *desired = s_kms_desired(S_KEY_ARN);
    struct lk_ir_state *live = s_kms_live(desired);
    ck_assert_uint_eq(live->n_keys, 1);
    ck_assert(live->keys[0].exists);
    ck_assert_ptr_null(live->keys[0].error);
    ck_assert_uint_eq(live->keys[0].policy.n_statements, 3);
    const struct lk_ir_log_group *dl = NULL;
    for (size_t i = 0; i < live->n_log_groups; i++)
        if (!strcmp(live->log_groups[i].name, "/lk-kms/delivery"))
            dl = &live->log_groups[i];
    ck_assert_ptr_nonnull(dl);
    ck_assert_int_eq(dl->log_group_class, LK_IR_LOG_CLASS_DELIVERY);
    ck_assert(dl->deletion_protection);

    struct lk_diff diff;
    lk_diff_init(&diff);
    ck_assert_int_eq(lk_diff_states(desired, live, &diff), LK_STATUS_OK);
    const char *allow_key = "key-policy:1234abcd-12ab-34cd-56ef-1234567890ab";
    const struct lk_diff_change *ch =
        s_change(&diff, LK_DIFF_KEY, S_KEY_ARN, "policy.statement[LogKeepCloudTrailEncrypt]");
    ck_assert_int_eq(ch->kind, LK_DIFF_MISSING);
    ck_assert(ch->data_loss);
    ck_assert_str_eq(ch->allow_name, allow_key);
    ch = s_change(&diff, LK_DIFF_KEY, S_KEY_ARN, "policy.statement[LogKeepOld]");
    ck_assert_int_eq(ch->kind, LK_DIFF_EXTRA);
    ch = s_change(&diff, LK_DIFF_KEY, S_KEY_ARN, "policy.statement[OrgRead]");
    ck_assert_int_eq(ch->kind, LK_DIFF_NOTE); /* foreign: listed, not drift */
    ch = s_change(&diff, LK_DIFF_LOG_GROUP, "/lk-kms/secure", "deletion_protection");
    ck_assert_int_eq(ch->kind, LK_DIFF_CHANGED);
    ck_assert_int_eq(ch->direction, LK_DIFF_WEAKER);
    ch = s_change(&diff, LK_DIFF_LOG_GROUP, "/lk-kms/secure", "kms_key_id");
    ck_assert(!ch->data_loss); /* no key yet: associating one takes nothing away */
    ch = s_change(&diff, LK_DIFF_LOG_GROUP, "/lk-kms/other-key", "kms_key_id");
    ck_assert(ch->data_loss);
    ck_assert_str_eq(ch->allow_name, "log-group-key:/lk-kms/other-key");
    ch = s_change(&diff, LK_DIFF_LOG_GROUP, "/lk-kms/delivery", "retention_days");
    ck_assert_int_eq(ch->kind, LK_DIFF_NOTE); /* DELIVERY: one day, fixed */
    ck_assert_ptr_null(
        lk_diff_find(&diff, LK_DIFF_LOG_GROUP, "/lk-kms/delivery", "deletion_protection"));
    /* The guards: both allowances are asked for until given. */
    ck_assert_uint_eq(lk_apply_missing_allows(&diff, NULL, 0, NULL), 2);
    const char *const given[] = {allow_key};
    ck_assert_uint_eq(lk_apply_missing_allows(&diff, given, 1, NULL), 1);

    struct lk_artifacts none;
    lk_artifacts_init(&none);
    struct lk_apply_plan plan;
    lk_apply_plan_init(&plan);
    ck_assert_int_eq(lk_apply_plan_build(desired, &diff, &none, &plan), LK_STATUS_OK);
    ck_assert_uint_ge(plan.n, 4);
    ck_assert_int_eq(plan.steps[0].op, LK_APPLY_PUT_KEY_POLICY); /* before what checks it */
    for (size_t i = 0; i < plan.n; i++)
        ck_assert_msg(!(plan.steps[i].op == LK_APPLY_PUT_RETENTION &&
                        !strcmp(plan.steps[i].name, "/lk-kms/delivery")),
                      "PutRetentionPolicy sent to a DELIVERY group");
    struct lk_aws_error err = {0};
    OK(lk_apply_execute(&g_client, &plan, NULL, NULL, &err), err);
    lk_apply_plan_free(&plan);
    lk_diff_free(&diff);

    /* The merged policy: the foreign statements exactly as they were, logkeep's replaced. */
    char *text = NULL;
    OK(lk_kms_get_key_policy(&g_client, S_KEY_ARN, g_st, &text, &err), err);
    ck_assert_ptr_nonnull(strstr(text, "\"OrgRead\""));
    ck_assert_ptr_nonnull(strstr(text, "\"Enable IAM User Permissions\""));
    ck_assert_ptr_nonnull(strstr(text, "\"LogKeepCloudTrailEncrypt\""));
    ck_assert_ptr_null(strstr(text, "LogKeepOld"));

    /* A second read finds nothing left to do but the notes. */
    lk_ir_state_free(live);
    live = s_kms_live(desired);
    lk_diff_init(&diff);
    ck_assert_int_eq(lk_diff_states(desired, live, &diff), LK_STATUS_OK);
    struct lk_diff_summary sum;
    lk_diff_summarize(&diff, &sum);
    ck_assert_uint_eq(sum.to_add + sum.to_change + sum.to_remove, 0);
    lk_diff_free(&diff);

    /* Deletion protection holds at the service. */
    ck_assert_int_eq(lk_logs_delete_log_group(&g_client, "/lk-kms/secure", NULL, &err),
                     LK_STATUS_AWS);
    ck_assert_str_eq(err.code, "ValidationException");
    lk_aws_error_clear(&err);
    lk_artifacts_free(&none);
    lk_ir_state_free(live);
    lk_ir_state_free(desired);
}
END_TEST

START_TEST(test_kms_merge_refuses_a_lockout)
{
    /* The key's only grant to the account is a statement of logkeep's, which the merge drops:
     * the result would lock the caller out. */
    ck_assert_int_eq(
        s_admin(
            "/_admin/state?mode=merge",
            "{\"keys\": {\"" S_KEY2_ARN "\": {\"policy\": \"{\\\"Statement\\\":[{\\\"Sid\\\":"
            "\\\"LogKeepAdmin\\\",\\\"Effect\\\":\\\"Allow\\\",\\\"Principal\\\":{\\\"AWS\\\":"
            "\\\"arn:aws:iam::111122223333:root\\\"},\\\"Action\\\":\\\"kms:*\\\",\\\"Resource\\\":"
            "\\\"*\\\"}]}\"}}}"),
        200);
    struct lk_ir_state *desired = s_kms_desired(S_KEY2_ARN);
    desired->n_log_groups = 0;
    struct lk_ir_state *live = s_kms_live(desired);
    struct lk_diff diff;
    lk_diff_init(&diff);
    ck_assert_int_eq(lk_diff_states(desired, live, &diff), LK_STATUS_OK);
    struct lk_artifacts none;
    lk_artifacts_init(&none);
    struct lk_apply_plan plan;
    lk_apply_plan_init(&plan);
    ck_assert_int_eq(lk_apply_plan_build(desired, &diff, &none, &plan), LK_STATUS_OK);
    ck_assert_uint_eq(plan.n, 1);
    struct lk_aws_error err = {0};
    ck_assert_int_eq(lk_apply_execute(&g_client, &plan, NULL, NULL, &err), LK_STATUS_REFUSED);
    ck_assert_str_eq(err.code, "logkeep.KeyPolicyLockout");
    ck_assert_ptr_nonnull(strstr(err.message, "kms:PutKeyPolicy"));
    ck_assert_int_eq(plan.steps[0].status, LK_APPLY_FAILED);
    lk_aws_error_clear(&err);
    char *text = NULL;
    OK(lk_kms_get_key_policy(&g_client, S_KEY2_ARN, g_st, &text, &err), err);
    ck_assert_ptr_nonnull(strstr(text, "LogKeepAdmin")); /* unchanged */
    /* A key of another region is not found in this one; a key the caller may not read is a
     * finding of the live read, not a failure. */
    ck_assert_int_eq(lk_kms_get_key_policy(&g_client,
                                           "arn:aws:kms:eu-west-1:111122223333:key/"
                                           "2222abcd-12ab-34cd-56ef-1234567890ab",
                                           g_st, &text, &err),
                     LK_STATUS_AWS);
    ck_assert_str_eq(err.code, "NotFoundException");
    lk_aws_error_clear(&err);
    lk_apply_plan_free(&plan);
    lk_artifacts_free(&none);
    lk_diff_free(&diff);
    lk_ir_state_free(live);
    lk_ir_state_free(desired);
}
END_TEST

START_TEST(test_kms_merge_sends_the_compiled_artifact)
{
    /* The compiler's kms/<key-id>/key-policy.json (logkeep's statements only) is what the merge
     * adds; the desired IR is only what the diff compared. */
#define S_KEY4_ARN "arn:aws:kms:us-east-1:111122223333:key/4444abcd-12ab-34cd-56ef-1234567890ab"
    ck_assert_int_eq(s_admin("/_admin/state?mode=merge", "{\"keys\": {\"" S_KEY4_ARN "\": {}}}"),
                     200);
    struct lk_ir_state *desired = s_kms_desired(S_KEY4_ARN);
    desired->n_log_groups = 0;
    struct lk_ir_state *live = s_kms_live(desired);
    struct lk_diff diff;
    lk_diff_init(&diff);
    ck_assert_int_eq(lk_diff_states(desired, live, &diff), LK_STATUS_OK);
    struct lk_artifacts arts;
    lk_artifacts_init(&arts);
    static const char doc[] =
        "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"LogKeepFromArtifact\","
        "\"Effect\":\"Allow\",\"Principal\":{\"Service\":\"cloudtrail.amazonaws.com\"},"
        "\"Action\":\"kms:GenerateDataKey*\",\"Resource\":\"*\",\"Condition\":{\"StringLike\":"
        "{\"kms:EncryptionContext:aws:cloudtrail:arn\":\"arn:aws:cloudtrail:*:111122223333:trail/"
        "*\"}}}]}";
    lk_artifacts_add(
        &arts,
        lk_arena_strdup(&arts.arena, "kms/4444abcd-12ab-34cd-56ef-1234567890ab/key-policy.json"),
        "PutKeyPolicy", S_KEY4_ARN, lk_arena_strdup(&arts.arena, doc), NULL);
    lk_artifacts_sort(&arts);
    struct lk_apply_plan plan;
    lk_apply_plan_init(&plan);
    ck_assert_int_eq(lk_apply_plan_build(desired, &diff, &arts, &plan), LK_STATUS_OK);
    ck_assert_uint_eq(plan.n, 1);
    ck_assert_ptr_nonnull(plan.steps[0].artifact);
    struct lk_aws_error err = {0};
    OK(lk_apply_execute(&g_client, &plan, NULL, NULL, &err), err);
    char *text = NULL;
    OK(lk_kms_get_key_policy(&g_client, S_KEY4_ARN, g_st, &text, &err), err);
    ck_assert_ptr_nonnull(strstr(text, "LogKeepFromArtifact"));
    ck_assert_ptr_nonnull(strstr(text, "kms:EncryptionContext:aws:cloudtrail:arn"));
    ck_assert_ptr_nonnull(strstr(text, "Enable IAM User Permissions")); /* the default, kept */
    ck_assert_ptr_null(strstr(text, "LogKeepCloudWatchLogs"));          /* not in the artifact */
    lk_apply_plan_free(&plan);
    lk_artifacts_free(&arts);
    lk_diff_free(&diff);
    lk_ir_state_free(live);
    lk_ir_state_free(desired);
}
END_TEST

START_TEST(test_kms_unreadable_key_is_a_finding)
{
    /* A key of the account whose policy names only another account: GetKeyPolicy is refused. */
    ck_assert_int_eq(
        s_admin("/_admin/state?mode=merge",
                "{\"keys\": {\"arn:aws:kms:us-east-1:111122223333:key/3333abcd-12ab-34cd-56ef-"
                "1234567890ab\": {\"policy\": \"{\\\"Statement\\\":[{\\\"Effect\\\":\\\"Allow\\\","
                "\\\"Principal\\\":{\\\"AWS\\\":\\\"444455556666\\\"},\\\"Action\\\":\\\"kms:*\\\","
                "\\\"Resource\\\":\\\"*\\\"}]}\"}}}"),
        200);
    struct lk_ir_state *desired = s_kms_desired(
        "arn:aws:kms:us-east-1:111122223333:key/3333abcd-12ab-34cd-56ef-1234567890ab");
    desired->n_log_groups = 0;
    struct lk_ir_state *live = s_kms_live(desired);
    ck_assert_uint_eq(live->n_keys, 1);
    ck_assert(!live->keys[0].exists);
    ck_assert_str_eq(live->keys[0].error, "AccessDeniedException");
    struct lk_diff diff;
    lk_diff_init(&diff);
    ck_assert_int_eq(lk_diff_states(desired, live, &diff), LK_STATUS_OK);
    ck_assert_uint_eq(diff.n, 1);
    ck_assert_int_eq(diff.changes[0].kind, LK_DIFF_NOTE);
    ck_assert_ptr_nonnull(strstr(diff.changes[0].note, "AccessDeniedException"));
    lk_diff_free(&diff);
    lk_ir_state_free(live);
    lk_ir_state_free(desired);
}
END_TEST

START_TEST(test_kms_unreadable_key_fails_what_must_read_it)
{
    /* Refused: a finding for drift (above), a failed read for apply (keys_required). */
    const char *refused =
        "arn:aws:kms:us-east-1:111122223333:key/5555abcd-12ab-34cd-56ef-1234567890ab";
    ck_assert_int_eq(
        s_admin("/_admin/state?mode=merge",
                "{\"keys\": {\"arn:aws:kms:us-east-1:111122223333:key/5555abcd-12ab-34cd-56ef-"
                "1234567890ab\": {\"policy\": \"{\\\"Statement\\\":[{\\\"Effect\\\":\\\"Allow\\\","
                "\\\"Principal\\\":{\\\"AWS\\\":\\\"444455556666\\\"},\\\"Action\\\":\\\"kms:*\\\","
                "\\\"Resource\\\":\\\"*\\\"}]}\"}}}"),
        200);
    struct lk_ir_state *desired = s_kms_desired(refused);
    desired->n_log_groups = 0;
    struct lk_live_options opts = {.keys_required = true};
    struct lk_live_report report;
    struct lk_aws_error err = {0};
    struct lk_ir_state *live = lk_ir_state_new();
    ck_assert_int_ne(lk_live_read(&g_client, desired, &opts, live, &report, &err), 0);
    ck_assert_str_eq(err.code, "AccessDeniedException");
    lk_live_report_free(&report);
    lk_aws_error_clear(&err);
    lk_ir_state_free(live);
    lk_ir_state_free(desired);

    /* A server error on a readable key fails every read, drift's included: it says nothing of
     * the key. */
    ck_assert_int_eq(s_admin("/_admin/state?mode=merge", "{\"keys\": {\"" S_KEY_ARN "\": {}}}"),
                     200);
    ck_assert_int_eq(s_admin("/_admin/faults", "{\"kind\": \"error\", \"service\": \"kms\", "
                                               "\"operation\": \"GetKeyPolicy\", \"count\": null}"),
                     200);
    desired = s_kms_desired(S_KEY_ARN);
    desired->n_log_groups = 0;
    live = lk_ir_state_new();
    int rc = lk_live_read(&g_client, desired, NULL, live, &report, &err);
    ck_assert_int_eq(s_admin("/_admin/faults/reset", "{}"), 200);
    ck_assert_int_ne(rc, 0);
    ck_assert_str_eq(err.code, "InternalFailure");
    lk_live_report_free(&report);
    lk_aws_error_clear(&err);
    lk_ir_state_free(live);
    lk_ir_state_free(desired);
}
END_TEST

/* ------------------------------------------------------------------------------ main */

int main(void)
{
    if (s_load_policy() != 0)
        return EXIT_FAILURE;
    Suite *s = suite_create("services_live");
    TCase *tc = tcase_create("endpoint");
    tcase_add_checked_fixture(tc, s_setup, s_teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_artifacts_match_binary);
    tcase_add_test(tc, test_s3_absent_before_put);
    tcase_add_test(tc, test_s3_missing_bucket);
    tcase_add_test(tc, test_s3_round_trip_quickstart);
    tcase_add_test(tc, test_s3_delete_and_versioning);
    tcase_add_test(tc, test_s3_other_region);
    tcase_add_test(tc, test_logs_pagination);
    tcase_add_test(tc, test_logs_retention_round_trip);
    tcase_add_test(tc, test_cloudtrail_insufficient_policy);
    tcase_add_test(tc, test_cloudtrail_round_trip_quickstart);
    tcase_add_test(tc, test_cloudtrail_from_ir);
    tcase_add_test(tc, test_kms_key_policy_and_log_group_integrity);
    tcase_add_test(tc, test_kms_merge_refuses_a_lockout);
    tcase_add_test(tc, test_kms_merge_sends_the_compiled_artifact);
    tcase_add_test(tc, test_kms_unreadable_key_is_a_finding);
    tcase_add_test(tc, test_kms_unreadable_key_fails_what_must_read_it);
    suite_add_tcase(s, tc);
    int rc = lk_test_run(s);
    s_unload_policy();
    return rc;
}
