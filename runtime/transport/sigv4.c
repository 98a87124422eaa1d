/*
 * AWS Signature Version 4, header signing. See sigv4.h for the contract of each stage.
 *
 * Sources cited below:
 *   docs/protocol-notes.md section 2 (SigV4 as botocore signs; where the vectors come from).
 *   [IAM] IAM User Guide, "Create a signed AWS API request",
 *         https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html
 *   [S3]  Amazon S3 API Reference, "Signature Calculations for the Authorization Header:
 *         Transferring Payload in a Single Chunk (AWS Signature Version 4)", under
 *         "Authenticating Requests: Using the Authorization Header (AWS Signature Version 4)",
 *         https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html
 *   [botocore] botocore/auth.py (SigV4Auth, S3SigV4Auth) and botocore/utils.py,
 *              https://github.com/boto/botocore
 */
#include "runtime/transport/sigv4.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/core_names.h>
#include <openssl/params.h>

#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/buf.h"
#include "common/hash.h"
#include "common/result.h"

#define S_AMZ_DATE_LEN 16  /* YYYYMMDDTHHMMSSZ */
#define S_SCOPE_DATE_LEN 8 /* YYYYMMDD */
#define S_SECONDS_PER_DAY 86400

/* 9999-12-31T23:59:59Z: the last instant a four-digit X-Amz-Date year can express. */
#define S_MAX_TIME_EPOCH_S INT64_C(253402300799)

static const char s_algorithm[] = "AWS4-HMAC-SHA256";

/* The message of a failure that has no more specific one. */
static const char s_msg_invalid[] = "invalid argument";
static const char s_scope_terminator[] = "aws4_request";

/* ---------------------------------------------------------------------------------------------
 * Memory
 * ------------------------------------------------------------------------------------------- */

static void s_out_of_memory(size_t size_bytes)
{
    fprintf(stderr, "logkeep: sigv4: out of memory allocating %zu bytes\n", size_bytes);
    abort();
}

static void *s_xmalloc(size_t size_bytes)
{
    /* malloc(0) may return NULL on success; always ask for at least one byte. */
    void *ptr = malloc(size_bytes == 0 ? 1 : size_bytes);
    if (ptr == NULL) {
        s_out_of_memory(size_bytes);
    }
    return ptr;
}

/* Overflow on these sizes means a corrupt length, not a real request: abort like on OOM. */
static size_t s_size_add(size_t a, size_t b)
{
    if (a > SIZE_MAX - b) {
        s_out_of_memory(SIZE_MAX);
    }
    return a + b;
}

static size_t s_size_mul(size_t a, size_t b)
{
    if (b != 0 && a > SIZE_MAX / b) {
        s_out_of_memory(SIZE_MAX);
    }
    return a * b;
}

static char *s_xstrdup(const char *str)
{
    size_t len_bytes = strlen(str);
    char *copy = s_xmalloc(s_size_add(len_bytes, 1));
    memcpy(copy, str, len_bytes + 1);
    return copy;
}

/* The strings this module builds (a canonical request, its parts, a string to sign, an
 * Authorization value) come from one request that logkeep sends, so they are bounded by the
 * request cap; none holds key material. */
#define S_BUF_INIT                                                                                 \
    {                                                                                              \
        .max_len = LK_BUF_MAX_REQUEST                                                              \
    }

/* ---------------------------------------------------------------------------------------------
 * Character classes and hex
 * ------------------------------------------------------------------------------------------- */

static const char s_hex_upper[] = "0123456789ABCDEF";

/* [IAM] every byte is percent-encoded except the RFC 3986 section 2.3 unreserved characters
 * A-Z a-z 0-9 - . _ ~. Locale-independent on purpose. */
static bool s_is_unreserved(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_' || c == '~';
}

/* RFC 9110 section 5.6.2 tchar: the characters allowed in a header name or a method. */
static bool s_is_tchar(unsigned char c)
{
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
        return true;
    }
    return c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

static bool s_is_token(const char *str)
{
    if (str[0] == '\0') {
        return false;
    }
    for (const char *p = str; *p != '\0'; ++p) {
        if (!s_is_tchar((unsigned char)*p)) {
            return false;
        }
    }
    return true;
}

/* Whitespace that header canonicalisation trims and collapses: SP, HTAB, and the CR/LF of a
 * folded (obs-fold) multi-line value. */
static bool s_is_header_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static char s_ascii_lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

static bool s_ascii_iequals(const char *a, const char *b)
{
    for (; *a != '\0' && *b != '\0'; ++a, ++b) {
        if (s_ascii_lower(*a) != s_ascii_lower(*b)) {
            return false;
        }
    }
    return *a == *b;
}

static int s_hex_value(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

static bool s_is_lower_hex(const char *str, size_t expected_len)
{
    size_t i = 0;
    for (; str[i] != '\0'; ++i) {
        if (i >= expected_len ||
            !((str[i] >= '0' && str[i] <= '9') || (str[i] >= 'a' && str[i] <= 'f'))) {
            return false;
        }
    }
    return i == expected_len;
}

/* Region, service: they become path segments of the credential scope, so no '/', no spaces. */
static bool s_is_scope_part(const char *str)
{
    if (str == NULL || str[0] == '\0') {
        return false;
    }
    for (const char *p = str; *p != '\0'; ++p) {
        unsigned char c = (unsigned char)*p;
        bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                  c == '-' || c == '.' || c == '_';
        if (!ok) {
            return false;
        }
    }
    return true;
}

/* ---------------------------------------------------------------------------------------------
 * Percent-encoding
 * ------------------------------------------------------------------------------------------- */

static void s_append_encoded(struct lk_buf *buf, const unsigned char *bytes, size_t len_bytes,
                             bool keep_slash)
{
    for (size_t i = 0; i < len_bytes; ++i) {
        unsigned char c = bytes[i];
        if (s_is_unreserved(c) || (keep_slash && c == '/')) {
            lk_buf_putc(buf, (char)c);
        } else {
            /* [IAM] the hex digits of an escape are uppercase (%1A, not %1a). */
            char escape[3] = {'%', s_hex_upper[c >> 4], s_hex_upper[c & 0x0f]};
            lk_buf_append(buf, escape, sizeof(escape));
        }
    }
}

/* Decode %XY escapes. A '%' that does not start a valid escape is kept as a literal byte, the
 * way servers treat it, so that it is then encoded as %25. The result may contain NUL bytes:
 * use out->len, not strlen. */
static void s_append_decoded(struct lk_buf *out, const char *in, size_t in_len_bytes)
{
    LK_IGNORE(lk_buf_reserve(out, in_len_bytes));
    for (size_t i = 0; i < in_len_bytes; ++i) {
        if (in[i] == '%' && i + 2 < in_len_bytes) {
            int hi = s_hex_value(in[i + 1]);
            int lo = s_hex_value(in[i + 2]);
            if (hi >= 0 && lo >= 0) {
                lk_buf_putc(out, (char)(unsigned char)((hi << 4) | lo));
                i += 2;
                continue;
            }
        }
        lk_buf_putc(out, in[i]);
    }
}

enum lk_status lk_sigv4_encode_uri(const void *in, size_t in_len_bytes, bool keep_slash,
                                   char **out_encoded)
{
    enum lk_status rc = LK_STATUS_OK;
    struct lk_buf buf = S_BUF_INIT;

    LK_ENSURE_GOTO(rc, out_encoded != NULL, LK_STATUS_INVALID_ARGUMENT, cleanup);
    *out_encoded = NULL;
    LK_ENSURE_GOTO(rc, in != NULL || in_len_bytes == 0, LK_STATUS_INVALID_ARGUMENT, cleanup);

    s_append_encoded(&buf, in, in_len_bytes, keep_slash);
    *out_encoded = lk_buf_take(&buf, NULL);
    LK_ENSURE_GOTO(rc, *out_encoded != NULL, LK_STATUS_TOO_LARGE, cleanup);

cleanup:
    lk_buf_free(&buf);
    return rc;
}

/* ---------------------------------------------------------------------------------------------
 * Stage 1: canonical request
 * ------------------------------------------------------------------------------------------- */

struct s_segment {
    size_t offset_bytes;
    size_t len_bytes;
};

/* Remove "." and ".." segments and empty segments, as botocore's remove_dot_segments()
 * (utils.py) does for every service but S3: AWS services also require "//" to collapse
 * (vectors aws-c-auth-v4/get-slashes-normalized, botocore normalize-path/get-slashes).
 * A trailing '/' survives when something is left before it ("//example//" gives "/example/"). */
static void s_remove_dot_segments(const char *path, size_t path_len_bytes, struct lk_buf *out)
{
    /* The kept segments, a stack that ".." pops; at most one per byte of path. */
    struct s_segment *segments =
        s_xmalloc(s_size_mul(s_size_add(path_len_bytes, 1), sizeof(*segments)));
    size_t seg_count = 0;

    size_t pos = 0;
    while (pos <= path_len_bytes) {
        size_t end = pos;
        while (end < path_len_bytes && path[end] != '/') {
            ++end;
        }
        size_t len = end - pos;
        bool is_dot = len == 1 && path[pos] == '.';
        bool is_dot_dot = len == 2 && path[pos] == '.' && path[pos + 1] == '.';
        if (is_dot_dot) {
            if (seg_count > 0) {
                --seg_count;
            }
        } else if (len > 0 && !is_dot) {
            segments[seg_count].offset_bytes = pos;
            segments[seg_count].len_bytes = len;
            ++seg_count;
        }
        pos = end + 1;
    }

    lk_buf_putc(out, '/');
    for (size_t i = 0; i < seg_count; ++i) {
        if (i > 0) {
            lk_buf_putc(out, '/');
        }
        lk_buf_append(out, path + segments[i].offset_bytes, segments[i].len_bytes);
    }
    if (seg_count > 0 && path[path_len_bytes - 1] == '/') {
        lk_buf_putc(out, '/');
    }

    free(segments);
}

enum lk_status lk_sigv4_canonicalize_uri(const char *path, bool normalize_path, char **out_uri)
{
    enum lk_status rc = LK_STATUS_OK;
    struct lk_buf prepared = S_BUF_INIT;
    struct lk_buf encoded = S_BUF_INIT;

    LK_ENSURE_GOTO(rc, out_uri != NULL, LK_STATUS_INVALID_ARGUMENT, cleanup);
    *out_uri = NULL;
    LK_ENSURE_GOTO(rc, path != NULL, LK_STATUS_INVALID_ARGUMENT, cleanup);

    size_t path_len_bytes = strcspn(path, "?");
    LK_ENSURE_GOTO(rc, path_len_bytes == 0 || path[0] == '/', LK_STATUS_INVALID_ARGUMENT, cleanup);

    if (path_len_bytes == 0) {
        /* [IAM] an empty absolute path is signed as "/". */
        lk_buf_putc(&prepared, '/');
    } else if (normalize_path) {
        /* [IAM] every service but S3 encodes each path segment twice. The path given is the
         * wire path, encoded once already, so one more encoding of every byte, '%' included,
         * makes the second ("%3A" becomes "%253A"; vector smithy-rs-extra/double-url-encode). */
        s_remove_dot_segments(path, path_len_bytes, &prepared);
    } else {
        /* [S3] S3 encodes the path only once and does not normalise it (botocore
         * S3SigV4Auth._normalize_url_path returns the path unchanged). Decoding first makes
         * escapes already on the wire count as that one encoding, so the result does not depend
         * on whether the caller encoded the path ("/test%24file.text", vector
         * s3-docs-examples/put-object). */
        s_append_decoded(&prepared, path, path_len_bytes);
    }
    LK_ENSURE_GOTO(rc, !lk_buf_failed(&prepared), LK_STATUS_TOO_LARGE, cleanup);
    s_append_encoded(&encoded, (const unsigned char *)prepared.data, prepared.len, true);
    *out_uri = lk_buf_take(&encoded, NULL);
    LK_ENSURE_GOTO(rc, *out_uri != NULL, LK_STATUS_TOO_LARGE, cleanup);

cleanup:
    lk_buf_free(&prepared);
    lk_buf_free(&encoded);
    return rc;
}

struct s_query_param {
    char *name;  /* owned, encoded */
    char *value; /* owned, encoded */
};

static int s_compare_query_params(const void *a, const void *b)
{
    const struct s_query_param *pa = a;
    const struct s_query_param *pb = b;
    int by_name = strcmp(pa->name, pb->name);
    return by_name != 0 ? by_name : strcmp(pa->value, pb->value);
}

/* Decode then re-encode one query name or value, so "%E1%88%B4" and the raw UTF-8 bytes give the
 * same canonical form (vectors get-vanilla-query-order-encoded, get-vanilla-utf8-query). */
static char *s_canonical_query_part(const char *part, size_t part_len_bytes)
{
    struct lk_buf decoded = S_BUF_INIT;
    struct lk_buf encoded = S_BUF_INIT;
    s_append_decoded(&decoded, part, part_len_bytes);
    if (lk_buf_failed(&decoded))
        lk_buf_fail(&encoded);
    else
        s_append_encoded(&encoded, (const unsigned char *)decoded.data, decoded.len, false);
    lk_buf_free(&decoded);
    return lk_buf_take(&encoded, NULL); /* NULL past the cap */
}

enum lk_status lk_sigv4_canonicalize_query(const char *path, char **out_query)
{
    enum lk_status rc = LK_STATUS_OK;
    struct s_query_param *params = NULL;
    size_t param_count = 0;
    struct lk_buf buf = S_BUF_INIT;

    LK_ENSURE_GOTO(rc, out_query != NULL, LK_STATUS_INVALID_ARGUMENT, cleanup);
    *out_query = NULL;
    LK_ENSURE_GOTO(rc, path != NULL, LK_STATUS_INVALID_ARGUMENT, cleanup);

    const char *query = strchr(path, '?');
    query = query == NULL ? "" : query + 1;

    /* At most one parameter per '&' plus one. */
    size_t max_params = 1;
    for (const char *p = query; *p != '\0'; ++p) {
        max_params += *p == '&';
    }
    params = s_xmalloc(s_size_mul(max_params, sizeof(*params)));

    const char *cursor = query;
    while (*cursor != '\0') {
        size_t pair_len_bytes = strcspn(cursor, "&");
        if (pair_len_bytes > 0) {
            size_t name_len_bytes = 0;
            while (name_len_bytes < pair_len_bytes && cursor[name_len_bytes] != '=') {
                ++name_len_bytes;
            }
            /* [S3] "GET Bucket Lifecycle": a subresource without a value is signed with an
             * empty value, "lifecycle=" (vector s3-docs-examples/get-bucket-lifecycle). */
            const char *value = cursor + name_len_bytes;
            size_t value_len_bytes = 0;
            if (name_len_bytes < pair_len_bytes) {
                value += 1;
                value_len_bytes = pair_len_bytes - name_len_bytes - 1;
            }
            params[param_count].name = s_canonical_query_part(cursor, name_len_bytes);
            params[param_count].value = s_canonical_query_part(value, value_len_bytes);
            ++param_count;
            LK_ENSURE_GOTO(
                rc, params[param_count - 1].name != NULL && params[param_count - 1].value != NULL,
                LK_STATUS_TOO_LARGE, cleanup);
        }
        cursor += pair_len_bytes;
        if (*cursor == '&') {
            ++cursor;
        }
    }

    /* [IAM] parameters are sorted by name, then by value, on the encoded forms and byte by byte
     * (vectors get-vanilla-query-order-key, -order-value, -order-key-case). */
    qsort(params, param_count, sizeof(*params), s_compare_query_params);
    for (size_t i = 0; i < param_count; ++i) {
        if (i > 0) {
            lk_buf_putc(&buf, '&');
        }
        lk_buf_puts(&buf, params[i].name);
        lk_buf_putc(&buf, '=');
        lk_buf_puts(&buf, params[i].value);
    }
    *out_query = lk_buf_take(&buf, NULL);
    LK_ENSURE_GOTO(rc, *out_query != NULL, LK_STATUS_TOO_LARGE, cleanup);

cleanup:
    for (size_t i = 0; i < param_count; ++i) {
        free(params[i].name);
        free(params[i].value);
    }
    free(params);
    lk_buf_free(&buf);
    return rc;
}

struct s_header_entry {
    char *name;  /* owned, lowercase */
    char *value; /* owned, trimmed and collapsed */
    size_t input_index;
};

static int s_compare_header_entries(const void *a, const void *b)
{
    const struct s_header_entry *ea = a;
    const struct s_header_entry *eb = b;
    int by_name = strcmp(ea->name, eb->name);
    if (by_name != 0) {
        return by_name;
    }
    /* qsort is not stable; the input order decides among values of one name, because the
     * values of a repeated header are joined in the order they were given (vector
     * get-header-value-order). */
    return (ea->input_index > eb->input_index) - (ea->input_index < eb->input_index);
}

/* Headers botocore never signs (SIGNED_HEADERS_BLACKLIST in auth.py): proxies and HTTP stacks
 * add or rewrite them, and a changed signed header breaks the signature. */
static bool s_is_unsigned_header(const char *lowercase_name)
{
    static const char *const unsigned_names[] = {"expect", "transfer-encoding", "user-agent",
                                                 "x-amzn-trace-id"};
    for (size_t i = 0; i < sizeof(unsigned_names) / sizeof(unsigned_names[0]); ++i) {
        if (strcmp(lowercase_name, unsigned_names[i]) == 0) {
            return true;
        }
    }
    return false;
}

static char *s_lowercase_copy(const char *str)
{
    char *copy = s_xstrdup(str);
    for (char *p = copy; *p != '\0'; ++p) {
        *p = s_ascii_lower(*p);
    }
    return copy;
}

/* [IAM] a value is trimmed and each run of spaces inside it becomes one space (vectors
 * get-header-value-trim, get-header-value-multiline). */
static char *s_canonical_header_value(const char *value)
{
    struct lk_buf buf = S_BUF_INIT;
    bool pending_space = false;
    for (const char *p = value; *p != '\0'; ++p) {
        if (s_is_header_space((unsigned char)*p)) {
            pending_space = buf.len > 0;
            continue;
        }
        if (pending_space) {
            lk_buf_putc(&buf, ' ');
            pending_space = false;
        }
        lk_buf_putc(&buf, *p);
    }
    return lk_buf_take(&buf, NULL); /* NULL past the cap */
}

enum lk_status lk_sigv4_canonicalize_headers(const struct lk_sigv4_header *headers,
                                             size_t header_count, char **out_canonical_headers,
                                             char **out_signed_headers)
{
    enum lk_status rc = LK_STATUS_OK;
    struct s_header_entry *entries = NULL;
    size_t entry_count = 0;
    struct lk_buf canonical = S_BUF_INIT;
    struct lk_buf signed_names = S_BUF_INIT;

    LK_ENSURE_GOTO(rc, out_canonical_headers != NULL && out_signed_headers != NULL,
                   LK_STATUS_INVALID_ARGUMENT, cleanup);
    *out_canonical_headers = NULL;
    *out_signed_headers = NULL;
    LK_ENSURE_GOTO(rc, headers != NULL || header_count == 0, LK_STATUS_INVALID_ARGUMENT, cleanup);

    entries = s_xmalloc(s_size_mul(header_count, sizeof(*entries)));
    for (size_t i = 0; i < header_count; ++i) {
        LK_ENSURE_GOTO(rc, headers[i].name != NULL && headers[i].value != NULL,
                       LK_STATUS_INVALID_ARGUMENT, cleanup);
        LK_ENSURE_GOTO(rc, s_is_token(headers[i].name), LK_STATUS_INVALID_ARGUMENT, cleanup);
        char *name = s_lowercase_copy(headers[i].name);
        if (s_is_unsigned_header(name)) {
            free(name);
            continue;
        }
        entries[entry_count].name = name;
        entries[entry_count].value = s_canonical_header_value(headers[i].value);
        entries[entry_count].input_index = i;
        ++entry_count;
        LK_ENSURE_GOTO(rc, entries[entry_count - 1].value != NULL, LK_STATUS_TOO_LARGE, cleanup);
    }

    /* [IAM] lowercase names sorted by character code, one line per name, the values of a
     * repeated name joined with commas (vector get-header-key-duplicate). */
    qsort(entries, entry_count, sizeof(*entries), s_compare_header_entries);
    for (size_t i = 0; i < entry_count; ++i) {
        bool same_as_previous = i > 0 && strcmp(entries[i].name, entries[i - 1].name) == 0;
        if (same_as_previous) {
            lk_buf_putc(&canonical, ',');
        } else {
            if (i > 0) {
                lk_buf_putc(&canonical, '\n');
                lk_buf_putc(&signed_names, ';');
            }
            lk_buf_puts(&canonical, entries[i].name);
            lk_buf_putc(&canonical, ':');
            lk_buf_puts(&signed_names, entries[i].name);
        }
        lk_buf_puts(&canonical, entries[i].value);
    }
    if (entry_count > 0) {
        lk_buf_putc(&canonical, '\n');
    }

    *out_canonical_headers = lk_buf_take(&canonical, NULL);
    *out_signed_headers = lk_buf_take(&signed_names, NULL);
    if (*out_canonical_headers == NULL || *out_signed_headers == NULL) {
        free(*out_canonical_headers);
        free(*out_signed_headers);
        *out_canonical_headers = *out_signed_headers = NULL;
        rc = LK_STATUS_TOO_LARGE;
    }

cleanup:
    for (size_t i = 0; i < entry_count; ++i) {
        free(entries[i].name);
        free(entries[i].value);
    }
    free(entries);
    lk_buf_free(&canonical);
    lk_buf_free(&signed_names);
    return rc;
}

/* OpenSSL 3 looks an algorithm up by name on every use of HMAC() (an "implicit fetch", with
 * locking); fetching HMAC once and reusing it removes that from every request ("Performance" in
 * OpenSSL's crypto(7): explicit fetching). The fetched method is immutable and shared for the
 * life of the process. SHA-256 itself is common/hash.h's, fetched once there the same way. */
static pthread_once_t s_fetch_once = PTHREAD_ONCE_INIT;
static EVP_MAC *s_mac_hmac;

static void s_fetch_hmac(void)
{
    s_mac_hmac = EVP_MAC_fetch(NULL, "HMAC", NULL);
}

/* SHA-256 of the empty string: the payload line of every request without a body (GET, HEAD,
 * DELETE), so it is not hashed again for each one. The unit tests check it against the digest. */
const char lk_sigv4_empty_sha256_hex[] =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

static enum lk_status s_sha256_hex(const void *data, size_t len_bytes, char **out_hex)
{
    enum lk_status rc = LK_STATUS_OK;
    char *hex = NULL;

    *out_hex = NULL;
    if (len_bytes == 0) {
        *out_hex = s_xstrdup(lk_sigv4_empty_sha256_hex);
        return LK_STATUS_OK;
    }
    hex = s_xmalloc(LK_SHA256_HEX_LEN + 1);
    LK_ENSURE_GOTO(rc, lk_sha256_hex(data, len_bytes, hex) == 0, LK_STATUS_CRYPTO, cleanup);
    *out_hex = hex;
    hex = NULL;

cleanup:
    free(hex);
    return rc;
}

enum lk_status lk_sigv4_hash_payload(const struct lk_sigv4_request *request,
                                     char **out_payload_hash)
{
    enum lk_status rc = LK_STATUS_OK;

    LK_ENSURE_GOTO(rc, out_payload_hash != NULL, LK_STATUS_INVALID_ARGUMENT, cleanup);
    *out_payload_hash = NULL;
    LK_ENSURE_GOTO(rc, request != NULL, LK_STATUS_INVALID_ARGUMENT, cleanup);

    switch (request->payload_kind) {
    case LK_SIGV4_PAYLOAD_BODY:
        LK_ENSURE_GOTO(rc, request->body != NULL || request->body_len_bytes == 0,
                       LK_STATUS_INVALID_ARGUMENT, cleanup);
        LK_GUARD_GOTO(rc, s_sha256_hex(request->body, request->body_len_bytes, out_payload_hash),
                      cleanup);
        break;
    case LK_SIGV4_PAYLOAD_PRECOMPUTED:
        /* [IAM] the payload line is the lowercase hex SHA-256 of the body; reject anything else
         * here rather than get SignatureDoesNotMatch from the server. */
        LK_ENSURE_GOTO(rc,
                       request->payload_sha256_hex != NULL &&
                           s_is_lower_hex(request->payload_sha256_hex, LK_SHA256_HEX_LEN),
                       LK_STATUS_INVALID_ARGUMENT, cleanup);
        *out_payload_hash = s_xstrdup(request->payload_sha256_hex);
        break;
    case LK_SIGV4_PAYLOAD_UNSIGNED:
        /* [S3] "Unsigned payload option": the literal string takes the hash's place. */
        *out_payload_hash = s_xstrdup(LK_SIGV4_UNSIGNED_PAYLOAD);
        break;
    default:
        rc = LK_STATUS_INVALID_ARGUMENT;
        break;
    }

cleanup:
    return rc;
}

enum lk_status lk_sigv4_build_canonical_request(const struct lk_sigv4_request *request,
                                                bool normalize_path, char **out_canonical_request,
                                                char **out_signed_headers)
{
    enum lk_status rc = LK_STATUS_OK;
    char *uri = NULL;
    char *query = NULL;
    char *canonical_headers = NULL;
    char *signed_headers = NULL;
    char *payload_hash = NULL;
    struct lk_buf buf = S_BUF_INIT;

    LK_ENSURE_GOTO(rc, out_canonical_request != NULL, LK_STATUS_INVALID_ARGUMENT, cleanup);
    *out_canonical_request = NULL;
    if (out_signed_headers != NULL) {
        *out_signed_headers = NULL;
    }
    LK_ENSURE_GOTO(rc, request != NULL && request->method != NULL && request->path != NULL,
                   LK_STATUS_INVALID_ARGUMENT, cleanup);
    LK_ENSURE_GOTO(rc, s_is_token(request->method), LK_STATUS_INVALID_ARGUMENT, cleanup);

    LK_GUARD_GOTO(rc, lk_sigv4_canonicalize_uri(request->path, normalize_path, &uri), cleanup);
    LK_GUARD_GOTO(rc, lk_sigv4_canonicalize_query(request->path, &query), cleanup);
    LK_GUARD_GOTO(rc,
                  lk_sigv4_canonicalize_headers(request->headers, request->header_count,
                                                &canonical_headers, &signed_headers),
                  cleanup);
    LK_GUARD_GOTO(rc, lk_sigv4_hash_payload(request, &payload_hash), cleanup);

    /* [IAM] CanonicalRequest = Method \n URI \n Query \n Headers \n SignedHeaders \n Payload.
     * The headers block already ends in '\n', which is why a blank line follows it. */
    lk_buf_puts(&buf, request->method);
    lk_buf_putc(&buf, '\n');
    lk_buf_puts(&buf, uri);
    lk_buf_putc(&buf, '\n');
    lk_buf_puts(&buf, query);
    lk_buf_putc(&buf, '\n');
    lk_buf_puts(&buf, canonical_headers);
    lk_buf_putc(&buf, '\n');
    lk_buf_puts(&buf, signed_headers);
    lk_buf_putc(&buf, '\n');
    lk_buf_puts(&buf, payload_hash);

    *out_canonical_request = lk_buf_take(&buf, NULL);
    LK_ENSURE_GOTO(rc, *out_canonical_request != NULL, LK_STATUS_TOO_LARGE, cleanup);
    if (out_signed_headers != NULL) {
        *out_signed_headers = signed_headers;
        signed_headers = NULL;
    }

cleanup:
    free(uri);
    free(query);
    free(canonical_headers);
    free(signed_headers);
    free(payload_hash);
    lk_buf_free(&buf);
    return rc;
}

/* ---------------------------------------------------------------------------------------------
 * Time
 * ------------------------------------------------------------------------------------------- */

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil, valid for
 * the years this module accepts). Done by hand because timegm() is not in POSIX.1-2008 and
 * mktime() depends on the local time zone. */
static int64_t s_days_from_civil(int64_t year, int64_t month, int64_t day)
{
    year -= month <= 2;
    int64_t era = (year >= 0 ? year : year - 399) / 400;
    int64_t year_of_era = year - era * 400;
    int64_t day_of_year = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
    int64_t day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    return era * 146097 + day_of_era - 719468;
}

/* The inverse of s_days_from_civil() for days >= 0. */
static void s_civil_from_days(int64_t days, int *out_year, int *out_month, int *out_day)
{
    int64_t z = days + 719468;
    int64_t era = z / 146097;
    int64_t day_of_era = z - era * 146097;
    int64_t year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
    int64_t day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    int64_t mp = (5 * day_of_year + 2) / 153;
    int64_t day = day_of_year - (153 * mp + 2) / 5 + 1;
    int64_t month = mp < 10 ? mp + 3 : mp - 9;
    int64_t year = year_of_era + era * 400 + (month <= 2);
    *out_year = (int)year;
    *out_month = (int)month;
    *out_day = (int)day;
}

static bool s_is_leap_year(int64_t year)
{
    return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

enum lk_status lk_sigv4_convert_tm(const struct tm *utc_time, int64_t *out_time_epoch_s)
{
    enum lk_status rc = LK_STATUS_OK;
    static const int days_in_month[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

    LK_ENSURE_GOTO(rc, utc_time != NULL && out_time_epoch_s != NULL, LK_STATUS_INVALID_ARGUMENT,
                   cleanup);
    *out_time_epoch_s = 0;

    int64_t year = (int64_t)utc_time->tm_year + 1900;
    LK_ENSURE_GOTO(rc, year >= 1970 && year <= 9999, LK_STATUS_INVALID_ARGUMENT, cleanup);
    LK_ENSURE_GOTO(rc, utc_time->tm_mon >= 0 && utc_time->tm_mon <= 11, LK_STATUS_INVALID_ARGUMENT,
                   cleanup);
    int month_days =
        days_in_month[utc_time->tm_mon] + (utc_time->tm_mon == 1 && s_is_leap_year(year));
    LK_ENSURE_GOTO(rc, utc_time->tm_mday >= 1 && utc_time->tm_mday <= month_days,
                   LK_STATUS_INVALID_ARGUMENT, cleanup);
    LK_ENSURE_GOTO(rc, utc_time->tm_hour >= 0 && utc_time->tm_hour <= 23,
                   LK_STATUS_INVALID_ARGUMENT, cleanup);
    LK_ENSURE_GOTO(rc, utc_time->tm_min >= 0 && utc_time->tm_min <= 59, LK_STATUS_INVALID_ARGUMENT,
                   cleanup);
    LK_ENSURE_GOTO(rc, utc_time->tm_sec >= 0 && utc_time->tm_sec <= 60, LK_STATUS_INVALID_ARGUMENT,
                   cleanup);

    int64_t days = s_days_from_civil(year, utc_time->tm_mon + 1, utc_time->tm_mday);
    int64_t epoch_s = days * S_SECONDS_PER_DAY + (int64_t)utc_time->tm_hour * 3600 +
                      (int64_t)utc_time->tm_min * 60 + utc_time->tm_sec;
    /* A leap second on 9999-12-31 would leave the four-digit range. */
    LK_ENSURE_GOTO(rc, epoch_s <= S_MAX_TIME_EPOCH_S, LK_STATUS_INVALID_ARGUMENT, cleanup);
    *out_time_epoch_s = epoch_s;

cleanup:
    return rc;
}

static void s_put_digits(char *dst, int value, int width)
{
    for (int i = width - 1; i >= 0; --i) {
        dst[i] = (char)('0' + value % 10);
        value /= 10;
    }
}

/* Writes YYYYMMDDTHHMMSSZ and a NUL into out. */
static enum lk_status s_amz_date(int64_t time_epoch_s, char out[S_AMZ_DATE_LEN + 1])
{
    enum lk_status rc = LK_STATUS_OK;
    int year = 0;
    int month = 0;
    int day = 0;

    /* [IAM] X-Amz-Date is ISO 8601 basic format, YYYYMMDD'T'HHMMSS'Z', in UTC. */
    LK_ENSURE_GOTO(rc, time_epoch_s >= 0 && time_epoch_s <= S_MAX_TIME_EPOCH_S,
                   LK_STATUS_INVALID_ARGUMENT, cleanup);
    int64_t days = time_epoch_s / S_SECONDS_PER_DAY;
    int seconds_of_day = (int)(time_epoch_s % S_SECONDS_PER_DAY);
    s_civil_from_days(days, &year, &month, &day);

    s_put_digits(out, year, 4);
    s_put_digits(out + 4, month, 2);
    s_put_digits(out + 6, day, 2);
    out[8] = 'T';
    s_put_digits(out + 9, seconds_of_day / 3600, 2);
    s_put_digits(out + 11, seconds_of_day / 60 % 60, 2);
    s_put_digits(out + 13, seconds_of_day % 60, 2);
    out[15] = 'Z';
    out[16] = '\0';

cleanup:
    return rc;
}

enum lk_status lk_sigv4_format_amz_date(int64_t time_epoch_s, char **out_amz_date)
{
    enum lk_status rc = LK_STATUS_OK;
    char amz_date[S_AMZ_DATE_LEN + 1];

    LK_ENSURE_GOTO(rc, out_amz_date != NULL, LK_STATUS_INVALID_ARGUMENT, cleanup);
    *out_amz_date = NULL;
    LK_GUARD_GOTO(rc, s_amz_date(time_epoch_s, amz_date), cleanup);
    *out_amz_date = s_xstrdup(amz_date);

cleanup:
    return rc;
}

/* ---------------------------------------------------------------------------------------------
 * Stage 2: string to sign
 * ------------------------------------------------------------------------------------------- */

static enum lk_status s_check_params(const struct lk_sigv4_signing_params *params,
                                     struct lk_error *err)
{
    LK_ENSURE(params != NULL, lk_error_set(err, LK_STATUS_INVALID_ARGUMENT, "%s", s_msg_invalid));
    LK_ENSURE(s_is_scope_part(params->region) && s_is_scope_part(params->service),
              lk_error_set(err, LK_STATUS_INVALID_ARGUMENT, "%s", s_msg_invalid));
    LK_ENSURE(params->time_epoch_s >= 0 && params->time_epoch_s <= S_MAX_TIME_EPOCH_S,
              lk_error_set(err, LK_STATUS_INVALID_ARGUMENT,
                           "time outside 1970-01-01T00:00:00Z..9999-12-31T23:59:59Z or invalid"));
    return LK_STATUS_OK;
}

enum lk_status lk_sigv4_format_scope(const struct lk_sigv4_signing_params *params, char **out_scope)
{
    enum lk_status rc = LK_STATUS_OK;
    char amz_date[S_AMZ_DATE_LEN + 1];
    struct lk_buf buf = S_BUF_INIT;

    LK_ENSURE_GOTO(rc, out_scope != NULL, LK_STATUS_INVALID_ARGUMENT, cleanup);
    *out_scope = NULL;
    LK_GUARD_GOTO(rc, s_check_params(params, NULL), cleanup);
    LK_GUARD_GOTO(rc, s_amz_date(params->time_epoch_s, amz_date), cleanup);

    /* [IAM] CredentialScope = YYYYMMDD/region/service/aws4_request, the date being the UTC
     * day of X-Amz-Date. */
    lk_buf_append(&buf, amz_date, S_SCOPE_DATE_LEN);
    lk_buf_putc(&buf, '/');
    lk_buf_puts(&buf, params->region);
    lk_buf_putc(&buf, '/');
    lk_buf_puts(&buf, params->service);
    lk_buf_putc(&buf, '/');
    lk_buf_puts(&buf, s_scope_terminator);
    *out_scope = lk_buf_take(&buf, NULL);
    LK_ENSURE_GOTO(rc, *out_scope != NULL, LK_STATUS_TOO_LARGE, cleanup);

cleanup:
    lk_buf_free(&buf);
    return rc;
}

enum lk_status lk_sigv4_build_string_to_sign(const struct lk_sigv4_signing_params *params,
                                             const char *canonical_request,
                                             char **out_string_to_sign)
{
    enum lk_status rc = LK_STATUS_OK;
    char amz_date[S_AMZ_DATE_LEN + 1];
    char *scope = NULL;
    char *creq_hash = NULL;
    struct lk_buf buf = S_BUF_INIT;

    LK_ENSURE_GOTO(rc, out_string_to_sign != NULL, LK_STATUS_INVALID_ARGUMENT, cleanup);
    *out_string_to_sign = NULL;
    LK_ENSURE_GOTO(rc, canonical_request != NULL, LK_STATUS_INVALID_ARGUMENT, cleanup);
    LK_GUARD_GOTO(rc, lk_sigv4_format_scope(params, &scope), cleanup);
    LK_GUARD_GOTO(rc, s_amz_date(params->time_epoch_s, amz_date), cleanup);
    LK_GUARD_GOTO(rc, s_sha256_hex(canonical_request, strlen(canonical_request), &creq_hash),
                  cleanup);

    /* [IAM] StringToSign = Algorithm \n RequestDateTime \n CredentialScope \n
     * HashedCanonicalRequest. */
    lk_buf_puts(&buf, s_algorithm);
    lk_buf_putc(&buf, '\n');
    lk_buf_puts(&buf, amz_date);
    lk_buf_putc(&buf, '\n');
    lk_buf_puts(&buf, scope);
    lk_buf_putc(&buf, '\n');
    lk_buf_puts(&buf, creq_hash);
    *out_string_to_sign = lk_buf_take(&buf, NULL);
    LK_ENSURE_GOTO(rc, *out_string_to_sign != NULL, LK_STATUS_TOO_LARGE, cleanup);

cleanup:
    free(scope);
    free(creq_hash);
    lk_buf_free(&buf);
    return rc;
}

/* ---------------------------------------------------------------------------------------------
 * Stage 3: signing key, signature, Authorization
 * ------------------------------------------------------------------------------------------- */

/* A new HMAC-SHA256 context keyed with key (EVP_MAC with the method fetched once: HMAC() would
 * fetch both HMAC and SHA-256 by name on every call), or NULL. */
static EVP_MAC_CTX *s_hmac_new(const unsigned char *key, size_t key_len_bytes)
{
    char digest_name[] = "SHA256";
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest_name, 0),
        OSSL_PARAM_construct_end(),
    };
    static const unsigned char empty[1] = {0};

    pthread_once(&s_fetch_once, s_fetch_hmac);
    if (s_mac_hmac == NULL)
        return NULL;
    EVP_MAC_CTX *ctx = EVP_MAC_CTX_new(s_mac_hmac);
    if (ctx != NULL &&
        EVP_MAC_init(ctx, key_len_bytes == 0 ? empty : key, key_len_bytes, params) != 1) {
        EVP_MAC_CTX_free(ctx);
        ctx = NULL;
    }
    return ctx;
}

/* HMAC of data with a keyed context; the context is left untouched (a copy does the work). */
static enum lk_status s_hmac_with(const EVP_MAC_CTX *keyed, const void *data, size_t data_len_bytes,
                                  unsigned char out[LK_SHA256_BYTES])
{
    enum lk_status rc = LK_STATUS_OK;
    size_t out_len_bytes = 0;
    EVP_MAC_CTX *ctx = EVP_MAC_CTX_dup(keyed);

    LK_ENSURE_GOTO(rc, ctx != NULL, LK_STATUS_CRYPTO, cleanup);
    LK_ENSURE_GOTO(rc, data_len_bytes == 0 || EVP_MAC_update(ctx, data, data_len_bytes) == 1,
                   LK_STATUS_CRYPTO, cleanup);
    LK_ENSURE_GOTO(rc, EVP_MAC_final(ctx, out, &out_len_bytes, LK_SHA256_BYTES) == 1,
                   LK_STATUS_CRYPTO, cleanup);
    LK_ENSURE_GOTO(rc, out_len_bytes == LK_SHA256_BYTES, LK_STATUS_CRYPTO, cleanup);

cleanup:
    EVP_MAC_CTX_free(ctx); /* frees (and OpenSSL cleanses) the keyed state */
    return rc;
}

static enum lk_status s_hmac_sha256(const unsigned char *key, size_t key_len_bytes,
                                    const void *data, size_t data_len_bytes,
                                    unsigned char out[LK_SHA256_BYTES])
{
    enum lk_status rc = LK_STATUS_OK;
    EVP_MAC_CTX *ctx = s_hmac_new(key, key_len_bytes);

    LK_ENSURE_GOTO(rc, ctx != NULL, LK_STATUS_CRYPTO, cleanup);
    LK_GUARD_GOTO(rc, s_hmac_with(ctx, data, data_len_bytes, out), cleanup);

cleanup:
    EVP_MAC_CTX_free(ctx);
    return rc;
}

enum lk_status lk_sigv4_derive_signing_key(const char *secret_access_key,
                                           const struct lk_sigv4_signing_params *params,
                                           struct lk_sigv4_signing_key **out_key)
{
    enum lk_status rc = LK_STATUS_OK;
    unsigned char *prefixed_secret = NULL; /* "AWS4" + secret: key material */
    size_t prefixed_len_bytes = 0;
    unsigned char k_date[LK_SHA256_BYTES];
    unsigned char k_region[LK_SHA256_BYTES];
    unsigned char k_service[LK_SHA256_BYTES];
    struct lk_sigv4_signing_key *key = NULL;
    char amz_date[S_AMZ_DATE_LEN + 1];

    LK_ENSURE_GOTO(rc, out_key != NULL, LK_STATUS_INVALID_ARGUMENT, cleanup);
    *out_key = NULL;
    LK_ENSURE_GOTO(rc, secret_access_key != NULL && secret_access_key[0] != '\0',
                   LK_STATUS_INVALID_ARGUMENT, cleanup);
    LK_GUARD_GOTO(rc, s_check_params(params, NULL), cleanup);
    LK_GUARD_GOTO(rc, s_amz_date(params->time_epoch_s, amz_date), cleanup);

    /* [IAM] kSecret = "AWS4" + secret; kDate = HMAC(kSecret, YYYYMMDD); kRegion = HMAC(kDate,
     * region); kService = HMAC(kRegion, service); kSigning = HMAC(kService, "aws4_request").
     * Every intermediate is secret-equivalent for the day, so all are wiped in cleanup. */
    size_t secret_len_bytes = strlen(secret_access_key);
    prefixed_len_bytes = s_size_add(secret_len_bytes, 4);
    prefixed_secret = s_xmalloc(prefixed_len_bytes);
    memcpy(prefixed_secret, "AWS4", 4);
    memcpy(prefixed_secret + 4, secret_access_key, secret_len_bytes);

    key = s_xmalloc(sizeof(*key));
    key->mac_ctx = NULL;
    LK_GUARD_GOTO(
        rc, s_hmac_sha256(prefixed_secret, prefixed_len_bytes, amz_date, S_SCOPE_DATE_LEN, k_date),
        cleanup);
    LK_GUARD_GOTO(
        rc, s_hmac_sha256(k_date, sizeof(k_date), params->region, strlen(params->region), k_region),
        cleanup);
    LK_GUARD_GOTO(rc,
                  s_hmac_sha256(k_region, sizeof(k_region), params->service,
                                strlen(params->service), k_service),
                  cleanup);
    LK_GUARD_GOTO(rc,
                  s_hmac_sha256(k_service, sizeof(k_service), s_scope_terminator,
                                strlen(s_scope_terminator), key->bytes),
                  cleanup);
    key->mac_ctx = s_hmac_new(key->bytes, sizeof(key->bytes));
    LK_ENSURE_GOTO(rc, key->mac_ctx != NULL, LK_STATUS_CRYPTO, cleanup);

    *out_key = key;
    key = NULL;

cleanup:
    if (prefixed_secret != NULL) {
        OPENSSL_cleanse(prefixed_secret, prefixed_len_bytes);
        free(prefixed_secret);
    }
    OPENSSL_cleanse(k_date, sizeof(k_date));
    OPENSSL_cleanse(k_region, sizeof(k_region));
    OPENSSL_cleanse(k_service, sizeof(k_service));
    lk_sigv4_free_signing_key(key);
    return rc;
}

enum lk_status lk_sigv4_compute_signature(const struct lk_sigv4_signing_key *key,
                                          const char *string_to_sign, char **out_signature_hex)
{
    enum lk_status rc = LK_STATUS_OK;
    unsigned char mac[LK_SHA256_BYTES];

    LK_ENSURE_GOTO(rc, out_signature_hex != NULL, LK_STATUS_INVALID_ARGUMENT, cleanup);
    *out_signature_hex = NULL;
    LK_ENSURE_GOTO(rc, key != NULL && string_to_sign != NULL, LK_STATUS_INVALID_ARGUMENT, cleanup);

    /* [IAM] signature = hex(HMAC-SHA256(kSigning, StringToSign)), lowercase. */
    if (key->mac_ctx != NULL)
        LK_GUARD_GOTO(rc, s_hmac_with(key->mac_ctx, string_to_sign, strlen(string_to_sign), mac),
                      cleanup);
    else
        LK_GUARD_GOTO(rc,
                      s_hmac_sha256(key->bytes, sizeof(key->bytes), string_to_sign,
                                    strlen(string_to_sign), mac),
                      cleanup);
    *out_signature_hex = s_xmalloc(LK_SHA256_HEX_LEN + 1);
    lk_hex_lower(mac, sizeof(mac), *out_signature_hex);

cleanup:
    return rc;
}

/* The access key id goes into "Credential=<akid>/<scope>,": a space, ',' or '/' in it would
 * change how the server splits the header. */
static bool s_is_valid_access_key_id(const char *access_key_id)
{
    if (access_key_id == NULL || access_key_id[0] == '\0') {
        return false;
    }
    for (const char *p = access_key_id; *p != '\0'; ++p) {
        unsigned char c = (unsigned char)*p;
        if (c <= ' ' || c >= 0x7f || c == ',' || c == '/') {
            return false;
        }
    }
    return true;
}

/* SignedHeaders is lowercase header names joined by ';'. */
static bool s_is_valid_signed_headers(const char *signed_headers)
{
    if (signed_headers == NULL || signed_headers[0] == '\0') {
        return false;
    }
    for (const char *p = signed_headers; *p != '\0'; ++p) {
        unsigned char c = (unsigned char)*p;
        bool ok = c == ';' || (s_is_tchar(c) && !(c >= 'A' && c <= 'Z'));
        if (!ok) {
            return false;
        }
    }
    return true;
}

enum lk_status lk_sigv4_build_authorization(const char *access_key_id,
                                            const struct lk_sigv4_signing_params *params,
                                            const char *signed_headers, const char *signature_hex,
                                            char **out_authorization)
{
    enum lk_status rc = LK_STATUS_OK;
    char *scope = NULL;
    struct lk_buf buf = S_BUF_INIT;

    LK_ENSURE_GOTO(rc, out_authorization != NULL, LK_STATUS_INVALID_ARGUMENT, cleanup);
    *out_authorization = NULL;
    LK_ENSURE_GOTO(rc, s_is_valid_access_key_id(access_key_id), LK_STATUS_INVALID_ARGUMENT,
                   cleanup);
    LK_ENSURE_GOTO(rc, s_is_valid_signed_headers(signed_headers), LK_STATUS_INVALID_ARGUMENT,
                   cleanup);
    LK_ENSURE_GOTO(rc, signature_hex != NULL && s_is_lower_hex(signature_hex, LK_SHA256_HEX_LEN),
                   LK_STATUS_INVALID_ARGUMENT, cleanup);
    LK_GUARD_GOTO(rc, lk_sigv4_format_scope(params, &scope), cleanup);

    /* [IAM] AWS4-HMAC-SHA256 Credential=AKID/scope, SignedHeaders=..., Signature=...: a comma
     * and one space between the parts. */
    lk_buf_puts(&buf, s_algorithm);
    lk_buf_puts(&buf, " Credential=");
    lk_buf_puts(&buf, access_key_id);
    lk_buf_putc(&buf, '/');
    lk_buf_puts(&buf, scope);
    lk_buf_puts(&buf, ", SignedHeaders=");
    lk_buf_puts(&buf, signed_headers);
    lk_buf_puts(&buf, ", Signature=");
    lk_buf_puts(&buf, signature_hex);
    *out_authorization = lk_buf_take(&buf, NULL);
    LK_ENSURE_GOTO(rc, *out_authorization != NULL, LK_STATUS_TOO_LARGE, cleanup);

cleanup:
    free(scope);
    lk_buf_free(&buf);
    return rc;
}

/* ---------------------------------------------------------------------------------------------
 * Stage 4: sign
 * ------------------------------------------------------------------------------------------- */

static const char s_header_amz_date[] = "X-Amz-Date";
static const char s_header_content_sha256[] = "x-amz-content-sha256";
static const char s_header_security_token[] = "X-Amz-Security-Token";
static const char s_header_authorization[] = "Authorization";

/* The caller's headers must not contain what the signer adds: a second X-Amz-Date would be
 * joined with ours into "date1,date2" and the server would reject the signature. */
static enum lk_status s_check_caller_headers(const struct lk_sigv4_request *request,
                                             unsigned int flags, struct lk_error *err)
{
    bool has_host = false;

    LK_ENSURE(request->headers != NULL || request->header_count == 0,
              lk_error_set(err, LK_STATUS_INVALID_ARGUMENT, "%s", s_msg_invalid));
    for (size_t i = 0; i < request->header_count; ++i) {
        const char *name = request->headers[i].name;
        LK_ENSURE(name != NULL && request->headers[i].value != NULL,
                  lk_error_set(err, LK_STATUS_INVALID_ARGUMENT, "%s", s_msg_invalid));
        LK_ENSURE(s_is_token(name), lk_error_set(err, LK_STATUS_INVALID_ARGUMENT,
                                                 "header name is not an HTTP token"));
        bool reserved = s_ascii_iequals(name, s_header_amz_date) ||
                        s_ascii_iequals(name, s_header_authorization) ||
                        s_ascii_iequals(name, s_header_security_token) ||
                        ((flags & LK_SIGV4_FLAG_CONTENT_SHA256_HEADER) != 0 &&
                         s_ascii_iequals(name, s_header_content_sha256));
        LK_ENSURE(!reserved, lk_error_set(err, LK_STATUS_INVALID_ARGUMENT,
                                          "header is set by the signer and must not be passed in"));
        has_host = has_host || s_ascii_iequals(name, "host");
    }
    /* [IAM] host is always a signed header; its value must be the one on the wire, port
     * included, which only the caller knows. */
    LK_ENSURE(has_host,
              lk_error_set(err, LK_STATUS_INVALID_ARGUMENT, "request has no Host header"));
    return LK_STATUS_OK;
}

static bool s_is_valid_session_token(const char *session_token)
{
    if (session_token == NULL) {
        return true;
    }
    if (session_token[0] == '\0') {
        return false;
    }
    /* The token becomes a header value: CR or LF would split the request. */
    return strpbrk(session_token, "\r\n") == NULL;
}

static void s_add_auth_header(struct lk_sigv4_auth_headers *headers, const char *name, char *value)
{
    headers->headers[headers->header_count].name = s_xstrdup(name);
    headers->headers[headers->header_count].value = value;
    ++headers->header_count;
}

enum lk_status lk_sigv4_sign(const struct lk_sigv4_request *request,
                             const struct lk_sigv4_credentials *credentials,
                             const struct lk_sigv4_signing_params *params,
                             struct lk_sigv4_auth_headers **out_headers, struct lk_error *err)
{
    enum lk_status rc = LK_STATUS_OK;
    struct lk_sigv4_header *all_headers = NULL;
    char *amz_date = NULL;
    char *payload_hash = NULL;
    char *canonical_request = NULL;
    char *signed_headers = NULL;
    char *string_to_sign = NULL;
    struct lk_sigv4_signing_key *key = NULL;
    char *signature = NULL;
    char *authorization = NULL;
    struct lk_sigv4_auth_headers *result = NULL;

    lk_error_clear(err);
    LK_ENSURE_GOTO(rc, out_headers != NULL, LK_STATUS_INVALID_ARGUMENT, cleanup);
    *out_headers = NULL;
    LK_ENSURE_GOTO(rc, request != NULL && credentials != NULL && params != NULL,
                   LK_STATUS_INVALID_ARGUMENT, cleanup);
    LK_ENSURE_GOTO(rc, (params->flags & ~(unsigned int)LK_SIGV4_FLAG_S3) == 0,
                   LK_STATUS_INVALID_ARGUMENT, cleanup);
    LK_ENSURE_GOTO(rc, s_is_valid_access_key_id(credentials->access_key_id),
                   LK_STATUS_INVALID_ARGUMENT, cleanup);
    LK_ENSURE_GOTO(
        rc, credentials->secret_access_key != NULL && credentials->secret_access_key[0] != '\0',
        LK_STATUS_INVALID_ARGUMENT, cleanup);
    LK_ENSURE_GOTO(rc, s_is_valid_session_token(credentials->session_token),
                   LK_STATUS_INVALID_ARGUMENT, cleanup);
    LK_GUARD_GOTO(rc, s_check_params(params, err), cleanup);
    LK_GUARD_GOTO(rc, s_check_caller_headers(request, params->flags, err), cleanup);

    LK_GUARD_GOTO(rc, lk_sigv4_format_amz_date(params->time_epoch_s, &amz_date), cleanup);
    LK_GUARD_GOTO(rc, lk_sigv4_hash_payload(request, &payload_hash), cleanup);

    /* The headers to sign: the caller's, then the ones this function adds. */
    size_t all_count = request->header_count;
    all_headers = s_xmalloc(s_size_mul(s_size_add(all_count, 3), sizeof(*all_headers)));
    if (all_count > 0) {
        memcpy(all_headers, request->headers, all_count * sizeof(*all_headers));
    }
    all_headers[all_count++] = (struct lk_sigv4_header){s_header_amz_date, amz_date};
    if ((params->flags & LK_SIGV4_FLAG_CONTENT_SHA256_HEADER) != 0) {
        /* [S3] x-amz-content-sha256 is required on every SigV4 request to S3 and is signed;
         * its value is the canonical request's payload line. */
        all_headers[all_count++] = (struct lk_sigv4_header){s_header_content_sha256, payload_hash};
    }
    if (credentials->session_token != NULL) {
        /* [IAM] with temporary credentials, X-Amz-Security-Token is added before signing and is
         * part of the signed headers (vectors get-vanilla-with-session-token,
         * post-sts-header-before). */
        all_headers[all_count++] =
            (struct lk_sigv4_header){s_header_security_token, credentials->session_token};
    }

    struct lk_sigv4_request to_sign = *request;
    to_sign.headers = all_headers;
    to_sign.header_count = all_count;
    bool normalize_path = (params->flags & LK_SIGV4_FLAG_UNNORMALIZED_PATH) == 0;

    LK_GUARD_GOTO(rc,
                  lk_sigv4_build_canonical_request(&to_sign, normalize_path, &canonical_request,
                                                   &signed_headers),
                  cleanup);
    LK_GUARD_GOTO(rc, lk_sigv4_build_string_to_sign(params, canonical_request, &string_to_sign),
                  cleanup);
    if (params->signing_key == NULL)
        LK_GUARD_GOTO(rc, lk_sigv4_derive_signing_key(credentials->secret_access_key, params, &key),
                      cleanup);
    LK_GUARD_GOTO(rc,
                  lk_sigv4_compute_signature(params->signing_key ? params->signing_key : key,
                                             string_to_sign, &signature),
                  cleanup);
    LK_GUARD_GOTO(rc,
                  lk_sigv4_build_authorization(credentials->access_key_id, params, signed_headers,
                                               signature, &authorization),
                  cleanup);

    result = s_xmalloc(sizeof(*result));
    memset(result, 0, sizeof(*result));
    s_add_auth_header(result, s_header_amz_date, amz_date);
    amz_date = NULL;
    if ((params->flags & LK_SIGV4_FLAG_CONTENT_SHA256_HEADER) != 0) {
        s_add_auth_header(result, s_header_content_sha256, payload_hash);
        payload_hash = NULL;
    }
    if (credentials->session_token != NULL) {
        s_add_auth_header(result, s_header_security_token, s_xstrdup(credentials->session_token));
    }
    s_add_auth_header(result, s_header_authorization, authorization);
    authorization = NULL;

    *out_headers = result;
    result = NULL;

cleanup:
    free(all_headers);
    free(amz_date);
    free(payload_hash);
    free(canonical_request);
    free(signed_headers);
    free(string_to_sign);
    lk_sigv4_free_signing_key(key);
    free(signature);
    free(authorization);
    lk_sigv4_free_auth_headers(result);
    /* A stage failed without a message of its own: say which kind of failure it was. */
    if (rc != LK_STATUS_OK && err != NULL && err->status == LK_STATUS_OK)
        lk_error_set(err, rc, "%s",
                     rc == LK_STATUS_CRYPTO      ? "OpenSSL digest or HMAC failed"
                     : rc == LK_STATUS_TOO_LARGE ? "request too large to sign"
                                                 : s_msg_invalid);
    return rc;
}

/* ---------------------------------------------------------------------------------------------
 * Release and describe
 * ------------------------------------------------------------------------------------------- */

void lk_sigv4_free_string(char *str)
{
    free(str);
}

void lk_sigv4_free_signing_key(struct lk_sigv4_signing_key *key)
{
    if (key == NULL) {
        return;
    }
    EVP_MAC_CTX_free(key->mac_ctx);
    OPENSSL_cleanse(key->bytes, sizeof(key->bytes));
    free(key);
}

void lk_sigv4_free_auth_headers(struct lk_sigv4_auth_headers *headers)
{
    if (headers == NULL) {
        return;
    }
    for (size_t i = 0; i < headers->header_count; ++i) {
        free(headers->headers[i].name);
        /* The X-Amz-Security-Token value is a credential. */
        if (headers->headers[i].value != NULL) {
            OPENSSL_cleanse(headers->headers[i].value, strlen(headers->headers[i].value));
            free(headers->headers[i].value);
        }
    }
    free(headers);
}
