/*
 * Integration tests: the service clients read AWS responses as the AWS SDKs do. The local AWS
 * endpoint (tests/aws-endpoint) answers with recorded response variants
 * (tests/aws-endpoint/fixtures, served through its /_admin/variants API) or rewrites its own
 * answers as an S3 emulator does, and each variant goes through the real client over HTTP:
 *  - accepted as the SDKs accept them (tests/aws-endpoint/test_variants.py shows botocore doing
 *    so): a root element named <OperationResponse>, DefaultRetention with <Days>365</Days> and
 *    <Years>0</Years>, missing optional members and headers, unknown members;
 *  - still refused: a document type declaration, an oversize body, a string where a number is
 *    required, two non-zero alternatives; with an error that names the operation and member.
 *
 * Run by tests/services/run (which starts the endpoint and sets AWS_ENDPOINT_URL and the
 * credentials).
 */
#include "../unit/lk_test.h"

#include <check.h>
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/services/cloudtrail.h"
#include "runtime/services/logs.h"
#include "runtime/services/s3.h"
#include "runtime/services/sts.h"
#include "runtime/transport/credentials.h"
#include "svc_live.h"
#include "svc_test.h"

static struct lk_aws_client g_client;
static struct lk_ir_state *g_st;

#define ACCOUNT "111122223333"

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

/* Calls the endpoint's admin API (unsigned JSON on loopback); asserts a 200 answer. @return
 * the answer's body (heap) when @p body_out is wanted, else NULL. */
static char *s_admin(const char *method, const char *path, const char *json)
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
    req.body = (const unsigned char *)(json ? json : "");
    req.body_len = json ? strlen(json) : 0;
    struct lk_http_response resp = {0};
    int rc = g_client.http.perform(g_client.http.impl, &req, &resp);
    ck_assert_msg(rc == LK_STATUS_OK, "admin %s: %s", path, resp.error.message);
    ck_assert_msg(resp.status == 200, "admin %s %s answered %ld: %.*s", method, path, resp.status,
                  (int)resp.body_len, resp.body ? (const char *)resp.body : "");
    char *text = malloc(resp.body_len + 1);
    ck_assert_ptr_nonnull(text);
    if (resp.body_len)
        memcpy(text, resp.body, resp.body_len);
    text[resp.body_len] = '\0';
    lk_http_response_free(&resp);
    return text;
}

/* Adds one response variant rule (a JSON object) and forgets the answer. */
static void s_variant(const char *rule_json)
{
    free(s_admin("POST", "/_admin/variants", rule_json));
}

static void s_clear_variants(void)
{
    free(s_admin("DELETE", "/_admin/variants", NULL));
}

/* How many @p operation calls the endpoint's request log holds. */
static int s_log_total(const char *operation)
{
    char path[128];
    snprintf(path, sizeof(path), "/_admin/log?operation=%s&limit=0", operation);
    char *text = s_admin("GET", path, NULL);
    cJSON *doc = cJSON_Parse(text);
    free(text);
    const cJSON *counts = cJSON_GetObjectItemCaseSensitive(doc, "counts");
    const cJSON *n = cJSON_GetObjectItemCaseSensitive(counts, operation);
    int total = cJSON_IsNumber(n) ? n->valueint : 0;
    cJSON_Delete(doc);
    return total;
}

/* Creates a bucket in the client's region (us-east-1 answers 200 when it is already ours). */
static void s_create_bucket(const char *name, bool lock)
{
    struct lk_aws_error err = {0};
    if (lk_s3_create_bucket(&g_client, name, NULL, lock, &err) != 0) {
        if (err.code && !strcmp(err.code, "BucketAlreadyOwnedByYou")) {
            lk_aws_error_clear(&err);
            return;
        }
        lk_svc_fail_err("CreateBucket", &err);
    }
}

/* The error as the CLI prints it. */
static const char *s_text(const struct lk_aws_error *err)
{
    static char buf[512];
    lk_aws_error_format(err, buf, sizeof(buf));
    return buf;
}

/* Asserts a refused answer: LK_STATUS_MALFORMED, code LK_SVC_MALFORMED_RESPONSE, and an error
 * text that names @p op and holds @p words; clears @p err. */
static void s_assert_refused(enum lk_status rc, struct lk_aws_error *err, const char *op,
                             const char *words)
{
    ck_assert_msg(rc == LK_STATUS_MALFORMED, "%s: %s, expected MALFORMED (%s)", op,
                  lk_status_name(rc), s_text(err));
    ck_assert_str_eq(err->code, LK_SVC_MALFORMED_RESPONSE);
    ck_assert_str_eq(err->operation, op);
    const char *text = s_text(err);
    ck_assert_msg(strstr(text, op) && strstr(text, words), "\"%s\" does not name %s and %s", text,
                  op, words);
    lk_aws_error_clear(err);
}

/* ------------------------------------------------------------------------------ S3 */

#define S3_VERSIONING_XML                                                                          \
    "<VersioningConfiguration xmlns=\"" LK_S3_XML_NAMESPACE "\"><Status>Suspended</Status>"        \
    "</VersioningConfiguration>"

START_TEST(test_s3_wrapped_root_is_read)
{
    static const char name[] = "lk-variant-root-" ACCOUNT;
    struct lk_aws_error err = {0};
    s_create_bucket(name, false);
    /* The recorded answer says Enabled; the bucket itself has never had versioning. */
    s_variant("{\"service\":\"s3\",\"operation\":\"GetBucketVersioning\",\"count\":1,"
              "\"fixture\":\"s3/GetBucketVersioning-wrapped-root.xml\"}");
    struct lk_ir_bucket b = {0};
    OK(lk_s3_get_versioning(&g_client, name, NULL, &b, &err), err);
    ck_assert_int_eq(b.versioning, LK_IR_VERSIONING_ENABLED);
    OK(lk_s3_get_versioning(&g_client, name, NULL, &b, &err), err);
    ck_assert_int_eq(b.versioning, LK_IR_VERSIONING_NEVER);

    /* The same for a lifecycle answer with unknown elements in and around its rule. */
    s_variant("{\"service\":\"s3\",\"operation\":\"GetBucketLifecycleConfiguration\","
              "\"status\":200,\"count\":1,"
              "\"fixture\":\"s3/GetBucketLifecycleConfiguration-wrapped-unknown.xml\"}");
    OK(lk_s3_get_lifecycle(&g_client, name, NULL, g_st, &b, &err), err);
    ck_assert(b.lifecycle.present);
    ck_assert_uint_eq(b.lifecycle.n_rules, 1);
    ck_assert_str_eq(b.lifecycle.rules[0].id, "expire-logs");
    ck_assert_str_eq(b.lifecycle.rules[0].prefix, "logs/");
    ck_assert_int_eq(b.lifecycle.rules[0].expiration_days, 30);
    ck_assert_uint_eq(b.unmodelled, 0);
}
END_TEST

START_TEST(test_s3_zero_alternative_is_absent)
{
    static const char name[] = "lk-variant-lock-" ACCOUNT;
    struct lk_aws_error err = {0};
    s_create_bucket(name, true);
    s_variant("{\"service\":\"s3\",\"operation\":\"GetObjectLockConfiguration\",\"count\":1,"
              "\"fixture\":\"s3/GetObjectLockConfiguration-days-years-zero.xml\"}");
    struct lk_ir_bucket b = {0};
    OK(lk_s3_get_object_lock(&g_client, name, NULL, &b, &err), err);
    ck_assert(b.object_lock.enabled);
    ck_assert_int_eq(b.object_lock.mode, LK_IR_LOCK_COMPLIANCE);
    ck_assert_int_eq(b.object_lock.days, 365);
    ck_assert_int_eq(b.object_lock.years, 0);

    /* Two non-zero periods: S3 documents only one, so the answer is refused. */
    s_variant("{\"service\":\"s3\",\"operation\":\"GetObjectLockConfiguration\",\"count\":1,"
              "\"fixture\":\"s3/GetObjectLockConfiguration-days-and-years.xml\"}");
    s_assert_refused(lk_s3_get_object_lock(&g_client, name, NULL, &b, &err), &err,
                     "GetObjectLockConfiguration",
                     "<DefaultRetention> has both <Days> and <Years>");
}
END_TEST

START_TEST(test_s3_missing_optional_members_and_header)
{
    static const char name[] = "lk-variant-missing-" ACCOUNT;
    struct lk_aws_error err = {0};
    s_create_bucket(name, false);
    /* Two of the four Block Public Access members: the others read as false. */
    s_variant("{\"service\":\"s3\",\"operation\":\"GetPublicAccessBlock\",\"status\":200,"
              "\"count\":1,\"fixture\":\"s3/GetPublicAccessBlock-missing-members.xml\"}");
    struct lk_ir_bucket b = {0};
    OK(lk_s3_get_public_access_block(&g_client, name, NULL, &b, &err), err);
    ck_assert(b.public_access_block.present);
    ck_assert(b.public_access_block.block_public_acls);
    ck_assert(!b.public_access_block.ignore_public_acls);
    ck_assert(b.public_access_block.block_public_policy);
    ck_assert(!b.public_access_block.restrict_public_buckets);

    /* HeadBucket without x-amz-bucket-region: the region comes from GetBucketLocation. */
    s_variant("{\"service\":\"s3\",\"operation\":\"HeadBucket\",\"count\":1,"
              "\"drop_headers\":[\"x-amz-bucket-region\"]}");
    bool exists = false;
    char *region = NULL;
    OK(lk_s3_head_bucket(&g_client, name, NULL, g_st, &exists, &region, &err), err);
    ck_assert(exists);
    ck_assert_ptr_null(region);
    s_variant("{\"service\":\"s3\",\"operation\":\"HeadBucket\",\"count\":1,"
              "\"drop_headers\":[\"x-amz-bucket-region\"]}");
    int before = s_log_total("GetBucketLocation");
    OK(lk_s3_read_bucket(&g_client, name, g_st, &b, &err), err);
    ck_assert(b.exists);
    ck_assert_str_eq(b.region, "us-east-1");
    ck_assert_int_eq(s_log_total("GetBucketLocation"), before + 1);
}
END_TEST

START_TEST(test_s3_emulator_dialect_reads_as_aws)
{
    static const char name[] = "lk-variant-dialect-" ACCOUNT;
    struct lk_aws_error err = {0};
    s_create_bucket(name, true);
    static const char lock[] =
        "<ObjectLockConfiguration xmlns=\"" LK_S3_XML_NAMESPACE "\"><ObjectLockEnabled>Enabled"
        "</ObjectLockEnabled><Rule><DefaultRetention><Mode>GOVERNANCE</Mode><Years>2</Years>"
        "</DefaultRetention></Rule></ObjectLockConfiguration>";
    OK(lk_s3_put_object_lock(&g_client, name, NULL, lock, strlen(lock), &err), err);
    static const char ver[] = "<VersioningConfiguration xmlns=\"" LK_S3_XML_NAMESPACE "\">"
                              "<Status>Enabled</Status></VersioningConfiguration>";
    OK(lk_s3_put_versioning(&g_client, name, NULL, ver, strlen(ver), &err), err);
    static const char lc[] =
        "<LifecycleConfiguration xmlns=\"" LK_S3_XML_NAMESPACE "\"><Rule><ID>r</ID><Filter>"
        "<Prefix>AWSLogs/</Prefix></Filter><Status>Enabled</Status><Expiration><Days>400</Days>"
        "</Expiration><NoncurrentVersionExpiration><NoncurrentDays>30</NoncurrentDays>"
        "</NoncurrentVersionExpiration></Rule></LifecycleConfiguration>";
    OK(lk_s3_put_lifecycle(&g_client, name, NULL, lc, strlen(lc), LK_IR_TMS_UNSPECIFIED, &err),
       err);
    static const char pab[] =
        "<PublicAccessBlockConfiguration xmlns=\"" LK_S3_XML_NAMESPACE "\"><BlockPublicAcls>true"
        "</BlockPublicAcls><IgnorePublicAcls>true</IgnorePublicAcls><BlockPublicPolicy>true"
        "</BlockPublicPolicy><RestrictPublicBuckets>true</RestrictPublicBuckets>"
        "</PublicAccessBlockConfiguration>";
    OK(lk_s3_put_public_access_block(&g_client, name, NULL, pab, strlen(pab), &err), err);

    struct lk_ir_bucket plain = {0}, emulated = {0};
    OK(lk_s3_read_bucket(&g_client, name, g_st, &plain, &err), err);
    s_variant("{\"dialect\":\"emulator\"}");
    OK(lk_s3_read_bucket(&g_client, name, g_st, &emulated, &err), err);
    s_clear_variants();
    ck_assert(emulated.exists);
    ck_assert_str_eq(emulated.region, plain.region);
    const char *why = lk_svc_cmp_bucket(&plain, &emulated);
    ck_assert_msg(why == NULL, "the emulator's answers read differently: %s", why);
    ck_assert_int_eq(emulated.versioning, LK_IR_VERSIONING_ENABLED);
    ck_assert_int_eq(emulated.object_lock.years, 2);
    ck_assert_int_eq(emulated.object_lock.days, 0);
    ck_assert_uint_eq(emulated.lifecycle.n_rules, 1);
    ck_assert(emulated.public_access_block.restrict_public_buckets);
}
END_TEST

START_TEST(test_s3_still_refused)
{
    static const char name[] = "lk-variant-refused-" ACCOUNT;
    struct lk_aws_error err = {0};
    s_create_bucket(name, false);
    OK(lk_s3_put_versioning(&g_client, name, NULL, S3_VERSIONING_XML, strlen(S3_VERSIONING_XML),
                            &err),
       err);
    struct lk_ir_bucket b = {0};

    /* A document type declaration: refused before any entity is expanded. */
    s_variant("{\"service\":\"s3\",\"operation\":\"GetBucketVersioning\",\"count\":1,"
              "\"fixture\":\"s3/GetBucketVersioning-doctype.xml\"}");
    s_assert_refused(lk_s3_get_versioning(&g_client, name, NULL, &b, &err), &err,
                     "GetBucketVersioning", "document type declarations are not accepted");

    /* A string where a number is required. */
    s_variant("{\"service\":\"s3\",\"operation\":\"GetObjectLockConfiguration\",\"count\":1,"
              "\"status\":200,"
              "\"fixture\":\"s3/GetObjectLockConfiguration-days-not-a-number.xml\"}");
    s_assert_refused(lk_s3_get_object_lock(&g_client, name, NULL, &b, &err), &err,
                     "GetObjectLockConfiguration", "<Days> is not a number");

    /* Over LK_S3_XML_MAX_BYTES (a well-formed document padded with trailing whitespace). */
    size_t pad = LK_S3_XML_MAX_BYTES + 1024;
    static const char head[] = "{\"service\":\"s3\",\"operation\":\"GetBucketVersioning\","
                               "\"count\":1,\"body\":\"<VersioningConfiguration><Status>Enabled"
                               "</Status></VersioningConfiguration>";
    char *rule = malloc(sizeof(head) + pad + 8);
    ck_assert_ptr_nonnull(rule);
    memcpy(rule, head, sizeof(head) - 1);
    memset(rule + sizeof(head) - 1, ' ', pad);
    memcpy(rule + sizeof(head) - 1 + pad, "\"}", 3);
    s_variant(rule);
    free(rule);
    s_assert_refused(lk_s3_get_versioning(&g_client, name, NULL, &b, &err), &err,
                     "GetBucketVersioning", "exceeds the 2097152-byte limit");

    /* A captive portal's page is no answer either. */
    s_variant("{\"service\":\"s3\",\"operation\":\"GetBucketVersioning\",\"count\":1,"
              "\"body\":\"<html><body>Sign in to the network</body></html>\"}");
    s_assert_refused(lk_s3_get_versioning(&g_client, name, NULL, &b, &err), &err,
                     "GetBucketVersioning", "HTML page");

    /* Nothing above was read: the bucket's own answer is still Suspended. */
    OK(lk_s3_get_versioning(&g_client, name, NULL, &b, &err), err);
    ck_assert_int_eq(b.versioning, LK_IR_VERSIONING_SUSPENDED);
}
END_TEST

/* ------------------------------------------------------------------------------ JSON 1.1 */

START_TEST(test_cloudtrail_variants)
{
    struct lk_aws_error err = {0};
    bool logging = false;
    /* Unknown members of any type, and a timestamp as a string the client does not read. */
    s_variant("{\"service\":\"cloudtrail\",\"operation\":\"GetTrailStatus\",\"status\":200,"
              "\"count\":1,\"fixture\":\"cloudtrail/GetTrailStatus-unknown-members.json\"}");
    OK(lk_cloudtrail_get_trail_status(&g_client, "variant-trail", NULL, &logging, &err), err);
    ck_assert(logging);

    /* Missing members with documented defaults: ReadWriteType All, management events on. */
    s_variant("{\"service\":\"cloudtrail\",\"operation\":\"GetEventSelectors\",\"status\":200,"
              "\"count\":1,\"fixture\":\"cloudtrail/GetEventSelectors-missing-members.json\"}");
    struct lk_ir_trail t = {0};
    OK(lk_cloudtrail_get_event_selectors(&g_client, "variant-trail", NULL, g_st, &t, &err), err);
    ck_assert_uint_eq(t.n_event_selectors, 1);
    ck_assert_str_eq(t.event_selectors[0].read_write_type, "All");
    ck_assert(t.event_selectors[0].include_management_events);
    ck_assert_uint_eq(t.unmodelled, 0);

    /* A string where a boolean is required. */
    s_variant("{\"service\":\"cloudtrail\",\"operation\":\"GetTrailStatus\",\"status\":200,"
              "\"count\":1,\"fixture\":\"cloudtrail/GetTrailStatus-islogging-string.json\"}");
    s_assert_refused(
        lk_cloudtrail_get_trail_status(&g_client, "variant-trail", NULL, &logging, &err), &err,
        "GetTrailStatus", "IsLogging is not a boolean");
}
END_TEST

START_TEST(test_logs_variants)
{
    struct lk_aws_error err = {0};
    struct lk_logs_query q = {0};
    struct lk_ir_log_group *g = NULL;
    size_t n = 0;
    s_variant("{\"service\":\"logs\",\"operation\":\"DescribeLogGroups\",\"count\":1,"
              "\"fixture\":\"logs/DescribeLogGroups-missing-unknown.json\"}");
    OK(lk_logs_describe_log_groups(&g_client, &q, g_st, &g, &n, &err), err);
    ck_assert_uint_eq(n, 2);
    ck_assert_str_eq(g[0].name, "/variants/minimal");
    ck_assert_int_eq(g[0].retention_days, 0); /* absent: never expire */
    ck_assert_ptr_null(g[0].kms_key_id);
    ck_assert_str_eq(g[1].name, "/variants/kept");
    ck_assert_int_eq(g[1].retention_days, 30);

    s_variant("{\"service\":\"logs\",\"operation\":\"DescribeLogGroups\",\"count\":1,"
              "\"fixture\":\"logs/DescribeLogGroups-retention-string.json\"}");
    s_assert_refused(lk_logs_describe_log_groups(&g_client, &q, g_st, &g, &n, &err), &err,
                     "DescribeLogGroups", "retentionInDays is not a positive integer");
}
END_TEST

/* ------------------------------------------------------------------------------ STS */

START_TEST(test_sts_renamed_root)
{
    struct lk_aws_error err = {0};
    struct lk_sts_identity id = {0};
    s_variant("{\"service\":\"sts\",\"operation\":\"GetCallerIdentity\",\"count\":1,"
              "\"fixture\":\"sts/GetCallerIdentity-root-renamed.xml\"}");
    OK(lk_sts_get_caller_identity(&g_client, &id, &err), err);
    ck_assert_str_eq(id.account, ACCOUNT);
    ck_assert_str_eq(id.arn, "arn:aws:iam::111122223333:user/emulator");
    lk_sts_identity_clear(&id);

    /* The model does not require Account, but the caller's account is what whoami and every
     * session read: an answer without it is refused, naming the member. */
    s_variant("{\"service\":\"sts\",\"operation\":\"GetCallerIdentity\",\"count\":1,"
              "\"fixture\":\"sts/GetCallerIdentity-no-account.xml\"}");
    ck_assert_int_ne(lk_sts_get_caller_identity(&g_client, &id, &err), 0);
    ck_assert_str_eq(err.operation, "GetCallerIdentity");
    ck_assert_str_eq(err.code, "MalformedResponse");
    ck_assert_msg(strstr(err.message, "<GetCallerIdentityResult> has no <Account>"), "%s",
                  err.message);
    ck_assert_ptr_null(id.account);
    lk_aws_error_clear(&err);
}
END_TEST

static void s_variant_setup(void)
{
    s_setup();
    s_clear_variants();
}

int main(void)
{
    Suite *s = suite_create("variants_live");
    TCase *tc = tcase_create("endpoint");
    tcase_add_checked_fixture(tc, s_variant_setup, s_teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_s3_wrapped_root_is_read);
    tcase_add_test(tc, test_s3_zero_alternative_is_absent);
    tcase_add_test(tc, test_s3_missing_optional_members_and_header);
    tcase_add_test(tc, test_s3_emulator_dialect_reads_as_aws);
    tcase_add_test(tc, test_s3_still_refused);
    tcase_add_test(tc, test_cloudtrail_variants);
    tcase_add_test(tc, test_logs_variants);
    tcase_add_test(tc, test_sts_renamed_root);
    suite_add_tcase(s, tc);
    return lk_test_run(s);
}
