/*
 * Unit tests for the AWS runtime core, without a network: lk_aws_call() over a scripted fake
 * transport and clock (error parsing for the three protocols, request ids, the standard retry
 * mode, backoff, retry quota, clock skew, signing headers, --debug redaction), endpoint and
 * region resolution, the shared config file parser, the credential chain and its parsers (and
 * the STS table it calls, real and fake), and the STS response parsers.
 *
 * Every test runs in its own process (Check's fork mode), so tests change the environment
 * freely; each starts from a clean AWS_* environment with the shared files pointed at a
 * scratch directory.
 */
#include "../unit/lk_test.h"

#include <check.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/arena.h"
#include "runtime/transport/client.h"
#include "runtime/transport/config_file.h"
#include "runtime/transport/credentials.h"
#include "runtime/transport/endpoint.h"
#include "runtime/transport/http.h"
#include "runtime/services/sts.h"

extern char **environ;

/* ---------------------------------------------------------------------------------------------
 * The fake transport: a script of answers, a record of requests, a clock that sleeps advance.
 * ------------------------------------------------------------------------------------------- */

#define MAX_STEPS 40
#define MAX_HDRS 32

/* What the fake transport answers: a response, or one of the failures the libcurl transport
 * reports (http.c): its status, whether it may be retried, and the summary its message starts
 * with. */
#define FAKE_OK 0
#define FAKE_E_CONNECT 1
#define FAKE_E_TRUNCATED 2
#define FAKE_E_TIMEOUT 3
#define FAKE_E_TOO_LARGE 4
static const struct {
    enum lk_status status;
    bool retryable;
    const char *summary;
} s_fake_failures[] = {
    [FAKE_E_CONNECT] = {LK_STATUS_NETWORK, true, "could not connect, or the connection was reset"},
    [FAKE_E_TRUNCATED] = {LK_STATUS_NETWORK, true,
                          "connection closed before the response was complete"},
    [FAKE_E_TIMEOUT] = {LK_STATUS_TIMEOUT, true, "timed out"},
    [FAKE_E_TOO_LARGE] = {LK_STATUS_TOO_LARGE, false, "response larger than the limit"},
};

struct step {
    int result; /* FAKE_OK or a FAKE_E_ failure */
    long status;
    const char *hdrs[8][2];
    size_t n_hdrs;
    const char *body;
};

struct rec {
    char *method;
    char *url;
    struct lk_http_header hdrs[MAX_HDRS];
    size_t n_hdrs;
    char *body;
    size_t body_len;
    long timeout_ms;
    bool allow_metadata_http;
};

static struct {
    struct step steps[MAX_STEPS];
    size_t n_steps, next;
    struct rec recs[MAX_STEPS];
    size_t n_recs;
    int64_t now_ms;
    int64_t sleeps[MAX_STEPS];
    size_t n_sleeps;
} s_fake;

#define FAKE_START_MS INT64_C(1795698000000) /* 2026-11-26T13:00:00Z */

static void fake_reset(void)
{
    memset(&s_fake, 0, sizeof(s_fake));
    s_fake.now_ms = FAKE_START_MS;
}

/* fake_add(result, status, body, name1, value1, ..., NULL) */
static void fake_add(int result, long status, const char *body, ...)
{
    ck_assert_uint_lt(s_fake.n_steps, MAX_STEPS);
    struct step *st = &s_fake.steps[s_fake.n_steps++];
    memset(st, 0, sizeof(*st));
    st->result = result;
    st->status = status;
    st->body = body;
    va_list ap;
    va_start(ap, body);
    for (;;) {
        const char *name = va_arg(ap, const char *);
        if (name == NULL)
            break;
        st->hdrs[st->n_hdrs][0] = name;
        st->hdrs[st->n_hdrs][1] = va_arg(ap, const char *);
        st->n_hdrs++;
    }
    va_end(ap);
}

static enum lk_status fake_perform(void *impl, const struct lk_http_request *req,
                                   struct lk_http_response *resp)
{
    (void)impl;
    memset(resp, 0, sizeof(*resp));
    ck_assert_uint_lt(s_fake.n_recs, MAX_STEPS);
    struct rec *r = &s_fake.recs[s_fake.n_recs++];
    r->method = lk_xstrdup(req->method);
    r->url = lk_xstrdup(req->url);
    ck_assert_uint_le(req->n_headers, MAX_HDRS);
    for (size_t i = 0; i < req->n_headers; i++) {
        r->hdrs[i].name = lk_xstrdup(req->headers[i].name);
        r->hdrs[i].value = lk_xstrdup(req->headers[i].value);
    }
    r->n_hdrs = req->n_headers;
    r->body = lk_xstrndup(req->body ? (const char *)req->body : "", req->body_len);
    r->body_len = req->body_len;
    r->timeout_ms = req->timeout_ms;
    r->allow_metadata_http = req->allow_metadata_http;
    s_fake.now_ms += 5; /* every exchange takes 5 ms */
    if (s_fake.next >= s_fake.n_steps) {
        resp->retryable = true;
        return lk_error_set(&resp->error, LK_STATUS_NETWORK, "%s: fake: script exhausted",
                            s_fake_failures[FAKE_E_CONNECT].summary);
    }
    const struct step *st = &s_fake.steps[s_fake.next++];
    if (st->result != FAKE_OK) {
        resp->retryable = s_fake_failures[st->result].retryable;
        return lk_error_set(&resp->error, s_fake_failures[st->result].status,
                            "%s: fake transport error", s_fake_failures[st->result].summary);
    }
    resp->status = st->status;
    resp->n_headers = st->n_hdrs;
    resp->headers = lk_xcalloc(st->n_hdrs + 1, sizeof(*resp->headers));
    for (size_t i = 0; i < st->n_hdrs; i++) {
        resp->headers[i].name = lk_xstrdup(st->hdrs[i][0]);
        resp->headers[i].value = lk_xstrdup(st->hdrs[i][1]);
    }
    const char *body = st->body ? st->body : "";
    resp->body = (unsigned char *)lk_xstrdup(body);
    resp->body_len = strlen(body);
    return LK_STATUS_OK;
}

static int64_t fake_now(void *impl)
{
    (void)impl;
    return s_fake.now_ms;
}

static void fake_sleep(void *impl, int64_t ms)
{
    (void)impl;
    ck_assert_int_ge(ms, 0);
    s_fake.sleeps[s_fake.n_sleeps++] = ms;
    s_fake.now_ms += ms;
}

static void fake_vtable(struct lk_http_vtable *v)
{
    memset(v, 0, sizeof(*v));
    v->perform = fake_perform;
    v->now_ms = fake_now;
    v->sleep_ms = fake_sleep;
    v->impl = &s_fake;
}

static const char *rec_header(const struct rec *r, const char *name)
{
    for (size_t i = 0; i < r->n_hdrs; i++)
        if (strcasecmp(r->hdrs[i].name, name) == 0)
            return r->hdrs[i].value;
    return NULL;
}

static void fake_free(void)
{
    for (size_t i = 0; i < s_fake.n_recs; i++) {
        struct rec *r = &s_fake.recs[i];
        free(r->method);
        free(r->url);
        for (size_t k = 0; k < r->n_hdrs; k++) {
            free(r->hdrs[k].name);
            free(r->hdrs[k].value);
        }
        free(r->body);
    }
    s_fake.n_recs = 0;
}

/* ---------------------------------------------------------------------------------------------
 * Environment and clients
 * ------------------------------------------------------------------------------------------- */

static char s_scratch[256];

/* Removes every AWS_* variable and points the shared files at an empty scratch directory. */
static void clean_env(void)
{
    for (;;) {
        char *victim = NULL;
        for (char **e = environ; *e; e++)
            if (strncmp(*e, "AWS_", 4) == 0) {
                victim = *e;
                break;
            }
        if (victim == NULL)
            break;
        char name[256];
        snprintf(name, sizeof(name), "%.*s", (int)strcspn(victim, "="), victim);
        unsetenv(name);
    }
    snprintf(s_scratch, sizeof(s_scratch), "/tmp/lk-rt-unit-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(s_scratch));
    char path[512];
    snprintf(path, sizeof(path), "%s/config", s_scratch);
    setenv("AWS_CONFIG_FILE", path, 1);
    snprintf(path, sizeof(path), "%s/credentials", s_scratch);
    setenv("AWS_SHARED_CREDENTIALS_FILE", path, 1);
    setenv("HOME", s_scratch, 1);
    /* Never reach a real instance metadata service from a unit test. */
    setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
}

static void write_file(const char *name, const char *text, char *path_out, size_t len)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/%s", s_scratch, name);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
    if (path_out != NULL)
        snprintf(path_out, len, "%s", path);
}

static void setup(void)
{
    fake_reset();
    clean_env();
}

static void teardown(void)
{
    fake_free();
    char cmd[600];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", s_scratch);
    if (system(cmd) != 0) {
        /* best effort */
    }
}

#define TEST_AKID "AKIDEXAMPLE"
#define TEST_SECRET "wJalrXUtnFEMI/K7MDENG+bPxRfiCYSECRETKEY"
#define TEST_TOKEN "IQoJb3JpZ2luX2VjSESSIONTOKENsecret0001"

static void client_new(struct lk_aws_client *c, const char *token, int max_attempts, FILE *debug)
{
    struct lk_http_vtable v;
    fake_vtable(&v);
    struct lk_aws_credentials cr = {0};
    cr.access_key_id = lk_xstrdup(TEST_AKID);
    cr.secret_access_key = lk_xstrdup(TEST_SECRET);
    cr.session_token = token ? lk_xstrdup(token) : NULL;
    cr.source = lk_xstrdup("test");
    struct lk_aws_credential_provider p;
    lk_credentials_static_new(&cr, &p);
    lk_aws_credentials_clear(&cr);
    struct lk_aws_config cfg = {0};
    cfg.region = lk_xstrdup("us-east-1");
    cfg.max_attempts = max_attempts;
    cfg.debug = debug;
    ck_assert_int_eq(lk_aws_client_init(c, &v, &p, &cfg), 0);
    c->rng_state = 42;
}

static const struct lk_aws_request s_logs_req = {
    .service = LK_AWS_LOGS,
    .operation = "DescribeLogGroups",
    .method = "POST",
    .path = "/",
    .target = "Logs_20140328.DescribeLogGroups",
    .body = (const unsigned char *)"{}",
    .body_len = 2,
};

static const struct lk_aws_request s_sts_req = {
    .service = LK_AWS_STS,
    .operation = "GetCallerIdentity",
    .method = "POST",
    .path = "/",
    .body = (const unsigned char *)"Action=GetCallerIdentity&Version=2011-06-15",
    .body_len = 43,
};

static enum lk_status call(struct lk_aws_client *c, const struct lk_aws_request *req,
                           struct lk_aws_error *err)
{
    struct lk_http_response resp;
    enum lk_status rc = lk_aws_call(c, req, &resp, err);
    lk_http_response_free(&resp);
    return rc;
}

static const char *s_throttle_json =
    "{\"__type\":\"ThrottlingException\",\"message\":\"Rate exceeded\"}";
static const char *s_internal_json =
    "{\"__type\":\"InternalFailure\",\"message\":\"We encountered an internal error.\"}";

/* ---------------------------------------------------------------------------------------------
 * Error parsing
 * ------------------------------------------------------------------------------------------- */

START_TEST(test_error_s3_xml)
{
    struct lk_aws_client c;
    struct lk_aws_error err;
    client_new(&c, NULL, 3, NULL);
    fake_add(FAKE_OK, 404,
             "<?xml version=\"1.0\" "
             "encoding=\"UTF-8\"?>\n<Error><Code>NoSuchLifecycleConfiguration</Code>"
             "<Message>The lifecycle configuration does not "
             "exist</Message><BucketName>lk-logs</BucketName>"
             "<RequestId>BODYRID</RequestId><HostId>h</HostId></Error>",
             "x-amz-request-id", "HDRRID", "Content-Type", "application/xml", NULL);
    struct lk_aws_request req = {.service = LK_AWS_S3,
                                 .operation = "GetBucketLifecycleConfiguration",
                                 .method = "GET",
                                 .bucket = "lk-logs",
                                 .path = "/?lifecycle"};
    ck_assert_int_eq(call(&c, &req, &err), LK_STATUS_AWS);
    ck_assert_str_eq(err.code, "NoSuchLifecycleConfiguration");
    ck_assert_str_eq(err.message, "The lifecycle configuration does not exist");
    ck_assert_str_eq(err.request_id, "HDRRID"); /* the header wins over the body */
    ck_assert_str_eq(err.operation, "GetBucketLifecycleConfiguration");
    ck_assert_int_eq(err.http_status, 404);
    ck_assert_int_eq(err.attempts, 1);
    ck_assert_uint_eq(s_fake.n_recs, 1);
    ck_assert_str_eq(s_fake.recs[0].url, "https://lk-logs.s3.us-east-1.amazonaws.com/?lifecycle");
    lk_aws_error_clear(&err);
    lk_aws_client_free(&c);
}
END_TEST

START_TEST(test_error_json_type_namespace)
{
    struct lk_aws_client c;
    struct lk_aws_error err;
    client_new(&c, NULL, 3, NULL);
    fake_add(FAKE_OK, 400,
             "{\"__type\":\"com.amazonaws.cloudtrail.v20131101#TrailNotFoundException\","
             "\"Message\":\"Unknown trail: t for the user: 111122223333\"}",
             "x-amzn-RequestId", "b7f8-rid", NULL);
    struct lk_aws_request req = {
        .service = LK_AWS_CLOUDTRAIL,
        .operation = "GetTrail",
        .method = "POST",
        .path = "/",
        .target = "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.GetTrail",
        .body = (const unsigned char *)"{\"Name\":\"t\"}",
        .body_len = 12};
    ck_assert_int_eq(call(&c, &req, &err), LK_STATUS_AWS);
    ck_assert_str_eq(err.code, "TrailNotFoundException");
    ck_assert_str_eq(err.message, "Unknown trail: t for the user: 111122223333");
    ck_assert_str_eq(err.request_id, "b7f8-rid");
    ck_assert_int_eq(err.attempts, 1);
    lk_aws_error_clear(&err);
    lk_aws_client_free(&c);
}
END_TEST

START_TEST(test_error_json_header_fallback)
{
    struct lk_aws_client c;
    struct lk_aws_error err;
    client_new(&c, NULL, 3, NULL);
    fake_add(FAKE_OK, 400, "{\"message\":\"The specified log group does not exist.\"}",
             "x-amzn-ErrorType",
             "ResourceNotFoundException:http://internal.amazon.com/coral/com.amazonaws.logs/",
             "x-amzn-RequestId", "rid-2", NULL);
    ck_assert_int_eq(call(&c, &s_logs_req, &err), LK_STATUS_AWS);
    ck_assert_str_eq(err.code, "ResourceNotFoundException");
    ck_assert_str_eq(err.message, "The specified log group does not exist.");
    lk_aws_error_clear(&err);

    /* Neither: the status decides. */
    fake_add(FAKE_OK, 400, "not json", NULL);
    ck_assert_int_eq(call(&c, &s_logs_req, &err), LK_STATUS_AWS);
    ck_assert_str_eq(err.code, "BadRequest");
    lk_aws_error_clear(&err);
    lk_aws_client_free(&c);
}
END_TEST

START_TEST(test_error_sts_xml)
{
    struct lk_aws_client c;
    struct lk_aws_error err;
    client_new(&c, NULL, 3, NULL);
    fake_add(FAKE_OK, 403,
             "<ErrorResponse "
             "xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error><Type>Sender</Type>"
             "<Code>AccessDenied</Code><Message>User: arn:aws:iam::1:user/x is not authorized to "
             "perform: "
             "sts:AssumeRole</Message></Error><RequestId>sts-body-rid</RequestId></ErrorResponse>",
             NULL);
    ck_assert_int_eq(call(&c, &s_sts_req, &err), LK_STATUS_AWS);
    ck_assert_str_eq(err.code, "AccessDenied");
    ck_assert_ptr_nonnull(strstr(err.message, "is not authorized"));
    ck_assert_str_eq(err.request_id, "sts-body-rid"); /* no header: from the body */
    ck_assert_int_eq(err.http_status, 403);
    lk_aws_error_clear(&err);
    lk_aws_client_free(&c);
}
END_TEST

START_TEST(test_error_head_no_body)
{
    struct lk_aws_error err = {0};
    struct lk_aws_client c;
    client_new(&c, NULL, 1, NULL);
    struct lk_aws_request head = {.service = LK_AWS_S3,
                                  .operation = "HeadBucket",
                                  .method = "HEAD",
                                  .bucket = "lk-missing",
                                  .path = "/"};
    fake_add(FAKE_OK, 404, "", "x-amz-request-id", "R404", NULL);
    ck_assert_int_eq(call(&c, &head, &err), LK_STATUS_AWS);
    ck_assert_str_eq(err.code, "NoSuchBucket");
    ck_assert_str_eq(err.request_id, "R404");
    lk_aws_error_clear(&err);
    fake_add(FAKE_OK, 403, "", NULL);
    ck_assert_int_eq(call(&c, &head, &err), LK_STATUS_AWS);
    ck_assert_str_eq(err.code, "AccessDenied");
    lk_aws_error_clear(&err);
    fake_add(FAKE_OK, 301, "", "x-amz-bucket-region", "eu-west-2", NULL);
    ck_assert_int_eq(call(&c, &head, &err), LK_STATUS_AWS);
    ck_assert_str_eq(err.code, "PermanentRedirect");
    ck_assert_ptr_nonnull(strstr(err.message, "eu-west-2"));
    lk_aws_error_clear(&err);
    lk_aws_client_free(&c);
}
END_TEST

START_TEST(test_error_format)
{
    struct lk_aws_error err = {0};
    char buf[512];
    err.operation = lk_xstrdup("PutRetentionPolicy");
    err.code = lk_xstrdup("InvalidParameterException");
    err.message = lk_xstrdup("bad days");
    err.request_id = lk_xstrdup("RID9");
    err.http_status = 400;
    err.attempts = 1;
    lk_aws_error_format(&err, buf, sizeof(buf));
    ck_assert_str_eq(buf,
                     "PutRetentionPolicy failed: InvalidParameterException: bad days (HTTP 400, "
                     "request id RID9)");
    err.attempts = 3;
    err.retry_quota_exhausted = true;
    lk_aws_error_format(&err, buf, sizeof(buf));
    ck_assert_str_eq(buf,
                     "PutRetentionPolicy failed: InvalidParameterException: bad days (HTTP 400, "
                     "request id RID9, 3 attempts, retry quota exhausted)");
    lk_aws_error_clear(&err);
    err.operation = lk_xstrdup("GetTrail");
    err.status = LK_STATUS_TIMEOUT;
    err.no_response = true;
    err.message = lk_xstrdup("timed out: Operation timed out");
    err.attempts = 2;
    lk_aws_error_format(&err, buf, sizeof(buf));
    ck_assert_str_eq(buf, "GetTrail failed: timed out: Operation timed out (2 attempts)");
    lk_aws_error_clear(&err);
}
END_TEST

/* ---------------------------------------------------------------------------------------------
 * Retries
 * ------------------------------------------------------------------------------------------- */

START_TEST(test_retry_throttling_then_success)
{
    struct lk_aws_client c;
    struct lk_aws_error err;
    client_new(&c, NULL, 3, NULL);
    fake_add(FAKE_OK, 400, s_throttle_json, "x-amzn-RequestId", "t1", NULL);
    fake_add(FAKE_OK, 400, s_throttle_json, "x-amzn-RequestId", "t2", NULL);
    fake_add(FAKE_OK, 200, "{\"logGroups\":[]}", "x-amzn-RequestId", "ok", NULL);
    ck_assert_int_eq(call(&c, &s_logs_req, &err), 0);
    ck_assert_uint_eq(s_fake.n_recs, 3);
    ck_assert_uint_eq(s_fake.n_sleeps, 2);
    /* Full jitter: rand * min(2^(i-1), 20) s before retry i. */
    ck_assert_int_lt(s_fake.sleeps[0], 1000);
    ck_assert_int_lt(s_fake.sleeps[1], 2000);
    /* Two retries took 5 each; the success refunds the last one (botocore quota.py). */
    ck_assert_int_eq(c.retry_quota, LK_AWS_RETRY_QUOTA_INITIAL - 5);
    lk_aws_error_clear(&err);
    /* A first-try success refunds 1, capped at the initial capacity. */
    fake_add(FAKE_OK, 200, "{}", NULL);
    ck_assert_int_eq(call(&c, &s_logs_req, &err), 0);
    ck_assert_int_eq(c.retry_quota, LK_AWS_RETRY_QUOTA_INITIAL - 4);
    lk_aws_client_free(&c);
}
END_TEST

START_TEST(test_retry_500_storm)
{
    struct lk_aws_client c;
    struct lk_aws_error err;
    char text[512];
    client_new(&c, NULL, 3, NULL);
    for (int i = 0; i < 5; i++)
        fake_add(FAKE_OK, 500,
                 "<ErrorResponse "
                 "xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error><Type>Receiver"
                 "</Type><Code>InternalFailure</Code><Message>We encountered an internal "
                 "error.</Message>"
                 "</Error><RequestId>body-rid</RequestId></ErrorResponse>",
                 "x-amzn-RequestId", i == 2 ? "last-rid" : "rid", NULL);
    ck_assert_int_eq(call(&c, &s_sts_req, &err), LK_STATUS_AWS);
    ck_assert_uint_eq(s_fake.n_recs, 3);
    ck_assert_int_eq(err.attempts, 3);
    ck_assert_str_eq(err.code, "InternalFailure");
    ck_assert_int_eq(err.http_status, 500);
    ck_assert_str_eq(err.request_id, "last-rid");
    lk_aws_error_format(&err, text, sizeof(text));
    ck_assert_str_eq(text,
                     "GetCallerIdentity failed: InternalFailure: We encountered an internal error. "
                     "(HTTP 500, request id last-rid, 3 attempts)");
    lk_aws_error_clear(&err);
    lk_aws_client_free(&c);
}
END_TEST

START_TEST(test_retry_not_for_client_errors)
{
    struct lk_aws_client c;
    struct lk_aws_error err;
    client_new(&c, NULL, 3, NULL);
    fake_add(FAKE_OK, 400, "{\"__type\":\"InvalidParameterException\",\"message\":\"no\"}", NULL);
    fake_add(FAKE_OK, 200, "{}", NULL);
    ck_assert_int_eq(call(&c, &s_logs_req, &err), LK_STATUS_AWS);
    ck_assert_uint_eq(s_fake.n_recs, 1);
    ck_assert_uint_eq(s_fake.n_sleeps, 0);
    ck_assert_int_eq(c.retry_quota, LK_AWS_RETRY_QUOTA_INITIAL);
    lk_aws_error_clear(&err);
    lk_aws_client_free(&c);
}
END_TEST

START_TEST(test_retry_transport_errors)
{
    struct lk_aws_client c;
    struct lk_aws_error err;
    client_new(&c, NULL, 3, NULL);
    /* Dropped, then truncated: both retried; a timeout costs 10. */
    fake_add(FAKE_E_CONNECT, 0, NULL, NULL);
    fake_add(FAKE_E_TRUNCATED, 0, NULL, NULL);
    fake_add(FAKE_OK, 200, "{}", NULL);
    ck_assert_int_eq(call(&c, &s_logs_req, &err), 0);
    ck_assert_uint_eq(s_fake.n_recs, 3);
    fake_add(FAKE_E_TIMEOUT, 0, NULL, NULL);
    fake_add(FAKE_OK, 200, "{}", NULL);
    int before = c.retry_quota;
    ck_assert_int_eq(call(&c, &s_logs_req, &err), 0);
    ck_assert_int_eq(c.retry_quota, before); /* took 10, refunded 10 */
    /* Too large and insecure are not retried. */
    fake_add(FAKE_E_TOO_LARGE, 0, NULL, NULL);
    fake_add(FAKE_OK, 200, "{}", NULL);
    size_t n = s_fake.n_recs;
    ck_assert_int_eq(call(&c, &s_logs_req, &err), LK_STATUS_TOO_LARGE);
    ck_assert_uint_eq(s_fake.n_recs, n + 1);
    ck_assert_int_eq(err.status, LK_STATUS_TOO_LARGE);
    ck_assert(err.no_response);
    ck_assert_ptr_null(err.code);
    ck_assert(!lk_aws_error_is_transient(&err));
    lk_aws_error_clear(&err);
    lk_aws_client_free(&c);
}
END_TEST

START_TEST(test_retry_quota_exhaustion)
{
    struct lk_aws_client c;
    struct lk_aws_error err;
    client_new(&c, NULL, 5, NULL);
    c.retry_quota = 7;
    for (int i = 0; i < 5; i++)
        fake_add(FAKE_OK, 503, "{\"__type\":\"ServiceUnavailableException\"}", NULL);
    ck_assert_int_eq(call(&c, &s_logs_req, &err), LK_STATUS_AWS);
    /* One retry (7 -> 2), then no tokens for the next. */
    ck_assert_uint_eq(s_fake.n_recs, 2);
    ck_assert_int_eq(c.retry_quota, 2);
    ck_assert(err.retry_quota_exhausted);
    ck_assert_int_eq(err.attempts, 2);
    lk_aws_error_clear(&err);
    /* A timeout needs 10. */
    fake_free();
    fake_reset();
    c.retry_quota = 9;
    fake_add(FAKE_E_TIMEOUT, 0, NULL, NULL);
    ck_assert_int_eq(call(&c, &s_logs_req, &err), LK_STATUS_TIMEOUT);
    ck_assert_uint_eq(s_fake.n_recs, 1);
    ck_assert(err.retry_quota_exhausted);
    lk_aws_error_clear(&err);
    lk_aws_client_free(&c);
}
END_TEST

START_TEST(test_backoff_bounds)
{
    /* Ten attempts of 500s: each delay within [0, min(2^(i-1), 20) s), the 20 s cap reached,
     * the sequence reproducible from the seed and different for another seed. */
    int64_t first[MAX_STEPS];
    for (int run = 0; run < 3; run++) {
        struct lk_aws_client c;
        struct lk_aws_error err;
        fake_free();
        fake_reset();
        client_new(&c, NULL, 10, NULL);
        c.rng_state = run == 2 ? 7 : 42;
        for (int i = 0; i < 10; i++)
            fake_add(FAKE_OK, 502, "", NULL);
        ck_assert_int_eq(call(&c, &s_logs_req, &err), LK_STATUS_AWS);
        ck_assert_uint_eq(s_fake.n_sleeps, 9);
        bool differs = false;
        for (size_t i = 0; i < s_fake.n_sleeps; i++) {
            int64_t cap = (INT64_C(1000) << i) < 20000 ? (INT64_C(1000) << i) : 20000;
            ck_assert_int_ge(s_fake.sleeps[i], 0);
            ck_assert_int_lt(s_fake.sleeps[i], cap);
            if (run == 0)
                first[i] = s_fake.sleeps[i];
            else if (run == 1)
                ck_assert_int_eq(s_fake.sleeps[i], first[i]);
            else if (s_fake.sleeps[i] != first[i])
                differs = true;
        }
        if (run == 2)
            ck_assert(differs);
        lk_aws_error_clear(&err);
        lk_aws_client_free(&c);
    }
    /* Over many draws the jitter spreads over the whole range. */
    struct lk_aws_client c;
    fake_free();
    fake_reset();
    client_new(&c, NULL, 2, NULL);
    int64_t lo = 1000, hi = 0;
    for (int i = 0; i < 200; i++) {
        struct lk_aws_error err;
        fake_add(FAKE_OK, 500, "", NULL);
        fake_add(FAKE_OK, 200, "{}", NULL);
        ck_assert_int_eq(call(&c, &s_logs_req, &err), 0);
        int64_t d = s_fake.sleeps[0];
        lo = d < lo ? d : lo;
        hi = d > hi ? d : hi;
        fake_free();
        s_fake.n_steps = s_fake.next = s_fake.n_sleeps = 0;
    }
    ck_assert_int_lt(lo, 100);
    ck_assert_int_gt(hi, 900);
    lk_aws_client_free(&c);
}
END_TEST

/* ---------------------------------------------------------------------------------------------
 * Clock skew
 * ------------------------------------------------------------------------------------------- */

static void http_date(int64_t epoch_s, char *buf, size_t len)
{
    time_t t = (time_t)epoch_s;
    struct tm tm;
    gmtime_r(&t, &tm);
    static const char *const days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    snprintf(buf, len, "%s, %02d %s %04d %02d:%02d:%02d GMT", days[tm.tm_wday], tm.tm_mday,
             months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

START_TEST(test_clock_skew_corrected)
{
    struct lk_aws_client c;
    struct lk_aws_error err;
    char date[40];
    client_new(&c, NULL, 1, NULL); /* even with one attempt, the skew retry happens */
    int64_t server_s = FAKE_START_MS / 1000 + 1800; /* the server is 30 minutes ahead */
    http_date(server_s, date, sizeof(date));
    fake_add(
        FAKE_OK, 403,
        "<ErrorResponse "
        "xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error><Type>Sender</Type>"
        "<Code>SignatureDoesNotMatch</Code><Message>Signature expired: 20261126T130000Z is now "
        "earlier than 20261126T132500Z</Message></Error><RequestId>r</RequestId></ErrorResponse>",
        "Date", date, NULL);
    fake_add(FAKE_OK, 200, "<x/>", NULL);
    ck_assert_int_eq(call(&c, &s_sts_req, &err), 0);
    ck_assert_uint_eq(s_fake.n_recs, 2);
    ck_assert_uint_eq(s_fake.n_sleeps, 0);
    /* The first request reached the fake at start+5 ms, the answer was read at +5 more. */
    ck_assert_int_eq(c.clock_skew_ms, server_s * 1000 - (FAKE_START_MS + 5));
    /* The second request is signed with the server's time. */
    const char *amz = rec_header(&s_fake.recs[1], "X-Amz-Date");
    ck_assert_ptr_nonnull(amz);
    ck_assert_str_eq(amz, "20261126T133000Z");
    ck_assert_str_eq(rec_header(&s_fake.recs[0], "X-Amz-Date"), "20261126T130000Z");
    ck_assert_int_eq(c.retry_quota, LK_AWS_RETRY_QUOTA_INITIAL); /* no quota spent */
    lk_aws_client_free(&c);
}
END_TEST

START_TEST(test_clock_skew_only_when_evident)
{
    struct lk_aws_client c;
    struct lk_aws_error err;
    char date[40];
    client_new(&c, NULL, 3, NULL);
    /* A wrong secret: same code, but the Date agrees with us. Not retried. */
    http_date(FAKE_START_MS / 1000 + 30, date, sizeof(date));
    fake_add(FAKE_OK, 403,
             "<Error><Code>SignatureDoesNotMatch</Code><Message>nope</Message></Error>", "Date",
             date, NULL);
    fake_add(FAKE_OK, 200, "", NULL);
    struct lk_aws_request req = {.service = LK_AWS_S3,
                                 .operation = "GetBucketVersioning",
                                 .method = "GET",
                                 .bucket = "b-1",
                                 .path = "/?versioning"};
    ck_assert_int_eq(call(&c, &req, &err), LK_STATUS_AWS);
    ck_assert_uint_eq(s_fake.n_recs, 1);
    ck_assert_int_eq(c.clock_skew_ms, 0);
    lk_aws_error_clear(&err);
    /* S3's own code, server behind by an hour: corrected once, and only once. */
    s_fake.n_steps = s_fake.next = 0;
    http_date(FAKE_START_MS / 1000 - 3600, date, sizeof(date));
    fake_add(FAKE_OK, 403, "<Error><Code>RequestTimeTooSkewed</Code></Error>", "Date", date, NULL);
    fake_add(FAKE_OK, 403, "<Error><Code>RequestTimeTooSkewed</Code></Error>", "Date", date, NULL);
    fake_add(FAKE_OK, 200, "", NULL);
    size_t before = s_fake.n_recs;
    ck_assert_int_eq(call(&c, &req, &err), LK_STATUS_AWS);
    ck_assert_uint_eq(s_fake.n_recs, before + 2);
    ck_assert_int_lt(c.clock_skew_ms, -3500 * 1000);
    lk_aws_error_clear(&err);
    lk_aws_client_free(&c);
}
END_TEST

/* ---------------------------------------------------------------------------------------------
 * Request headers and signing
 * ------------------------------------------------------------------------------------------- */

static bool signed_header(const struct rec *r, const char *name)
{
    const char *auth = rec_header(r, "Authorization");
    ck_assert_ptr_nonnull(auth);
    const char *sh = strstr(auth, "SignedHeaders=");
    ck_assert_ptr_nonnull(sh);
    sh += strlen("SignedHeaders=");
    size_t n = strcspn(sh, ",");
    size_t len = strlen(name);
    for (const char *p = sh; p < sh + n;) {
        size_t k = strcspn(p, ";,");
        if (k == len && strncmp(p, name, len) == 0)
            return true;
        p += k + 1;
    }
    return false;
}

START_TEST(test_s3_put_content_md5_and_sha256)
{
    struct lk_aws_client c;
    struct lk_aws_error err;
    client_new(&c, NULL, 3, NULL);
    fake_add(FAKE_OK, 200, "", NULL);
    struct lk_aws_request req = {.service = LK_AWS_S3,
                                 .operation = "PutBucketVersioning",
                                 .method = "PUT",
                                 .bucket = "lk-logs",
                                 .path = "/?versioning",
                                 .body = (const unsigned char *)"hello",
                                 .body_len = 5,
                                 .content_md5 = true};
    ck_assert_int_eq(call(&c, &req, &err), 0);
    const struct rec *r = &s_fake.recs[0];
    /* MD5("hello") = 5d41402abc4b2a76b9719d911017c592, base64 of the raw bytes (RFC 1864). */
    ck_assert_str_eq(rec_header(r, "Content-MD5"), "XUFAKrxLKna5cZ2REBfFkg==");
    ck_assert_str_eq(rec_header(r, "x-amz-content-sha256"),
                     "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824");
    ck_assert(signed_header(r, "content-md5"));
    ck_assert(signed_header(r, "x-amz-content-sha256"));
    ck_assert(signed_header(r, "host"));
    ck_assert(signed_header(r, "x-amz-date"));
    ck_assert_ptr_null(rec_header(r, "Content-Type")); /* botocore sends none on these PUTs */
    ck_assert_str_eq(rec_header(r, "Host"), "lk-logs.s3.us-east-1.amazonaws.com");
    ck_assert_str_eq(r->method, "PUT");
    ck_assert_str_eq(r->body, "hello");
    ck_assert_ptr_nonnull(strstr(rec_header(r, "Authorization"),
                                 "Credential=" TEST_AKID "/20261126/us-east-1/s3/aws4_request"));
    /* The signing region follows the request's region (a bucket elsewhere). */
    req.region = "eu-west-1";
    fake_add(FAKE_OK, 200, "", NULL);
    ck_assert_int_eq(call(&c, &req, &err), 0);
    ck_assert_str_eq(s_fake.recs[1].url, "https://lk-logs.s3.eu-west-1.amazonaws.com/?versioning");
    ck_assert_ptr_nonnull(strstr(rec_header(&s_fake.recs[1], "Authorization"), "/eu-west-1/s3/"));
    lk_aws_client_free(&c);
}
END_TEST

START_TEST(test_session_token_signed)
{
    struct lk_aws_client c;
    struct lk_aws_error err;
    client_new(&c, TEST_TOKEN, 3, NULL);
    fake_add(FAKE_OK, 200, "{}", NULL);
    ck_assert_int_eq(call(&c, &s_logs_req, &err), 0);
    const struct rec *r = &s_fake.recs[0];
    ck_assert_str_eq(rec_header(r, "X-Amz-Security-Token"), TEST_TOKEN);
    ck_assert(signed_header(r, "x-amz-security-token"));
    ck_assert(signed_header(r, "x-amz-target"));
    ck_assert(signed_header(r, "content-type"));
    ck_assert_str_eq(rec_header(r, "Content-Type"), "application/x-amz-json-1.1");
    ck_assert_str_eq(rec_header(r, "X-Amz-Target"), "Logs_20140328.DescribeLogGroups");
    ck_assert_ptr_null(rec_header(r, "x-amz-content-sha256")); /* S3 only */
    ck_assert(!signed_header(r, "user-agent"));
    ck_assert_str_eq(r->url, "https://logs.us-east-1.amazonaws.com/");
    lk_aws_client_free(&c);
}
END_TEST

START_TEST(test_sts_headers_and_unsigned)
{
    struct lk_aws_client c;
    struct lk_aws_error err;
    client_new(&c, TEST_TOKEN, 3, NULL);
    fake_add(FAKE_OK, 200, "", NULL);
    ck_assert_int_eq(call(&c, &s_sts_req, &err), 0);
    ck_assert_str_eq(rec_header(&s_fake.recs[0], "Content-Type"),
                     "application/x-www-form-urlencoded; charset=utf-8");
    ck_assert_str_eq(s_fake.recs[0].url, "https://sts.us-east-1.amazonaws.com/");
    struct lk_aws_request req = s_sts_req;
    req.unsigned_request = true;
    fake_add(FAKE_OK, 200, "", NULL);
    ck_assert_int_eq(call(&c, &req, &err), 0);
    const struct rec *r = &s_fake.recs[1];
    ck_assert_ptr_null(rec_header(r, "Authorization"));
    ck_assert_ptr_null(rec_header(r, "X-Amz-Date"));
    ck_assert_ptr_null(rec_header(r, "X-Amz-Security-Token"));
    lk_aws_client_free(&c);
}
END_TEST

START_TEST(test_debug_trace_redacted)
{
    char *trace = NULL;
    size_t trace_len = 0;
    FILE *dbg = open_memstream(&trace, &trace_len);
    ck_assert_ptr_nonnull(dbg);
    struct lk_aws_client c;
    struct lk_aws_error err;
    client_new(&c, TEST_TOKEN, 3, dbg);
    fake_add(FAKE_OK, 500, s_internal_json, "x-amzn-RequestId", "RID-A", NULL);
    fake_add(FAKE_OK, 200, "{}", "x-amzn-RequestId", "RID-B", NULL);
    ck_assert_int_eq(call(&c, &s_logs_req, &err), 0);
    /* Something that looks secret in a URL query and in a header name, via the helper the
     * credential providers use. */
    char n1[] = "Authorization", v1[] = "container-bearer-secret";
    char n2[] = "x-aws-ec2-metadata-token", v2[] = "imds-token-secret";
    struct lk_http_header hs[] = {{n1, v1}, {n2, v2}};
    struct lk_http_request hr = {.method = "GET",
                                 .url = "http://127.0.0.1/c?X-Amz-Signature=abcdef0123&keep=1",
                                 .headers = hs,
                                 .n_headers = 2};
    lk_aws_trace_exchange(dbg, "container credentials", &hr, 0, NULL, 0);
    const char *signature = strstr(rec_header(&s_fake.recs[1], "Authorization"), "Signature=");
    ck_assert_ptr_nonnull(signature);
    char sig[80];
    snprintf(sig, sizeof(sig), "%s", signature + strlen("Signature="));
    lk_aws_client_free(&c);
    fclose(dbg);

    ck_assert_ptr_null(strstr(trace, TEST_SECRET));
    ck_assert_ptr_null(strstr(trace, TEST_TOKEN));
    ck_assert_ptr_null(strstr(trace, sig));
    for (const char *p = strstr(trace, "Signature="); p != NULL; p = strstr(p + 1, "Signature="))
        ck_assert_msg(strncmp(p, "Signature=REDACTED", 18) == 0, "unredacted: %.40s", p);
    ck_assert_ptr_null(strstr(trace, "container-bearer-secret"));
    ck_assert_ptr_null(strstr(trace, "imds-token-secret"));
    ck_assert_ptr_null(strstr(trace, "abcdef0123"));
    /* What it must show. */
    ck_assert_ptr_nonnull(strstr(
        trace, "logs DescribeLogGroups attempt 1: POST https://logs.us-east-1.amazonaws.com/"));
    ck_assert_ptr_nonnull(strstr(trace, "attempt 2"));
    ck_assert_ptr_nonnull(strstr(trace, "HTTP 500 InternalFailure, request id RID-A"));
    ck_assert_ptr_nonnull(strstr(trace, "HTTP 200, request id RID-B"));
    ck_assert_ptr_nonnull(strstr(trace, "X-Amz-Security-Token: REDACTED"));
    ck_assert_ptr_nonnull(strstr(trace, "Authorization: REDACTED"));
    ck_assert_ptr_nonnull(strstr(trace, "X-Amz-Signature=REDACTED&keep=1"));
    ck_assert_ptr_nonnull(strstr(trace, "retrying in"));
    ck_assert_ptr_nonnull(strstr(trace, " ms"));
    free(trace);
}
END_TEST

/* ---------------------------------------------------------------------------------------------
 * Endpoints and regions
 * ------------------------------------------------------------------------------------------- */

START_TEST(test_endpoint_table)
{
    static const struct {
        enum lk_aws_service svc;
        const char *region, *bucket, *path, *endpoint;
        bool force;
        const char *url, *host, *target;
        bool path_style;
    } rows[] = {
        {LK_AWS_LOGS, "us-east-1", NULL, "/", NULL, false, "https://logs.us-east-1.amazonaws.com/",
         "logs.us-east-1.amazonaws.com", "/", false},
        {LK_AWS_CLOUDTRAIL, "cn-north-1", NULL, "/", NULL, false,
         "https://cloudtrail.cn-north-1.amazonaws.com.cn/",
         "cloudtrail.cn-north-1.amazonaws.com.cn", "/", false},
        {LK_AWS_STS, "us-gov-west-1", NULL, NULL, NULL, false,
         "https://sts.us-gov-west-1.amazonaws.com/", "sts.us-gov-west-1.amazonaws.com", "/", false},
        {LK_AWS_S3, "eu-west-1", "my-bucket", "/?lifecycle", NULL, false,
         "https://my-bucket.s3.eu-west-1.amazonaws.com/?lifecycle",
         "my-bucket.s3.eu-west-1.amazonaws.com", "/?lifecycle", false},
        {LK_AWS_S3, "us-east-1", "my-bucket", "?policy", NULL, false,
         "https://my-bucket.s3.us-east-1.amazonaws.com/?policy",
         "my-bucket.s3.us-east-1.amazonaws.com", "/?policy", false},
        {LK_AWS_S3, "cn-northwest-1", "logs-cn", "/", NULL, false,
         "https://logs-cn.s3.cn-northwest-1.amazonaws.com.cn/",
         "logs-cn.s3.cn-northwest-1.amazonaws.com.cn", "/", false},
        {LK_AWS_S3, "eu-west-1", "my.dotted.bucket", "/?versioning", NULL, false,
         "https://s3.eu-west-1.amazonaws.com/my.dotted.bucket?versioning",
         "s3.eu-west-1.amazonaws.com", "/my.dotted.bucket?versioning", true},
        {LK_AWS_S3, "eu-west-1", "Upper_Case", "/", NULL, false,
         "https://s3.eu-west-1.amazonaws.com/Upper_Case", "s3.eu-west-1.amazonaws.com",
         "/Upper_Case", true},
        {LK_AWS_S3, "eu-west-2", "my-bucket", "/?location", NULL, true,
         "https://s3.eu-west-2.amazonaws.com/my-bucket?location", "s3.eu-west-2.amazonaws.com",
         "/my-bucket?location", true},
        {LK_AWS_S3, "us-east-1", "my-bucket", "/?versioning", "http://localhost:4566", false,
         "http://localhost:4566/my-bucket?versioning", "localhost:4566", "/my-bucket?versioning",
         true},
        {LK_AWS_S3, "us-east-1", "b-1", "/", "http://127.0.0.1:9000/prefix/", false,
         "http://127.0.0.1:9000/prefix/b-1", "127.0.0.1:9000", "/prefix/b-1", true},
        {LK_AWS_LOGS, "eu-central-1", NULL, "/", "https://vpce.example.com:443", false,
         "https://vpce.example.com/", "vpce.example.com", "/", false},
        {LK_AWS_STS, "us-east-1", NULL, "/", "http://[::1]:8080", false, "http://[::1]:8080/",
         "[::1]:8080", "/", false},
        {LK_AWS_S3, "us-east-1", NULL, "/", NULL, false, "https://s3.us-east-1.amazonaws.com/",
         "s3.us-east-1.amazonaws.com", "/", false},
        {LK_AWS_S3, "us-east-1", "ab", "/", NULL, false, "https://s3.us-east-1.amazonaws.com/ab",
         "s3.us-east-1.amazonaws.com", "/ab", true},
    };
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        struct lk_endpoint ep;
        struct lk_error eerr = {0};
        struct lk_endpoint_request req = {rows[i].svc,  rows[i].region,   rows[i].bucket,
                                          rows[i].path, rows[i].endpoint, rows[i].force,
                                          NULL};
        ck_assert_msg(lk_endpoint_resolve(&req, &ep, &eerr) == LK_STATUS_OK, "row %zu: %s", i,
                      eerr.message);
        ck_assert_msg(strcmp(ep.url, rows[i].url) == 0, "row %zu: url %s", i, ep.url);
        ck_assert_msg(strcmp(ep.host_header, rows[i].host) == 0, "row %zu: host %s", i,
                      ep.host_header);
        ck_assert_msg(strcmp(ep.target, rows[i].target) == 0, "row %zu: target %s", i, ep.target);
        ck_assert_str_eq(ep.signing_region, rows[i].region);
        ck_assert_int_eq(ep.path_style, rows[i].path_style);
        lk_endpoint_free(&ep);
        /* The same with the endpoint parsed beforehand, as a client does it once. */
        if (rows[i].endpoint != NULL) {
            struct lk_http_url base;
            ck_assert_int_eq(lk_http_url_parse(rows[i].endpoint, &base), 0);
            req.endpoint_base = &base;
            ck_assert_int_eq(lk_endpoint_resolve(&req, &ep, &eerr), LK_STATUS_OK);
            ck_assert_str_eq(ep.url, rows[i].url);
            ck_assert_str_eq(ep.host_header, rows[i].host);
            ck_assert_str_eq(ep.target, rows[i].target);
            lk_endpoint_free(&ep);
            lk_http_url_free(&base);
        }
    }
    /* Refused: regions that would change the host, malformed endpoints, bad paths. */
    static const char *const bad_regions[] = {"us-east-1.evil.com", "US-EAST-1",  "",
                                              "eu--west-1",         "eu-west-1-", "a/b"};
    for (size_t i = 0; i < sizeof(bad_regions) / sizeof(bad_regions[0]); i++) {
        struct lk_endpoint ep;
        struct lk_endpoint_request req = {LK_AWS_LOGS, bad_regions[i], NULL, "/",
                                          NULL,        false,          NULL};
        struct lk_error eerr = {0};
        ck_assert_int_eq(lk_endpoint_resolve(&req, &ep, &eerr), LK_STATUS_INVALID_ARGUMENT);
        ck_assert_ptr_nonnull(strstr(eerr.message, "invalid region"));
    }
    static const char *const bad_urls[] = {"ftp://x",       "localhost:4566", "http://",
                                           "http://u:p@h/", "http://h/?q=1",  "http://h/#frag",
                                           "http://h\r\n/"};
    for (size_t i = 0; i < sizeof(bad_urls) / sizeof(bad_urls[0]); i++) {
        struct lk_endpoint ep;
        struct lk_endpoint_request req = {LK_AWS_LOGS, "us-east-1", NULL, "/",
                                          bad_urls[i], false,       NULL};
        ck_assert_msg(lk_endpoint_resolve(&req, &ep, NULL) == LK_STATUS_INVALID_ARGUMENT, "%s",
                      bad_urls[i]);
    }
    struct lk_endpoint ep;
    struct lk_endpoint_request req = {LK_AWS_S3, "us-east-1", "b-1", "/x y", NULL, false, NULL};
    ck_assert_int_eq(lk_endpoint_resolve(&req, &ep, NULL), LK_STATUS_INVALID_ARGUMENT);
    ck_assert_str_eq(lk_endpoint_dns_suffix("us-iso-east-1"), "c2s.ic.gov");
    ck_assert_str_eq(lk_endpoint_dns_suffix("ap-southeast-2"), "amazonaws.com");
}
END_TEST

START_TEST(test_endpoint_override_precedence)
{
    char *url = NULL;
    const char *src = NULL;
    struct lk_endpoint_overrides o = {.cli_url = NULL,
                                      .profile_service_url = "http://127.0.0.1:3",
                                      .profile_url = "http://127.0.0.1:4"};
    /* Lowest first: the profile's endpoint_url, then its services section. */
    struct lk_endpoint_overrides only_profile = {.profile_url = "http://127.0.0.1:4"};
    ck_assert_int_eq(lk_endpoint_configured_url(LK_AWS_S3, &only_profile, &url, &src), 0);
    ck_assert_str_eq(url, "http://127.0.0.1:4");
    free(url);
    ck_assert_int_eq(lk_endpoint_configured_url(LK_AWS_S3, &o, &url, &src), 0);
    ck_assert_str_eq(url, "http://127.0.0.1:3");
    ck_assert_str_eq(src, "profile services section");
    free(url);
    setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:2", 1);
    ck_assert_int_eq(lk_endpoint_configured_url(LK_AWS_S3, &o, &url, &src), 0);
    ck_assert_str_eq(url, "http://127.0.0.1:2");
    ck_assert_str_eq(src, "AWS_ENDPOINT_URL");
    free(url);
    setenv("AWS_ENDPOINT_URL_S3", "http://127.0.0.1:1", 1);
    setenv("AWS_ENDPOINT_URL_CLOUDWATCH_LOGS", "http://127.0.0.1:11", 1);
    ck_assert_int_eq(lk_endpoint_configured_url(LK_AWS_S3, &o, &url, &src), 0);
    ck_assert_str_eq(url, "http://127.0.0.1:1");
    ck_assert_str_eq(src, "AWS_ENDPOINT_URL_S3");
    free(url);
    ck_assert_int_eq(lk_endpoint_configured_url(LK_AWS_LOGS, &o, &url, &src), 0);
    ck_assert_str_eq(url, "http://127.0.0.1:11");
    free(url);
    ck_assert_int_eq(lk_endpoint_configured_url(LK_AWS_CLOUDTRAIL, &o, &url, &src), 0);
    ck_assert_str_eq(url, "http://127.0.0.1:2"); /* no CloudTrail variable: the global one */
    free(url);
    o.cli_url = "http://127.0.0.1:9";
    ck_assert_int_eq(lk_endpoint_configured_url(LK_AWS_S3, &o, &url, &src), 0);
    ck_assert_str_eq(url, "http://127.0.0.1:9");
    ck_assert_str_eq(src, "--endpoint-url");
    free(url);
    /* Ignoring configured endpoints leaves only --endpoint-url. */
    setenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true", 1);
    ck_assert_int_eq(lk_endpoint_configured_url(LK_AWS_S3, &o, &url, &src), 0);
    ck_assert_str_eq(url, "http://127.0.0.1:9");
    free(url);
    o.cli_url = NULL;
    ck_assert_int_eq(lk_endpoint_configured_url(LK_AWS_S3, &o, &url, &src), 0);
    ck_assert_ptr_null(url);
    unsetenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS");
    o.profile_ignore = true;
    unsetenv("AWS_ENDPOINT_URL_S3");
    unsetenv("AWS_ENDPOINT_URL");
    ck_assert_int_eq(lk_endpoint_configured_url(LK_AWS_S3, &o, &url, &src), 0);
    ck_assert_ptr_null(url);
    /* A malformed value is reported, not used. */
    setenv("AWS_ENDPOINT_URL_STS", "not a url", 1);
    ck_assert_int_eq(lk_endpoint_configured_url(LK_AWS_STS, NULL, &url, &src),
                     LK_STATUS_INVALID_ARGUMENT);
    ck_assert_str_eq(url, "not a url");
    ck_assert_str_eq(src, "AWS_ENDPOINT_URL_STS");
    free(url);
}
END_TEST

START_TEST(test_region_order)
{
    char *r = NULL;
    const char *src = NULL;
    ck_assert_int_eq(lk_endpoint_resolve_region(NULL, NULL, NULL, &r, &src), 0);
    ck_assert_ptr_null(r);
    ck_assert_int_eq(lk_endpoint_resolve_region(NULL, NULL, "eu-west-3", &r, &src), 0);
    ck_assert_str_eq(r, "eu-west-3");
    ck_assert_str_eq(src, "policy");
    free(r);
    ck_assert_int_eq(lk_endpoint_resolve_region(NULL, "eu-west-2", "eu-west-3", &r, &src), 0);
    ck_assert_str_eq(r, "eu-west-2");
    ck_assert_str_eq(src, "profile");
    free(r);
    setenv("AWS_DEFAULT_REGION", "us-west-2", 1);
    ck_assert_int_eq(lk_endpoint_resolve_region(NULL, "eu-west-2", "eu-west-3", &r, &src), 0);
    ck_assert_str_eq(r, "us-west-2");
    free(r);
    setenv("AWS_REGION", "ap-south-1", 1);
    ck_assert_int_eq(lk_endpoint_resolve_region(NULL, "eu-west-2", "eu-west-3", &r, &src), 0);
    ck_assert_str_eq(r, "ap-south-1");
    ck_assert_str_eq(src, "AWS_REGION");
    free(r);
    ck_assert_int_eq(lk_endpoint_resolve_region("ca-central-1", "eu-west-2", NULL, &r, &src), 0);
    ck_assert_str_eq(r, "ca-central-1");
    ck_assert_str_eq(src, "--region");
    free(r);
    setenv("AWS_REGION", "", 1); /* empty counts as unset */
    ck_assert_int_eq(lk_endpoint_resolve_region(NULL, NULL, NULL, &r, &src), 0);
    ck_assert_str_eq(r, "us-west-2");
    free(r);
    ck_assert_int_eq(lk_endpoint_resolve_region("evil.com/x", NULL, NULL, &r, &src),
                     LK_STATUS_INVALID_ARGUMENT);
    free(r);
}
END_TEST

START_TEST(test_config_load)
{
    write_file("config",
               "[default]\nregion = eu-north-1\n\n"
               "[profile dev]\n"
               "region = eu-west-1\n"
               "max_attempts = 5\n"
               "services = local\n"
               "endpoint_url = http://127.0.0.1:7000\n"
               "\n"
               "[services local]\n"
               "cloudwatch_logs =\n"
               "  endpoint_url = http://127.0.0.1:7001\n"
               "s3 =\n"
               "  endpoint_url = http://127.0.0.1:7002\n",
               NULL, 0);
    struct lk_aws_config cfg;
    struct lk_aws_error err = {0};
    struct lk_aws_config_options opts = {.profile = "dev"};
    ck_assert_int_eq(lk_aws_config_load(&opts, &cfg, &err), 0);
    ck_assert_str_eq(cfg.region, "eu-west-1");
    ck_assert_int_eq(cfg.max_attempts, 5);
    ck_assert_str_eq(cfg.service_endpoint_url[LK_AWS_LOGS], "http://127.0.0.1:7001");
    ck_assert_str_eq(cfg.service_endpoint_url[LK_AWS_S3], "http://127.0.0.1:7002");
    ck_assert_str_eq(cfg.service_endpoint_url[LK_AWS_STS], "http://127.0.0.1:7000");
    ck_assert_ptr_null(cfg.endpoint_url);
    lk_aws_config_free(&cfg);

    setenv("AWS_MAX_ATTEMPTS", "2", 1);
    setenv("AWS_PROFILE", "default", 1);
    opts.profile = NULL;
    opts.endpoint_url = "http://127.0.0.1:9999";
    ck_assert_int_eq(lk_aws_config_load(&opts, &cfg, &err), 0);
    ck_assert_str_eq(cfg.region, "eu-north-1");
    ck_assert_int_eq(cfg.max_attempts, 2);
    for (int s = 0; s < LK_AWS_SERVICE_COUNT; s++)
        ck_assert_str_eq(cfg.service_endpoint_url[s], "http://127.0.0.1:9999");
    lk_aws_config_free(&cfg);

    setenv("AWS_MAX_ATTEMPTS", "zero", 1);
    ck_assert_int_eq(lk_aws_config_load(&opts, &cfg, &err), LK_STATUS_INVALID_ARGUMENT);
    ck_assert_str_eq(err.code, "InvalidConfiguration");
    ck_assert_ptr_nonnull(strstr(err.message, "AWS_MAX_ATTEMPTS"));
    lk_aws_error_clear(&err);

    unsetenv("AWS_MAX_ATTEMPTS");
    write_file("config", "[default]\nregion = eu-north-1\nthis line is wrong\n", NULL, 0);
    ck_assert_int_eq(lk_aws_config_load(&opts, &cfg, &err), LK_STATUS_MALFORMED);
    ck_assert_ptr_nonnull(strstr(err.message, "config:3: "));
    lk_aws_error_clear(&err);
}
END_TEST

/* ---------------------------------------------------------------------------------------------
 * The config file parser
 * ------------------------------------------------------------------------------------------- */

static int parse(const char *text, enum lk_config_kind kind, struct lk_config_file *f,
                 struct lk_config_error *e)
{
    return lk_config_parse(text, strlen(text), kind, f, e);
}

START_TEST(test_config_parse_profiles)
{
    struct lk_config_file f;
    struct lk_config_error e;
    const char *text = "# a comment\n"
                       "; another\n"
                       "[default]\n"
                       "region=us-east-1\n"
                       "  # indented comment\n"
                       "Output : json\n"
                       "\n"
                       "[profile ops]   \n"
                       "role_arn = arn:aws:iam::1:role/R\n"
                       "source_profile = base # not a comment\n"
                       "[profile \"with space\"]\r\n"
                       "region = eu-west-1\r\n"
                       "[sso-session corp]\n"
                       "sso_region = us-east-1\n"
                       "[services local]\n"
                       "s3 =\n"
                       "  endpoint_url = http://localhost:4566\n"
                       "\n"
                       "  addressing_style = path\n"
                       "cloudwatch_logs =\n"
                       "  endpoint_url = http://localhost:4567\n"
                       "[profile multi]\n"
                       "note = first\n"
                       "  second\n"
                       "[profilenospace]\n"
                       "x = 1\n";
    ck_assert_int_eq(parse(text, LK_CONFIG_SHARED_CONFIG, &f, &e), 0);
    const struct lk_config_section *d = lk_config_find(&f, LK_CONFIG_SECTION_PROFILE, "default");
    ck_assert_ptr_nonnull(d);
    ck_assert_str_eq(lk_config_get(d, "region"), "us-east-1");
    ck_assert_str_eq(lk_config_get(d, "output"), "json"); /* keys are lowercased */
    ck_assert_uint_eq(d->line, 3);
    const struct lk_config_section *ops = lk_config_find(&f, LK_CONFIG_SECTION_PROFILE, "ops");
    ck_assert_ptr_nonnull(ops);
    ck_assert_str_eq(lk_config_get(ops, "source_profile"), "base # not a comment");
    ck_assert_ptr_nonnull(lk_config_find(&f, LK_CONFIG_SECTION_PROFILE, "with space"));
    ck_assert_str_eq(
        lk_config_get(lk_config_find(&f, LK_CONFIG_SECTION_PROFILE, "with space"), "region"),
        "eu-west-1");
    const struct lk_config_section *svc = lk_config_find(&f, LK_CONFIG_SECTION_SERVICES, "local");
    ck_assert_ptr_nonnull(svc);
    ck_assert_str_eq(lk_config_get_sub(svc, "s3", "endpoint_url"), "http://localhost:4566");
    ck_assert_str_eq(lk_config_get_sub(svc, "s3", "addressing_style"), "path");
    ck_assert_str_eq(lk_config_get_sub(svc, "cloudwatch_logs", "endpoint_url"),
                     "http://localhost:4567");
    ck_assert_ptr_null(lk_config_get_sub(svc, "sts", "endpoint_url"));
    ck_assert_str_eq(lk_config_get(lk_config_find(&f, LK_CONFIG_SECTION_PROFILE, "multi"), "note"),
                     "first\nsecond");
    ck_assert_ptr_null(lk_config_find(&f, LK_CONFIG_SECTION_PROFILE, "nospace"));
    ck_assert_ptr_null(lk_config_find(&f, LK_CONFIG_SECTION_PROFILE, "corp"));
    lk_config_file_free(&f);

    /* The credentials file names profiles without "profile ". */
    ck_assert_int_eq(parse("[base]\naws_access_key_id = AKID\naws_secret_access_key = S\n"
                           "[profile x]\nk = v\n",
                           LK_CONFIG_CREDENTIALS, &f, &e),
                     0);
    ck_assert_str_eq(
        lk_config_get(lk_config_find(&f, LK_CONFIG_SECTION_PROFILE, "base"), "aws_access_key_id"),
        "AKID");
    ck_assert_ptr_nonnull(lk_config_find(&f, LK_CONFIG_SECTION_PROFILE, "profile x"));
    lk_config_file_free(&f);
}
END_TEST

START_TEST(test_config_parse_errors)
{
    static const struct {
        const char *text;
        unsigned line;
        const char *fragment;
    } cases[] = {
        {"region = us-east-1\n", 1, "before the first [section]"},
        {"[default]\nregion = x\nnot a setting\n", 3, "expected"},
        {"[default]\n= value\n", 2, "no name"},
        {"[default]\na = 1\n[default]\n", 3, "appears twice"},
        {"[default]\na = 1\nA = 2\n", 3, "appears twice"},
        {"[services s]\ns3 =\n  endpoint_url = x\n  garbage\n", 4, "nested"},
        {"[default]\n\n\n\n[\n", 5, "expected"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct lk_config_file f;
        struct lk_config_error e;
        ck_assert_msg(parse(cases[i].text, LK_CONFIG_SHARED_CONFIG, &f, &e) == LK_STATUS_MALFORMED,
                      "case %zu", i);
        ck_assert_int_eq(e.error.status, LK_STATUS_MALFORMED);
        ck_assert_msg(e.line == cases[i].line, "case %zu: line %u", i, e.line);
        ck_assert_msg(strstr(e.error.message, cases[i].fragment) != NULL, "case %zu: %s", i,
                      e.error.message);
        lk_config_file_free(&f);
    }
    struct lk_config_file f;
    struct lk_config_error e;
    ck_assert_int_eq(lk_config_parse("[a]\nx=1\0y", 10, LK_CONFIG_SHARED_CONFIG, &f, &e),
                     LK_STATUS_MALFORMED);
    ck_assert_ptr_nonnull(strstr(e.error.message, "NUL"));
    lk_config_file_free(&f);
    char *big = lk_xmalloc(LK_CONFIG_MAX_FILE_BYTES + 2);
    memset(big, '#', LK_CONFIG_MAX_FILE_BYTES + 1);
    big[LK_CONFIG_MAX_FILE_BYTES + 1] = '\0';
    ck_assert_int_eq(parse(big, LK_CONFIG_SHARED_CONFIG, &f, &e), LK_STATUS_TOO_LARGE);
    ck_assert_ptr_nonnull(strstr(e.error.message, "larger than"));
    lk_config_file_free(&f);
    free(big);
    /* A missing file is empty, not an error. */
    ck_assert_int_eq(lk_config_load("/nonexistent/dir/config", LK_CONFIG_SHARED_CONFIG, &f, &e), 0);
    ck_assert(!f.found);
    ck_assert_uint_eq(f.n_sections, 0);
    lk_config_file_free(&f);
    ck_assert_int_eq(lk_config_load("/", LK_CONFIG_SHARED_CONFIG, &f, &e), LK_STATUS_IO);
    ck_assert_str_eq(e.error.message, "is a directory");
    lk_config_file_free(&f);
}
END_TEST

/* ---------------------------------------------------------------------------------------------
 * Credential parsers and credential_process
 * ------------------------------------------------------------------------------------------- */

START_TEST(test_process_output_parsing)
{
    struct lk_aws_credentials cr;
    char eb[256];
    const char *full =
        "{\"Version\": 1, \"AccessKeyId\": \"ASIAPROC\", \"SecretAccessKey\": \"s3cr3t\","
        " \"SessionToken\": \"tok\", \"Expiration\": \"2026-11-26T14:00:00Z\"}";
    ck_assert_int_eq(lk_credentials_parse_process_output(full, strlen(full), &cr, eb, sizeof(eb)),
                     0);
    ck_assert_str_eq(cr.access_key_id, "ASIAPROC");
    ck_assert_str_eq(cr.secret_access_key, "s3cr3t");
    ck_assert_str_eq(cr.session_token, "tok");
    ck_assert_int_eq(cr.expiration_s, INT64_C(1795701600));
    lk_aws_credentials_clear(&cr);
    const char *longterm = "{\"Version\":1,\"AccessKeyId\":\"AKIA\",\"SecretAccessKey\":\"x\"}";
    ck_assert_int_eq(
        lk_credentials_parse_process_output(longterm, strlen(longterm), &cr, eb, sizeof(eb)), 0);
    ck_assert_ptr_null(cr.session_token);
    ck_assert_int_eq(cr.expiration_s, 0);
    lk_aws_credentials_clear(&cr);
    static const struct {
        const char *json, *fragment;
    } bad[] = {
        {"{\"AccessKeyId\":\"A\",\"SecretAccessKey\":\"S\"}", "Version"},
        {"{\"Version\":2,\"AccessKeyId\":\"A\",\"SecretAccessKey\":\"S\"}", "Version"},
        {"{\"Version\":\"1\",\"AccessKeyId\":\"A\",\"SecretAccessKey\":\"S\"}", "Version"},
        {"{\"Version\":1,\"SecretAccessKey\":\"S\"}", "AccessKeyId"},
        {"{\"Version\":1,\"AccessKeyId\":\"A\"}", "SecretAccessKey"},
        {"{\"Version\":1,\"AccessKeyId\":\"A\",\"SecretAccessKey\":\"S\",\"Expiration\":"
         "\"tomorrow\"}",
         "Expiration"},
        {"{\"Version\":1,\"AccessKeyId\":\"A\",\"SecretAccessKey\":\"S\",\"SessionToken\":5}",
         "SessionToken"},
        {"[1,2]", "object"},
        {"not json", "object"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        ck_assert_int_eq(lk_credentials_parse_process_output(bad[i].json, strlen(bad[i].json), &cr,
                                                             eb, sizeof(eb)),
                         -1);
        ck_assert_msg(strstr(eb, bad[i].fragment) != NULL, "case %zu: %s", i, eb);
        ck_assert_ptr_null(cr.access_key_id);
    }
    /* Metadata answers. */
    const char *meta = "{\"Code\":\"Success\",\"AccessKeyId\":\"ASIAM\",\"SecretAccessKey\":\"ms\","
                       "\"Token\":\"mt\",\"Expiration\":\"2026-11-26T18:00:00Z\"}";
    ck_assert_int_eq(lk_credentials_parse_metadata_json(meta, strlen(meta), &cr, eb, sizeof(eb)),
                     0);
    ck_assert_str_eq(cr.session_token, "mt");
    lk_aws_credentials_clear(&cr);
    const char *failed = "{\"Code\":\"Failure\",\"AccessKeyId\":\"A\"}";
    ck_assert_int_eq(
        lk_credentials_parse_metadata_json(failed, strlen(failed), &cr, eb, sizeof(eb)), -1);
    const char *notoken =
        "{\"AccessKeyId\":\"A\",\"SecretAccessKey\":\"S\",\"Expiration\":\"2026-11-26T18:00:00Z\"}";
    ck_assert_int_eq(
        lk_credentials_parse_metadata_json(notoken, strlen(notoken), &cr, eb, sizeof(eb)), -1);
    ck_assert_ptr_nonnull(strstr(eb, "Token"));
}
END_TEST

START_TEST(test_run_process)
{
    char *out = NULL;
    size_t len = 0;
    char eb[256] = "";
    ck_assert_int_eq(lk_credentials_run_process("printf '%s' hello; echo oops >&2", 5000, 1024,
                                                &out, &len, eb, sizeof(eb)),
                     0);
    ck_assert_str_eq(out, "hello");
    ck_assert_uint_eq(len, 5);
    free(out);
    ck_assert_int_eq(lk_credentials_run_process("echo 'token expired' >&2; exit 3", 5000, 1024,
                                                &out, &len, eb, sizeof(eb)),
                     -1);
    ck_assert_str_eq(eb, "the command exited with status 3: token expired");
    eb[0] = '\0';
    ck_assert_int_eq(lk_credentials_run_process("sleep 5", 200, 1024, &out, &len, eb, sizeof(eb)),
                     -1);
    ck_assert_ptr_nonnull(strstr(eb, "did not finish"));
    ck_assert_int_eq(lk_credentials_run_process("head -c 5000 /dev/zero", 5000, 1024, &out, &len,
                                                eb, sizeof(eb)),
                     -1);
    ck_assert_ptr_nonnull(strstr(eb, "more than 1024 bytes"));
    ck_assert_int_eq(
        lk_credentials_run_process("kill -9 $$", 5000, 1024, &out, &len, eb, sizeof(eb)), -1);
    ck_assert_ptr_nonnull(strstr(eb, "signal 9"));
}
END_TEST

/* ---------------------------------------------------------------------------------------------
 * The credential chain, over the fake transport
 * ------------------------------------------------------------------------------------------- */

/* A chain over the fake transport whose STS calls go through @p sts (NULL: none). */
static void chain_new_sts(struct lk_aws_credential_provider *p, const char *profile,
                          const struct lk_credentials_sts *sts)
{
    static struct lk_http_vtable v;
    fake_vtable(&v);
    static struct lk_aws_config cfg;
    memset(&cfg, 0, sizeof(cfg));
    cfg.region = (char *)(uintptr_t) "us-east-1";
    cfg.max_attempts = 1;
    struct lk_credentials_options o = {.profile = profile, .http = &v, .cfg = &cfg, .sts = sts};
    ck_assert_int_eq(lk_credentials_chain_new(&o, p), 0);
}

/* The chain as logkeep builds it: STS is the real client, over the fake transport. */
static void chain_new(struct lk_aws_credential_provider *p, const char *profile)
{
    chain_new_sts(p, profile, lk_sts_credentials_provider());
}

static enum lk_status chain_get(struct lk_aws_credential_provider *p, struct lk_aws_credentials *cr,
                                struct lk_aws_error *err)
{
    memset(err, 0, sizeof(*err));
    return p->get(p->impl, cr, err);
}

START_TEST(test_chain_environment)
{
    struct lk_aws_credential_provider p;
    struct lk_aws_credentials cr;
    struct lk_aws_error err;
    setenv("AWS_ACCESS_KEY_ID", "AKIAENV", 1);
    setenv("AWS_SECRET_ACCESS_KEY", "envsecret", 1);
    setenv("AWS_SECURITY_TOKEN", "legacytoken", 1);
    write_file("credentials",
               "[default]\naws_access_key_id = AKIAFILE\naws_secret_access_key = f\n", NULL, 0);
    chain_new(&p, NULL);
    ck_assert_int_eq(chain_get(&p, &cr, &err), 0);
    ck_assert_str_eq(cr.access_key_id, "AKIAENV");
    ck_assert_str_eq(cr.session_token, "legacytoken");
    ck_assert_str_eq(cr.source, "environment");
    lk_aws_credentials_clear(&cr);
    p.destroy(p.impl);
    /* An explicit --profile skips the environment. */
    chain_new(&p, "default");
    ck_assert_int_eq(chain_get(&p, &cr, &err), 0);
    ck_assert_str_eq(cr.access_key_id, "AKIAFILE");
    ck_assert_str_eq(cr.source, "shared credentials file (profile default)");
    lk_aws_credentials_clear(&cr);
    p.destroy(p.impl);
    /* Half a key pair is an error. */
    unsetenv("AWS_SECRET_ACCESS_KEY");
    chain_new(&p, NULL);
    ck_assert_int_eq(chain_get(&p, &cr, &err), LK_STATUS_INVALID_ARGUMENT);
    ck_assert_str_eq(err.code, "PartialCredentials");
    lk_aws_error_clear(&err);
    p.destroy(p.impl);
}
END_TEST

START_TEST(test_chain_files)
{
    struct lk_aws_credential_provider p;
    struct lk_aws_credentials cr;
    struct lk_aws_error err;
    write_file("config",
               "[profile cfg]\naws_access_key_id = AKIACFG\naws_secret_access_key = c\n"
               "[profile both]\naws_access_key_id = AKIACFG2\naws_secret_access_key = c2\n",
               NULL, 0);
    write_file("credentials",
               "[both]\naws_access_key_id = AKIACRED\naws_secret_access_key = k\n"
               "aws_session_token = t\n",
               NULL, 0);
    chain_new(&p, "cfg");
    ck_assert_int_eq(chain_get(&p, &cr, &err), 0);
    ck_assert_str_eq(cr.access_key_id, "AKIACFG");
    ck_assert_str_eq(cr.source, "shared config file (profile cfg)");
    lk_aws_credentials_clear(&cr);
    p.destroy(p.impl);
    setenv("AWS_PROFILE", "both", 1);
    chain_new(&p, NULL);
    ck_assert_int_eq(chain_get(&p, &cr, &err), 0);
    ck_assert_str_eq(cr.access_key_id, "AKIACRED"); /* the credentials file comes first */
    ck_assert_str_eq(cr.session_token, "t");
    lk_aws_credentials_clear(&cr);
    p.destroy(p.impl);
    chain_new(&p, "missing");
    ck_assert_int_eq(chain_get(&p, &cr, &err), LK_STATUS_INVALID_ARGUMENT);
    ck_assert_str_eq(err.code, "ProfileNotFound");
    lk_aws_error_clear(&err);
    p.destroy(p.impl);
    /* Nothing anywhere (IMDS is disabled in these tests). */
    unsetenv("AWS_PROFILE");
    chain_new(&p, NULL);
    ck_assert_int_eq(chain_get(&p, &cr, &err), LK_STATUS_INVALID_ARGUMENT);
    ck_assert_str_eq(err.code, "NoCredentials");
    lk_aws_error_clear(&err);
    p.destroy(p.impl);
    ck_assert_uint_eq(s_fake.n_recs, 0);
}
END_TEST

static const char *s_assume_xml =
    "<AssumeRoleResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><AssumeRoleResult>"
    "<Credentials><AccessKeyId>ASIAROLE</AccessKeyId><SecretAccessKey>rolesecret</SecretAccessKey>"
    "<SessionToken>roletoken</SessionToken><Expiration>2026-11-26T14:00:00Z</Expiration></"
    "Credentials>"
    "<AssumedRoleUser><Arn>arn:aws:sts::1:assumed-role/R/s</Arn><AssumedRoleId>AROA:s</"
    "AssumedRoleId>"
    "</AssumedRoleUser></AssumeRoleResult><ResponseMetadata><RequestId>r</RequestId></"
    "ResponseMetadata>"
    "</AssumeRoleResponse>";

START_TEST(test_chain_assume_role)
{
    struct lk_aws_credential_provider p;
    struct lk_aws_credentials cr;
    struct lk_aws_error err;
    write_file("config",
               "[profile ops]\nrole_arn = arn:aws:iam::1:role/R\nsource_profile = base\n"
               "external_id = ext-1\nrole_session_name = my-session\nduration_seconds = 1800\n",
               NULL, 0);
    write_file("credentials", "[base]\naws_access_key_id = AKIABASE\naws_secret_access_key = b\n",
               NULL, 0);
    fake_add(FAKE_OK, 200, s_assume_xml, NULL);
    chain_new(&p, "ops");
    ck_assert_int_eq(chain_get(&p, &cr, &err), 0);
    ck_assert_str_eq(cr.access_key_id, "ASIAROLE");
    ck_assert_str_eq(cr.secret_access_key, "rolesecret");
    ck_assert_str_eq(cr.session_token, "roletoken");
    ck_assert_int_eq(cr.expiration_s, FAKE_START_MS / 1000 + 3600);
    ck_assert_str_eq(cr.source, "profile ops: assume role arn:aws:iam::1:role/R via profile base");
    lk_aws_credentials_clear(&cr);
    ck_assert_uint_eq(s_fake.n_recs, 1);
    const struct rec *r = &s_fake.recs[0];
    ck_assert_str_eq(r->url, "https://sts.us-east-1.amazonaws.com/");
    ck_assert_str_eq(r->body,
                     "Action=AssumeRole&Version=2011-06-15&DurationSeconds=1800&ExternalId=ext-1"
                     "&RoleArn=arn%3Aaws%3Aiam%3A%3A1%3Arole%2FR&RoleSessionName=my-session");
    ck_assert_ptr_nonnull(strstr(rec_header(r, "Authorization"), "Credential=AKIABASE/"));
    /* Cached: no second call while far from expiry. */
    ck_assert_int_eq(chain_get(&p, &cr, &err), 0);
    ck_assert_uint_eq(s_fake.n_recs, 1);
    lk_aws_credentials_clear(&cr);
    /* In the advisory window (under 15 minutes left) it refreshes. */
    s_fake.now_ms += (3600 - 14 * 60) * INT64_C(1000);
    fake_add(FAKE_OK, 200, s_assume_xml, NULL);
    ck_assert_int_eq(chain_get(&p, &cr, &err), 0);
    ck_assert_uint_eq(s_fake.n_recs, 2);
    lk_aws_credentials_clear(&cr);
    /* The new ones are (in this script) still inside the advisory window: no refresh storm,
     * at most one try a minute. */
    s_fake.now_ms += 30 * 1000;
    ck_assert_int_eq(chain_get(&p, &cr, &err), 0);
    ck_assert_uint_eq(s_fake.n_recs, 2);
    lk_aws_credentials_clear(&cr);
    p.destroy(p.impl);

    /* STS refuses: the AWS error is kept, with context. */
    fake_add(FAKE_OK, 403,
             "<ErrorResponse><Error><Code>AccessDenied</Code><Message>not trusted</Message></Error>"
             "<RequestId>deny-rid</RequestId></ErrorResponse>",
             NULL);
    chain_new(&p, "ops");
    ck_assert_int_eq(chain_get(&p, &cr, &err), LK_STATUS_AWS);
    ck_assert_str_eq(err.code, "AccessDenied");
    ck_assert_str_eq(err.request_id, "deny-rid");
    ck_assert_int_eq(err.http_status, 403);
    ck_assert_ptr_nonnull(strstr(err.message, "profile ops: assuming role arn:aws:iam::1:role/R"));
    lk_aws_error_clear(&err);
    p.destroy(p.impl);
}
END_TEST

START_TEST(test_chain_assume_role_config_errors)
{
    static const struct {
        const char *config, *profile, *fragment;
    } cases[] = {
        {"[profile a]\nrole_arn = arn:aws:iam::1:role/R\nsource_profile = b\ncredential_source = "
         "Environment\n"
         "[profile b]\naws_access_key_id = A\naws_secret_access_key = S\n",
         "a", "both source_profile and credential_source"},
        {"[profile a]\nrole_arn = arn:aws:iam::1:role/R\n", "a", "neither source_profile"},
        {"[profile a]\nrole_arn = arn:aws:iam::1:role/R\nsource_profile = b\n"
         "[profile b]\nrole_arn = arn:aws:iam::1:role/S\nsource_profile = a\n",
         "a", "loops back"},
        {"[profile a]\nrole_arn = arn:aws:iam::1:role/R\nsource_profile = nope\n", "a",
         "does not exist"},
        {"[profile a]\nrole_arn = arn:aws:iam::1:role/R\ncredential_source = Somewhere\n", "a",
         "credential_source must be"},
        {"[profile a]\nrole_arn = arn:aws:iam::1:role/R\ncredential_source = Environment\n", "a",
         "AWS_ACCESS_KEY_ID"},
        {"[profile a]\nrole_arn = arn:aws:iam::1:role/R\ncredential_source = Ec2InstanceMetadata\n",
         "a", "AWS_EC2_METADATA_DISABLED"},
        {"[profile a]\nrole_arn = arn:aws:iam::1:role/R\nsource_profile = b\nduration_seconds = "
         "60\n"
         "[profile b]\naws_access_key_id = A\naws_secret_access_key = S\n",
         "a", "duration_seconds"},
        {"[profile a]\nrole_arn = arn:aws:iam::1:role/R\nsource_profile = b\nmfa_serial = arn:x\n"
         "[profile b]\naws_access_key_id = A\naws_secret_access_key = S\n",
         "a", "MFA"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct lk_aws_credential_provider p;
        struct lk_aws_credentials cr;
        struct lk_aws_error err;
        write_file("config", cases[i].config, NULL, 0);
        chain_new(&p, cases[i].profile);
        ck_assert_msg(chain_get(&p, &cr, &err) == LK_STATUS_INVALID_ARGUMENT, "case %zu", i);
        ck_assert_msg(strstr(err.message, cases[i].fragment) != NULL, "case %zu: %s", i,
                      err.message);
        lk_aws_error_clear(&err);
        p.destroy(p.impl);
    }
    ck_assert_uint_eq(s_fake.n_recs, 0);
}
END_TEST

START_TEST(test_chain_web_identity)
{
    struct lk_aws_credential_provider p;
    struct lk_aws_credentials cr;
    struct lk_aws_error err;
    char token_path[512];
    write_file("token", "eyJ.token-one.sig\n", token_path, sizeof(token_path));
    setenv("AWS_WEB_IDENTITY_TOKEN_FILE", token_path, 1);
    setenv("AWS_ROLE_ARN", "arn:aws:iam::1:role/Web", 1);
    setenv("AWS_ROLE_SESSION_NAME", "ci", 1);
    char xml[2048];
    snprintf(xml, sizeof(xml), "%s", s_assume_xml);
    /* Same document shape, other root names. */
    const char *body =
        "<AssumeRoleWithWebIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">"
        "<AssumeRoleWithWebIdentityResult><Credentials><AccessKeyId>ASIAWEB</AccessKeyId>"
        "<SecretAccessKey>websecret</SecretAccessKey><SessionToken>webtoken</SessionToken>"
        "<Expiration>2026-11-26T14:00:00Z</Expiration></Credentials></"
        "AssumeRoleWithWebIdentityResult>"
        "</AssumeRoleWithWebIdentityResponse>";
    fake_add(FAKE_OK, 200, body, NULL);
    chain_new(&p, NULL);
    ck_assert_int_eq(chain_get(&p, &cr, &err), 0);
    ck_assert_str_eq(cr.access_key_id, "ASIAWEB");
    ck_assert_str_eq(cr.source, "web identity (role arn:aws:iam::1:role/Web)");
    lk_aws_credentials_clear(&cr);
    const struct rec *r = &s_fake.recs[0];
    ck_assert_ptr_null(rec_header(r, "Authorization")); /* unsigned */
    ck_assert_ptr_nonnull(strstr(r->body, "WebIdentityToken=eyJ.token-one.sig"));
    ck_assert_ptr_nonnull(strstr(r->body, "RoleSessionName=ci"));
    /* The refresh reads the (rotated) token file again. */
    write_file("token", "eyJ.token-two.sig", NULL, 0);
    s_fake.now_ms += (3600 - 5 * 60) * INT64_C(1000);
    fake_add(FAKE_OK, 200, body, NULL);
    ck_assert_int_eq(chain_get(&p, &cr, &err), 0);
    ck_assert_ptr_nonnull(strstr(s_fake.recs[1].body, "WebIdentityToken=eyJ.token-two.sig"));
    lk_aws_credentials_clear(&cr);
    p.destroy(p.impl);
    /* A token file without a role is a configuration error. */
    unsetenv("AWS_ROLE_ARN");
    chain_new(&p, NULL);
    ck_assert_int_eq(chain_get(&p, &cr, &err), LK_STATUS_INVALID_ARGUMENT);
    ck_assert_str_eq(err.code, "InvalidConfiguration");
    lk_aws_error_clear(&err);
    p.destroy(p.impl);
}
END_TEST

START_TEST(test_chain_refresh_windows)
{
    struct lk_aws_credential_provider p;
    struct lk_aws_credentials cr;
    struct lk_aws_error err;
    char exp[40];
    time_t t = (time_t)(FAKE_START_MS / 1000 + 3600);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(exp, sizeof(exp), "%Y-%m-%dT%H:%M:%SZ", &tm);
    setenv("AWS_ACCESS_KEY_ID", "ASIAONE", 1);
    setenv("AWS_SECRET_ACCESS_KEY", "one", 1);
    setenv("AWS_SESSION_TOKEN", "t1", 1);
    setenv("AWS_CREDENTIAL_EXPIRATION", exp, 1);
    chain_new(&p, NULL);
    ck_assert_int_eq(chain_get(&p, &cr, &err), 0);
    ck_assert_str_eq(cr.access_key_id, "ASIAONE");
    lk_aws_credentials_clear(&cr);
    /* Advisory window (12 minutes left) and the refresh fails: the old ones stay. */
    unsetenv("AWS_ACCESS_KEY_ID");
    unsetenv("AWS_SECRET_ACCESS_KEY");
    s_fake.now_ms += (3600 - 12 * 60) * INT64_C(1000);
    ck_assert_int_eq(chain_get(&p, &cr, &err), 0);
    ck_assert_str_eq(cr.access_key_id, "ASIAONE");
    ck_assert_ptr_null(err.code);
    lk_aws_credentials_clear(&cr);
    /* Mandatory window (9 minutes left): failure is an error. */
    s_fake.now_ms += 3 * 60 * INT64_C(1000);
    ck_assert_int_eq(chain_get(&p, &cr, &err), LK_STATUS_INVALID_ARGUMENT);
    ck_assert_str_eq(err.code, "NoCredentials");
    lk_aws_error_clear(&err);
    /* ...and success replaces them. */
    setenv("AWS_ACCESS_KEY_ID", "ASIATWO", 1);
    setenv("AWS_SECRET_ACCESS_KEY", "two", 1);
    t += 3600;
    gmtime_r(&t, &tm);
    strftime(exp, sizeof(exp), "%Y-%m-%dT%H:%M:%SZ", &tm);
    setenv("AWS_CREDENTIAL_EXPIRATION", exp, 1);
    ck_assert_int_eq(chain_get(&p, &cr, &err), 0);
    ck_assert_str_eq(cr.access_key_id, "ASIATWO");
    lk_aws_credentials_clear(&cr);
    p.destroy(p.impl);
}
END_TEST

START_TEST(test_chain_process)
{
    struct lk_aws_credential_provider p;
    struct lk_aws_credentials cr;
    struct lk_aws_error err;
    char script[512];
    write_file(
        "proc.sh",
        "#!/bin/sh\nprintf '{\"Version\": 1, \"AccessKeyId\": \"ASIAPROC\", \"SecretAccessKey\": "
        "\"procsecret\", \"SessionToken\": \"proctoken\", \"Expiration\": "
        "\"2026-11-26T20:00:00Z\"}'\n",
        script, sizeof(script));
    chmod(script, 0700);
    char config[1024];
    snprintf(config, sizeof(config),
             "[profile p]\ncredential_process = %s --flag\n"
             "[profile bad]\ncredential_process = false\n",
             script);
    write_file("config", config, NULL, 0);
    chain_new(&p, "p");
    ck_assert_int_eq(chain_get(&p, &cr, &err), 0);
    ck_assert_str_eq(cr.access_key_id, "ASIAPROC");
    ck_assert_str_eq(cr.session_token, "proctoken");
    ck_assert_str_eq(cr.source, "credential_process (profile p)");
    lk_aws_credentials_clear(&cr);
    p.destroy(p.impl);
    chain_new(&p, "bad");
    ck_assert_int_eq(chain_get(&p, &cr, &err), LK_STATUS_INVALID_ARGUMENT);
    ck_assert_str_eq(err.code, "CredentialProcessError");
    ck_assert_ptr_nonnull(strstr(err.message, "status 1"));
    lk_aws_error_clear(&err);
    p.destroy(p.impl);
}
END_TEST

static const char *s_meta_json = "{\"AccessKeyId\":\"ASIACONT\",\"SecretAccessKey\":\"contsecret\","
                                 "\"Token\":\"conttoken\",\"Expiration\":\"2026-11-26T20:00:00Z\"}";

START_TEST(test_chain_container)
{
    struct lk_aws_credential_provider p;
    struct lk_aws_credentials cr;
    struct lk_aws_error err;
    char tokfile[512];
    write_file("auth", "Bearer pod-identity-token\n", tokfile, sizeof(tokfile));
    setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://169.254.170.23/v1/credentials", 1);
    setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", tokfile, 1);
    setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN", "ignored-when-file-set", 1);
    fake_add(FAKE_E_CONNECT, 0, NULL, NULL); /* first attempt fails: retried after 1 s */
    fake_add(FAKE_OK, 200, s_meta_json, NULL);
    chain_new(&p, NULL);
    ck_assert_int_eq(chain_get(&p, &cr, &err), 0);
    ck_assert_str_eq(cr.access_key_id, "ASIACONT");
    ck_assert_str_eq(cr.source, "container");
    lk_aws_credentials_clear(&cr);
    ck_assert_uint_eq(s_fake.n_recs, 2);
    ck_assert_uint_eq(s_fake.n_sleeps, 1);
    ck_assert_int_eq(s_fake.sleeps[0], 1000);
    const struct rec *r = &s_fake.recs[1];
    ck_assert_str_eq(r->url, "http://169.254.170.23/v1/credentials");
    ck_assert_str_eq(rec_header(r, "Authorization"), "Bearer pod-identity-token");
    ck_assert_int_eq(r->timeout_ms, 2000);
    ck_assert(r->allow_metadata_http);
    p.destroy(p.impl);

    /* Relative URI: the ECS address; three failures give an error. */
    setenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/v2/credentials/abc", 1);
    unsetenv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
    for (int i = 0; i < 3; i++)
        fake_add(FAKE_OK, 500, "{}", NULL);
    chain_new(&p, NULL);
    ck_assert_int_eq(chain_get(&p, &cr, &err), LK_STATUS_INVALID_ARGUMENT);
    ck_assert_str_eq(err.code, "ContainerCredentialsError");
    ck_assert_str_eq(s_fake.recs[2].url, "http://169.254.170.2/v2/credentials/abc");
    ck_assert_str_eq(rec_header(&s_fake.recs[2], "Authorization"), "ignored-when-file-set");
    ck_assert_uint_eq(s_fake.n_recs, 5);
    lk_aws_error_clear(&err);
    p.destroy(p.impl);

    /* Plain http elsewhere is refused before any request. */
    unsetenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
    setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://metadata.example.com/creds", 1);
    chain_new(&p, NULL);
    ck_assert_int_eq(chain_get(&p, &cr, &err), LK_STATUS_INVALID_ARGUMENT);
    ck_assert_str_eq(err.code, "InvalidConfiguration");
    ck_assert_uint_eq(s_fake.n_recs, 5);
    lk_aws_error_clear(&err);
    p.destroy(p.impl);
    ck_assert(lk_credentials_container_url_allowed("https://creds.example.com/x"));
    ck_assert(lk_credentials_container_url_allowed("http://127.0.0.1:8080/x"));
    ck_assert(lk_credentials_container_url_allowed("http://[fd00:ec2::23]/x"));
    ck_assert(lk_credentials_container_url_allowed("http://localhost/x"));
    ck_assert(!lk_credentials_container_url_allowed("http://169.254.169.254/x"));
    ck_assert(!lk_credentials_container_url_allowed("http://10.0.0.1/x"));
}
END_TEST

START_TEST(test_chain_imds)
{
    struct lk_aws_credential_provider p;
    struct lk_aws_credentials cr;
    struct lk_aws_error err;
    unsetenv("AWS_EC2_METADATA_DISABLED");
    setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://127.0.0.1:1338/", 1);
    fake_add(FAKE_OK, 200, "imds-session-token", NULL);
    fake_add(FAKE_OK, 200, "LogRole\n", NULL);
    fake_add(FAKE_OK, 200, s_meta_json, NULL);
    chain_new(&p, NULL);
    ck_assert_int_eq(chain_get(&p, &cr, &err), 0);
    ck_assert_str_eq(cr.source, "instance metadata");
    lk_aws_credentials_clear(&cr);
    ck_assert_str_eq(s_fake.recs[0].method, "PUT");
    ck_assert_str_eq(s_fake.recs[0].url, "http://127.0.0.1:1338/latest/api/token");
    ck_assert_str_eq(rec_header(&s_fake.recs[0], "x-aws-ec2-metadata-token-ttl-seconds"), "21600");
    ck_assert_int_eq(s_fake.recs[0].timeout_ms, 1000);
    ck_assert_str_eq(s_fake.recs[1].url,
                     "http://127.0.0.1:1338/latest/meta-data/iam/security-credentials/");
    ck_assert_str_eq(rec_header(&s_fake.recs[1], "x-aws-ec2-metadata-token"), "imds-session-token");
    ck_assert_str_eq(s_fake.recs[2].url,
                     "http://127.0.0.1:1338/latest/meta-data/iam/security-credentials/LogRole");
    p.destroy(p.impl);
    /* 403 on the token: IMDSv1, without the token header. */
    fake_free();
    fake_reset();
    fake_add(FAKE_OK, 403, "", NULL);
    fake_add(FAKE_OK, 200, "LogRole", NULL);
    fake_add(FAKE_OK, 200, s_meta_json, NULL);
    chain_new(&p, NULL);
    ck_assert_int_eq(chain_get(&p, &cr, &err), 0);
    ck_assert_ptr_null(rec_header(&s_fake.recs[1], "x-aws-ec2-metadata-token"));
    lk_aws_credentials_clear(&cr);
    p.destroy(p.impl);
    /* ...unless IMDSv1 is disabled. */
    fake_free();
    fake_reset();
    setenv("AWS_EC2_METADATA_V1_DISABLED", "true", 1);
    fake_add(FAKE_OK, 405, "", NULL);
    chain_new(&p, NULL);
    ck_assert_int_eq(chain_get(&p, &cr, &err), LK_STATUS_INVALID_ARGUMENT);
    ck_assert_str_eq(err.code, "NoCredentials");
    ck_assert_uint_eq(s_fake.n_recs, 1);
    lk_aws_error_clear(&err);
    p.destroy(p.impl);
}
END_TEST

/* A table standing in for STS (struct lk_credentials_sts is our interface): it records what
 * the chain asks and who signs, and answers fixed credentials or a refusal. */
static struct {
    int assume_calls, web_calls;
    const void *ctx;
    char role_arn[128], session_name[128], external_id[64], token[128];
    int duration_s;
    char signer[64]; /* the access key id of the client's credentials, or their error code */
    bool refuse;
} s_sts;

static void sts_record(void *ctx, struct lk_aws_client *client, const char *role_arn,
                       const char *session_name, int duration_s)
{
    s_sts.ctx = ctx;
    snprintf(s_sts.role_arn, sizeof(s_sts.role_arn), "%s", role_arn);
    snprintf(s_sts.session_name, sizeof(s_sts.session_name), "%s", session_name);
    s_sts.duration_s = duration_s;
    struct lk_aws_credentials cr;
    struct lk_aws_error e;
    memset(&cr, 0, sizeof(cr));
    memset(&e, 0, sizeof(e));
    if (client->creds.get(client->creds.impl, &cr, &e) == 0)
        snprintf(s_sts.signer, sizeof(s_sts.signer), "%s", cr.access_key_id);
    else
        snprintf(s_sts.signer, sizeof(s_sts.signer), "%s", e.code ? e.code : "?");
    lk_aws_credentials_clear(&cr);
    lk_aws_error_clear(&e);
}

static int sts_answer(struct lk_aws_credentials *out, struct lk_aws_error *err)
{
    memset(out, 0, sizeof(*out));
    if (s_sts.refuse) {
        err->code = lk_xstrdup("AccessDenied");
        err->message = lk_xstrdup("not trusted");
        err->http_status = 403;
        return -1;
    }
    out->access_key_id = lk_xstrdup("ASIATABLE");
    out->secret_access_key = lk_xstrdup("tablesecret");
    out->session_token = lk_xstrdup("tabletoken");
    out->expiration_s = FAKE_START_MS / 1000 + 3600;
    return 0;
}

static int sts_fake_assume_role(void *ctx, struct lk_aws_client *client,
                                const struct lk_credentials_assume_role_params *p,
                                struct lk_aws_credentials *out, struct lk_aws_error *err)
{
    s_sts.assume_calls++;
    sts_record(ctx, client, p->role_arn, p->role_session_name, p->duration_seconds);
    snprintf(s_sts.external_id, sizeof(s_sts.external_id), "%s",
             p->external_id ? p->external_id : "(none)");
    return sts_answer(out, err);
}

static int sts_fake_web_identity(void *ctx, struct lk_aws_client *client,
                                 const struct lk_credentials_web_identity_params *p,
                                 struct lk_aws_credentials *out, struct lk_aws_error *err)
{
    s_sts.web_calls++;
    sts_record(ctx, client, p->role_arn, p->role_session_name, p->duration_seconds);
    snprintf(s_sts.token, sizeof(s_sts.token), "%s", p->web_identity_token);
    return sts_answer(out, err);
}

static const char *s_role_config =
    "[profile ops]\nrole_arn = arn:aws:iam::1:role/R\nsource_profile = base\n"
    "external_id = ext-1\nrole_session_name = my-session\nduration_seconds = 1800\n";

/* The chain reaches STS only through the table it is given. */
START_TEST(test_chain_sts_table)
{
    struct lk_aws_credential_provider p;
    struct lk_aws_credentials cr;
    struct lk_aws_error err;
    int marker = 0;
    const struct lk_credentials_sts table = {sts_fake_assume_role, sts_fake_web_identity, &marker};
    memset(&s_sts, 0, sizeof(s_sts));
    write_file("config", s_role_config, NULL, 0);
    write_file("credentials", "[base]\naws_access_key_id = AKIABASE\naws_secret_access_key = b\n",
               NULL, 0);

    /* Assume role: the profile's settings, signed with the source profile's keys. */
    chain_new_sts(&p, "ops", &table);
    ck_assert_int_eq(chain_get(&p, &cr, &err), 0);
    ck_assert_str_eq(cr.access_key_id, "ASIATABLE");
    ck_assert_str_eq(cr.session_token, "tabletoken");
    ck_assert_str_eq(cr.source, "profile ops: assume role arn:aws:iam::1:role/R via profile base");
    lk_aws_credentials_clear(&cr);
    ck_assert_int_eq(s_sts.assume_calls, 1);
    ck_assert_int_eq(s_sts.web_calls, 0);
    ck_assert_ptr_eq(s_sts.ctx, &marker);
    ck_assert_str_eq(s_sts.role_arn, "arn:aws:iam::1:role/R");
    ck_assert_str_eq(s_sts.session_name, "my-session");
    ck_assert_str_eq(s_sts.external_id, "ext-1");
    ck_assert_int_eq(s_sts.duration_s, 1800);
    ck_assert_str_eq(s_sts.signer, "AKIABASE");
    /* Cached like any temporary credentials: no second call far from expiry. */
    ck_assert_int_eq(chain_get(&p, &cr, &err), 0);
    ck_assert_int_eq(s_sts.assume_calls, 1);
    lk_aws_credentials_clear(&cr);
    p.destroy(p.impl);
    ck_assert_uint_eq(s_fake.n_recs, 0); /* the table made the call, not the transport */

    /* A refusal keeps the table's error, with what the chain was doing. */
    s_sts.refuse = true;
    chain_new_sts(&p, "ops", &table);
    ck_assert_int_eq(chain_get(&p, &cr, &err), LK_STATUS_AWS);
    ck_assert_str_eq(err.code, "AccessDenied");
    ck_assert_int_eq(err.http_status, 403);
    ck_assert_ptr_nonnull(strstr(err.message, "profile ops: assuming role arn:aws:iam::1:role/R"));
    ck_assert_ptr_nonnull(strstr(err.message, "not trusted"));
    lk_aws_error_clear(&err);
    p.destroy(p.impl);
    s_sts.refuse = false;

    /* Web identity: the token file's contents, a default session name, an unsigned client. */
    char token_path[512];
    write_file("token", "eyJ.table-token.sig\n", token_path, sizeof(token_path));
    setenv("AWS_WEB_IDENTITY_TOKEN_FILE", token_path, 1);
    setenv("AWS_ROLE_ARN", "arn:aws:iam::1:role/Web", 1);
    chain_new_sts(&p, NULL, &table);
    ck_assert_int_eq(chain_get(&p, &cr, &err), 0);
    ck_assert_str_eq(cr.access_key_id, "ASIATABLE");
    ck_assert_str_eq(cr.source, "web identity (role arn:aws:iam::1:role/Web)");
    lk_aws_credentials_clear(&cr);
    ck_assert_int_eq(s_sts.web_calls, 1);
    ck_assert_int_eq(s_sts.assume_calls, 2); /* the two above, none for web identity */
    ck_assert_ptr_eq(s_sts.ctx, &marker);
    ck_assert_str_eq(s_sts.role_arn, "arn:aws:iam::1:role/Web");
    ck_assert_str_eq(s_sts.token, "eyJ.table-token.sig");
    char want_session[64];
    snprintf(want_session, sizeof(want_session), "logkeep-session-%lld",
             (long long)(FAKE_START_MS / 1000));
    ck_assert_str_eq(s_sts.session_name, want_session);
    ck_assert_int_eq(s_sts.duration_s, 0);
    ck_assert_str_eq(s_sts.signer, "NoCredentials");
    p.destroy(p.impl);
    ck_assert_uint_eq(s_fake.n_recs, 0);
}
END_TEST

/* Without a table, roles fail with a clear message, before their source credentials are
 * fetched; a half-filled table counts as none. */
START_TEST(test_chain_without_sts)
{
    struct lk_aws_credential_provider p;
    struct lk_aws_credentials cr;
    struct lk_aws_error err;
    char ran[512], config[2048];
    snprintf(ran, sizeof(ran), "%s/process-ran", s_scratch);
    snprintf(config, sizeof(config),
             "%s[profile viaproc]\nrole_arn = arn:aws:iam::1:role/P\nsource_profile = proc\n"
             "[profile proc]\ncredential_process = touch %s\n",
             s_role_config, ran);
    write_file("config", config, NULL, 0);
    write_file("credentials", "[base]\naws_access_key_id = AKIABASE\naws_secret_access_key = b\n",
               NULL, 0);
    const struct lk_credentials_sts half = {sts_fake_assume_role, NULL, NULL};
    memset(&s_sts, 0, sizeof(s_sts));

    for (int i = 0; i < 2; i++) {
        chain_new_sts(&p, "ops", i == 0 ? NULL : &half);
        ck_assert_int_eq(chain_get(&p, &cr, &err), LK_STATUS_INVALID_ARGUMENT);
        ck_assert_str_eq(err.code, "StsUnavailable");
        ck_assert_str_eq(err.message,
                         "profile ops: assuming role arn:aws:iam::1:role/R needs AWS STS, but the "
                         "credential chain was set up without an STS client");
        lk_aws_error_clear(&err);
        p.destroy(p.impl);
    }
    ck_assert_int_eq(s_sts.assume_calls, 0);

    chain_new_sts(&p, "viaproc", NULL);
    ck_assert_int_eq(chain_get(&p, &cr, &err), LK_STATUS_INVALID_ARGUMENT);
    ck_assert_str_eq(err.code, "StsUnavailable");
    lk_aws_error_clear(&err);
    p.destroy(p.impl);
    ck_assert_int_ne(access(ran, F_OK), 0); /* the source's credential_process never ran */

    char token_path[512];
    write_file("token", "eyJ.token.sig\n", token_path, sizeof(token_path));
    setenv("AWS_WEB_IDENTITY_TOKEN_FILE", token_path, 1);
    setenv("AWS_ROLE_ARN", "arn:aws:iam::1:role/Web", 1);
    chain_new_sts(&p, NULL, NULL);
    ck_assert_int_eq(chain_get(&p, &cr, &err), LK_STATUS_INVALID_ARGUMENT);
    ck_assert_str_eq(err.code, "StsUnavailable");
    ck_assert_str_eq(err.message,
                     "web identity (AWS_WEB_IDENTITY_TOKEN_FILE) for role arn:aws:iam::1:role/Web "
                     "needs AWS STS, but the credential chain was set up without an STS client");
    lk_aws_error_clear(&err);
    p.destroy(p.impl);

    /* Credentials that need no STS still resolve. */
    unsetenv("AWS_WEB_IDENTITY_TOKEN_FILE");
    chain_new_sts(&p, "base", NULL);
    ck_assert_int_eq(chain_get(&p, &cr, &err), 0);
    ck_assert_str_eq(cr.access_key_id, "AKIABASE");
    lk_aws_credentials_clear(&cr);
    p.destroy(p.impl);
    ck_assert_uint_eq(s_fake.n_recs, 0);
}
END_TEST

/* ---------------------------------------------------------------------------------------------
 * STS parsers and timestamps
 * ------------------------------------------------------------------------------------------- */

START_TEST(test_sts_parsers)
{
    struct lk_sts_identity id;
    const char *ok =
        "<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">"
        "<GetCallerIdentityResult><Arn>arn:aws:iam::111122223333:user/u</Arn>"
        "<UserId>AIDA1</UserId><Account>111122223333</Account></GetCallerIdentityResult>"
        "<ResponseMetadata><RequestId>x</RequestId></ResponseMetadata>"
        "</GetCallerIdentityResponse>";
    ck_assert_int_eq(lk_sts_parse_caller_identity(ok, strlen(ok), &id), 0);
    ck_assert_str_eq(id.account, "111122223333");
    ck_assert_str_eq(id.arn, "arn:aws:iam::111122223333:user/u");
    ck_assert_str_eq(id.user_id, "AIDA1");
    lk_sts_identity_clear(&id);
    const char *other_ns =
        "<GetCallerIdentityResponse xmlns=\"urn:evil\"><GetCallerIdentityResult>"
        "<Arn>a</Arn><UserId>u</UserId><Account>1</Account></GetCallerIdentityResult>"
        "</GetCallerIdentityResponse>";
    ck_assert_int_eq(lk_sts_parse_caller_identity(other_ns, strlen(other_ns), &id), -1);
    const char *missing = "<GetCallerIdentityResponse><GetCallerIdentityResult><Arn>a</Arn>"
                          "</GetCallerIdentityResult></GetCallerIdentityResponse>";
    ck_assert_int_eq(lk_sts_parse_caller_identity(missing, strlen(missing), &id), -1);
    const char *doctype = "<!DOCTYPE x [<!ENTITY a \"b\">]><GetCallerIdentityResponse/>";
    ck_assert_int_eq(lk_sts_parse_caller_identity(doctype, strlen(doctype), &id), -1);
    char deep[2048] = "";
    for (int i = 0; i < 40; i++)
        strcat(deep, "<a>");
    ck_assert_int_eq(lk_sts_parse_caller_identity(deep, strlen(deep), &id), -1);
    ck_assert_int_eq(lk_sts_parse_caller_identity("<a>", 3, &id), -1);

    struct lk_aws_credentials cr;
    ck_assert_int_eq(
        lk_sts_parse_credentials(s_assume_xml, strlen(s_assume_xml), "AssumeRole", &cr), 0);
    ck_assert_str_eq(cr.secret_access_key, "rolesecret");
    lk_aws_credentials_clear(&cr);
    ck_assert_int_eq(lk_sts_parse_credentials(s_assume_xml, strlen(s_assume_xml),
                                              "AssumeRoleWithWebIdentity", &cr),
                     -1);
    ck_assert_ptr_null(cr.access_key_id);

    /* Over the fake transport, end to end. */
    struct lk_aws_client c;
    struct lk_aws_error err;
    client_new(&c, NULL, 3, NULL);
    fake_add(FAKE_OK, 200, ok, NULL);
    ck_assert_int_eq(lk_sts_get_caller_identity(&c, &id, &err), 0);
    ck_assert_str_eq(s_fake.recs[0].body, "Action=GetCallerIdentity&Version=2011-06-15");
    lk_sts_identity_clear(&id);
    fake_add(FAKE_OK, 200, "<html>captive portal</html>", NULL);
    ck_assert_int_eq(lk_sts_get_caller_identity(&c, &id, &err), -1);
    ck_assert_str_eq(err.code, "MalformedResponse");
    lk_aws_error_clear(&err);
    lk_aws_client_free(&c);

    struct lk_buf form;
    lk_buf_init(&form, LK_BUF_MAX_REQUEST);
    lk_sts_form_add(&form, "A", "x y+z/é");
    ck_assert_str_eq(form.data, "A=x%20y%2Bz%2F%C3%A9");
    lk_buf_free(&form);
}
END_TEST

START_TEST(test_timestamps)
{
    int64_t t;
    ck_assert_int_eq(lk_aws_parse_iso8601("2026-11-26T14:00:00Z", &t), 0);
    ck_assert_int_eq(t, INT64_C(1795701600));
    ck_assert_int_eq(lk_aws_parse_iso8601("2026-11-26T14:00:00.123456Z", &t), 0);
    ck_assert_int_eq(t, INT64_C(1795701600));
    ck_assert_int_eq(lk_aws_parse_iso8601("2026-11-26T16:00:00+02:00", &t), 0);
    ck_assert_int_eq(t, INT64_C(1795701600));
    ck_assert_int_eq(lk_aws_parse_iso8601("2026-11-26T14:00:00", &t), LK_STATUS_MALFORMED);
    ck_assert_int_eq(lk_aws_parse_iso8601("2026-13-26T14:00:00Z", &t), LK_STATUS_MALFORMED);
    ck_assert_int_eq(lk_aws_parse_iso8601("2026-11-26T14:00:00Zjunk", &t), LK_STATUS_MALFORMED);
    ck_assert_int_eq(lk_aws_parse_iso8601("", &t), LK_STATUS_MALFORMED);
    ck_assert_int_eq(lk_aws_parse_http_date("Thu, 26 Nov 2026 14:00:00 GMT", &t), 0);
    ck_assert_int_eq(t, INT64_C(1795701600));
    ck_assert_int_eq(lk_aws_parse_http_date("Thursday, 26-Nov-26 14:00:00 GMT", &t),
                     LK_STATUS_MALFORMED);
    ck_assert_int_eq(lk_aws_parse_http_date("Thu, 26 Foo 2026 14:00:00 GMT", &t),
                     LK_STATUS_MALFORMED);
}
END_TEST

START_TEST(test_http_helpers)
{
    ck_assert(lk_http_url_is_loopback("http://127.0.0.1:5000/"));
    ck_assert(lk_http_url_is_loopback("http://127.8.9.10/"));
    ck_assert(lk_http_url_is_loopback("http://[::1]:80/"));
    ck_assert(lk_http_url_is_loopback("http://LOCALHOST/"));
    ck_assert(!lk_http_url_is_loopback("http://128.0.0.1/"));
    ck_assert(!lk_http_url_is_loopback("http://localhost.evil.com/"));
    ck_assert(!lk_http_url_is_loopback("http://[::2]/"));
    ck_assert(lk_http_url_is_metadata("http://169.254.169.254/latest"));
    ck_assert(lk_http_url_is_metadata("http://[fd00:ec2::23]/"));
    ck_assert(!lk_http_url_is_metadata("http://169.254.169.253/"));
    struct lk_http_url u;
    ck_assert_int_eq(lk_http_url_parse("https://Example.com:8443/a/./b?x=1", &u), 0);
    ck_assert_str_eq(u.scheme, "https");
    ck_assert_int_eq(u.port, 8443);
    ck_assert_str_eq(u.path, "/a/./b");
    ck_assert_str_eq(u.query, "x=1");
    char *host = lk_http_url_host_header(&u);
    ck_assert_str_eq(host, "Example.com:8443");
    free(host);
    lk_http_url_free(&u);
    char md5[LK_HTTP_MD5_BASE64_SIZE];
    ck_assert_int_eq(lk_http_content_md5(NULL, 0, md5), 0);
    ck_assert_str_eq(md5, "1B2M2Y8AsgTpgAmY7PhCfg==");
    ck_assert(lk_aws_header_is_secret("X-Amz-Security-Token"));
    ck_assert(lk_aws_header_is_secret("authorization"));
    ck_assert(!lk_aws_header_is_secret("X-Amz-Date"));
    ck_assert(!lk_aws_header_is_secret("Content-MD5"));
}
END_TEST

/* The real libcurl transport refuses plain http to a non-loopback host before connecting. */
/* The summaries that start the transport's messages (runtime/transport/http.c). */
#define S_INSECURE "plain http:// is only allowed to loopback addresses: "
#define S_CONNECT "could not connect, or the connection was reset: "
#define S_URL "malformed or unsupported URL"

START_TEST(test_curl_refuses_insecure)
{
    struct lk_http_vtable v;
    struct lk_http_response resp;
    ck_assert_int_eq(lk_http_curl_new(NULL, &v, NULL), LK_STATUS_OK);
    struct lk_http_request req = {.method = "GET", .url = "http://192.0.2.1/"};
    ck_assert_int_eq(v.perform(v.impl, &req, &resp), LK_STATUS_INVALID_ARGUMENT);
    ck_assert_str_eq(resp.error.message,
                     "plain http:// is only allowed to loopback addresses: refused for 192.0.2.1; "
                     "use https://");
    ck_assert_ptr_nonnull(strstr(resp.error.message, "192.0.2.1"));
    ck_assert(!resp.retryable);
    lk_http_response_free(&resp);
    /* The metadata exception is only for the metadata addresses, and only on request. */
    req.url = "http://169.254.169.254/latest/api/token";
    ck_assert_int_eq(v.perform(v.impl, &req, &resp), LK_STATUS_INVALID_ARGUMENT);
    ck_assert_ptr_nonnull(strstr(resp.error.message, S_INSECURE));
    lk_http_response_free(&resp);
    /* Nothing listens on port 1 of loopback: refused, a transport error. */
    req.url = "http://127.0.0.1:1/";
    ck_assert_int_eq(v.perform(v.impl, &req, &resp), LK_STATUS_NETWORK);
    ck_assert_ptr_nonnull(strstr(resp.error.message, S_CONNECT));
    ck_assert(resp.retryable);
    ck_assert_int_eq(resp.status, 0);
    lk_http_response_free(&resp);
    /* The transport now remembers the origin http://127.0.0.1:1 as checked; URLs that merely
     * start with it must still be parsed and checked. */
    req.url = "http://127.0.0.1:1@192.0.2.1/";
    ck_assert_int_eq(v.perform(v.impl, &req, &resp), LK_STATUS_INVALID_ARGUMENT); /* user info */
    ck_assert_ptr_nonnull(strstr(resp.error.message, S_URL));
    lk_http_response_free(&resp);
    req.url = "http://127.0.0.1:1/#x";
    ck_assert_int_eq(v.perform(v.impl, &req, &resp), LK_STATUS_INVALID_ARGUMENT); /* fragment */
    ck_assert_ptr_nonnull(strstr(resp.error.message, S_URL));
    lk_http_response_free(&resp);
    req.url = "http://127.0.0.1:1/again";
    ck_assert_int_eq(v.perform(v.impl, &req, &resp), LK_STATUS_NETWORK);
    ck_assert_ptr_nonnull(strstr(resp.error.message, S_CONNECT));
    lk_http_response_free(&resp);
    /* A metadata URL allowed once is not remembered as allowed for requests without the flag
     * (port 1 there: nothing answers, and 192.0.2.0/24 is never routed). */
    req.url = "http://169.254.170.2:1/x";
    req.allow_metadata_http = true;
    req.timeout_ms = 200;
    LK_IGNORE(v.perform(v.impl, &req, &resp)); /* whatever happens, it is not a refusal */
    ck_assert_ptr_null(strstr(resp.error.message, S_INSECURE));
    lk_http_response_free(&resp);
    req.allow_metadata_http = false;
    ck_assert_int_eq(v.perform(v.impl, &req, &resp), LK_STATUS_INVALID_ARGUMENT);
    ck_assert_ptr_nonnull(strstr(resp.error.message, S_INSECURE));
    lk_http_response_free(&resp);
    req.url = "ftp://127.0.0.1/";
    ck_assert_int_eq(v.perform(v.impl, &req, &resp), LK_STATUS_INVALID_ARGUMENT);
    ck_assert_ptr_nonnull(strstr(resp.error.message, S_URL));
    lk_http_response_free(&resp);
    char n[] = "X-Bad", val[] = "a\r\nInjected: 1";
    struct lk_http_header h = {n, val};
    struct lk_http_request bad = {
        .method = "GET", .url = "http://127.0.0.1:9/", .headers = &h, .n_headers = 1};
    ck_assert_int_eq(v.perform(v.impl, &bad, &resp), LK_STATUS_INVALID_ARGUMENT);
    ck_assert_str_eq(resp.error.message, "transport error: invalid request header");
    lk_http_response_free(&resp);
    v.destroy(v.impl);
}
END_TEST

static Suite *s_suite(void)
{
    Suite *s = suite_create("runtime transport");
    struct {
        const char *name;
        const TTest *tests[16];
    } cases[] = {
        {"errors",
         {test_error_s3_xml, test_error_json_type_namespace, test_error_json_header_fallback,
          test_error_sts_xml, test_error_head_no_body, test_error_format}},
        {"retries",
         {test_retry_throttling_then_success, test_retry_500_storm,
          test_retry_not_for_client_errors, test_retry_transport_errors,
          test_retry_quota_exhaustion, test_backoff_bounds, test_clock_skew_corrected,
          test_clock_skew_only_when_evident}},
        {"signing",
         {test_s3_put_content_md5_and_sha256, test_session_token_signed,
          test_sts_headers_and_unsigned, test_debug_trace_redacted}},
        {"endpoints",
         {test_endpoint_table, test_endpoint_override_precedence, test_region_order,
          test_config_load}},
        {"config file", {test_config_parse_profiles, test_config_parse_errors}},
        {"credentials",
         {test_process_output_parsing, test_run_process, test_chain_environment, test_chain_files,
          test_chain_assume_role, test_chain_assume_role_config_errors, test_chain_web_identity,
          test_chain_refresh_windows, test_chain_process, test_chain_container, test_chain_imds,
          test_chain_sts_table, test_chain_without_sts}},
        {"sts and helpers",
         {test_sts_parsers, test_timestamps, test_http_helpers, test_curl_refuses_insecure}},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        TCase *tc = tcase_create(cases[i].name);
        tcase_add_checked_fixture(tc, setup, teardown);
        tcase_set_timeout(tc, 30);
        for (size_t k = 0; k < 16 && cases[i].tests[k] != NULL; k++)
            tcase_add_test(tc, cases[i].tests[k]);
        suite_add_tcase(s, tc);
    }
    return s;
}

int main(void)
{
    return lk_test_run(s_suite());
}
