/*
 * Unit tests for runtime/transport/sigv4.c.
 *
 * Each SigV4 stage is checked on its own against every header-signing vector in tests/data/sigv4
 * (see the README there). Expected values come from header-*.txt (aws-c-auth layout) or X.creq,
 * X.sts, X.authz (botocore layout):
 *   creq   our canonical request, compared with the canonical request file;
 *   sts    our string to sign, built from the vector's canonical request;
 *   sig    our signature, computed over the vector's string to sign (header-signature.txt, or the
 *          Signature= part of the Authorization value);
 *   authz  our Authorization value, built from the vector's signed headers and signature;
 *   sign   lk_sigv4_sign(, &s_sign_err) end to end, against the signed request and the
 * Authorization value. Case directories are found at run time with opendir(); an inventory test per
 * suite compares them with the explicit lists below, so a missing or an unlisted directory fails.
 *
 * The data directory comes from the environment variable LK_TEST_DATA_DIR (the build sets it to
 * the source tree's tests/data), else from the compile-time define of the same name.
 */
#include "lk_test.h"

#include "common/hash.h"
#include "runtime/transport/sigv4.h"

#include <check.h>
#include <openssl/evp.h>

#include <dirent.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

/* The message of the last lk_sigv4_sign() call. */
static struct lk_error s_sign_err;

/* ---------------------------------------------------------------------------------------------
 * The vector suites and the cases each must hold
 * ------------------------------------------------------------------------------------------- */

/* aws-c-auth layout: <case>/context.json, request.txt, header-*.txt. botocore layout:
 * <case>/<case>.req, .creq, .sts, .authz, .sreq, possibly one group directory deep. */
enum s_layout {
    S_LAYOUT_CONTEXT_JSON,
    S_LAYOUT_BOTOCORE,
};

struct s_vector_suite {
    const char *dir; /* under <data>/sigv4 */
    enum s_layout layout;
    const char *const *expected;
    size_t expected_count;
};

#define S_COUNT(array) (sizeof(array) / sizeof((array)[0]))

static const char *const s_aws_c_auth_cases[] = {
    "get-header-key-duplicate",
    "get-header-value-multiline",
    "get-header-value-order",
    "get-header-value-trim",
    "get-relative-normalized",
    "get-relative-relative-normalized",
    "get-relative-relative-unnormalized",
    "get-relative-unnormalized",
    "get-slash-dot-slash-normalized",
    "get-slash-dot-slash-unnormalized",
    "get-slash-normalized",
    "get-slash-pointless-dot-normalized",
    "get-slash-pointless-dot-unnormalized",
    "get-slash-unnormalized",
    "get-slashes-normalized",
    "get-slashes-unnormalized",
    "get-space-normalized",
    "get-space-unnormalized",
    "get-unreserved",
    "get-utf8",
    "get-vanilla",
    "get-vanilla-empty-query-key",
    "get-vanilla-query",
    "get-vanilla-query-order-encoded",
    "get-vanilla-query-order-key-case",
    "get-vanilla-query-unreserved",
    "get-vanilla-utf8-query",
    "get-vanilla-with-session-token",
    "post-header-key-case",
    "post-header-key-sort",
    "post-header-value-case",
    "post-sts-header-after",
    "post-sts-header-before",
    "post-vanilla",
    "post-vanilla-empty-query-value",
    "post-vanilla-query",
    "post-x-www-form-urlencoded",
    "post-x-www-form-urlencoded-parameters",
};

static const char *const s_aws_c_auth_historic_cases[] = {
    "post-unsigned-payload",
};

static const char *const s_botocore_cases[] = {
    "get-header-key-duplicate",
    "get-header-value-multiline",
    "get-header-value-order",
    "get-header-value-trim",
    "get-unreserved",
    "get-utf8",
    "get-vanilla",
    "get-vanilla-empty-query-key",
    "get-vanilla-query",
    "get-vanilla-query-order-encoded",
    "get-vanilla-query-order-key",
    "get-vanilla-query-order-key-case",
    "get-vanilla-query-order-value",
    "get-vanilla-query-unreserved",
    "get-vanilla-utf8-query",
    "get-vanilla-with-session-token",
    "normalize-path/get-relative",
    "normalize-path/get-relative-relative",
    "normalize-path/get-slash",
    "normalize-path/get-slash-dot-slash",
    "normalize-path/get-slash-pointless-dot",
    "normalize-path/get-slashes",
    "normalize-path/get-space",
    "normalize-path/get-special-character",
    "post-header-key-case",
    "post-header-key-sort",
    "post-header-value-case",
    "post-sts-token/post-sts-header-after",
    "post-sts-token/post-sts-header-before",
    "post-vanilla",
    "post-vanilla-empty-query-value",
    "post-vanilla-query",
    "post-x-www-form-urlencoded",
    "post-x-www-form-urlencoded-parameters",
};

static const char *const s_s3_docs_cases[] = {
    "get-bucket-lifecycle",
    "get-bucket-list-objects",
    "get-object-range",
    "put-object",
};

static const char *const s_smithy_cases[] = {
    "double-url-encode",
};

static const struct s_vector_suite s_suites[] = {
    {"aws-c-auth-v4", S_LAYOUT_CONTEXT_JSON, s_aws_c_auth_cases, S_COUNT(s_aws_c_auth_cases)},
    {"aws-c-auth-v4-historic", S_LAYOUT_CONTEXT_JSON, s_aws_c_auth_historic_cases,
     S_COUNT(s_aws_c_auth_historic_cases)},
    {"botocore-aws4_testsuite", S_LAYOUT_BOTOCORE, s_botocore_cases, S_COUNT(s_botocore_cases)},
    {"s3-docs-examples", S_LAYOUT_CONTEXT_JSON, s_s3_docs_cases, S_COUNT(s_s3_docs_cases)},
    {"smithy-rs-extra", S_LAYOUT_CONTEXT_JSON, s_smithy_cases, S_COUNT(s_smithy_cases)},
};

/* botocore has no context.json. Its fixed inputs are in its README and in the data README. */
#define S_BOTOCORE_ACCESS_KEY_ID "AKIDEXAMPLE"
#define S_BOTOCORE_SECRET "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
#define S_BOTOCORE_REGION "us-east-1"
#define S_BOTOCORE_SERVICE "service"
#define S_BOTOCORE_TIMESTAMP "2015-08-30T12:36:00Z"

/* The botocore cases that use a session token (its value is in the case's .sreq). */
enum s_token_mode {
    S_TOKEN_NONE,
    S_TOKEN_SIGNED,        /* added before signing, in SignedHeaders */
    S_TOKEN_AFTER_SIGNING, /* added by the caller after signing, not signed */
};

static const struct {
    const char *name;
    enum s_token_mode mode;
} s_botocore_token_cases[] = {
    {"get-vanilla-with-session-token", S_TOKEN_SIGNED},
    {"post-sts-token/post-sts-header-before", S_TOKEN_SIGNED},
    {"post-sts-token/post-sts-header-after", S_TOKEN_AFTER_SIGNING},
};

/* ---------------------------------------------------------------------------------------------
 * Case directories found at run time. Filled once in main() before the runner starts (and so
 * inherited by forked test processes); read-only afterwards.
 * ------------------------------------------------------------------------------------------- */

#define S_MAX_FOUND_CASES 256
#define S_MAX_NAME_LEN 200

struct s_found_case {
    size_t suite_index;
    char name[S_MAX_NAME_LEN]; /* relative to the suite directory */
};

static struct {
    char sigv4_dir[4096];
    struct s_found_case cases[S_MAX_FOUND_CASES];
    size_t case_count;
    size_t suite_begin[S_COUNT(s_suites)];
    size_t suite_end[S_COUNT(s_suites)];
    bool overflow;
} s_found;

/* ---------------------------------------------------------------------------------------------
 * Small helpers
 * ------------------------------------------------------------------------------------------- */

static void *s_test_alloc(size_t size_bytes)
{
    void *ptr = calloc(1, size_bytes == 0 ? 1 : size_bytes);
    if (ptr == NULL) {
        fprintf(stderr, "test_sigv4: out of memory\n");
        abort();
    }
    return ptr;
}

static char *s_test_strndup(const char *str, size_t len_bytes)
{
    char *copy = s_test_alloc(len_bytes + 1);
    memcpy(copy, str, len_bytes);
    copy[len_bytes] = '\0';
    return copy;
}

static char *s_test_strdup(const char *str)
{
    return s_test_strndup(str, strlen(str));
}

static bool s_iequals(const char *a, const char *b)
{
    for (; *a != '\0' && *b != '\0'; ++a, ++b) {
        char ca = (*a >= 'A' && *a <= 'Z') ? (char)(*a - 'A' + 'a') : *a;
        char cb = (*b >= 'A' && *b <= 'Z') ? (char)(*b - 'A' + 'a') : *b;
        if (ca != cb) {
            return false;
        }
    }
    return *a == *b;
}

/* out = a/b; false if it does not fit. */
static bool s_join_path(char *out, size_t out_size, const char *a, const char *b)
{
    int written = snprintf(out, out_size, "%s/%s", a, b);
    return written > 0 && (size_t)written < out_size;
}

/* Read a whole file; NULL if it cannot be opened. The buffer gets a NUL after the content. */
static char *s_read_file(const char *path, size_t *out_len_bytes)
{
    FILE *file = fopen(path, "rb");
    if (file == NULL) {
        return NULL;
    }
    size_t cap_bytes = 4096;
    size_t len_bytes = 0;
    char *data = s_test_alloc(cap_bytes);
    for (;;) {
        size_t got = fread(data + len_bytes, 1, cap_bytes - len_bytes - 1, file);
        len_bytes += got;
        if (got == 0) {
            break;
        }
        if (cap_bytes - len_bytes - 1 == 0) {
            cap_bytes *= 2;
            char *grown = realloc(data, cap_bytes);
            if (grown == NULL) {
                abort();
            }
            data = grown;
        }
    }
    fclose(file);
    data[len_bytes] = '\0';
    if (out_len_bytes != NULL) {
        *out_len_bytes = len_bytes;
    }
    return data;
}

static char *s_read_case_file(const char *case_dir, const char *file_name, bool required)
{
    char path[4096];
    ck_assert_msg(s_join_path(path, sizeof(path), case_dir, file_name), "path too long");
    char *data = s_read_file(path, NULL);
    ck_assert_msg(data != NULL || !required, "cannot read %s", path);
    return data;
}

static bool s_is_dir(const char *path)
{
    struct stat info;
    return stat(path, &info) == 0 && S_ISDIR(info.st_mode);
}

static bool s_is_file(const char *path)
{
    struct stat info;
    return stat(path, &info) == 0 && S_ISREG(info.st_mode);
}

/* ---------------------------------------------------------------------------------------------
 * Parsing the vector files
 * ------------------------------------------------------------------------------------------- */

struct s_http_header {
    char *name;  /* owned */
    char *value; /* owned; a folded value keeps its "\n  continuation" lines */
};

struct s_http {
    char *method; /* owned */
    char *path;   /* owned */
    struct s_http_header headers[32];
    size_t header_count;
    char *body; /* owned */
    size_t body_len_bytes;
};

/* Parse "METHOD path HTTP/1.1\nName:value\n...\n\nbody". The path may hold spaces
 * ("GET /example space/ HTTP/1.1"), so it ends at the last " HTTP/". A line that starts with
 * a space or tab continues the previous header value. */
static void s_parse_http(const char *text, size_t len_bytes, struct s_http *out)
{
    memset(out, 0, sizeof(*out));
    const char *end = text + len_bytes;
    const char *line = text;
    const char *eol = memchr(line, '\n', (size_t)(end - line));
    const char *line_end = eol != NULL ? eol : end;

    const char *space = memchr(line, ' ', (size_t)(line_end - line));
    ck_assert_msg(space != NULL, "request line without a space");
    out->method = s_test_strndup(line, (size_t)(space - line));
    const char *path_begin = space + 1;
    const char *path_end = line_end;
    for (const char *p = line_end; p - path_begin >= 6; --p) {
        if (memcmp(p - 6, " HTTP/", 6) == 0) {
            path_end = p - 6;
            break;
        }
    }
    out->path = s_test_strndup(path_begin, (size_t)(path_end - path_begin));

    line = eol != NULL ? eol + 1 : end;
    while (line < end) {
        eol = memchr(line, '\n', (size_t)(end - line));
        line_end = eol != NULL ? eol : end;
        const char *next = eol != NULL ? eol + 1 : end;
        if (line_end == line) {
            line = next; /* blank line: the body follows */
            break;
        }
        if ((*line == ' ' || *line == '\t') && out->header_count > 0) {
            struct s_http_header *last = &out->headers[out->header_count - 1];
            size_t old_len = strlen(last->value);
            size_t add_len = (size_t)(line_end - line);
            char *joined = s_test_alloc(old_len + 1 + add_len + 1);
            memcpy(joined, last->value, old_len);
            joined[old_len] = '\n';
            memcpy(joined + old_len + 1, line, add_len);
            free(last->value);
            last->value = joined;
        } else {
            const char *colon = memchr(line, ':', (size_t)(line_end - line));
            ck_assert_msg(colon != NULL, "header line without ':'");
            ck_assert_uint_lt(out->header_count, S_COUNT(out->headers));
            out->headers[out->header_count].name = s_test_strndup(line, (size_t)(colon - line));
            out->headers[out->header_count].value =
                s_test_strndup(colon + 1, (size_t)(line_end - colon - 1));
            ++out->header_count;
        }
        line = next;
    }
    out->body_len_bytes = line < end ? (size_t)(end - line) : 0;
    out->body = s_test_strndup(line < end ? line : "", out->body_len_bytes);
}

static void s_free_http(struct s_http *http)
{
    free(http->method);
    free(http->path);
    for (size_t i = 0; i < http->header_count; ++i) {
        free(http->headers[i].name);
        free(http->headers[i].value);
    }
    free(http->body);
    memset(http, 0, sizeof(*http));
}

/* The value of a header, leading spaces removed; NULL if absent. */
static const char *s_http_header(const struct s_http *http, const char *name)
{
    for (size_t i = 0; i < http->header_count; ++i) {
        if (s_iequals(http->headers[i].name, name)) {
            const char *value = http->headers[i].value;
            while (*value == ' ') {
                ++value;
            }
            return value;
        }
    }
    return NULL;
}

/* "key": "string" in a flat enough JSON text (the keys of context.json are unique). */
static char *s_json_string(const char *json, const char *key)
{
    char quoted[128];
    snprintf(quoted, sizeof(quoted), "\"%s\"", key);
    const char *at = strstr(json, quoted);
    if (at == NULL) {
        return NULL;
    }
    at += strlen(quoted);
    while (*at == ' ' || *at == '\t' || *at == '\n' || *at == '\r' || *at == ':') {
        ++at;
    }
    ck_assert_msg(*at == '"', "context.json: %s is not a string", key);
    const char *close = strchr(at + 1, '"');
    ck_assert_msg(close != NULL, "context.json: unterminated %s", key);
    return s_test_strndup(at + 1, (size_t)(close - at - 1));
}

static bool s_json_bool(const char *json, const char *key, bool default_value)
{
    char quoted[128];
    snprintf(quoted, sizeof(quoted), "\"%s\"", key);
    const char *at = strstr(json, quoted);
    if (at == NULL) {
        return default_value;
    }
    at += strlen(quoted);
    while (*at == ' ' || *at == '\t' || *at == '\n' || *at == '\r' || *at == ':') {
        ++at;
    }
    if (strncmp(at, "true", 4) == 0) {
        return true;
    }
    ck_assert_msg(strncmp(at, "false", 5) == 0, "context.json: %s is not a boolean", key);
    return false;
}

/* "2015-08-30T12:36:00Z" to epoch seconds (through lk_sigv4_convert_tm) and to the
 * X-Amz-Date form written out here by hand. */
static void s_parse_timestamp(const char *timestamp, int64_t *out_epoch_s, char out_amz_date[17])
{
    struct tm tm_utc;
    memset(&tm_utc, 0, sizeof(tm_utc));
    int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
    ck_assert_int_eq(
        sscanf(timestamp, "%4d-%2d-%2dT%2d:%2d:%2dZ", &year, &month, &day, &hour, &minute, &second),
        6);
    tm_utc.tm_year = year - 1900;
    tm_utc.tm_mon = month - 1;
    tm_utc.tm_mday = day;
    tm_utc.tm_hour = hour;
    tm_utc.tm_min = minute;
    tm_utc.tm_sec = second;
    ck_assert_int_eq(lk_sigv4_convert_tm(&tm_utc, out_epoch_s), LK_STATUS_OK);
    int written = snprintf(out_amz_date, 17, "%04d%02d%02dT%02d%02d%02dZ", year, month, day, hour,
                           minute, second);
    ck_assert_int_eq(written, 16);
}

/* The text after "Signature=" in an Authorization value. */
static char *s_signature_from_authz(const char *authz)
{
    const char *at = strstr(authz, "Signature=");
    ck_assert_msg(at != NULL, "no Signature= in %s", authz);
    return s_test_strdup(at + strlen("Signature="));
}

/* The SignedHeaders line of a canonical request: the line before the last. */
static char *s_signed_headers_from_creq(const char *creq)
{
    const char *last_nl = strrchr(creq, '\n');
    ck_assert_ptr_nonnull(last_nl);
    const char *begin = last_nl;
    while (begin > creq && begin[-1] != '\n') {
        --begin;
    }
    return s_test_strndup(begin, (size_t)(last_nl - begin));
}

/* ---------------------------------------------------------------------------------------------
 * One loaded case
 * ------------------------------------------------------------------------------------------- */

struct s_case {
    char label[S_MAX_NAME_LEN + 64];
    struct s_http request;        /* the unsigned request */
    struct s_http signed_request; /* the vector's signed request */
    char *access_key_id;
    char *secret;
    char *token; /* NULL when the case has none */
    enum s_token_mode token_mode;
    char *region;
    char *service;
    int64_t time_epoch_s;
    char amz_date[17];
    bool normalize;
    bool sign_body;
    bool unsigned_payload;
    char *expected_creq;
    char *expected_sts;
    char *expected_signature;
    char *expected_authz;
};

static void s_load_context_json_case(const char *case_dir, struct s_case *c)
{
    char *json = s_read_case_file(case_dir, "context.json", true);
    c->access_key_id = s_json_string(json, "access_key_id");
    c->secret = s_json_string(json, "secret_access_key");
    c->token = s_json_string(json, "token");
    c->region = s_json_string(json, "region");
    c->service = s_json_string(json, "service");
    char *timestamp = s_json_string(json, "timestamp");
    ck_assert_msg(c->access_key_id != NULL && c->secret != NULL && c->region != NULL &&
                      c->service != NULL && timestamp != NULL,
                  "%s: incomplete context.json", c->label);
    s_parse_timestamp(timestamp, &c->time_epoch_s, c->amz_date);
    free(timestamp);
    c->normalize = s_json_bool(json, "normalize", true);
    c->sign_body = s_json_bool(json, "sign_body", false);
    char *signed_body_value = s_json_string(json, "signed_body_value");
    c->unsigned_payload =
        signed_body_value != NULL && strcmp(signed_body_value, LK_SIGV4_UNSIGNED_PAYLOAD) == 0;
    free(signed_body_value);
    if (c->token != NULL) {
        c->token_mode =
            s_json_bool(json, "omit_session_token", false) ? S_TOKEN_AFTER_SIGNING : S_TOKEN_SIGNED;
    }
    free(json);

    size_t len_bytes = 0;
    char path[4096];
    ck_assert(s_join_path(path, sizeof(path), case_dir, "request.txt"));
    char *text = s_read_file(path, &len_bytes);
    ck_assert_msg(text != NULL, "cannot read %s", path);
    s_parse_http(text, len_bytes, &c->request);
    free(text);
    ck_assert(s_join_path(path, sizeof(path), case_dir, "header-signed-request.txt"));
    text = s_read_file(path, &len_bytes);
    ck_assert_msg(text != NULL, "cannot read %s", path);
    s_parse_http(text, len_bytes, &c->signed_request);
    free(text);

    c->expected_creq = s_read_case_file(case_dir, "header-canonical-request.txt", true);
    c->expected_sts = s_read_case_file(case_dir, "header-string-to-sign.txt", true);
    const char *authz = s_http_header(&c->signed_request, "Authorization");
    ck_assert_msg(authz != NULL, "%s: no Authorization in header-signed-request.txt", c->label);
    c->expected_authz = s_test_strdup(authz);
    /* smithy-rs-extra has no header-signature.txt; its signature is in the Authorization. */
    c->expected_signature = s_read_case_file(case_dir, "header-signature.txt", false);
    if (c->expected_signature == NULL) {
        c->expected_signature = s_signature_from_authz(c->expected_authz);
    }
}

static void s_load_botocore_case(const char *case_dir, const char *name, struct s_case *c)
{
    const char *base = strrchr(name, '/');
    base = base != NULL ? base + 1 : name;
    char file[S_MAX_NAME_LEN + 16];
    size_t len_bytes = 0;
    char path[4096];

    c->access_key_id = s_test_strdup(S_BOTOCORE_ACCESS_KEY_ID);
    c->secret = s_test_strdup(S_BOTOCORE_SECRET);
    c->region = s_test_strdup(S_BOTOCORE_REGION);
    c->service = s_test_strdup(S_BOTOCORE_SERVICE);
    s_parse_timestamp(S_BOTOCORE_TIMESTAMP, &c->time_epoch_s, c->amz_date);
    c->normalize = true;

    snprintf(file, sizeof(file), "%s.req", base);
    ck_assert(s_join_path(path, sizeof(path), case_dir, file));
    char *text = s_read_file(path, &len_bytes);
    ck_assert_msg(text != NULL, "cannot read %s", path);
    s_parse_http(text, len_bytes, &c->request);
    free(text);
    snprintf(file, sizeof(file), "%s.sreq", base);
    ck_assert(s_join_path(path, sizeof(path), case_dir, file));
    text = s_read_file(path, &len_bytes);
    ck_assert_msg(text != NULL, "cannot read %s", path);
    s_parse_http(text, len_bytes, &c->signed_request);
    free(text);

    for (size_t i = 0; i < S_COUNT(s_botocore_token_cases); ++i) {
        if (strcmp(s_botocore_token_cases[i].name, name) == 0) {
            c->token_mode = s_botocore_token_cases[i].mode;
            const char *token = s_http_header(&c->signed_request, "X-Amz-Security-Token");
            ck_assert_msg(token != NULL, "%s: no token in the .sreq", c->label);
            c->token = s_test_strdup(token);
        }
    }

    snprintf(file, sizeof(file), "%s.creq", base);
    c->expected_creq = s_read_case_file(case_dir, file, true);
    snprintf(file, sizeof(file), "%s.sts", base);
    c->expected_sts = s_read_case_file(case_dir, file, true);
    snprintf(file, sizeof(file), "%s.authz", base);
    c->expected_authz = s_read_case_file(case_dir, file, true);
    c->expected_signature = s_signature_from_authz(c->expected_authz);
}

static void s_load_case(size_t found_index, struct s_case *c)
{
    memset(c, 0, sizeof(*c));
    ck_assert_msg(!s_found.overflow, "more than %d case directories", S_MAX_FOUND_CASES);
    ck_assert_uint_lt(found_index, s_found.case_count);
    const struct s_found_case *found = &s_found.cases[found_index];
    const struct s_vector_suite *suite = &s_suites[found->suite_index];
    snprintf(c->label, sizeof(c->label), "%s/%s", suite->dir, found->name);

    char suite_dir[4096];
    char case_dir[4096];
    ck_assert(s_join_path(suite_dir, sizeof(suite_dir), s_found.sigv4_dir, suite->dir));
    ck_assert(s_join_path(case_dir, sizeof(case_dir), suite_dir, found->name));
    if (suite->layout == S_LAYOUT_CONTEXT_JSON) {
        s_load_context_json_case(case_dir, c);
    } else {
        s_load_botocore_case(case_dir, found->name, c);
    }

    /* smithy-rs-extra's string to sign ends in a newline that is not part of it (data README). */
    size_t sts_len = strlen(c->expected_sts);
    if (sts_len > 0 && c->expected_sts[sts_len - 1] == '\n') {
        c->expected_sts[sts_len - 1] = '\0';
    }
}

static void s_free_case(struct s_case *c)
{
    s_free_http(&c->request);
    s_free_http(&c->signed_request);
    free(c->access_key_id);
    free(c->secret);
    free(c->token);
    free(c->region);
    free(c->service);
    free(c->expected_creq);
    free(c->expected_sts);
    free(c->expected_signature);
    free(c->expected_authz);
}

static struct lk_sigv4_signing_params s_case_params(const struct s_case *c)
{
    struct lk_sigv4_signing_params params = {
        .region = c->region,
        .service = c->service,
        .time_epoch_s = c->time_epoch_s,
        .flags = (c->normalize ? 0u : (unsigned int)LK_SIGV4_FLAG_UNNORMALIZED_PATH) |
                 (c->sign_body ? (unsigned int)LK_SIGV4_FLAG_CONTENT_SHA256_HEADER : 0u),
    };
    return params;
}

static void s_set_payload(const struct s_case *c, struct lk_sigv4_request *request)
{
    if (c->unsigned_payload) {
        request->payload_kind = LK_SIGV4_PAYLOAD_UNSIGNED;
    } else {
        request->payload_kind = LK_SIGV4_PAYLOAD_BODY;
        request->body = (const unsigned char *)c->request.body;
        request->body_len_bytes = c->request.body_len_bytes;
    }
}

/* ---------------------------------------------------------------------------------------------
 * Vector tests, one loop iteration per case directory found
 * ------------------------------------------------------------------------------------------- */

/* Inventory: every listed case has a directory, every directory is listed. */
START_TEST(test_vectors_inventory)
{
    size_t suite_index = (size_t)_i;
    const struct s_vector_suite *suite = &s_suites[suite_index];
    ck_assert_msg(!s_found.overflow, "more than %d case directories", S_MAX_FOUND_CASES);
    size_t begin = s_found.suite_begin[suite_index];
    size_t end = s_found.suite_end[suite_index];

    for (size_t e = 0; e < suite->expected_count; ++e) {
        bool present = false;
        for (size_t f = begin; f < end && !present; ++f) {
            present = strcmp(s_found.cases[f].name, suite->expected[e]) == 0;
        }
        ck_assert_msg(present, "%s/%s/%s: listed vector directory is missing", s_found.sigv4_dir,
                      suite->dir, suite->expected[e]);
    }
    for (size_t f = begin; f < end; ++f) {
        bool listed = false;
        for (size_t e = 0; e < suite->expected_count && !listed; ++e) {
            listed = strcmp(s_found.cases[f].name, suite->expected[e]) == 0;
        }
        ck_assert_msg(listed, "%s/%s: vector directory is not in the test's list", suite->dir,
                      s_found.cases[f].name);
    }
    ck_assert_uint_eq(end - begin, suite->expected_count);
}
END_TEST

/* Stage 1: canonical request. The headers are the request's, plus the ones lk_sigv4_sign(,
 * &s_sign_err) would add, with values taken from the vector (not computed here). */
START_TEST(test_vector_canonical_request)
{
    struct s_case c;
    s_load_case((size_t)_i, &c);

    struct lk_sigv4_header headers[40];
    size_t count = 0;
    for (size_t i = 0; i < c.request.header_count; ++i) {
        headers[count++] =
            (struct lk_sigv4_header){c.request.headers[i].name, c.request.headers[i].value};
    }
    if (s_http_header(&c.request, "X-Amz-Date") == NULL) {
        headers[count++] = (struct lk_sigv4_header){"X-Amz-Date", c.amz_date};
    }
    if (c.token_mode == S_TOKEN_SIGNED &&
        s_http_header(&c.request, "X-Amz-Security-Token") == NULL) {
        headers[count++] = (struct lk_sigv4_header){"X-Amz-Security-Token", c.token};
    }
    if (c.sign_body && s_http_header(&c.request, "x-amz-content-sha256") == NULL) {
        const char *hash = s_http_header(&c.signed_request, "x-amz-content-sha256");
        ck_assert_msg(hash != NULL, "%s: no x-amz-content-sha256 in the signed request", c.label);
        headers[count++] = (struct lk_sigv4_header){"x-amz-content-sha256", hash};
    }

    struct lk_sigv4_request request = {
        .method = c.request.method,
        .path = c.request.path,
        .headers = headers,
        .header_count = count,
    };
    s_set_payload(&c, &request);

    char *creq = NULL;
    char *signed_headers = NULL;
    int rc = lk_sigv4_build_canonical_request(&request, c.normalize, &creq, &signed_headers);
    ck_assert_msg(rc == LK_STATUS_OK, "%s: %s", c.label,
                  s_sign_err.message[0] ? s_sign_err.message : lk_status_name(rc));
    ck_assert_msg(strcmp(creq, c.expected_creq) == 0,
                  "%s: canonical request differs\n--- got\n%s\n--- expected\n%s", c.label, creq,
                  c.expected_creq);
    char *expected_signed = s_signed_headers_from_creq(c.expected_creq);
    ck_assert_str_eq(signed_headers, expected_signed);

    free(expected_signed);
    lk_sigv4_free_string(creq);
    lk_sigv4_free_string(signed_headers);
    s_free_case(&c);
}
END_TEST

/* Stage 2: string to sign, from the vector's canonical request. */
START_TEST(test_vector_string_to_sign)
{
    struct s_case c;
    s_load_case((size_t)_i, &c);
    struct lk_sigv4_signing_params params = s_case_params(&c);

    char *sts = NULL;
    int rc = lk_sigv4_build_string_to_sign(&params, c.expected_creq, &sts);
    ck_assert_msg(rc == LK_STATUS_OK, "%s: %s", c.label,
                  s_sign_err.message[0] ? s_sign_err.message : lk_status_name(rc));
    ck_assert_msg(strcmp(sts, c.expected_sts) == 0,
                  "%s: string to sign differs\n--- got\n%s\n--- expected\n%s", c.label, sts,
                  c.expected_sts);

    lk_sigv4_free_string(sts);
    s_free_case(&c);
}
END_TEST

/* Stage 3a/b: signing key and signature, from the vector's string to sign. */
START_TEST(test_vector_signature)
{
    struct s_case c;
    s_load_case((size_t)_i, &c);
    struct lk_sigv4_signing_params params = s_case_params(&c);

    struct lk_sigv4_signing_key *key = NULL;
    char *signature = NULL;
    ck_assert_int_eq(lk_sigv4_derive_signing_key(c.secret, &params, &key), LK_STATUS_OK);
    ck_assert_int_eq(lk_sigv4_compute_signature(key, c.expected_sts, &signature), LK_STATUS_OK);
    ck_assert_msg(strcmp(signature, c.expected_signature) == 0, "%s: signature %s, expected %s",
                  c.label, signature, c.expected_signature);
    /* The derived key signs through its keyed HMAC context; a key filled in by hand (no
     * context) takes the other path, and both must give the vector's signature. */
    ck_assert_ptr_nonnull(key->mac_ctx);
    struct lk_sigv4_signing_key plain = {.mac_ctx = NULL};
    memcpy(plain.bytes, key->bytes, sizeof(plain.bytes));
    char *plain_signature = NULL;
    ck_assert_int_eq(lk_sigv4_compute_signature(&plain, c.expected_sts, &plain_signature),
                     LK_STATUS_OK);
    ck_assert_str_eq(plain_signature, c.expected_signature);
    lk_sigv4_free_string(plain_signature);

    lk_sigv4_free_string(signature);
    lk_sigv4_free_signing_key(key);
    s_free_case(&c);
}
END_TEST

/* Stage 3c: Authorization value, from the vector's signed headers and signature. */
START_TEST(test_vector_authorization)
{
    struct s_case c;
    s_load_case((size_t)_i, &c);
    struct lk_sigv4_signing_params params = s_case_params(&c);

    char *signed_headers = s_signed_headers_from_creq(c.expected_creq);
    char *authz = NULL;
    ck_assert_int_eq(lk_sigv4_build_authorization(c.access_key_id, &params, signed_headers,
                                                  c.expected_signature, &authz),
                     LK_STATUS_OK);
    ck_assert_msg(strcmp(authz, c.expected_authz) == 0,
                  "%s: Authorization differs\n--- got\n%s\n--- expected\n%s", c.label, authz,
                  c.expected_authz);

    free(signed_headers);
    lk_sigv4_free_string(authz);
    s_free_case(&c);
}
END_TEST

/* All stages through lk_sigv4_sign(, &s_sign_err). The headers the signer adds are removed from the
 * input (some vectors list them in the unsigned request) and must come back with the vector's
 * values. */
START_TEST(test_vector_sign)
{
    struct s_case c;
    s_load_case((size_t)_i, &c);
    struct lk_sigv4_signing_params params = s_case_params(&c);

    struct lk_sigv4_header headers[40];
    size_t count = 0;
    for (size_t i = 0; i < c.request.header_count; ++i) {
        const char *name = c.request.headers[i].name;
        bool added_by_signer = s_iequals(name, "X-Amz-Date") ||
                               s_iequals(name, "X-Amz-Security-Token") ||
                               (c.sign_body && s_iequals(name, "x-amz-content-sha256"));
        if (!added_by_signer) {
            headers[count++] = (struct lk_sigv4_header){name, c.request.headers[i].value};
        }
    }
    struct lk_sigv4_request request = {
        .method = c.request.method,
        .path = c.request.path,
        .headers = headers,
        .header_count = count,
    };
    s_set_payload(&c, &request);
    /* A token added after signing is the caller's business: sign without it. */
    struct lk_sigv4_credentials credentials = {
        .access_key_id = c.access_key_id,
        .secret_access_key = c.secret,
        .session_token = c.token_mode == S_TOKEN_SIGNED ? c.token : NULL,
    };

    struct lk_sigv4_auth_headers *out = NULL;
    int rc = lk_sigv4_sign(&request, &credentials, &params, &out, &s_sign_err);
    ck_assert_msg(rc == LK_STATUS_OK, "%s: %s", c.label,
                  s_sign_err.message[0] ? s_sign_err.message : lk_status_name(rc));

    size_t expected_count = 2 + (c.sign_body ? 1 : 0) + (c.token_mode == S_TOKEN_SIGNED ? 1 : 0);
    ck_assert_uint_eq(out->header_count, expected_count);
    size_t at = 0;
    ck_assert_str_eq(out->headers[at].name, "X-Amz-Date");
    ck_assert_str_eq(out->headers[at].value, s_http_header(&c.signed_request, "X-Amz-Date"));
    ++at;
    if (c.sign_body) {
        ck_assert_str_eq(out->headers[at].name, "x-amz-content-sha256");
        ck_assert_str_eq(out->headers[at].value,
                         s_http_header(&c.signed_request, "x-amz-content-sha256"));
        ++at;
    }
    if (c.token_mode == S_TOKEN_SIGNED) {
        ck_assert_str_eq(out->headers[at].name, "X-Amz-Security-Token");
        ck_assert_str_eq(out->headers[at].value,
                         s_http_header(&c.signed_request, "X-Amz-Security-Token"));
        ++at;
    }
    ck_assert_str_eq(out->headers[at].name, "Authorization");
    /* Compared with the .authz / header-signed-request value. botocore's
     * get-vanilla-with-session-token.sreq carries a stale signature upstream; its .authz is the
     * reference (data README). */
    ck_assert_msg(strcmp(out->headers[at].value, c.expected_authz) == 0,
                  "%s: Authorization differs\n--- got\n%s\n--- expected\n%s", c.label,
                  out->headers[at].value, c.expected_authz);

    lk_sigv4_free_auth_headers(out);
    s_free_case(&c);
}
END_TEST

/* ---------------------------------------------------------------------------------------------
 * Edge cases
 * ------------------------------------------------------------------------------------------- */

static void s_expect_uri(const char *path, bool normalize_path, const char *expected)
{
    char *uri = NULL;
    ck_assert_int_eq(lk_sigv4_canonicalize_uri(path, normalize_path, &uri), LK_STATUS_OK);
    ck_assert_msg(strcmp(uri, expected) == 0, "uri(\"%s\", %d) = \"%s\", expected \"%s\"", path,
                  (int)normalize_path, uri, expected);
    lk_sigv4_free_string(uri);
}

static void s_expect_query(const char *path, const char *expected)
{
    char *query = NULL;
    ck_assert_int_eq(lk_sigv4_canonicalize_query(path, &query), LK_STATUS_OK);
    ck_assert_msg(strcmp(query, expected) == 0, "query(\"%s\") = \"%s\", expected \"%s\"", path,
                  query, expected);
    lk_sigv4_free_string(query);
}

static void s_expect_encoded(const char *in, bool keep_slash, const char *expected)
{
    char *encoded = NULL;
    ck_assert_int_eq(lk_sigv4_encode_uri(in, strlen(in), keep_slash, &encoded), LK_STATUS_OK);
    ck_assert_str_eq(encoded, expected);
    lk_sigv4_free_string(encoded);
}

START_TEST(test_empty_path_is_slash)
{
    s_expect_uri("", true, "/");
    s_expect_uri("", false, "/");
    s_expect_uri("?a=b", true, "/");
    s_expect_uri("?lifecycle", false, "/");

    const struct lk_sigv4_header headers[] = {{"Host", "example.amazonaws.com"},
                                              {"X-Amz-Date", "20150830T123600Z"}};
    struct lk_sigv4_request request = {
        .method = "GET", .path = "", .headers = headers, .header_count = 2};
    char *creq = NULL;
    ck_assert_int_eq(lk_sigv4_build_canonical_request(&request, true, &creq, NULL), LK_STATUS_OK);
    ck_assert_str_eq(creq, "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\n"
                           "host;x-amz-date\n"
                           "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    lk_sigv4_free_string(creq);
}
END_TEST

START_TEST(test_query_space_is_percent_20)
{
    s_expect_query("/?prefix=a b", "prefix=a%20b");
    s_expect_query("/?prefix=a%20b", "prefix=a%20b");
    /* '+' is a literal plus, never a space. */
    s_expect_query("/?prefix=a+b", "prefix=a%2Bb");
    s_expect_query("/?na me=v", "na%20me=v");
    s_expect_encoded("a b", false, "a%20b");
}
END_TEST

START_TEST(test_query_valueless_subresource)
{
    s_expect_query("/?lifecycle", "lifecycle=");
    s_expect_query("/my-bucket?versioning", "versioning=");
    s_expect_query("/?policy&a=", "a=&policy=");
    s_expect_query("/?a=1&&b", "a=1&b=");
    s_expect_query("/?", "");
    s_expect_query("/", "");
    /* Sorted by encoded name, then value, byte order ("A" < "a"). */
    s_expect_query("/?b=2&a=2&a=1&A=3", "A=3&a=1&a=2&b=2");
    /* An '=' inside a value belongs to the value. */
    s_expect_query("/?k=a=b", "k=a%3Db");
}
END_TEST

START_TEST(test_header_whitespace_collapsing)
{
    const struct lk_sigv4_header headers[] = {
        {"Host", "  example.amazonaws.com "},
        {"My-Header", "  a \t  b\r\n   c  "},
        {"my-header", "x    y"},
        {"User-Agent", "logkeep/1"},
        {"X-Amz-Meta-Empty", "   "},
        {"Content-Type", "application/json;   charset=utf-8"},
    };
    char *canonical = NULL;
    char *signed_headers = NULL;
    ck_assert_int_eq(
        lk_sigv4_canonicalize_headers(headers, S_COUNT(headers), &canonical, &signed_headers),
        LK_STATUS_OK);
    ck_assert_str_eq(canonical, "content-type:application/json; charset=utf-8\n"
                                "host:example.amazonaws.com\n"
                                "my-header:a b c,x y\n"
                                "x-amz-meta-empty:\n");
    ck_assert_str_eq(signed_headers, "content-type;host;my-header;x-amz-meta-empty");
    lk_sigv4_free_string(canonical);
    lk_sigv4_free_string(signed_headers);
}
END_TEST

START_TEST(test_header_name_must_be_token)
{
    const struct lk_sigv4_header bad_space[] = {{"Host", "h"}, {"Bad Name", "v"}};
    const struct lk_sigv4_header bad_empty[] = {{"", "v"}};
    const struct lk_sigv4_header bad_colon[] = {{"a:b", "v"}};
    char *canonical = (char *)1;
    char *signed_headers = (char *)1;
    ck_assert_int_eq(lk_sigv4_canonicalize_headers(bad_space, 2, &canonical, &signed_headers),
                     LK_STATUS_INVALID_ARGUMENT);
    ck_assert_ptr_null(canonical);
    ck_assert_ptr_null(signed_headers);
    ck_assert_int_eq(lk_sigv4_canonicalize_headers(bad_empty, 1, &canonical, &signed_headers),
                     LK_STATUS_INVALID_ARGUMENT);
    ck_assert_int_eq(lk_sigv4_canonicalize_headers(bad_colon, 1, &canonical, &signed_headers),
                     LK_STATUS_INVALID_ARGUMENT);
    ck_assert_int_eq(lk_sigv4_canonicalize_headers(NULL, 1, &canonical, &signed_headers),
                     LK_STATUS_INVALID_ARGUMENT);
}
END_TEST

START_TEST(test_utf8_path_uppercase_hex)
{
    /* "café/ሴ": U+00E9 is C3 A9, U+1234 is E1 88 B4. */
    s_expect_uri("/caf\xc3\xa9/\xe1\x88\xb4", true, "/caf%C3%A9/%E1%88%B4");
    s_expect_uri("/caf\xc3\xa9/\xe1\x88\xb4", false, "/caf%C3%A9/%E1%88%B4");
    /* S3: a lowercase escape from the wire is decoded and written back uppercase. */
    s_expect_uri("/caf%c3%a9", false, "/caf%C3%A9");
    s_expect_encoded("\xff\x01", false, "%FF%01");
    s_expect_encoded("a/b c~", false, "a%2Fb%20c~");
    s_expect_encoded("a/b c~", true, "a/b%20c~");
}
END_TEST

START_TEST(test_path_encoding_s3_once_others_twice)
{
    s_expect_uri("/fn/arn%3Aaws", true, "/fn/arn%253Aaws");
    s_expect_uri("/fn/arn%3Aaws", false, "/fn/arn%3Aaws");
    s_expect_uri("/test$file.text", false, "/test%24file.text");
    s_expect_uri("/test%24file.text", false, "/test%24file.text");
    /* A '%' that starts no escape is a literal percent. */
    s_expect_uri("/100%", false, "/100%25");
    s_expect_uri("/100%zz", false, "/100%25zz");
    /* S3 keeps "//" and dot segments; other services normalise them. */
    s_expect_uri("//my-object//./photo.user", false, "//my-object//./photo.user");
    s_expect_uri("//a/./b/../c//", true, "/a/c/");
    s_expect_uri("/a/.", true, "/a");
    s_expect_uri("/../..", true, "/");

    char *uri = (char *)1;
    ck_assert_int_eq(lk_sigv4_canonicalize_uri("relative/path", true, &uri),
                     LK_STATUS_INVALID_ARGUMENT);
    ck_assert_ptr_null(uri);
}
END_TEST

/* The precomputed empty-payload hash is the digest OpenSSL computes for "". */
START_TEST(test_empty_payload_constant)
{
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    char hex[2 * EVP_MAX_MD_SIZE + 1];
    ck_assert_int_eq(EVP_Digest("", 0, digest, &len, EVP_sha256(), NULL), 1);
    ck_assert_uint_eq(len, 32);
    for (unsigned int i = 0; i < len; i++)
        snprintf(hex + 2 * i, 3, "%02x", digest[i]);
    ck_assert_str_eq(lk_sigv4_empty_sha256_hex, hex);
    /* ...and the one SHA-256 helper the signer hashes with (common/hash.h) agrees. */
    char ours[LK_SHA256_HEX_LEN + 1];
    ck_assert_int_eq(lk_sha256_hex("", 0, ours), 0);
    ck_assert_str_eq(lk_sigv4_empty_sha256_hex, ours);
}
END_TEST

START_TEST(test_payload_hash_modes)
{
    struct lk_sigv4_request request = {.method = "PUT", .path = "/"};
    char *hash = NULL;

    ck_assert_int_eq(lk_sigv4_hash_payload(&request, &hash), LK_STATUS_OK);
    ck_assert_str_eq(hash, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    lk_sigv4_free_string(hash);

    /* SHA-256("Welcome to Amazon S3."), the S3 documentation's PUT Object example. */
    request.body = (const unsigned char *)"Welcome to Amazon S3.";
    request.body_len_bytes = strlen("Welcome to Amazon S3.");
    ck_assert_int_eq(lk_sigv4_hash_payload(&request, &hash), LK_STATUS_OK);
    ck_assert_str_eq(hash, "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072");
    lk_sigv4_free_string(hash);

    request.payload_kind = LK_SIGV4_PAYLOAD_PRECOMPUTED;
    request.payload_sha256_hex = "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072";
    ck_assert_int_eq(lk_sigv4_hash_payload(&request, &hash), LK_STATUS_OK);
    ck_assert_str_eq(hash, request.payload_sha256_hex);
    lk_sigv4_free_string(hash);

    request.payload_sha256_hex = "44CE7DD67C959E0D3524FFAC1771DFBBA87D2B6B4B4E99E42034A8B803F8B072";
    ck_assert_int_eq(lk_sigv4_hash_payload(&request, &hash), LK_STATUS_INVALID_ARGUMENT);
    ck_assert_ptr_null(hash);
    request.payload_sha256_hex = "44ce";
    ck_assert_int_eq(lk_sigv4_hash_payload(&request, &hash), LK_STATUS_INVALID_ARGUMENT);
    request.payload_sha256_hex = NULL;
    ck_assert_int_eq(lk_sigv4_hash_payload(&request, &hash), LK_STATUS_INVALID_ARGUMENT);

    request.payload_kind = LK_SIGV4_PAYLOAD_UNSIGNED;
    ck_assert_int_eq(lk_sigv4_hash_payload(&request, &hash), LK_STATUS_OK);
    ck_assert_str_eq(hash, "UNSIGNED-PAYLOAD");
    lk_sigv4_free_string(hash);

    request.payload_kind = LK_SIGV4_PAYLOAD_BODY;
    request.body = NULL;
    request.body_len_bytes = 3;
    ck_assert_int_eq(lk_sigv4_hash_payload(&request, &hash), LK_STATUS_INVALID_ARGUMENT);
}
END_TEST

START_TEST(test_time_conversion)
{
    struct tm tm_utc;
    int64_t epoch_s = -1;
    char *amz_date = NULL;

    memset(&tm_utc, 0, sizeof(tm_utc));
    tm_utc.tm_year = 70;
    tm_utc.tm_mday = 1;
    ck_assert_int_eq(lk_sigv4_convert_tm(&tm_utc, &epoch_s), LK_STATUS_OK);
    ck_assert_int_eq(epoch_s, 0);
    ck_assert_int_eq(lk_sigv4_format_amz_date(0, &amz_date), LK_STATUS_OK);
    ck_assert_str_eq(amz_date, "19700101T000000Z");
    lk_sigv4_free_string(amz_date);

    /* 2024-02-29T23:59:59Z, a leap day. */
    tm_utc.tm_year = 124;
    tm_utc.tm_mon = 1;
    tm_utc.tm_mday = 29;
    tm_utc.tm_hour = 23;
    tm_utc.tm_min = 59;
    tm_utc.tm_sec = 59;
    ck_assert_int_eq(lk_sigv4_convert_tm(&tm_utc, &epoch_s), LK_STATUS_OK);
    ck_assert_int_eq(epoch_s, INT64_C(1709251199));
    ck_assert_int_eq(lk_sigv4_format_amz_date(epoch_s, &amz_date), LK_STATUS_OK);
    ck_assert_str_eq(amz_date, "20240229T235959Z");
    lk_sigv4_free_string(amz_date);

    /* Agrees with gmtime_r over a spread of times. */
    for (int64_t t = 0; t < INT64_C(4102444800); t += INT64_C(7776013)) {
        time_t as_time_t = (time_t)t;
        struct tm expected;
        ck_assert_ptr_nonnull(gmtime_r(&as_time_t, &expected));
        char want[32];
        int written = snprintf(want, sizeof(want), "%04d%02d%02dT%02d%02d%02dZ",
                               expected.tm_year + 1900, expected.tm_mon + 1, expected.tm_mday,
                               expected.tm_hour, expected.tm_min, expected.tm_sec);
        ck_assert_int_eq(written, 16);
        ck_assert_int_eq(lk_sigv4_format_amz_date(t, &amz_date), LK_STATUS_OK);
        ck_assert_str_eq(amz_date, want);
        lk_sigv4_free_string(amz_date);
        ck_assert_int_eq(lk_sigv4_convert_tm(&expected, &epoch_s), LK_STATUS_OK);
        ck_assert_int_eq(epoch_s, t);
    }

    ck_assert_int_eq(lk_sigv4_format_amz_date(INT64_C(253402300799), &amz_date), LK_STATUS_OK);
    ck_assert_str_eq(amz_date, "99991231T235959Z");
    lk_sigv4_free_string(amz_date);
    ck_assert_int_eq(lk_sigv4_format_amz_date(INT64_C(253402300800), &amz_date),
                     LK_STATUS_INVALID_ARGUMENT);
    ck_assert_ptr_null(amz_date);
    ck_assert_int_eq(lk_sigv4_format_amz_date(-1, &amz_date), LK_STATUS_INVALID_ARGUMENT);

    tm_utc.tm_year = 123; /* 2023-02-29 does not exist */
    ck_assert_int_eq(lk_sigv4_convert_tm(&tm_utc, &epoch_s), LK_STATUS_INVALID_ARGUMENT);
    tm_utc.tm_mday = 1;
    tm_utc.tm_mon = 12;
    ck_assert_int_eq(lk_sigv4_convert_tm(&tm_utc, &epoch_s), LK_STATUS_INVALID_ARGUMENT);
    tm_utc.tm_mon = 0;
    tm_utc.tm_year = 69;
    ck_assert_int_eq(lk_sigv4_convert_tm(&tm_utc, &epoch_s), LK_STATUS_INVALID_ARGUMENT);
    ck_assert_int_eq(lk_sigv4_convert_tm(NULL, &epoch_s), LK_STATUS_INVALID_ARGUMENT);
}
END_TEST

/* The signing-key example of the AWS SigV4 documentation (secret
 * wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY, 20150830, us-east-1, iam); the value was recomputed
 * independently with Python's hmac module. */
START_TEST(test_signing_key_known_value)
{
    const struct lk_sigv4_signing_params params = {
        .region = "us-east-1", .service = "iam", .time_epoch_s = INT64_C(1440938160)};
    static const unsigned char expected[LK_SIGV4_SIGNING_KEY_SIZE_BYTES] = {
        0xc4, 0xaf, 0xb1, 0xcc, 0x57, 0x71, 0xd8, 0x71, 0x76, 0x3a, 0x39,
        0x3e, 0x44, 0xb7, 0x03, 0x57, 0x1b, 0x55, 0xcc, 0x28, 0x42, 0x4d,
        0x1a, 0x5e, 0x86, 0xda, 0x6e, 0xd3, 0xc1, 0x54, 0xa4, 0xb9};
    struct lk_sigv4_signing_key *key = NULL;
    ck_assert_int_eq(
        lk_sigv4_derive_signing_key("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", &params, &key),
        LK_STATUS_OK);
    ck_assert_mem_eq(key->bytes, expected, sizeof(expected));
    lk_sigv4_free_signing_key(key);

    key = (struct lk_sigv4_signing_key *)1;
    ck_assert_int_eq(lk_sigv4_derive_signing_key("", &params, &key), LK_STATUS_INVALID_ARGUMENT);
    ck_assert_ptr_null(key);
}
END_TEST

static bool s_contains_bytes(const void *haystack, size_t haystack_len, const void *needle,
                             size_t needle_len)
{
    const unsigned char *h = haystack;
    for (size_t i = 0; needle_len <= haystack_len && i <= haystack_len - needle_len; ++i) {
        if (memcmp(h + i, needle, needle_len) == 0) {
            return true;
        }
    }
    return false;
}

/* The secret must not reach anything the API returns: the signed headers, the stage strings,
 * the derived key. (Intermediate keys are wiped inside the module, which a test cannot observe
 * after the fact; this checks that none of them escapes.) */
START_TEST(test_secret_not_in_outputs)
{
    const char *secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    const struct lk_sigv4_header headers[] = {{"Host", "examplebucket.s3.amazonaws.com"}};
    const struct lk_sigv4_request request = {
        .method = "GET", .path = "/?lifecycle", .headers = headers, .header_count = 1};
    const struct lk_sigv4_credentials credentials = {.access_key_id = "AKIAIOSFODNN7EXAMPLE",
                                                     .secret_access_key = secret,
                                                     .session_token = "FwoGZXIvYXdzEXAMPLETOKEN"};
    const struct lk_sigv4_signing_params params = {.region = "us-east-1",
                                                   .service = "s3",
                                                   .time_epoch_s = INT64_C(1369353600),
                                                   .flags = LK_SIGV4_FLAG_S3};

    struct lk_sigv4_auth_headers *out = NULL;
    ck_assert_int_eq(lk_sigv4_sign(&request, &credentials, &params, &out, &s_sign_err),
                     LK_STATUS_OK);
    ck_assert_uint_eq(out->header_count, 4);
    for (size_t i = 0; i < out->header_count; ++i) {
        ck_assert_ptr_null(strstr(out->headers[i].name, secret));
        ck_assert_ptr_null(strstr(out->headers[i].value, secret));
        ck_assert_ptr_null(strstr(out->headers[i].value, "AWS4wJalr"));
    }
    ck_assert_msg(!s_contains_bytes(out, sizeof(*out), secret, 8),
                  "secret bytes inside struct lk_sigv4_auth_headers");
    lk_sigv4_free_auth_headers(out);

    struct lk_sigv4_signing_key *key = NULL;
    ck_assert_int_eq(lk_sigv4_derive_signing_key(secret, &params, &key), LK_STATUS_OK);
    ck_assert_msg(!s_contains_bytes(key->bytes, sizeof(key->bytes), secret, 4),
                  "secret bytes inside the signing key");
    char *signature = NULL;
    ck_assert_int_eq(lk_sigv4_compute_signature(key, "AWS4-HMAC-SHA256", &signature), LK_STATUS_OK);
    ck_assert_ptr_null(strstr(signature, secret));
    lk_sigv4_free_string(signature);
    lk_sigv4_free_signing_key(key);
}
END_TEST

/* S3 with a session token, the case no published vector covers. The canonical request is
 * written out here from the rules in the data README; the payload hash, the Content-MD5 and the
 * signature were computed from it independently with Python's hashlib/hmac. */
#define S_S3_TOKEN_PAYLOAD_HASH "482d4e510b5cdcf0bbf3a044e82832dc711f4f28757a6c06eb21758282a73ef7"
#define S_S3_TOKEN_SIGNED_HEADERS                                                                  \
    "content-md5;host;x-amz-content-sha256;x-amz-date;x-amz-security-token"
#define S_S3_TOKEN_CANONICAL_REQUEST                                                               \
    "PUT\n"                                                                                        \
    "/my-log-bucket\n"                                                                             \
    "versioning=\n"                                                                                \
    "content-md5:QQFYoy/mRYV9PGZUfFi0Bw==\n"                                                       \
    "host:s3.eu-west-1.amazonaws.com\n"                                                            \
    "x-amz-content-sha256:" S_S3_TOKEN_PAYLOAD_HASH "\n"                                           \
    "x-amz-date:20261126T120000Z\n"                                                                \
    "x-amz-security-token:IQoJb3JpZ2luX2VjEXAMPLE//token+/==\n"                                    \
    "\n" S_S3_TOKEN_SIGNED_HEADERS "\n" S_S3_TOKEN_PAYLOAD_HASH
#define S_S3_TOKEN_AUTHORIZATION                                                                   \
    "AWS4-HMAC-SHA256 Credential=ASIAEXAMPLEEXAMPLE/20261126/eu-west-1/s3/aws4_request, "          \
    "SignedHeaders=" S_S3_TOKEN_SIGNED_HEADERS ", "                                                \
    "Signature=bafc63068226844cafea3ed398c8b837ff466d86e9ef87f47690ffc825e9bfcd"

START_TEST(test_s3_sign_with_session_token)
{
    const char *body = "<VersioningConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
                       "<Status>Enabled</Status></VersioningConfiguration>";
    const struct lk_sigv4_header headers[] = {
        {"Host", "s3.eu-west-1.amazonaws.com"},
        {"Content-MD5", "QQFYoy/mRYV9PGZUfFi0Bw=="},
        {"User-Agent", "logkeep"},
    };
    const struct lk_sigv4_request request = {.method = "PUT",
                                             .path = "/my-log-bucket?versioning",
                                             .headers = headers,
                                             .header_count = S_COUNT(headers),
                                             .body = (const unsigned char *)body,
                                             .body_len_bytes = strlen(body)};
    const struct lk_sigv4_credentials credentials = {
        .access_key_id = "ASIAEXAMPLEEXAMPLE",
        .secret_access_key = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        .session_token = "IQoJb3JpZ2luX2VjEXAMPLE//token+/=="};
    /* 2026-11-26T12:00:00Z */
    const struct lk_sigv4_signing_params params = {.region = "eu-west-1",
                                                   .service = "s3",
                                                   .time_epoch_s = INT64_C(1795694400),
                                                   .flags = LK_SIGV4_FLAG_S3};

    struct lk_sigv4_auth_headers *out = NULL;
    ck_assert_int_eq(lk_sigv4_sign(&request, &credentials, &params, &out, &s_sign_err),
                     LK_STATUS_OK);
    ck_assert_uint_eq(out->header_count, 4);
    ck_assert_str_eq(out->headers[0].name, "X-Amz-Date");
    ck_assert_str_eq(out->headers[0].value, "20261126T120000Z");
    ck_assert_str_eq(out->headers[1].name, "x-amz-content-sha256");
    ck_assert_str_eq(out->headers[1].value, S_S3_TOKEN_PAYLOAD_HASH);
    ck_assert_str_eq(out->headers[2].name, "X-Amz-Security-Token");
    ck_assert_str_eq(out->headers[2].value, credentials.session_token);
    ck_assert_str_eq(out->headers[3].name, "Authorization");
    ck_assert_str_eq(out->headers[3].value, S_S3_TOKEN_AUTHORIZATION);

    /* Stage 1 alone gives the canonical request written out by hand. */
    const struct lk_sigv4_header all_headers[] = {
        headers[0],
        headers[1],
        headers[2],
        {"X-Amz-Date", "20261126T120000Z"},
        {"x-amz-content-sha256", S_S3_TOKEN_PAYLOAD_HASH},
        {"X-Amz-Security-Token", credentials.session_token},
    };
    struct lk_sigv4_request stage1 = request;
    stage1.headers = all_headers;
    stage1.header_count = S_COUNT(all_headers);
    char *creq = NULL;
    ck_assert_int_eq(lk_sigv4_build_canonical_request(&stage1, false, &creq, NULL), LK_STATUS_OK);
    ck_assert_str_eq(creq, S_S3_TOKEN_CANONICAL_REQUEST);
    lk_sigv4_free_string(creq);
    lk_sigv4_free_auth_headers(out);
}
END_TEST

START_TEST(test_sign_rejects_bad_input)
{
    struct lk_sigv4_header headers[3] = {{"Host", "logs.eu-west-1.amazonaws.com"},
                                         {"Content-Type", "application/x-amz-json-1.1"},
                                         {"X-Amz-Target", "Logs_20140328.DescribeLogGroups"}};
    struct lk_sigv4_request request = {
        .method = "POST", .path = "/", .headers = headers, .header_count = 3};
    struct lk_sigv4_credentials credentials = {.access_key_id = "AKIDEXAMPLE",
                                               .secret_access_key = "secret"};
    struct lk_sigv4_signing_params params = {
        .region = "eu-west-1", .service = "logs", .time_epoch_s = INT64_C(1440938160)};
    struct lk_sigv4_auth_headers *out = NULL;

    ck_assert_int_eq(lk_sigv4_sign(&request, &credentials, &params, &out, &s_sign_err),
                     LK_STATUS_OK);
    ck_assert_uint_eq(out->header_count, 2);
    lk_sigv4_free_auth_headers(out);

    static const char *const reserved[] = {"X-Amz-Date", "x-amz-date", "Authorization",
                                           "X-AMZ-SECURITY-TOKEN"};
    for (size_t i = 0; i < S_COUNT(reserved); ++i) {
        headers[2].name = reserved[i];
        out = (struct lk_sigv4_auth_headers *)1;
        ck_assert_int_eq(lk_sigv4_sign(&request, &credentials, &params, &out, &s_sign_err),
                         LK_STATUS_INVALID_ARGUMENT);
        ck_assert_str_eq(s_sign_err.message,
                         "header is set by the signer and must not be passed in");
        ck_assert_ptr_null(out);
    }
    /* x-amz-content-sha256 is the caller's unless the flag makes it the signer's. */
    headers[2] = (struct lk_sigv4_header){"X-Amz-Content-SHA256", "UNSIGNED-PAYLOAD"};
    ck_assert_int_eq(lk_sigv4_sign(&request, &credentials, &params, &out, &s_sign_err),
                     LK_STATUS_OK);
    lk_sigv4_free_auth_headers(out);
    params.flags = LK_SIGV4_FLAG_S3;
    ck_assert_int_eq(lk_sigv4_sign(&request, &credentials, &params, &out, &s_sign_err),
                     LK_STATUS_INVALID_ARGUMENT);
    ck_assert_str_eq(s_sign_err.message, "header is set by the signer and must not be passed in");
    params.flags = 0;
    headers[2] = (struct lk_sigv4_header){"X-Amz-Target", "Logs_20140328.DescribeLogGroups"};

    headers[0].name = "X-Host";
    ck_assert_int_eq(lk_sigv4_sign(&request, &credentials, &params, &out, &s_sign_err),
                     LK_STATUS_INVALID_ARGUMENT);
    ck_assert_str_eq(s_sign_err.message, "request has no Host header");
    headers[0].name = "Host";

    headers[1].name = "Content Type";
    ck_assert_int_eq(lk_sigv4_sign(&request, &credentials, &params, &out, &s_sign_err),
                     LK_STATUS_INVALID_ARGUMENT);
    ck_assert_str_eq(s_sign_err.message, "header name is not an HTTP token");
    headers[1].name = "Content-Type";

    params.flags = 1u << 7;
    ck_assert_int_eq(lk_sigv4_sign(&request, &credentials, &params, &out, &s_sign_err),
                     LK_STATUS_INVALID_ARGUMENT);
    ck_assert_str_eq(s_sign_err.message, "invalid argument");
    params.flags = 0;

    params.region = "us/east-1";
    ck_assert_int_eq(lk_sigv4_sign(&request, &credentials, &params, &out, &s_sign_err),
                     LK_STATUS_INVALID_ARGUMENT);
    ck_assert_str_eq(s_sign_err.message, "invalid argument");
    params.region = "";
    ck_assert_int_eq(lk_sigv4_sign(&request, &credentials, &params, &out, &s_sign_err),
                     LK_STATUS_INVALID_ARGUMENT);
    ck_assert_str_eq(s_sign_err.message, "invalid argument");
    params.region = "eu-west-1";

    params.time_epoch_s = -1;
    ck_assert_int_eq(lk_sigv4_sign(&request, &credentials, &params, &out, &s_sign_err),
                     LK_STATUS_INVALID_ARGUMENT);
    ck_assert_str_eq(s_sign_err.message,
                     "time outside 1970-01-01T00:00:00Z..9999-12-31T23:59:59Z or invalid");
    params.time_epoch_s = INT64_C(1440938160);

    credentials.secret_access_key = "";
    ck_assert_int_eq(lk_sigv4_sign(&request, &credentials, &params, &out, &s_sign_err),
                     LK_STATUS_INVALID_ARGUMENT);
    ck_assert_str_eq(s_sign_err.message, "invalid argument");
    credentials.secret_access_key = "secret";
    credentials.session_token = "";
    ck_assert_int_eq(lk_sigv4_sign(&request, &credentials, &params, &out, &s_sign_err),
                     LK_STATUS_INVALID_ARGUMENT);
    ck_assert_str_eq(s_sign_err.message, "invalid argument");
    credentials.session_token = "tok\r\nX-Injected: 1";
    ck_assert_int_eq(lk_sigv4_sign(&request, &credentials, &params, &out, &s_sign_err),
                     LK_STATUS_INVALID_ARGUMENT);
    ck_assert_str_eq(s_sign_err.message, "invalid argument");
    credentials.session_token = NULL;
    credentials.access_key_id = "AKID/EXAMPLE";
    ck_assert_int_eq(lk_sigv4_sign(&request, &credentials, &params, &out, &s_sign_err),
                     LK_STATUS_INVALID_ARGUMENT);
    ck_assert_str_eq(s_sign_err.message, "invalid argument");
    credentials.access_key_id = "AKIDEXAMPLE";

    request.payload_kind = LK_SIGV4_PAYLOAD_PRECOMPUTED;
    request.payload_sha256_hex = "not-a-hash";
    ck_assert_int_eq(lk_sigv4_sign(&request, &credentials, &params, &out, &s_sign_err),
                     LK_STATUS_INVALID_ARGUMENT);
    ck_assert_str_eq(s_sign_err.message, "invalid argument");
    request.payload_kind = LK_SIGV4_PAYLOAD_BODY;

    request.method = "GE T";
    ck_assert_int_eq(lk_sigv4_sign(&request, &credentials, &params, &out, &s_sign_err),
                     LK_STATUS_INVALID_ARGUMENT);
    ck_assert_str_eq(s_sign_err.message, "invalid argument");
    request.method = "POST";

    ck_assert_int_eq(lk_sigv4_sign(NULL, &credentials, &params, &out, &s_sign_err),
                     LK_STATUS_INVALID_ARGUMENT);
    ck_assert_str_eq(s_sign_err.message, "invalid argument");
    ck_assert_int_eq(lk_sigv4_sign(&request, NULL, &params, &out, &s_sign_err),
                     LK_STATUS_INVALID_ARGUMENT);
    ck_assert_str_eq(s_sign_err.message, "invalid argument");
    ck_assert_int_eq(lk_sigv4_sign(&request, &credentials, NULL, &out, &s_sign_err),
                     LK_STATUS_INVALID_ARGUMENT);
    ck_assert_str_eq(s_sign_err.message, "invalid argument");
    ck_assert_int_eq(lk_sigv4_sign(&request, &credentials, &params, NULL, &s_sign_err),
                     LK_STATUS_INVALID_ARGUMENT);
    ck_assert_str_eq(s_sign_err.message, "invalid argument");
}
END_TEST

START_TEST(test_authorization_rejects_bad_input)
{
    const struct lk_sigv4_signing_params params = {
        .region = "us-east-1", .service = "service", .time_epoch_s = INT64_C(1440938160)};
    const char *signature = "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31";
    char *authz = NULL;

    ck_assert_int_eq(
        lk_sigv4_build_authorization("AKIDEXAMPLE", &params, "host;x-amz-date", signature, &authz),
        LK_STATUS_OK);
    ck_assert_str_eq(authz, "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/"
                            "aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73"
                            "ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
    lk_sigv4_free_string(authz);

    ck_assert_int_eq(lk_sigv4_build_authorization(
                         "AKIDEXAMPLE", &params, "host;x-amz-date",
                         "5FA00FA31553B73EBF1942676E86291E8372FF2A2260956D9B8AAE1D763FBF31",
                         &authz),
                     LK_STATUS_INVALID_ARGUMENT);
    ck_assert_ptr_null(authz);
    ck_assert_int_eq(
        lk_sigv4_build_authorization("AKID EXAMPLE", &params, "host", signature, &authz),
        LK_STATUS_INVALID_ARGUMENT);
    ck_assert_int_eq(
        lk_sigv4_build_authorization("AKIDEXAMPLE", &params, "Host", signature, &authz),
        LK_STATUS_INVALID_ARGUMENT);
    ck_assert_int_eq(lk_sigv4_build_authorization("AKIDEXAMPLE", &params, "", signature, &authz),
                     LK_STATUS_INVALID_ARGUMENT);
}
END_TEST

START_TEST(test_describe_error_and_free_null)
{
    /* The statuses of this module are described, each differently; the signer's own messages
     * for each kind of bad input are checked in test_sign_rejects_bad_input. */
    static const enum lk_status codes[] = {LK_STATUS_OK, LK_STATUS_INVALID_ARGUMENT,
                                           LK_STATUS_CRYPTO, LK_STATUS_TOO_LARGE};
    for (size_t i = 0; i < S_COUNT(codes); ++i) {
        const char *text = lk_status_name(codes[i]);
        ck_assert_ptr_nonnull(text);
        ck_assert_str_ne(text, "unknown status");
        for (size_t j = 0; j < i; ++j) {
            ck_assert_str_ne(text, lk_status_name(codes[j]));
        }
    }
    ck_assert_str_eq(lk_status_name((enum lk_status)99), "unknown status");

    lk_sigv4_free_string(NULL);
    lk_sigv4_free_signing_key(NULL);
    lk_sigv4_free_auth_headers(NULL);
}
END_TEST

/* ---------------------------------------------------------------------------------------------
 * Discovery and main
 * ------------------------------------------------------------------------------------------- */

static int s_compare_found(const void *a, const void *b)
{
    const struct s_found_case *fa = a;
    const struct s_found_case *fb = b;
    return strcmp(fa->name, fb->name);
}

static void s_add_found(size_t suite_index, const char *name)
{
    if (s_found.case_count >= S_MAX_FOUND_CASES || strlen(name) >= S_MAX_NAME_LEN) {
        s_found.overflow = true;
        return;
    }
    struct s_found_case *found = &s_found.cases[s_found.case_count++];
    found->suite_index = suite_index;
    snprintf(found->name, sizeof(found->name), "%s", name);
}

/* Whether dir/name is a case directory of the given layout. */
static bool s_is_case_dir(const char *dir, const char *name, enum s_layout layout)
{
    char path[4096];
    char file[2 * S_MAX_NAME_LEN + 16];
    const char *base = strrchr(name, '/');
    base = base != NULL ? base + 1 : name;
    int written = layout == S_LAYOUT_CONTEXT_JSON
                      ? snprintf(file, sizeof(file), "%s/request.txt", name)
                      : snprintf(file, sizeof(file), "%s/%s.req", name, base);
    if (written < 0 || (size_t)written >= sizeof(file) ||
        !s_join_path(path, sizeof(path), dir, file)) {
        return false;
    }
    return s_is_file(path);
}

/* Find the case directories of one suite; botocore groups some cases one directory deeper
 * (normalize-path/, post-sts-token/). */
static void s_discover_suite(size_t suite_index)
{
    const struct s_vector_suite *suite = &s_suites[suite_index];
    char suite_dir[4096];
    s_found.suite_begin[suite_index] = s_found.case_count;

    DIR *dir = s_join_path(suite_dir, sizeof(suite_dir), s_found.sigv4_dir, suite->dir)
                   ? opendir(suite_dir)
                   : NULL;
    if (dir != NULL) {
        struct dirent *entry = NULL;
        while ((entry = readdir(dir)) != NULL) {
            char child[4096];
            if (entry->d_name[0] == '.') {
                continue;
            }
            if (!s_join_path(child, sizeof(child), suite_dir, entry->d_name) || !s_is_dir(child)) {
                continue;
            }
            if (s_is_case_dir(suite_dir, entry->d_name, suite->layout)) {
                s_add_found(suite_index, entry->d_name);
                continue;
            }
            DIR *group = opendir(child);
            if (group == NULL) {
                continue;
            }
            struct dirent *sub = NULL;
            while ((sub = readdir(group)) != NULL) {
                char name[S_MAX_NAME_LEN * 2];
                if (sub->d_name[0] == '.') {
                    continue;
                }
                if (s_join_path(name, sizeof(name), entry->d_name, sub->d_name) &&
                    s_is_case_dir(suite_dir, name, suite->layout)) {
                    s_add_found(suite_index, name);
                }
            }
            closedir(group);
        }
        closedir(dir);
    }
    s_found.suite_end[suite_index] = s_found.case_count;
    qsort(&s_found.cases[s_found.suite_begin[suite_index]],
          s_found.suite_end[suite_index] - s_found.suite_begin[suite_index],
          sizeof(s_found.cases[0]), s_compare_found);
}

static const char *s_data_dir(void)
{
    const char *from_env = getenv("LK_TEST_DATA_DIR");
    if (from_env != NULL && from_env[0] != '\0') {
        return from_env;
    }
#ifdef LK_TEST_DATA_DIR
    return LK_TEST_DATA_DIR;
#else
    return NULL;
#endif
}

static Suite *s_make_suite(void)
{
    Suite *suite = suite_create("sigv4");

    for (size_t s = 0; s < S_COUNT(s_suites); ++s) {
        TCase *tc = tcase_create(s_suites[s].dir);
        tcase_add_loop_test(tc, test_vectors_inventory, (int)s, (int)s + 1);
        int begin = (int)s_found.suite_begin[s];
        int end = (int)s_found.suite_end[s];
        tcase_add_loop_test(tc, test_vector_canonical_request, begin, end);
        tcase_add_loop_test(tc, test_vector_string_to_sign, begin, end);
        tcase_add_loop_test(tc, test_vector_signature, begin, end);
        tcase_add_loop_test(tc, test_vector_authorization, begin, end);
        tcase_add_loop_test(tc, test_vector_sign, begin, end);
        suite_add_tcase(suite, tc);
    }

    TCase *edge = tcase_create("edge-cases");
    tcase_add_test(edge, test_empty_path_is_slash);
    tcase_add_test(edge, test_empty_payload_constant);
    tcase_add_test(edge, test_query_space_is_percent_20);
    tcase_add_test(edge, test_query_valueless_subresource);
    tcase_add_test(edge, test_header_whitespace_collapsing);
    tcase_add_test(edge, test_header_name_must_be_token);
    tcase_add_test(edge, test_utf8_path_uppercase_hex);
    tcase_add_test(edge, test_path_encoding_s3_once_others_twice);
    tcase_add_test(edge, test_payload_hash_modes);
    tcase_add_test(edge, test_time_conversion);
    tcase_add_test(edge, test_signing_key_known_value);
    tcase_add_test(edge, test_secret_not_in_outputs);
    tcase_add_test(edge, test_s3_sign_with_session_token);
    tcase_add_test(edge, test_sign_rejects_bad_input);
    tcase_add_test(edge, test_authorization_rejects_bad_input);
    tcase_add_test(edge, test_describe_error_and_free_null);
    suite_add_tcase(suite, edge);
    return suite;
}

int main(void)
{
    const char *data_dir = s_data_dir();
    if (data_dir == NULL) {
        fprintf(stderr, "test_sigv4: set LK_TEST_DATA_DIR to the tests/data directory\n");
        return EXIT_FAILURE;
    }
    int written = snprintf(s_found.sigv4_dir, sizeof(s_found.sigv4_dir), "%s/sigv4", data_dir);
    if (written < 0 || (size_t)written >= sizeof(s_found.sigv4_dir)) {
        fprintf(stderr, "test_sigv4: LK_TEST_DATA_DIR is too long\n");
        return EXIT_FAILURE;
    }
    for (size_t s = 0; s < S_COUNT(s_suites); ++s) {
        s_discover_suite(s);
    }

    return lk_test_run(s_make_suite());
}
