/*
 * Integration tests of the AWS runtime core against the local AWS endpoint
 * (tests/aws-endpoint), over real HTTP with the libcurl transport. The endpoint recomputes every
 * SigV4 signature with botocore's signer, so a passing call proves the signature, the signed
 * headers and the payload hash; its admin API injects faults, shifts its clock and keeps a log
 * of the calls it answered.
 *
 * Run through tests/runtime/run, which starts the endpoint and a loopback stand-in for the
 * container and instance metadata services (fake_metadata.py) and sets:
 *   LK_TEST_ENDPOINT         http://127.0.0.1:PORT of the endpoint
 *   LK_TEST_METADATA         http://127.0.0.1:PORT of fake_metadata.py
 *   LK_TEST_CONTAINER_TOKEN  the Authorization value fake_metadata.py expects
 *   LK_SRCDIR                the source tree (default-config.json)
 *
 * Backoff sleeps are recorded, not slept (the transport is wrapped), so the retry tests are
 * quick; everything else is the real transport.
 */
#include "../unit/lk_test.h"

#include <check.h>

#include <cjson/cJSON.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/arena.h"
#include "runtime/transport/client.h"
#include "runtime/transport/credentials.h"
#include "runtime/transport/http.h"
#include "runtime/services/sts.h"

extern char **environ;

#define USER_AKID "AKIAIOSFODNN7EXAMPLE"
#define USER_SECRET "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
#define USER_ARN "arn:aws:iam::111122223333:user/logkeep-ci"
#define SESSION_AKID "ASIAIOSFODNN7SESSION"
#define SESSION_SECRET "je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY"
#define SESSION_TOKEN "IQoJb3JpZ2luX2VjEXAMPLESESSIONTOKENlogkeep0001"
#define SESSION_ARN "arn:aws:sts::111122223333:assumed-role/LogAdmin/ci-session"
#define WEB_TOKEN "eyJhbGciOiJSUzI1NiJ9.logkeep-ci-web-identity-token.c2lnbmF0dXJl"
#define EXPIRED_WEB_TOKEN "eyJhbGciOiJSUzI1NiJ9.logkeep-expired-web-identity-token.c2ln"

static const char *s_endpoint;
static const char *s_metadata;
static char s_scratch[256];

/* ---------------------------------------------------------------------------------------------
 * The transport, wrapped so that backoff sleeps are recorded instead of slept
 * ------------------------------------------------------------------------------------------- */

static struct {
    struct lk_http_vtable inner;
    int sleeps;
    int64_t slept_ms;
} s_wrap;

static enum lk_status w_perform(void *impl, const struct lk_http_request *req,
                                struct lk_http_response *resp)
{
    (void)impl;
    return s_wrap.inner.perform(s_wrap.inner.impl, req, resp);
}

static int64_t w_now(void *impl)
{
    (void)impl;
    return s_wrap.inner.now_ms(s_wrap.inner.impl);
}

static void w_sleep(void *impl, int64_t ms)
{
    (void)impl;
    s_wrap.sleeps++;
    s_wrap.slept_ms += ms;
}

static void w_destroy(void *impl)
{
    (void)impl;
    s_wrap.inner.destroy(s_wrap.inner.impl);
}

/* A client as logkeep builds it: configuration, transport, the standard credential chain. */
static long s_total_timeout_ms; /* 0: the transport's default */

static void make_client(struct lk_aws_client *c, const char *profile, size_t max_bytes, FILE *debug)
{
    struct lk_aws_config cfg;
    struct lk_aws_error err = {0};
    struct lk_aws_config_options o = {
        .profile = profile, .debug = debug, .fallback_region = "us-east-1"};
    ck_assert_msg(lk_aws_config_load(&o, &cfg, &err) == 0, "config: %s", err.message);
    struct lk_http_options ho = {.max_response_bytes = max_bytes,
                                 .total_timeout_ms = s_total_timeout_ms};
    memset(&s_wrap, 0, sizeof(s_wrap));
    ck_assert_int_eq(lk_http_curl_new(&ho, &s_wrap.inner, NULL), LK_STATUS_OK);
    struct lk_http_vtable v = {w_perform, w_now, w_sleep, w_destroy, &s_wrap};
    struct lk_credentials_options co = {
        .profile = profile, .http = &v, .cfg = &cfg, .sts = lk_sts_credentials_provider()};
    struct lk_aws_credential_provider p;
    ck_assert_int_eq(lk_credentials_chain_new(&co, &p), 0);
    ck_assert_int_eq(lk_aws_client_init(c, &v, &p, &cfg), 0);
}

static char *source_of(struct lk_aws_client *c)
{
    struct lk_aws_credentials cr;
    struct lk_aws_error err = {0};
    ck_assert_int_eq(c->creds.get(c->creds.impl, &cr, &err), 0);
    char *s = lk_xstrdup(cr.source);
    lk_aws_credentials_clear(&cr);
    return s;
}

/* ---------------------------------------------------------------------------------------------
 * The endpoint's admin API
 * ------------------------------------------------------------------------------------------- */

static long admin(const char *method, const char *path, const char *json, cJSON **out)
{
    struct lk_http_vtable v;
    struct lk_http_response resp;
    char url[512];
    char ct_name[] = "Content-Type", ct_value[] = "application/json";
    struct lk_http_header h = {ct_name, ct_value};
    snprintf(url, sizeof(url), "%s%s", s_endpoint, path);
    ck_assert_int_eq(lk_http_curl_new(NULL, &v, NULL), LK_STATUS_OK);
    struct lk_http_request req = {.method = method,
                                  .url = url,
                                  .headers = &h,
                                  .n_headers = 1,
                                  .body = (const unsigned char *)json,
                                  .body_len = json ? strlen(json) : 0};
    int rc = v.perform(v.impl, &req, &resp);
    ck_assert_msg(rc == LK_STATUS_OK, "admin %s %s: %s", method, path, resp.error.message);
    long status = resp.status;
    if (out != NULL)
        *out = cJSON_ParseWithLength((const char *)resp.body, resp.body_len);
    lk_http_response_free(&resp);
    v.destroy(v.impl);
    ck_assert_msg(status == 200, "admin %s %s: HTTP %ld", method, path, status);
    return status;
}

/* Calls the endpoint answered for one operation since the last reset. */
static int log_count(const char *service, const char *operation)
{
    cJSON *doc = NULL;
    char path[256];
    snprintf(path, sizeof(path), "/_admin/log?service=%s&operation=%s", service, operation);
    admin("GET", path, NULL, &doc);
    const cJSON *total = cJSON_GetObjectItemCaseSensitive(doc, "total");
    ck_assert(cJSON_IsNumber(total));
    int n = total->valueint;
    cJSON_Delete(doc);
    return n;
}

/* The i-th logged call of an operation (0 = oldest): a field as text. */
static char *log_field(const char *service, const char *operation, int i, const char *field)
{
    cJSON *doc = NULL;
    char path[256];
    snprintf(path, sizeof(path), "/_admin/log?service=%s&operation=%s", service, operation);
    admin("GET", path, NULL, &doc);
    const cJSON *entry = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(doc, "entries"), i);
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(entry, field);
    char *text = NULL;
    if (cJSON_IsString(v))
        text = lk_xstrdup(v->valuestring);
    else if (cJSON_IsNumber(v))
        text = cJSON_PrintUnformatted(v);
    else
        text = lk_xstrdup("null");
    cJSON_Delete(doc);
    return text;
}

/* ---------------------------------------------------------------------------------------------
 * Fixture
 * ------------------------------------------------------------------------------------------- */

static void write_file(const char *name, const char *text, char *path_out, size_t len, int mode)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/%s", s_scratch, name);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
    chmod(path, (mode_t)mode);
    if (path_out != NULL)
        snprintf(path_out, len, "%s", path);
}

static void setup(void)
{
    s_endpoint = getenv("LK_TEST_ENDPOINT");
    s_metadata = getenv("LK_TEST_METADATA");
    ck_assert_msg(s_endpoint != NULL && s_metadata != NULL,
                  "LK_TEST_ENDPOINT and LK_TEST_METADATA are not set: run tests/runtime/run");
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
    const char *base = getenv("LK_TEST_TMPDIR");
    snprintf(s_scratch, sizeof(s_scratch), "%s/case-XXXXXX", base ? base : "/tmp");
    ck_assert_ptr_nonnull(mkdtemp(s_scratch));
    char path[512];
    snprintf(path, sizeof(path), "%s/config", s_scratch);
    setenv("AWS_CONFIG_FILE", path, 1);
    snprintf(path, sizeof(path), "%s/credentials", s_scratch);
    setenv("AWS_SHARED_CREDENTIALS_FILE", path, 1);
    setenv("HOME", s_scratch, 1);
    setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
    setenv("AWS_ENDPOINT_URL", s_endpoint, 1);
    setenv("AWS_REGION", "us-east-1", 1);
    /* Without fork (CK_FORK=no) a failed test may leave this behind. */
    s_total_timeout_ms = 0;
    admin("POST", "/_admin/reset", "{}", NULL);
}

static void user_keys(void)
{
    setenv("AWS_ACCESS_KEY_ID", USER_AKID, 1);
    setenv("AWS_SECRET_ACCESS_KEY", USER_SECRET, 1);
}

static void whoami(struct lk_aws_client *c, const char *arn)
{
    struct lk_sts_identity id;
    struct lk_aws_error err = {0};
    char text[1024] = "";
    if (lk_sts_get_caller_identity(c, &id, &err) != 0)
        lk_aws_error_format(&err, text, sizeof(text));
    ck_assert_msg(err.code == NULL && err.status == LK_STATUS_OK, "%s", text);
    ck_assert_str_eq(id.account, "111122223333");
    ck_assert_msg(strncmp(id.arn, arn, strlen(arn)) == 0, "ARN %s, expected %s", id.arn, arn);
    lk_sts_identity_clear(&id);
}

/* ---------------------------------------------------------------------------------------------
 * Signing and credentials
 * ------------------------------------------------------------------------------------------- */

START_TEST(test_env_keys)
{
    struct lk_aws_client c;
    user_keys();
    make_client(&c, NULL, 0, NULL);
    whoami(&c, USER_ARN);
    char *src = source_of(&c);
    ck_assert_str_eq(src, "environment");
    free(src);
    ck_assert_int_eq(log_count("sts", "GetCallerIdentity"), 1);
    char *akid = log_field("sts", "GetCallerIdentity", 0, "access_key_id");
    ck_assert_str_eq(akid, USER_AKID);
    free(akid);
    lk_aws_client_free(&c);
}
END_TEST

START_TEST(test_session_token)
{
    struct lk_aws_client c;
    setenv("AWS_ACCESS_KEY_ID", SESSION_AKID, 1);
    setenv("AWS_SECRET_ACCESS_KEY", SESSION_SECRET, 1);
    setenv("AWS_SESSION_TOKEN", SESSION_TOKEN, 1);
    make_client(&c, NULL, 0, NULL);
    whoami(&c, SESSION_ARN);
    lk_aws_client_free(&c);
    /* Without its token the session key is refused. */
    unsetenv("AWS_SESSION_TOKEN");
    make_client(&c, NULL, 0, NULL);
    struct lk_sts_identity id;
    struct lk_aws_error err = {0};
    ck_assert_int_eq(lk_sts_get_caller_identity(&c, &id, &err), -1);
    ck_assert_str_eq(err.code, "InvalidClientTokenId");
    lk_aws_error_clear(&err);
    lk_aws_client_free(&c);
}
END_TEST

START_TEST(test_wrong_secret)
{
    struct lk_aws_client c;
    struct lk_sts_identity id;
    struct lk_aws_error err = {0};
    char text[1024];
    setenv("AWS_ACCESS_KEY_ID", USER_AKID, 1);
    setenv("AWS_SECRET_ACCESS_KEY", "not-the-secret", 1);
    make_client(&c, NULL, 0, NULL);
    ck_assert_int_eq(lk_sts_get_caller_identity(&c, &id, &err), -1);
    ck_assert_str_eq(err.code, "SignatureDoesNotMatch");
    ck_assert_int_eq(err.http_status, 403);
    ck_assert_ptr_nonnull(err.request_id);
    ck_assert_int_eq(err.attempts, 1); /* not retried: the Date shows no clock skew */
    ck_assert_str_eq(err.operation, "GetCallerIdentity");
    lk_aws_error_format(&err, text, sizeof(text));
    ck_assert_ptr_nonnull(strstr(text, "GetCallerIdentity failed: SignatureDoesNotMatch: "));
    ck_assert_ptr_nonnull(strstr(text, err.request_id));
    ck_assert_int_eq(log_count("sts", "GetCallerIdentity"), 1);
    char *rid = log_field("sts", "GetCallerIdentity", 0, "error");
    ck_assert_str_eq(rid, "SignatureDoesNotMatch");
    free(rid);
    lk_aws_error_clear(&err);
    lk_aws_client_free(&c);
}
END_TEST

START_TEST(test_assume_role_chain)
{
    struct lk_aws_client c;
    write_file(
        "config",
        "[profile base]\nregion = us-east-1\n"
        "[profile ops]\nrole_arn = arn:aws:iam::111122223333:role/SecurityAnalyst\n"
        "source_profile = base\nexternal_id = logkeep-external-id\nrole_session_name = ops-run\n"
        "[profile chained]\nrole_arn = arn:aws:iam::111122223333:role/LogAdmin\n"
        "source_profile = ops\nduration_seconds = 900\n",
        NULL, 0, 0600);
    write_file("credentials",
               "[base]\naws_access_key_id = " USER_AKID "\naws_secret_access_key = " USER_SECRET
               "\n",
               NULL, 0, 0600);
    make_client(&c, "ops", 0, NULL);
    whoami(&c, "arn:aws:sts::111122223333:assumed-role/SecurityAnalyst/ops-run");
    char *src = source_of(&c);
    ck_assert_str_eq(src, "profile ops: assume role arn:aws:iam::111122223333:role/SecurityAnalyst "
                          "via profile base");
    free(src);
    lk_aws_client_free(&c);
    /* Two links: SecurityAnalyst's session assumes LogAdmin. */
    make_client(&c, "chained", 0, NULL);
    whoami(&c, "arn:aws:sts::111122223333:assumed-role/LogAdmin/logkeep-session-");
    src = source_of(&c);
    ck_assert_str_eq(src,
                     "profile chained: assume role arn:aws:iam::111122223333:role/LogAdmin via "
                     "profile ops: assume role arn:aws:iam::111122223333:role/SecurityAnalyst via "
                     "profile base");
    free(src);
    ck_assert_int_eq(log_count("sts", "AssumeRole"), 3);
    lk_aws_client_free(&c);
    /* Without the external id, STS refuses and the AWS error comes through. */
    write_file("config",
               "[profile ops]\nrole_arn = arn:aws:iam::111122223333:role/SecurityAnalyst\n"
               "source_profile = base\n",
               NULL, 0, 0600);
    make_client(&c, "ops", 0, NULL);
    struct lk_sts_identity id;
    struct lk_aws_error err = {0};
    ck_assert_int_eq(lk_sts_get_caller_identity(&c, &id, &err), -1);
    ck_assert_str_eq(err.code, "AccessDenied");
    ck_assert_int_eq(err.http_status, 403);
    ck_assert_ptr_nonnull(err.request_id);
    ck_assert_ptr_nonnull(
        strstr(err.message, "assuming role arn:aws:iam::111122223333:role/SecurityAnalyst"));
    lk_aws_error_clear(&err);
    lk_aws_client_free(&c);
}
END_TEST

START_TEST(test_web_identity)
{
    struct lk_aws_client c;
    char token[512];
    write_file("token", WEB_TOKEN "\n", token, sizeof(token), 0600);
    setenv("AWS_WEB_IDENTITY_TOKEN_FILE", token, 1);
    setenv("AWS_ROLE_ARN", "arn:aws:iam::111122223333:role/LogAdmin", 1);
    setenv("AWS_ROLE_SESSION_NAME", "gha-run", 1);
    make_client(&c, NULL, 0, NULL);
    whoami(&c, "arn:aws:sts::111122223333:assumed-role/LogAdmin/gha-run");
    char *src = source_of(&c);
    ck_assert_str_eq(src, "web identity (role arn:aws:iam::111122223333:role/LogAdmin)");
    free(src);
    char *akid = log_field("sts", "AssumeRoleWithWebIdentity", 0, "access_key_id");
    ck_assert_str_eq(akid, "null"); /* sent unsigned */
    free(akid);
    lk_aws_client_free(&c);
    /* An expired token: the STS error, not a crash or a fallback. */
    write_file("token", EXPIRED_WEB_TOKEN, NULL, 0, 0600);
    make_client(&c, NULL, 0, NULL);
    struct lk_sts_identity id;
    struct lk_aws_error err = {0};
    ck_assert_int_eq(lk_sts_get_caller_identity(&c, &id, &err), -1);
    ck_assert_str_eq(err.code, "ExpiredTokenException");
    lk_aws_error_clear(&err);
    lk_aws_client_free(&c);
}
END_TEST

START_TEST(test_credential_process)
{
    struct lk_aws_client c;
    char script[512], config[1024];
    write_file("creds.sh",
               "#!/bin/sh\n"
               "# A credential helper: JSON on stdout, chatter on stderr.\n"
               "echo 'helper: fetching' >&2\n"
               "cat <<JSON\n"
               "{\"Version\": 1, \"AccessKeyId\": \"" SESSION_AKID
               "\", \"SecretAccessKey\": \"" SESSION_SECRET
               "\",\n \"SessionToken\": \"" SESSION_TOKEN
               "\", \"Expiration\": \"2099-01-01T00:00:00Z\"}\n"
               "JSON\n",
               script, sizeof(script), 0700);
    snprintf(config, sizeof(config), "[default]\ncredential_process = %s --profile x\n", script);
    write_file("config", config, NULL, 0, 0600);
    make_client(&c, NULL, 0, NULL);
    whoami(&c, SESSION_ARN);
    char *src = source_of(&c);
    ck_assert_str_eq(src, "credential_process (profile default)");
    free(src);
    lk_aws_client_free(&c);
}
END_TEST

START_TEST(test_container_credentials)
{
    struct lk_aws_client c;
    char url[512], token[512];
    snprintf(url, sizeof(url), "%s/container/credentials", s_metadata);
    write_file("pod-token", getenv("LK_TEST_CONTAINER_TOKEN"), token, sizeof(token), 0600);
    setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", url, 1);
    setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", token, 1);
    make_client(&c, NULL, 0, NULL);
    whoami(&c, SESSION_ARN);
    char *src = source_of(&c);
    ck_assert_str_eq(src, "container");
    free(src);
    lk_aws_client_free(&c);
    /* A wrong token: three attempts, then an error naming the answer. */
    write_file("pod-token", "Bearer wrong", NULL, 0, 0600);
    make_client(&c, NULL, 0, NULL);
    struct lk_sts_identity id;
    struct lk_aws_error err = {0};
    ck_assert_int_eq(lk_sts_get_caller_identity(&c, &id, &err), -1);
    ck_assert_str_eq(err.code, "ContainerCredentialsError");
    ck_assert_ptr_nonnull(strstr(err.message, "HTTP 401"));
    ck_assert_int_eq(s_wrap.sleeps, 2);
    lk_aws_error_clear(&err);
    lk_aws_client_free(&c);
}
END_TEST

START_TEST(test_instance_metadata)
{
    struct lk_aws_client c;
    unsetenv("AWS_EC2_METADATA_DISABLED");
    setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", s_metadata, 1);
    make_client(&c, NULL, 0, NULL);
    whoami(&c, SESSION_ARN);
    char *src = source_of(&c);
    ck_assert_str_eq(src, "instance metadata");
    free(src);
    lk_aws_client_free(&c);
}
END_TEST

/* ---------------------------------------------------------------------------------------------
 * Retries and transport failures
 * ------------------------------------------------------------------------------------------- */

START_TEST(test_throttling_recovers)
{
    struct lk_aws_client c;
    user_keys();
    admin("POST", "/_admin/faults",
          "{\"kind\": \"throttle\", \"service\": \"sts\", \"operation\": \"GetCallerIdentity\", "
          "\"count\": 2}",
          NULL);
    make_client(&c, NULL, 0, NULL);
    whoami(&c, USER_ARN);
    ck_assert_int_eq(log_count("sts", "GetCallerIdentity"), 3);
    char *e0 = log_field("sts", "GetCallerIdentity", 0, "error");
    char *e2 = log_field("sts", "GetCallerIdentity", 2, "error");
    ck_assert_str_eq(e0, "Throttling");
    ck_assert_str_eq(e2, "null");
    free(e0);
    free(e2);
    ck_assert_int_eq(s_wrap.sleeps, 2);
    ck_assert_int_lt(s_wrap.slept_ms, 3000);
    lk_aws_client_free(&c);
}
END_TEST

START_TEST(test_500_storm)
{
    struct lk_aws_client c;
    struct lk_sts_identity id;
    struct lk_aws_error err = {0};
    char text[1024];
    user_keys();
    admin("POST", "/_admin/faults",
          "{\"kind\": \"error\", \"service\": \"sts\", \"operation\": \"GetCallerIdentity\", "
          "\"count\": null}",
          NULL);
    make_client(&c, NULL, 0, NULL);
    ck_assert_int_eq(lk_sts_get_caller_identity(&c, &id, &err), -1);
    ck_assert_str_eq(err.code, "InternalFailure");
    ck_assert_int_eq(err.http_status, 500);
    ck_assert_int_eq(err.attempts, 3);
    ck_assert_ptr_nonnull(err.request_id);
    lk_aws_error_format(&err, text, sizeof(text));
    ck_assert_ptr_nonnull(strstr(text, "GetCallerIdentity failed: InternalFailure"));
    ck_assert_ptr_nonnull(strstr(text, "3 attempts"));
    /* Exactly three calls reached the endpoint, and the last one's id is the one reported. */
    ck_assert_int_eq(log_count("sts", "GetCallerIdentity"), 3);
    lk_aws_error_clear(&err);
    lk_aws_client_free(&c);
    admin("DELETE", "/_admin/faults", NULL, NULL);
}
END_TEST

static char *s_trace;
static size_t s_trace_len;

START_TEST(test_dropped_connection_retried)
{
    struct lk_aws_client c;
    FILE *dbg = open_memstream(&s_trace, &s_trace_len);
    user_keys();
    admin("POST", "/_admin/faults",
          "{\"kind\": \"drop\", \"service\": \"sts\", \"operation\": \"GetCallerIdentity\", "
          "\"count\": 1}",
          NULL);
    make_client(&c, NULL, 0, dbg);
    whoami(&c, USER_ARN);
    lk_aws_client_free(&c);
    fclose(dbg);
    ck_assert_int_eq(log_count("sts", "GetCallerIdentity"), 2);
    char *fault = log_field("sts", "GetCallerIdentity", 0, "fault");
    ck_assert_str_eq(fault, "drop");
    free(fault);
    /* Our retry, not one hidden inside libcurl. */
    ck_assert_msg(strstr(s_trace, "no response: could not connect, or the connection was reset") !=
                      NULL,
                  "%s", s_trace);
    ck_assert_ptr_nonnull(strstr(s_trace, "attempt 2"));
    free(s_trace);
}
END_TEST

START_TEST(test_truncated_body_retried)
{
    struct lk_aws_client c;
    FILE *dbg = open_memstream(&s_trace, &s_trace_len);
    user_keys();
    admin("POST", "/_admin/faults",
          "{\"kind\": \"truncate\", \"service\": \"sts\", \"operation\": \"GetCallerIdentity\", "
          "\"count\": 1}",
          NULL);
    make_client(&c, NULL, 0, dbg);
    whoami(&c, USER_ARN);
    lk_aws_client_free(&c);
    fclose(dbg);
    ck_assert_int_eq(log_count("sts", "GetCallerIdentity"), 2);
    ck_assert_msg(strstr(s_trace, "connection closed before the response was complete") != NULL,
                  "%s", s_trace);
    free(s_trace);
}
END_TEST

START_TEST(test_response_size_cap)
{
    struct lk_aws_client c;
    struct lk_sts_identity id;
    struct lk_aws_error err = {0};
    user_keys();
    make_client(&c, NULL, 100, NULL); /* GetCallerIdentity answers about 400 bytes */
    ck_assert_int_eq(lk_sts_get_caller_identity(&c, &id, &err), -1);
    ck_assert_int_eq(err.status, LK_STATUS_TOO_LARGE);
    ck_assert(err.no_response);
    ck_assert_int_eq(err.attempts, 1);
    ck_assert_ptr_nonnull(strstr(err.message, "larger than 100 bytes"));
    /* The text a user reads: the failure, then the cap. */
    char text[1024];
    lk_aws_error_format(&err, text, sizeof(text));
    ck_assert_str_eq(text, "GetCallerIdentity failed: response larger than the limit: response "
                           "body larger than 100 bytes");
    lk_aws_error_clear(&err);
    lk_aws_client_free(&c);
}
END_TEST

/* The transport itself: a body over the cap (the endpoint's health document) is refused with
 * LK_STATUS_TOO_LARGE, the cap in the message, no body, and no retry advised; a cap of exactly
 * the body's size lets it through. */
START_TEST(test_transport_body_cap)
{
    char url[512];
    snprintf(url, sizeof(url), "%s/_admin/health", s_endpoint);
    struct lk_http_request req = {.method = "GET", .url = url};
    struct lk_http_vtable v;
    struct lk_http_response resp;

    /* The size of the answer, read with the default cap. */
    ck_assert_int_eq(lk_http_curl_new(NULL, &v, NULL), LK_STATUS_OK);
    ck_assert_int_eq(v.perform(v.impl, &req, &resp), LK_STATUS_OK);
    ck_assert_int_eq(resp.status, 200);
    size_t body_len = resp.body_len;
    ck_assert_uint_gt(body_len, 10);
    ck_assert_int_eq(resp.error.status, LK_STATUS_OK);
    lk_http_response_free(&resp);
    v.destroy(v.impl);

    struct lk_http_options small = {.max_response_bytes = body_len - 1};
    ck_assert_int_eq(lk_http_curl_new(&small, &v, NULL), LK_STATUS_OK);
    ck_assert_int_eq(v.perform(v.impl, &req, &resp), LK_STATUS_TOO_LARGE);
    ck_assert_int_eq(resp.error.status, LK_STATUS_TOO_LARGE);
    char want[160];
    snprintf(want, sizeof(want),
             "response larger than the limit: response body larger than %zu bytes", body_len - 1);
    ck_assert_str_eq(resp.error.message, want);
    ck_assert(!resp.retryable);
    ck_assert_ptr_null(resp.body);
    lk_http_response_free(&resp);
    v.destroy(v.impl);

    struct lk_http_options exact = {.max_response_bytes = body_len};
    ck_assert_int_eq(lk_http_curl_new(&exact, &v, NULL), LK_STATUS_OK);
    ck_assert_int_eq(v.perform(v.impl, &req, &resp), LK_STATUS_OK);
    ck_assert_uint_eq(resp.body_len, body_len);
    lk_http_response_free(&resp);
    v.destroy(v.impl);

    /* The default cap is the bounded buffer's cap for HTTP bodies, 8 MiB as before. */
    ck_assert_uint_eq(LK_HTTP_DEFAULT_MAX_RESPONSE_BYTES, LK_BUF_MAX_HTTP_BODY);
    ck_assert_uint_eq(LK_HTTP_DEFAULT_MAX_RESPONSE_BYTES, (size_t)8 * 1024 * 1024);
}
END_TEST

START_TEST(test_timeout_retried)
{
    struct lk_aws_client c;
    user_keys();
    /* The first answer comes after 1.5 s; the transport gives up after 0.5 s and retries. */
    admin("POST", "/_admin/faults",
          "{\"kind\": \"latency\", \"service\": \"sts\", \"operation\": \"GetCallerIdentity\", "
          "\"latency_ms\": 1500, \"count\": 1}",
          NULL);
    s_total_timeout_ms = 500;
    make_client(&c, NULL, 0, NULL);
    whoami(&c, USER_ARN);
    ck_assert_int_eq(s_wrap.sleeps, 1);
    /* A timeout retry costs 10, refunded by the success. */
    ck_assert_int_eq(c.retry_quota, LK_AWS_RETRY_QUOTA_INITIAL);
    lk_aws_client_free(&c);
    /* Every answer late: a clear timeout error after three attempts. */
    admin("POST", "/_admin/faults",
          "{\"kind\": \"latency\", \"service\": \"sts\", \"operation\": \"GetCallerIdentity\", "
          "\"latency_ms\": 1500, \"count\": 3}",
          NULL);
    make_client(&c, NULL, 0, NULL);
    struct lk_sts_identity id;
    struct lk_aws_error err = {0};
    ck_assert_int_eq(lk_sts_get_caller_identity(&c, &id, &err), -1);
    ck_assert_int_eq(err.status, LK_STATUS_TIMEOUT);
    ck_assert(err.no_response);
    ck_assert_int_eq(err.attempts, 3);
    ck_assert_int_eq(c.retry_quota, LK_AWS_RETRY_QUOTA_INITIAL - 20);
    lk_aws_error_clear(&err);
    lk_aws_client_free(&c);
    s_total_timeout_ms = 0;
    /* The endpoint still answers the abandoned requests 1.5 s later and logs them: wait, so
     * they do not land in the next test's request log. */
    struct timespec settle = {1, 800 * 1000 * 1000};
    nanosleep(&settle, NULL);
}
END_TEST

START_TEST(test_clock_skew_sts)
{
    struct lk_aws_client c;
    user_keys();
    /* The endpoint's clock runs 30 minutes ahead: our first signature is "expired". */
    admin("POST", "/_admin/clock", "{\"offset_seconds\": 1800}", NULL);
    make_client(&c, NULL, 0, NULL);
    whoami(&c, USER_ARN);
    ck_assert_int_eq(log_count("sts", "GetCallerIdentity"), 2);
    char *e0 = log_field("sts", "GetCallerIdentity", 0, "error");
    ck_assert_str_eq(e0, "SignatureDoesNotMatch");
    free(e0);
    ck_assert_int_gt(c.clock_skew_ms, 1790 * 1000);
    ck_assert_int_lt(c.clock_skew_ms, 1810 * 1000);
    /* Later calls use the learned offset at once. */
    whoami(&c, USER_ARN);
    ck_assert_int_eq(log_count("sts", "GetCallerIdentity"), 3);
    lk_aws_client_free(&c);
    admin("POST", "/_admin/clock", "{\"offset_seconds\": 0}", NULL);
}
END_TEST

/* ---------------------------------------------------------------------------------------------
 * S3 and JSON protocols over the same core
 * ------------------------------------------------------------------------------------------- */

START_TEST(test_s3_put_get_and_errors)
{
    struct lk_aws_client c;
    struct lk_http_response resp;
    struct lk_aws_error err = {0};
    user_keys();
    admin("POST", "/_admin/state", "{\"buckets\": {\"lk-int-logs\": {}}}", NULL);
    make_client(&c, NULL, 0, NULL);
    const char *xml = "<VersioningConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
                      "<Status>Enabled</Status></VersioningConfiguration>";
    struct lk_aws_request put = {.service = LK_AWS_S3,
                                 .operation = "PutBucketVersioning",
                                 .method = "PUT",
                                 .bucket = "lk-int-logs",
                                 .path = "/?versioning",
                                 .body = (const unsigned char *)xml,
                                 .body_len = strlen(xml),
                                 .content_md5 = true};
    ck_assert_msg(lk_aws_call(&c, &put, &resp, &err) == 0, "%s: %s", err.code, err.message);
    lk_http_response_free(&resp);
    struct lk_aws_request get = {.service = LK_AWS_S3,
                                 .operation = "GetBucketVersioning",
                                 .method = "GET",
                                 .bucket = "lk-int-logs",
                                 .path = "/?versioning"};
    ck_assert_int_eq(lk_aws_call(&c, &get, &resp, &err), 0);
    ck_assert_ptr_nonnull(strstr((const char *)resp.body, "<Status>Enabled</Status>"));
    ck_assert_ptr_nonnull(lk_http_header_get(&resp, "x-amz-request-id"));
    lk_http_response_free(&resp);
    /* Without Content-MD5 the PUT is refused, with S3's error document. */
    put.content_md5 = false;
    ck_assert_int_eq(lk_aws_call(&c, &put, &resp, &err), LK_STATUS_AWS);
    ck_assert_str_eq(err.code, "InvalidRequest");
    ck_assert_ptr_nonnull(strstr(err.message, "Content-MD5"));
    ck_assert_ptr_nonnull(err.request_id);
    lk_aws_error_clear(&err);
    lk_http_response_free(&resp);
    /* Not configured: NoSuchLifecycleConfiguration; missing bucket on HEAD: no body at all. */
    struct lk_aws_request lc = {.service = LK_AWS_S3,
                                .operation = "GetBucketLifecycleConfiguration",
                                .method = "GET",
                                .bucket = "lk-int-logs",
                                .path = "/?lifecycle"};
    ck_assert_int_eq(lk_aws_call(&c, &lc, &resp, &err), LK_STATUS_AWS);
    ck_assert_str_eq(err.code, "NoSuchLifecycleConfiguration");
    ck_assert_int_eq(err.http_status, 404);
    lk_aws_error_clear(&err);
    lk_http_response_free(&resp);
    struct lk_aws_request head = {.service = LK_AWS_S3,
                                  .operation = "HeadBucket",
                                  .method = "HEAD",
                                  .bucket = "lk-int-missing",
                                  .path = "/"};
    ck_assert_int_eq(lk_aws_call(&c, &head, &resp, &err), LK_STATUS_AWS);
    ck_assert_str_eq(err.code, "NoSuchBucket");
    ck_assert_int_eq(err.http_status, 404);
    ck_assert_ptr_nonnull(err.request_id);
    lk_aws_error_clear(&err);
    lk_http_response_free(&resp);
    /* S3's skew error is corrected the same way. */
    admin("POST", "/_admin/clock", "{\"offset_seconds\": -1200}", NULL);
    ck_assert_int_eq(lk_aws_call(&c, &get, &resp, &err), 0);
    lk_http_response_free(&resp);
    ck_assert_int_lt(c.clock_skew_ms, -1190 * 1000);
    char *e0 = log_field("s3", "GetBucketVersioning", 1, "error");
    ck_assert_str_eq(e0, "RequestTimeTooSkewed");
    free(e0);
    admin("POST", "/_admin/clock", "{\"offset_seconds\": 0}", NULL);
    lk_aws_client_free(&c);
}
END_TEST

/* One transport keeps its handle and options from request to request: each method undoes the
 * previous one's. GET, PUT (a body), HEAD (no body expected) and DELETE (no body) in an order
 * where each follows each of the others, then STS's POST (a form body) and GET again; all
 * signed (the endpoint checks the method, path and payload hash of every signature) and logged
 * as the operation meant. NULL in the order stands for the POST. */
START_TEST(test_methods_on_one_transport)
{
    struct lk_aws_client c;
    struct lk_http_response resp;
    struct lk_aws_error err = {0};
    user_keys();
    admin("POST", "/_admin/state", "{\"buckets\": {\"lk-int-methods\": {}}}", NULL);
    make_client(&c, NULL, 0, NULL);
    const char *xml = "<VersioningConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
                      "<Status>Enabled</Status></VersioningConfiguration>";
    struct lk_aws_request get = {.service = LK_AWS_S3,
                                 .operation = "GetBucketVersioning",
                                 .method = "GET",
                                 .bucket = "lk-int-methods",
                                 .path = "/?versioning"};
    struct lk_aws_request put = {.service = LK_AWS_S3,
                                 .operation = "PutBucketVersioning",
                                 .method = "PUT",
                                 .bucket = "lk-int-methods",
                                 .path = "/?versioning",
                                 .body = (const unsigned char *)xml,
                                 .body_len = strlen(xml),
                                 .content_md5 = true};
    struct lk_aws_request head = {.service = LK_AWS_S3,
                                  .operation = "HeadBucket",
                                  .method = "HEAD",
                                  .bucket = "lk-int-methods",
                                  .path = "/"};
    struct lk_aws_request del = {.service = LK_AWS_S3,
                                 .operation = "DeleteBucketPolicy",
                                 .method = "DELETE",
                                 .bucket = "lk-int-methods",
                                 .path = "/?policy"};
    const struct lk_aws_request *order[] = {&get,  &put, &head, &get, &head, &put, &get, &del,
                                            &head, &del, &put,  &del, &get,  &del, NULL, &get};
    int gets = 0, puts = 0, heads = 0, dels = 0;
    for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
        const struct lk_aws_request *r = order[i];
        if (r == NULL) {
            whoami(&c, USER_ARN);
            continue;
        }
        ck_assert_msg(lk_aws_call(&c, r, &resp, &err) == 0, "%zu %s: %s: %s", i, r->operation,
                      err.code, err.message);
        ck_assert_int_eq(resp.status, r == &del ? 204 : 200);
        if (r == &get) {
            gets++;
            /* Enabled once the first PUT went through. */
            ck_assert_int_eq(strstr((const char *)resp.body, "<Status>Enabled</Status>") != NULL,
                             puts > 0);
        } else {
            ck_assert_uint_eq(resp.body_len, 0);
            puts += r == &put;
            heads += r == &head;
            dels += r == &del;
        }
        lk_http_response_free(&resp);
    }
    ck_assert_int_eq(log_count("s3", "GetBucketVersioning"), gets);
    ck_assert_int_eq(log_count("s3", "PutBucketVersioning"), puts);
    ck_assert_int_eq(log_count("s3", "HeadBucket"), heads);
    ck_assert_int_eq(log_count("s3", "DeleteBucketPolicy"), dels);
    ck_assert_int_eq(log_count("sts", "GetCallerIdentity"), 1);
    lk_aws_client_free(&c);
}
END_TEST

START_TEST(test_logs_json)
{
    struct lk_aws_client c;
    struct lk_http_response resp;
    struct lk_aws_error err = {0};
    setenv("AWS_ACCESS_KEY_ID", SESSION_AKID, 1);
    setenv("AWS_SECRET_ACCESS_KEY", SESSION_SECRET, 1);
    setenv("AWS_SESSION_TOKEN", SESSION_TOKEN, 1);
    make_client(&c, NULL, 0, NULL);
    const char *body = "{\"logGroupName\":\"/lk/int\"}";
    struct lk_aws_request create = {.service = LK_AWS_LOGS,
                                    .operation = "CreateLogGroup",
                                    .method = "POST",
                                    .path = "/",
                                    .target = "Logs_20140328.CreateLogGroup",
                                    .body = (const unsigned char *)body,
                                    .body_len = strlen(body)};
    ck_assert_msg(lk_aws_call(&c, &create, &resp, &err) == 0, "%s: %s", err.code, err.message);
    lk_http_response_free(&resp);
    ck_assert_int_eq(lk_aws_call(&c, &create, &resp, &err), LK_STATUS_AWS);
    ck_assert_str_eq(err.code, "ResourceAlreadyExistsException");
    ck_assert_int_eq(err.http_status, 400);
    ck_assert_ptr_nonnull(err.request_id);
    lk_aws_error_clear(&err);
    lk_http_response_free(&resp);
    const char *put = "{\"logGroupName\":\"/lk/missing\",\"retentionInDays\":30}";
    struct lk_aws_request retention = {.service = LK_AWS_LOGS,
                                       .operation = "PutRetentionPolicy",
                                       .method = "POST",
                                       .path = "/",
                                       .target = "Logs_20140328.PutRetentionPolicy",
                                       .body = (const unsigned char *)put,
                                       .body_len = strlen(put)};
    ck_assert_int_eq(lk_aws_call(&c, &retention, &resp, &err), LK_STATUS_AWS);
    ck_assert_str_eq(err.code, "ResourceNotFoundException");
    lk_aws_error_clear(&err);
    lk_http_response_free(&resp);
    lk_aws_client_free(&c);
}
END_TEST

static Suite *s_suite(void)
{
    Suite *s = suite_create("runtime integration");
    struct {
        const char *name;
        const TTest *tests[12];
    } cases[] = {
        {"credentials",
         {test_env_keys, test_session_token, test_wrong_secret, test_assume_role_chain,
          test_web_identity, test_credential_process, test_container_credentials,
          test_instance_metadata}},
        {"retries",
         {test_throttling_recovers, test_500_storm, test_dropped_connection_retried,
          test_truncated_body_retried, test_response_size_cap, test_transport_body_cap,
          test_timeout_retried, test_clock_skew_sts}},
        {"protocols", {test_s3_put_get_and_errors, test_methods_on_one_transport, test_logs_json}},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        TCase *tc = tcase_create(cases[i].name);
        tcase_add_checked_fixture(tc, setup, NULL);
        tcase_set_timeout(tc, 60);
        for (size_t k = 0; k < 12 && cases[i].tests[k] != NULL; k++)
            tcase_add_test(tc, cases[i].tests[k]);
        suite_add_tcase(s, tc);
    }
    return s;
}

int main(void)
{
    return lk_test_run(s_suite());
}
