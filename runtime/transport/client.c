/*
 * logkeep runtime: the AWS client core (aws.h): one call = endpoint, credentials, SigV4, send,
 * "standard" retries, error mapping.
 *
 * Sources:
 *   [NOTES] docs/protocol-notes.md (protocols sections 1-6, endpoints 7, retries 9).
 *   [RETRY] AWS SDKs and Tools Reference Guide, "Retry behavior",
 *           https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html, and
 *           botocore/retries/standard.py, quota.py (as summarised in [NOTES] section 9).
 *   [FILES] AWS SDKs and Tools Reference Guide, "Using shared config and credentials files to
 *           globally configure AWS SDKs and tools",
 *           https://docs.aws.amazon.com/sdkref/latest/guide/file-format.html
 *   [S3API] Amazon S3 API Reference: "Common Response Headers" (x-amz-request-id),
 *           https://docs.aws.amazon.com/AmazonS3/latest/API/RESTCommonResponseHeaders.html;
 *           "HeadBucket" (errors carry no body),
 *           https://docs.aws.amazon.com/AmazonS3/latest/API/API_HeadBucket.html
 *   [SKEW]  https://aws.amazon.com/blogs/developer/clock-skew-correction/ (the SDKs correct
 *           their clock from the response's Date and retry); the error codes and the 4-minute
 *           threshold are those of the AWS SDK for Java (RetryUtils.isClockSkewError,
 *           ClockSkew.isClockSkewed),
 *           https://docs.amazonaws.cn/AWSJavaSDK/latest/javadoc/com/amazonaws/retry/ClockSkewAdjuster.html
 *   [JSONERR] error code sanitising of the JSON protocols: drop a "namespace#" prefix and a
 *           ":..." suffix (botocore parsers.py BaseJSONParser; aws-sdk-go-v2
 *           aws/protocol/restjson SanitizeErrorCode).
 */
#include "config.h"

#include "runtime/transport/client.h"

#include <cjson/cJSON.h>
#include <expat.h>

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "common/arena.h"
#include "common/array.h"
#include "runtime/transport/config_file.h"
#include "runtime/transport/endpoint.h"
#include "runtime/transport/ratelimit.h"
#include "runtime/transport/sigv4.h"

/* ---------------------------------------------------------------------------------------------
 * Services and protocols
 * ------------------------------------------------------------------------------------------- */

enum s_protocol {
    S_PROTO_REST_XML, /* S3 */
    S_PROTO_JSON,     /* CloudWatch Logs, CloudTrail: JSON 1.1 */
    S_PROTO_QUERY,    /* STS */
};

const char *lk_aws_service_name(enum lk_aws_service svc)
{
    /* [NOTES] section 1: no model sets signingName, so the signing name is the endpointPrefix. */
    switch (svc) {
    case LK_AWS_S3:
        return "s3";
    case LK_AWS_LOGS:
        return "logs";
    case LK_AWS_CLOUDTRAIL:
        return "cloudtrail";
    case LK_AWS_STS:
        return "sts";
    case LK_AWS_KMS:
        return "kms";
    case LK_AWS_ORGANIZATIONS:
        /* botocore's organizations model: endpointPrefix organizations, no signingName. */
        return "organizations";
    /* botocore's models: endpointPrefix route53resolver, wafv2, config (no signingName);
     * network-firewall, guardduty and eks set signingName to their endpointPrefix. */
    case LK_AWS_ROUTE53RESOLVER:
        return "route53resolver";
    case LK_AWS_WAFV2:
        return "wafv2";
    case LK_AWS_NETWORK_FIREWALL:
        return "network-firewall";
    case LK_AWS_CONFIG:
        return "config";
    case LK_AWS_GUARDDUTY:
        return "guardduty";
    case LK_AWS_EKS:
        return "eks";
    case LK_AWS_EC2:
        return "ec2";
    case LK_AWS_ELBV2:
        /* botocore's elbv2 model: endpointPrefix elasticloadbalancing, no signingName. */
        return "elasticloadbalancing";
    case LK_AWS_RDS:
        return "rds";
    default:
        return "unknown";
    }
}

static enum s_protocol s_protocol_of(enum lk_aws_service svc)
{
    switch (svc) {
    case LK_AWS_S3:
        return S_PROTO_REST_XML;
    case LK_AWS_STS:
    case LK_AWS_EC2: /* the ec2 protocol: a Query request, EC2's own error document */
    case LK_AWS_ELBV2:
    case LK_AWS_RDS:
        return S_PROTO_QUERY;
    default:
        return S_PROTO_JSON;
    }
}

/* ---------------------------------------------------------------------------------------------
 * Errors
 * ------------------------------------------------------------------------------------------- */

void lk_aws_error_clear(struct lk_aws_error *err)
{
    if (err == NULL)
        return;
    free(err->operation);
    free(err->code);
    free(err->message);
    free(err->request_id);
    memset(err, 0, sizeof(*err));
}

static void s_set(char **field, const char *value)
{
    free(*field);
    *field = value != NULL ? lk_xstrdup(value) : NULL;
}

static void s_setf(char **field, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void s_setf(char **field, const char *fmt, ...)
{
    char tmp[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(tmp, sizeof(tmp), fmt, ap);
    va_end(ap);
    free(*field);
    *field = lk_xstrdup(tmp);
}

void lk_aws_error_format(const struct lk_aws_error *err, char *buf, size_t len)
{
    struct lk_buf b;
    if (buf == NULL || len == 0)
        return;
    /* The text goes into the caller's buffer of @p len bytes (a line): a longer one is cut
     * there anyway. */
    lk_buf_init(&b, LK_BUF_MAX_LINE);
    lk_buf_printf(&b, "%s failed: ", err->operation ? err->operation : "AWS call");
    bool has_message = err->message != NULL && err->message[0] != '\0';
    if (err->code != NULL) {
        lk_buf_printf(&b, "%s", err->code);
        if (has_message)
            lk_buf_printf(&b, ": %s", err->message);
    } else if (err->no_response && has_message) {
        /* The transport's message starts with what went wrong ("timed out: ..."). */
        lk_buf_puts(&b, err->message);
    } else {
        lk_buf_puts(&b, "error");
        if (has_message)
            lk_buf_printf(&b, ": %s", err->message);
    }
    bool open = false;
    if (err->http_status != 0) {
        lk_buf_printf(&b, " (HTTP %ld", err->http_status);
        open = true;
    }
    if (err->request_id != NULL) {
        lk_buf_printf(&b, "%srequest id %s", open ? ", " : " (", err->request_id);
        open = true;
    }
    if (err->attempts > 1) {
        lk_buf_printf(&b, "%s%d attempts", open ? ", " : " (", err->attempts);
        open = true;
    }
    if (err->retry_quota_exhausted) {
        lk_buf_printf(&b, "%sretry quota exhausted", open ? ", " : " (");
        open = true;
    }
    if (open)
        lk_buf_putc(&b, ')');
    const char *text = lk_buf_cstr(&b);
    snprintf(buf, len, "%s", text != NULL ? text : "AWS call failed");
    lk_buf_free(&b);
}

static bool s_in_list(const char *code, const char *const *list, size_t n)
{
    if (code == NULL)
        return false;
    for (size_t i = 0; i < n; i++)
        if (strcmp(code, list[i]) == 0)
            return true;
    return false;
}

bool lk_aws_error_is_throttling(const struct lk_aws_error *err)
{
    /* [NOTES] section 9, botocore retries/standard.py ThrottledRetryableChecker. */
    static const char *const s_throttling[] = {
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "RequestThrottledException",
        "TooManyRequestsException",
        "ProvisionedThroughputExceededException",
        "TransactionInProgressException",
        "RequestLimitExceeded",
        "BandwidthLimitExceeded",
        "LimitExceededException",
        "RequestThrottled",
        "SlowDown",
        "PriorRequestNotComplete",
        "EC2ThrottledException",
    };
    return err != NULL &&
           s_in_list(err->code, s_throttling, sizeof(s_throttling) / sizeof(s_throttling[0]));
}

bool lk_aws_error_is_transient(const struct lk_aws_error *err)
{
    /* [NOTES] section 9: no response, 500/502/503/504, or a timeout code. */
    static const char *const s_transient_codes[] = {"RequestTimeout", "RequestTimeoutException",
                                                    "PriorRequestNotComplete"};
    if (err == NULL)
        return false;
    /* Transport failures worth another attempt: botocore retries every connection error and
     * HTTP client error (standard.py TransientRetryableChecker). A refused plain-http URL, a
     * malformed URL, a response over the cap or a certificate that cannot be verified would
     * fail the same way again: the transport says which (struct lk_http_response retryable). */
    if (err->no_response)
        return err->retryable;
    if (err->http_status == 500 || err->http_status == 502 || err->http_status == 503 ||
        err->http_status == 504)
        return true;
    return s_in_list(err->code, s_transient_codes,
                     sizeof(s_transient_codes) / sizeof(s_transient_codes[0]));
}

static bool s_is_retryable(enum lk_aws_service svc, const struct lk_aws_error *err)
{
    if (lk_aws_error_is_transient(err) || lk_aws_error_is_throttling(err))
        return true;
    /* [NOTES] section 9: STS IDPCommunicationError is retried too (botocore standard.py). */
    return svc == LK_AWS_STS && err->code != NULL &&
           strcmp(err->code, "IDPCommunicationError") == 0;
}

static bool s_may_be_skew(const struct lk_aws_error *err)
{
    /* [SKEW] the codes a wrong client clock produces. STS answers a stale signature with
     * SignatureDoesNotMatch "Signature expired", so that code counts too, and so does any
     * 401/403 (a HEAD answer has no code at all); a correction only happens when the Date
     * header really shows a skew. */
    static const char *const s_codes[] = {
        "RequestTimeTooSkewed",  "RequestExpired", "InvalidSignatureException",
        "SignatureDoesNotMatch", "AuthFailure",    "RequestInTheFuture"};
    return s_in_list(err->code, s_codes, sizeof(s_codes) / sizeof(s_codes[0])) ||
           err->http_status == 401 || err->http_status == 403;
}

/* ---------------------------------------------------------------------------------------------
 * Credentials
 * ------------------------------------------------------------------------------------------- */

void lk_aws_credentials_clear(struct lk_aws_credentials *creds)
{
    if (creds == NULL)
        return;
    /* The key id is not secret, but wiping it costs nothing. */
    lk_http_free_secret(creds->access_key_id);
    lk_http_free_secret(creds->secret_access_key);
    lk_http_free_secret(creds->session_token);
    free(creds->source);
    memset(creds, 0, sizeof(*creds));
}

void lk_aws_credentials_copy(struct lk_aws_credentials *dst, const struct lk_aws_credentials *src)
{
    memset(dst, 0, sizeof(*dst));
    dst->access_key_id = src->access_key_id ? lk_xstrdup(src->access_key_id) : NULL;
    dst->secret_access_key = src->secret_access_key ? lk_xstrdup(src->secret_access_key) : NULL;
    dst->session_token = src->session_token ? lk_xstrdup(src->session_token) : NULL;
    dst->expiration_s = src->expiration_s;
    dst->source = src->source ? lk_xstrdup(src->source) : NULL;
}

/* ---------------------------------------------------------------------------------------------
 * Timestamps
 * ------------------------------------------------------------------------------------------- */

static bool s_digits(const char *s, size_t n, int *out)
{
    int v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
}

enum lk_status lk_aws_parse_iso8601(const char *text, int64_t *epoch_s)
{
    /* The Expiration of STS, container, instance and credential_process answers:
     * "2026-11-26T14:00:00Z" (RFC 3339), possibly with fractions or a numeric offset. */
    struct tm tm;
    int year, mon, day, hour, min, sec;
    if (text == NULL || strlen(text) < 19)
        return LK_STATUS_MALFORMED;
    if (!s_digits(text, 4, &year) || text[4] != '-' || !s_digits(text + 5, 2, &mon) ||
        text[7] != '-' || !s_digits(text + 8, 2, &day) ||
        (text[10] != 'T' && text[10] != 't' && text[10] != ' ') || !s_digits(text + 11, 2, &hour) ||
        text[13] != ':' || !s_digits(text + 14, 2, &min) || text[16] != ':' ||
        !s_digits(text + 17, 2, &sec))
        return LK_STATUS_MALFORMED;
    const char *p = text + 19;
    if (*p == '.') {
        p++;
        if (*p < '0' || *p > '9')
            return LK_STATUS_MALFORMED;
        while (*p >= '0' && *p <= '9')
            p++;
    }
    int offset_s = 0;
    if (*p == 'Z' || *p == 'z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        int oh, om;
        if (!s_digits(p + 1, 2, &oh) || p[3] != ':' || !s_digits(p + 4, 2, &om) || oh > 23 ||
            om > 59)
            return LK_STATUS_MALFORMED;
        offset_s = (oh * 3600 + om * 60) * (*p == '-' ? -1 : 1);
        p += 6;
    } else {
        return LK_STATUS_MALFORMED;
    }
    if (*p != '\0')
        return LK_STATUS_MALFORMED;
    memset(&tm, 0, sizeof(tm));
    tm.tm_year = year - 1900;
    tm.tm_mon = mon - 1;
    tm.tm_mday = day;
    tm.tm_hour = hour;
    tm.tm_min = min;
    tm.tm_sec = sec;
    if (mon < 1 || mon > 12 || day < 1 || day > 31 || hour > 23 || min > 59 || sec > 60)
        return LK_STATUS_MALFORMED;
    int64_t t;
    if (lk_sigv4_convert_tm(&tm, &t) != LK_STATUS_OK)
        return LK_STATUS_MALFORMED;
    *epoch_s = t - offset_s;
    return LK_STATUS_OK;
}

enum lk_status lk_aws_parse_http_date(const char *text, int64_t *epoch_s)
{
    /* RFC 9110 section 5.6.7 IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT". Parsed by hand:
     * strptime's %a and %b follow the locale. */
    static const char *const s_months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                           "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    struct tm tm;
    int day, year, hour, min, sec, mon = -1;
    if (text == NULL || strlen(text) != 29 || text[3] != ',' || text[4] != ' ' || text[7] != ' ' ||
        text[11] != ' ' || text[16] != ' ' || text[19] != ':' || text[22] != ':' ||
        strcmp(text + 25, " GMT") != 0)
        return LK_STATUS_MALFORMED;
    if (!s_digits(text + 5, 2, &day) || !s_digits(text + 12, 4, &year) ||
        !s_digits(text + 17, 2, &hour) || !s_digits(text + 20, 2, &min) ||
        !s_digits(text + 23, 2, &sec))
        return LK_STATUS_MALFORMED;
    for (int i = 0; i < 12; i++)
        if (strncmp(text + 8, s_months[i], 3) == 0)
            mon = i;
    if (mon < 0 || day < 1 || day > 31 || hour > 23 || min > 59 || sec > 60)
        return LK_STATUS_MALFORMED;
    memset(&tm, 0, sizeof(tm));
    tm.tm_year = year - 1900;
    tm.tm_mon = mon;
    tm.tm_mday = day;
    tm.tm_hour = hour;
    tm.tm_min = min;
    tm.tm_sec = sec;
    return lk_sigv4_convert_tm(&tm, epoch_s) == LK_STATUS_OK ? LK_STATUS_OK : LK_STATUS_MALFORMED;
}

/* ---------------------------------------------------------------------------------------------
 * XML (libexpat)
 * ------------------------------------------------------------------------------------------- */

#define S_XML_MAX_DEPTH 32
#define S_XML_MAX_FIELD_BYTES ((size_t)64 * 1024)
#define S_XML_NS_SEP ' ' /* cannot occur in a namespace URI or an element name */
#define S_SECONDS_PER_DAY INT64_C(86400)

struct s_xml_state {
    XML_Parser parser;
    const struct lk_aws_xml_field *fields;
    size_t n_fields;
    char path[S_XML_MAX_DEPTH * 64]; /* '/'-joined local names of the open elements */
    size_t path_len[S_XML_MAX_DEPTH + 1];
    int depth;
    int capture_field; /* index of the field being read, or -1 */
    int capture_depth;
    struct lk_buf text; /* the field being read; secret (fields may be SecretAccessKey or
                           SessionToken), capped at S_XML_MAX_FIELD_BYTES */
    char *root_ns;      /* owned */
    bool failed;
    bool too_large; /* failed because a field passed S_XML_MAX_FIELD_BYTES */
};

static void s_xml_fail(struct s_xml_state *st)
{
    st->failed = true;
    XML_StopParser(st->parser, XML_FALSE);
}

static void XMLCALL s_xml_start(void *user, const XML_Char *name, const XML_Char **atts)
{
    struct s_xml_state *st = user;
    (void)atts;
    if (st->failed)
        return;
    const char *local = strchr(name, S_XML_NS_SEP);
    const char *ns_end = local;
    local = local != NULL ? local + 1 : name;
    if (st->depth == 0 && st->root_ns == NULL)
        st->root_ns = ns_end != NULL ? lk_xstrndup(name, (size_t)(ns_end - name)) : lk_xstrdup("");
    size_t cur = st->path_len[st->depth];
    size_t add = strlen(local) + (st->depth > 0 ? 1 : 0);
    if (st->depth >= S_XML_MAX_DEPTH || cur + add + 1 > sizeof(st->path)) {
        s_xml_fail(st);
        return;
    }
    if (st->depth > 0)
        st->path[cur++] = '/';
    memcpy(st->path + cur, local, strlen(local) + 1);
    st->depth++;
    st->path_len[st->depth] = cur + strlen(local);
    if (st->capture_field >= 0)
        return;
    for (size_t i = 0; i < st->n_fields; i++) {
        if (*st->fields[i].out == NULL && strcmp(st->fields[i].path, st->path) == 0) {
            st->capture_field = (int)i;
            st->capture_depth = st->depth;
            lk_buf_reset(&st->text);
            break;
        }
    }
}

static void XMLCALL s_xml_end(void *user, const XML_Char *name)
{
    struct s_xml_state *st = user;
    (void)name;
    if (st->failed || st->depth == 0)
        return;
    if (st->capture_field >= 0 && st->capture_depth == st->depth) {
        *st->fields[st->capture_field].out =
            lk_xstrndup(st->text.data ? st->text.data : "", st->text.len);
        lk_buf_reset(&st->text); /* wipes it */
        st->capture_field = -1;
    }
    st->depth--;
    st->path[st->path_len[st->depth]] = '\0';
}

static void XMLCALL s_xml_text(void *user, const XML_Char *s, int len)
{
    struct s_xml_state *st = user;
    if (st->failed || st->capture_field < 0 || len <= 0)
        return;
    lk_buf_append(&st->text, s, (size_t)len);
    if (lk_buf_failed(&st->text)) {
        st->too_large = true;
        s_xml_fail(st);
    }
}

static void XMLCALL s_xml_doctype(void *user, const XML_Char *name, const XML_Char *sysid,
                                  const XML_Char *pubid, int has_internal_subset)
{
    (void)name;
    (void)sysid;
    (void)pubid;
    (void)has_internal_subset;
    /* AWS never sends a DTD; refusing one rules out entity expansion attacks entirely. */
    s_xml_fail(user);
}

enum lk_status lk_aws_xml_find(const char *xml, size_t len, const struct lk_aws_xml_field *fields,
                               size_t n, char **root_ns)
{
    enum lk_status rc = LK_STATUS_MALFORMED;
    struct s_xml_state st;

    memset(&st, 0, sizeof(st));
    lk_buf_init_secret(&st.text, S_XML_MAX_FIELD_BYTES);
    st.fields = fields;
    st.n_fields = n;
    st.capture_field = -1;
    if (root_ns != NULL)
        *root_ns = NULL;
    if (xml == NULL || len == 0 || len > (size_t)INT32_MAX)
        goto cleanup;
    st.parser = XML_ParserCreateNS("UTF-8", S_XML_NS_SEP);
    if (st.parser == NULL)
        lk_oom();
    XML_SetUserData(st.parser, &st);
    XML_SetElementHandler(st.parser, s_xml_start, s_xml_end);
    XML_SetCharacterDataHandler(st.parser, s_xml_text);
    XML_SetStartDoctypeDeclHandler(st.parser, s_xml_doctype);
    if (XML_Parse(st.parser, xml, (int)len, XML_TRUE) != XML_STATUS_OK || st.failed) {
        if (st.too_large)
            rc = LK_STATUS_TOO_LARGE;
        goto cleanup;
    }
    if (root_ns != NULL) {
        *root_ns = st.root_ns;
        st.root_ns = NULL;
    }
    rc = LK_STATUS_OK;

cleanup:
    if (rc != LK_STATUS_OK)
        for (size_t i = 0; i < n; i++) {
            lk_http_free_secret(*fields[i].out);
            *fields[i].out = NULL;
        }
    if (st.parser != NULL)
        XML_ParserFree(st.parser);
    lk_buf_free(&st.text);
    free(st.root_ns);
    return rc;
}

/* ---------------------------------------------------------------------------------------------
 * Error responses
 * ------------------------------------------------------------------------------------------- */

const char *lk_aws_response_request_id(const struct lk_http_response *resp)
{
    /* [NOTES] S3 sends x-amz-request-id [S3API]; the JSON and query services
     * x-amzn-RequestId. */
    const char *id = lk_http_header_get(resp, "x-amz-request-id");
    if (id == NULL)
        id = lk_http_header_get(resp, "x-amzn-RequestId");
    return id;
}

enum lk_status lk_aws_error_malformed(struct lk_aws_error *err, const char *op,
                                      const struct lk_http_response *resp, const char *why)
{
    int attempts = err->attempts;
    lk_aws_error_clear(err);
    const char *rid = lk_aws_response_request_id(resp);
    err->operation = lk_xstrdup(op);
    err->code = lk_xstrdup(LK_SVC_MALFORMED_RESPONSE);
    err->message = lk_xstrdup(why);
    err->request_id = rid ? lk_xstrdup(rid) : NULL;
    err->http_status = resp->status;
    err->status = LK_STATUS_MALFORMED;
    err->attempts = attempts;
    return LK_STATUS_MALFORMED;
}

enum lk_status lk_aws_error_invalid(struct lk_aws_error *err, const char *op, const char *why)
{
    lk_aws_error_clear(err);
    err->operation = lk_xstrdup(op);
    err->code = lk_xstrdup("logkeep.InvalidArgument");
    err->message = lk_xstrdup(why);
    err->status = LK_STATUS_INVALID_ARGUMENT;
    return LK_STATUS_INVALID_ARGUMENT;
}

/* The JSON 1.1 protocol: every operation is a POST to "/" naming itself in X-Amz-Target.
 * See docs/protocol-notes.md and botocore's serializer for "json" services. */
enum lk_status lk_aws_json_call(struct lk_aws_client *client, enum lk_aws_service service,
                                const char *target_prefix, const char *op, const char *region,
                                const char *body, size_t len, struct lk_http_response *resp,
                                struct lk_aws_error *err)
{
    char target[160];
    snprintf(target, sizeof(target), "%s%s", target_prefix, op);
    struct lk_aws_request req = {0};
    req.service = service;
    req.operation = op;
    req.method = "POST";
    req.path = "/";
    req.target = target;
    req.content_type = "application/x-amz-json-1.1";
    req.body = (const unsigned char *)body;
    req.body_len = len;
    req.region = region;
    LK_GUARD(lk_aws_call(client, &req, resp, err));
    /* Success leaves nothing behind in @p err (lk_aws_call() records the operation name). */
    lk_aws_error_clear(err);
    return LK_STATUS_OK;
}

/* A code for an answer that says nothing but its status. */
static const char *s_status_code(long status)
{
    switch (status) {
    case 301:
        return "PermanentRedirect";
    case 307:
        return "TemporaryRedirect";
    case 400:
        return "BadRequest";
    case 401:
        return "Unauthorized";
    case 403:
        return "AccessDenied";
    case 404:
        return "NotFound";
    case 405:
        return "MethodNotAllowed";
    case 409:
        return "Conflict";
    case 412:
        return "PreconditionFailed";
    case 429:
        return "TooManyRequestsException";
    case 500:
        return "InternalError";
    case 502:
        return "BadGateway";
    case 503:
        return "ServiceUnavailable";
    case 504:
        return "GatewayTimeout";
    default:
        return NULL;
    }
}

/* [JSONERR] "com.amazonaws.cloudtrail.v20131101#TrailNotFoundException" and
 * "ThrottlingException:http://internal.amazon.com/coral/..." both mean the bare name. */
static char *s_sanitize_code(const char *raw)
{
    const char *start = raw;
    size_t len = strcspn(raw, ":");
    const char *hash = NULL;
    for (size_t i = 0; i < len; i++)
        if (raw[i] == '#')
            hash = raw + i;
    if (hash != NULL) {
        len -= (size_t)(hash + 1 - start);
        start = hash + 1;
    }
    while (len > 0 && (*start == ' ' || *start == '\t')) {
        start++;
        len--;
    }
    while (len > 0 && (start[len - 1] == ' ' || start[len - 1] == '\t'))
        len--;
    return len > 0 ? lk_xstrndup(start, len) : NULL;
}

static void s_parse_xml_error(const struct lk_http_response *resp, bool query,
                              struct lk_aws_error *err)
{
    char *code = NULL, *message = NULL, *request_id = NULL;
    /* EC2 answers <Response><Errors><Error>...</Error></Errors><RequestID/></Response> (EC2 API
     * Reference, "Error codes for the Amazon EC2 API"); the other Query services
     * <ErrorResponse>. Whichever the document holds is found. */
    struct lk_aws_xml_field fields[] = {
        {query ? "ErrorResponse/Error/Code" : "Error/Code", &code},
        {query ? "ErrorResponse/Error/Message" : "Error/Message", &message},
        {query ? "ErrorResponse/RequestId" : "Error/RequestId", &request_id},
        {"Response/Errors/Error/Code", &code},
        {"Response/Errors/Error/Message", &message},
        {"Response/RequestID", &request_id},
    };
    if (lk_aws_xml_find((const char *)resp->body, resp->body_len, fields, query ? 6 : 3, NULL) ==
        LK_STATUS_OK) {
        if (code != NULL && code[0] != '\0') {
            err->code = code;
            code = NULL;
        }
        if (message != NULL) {
            err->message = message;
            message = NULL;
        }
        if (err->request_id == NULL && request_id != NULL && request_id[0] != '\0') {
            err->request_id = request_id;
            request_id = NULL;
        }
    }
    free(code);
    free(message);
    free(request_id);
}

static void s_parse_json_error(const struct lk_http_response *resp, struct lk_aws_error *err)
{
    cJSON *doc = NULL;
    if (resp->body != NULL && resp->body_len > 0)
        doc = cJSON_ParseWithLength((const char *)resp->body, resp->body_len);
    if (cJSON_IsObject(doc)) {
        const cJSON *type = cJSON_GetObjectItemCaseSensitive(doc, "__type");
        if (!cJSON_IsString(type))
            type = cJSON_GetObjectItemCaseSensitive(doc, "code");
        if (cJSON_IsString(type) && type->valuestring != NULL)
            err->code = s_sanitize_code(type->valuestring);
        /* [NOTES] section 5: the message key may be "message" or "Message". */
        const cJSON *msg = cJSON_GetObjectItemCaseSensitive(doc, "message");
        if (!cJSON_IsString(msg))
            msg = cJSON_GetObjectItemCaseSensitive(doc, "Message");
        if (cJSON_IsString(msg) && msg->valuestring != NULL)
            err->message = lk_xstrdup(msg->valuestring);
    }
    cJSON_Delete(doc);
    if (err->code == NULL) {
        /* [NOTES] section 5: without __type, the x-amzn-ErrorType header, cut at ':'. */
        const char *hdr = lk_http_header_get(resp, "x-amzn-ErrorType");
        if (hdr != NULL)
            err->code = s_sanitize_code(hdr);
    }
}

void lk_aws_parse_error(enum lk_aws_service svc, const char *method, bool bucket_level,
                        const struct lk_http_response *resp, struct lk_aws_error *err)
{
    free(err->code);
    free(err->message);
    free(err->request_id);
    err->code = err->message = err->request_id = NULL;
    err->http_status = resp->status;
    err->status = LK_STATUS_AWS;
    err->no_response = false;
    err->retryable = false;

    const char *rid = lk_aws_response_request_id(resp);
    if (rid != NULL && rid[0] != '\0')
        err->request_id = lk_xstrdup(rid);

    bool has_body = resp->body != NULL && resp->body_len > 0 &&
                    !(method != NULL && strcmp(method, "HEAD") == 0);
    if (has_body) {
        switch (s_protocol_of(svc)) {
        case S_PROTO_REST_XML:
            s_parse_xml_error(resp, false, err);
            break;
        case S_PROTO_QUERY:
            s_parse_xml_error(resp, true, err);
            break;
        case S_PROTO_JSON:
            s_parse_json_error(resp, err);
            break;
        }
    }
    if (err->code != NULL)
        return;

    /* No usable error document: HEAD answers never have one ([NOTES] HeadBucket "failure is
     * 400, 403 or 404 with no body"; [S3API] "A message body is not included"); proxies and
     * load balancers send HTML. */
    const char *code = s_status_code(resp->status);
    if (svc == LK_AWS_S3 && resp->status == 404 && bucket_level)
        code = "NoSuchBucket"; /* HeadBucket's only modelled error [NOTES] */
    err->code = lk_xstrdup(code != NULL ? code : "UnknownError");
    free(err->message);
    err->message = NULL;
    if (svc == LK_AWS_S3 && resp->status == 301) {
        const char *region = lk_http_header_get(resp, "x-amz-bucket-region");
        if (region != NULL)
            s_setf(&err->message, "the bucket is in region %s; use that region", region);
        else
            s_setf(&err->message, "the bucket is in another region");
    } else if (has_body) {
        s_setf(&err->message, "HTTP %ld without an AWS error document", resp->status);
    } else {
        s_setf(&err->message, "HTTP %ld with no error details", resp->status);
    }
}

/* ---------------------------------------------------------------------------------------------
 * --debug traces
 * ------------------------------------------------------------------------------------------- */

bool lk_aws_header_is_secret(const char *name)
{
    /* Authorization carries the signature (and, for container credentials, a bearer token);
     * X-Amz-Security-Token and the IMDS token are credentials. Anything named like a secret is
     * hidden too, in case a caller adds one. */
    static const char *const s_words[] = {"authorization", "token",     "secret", "password",
                                          "credential",    "signature", "cookie"};
    if (name == NULL)
        return false;
    for (size_t i = 0; i < sizeof(s_words) / sizeof(s_words[0]); i++) {
        size_t n = strlen(s_words[i]);
        for (const char *p = name; *p; p++)
            if (strncasecmp(p, s_words[i], n) == 0)
                return true;
    }
    return false;
}

/* Writes @p url with the values of secret-looking query parameters replaced. */
static void s_trace_url(FILE *out, const char *url)
{
    const char *q = strchr(url, '?');
    if (q == NULL) {
        fputs(url, out);
        return;
    }
    fwrite(url, 1, (size_t)(q - url) + 1, out);
    const char *p = q + 1;
    while (*p) {
        size_t len = strcspn(p, "&");
        const char *eq = memchr(p, '=', len);
        size_t name_len = eq != NULL ? (size_t)(eq - p) : len;
        char name[128];
        snprintf(name, sizeof(name), "%.*s", (int)(name_len < 127 ? name_len : 127), p);
        if (eq != NULL && lk_aws_header_is_secret(name))
            fprintf(out, "%s=REDACTED", name);
        else
            fwrite(p, 1, len, out);
        p += len;
        if (*p == '&') {
            fputc('&', out);
            p++;
        }
    }
}

static void s_trace_headers(FILE *out, const struct lk_http_header *headers, size_t n)
{
    for (size_t i = 0; i < n; i++)
        fprintf(out, "logkeep: debug:   > %s: %s\n", headers[i].name,
                lk_aws_header_is_secret(headers[i].name) ? "REDACTED" : headers[i].value);
}

void lk_aws_trace_exchange(FILE *out, const char *label, const struct lk_http_request *req,
                           enum lk_status result, const struct lk_http_response *resp,
                           int64_t elapsed_ms)
{
    if (out == NULL)
        return;
    if (resp == NULL) {
        fprintf(out, "logkeep: debug: %s: %s ", label, req->method);
        s_trace_url(out, req->url);
        fputc('\n', out);
        s_trace_headers(out, req->headers, req->n_headers);
    } else if (result != LK_STATUS_OK) {
        fprintf(out, "logkeep: debug: %s: no response: %s (%" PRId64 " ms)\n", label,
                resp->error.message, elapsed_ms);
    } else {
        fprintf(out, "logkeep: debug: %s: HTTP %ld, %zu bytes (%" PRId64 " ms)\n", label,
                resp->status, resp->body_len, elapsed_ms);
    }
    fflush(out);
}

/* ---------------------------------------------------------------------------------------------
 * Client and configuration
 * ------------------------------------------------------------------------------------------- */

static uint64_t s_next_random(uint64_t *state)
{
    /* splitmix64 (Steele, Lea, Flood 2014): tiny, seedable, good enough for jitter. */
    uint64_t z = (*state += UINT64_C(0x9E3779B97F4A7C15));
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

enum lk_status lk_aws_client_init(struct lk_aws_client *client, const struct lk_http_vtable *http,
                                  const struct lk_aws_credential_provider *creds,
                                  struct lk_aws_config *cfg)
{
    if (client == NULL || http == NULL || http->perform == NULL || http->now_ms == NULL ||
        http->sleep_ms == NULL || creds == NULL || creds->get == NULL || cfg == NULL)
        return LK_STATUS_INVALID_ARGUMENT;
    memset(client, 0, sizeof(*client));
    client->http = *http;
    client->creds = *creds;
    client->cfg = *cfg;
    memset(cfg, 0, sizeof(*cfg));
    if (client->cfg.max_attempts <= 0)
        client->cfg.max_attempts = LK_AWS_DEFAULT_MAX_ATTEMPTS;
    client->retry_quota = LK_AWS_RETRY_QUOTA_INITIAL;
    client->clock_skew_ms = 0;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    client->rng_state =
        ((uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec) ^ ((uint64_t)getpid() << 32);
    return LK_STATUS_OK;
}

static void s_key_cache_clear(struct lk_aws_key_cache *kc)
{
    free(kc->region);
    free(kc->access_key_id);
    lk_http_free_secret(kc->secret);
    lk_sigv4_free_signing_key(kc->key);
    memset(kc, 0, sizeof(*kc));
}

void lk_aws_client_free(struct lk_aws_client *client)
{
    if (client == NULL)
        return;
    for (int i = 0; i < LK_AWS_SERVICE_COUNT; i++) {
        s_key_cache_clear(&client->key_cache[i]);
        lk_http_url_free(&client->endpoint_base[i]);
        free(client->endpoint_base_of[i]);
    }
    /* The provider may borrow the transport (STS calls, metadata fetches): destroy it first. */
    if (client->creds.destroy != NULL)
        client->creds.destroy(client->creds.impl);
    if (client->http.destroy != NULL)
        client->http.destroy(client->http.impl);
    lk_aws_config_free(&client->cfg);
    memset(client, 0, sizeof(*client));
}

void lk_aws_config_free(struct lk_aws_config *cfg)
{
    if (cfg == NULL)
        return;
    free(cfg->region);
    free(cfg->endpoint_url);
    for (int i = 0; i < LK_AWS_SERVICE_COUNT; i++)
        free(cfg->service_endpoint_url[i]);
    memset(cfg, 0, sizeof(*cfg));
}

const char *lk_aws_profile_name(const char *cli_profile)
{
    /* [FILES]: AWS_PROFILE selects the profile; botocore also reads AWS_DEFAULT_PROFILE
     * [NOTES section 8]. */
    if (cli_profile != NULL && cli_profile[0] != '\0')
        return cli_profile;
    const char *env = getenv("AWS_PROFILE");
    if (env != NULL && env[0] != '\0')
        return env;
    env = getenv("AWS_DEFAULT_PROFILE");
    if (env != NULL && env[0] != '\0')
        return env;
    return "default";
}

static enum lk_status s_config_error(struct lk_aws_error *err, enum lk_status status,
                                     const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Records a configuration problem: code "InvalidConfiguration", @p status. */
static enum lk_status s_config_error(struct lk_aws_error *err, enum lk_status status,
                                     const char *fmt, ...)
{
    char tmp[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(tmp, sizeof(tmp), fmt, ap);
    va_end(ap);
    s_set(&err->code, "InvalidConfiguration");
    s_set(&err->message, tmp);
    err->status = status;
    return status;
}

static int s_parse_attempts(const char *text, int *out)
{
    char *end = NULL;
    errno = 0;
    long v = strtol(text, &end, 10);
    /* [RETRY] valid values: a number greater than 0. The ceiling only guards against typos
     * that would retry for hours. */
    if (errno != 0 || end == text || *end != '\0' || v < 1 || v > 100)
        return -1;
    *out = (int)v;
    return 0;
}

enum lk_status lk_aws_config_load(const struct lk_aws_config_options *opts,
                                  struct lk_aws_config *cfg, struct lk_aws_error *err)
{
    static const struct lk_aws_config_options s_none = {0};
    enum lk_status rc = LK_STATUS_INVALID_ARGUMENT;
    struct lk_config_file file;
    struct lk_config_error cerr;
    char *path = NULL;

    memset(cfg, 0, sizeof(*cfg));
    memset(&file, 0, sizeof(file));
    if (opts == NULL)
        opts = &s_none;
    cfg->debug = opts->debug;
    cfg->max_attempts = LK_AWS_DEFAULT_MAX_ATTEMPTS;

    path = lk_config_default_path(LK_CONFIG_SHARED_CONFIG);
    if (path != NULL && lk_config_load(path, LK_CONFIG_SHARED_CONFIG, &file, &cerr) != 0) {
        if (cerr.line != 0)
            rc = s_config_error(err, cerr.error.status, "%s:%u: %s", path, cerr.line,
                                cerr.error.message);
        else
            rc = s_config_error(err, cerr.error.status, "%s: %s", path, cerr.error.message);
        goto cleanup;
    }
    const char *profile_name = lk_aws_profile_name(opts->profile);
    const struct lk_config_section *profile =
        lk_config_find(&file, LK_CONFIG_SECTION_PROFILE, profile_name);

    const char *source = NULL;
    if (lk_endpoint_resolve_region(opts->region, lk_config_get(profile, "region"),
                                   opts->fallback_region, &cfg->region, &source) != 0) {
        rc = s_config_error(err, LK_STATUS_INVALID_ARGUMENT, "invalid region \"%s\" (from %s)",
                            cfg->region, source);
        goto cleanup;
    }

    const struct lk_config_section *services = NULL;
    const char *services_name = lk_config_get(profile, "services");
    if (services_name != NULL)
        services = lk_config_find(&file, LK_CONFIG_SECTION_SERVICES, services_name);
    const char *ignore = lk_config_get(profile, "ignore_configured_endpoint_urls");
    for (int s = 0; s < LK_AWS_SERVICE_COUNT; s++) {
        struct lk_endpoint_overrides o = {
            .cli_url = opts->endpoint_url,
            .profile_service_url = lk_config_get_sub(
                services, lk_endpoint_config_id((enum lk_aws_service)s), "endpoint_url"),
            .profile_url = lk_config_get(profile, "endpoint_url"),
            .profile_ignore = ignore != NULL && strcasecmp(ignore, "true") == 0,
        };
        if (lk_endpoint_configured_url((enum lk_aws_service)s, &o, &cfg->service_endpoint_url[s],
                                       &source) != 0) {
            rc = s_config_error(err, LK_STATUS_INVALID_ARGUMENT,
                                "endpoint URL \"%s\" (from %s) is not an http:// or https:// URL",
                                cfg->service_endpoint_url[s], source);
            goto cleanup;
        }
    }
    if (opts->endpoint_url != NULL && opts->endpoint_url[0] != '\0')
        cfg->endpoint_url = lk_xstrdup(opts->endpoint_url);

    /* [RETRY] max_attempts: AWS_MAX_ATTEMPTS, else the profile's max_attempts, else 3. */
    const char *attempts = getenv("AWS_MAX_ATTEMPTS");
    const char *attempts_from = "AWS_MAX_ATTEMPTS";
    if (attempts == NULL || attempts[0] == '\0') {
        attempts = lk_config_get(profile, "max_attempts");
        attempts_from = "profile max_attempts";
    }
    if (attempts != NULL && s_parse_attempts(attempts, &cfg->max_attempts) != 0) {
        rc = s_config_error(err, LK_STATUS_INVALID_ARGUMENT,
                            "%s must be a whole number from 1 to 100, not \"%s\"", attempts_from,
                            attempts);
        goto cleanup;
    }
    /* retry_mode: AWS_RETRY_MODE, else the profile's retry_mode ("Retry behavior", AWS SDKs and
     * Tools Reference Guide): legacy, standard or adaptive. */
    const char *mode = getenv("AWS_RETRY_MODE");
    const char *mode_from = "AWS_RETRY_MODE";
    if (mode == NULL || mode[0] == '\0') {
        mode = lk_config_get(profile, "retry_mode");
        mode_from = "profile retry_mode";
    }
    if (mode != NULL && mode[0] != '\0') {
        if (strcmp(mode, "standard") == 0 || strcmp(mode, "legacy") == 0) {
            cfg->retry_mode = LK_AWS_RETRY_STANDARD;
        } else if (strcmp(mode, "adaptive") == 0) {
            cfg->retry_mode = LK_AWS_RETRY_ADAPTIVE;
        } else {
            rc = s_config_error(err, LK_STATUS_INVALID_ARGUMENT,
                                "%s must be legacy, standard or adaptive, not \"%s\"", mode_from,
                                mode);
            goto cleanup;
        }
    }
    rc = LK_STATUS_OK;

cleanup:
    if (rc != LK_STATUS_OK) {
        lk_aws_config_free(cfg);
    }
    lk_config_file_free(&file);
    free(path);
    return rc;
}

/* ---------------------------------------------------------------------------------------------
 * lk_aws_call
 * ------------------------------------------------------------------------------------------- */

/* Request headers. Names and values are borrowed (struct lk_http_header allows it in requests):
 * each points into the request, the endpoint, the signer's result or a literal, all of which
 * outlive the attempt, so that no copy of the signature or the session token is made here. */
struct s_headers {
    struct lk_http_header *items;
    size_t n;
    size_t cap;
};

static void s_headers_add(struct s_headers *h, const char *name, const char *value)
{
    LK_ARRAY_GROW(h->items, h->n, h->cap);
    /* Never written through: the transport reads request headers. */
    h->items[h->n].name = (char *)(uintptr_t)name;
    h->items[h->n].value = (char *)(uintptr_t)value;
    h->n++;
}

static void s_headers_free(struct s_headers *h)
{
    free(h->items);
    memset(h, 0, sizeof(*h));
}

static int64_t s_backoff_ms(struct lk_aws_client *client, int attempt)
{
    /* [RETRY] full jitter before retry i (after attempt i failed):
     * rand[0,1) * min(2^(i-1), 20) seconds. */
    int64_t cap_ms = LK_AWS_BACKOFF_CAP_MS;
    int64_t base_ms = attempt - 1 >= 15 ? cap_ms : (INT64_C(1000) << (attempt - 1));
    if (base_ms > cap_ms)
        base_ms = cap_ms;
    double r = (double)(s_next_random(&client->rng_state) >> 11) * (1.0 / 9007199254740992.0);
    return (int64_t)(r * (double)base_ms);
}

/* The signing key for this request, from the client's cache when the day, region, key id and
 * secret are those it was derived for; derived and cached otherwise. NULL on failure (the
 * signer then derives it itself and reports any error). */
static const struct lk_sigv4_signing_key *s_cached_key(struct lk_aws_client *client,
                                                       enum lk_aws_service svc,
                                                       const struct lk_sigv4_signing_params *p,
                                                       const struct lk_sigv4_credentials *c)
{
    if (svc >= LK_AWS_SERVICE_COUNT || !c->access_key_id || !c->secret_access_key || !p->region)
        return NULL;
    struct lk_aws_key_cache *kc = &client->key_cache[svc];
    /* The UTC day of the request (the scope's YYYYMMDD), as a number: no calendar conversion
     * per request. Floor division, so that instants before 1970 fall on their own day too. */
    int64_t day = p->time_epoch_s / S_SECONDS_PER_DAY;
    if (p->time_epoch_s % S_SECONDS_PER_DAY < 0)
        day--;
    if (kc->key && kc->day == day && !strcmp(kc->region, p->region) &&
        !strcmp(kc->access_key_id, c->access_key_id) && !strcmp(kc->secret, c->secret_access_key))
        return kc->key;
    s_key_cache_clear(kc);
    struct lk_sigv4_signing_key *key = NULL;
    if (lk_sigv4_derive_signing_key(c->secret_access_key, p, &key) != LK_STATUS_OK)
        return NULL;
    kc->day = day;
    kc->region = lk_xstrdup(p->region);
    kc->access_key_id = lk_xstrdup(c->access_key_id);
    kc->secret = lk_xstrdup(c->secret_access_key);
    kc->key = key;
    return key;
}

/* Builds, signs and sends one attempt.
 * @param sent set when the request went to the transport: the result is then perform()'s
 * @return LK_STATUS_OK when a response arrived (any HTTP status); a transport failure (*sent
 *         true, the reason in @p resp); or a failure before sending (no credentials, cannot
 *         sign) with the reason in @p err. */
static enum lk_status s_attempt(struct lk_aws_client *client, const struct lk_aws_request *req,
                                const struct lk_endpoint *ep, const char *content_md5,
                                struct lk_http_response *resp, struct lk_aws_error *err,
                                int attempt, int64_t *elapsed_ms, bool *sent)
{
    enum lk_status rc = LK_STATUS_OK;
    struct lk_aws_credentials creds;
    struct s_headers headers;
    struct lk_sigv4_header *to_sign = NULL;
    struct lk_sigv4_auth_headers *auth = NULL;
    FILE *dbg = client->cfg.debug;

    memset(&creds, 0, sizeof(creds));
    memset(&headers, 0, sizeof(headers));
    enum s_protocol proto = s_protocol_of(req->service);

    s_headers_add(&headers, "Host", ep->host_header);
    const char *content_type = req->content_type;
    if (content_type == NULL && proto == S_PROTO_JSON)
        content_type = "application/x-amz-json-1.1"; /* [NOTES] sections 4, 5 */
    if (content_type == NULL && proto == S_PROTO_QUERY)
        content_type = "application/x-www-form-urlencoded; charset=utf-8"; /* [NOTES] 6 */
    if (content_type != NULL)
        s_headers_add(&headers, "Content-Type", content_type);
    if (req->target != NULL)
        s_headers_add(&headers, "X-Amz-Target", req->target);
    if (content_md5 != NULL)
        s_headers_add(&headers, "Content-MD5", content_md5);
    for (size_t i = 0; i < req->n_extra_headers; i++)
        s_headers_add(&headers, req->extra_headers[i].name, req->extra_headers[i].value);
    size_t n_signed = headers.n;

    *sent = false;
    if (!req->unsigned_request) {
        rc = client->creds.get(client->creds.impl, &creds, err);
        if (rc != LK_STATUS_OK) {
            if (err->code == NULL && err->message == NULL)
                s_set(&err->message, "no credentials");
            err->status = rc;
            goto cleanup;
        }
        to_sign = lk_xcalloc(n_signed, sizeof(*to_sign));
        for (size_t i = 0; i < n_signed; i++)
            to_sign[i] = (struct lk_sigv4_header){headers.items[i].name, headers.items[i].value};
        struct lk_sigv4_request sreq = {
            .method = req->method,
            .path = ep->target,
            .headers = to_sign,
            .header_count = n_signed,
            .payload_kind = LK_SIGV4_PAYLOAD_BODY,
            .body = req->body,
            .body_len_bytes = req->body_len,
        };
        struct lk_sigv4_credentials screds = {creds.access_key_id, creds.secret_access_key,
                                              creds.session_token};
        int64_t now_ms = client->http.now_ms(client->http.impl) + client->clock_skew_ms;
        struct lk_sigv4_signing_params params = {
            .region = ep->signing_region,
            .service = lk_aws_service_name(req->service),
            .time_epoch_s = now_ms / 1000,
            /* [NOTES] 2.3: S3 signs the path once-encoded and unnormalised and requires the
             * signed x-amz-content-sha256 header (the real body hash). */
            .flags = req->service == LK_AWS_S3 ? (unsigned int)LK_SIGV4_FLAG_S3 : 0u,
        };
        params.signing_key = s_cached_key(client, req->service, &params, &screds);
        struct lk_error serr = {0};
        rc = lk_sigv4_sign(&sreq, &screds, &params, &auth, &serr);
        if (rc != LK_STATUS_OK) {
            s_set(&err->code, "SigningError");
            s_setf(&err->message, "cannot sign the request: %s", serr.message);
            err->status = rc;
            goto cleanup;
        }
        for (size_t i = 0; i < auth->header_count; i++)
            s_headers_add(&headers, auth->headers[i].name, auth->headers[i].value);
    }
    s_headers_add(&headers, "User-Agent", "logkeep/" PACKAGE_VERSION);

    struct lk_http_request hreq = {
        .method = req->method,
        .url = ep->url,
        .headers = headers.items,
        .n_headers = headers.n,
        .body = req->body,
        .body_len = req->body_len,
    };
    if (dbg != NULL) {
        fprintf(dbg, "logkeep: debug: %s %s attempt %d: %s ", lk_aws_service_name(req->service),
                req->operation, attempt, req->method);
        s_trace_url(dbg, ep->url);
        fputc('\n', dbg);
        s_trace_headers(dbg, headers.items, headers.n);
    }
    int64_t start = client->http.now_ms(client->http.impl);
    *sent = true;
    rc = client->http.perform(client->http.impl, &hreq, resp);
    *elapsed_ms = client->http.now_ms(client->http.impl) - start;

cleanup:
    lk_aws_credentials_clear(&creds);
    s_headers_free(&headers);
    free(to_sign);
    lk_sigv4_free_auth_headers(auth);
    return rc;
}

/* Records a failure of lk_aws_call() before anything was sent: @p code and @p message. */
static enum lk_status s_call_error(struct lk_aws_error *err, enum lk_status status,
                                   const char *code, const char *message)
{
    s_set(&err->code, code);
    s_set(&err->message, message);
    err->status = status;
    return status;
}

enum lk_status lk_aws_call(struct lk_aws_client *client, const struct lk_aws_request *req,
                           struct lk_http_response *resp, struct lk_aws_error *err)
{
    enum lk_status rc = LK_STATUS_INVALID_ARGUMENT;
    struct lk_endpoint ep;
    char md5[LK_HTTP_MD5_BASE64_SIZE];
    FILE *dbg = client != NULL ? client->cfg.debug : NULL;

    memset(&ep, 0, sizeof(ep));
    if (resp != NULL)
        memset(resp, 0, sizeof(*resp));
    if (err == NULL)
        return LK_STATUS_INVALID_ARGUMENT;
    memset(err, 0, sizeof(*err));
    if (client == NULL || req == NULL || resp == NULL || req->operation == NULL ||
        req->method == NULL || (int)req->service < 0 || req->service >= LK_AWS_SERVICE_COUNT ||
        (req->body == NULL && req->body_len != 0)) {
        rc = s_call_error(err, LK_STATUS_INVALID_ARGUMENT, "InvalidRequest",
                          "invalid arguments to lk_aws_call");
        goto cleanup;
    }
    s_set(&err->operation, req->operation);

    const char *region = req->region != NULL ? req->region : client->cfg.region;
    if (region == NULL) {
        rc = s_call_error(err, LK_STATUS_INVALID_ARGUMENT, "NoRegion",
                          "no region: use --region, AWS_REGION, AWS_DEFAULT_REGION or a "
                          "profile's region");
        goto cleanup;
    }
    const char *endpoint_url = client->cfg.service_endpoint_url[req->service];
    if (endpoint_url == NULL)
        endpoint_url = client->cfg.endpoint_url;
    bool is_s3_bucket = req->service == LK_AWS_S3 && req->bucket != NULL;
    const struct lk_http_url *endpoint_base = NULL;
    if (endpoint_url != NULL) {
        struct lk_http_url *b = &client->endpoint_base[req->service];
        char **of = &client->endpoint_base_of[req->service];
        if (*of == NULL || strcmp(*of, endpoint_url) != 0) {
            lk_http_url_free(b);
            free(*of);
            *of = NULL;
            if (lk_http_url_parse(endpoint_url, b) == LK_STATUS_OK)
                *of = lk_xstrdup(endpoint_url);
        }
        /* Not parsed: lk_endpoint_resolve() parses it again and reports why it cannot. */
        endpoint_base = *of != NULL ? b : NULL;
    }
    struct lk_endpoint_request ereq = {
        .service = req->service,
        .region = region,
        .bucket = req->bucket,
        .path = req->path,
        .endpoint_url = endpoint_url,
        /* [NOTES] section 3: botocore always sends GetBucketLocation path-style. */
        .force_path_style =
            req->force_path_style ||
            (req->service == LK_AWS_S3 && strcmp(req->operation, "GetBucketLocation") == 0),
        .endpoint_base = endpoint_base,
    };
    struct lk_error eperr = {0};
    rc = lk_endpoint_resolve(&ereq, &ep, &eperr);
    if (rc != LK_STATUS_OK) {
        s_call_error(err, rc, "InvalidConfiguration", eperr.message);
        goto cleanup;
    }
    const char *content_md5 = NULL;
    if (req->content_md5) {
        rc = lk_http_content_md5(req->body, req->body_len, md5);
        if (rc != LK_STATUS_OK) {
            s_call_error(err, rc, "SigningError", "cannot compute Content-MD5");
            goto cleanup;
        }
        content_md5 = md5;
    }

    int max_attempts =
        client->cfg.max_attempts > 0 ? client->cfg.max_attempts : LK_AWS_DEFAULT_MAX_ATTEMPTS;
    bool skew_corrected = false;
    int retry_cost_taken = 0; /* capacity of the last retry, refunded on success */
    for (int attempt = 1;; attempt++) {
        int64_t elapsed_ms = 0;
        lk_http_response_free(resp);
        free(err->code);
        free(err->message);
        free(err->request_id);
        err->code = err->message = err->request_id = NULL;
        err->http_status = 0;
        err->status = LK_STATUS_OK;
        err->no_response = false;
        err->retryable = false;
        err->attempts = attempt;

        /* [ADAPTIVE] a token of the (service, Region)'s bucket before every attempt: "can delay
         * initial request" attempts ("Retry behavior"); nothing is delayed before a throttle. */
        struct lk_rate_limiter *limiter =
            client->rate_limits != NULL
                ? lk_rate_limits_get(client->rate_limits, lk_aws_service_name(req->service), region)
                : NULL;
        if (limiter != NULL) {
            int64_t wait_ms =
                lk_rate_limiter_acquire(limiter, client->http.now_ms(client->http.impl));
            if (wait_ms > 0) {
                if (dbg != NULL)
                    fprintf(dbg,
                            "logkeep: debug:   rate limit: waiting %" PRId64
                            " ms (%.1f requests/s)\n",
                            wait_ms, lk_rate_limiter_rate(limiter));
                client->http.sleep_ms(client->http.impl, wait_ms);
            }
        }
        bool sent = false;
        enum lk_status result =
            s_attempt(client, req, &ep, content_md5, resp, err, attempt, &elapsed_ms, &sent);
        if (!sent) {
            rc = result; /* no credentials or cannot sign: another attempt would not help */
            goto cleanup;
        }

        if (limiter != NULL && sent && result == LK_STATUS_OK && resp->status >= 200 &&
            resp->status < 300)
            lk_rate_limiter_update(limiter, client->http.now_ms(client->http.impl), false);
        if (result == LK_STATUS_OK && resp->status >= 200 && resp->status < 300) {
            /* [RETRY] quota.py: a success refunds the last retry's cost, or 1 without retry;
             * never above the initial capacity. */
            client->retry_quota += retry_cost_taken > 0 ? retry_cost_taken : 1;
            if (client->retry_quota > LK_AWS_RETRY_QUOTA_INITIAL)
                client->retry_quota = LK_AWS_RETRY_QUOTA_INITIAL;
            if (dbg != NULL) {
                const char *rid = lk_aws_response_request_id(resp);
                fprintf(dbg,
                        "logkeep: debug:   < HTTP %ld, request id %s, attempt %d, %" PRId64 " ms\n",
                        resp->status, rid ? rid : "-", attempt, elapsed_ms);
                fflush(dbg);
            }
            /* Success leaves nothing in err for the caller to clear. */
            lk_aws_error_clear(err);
            rc = LK_STATUS_OK;
            goto cleanup;
        }

        if (result != LK_STATUS_OK) {
            err->status = result;
            err->no_response = true;
            err->retryable = resp->retryable;
            err->http_status = 0;
            s_set(&err->message, resp->error.message);
            if (dbg != NULL)
                fprintf(dbg, "logkeep: debug:   < no response: %s, attempt %d, %" PRId64 " ms\n",
                        resp->error.message, attempt, elapsed_ms);
        } else {
            bool bucket_level =
                is_s3_bucket && (req->path == NULL || req->path[0] == '\0' || req->path[0] == '?' ||
                                 req->path[1] == '\0' || req->path[1] == '?');
            lk_aws_parse_error(req->service, req->method, bucket_level, resp, err);
            if (dbg != NULL)
                fprintf(dbg,
                        "logkeep: debug:   < HTTP %ld %s, request id %s, attempt %d, %" PRId64
                        " ms\n",
                        resp->status, err->code, err->request_id ? err->request_id : "-", attempt,
                        elapsed_ms);
        }

        if (limiter != NULL && result == LK_STATUS_OK)
            lk_rate_limiter_update(limiter, client->http.now_ms(client->http.impl),
                                   lk_aws_error_is_throttling(err));

        /* [SKEW] a signature rejected for its time, with a server Date that is really off:
         * learn the offset and try once more at once (no backoff, no retry quota). */
        const char *date = result == LK_STATUS_OK ? lk_http_header_get(resp, "Date") : NULL;
        int64_t server_s;
        if (!skew_corrected && date != NULL && s_may_be_skew(err) &&
            lk_aws_parse_http_date(date, &server_s) == LK_STATUS_OK) {
            int64_t local_ms = client->http.now_ms(client->http.impl);
            int64_t off_ms = server_s * 1000 - (local_ms + client->clock_skew_ms);
            if (off_ms > 4 * 60 * 1000 || off_ms < -4 * 60 * 1000) {
                client->clock_skew_ms = server_s * 1000 - local_ms;
                skew_corrected = true;
                max_attempts++;
                if (dbg != NULL)
                    fprintf(dbg,
                            "logkeep: debug:   clock skew: the server's Date is %+" PRId64
                            " s from ours; signing again with the corrected time\n",
                            client->clock_skew_ms / 1000);
                continue;
            }
        }

        rc = err->status;
        if (!s_is_retryable(req->service, err) || attempt >= max_attempts)
            goto cleanup;
        /* [RETRY] quota: each retry costs 5, or 10 after a timeout; with nothing left, give
         * up. */
        int cost = err->no_response && err->status == LK_STATUS_TIMEOUT ? LK_AWS_RETRY_TIMEOUT_COST
                                                                        : LK_AWS_RETRY_COST;
        if (client->retry_quota < cost) {
            err->retry_quota_exhausted = true;
            if (dbg != NULL)
                fprintf(dbg, "logkeep: debug:   retry quota exhausted (%d left)\n",
                        client->retry_quota);
            goto cleanup;
        }
        client->retry_quota -= cost;
        retry_cost_taken = cost;
        int64_t delay_ms = s_backoff_ms(client, attempt);
        if (dbg != NULL) {
            fprintf(dbg, "logkeep: debug:   retrying in %" PRId64 " ms (%s; quota left %d)\n",
                    delay_ms, lk_aws_error_is_throttling(err) ? "throttled" : "transient",
                    client->retry_quota);
            fflush(dbg);
        }
        client->http.sleep_ms(client->http.impl, delay_ms);
    }

cleanup:
    if (dbg != NULL)
        fflush(dbg);
    lk_endpoint_free(&ep);
    return rc;
}
