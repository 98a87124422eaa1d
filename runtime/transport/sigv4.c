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

#include "common/hash.h"

#define S_AMZ_DATE_LEN 16  /* YYYYMMDDTHHMMSSZ */
#define S_SCOPE_DATE_LEN 8 /* YYYYMMDD */
#define S_SECONDS_PER_DAY 86400

/* 9999-12-31T23:59:59Z: the last instant a four-digit X-Amz-Date year can express. */
#define S_MAX_TIME_EPOCH_S INT64_C(253402300799)

static const char s_algorithm[] = "AWS4-HMAC-SHA256";
static const char s_scope_terminator[] = "aws4_request";

/* Set rc from a call and jump to the function's cleanup label when it failed. */
#define S_GUARD(expr)                                                                              \
    do {                                                                                           \
        rc = (expr);                                                                               \
        if (rc != LK_SIGV4_OK) {                                                                   \
            goto cleanup;                                                                          \
        }                                                                                          \
    } while (0)

/* Set rc to error_code and jump to cleanup when cond does not hold. */
#define S_ENSURE(cond, error_code)                                                                 \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            rc = (error_code);                                                                     \
            goto cleanup;                                                                          \
        }                                                                                          \
    } while (0)

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

static void *s_xrealloc(void *ptr, size_t size_bytes)
{
    void *grown = realloc(ptr, size_bytes == 0 ? 1 : size_bytes);
    if (grown == NULL) {
        s_out_of_memory(size_bytes);
    }
    return grown;
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

/* A growable NUL-terminated byte string. Never used for key material: growing it leaves old
 * copies behind in freed memory. */
struct s_strbuf {
    char *data; /* owned; NULL until the first append */
    size_t len_bytes;
    size_t cap_bytes;
};

static void s_strbuf_reserve(struct s_strbuf *buf, size_t extra_bytes)
{
    size_t needed_bytes = s_size_add(s_size_add(buf->len_bytes, extra_bytes), 1);
    if (needed_bytes <= buf->cap_bytes) {
        return;
    }
    size_t cap_bytes = buf->cap_bytes == 0 ? 64 : buf->cap_bytes;
    while (cap_bytes < needed_bytes) {
        cap_bytes = s_size_mul(cap_bytes, 2);
    }
    buf->data = s_xrealloc(buf->data, cap_bytes);
    buf->cap_bytes = cap_bytes;
}

static void s_strbuf_append(struct s_strbuf *buf, const void *bytes, size_t len_bytes)
{
    s_strbuf_reserve(buf, len_bytes);
    if (len_bytes > 0) {
        memcpy(buf->data + buf->len_bytes, bytes, len_bytes);
    }
    buf->len_bytes += len_bytes;
    buf->data[buf->len_bytes] = '\0';
}

static void s_strbuf_append_str(struct s_strbuf *buf, const char *str)
{
    s_strbuf_append(buf, str, strlen(str));
}

static void s_strbuf_append_char(struct s_strbuf *buf, char c)
{
    s_strbuf_append(buf, &c, 1);
}

/* Hand the string to the caller (an empty string if nothing was appended). */
static char *s_strbuf_take(struct s_strbuf *buf)
{
    s_strbuf_reserve(buf, 0);
    buf->data[buf->len_bytes] = '\0';
    char *data = buf->data;
    buf->data = NULL;
    buf->len_bytes = 0;
    buf->cap_bytes = 0;
    return data;
}

static void s_strbuf_release(struct s_strbuf *buf)
{
    free(buf->data);
    buf->data = NULL;
    buf->len_bytes = 0;
    buf->cap_bytes = 0;
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

static void s_append_encoded(struct s_strbuf *buf, const unsigned char *bytes, size_t len_bytes,
                             bool keep_slash)
{
    for (size_t i = 0; i < len_bytes; ++i) {
        unsigned char c = bytes[i];
        if (s_is_unreserved(c) || (keep_slash && c == '/')) {
            s_strbuf_append_char(buf, (char)c);
        } else {
            /* [IAM] the hex digits of an escape are uppercase (%1A, not %1a). */
            char escape[3] = {'%', s_hex_upper[c >> 4], s_hex_upper[c & 0x0f]};
            s_strbuf_append(buf, escape, sizeof(escape));
        }
    }
}

/* Decode %XY escapes. A '%' that does not start a valid escape is kept as a literal byte, the
 * way servers treat it, so that it is then encoded as %25. The result may contain NUL bytes:
 * use out->len_bytes, not strlen. */
static void s_append_decoded(struct s_strbuf *out, const char *in, size_t in_len_bytes)
{
    s_strbuf_reserve(out, in_len_bytes);
    for (size_t i = 0; i < in_len_bytes; ++i) {
        if (in[i] == '%' && i + 2 < in_len_bytes) {
            int hi = s_hex_value(in[i + 1]);
            int lo = s_hex_value(in[i + 2]);
            if (hi >= 0 && lo >= 0) {
                s_strbuf_append_char(out, (char)(unsigned char)((hi << 4) | lo));
                i += 2;
                continue;
            }
        }
        s_strbuf_append_char(out, in[i]);
    }
}

int lk_sigv4_encode_uri(const void *in, size_t in_len_bytes, bool keep_slash, char **out_encoded)
{
    int rc = LK_SIGV4_OK;
    struct s_strbuf buf = {0};

    S_ENSURE(out_encoded != NULL, LK_SIGV4_ERR_INVALID_ARGUMENT);
    *out_encoded = NULL;
    S_ENSURE(in != NULL || in_len_bytes == 0, LK_SIGV4_ERR_INVALID_ARGUMENT);

    s_append_encoded(&buf, in, in_len_bytes, keep_slash);
    *out_encoded = s_strbuf_take(&buf);

cleanup:
    s_strbuf_release(&buf);
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
static void s_remove_dot_segments(const char *path, size_t path_len_bytes, struct s_strbuf *out)
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

    s_strbuf_append_char(out, '/');
    for (size_t i = 0; i < seg_count; ++i) {
        if (i > 0) {
            s_strbuf_append_char(out, '/');
        }
        s_strbuf_append(out, path + segments[i].offset_bytes, segments[i].len_bytes);
    }
    if (seg_count > 0 && path[path_len_bytes - 1] == '/') {
        s_strbuf_append_char(out, '/');
    }

    free(segments);
}

int lk_sigv4_canonicalize_uri(const char *path, bool normalize_path, char **out_uri)
{
    int rc = LK_SIGV4_OK;
    struct s_strbuf prepared = {0};
    struct s_strbuf encoded = {0};

    S_ENSURE(out_uri != NULL, LK_SIGV4_ERR_INVALID_ARGUMENT);
    *out_uri = NULL;
    S_ENSURE(path != NULL, LK_SIGV4_ERR_INVALID_ARGUMENT);

    size_t path_len_bytes = strcspn(path, "?");
    S_ENSURE(path_len_bytes == 0 || path[0] == '/', LK_SIGV4_ERR_INVALID_ARGUMENT);

    if (path_len_bytes == 0) {
        /* [IAM] an empty absolute path is signed as "/". */
        s_strbuf_append_char(&prepared, '/');
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
    s_append_encoded(&encoded, (const unsigned char *)prepared.data, prepared.len_bytes, true);
    *out_uri = s_strbuf_take(&encoded);

cleanup:
    s_strbuf_release(&prepared);
    s_strbuf_release(&encoded);
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
    struct s_strbuf decoded = {0};
    struct s_strbuf encoded = {0};
    s_append_decoded(&decoded, part, part_len_bytes);
    s_append_encoded(&encoded, (const unsigned char *)decoded.data, decoded.len_bytes, false);
    s_strbuf_release(&decoded);
    return s_strbuf_take(&encoded);
}

int lk_sigv4_canonicalize_query(const char *path, char **out_query)
{
    int rc = LK_SIGV4_OK;
    struct s_query_param *params = NULL;
    size_t param_count = 0;
    struct s_strbuf buf = {0};

    S_ENSURE(out_query != NULL, LK_SIGV4_ERR_INVALID_ARGUMENT);
    *out_query = NULL;
    S_ENSURE(path != NULL, LK_SIGV4_ERR_INVALID_ARGUMENT);

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
            s_strbuf_append_char(&buf, '&');
        }
        s_strbuf_append_str(&buf, params[i].name);
        s_strbuf_append_char(&buf, '=');
        s_strbuf_append_str(&buf, params[i].value);
    }
    *out_query = s_strbuf_take(&buf);

cleanup:
    for (size_t i = 0; i < param_count; ++i) {
        free(params[i].name);
        free(params[i].value);
    }
    free(params);
    s_strbuf_release(&buf);
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
    struct s_strbuf buf = {0};
    bool pending_space = false;
    for (const char *p = value; *p != '\0'; ++p) {
        if (s_is_header_space((unsigned char)*p)) {
            pending_space = buf.len_bytes > 0;
            continue;
        }
        if (pending_space) {
            s_strbuf_append_char(&buf, ' ');
            pending_space = false;
        }
        s_strbuf_append_char(&buf, *p);
    }
    return s_strbuf_take(&buf);
}

int lk_sigv4_canonicalize_headers(const struct lk_sigv4_header *headers, size_t header_count,
                                  char **out_canonical_headers, char **out_signed_headers)
{
    int rc = LK_SIGV4_OK;
    struct s_header_entry *entries = NULL;
    size_t entry_count = 0;
    struct s_strbuf canonical = {0};
    struct s_strbuf signed_names = {0};

    S_ENSURE(out_canonical_headers != NULL && out_signed_headers != NULL,
             LK_SIGV4_ERR_INVALID_ARGUMENT);
    *out_canonical_headers = NULL;
    *out_signed_headers = NULL;
    S_ENSURE(headers != NULL || header_count == 0, LK_SIGV4_ERR_INVALID_ARGUMENT);

    entries = s_xmalloc(s_size_mul(header_count, sizeof(*entries)));
    for (size_t i = 0; i < header_count; ++i) {
        S_ENSURE(headers[i].name != NULL && headers[i].value != NULL,
                 LK_SIGV4_ERR_INVALID_ARGUMENT);
        S_ENSURE(s_is_token(headers[i].name), LK_SIGV4_ERR_INVALID_HEADER);
        char *name = s_lowercase_copy(headers[i].name);
        if (s_is_unsigned_header(name)) {
            free(name);
            continue;
        }
        entries[entry_count].name = name;
        entries[entry_count].value = s_canonical_header_value(headers[i].value);
        entries[entry_count].input_index = i;
        ++entry_count;
    }

    /* [IAM] lowercase names sorted by character code, one line per name, the values of a
     * repeated name joined with commas (vector get-header-key-duplicate). */
    qsort(entries, entry_count, sizeof(*entries), s_compare_header_entries);
    for (size_t i = 0; i < entry_count; ++i) {
        bool same_as_previous = i > 0 && strcmp(entries[i].name, entries[i - 1].name) == 0;
        if (same_as_previous) {
            s_strbuf_append_char(&canonical, ',');
        } else {
            if (i > 0) {
                s_strbuf_append_char(&canonical, '\n');
                s_strbuf_append_char(&signed_names, ';');
            }
            s_strbuf_append_str(&canonical, entries[i].name);
            s_strbuf_append_char(&canonical, ':');
            s_strbuf_append_str(&signed_names, entries[i].name);
        }
        s_strbuf_append_str(&canonical, entries[i].value);
    }
    if (entry_count > 0) {
        s_strbuf_append_char(&canonical, '\n');
    }

    *out_canonical_headers = s_strbuf_take(&canonical);
    *out_signed_headers = s_strbuf_take(&signed_names);

cleanup:
    for (size_t i = 0; i < entry_count; ++i) {
        free(entries[i].name);
        free(entries[i].value);
    }
    free(entries);
    s_strbuf_release(&canonical);
    s_strbuf_release(&signed_names);
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

static int s_sha256_hex(const void *data, size_t len_bytes, char **out_hex)
{
    int rc = LK_SIGV4_OK;
    char *hex = NULL;

    *out_hex = NULL;
    if (len_bytes == 0) {
        *out_hex = s_xstrdup(lk_sigv4_empty_sha256_hex);
        return LK_SIGV4_OK;
    }
    hex = s_xmalloc(LK_SHA256_HEX_LEN + 1);
    S_ENSURE(lk_sha256_hex(data, len_bytes, hex) == 0, LK_SIGV4_ERR_CRYPTO);
    *out_hex = hex;
    hex = NULL;

cleanup:
    free(hex);
    return rc;
}

int lk_sigv4_hash_payload(const struct lk_sigv4_request *request, char **out_payload_hash)
{
    int rc = LK_SIGV4_OK;

    S_ENSURE(out_payload_hash != NULL, LK_SIGV4_ERR_INVALID_ARGUMENT);
    *out_payload_hash = NULL;
    S_ENSURE(request != NULL, LK_SIGV4_ERR_INVALID_ARGUMENT);

    switch (request->payload_kind) {
    case LK_SIGV4_PAYLOAD_BODY:
        S_ENSURE(request->body != NULL || request->body_len_bytes == 0,
                 LK_SIGV4_ERR_INVALID_ARGUMENT);
        S_GUARD(s_sha256_hex(request->body, request->body_len_bytes, out_payload_hash));
        break;
    case LK_SIGV4_PAYLOAD_PRECOMPUTED:
        /* [IAM] the payload line is the lowercase hex SHA-256 of the body; reject anything else
         * here rather than get SignatureDoesNotMatch from the server. */
        S_ENSURE(request->payload_sha256_hex != NULL &&
                     s_is_lower_hex(request->payload_sha256_hex, LK_SHA256_HEX_LEN),
                 LK_SIGV4_ERR_INVALID_ARGUMENT);
        *out_payload_hash = s_xstrdup(request->payload_sha256_hex);
        break;
    case LK_SIGV4_PAYLOAD_UNSIGNED:
        /* [S3] "Unsigned payload option": the literal string takes the hash's place. */
        *out_payload_hash = s_xstrdup(LK_SIGV4_UNSIGNED_PAYLOAD);
        break;
    default:
        rc = LK_SIGV4_ERR_INVALID_ARGUMENT;
        break;
    }

cleanup:
    return rc;
}

int lk_sigv4_build_canonical_request(const struct lk_sigv4_request *request, bool normalize_path,
                                     char **out_canonical_request, char **out_signed_headers)
{
    int rc = LK_SIGV4_OK;
    char *uri = NULL;
    char *query = NULL;
    char *canonical_headers = NULL;
    char *signed_headers = NULL;
    char *payload_hash = NULL;
    struct s_strbuf buf = {0};

    S_ENSURE(out_canonical_request != NULL, LK_SIGV4_ERR_INVALID_ARGUMENT);
    *out_canonical_request = NULL;
    if (out_signed_headers != NULL) {
        *out_signed_headers = NULL;
    }
    S_ENSURE(request != NULL && request->method != NULL && request->path != NULL,
             LK_SIGV4_ERR_INVALID_ARGUMENT);
    S_ENSURE(s_is_token(request->method), LK_SIGV4_ERR_INVALID_ARGUMENT);

    S_GUARD(lk_sigv4_canonicalize_uri(request->path, normalize_path, &uri));
    S_GUARD(lk_sigv4_canonicalize_query(request->path, &query));
    S_GUARD(lk_sigv4_canonicalize_headers(request->headers, request->header_count,
                                          &canonical_headers, &signed_headers));
    S_GUARD(lk_sigv4_hash_payload(request, &payload_hash));

    /* [IAM] CanonicalRequest = Method \n URI \n Query \n Headers \n SignedHeaders \n Payload.
     * The headers block already ends in '\n', which is why a blank line follows it. */
    s_strbuf_append_str(&buf, request->method);
    s_strbuf_append_char(&buf, '\n');
    s_strbuf_append_str(&buf, uri);
    s_strbuf_append_char(&buf, '\n');
    s_strbuf_append_str(&buf, query);
    s_strbuf_append_char(&buf, '\n');
    s_strbuf_append_str(&buf, canonical_headers);
    s_strbuf_append_char(&buf, '\n');
    s_strbuf_append_str(&buf, signed_headers);
    s_strbuf_append_char(&buf, '\n');
    s_strbuf_append_str(&buf, payload_hash);

    *out_canonical_request = s_strbuf_take(&buf);
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
    s_strbuf_release(&buf);
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

int lk_sigv4_convert_tm(const struct tm *utc_time, int64_t *out_time_epoch_s)
{
    int rc = LK_SIGV4_OK;
    static const int days_in_month[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

    S_ENSURE(utc_time != NULL && out_time_epoch_s != NULL, LK_SIGV4_ERR_INVALID_ARGUMENT);
    *out_time_epoch_s = 0;

    int64_t year = (int64_t)utc_time->tm_year + 1900;
    S_ENSURE(year >= 1970 && year <= 9999, LK_SIGV4_ERR_TIME_RANGE);
    S_ENSURE(utc_time->tm_mon >= 0 && utc_time->tm_mon <= 11, LK_SIGV4_ERR_TIME_RANGE);
    int month_days =
        days_in_month[utc_time->tm_mon] + (utc_time->tm_mon == 1 && s_is_leap_year(year));
    S_ENSURE(utc_time->tm_mday >= 1 && utc_time->tm_mday <= month_days, LK_SIGV4_ERR_TIME_RANGE);
    S_ENSURE(utc_time->tm_hour >= 0 && utc_time->tm_hour <= 23, LK_SIGV4_ERR_TIME_RANGE);
    S_ENSURE(utc_time->tm_min >= 0 && utc_time->tm_min <= 59, LK_SIGV4_ERR_TIME_RANGE);
    S_ENSURE(utc_time->tm_sec >= 0 && utc_time->tm_sec <= 60, LK_SIGV4_ERR_TIME_RANGE);

    int64_t days = s_days_from_civil(year, utc_time->tm_mon + 1, utc_time->tm_mday);
    int64_t epoch_s = days * S_SECONDS_PER_DAY + (int64_t)utc_time->tm_hour * 3600 +
                      (int64_t)utc_time->tm_min * 60 + utc_time->tm_sec;
    /* A leap second on 9999-12-31 would leave the four-digit range. */
    S_ENSURE(epoch_s <= S_MAX_TIME_EPOCH_S, LK_SIGV4_ERR_TIME_RANGE);
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
static int s_amz_date(int64_t time_epoch_s, char out[S_AMZ_DATE_LEN + 1])
{
    int rc = LK_SIGV4_OK;
    int year = 0;
    int month = 0;
    int day = 0;

    /* [IAM] X-Amz-Date is ISO 8601 basic format, YYYYMMDD'T'HHMMSS'Z', in UTC. */
    S_ENSURE(time_epoch_s >= 0 && time_epoch_s <= S_MAX_TIME_EPOCH_S, LK_SIGV4_ERR_TIME_RANGE);
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

int lk_sigv4_format_amz_date(int64_t time_epoch_s, char **out_amz_date)
{
    int rc = LK_SIGV4_OK;
    char amz_date[S_AMZ_DATE_LEN + 1];

    S_ENSURE(out_amz_date != NULL, LK_SIGV4_ERR_INVALID_ARGUMENT);
    *out_amz_date = NULL;
    S_GUARD(s_amz_date(time_epoch_s, amz_date));
    *out_amz_date = s_xstrdup(amz_date);

cleanup:
    return rc;
}

/* ---------------------------------------------------------------------------------------------
 * Stage 2: string to sign
 * ------------------------------------------------------------------------------------------- */

static int s_check_params(const struct lk_sigv4_signing_params *params)
{
    int rc = LK_SIGV4_OK;

    S_ENSURE(params != NULL, LK_SIGV4_ERR_INVALID_ARGUMENT);
    S_ENSURE(s_is_scope_part(params->region) && s_is_scope_part(params->service),
             LK_SIGV4_ERR_INVALID_ARGUMENT);
    S_ENSURE(params->time_epoch_s >= 0 && params->time_epoch_s <= S_MAX_TIME_EPOCH_S,
             LK_SIGV4_ERR_TIME_RANGE);

cleanup:
    return rc;
}

int lk_sigv4_format_scope(const struct lk_sigv4_signing_params *params, char **out_scope)
{
    int rc = LK_SIGV4_OK;
    char amz_date[S_AMZ_DATE_LEN + 1];
    struct s_strbuf buf = {0};

    S_ENSURE(out_scope != NULL, LK_SIGV4_ERR_INVALID_ARGUMENT);
    *out_scope = NULL;
    S_GUARD(s_check_params(params));
    S_GUARD(s_amz_date(params->time_epoch_s, amz_date));

    /* [IAM] CredentialScope = YYYYMMDD/region/service/aws4_request, the date being the UTC
     * day of X-Amz-Date. */
    s_strbuf_append(&buf, amz_date, S_SCOPE_DATE_LEN);
    s_strbuf_append_char(&buf, '/');
    s_strbuf_append_str(&buf, params->region);
    s_strbuf_append_char(&buf, '/');
    s_strbuf_append_str(&buf, params->service);
    s_strbuf_append_char(&buf, '/');
    s_strbuf_append_str(&buf, s_scope_terminator);
    *out_scope = s_strbuf_take(&buf);

cleanup:
    s_strbuf_release(&buf);
    return rc;
}

int lk_sigv4_build_string_to_sign(const struct lk_sigv4_signing_params *params,
                                  const char *canonical_request, char **out_string_to_sign)
{
    int rc = LK_SIGV4_OK;
    char amz_date[S_AMZ_DATE_LEN + 1];
    char *scope = NULL;
    char *creq_hash = NULL;
    struct s_strbuf buf = {0};

    S_ENSURE(out_string_to_sign != NULL, LK_SIGV4_ERR_INVALID_ARGUMENT);
    *out_string_to_sign = NULL;
    S_ENSURE(canonical_request != NULL, LK_SIGV4_ERR_INVALID_ARGUMENT);
    S_GUARD(lk_sigv4_format_scope(params, &scope));
    S_GUARD(s_amz_date(params->time_epoch_s, amz_date));
    S_GUARD(s_sha256_hex(canonical_request, strlen(canonical_request), &creq_hash));

    /* [IAM] StringToSign = Algorithm \n RequestDateTime \n CredentialScope \n
     * HashedCanonicalRequest. */
    s_strbuf_append_str(&buf, s_algorithm);
    s_strbuf_append_char(&buf, '\n');
    s_strbuf_append_str(&buf, amz_date);
    s_strbuf_append_char(&buf, '\n');
    s_strbuf_append_str(&buf, scope);
    s_strbuf_append_char(&buf, '\n');
    s_strbuf_append_str(&buf, creq_hash);
    *out_string_to_sign = s_strbuf_take(&buf);

cleanup:
    free(scope);
    free(creq_hash);
    s_strbuf_release(&buf);
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
static int s_hmac_with(const EVP_MAC_CTX *keyed, const void *data, size_t data_len_bytes,
                       unsigned char out[LK_SHA256_BYTES])
{
    int rc = LK_SIGV4_OK;
    size_t out_len_bytes = 0;
    EVP_MAC_CTX *ctx = EVP_MAC_CTX_dup(keyed);

    S_ENSURE(ctx != NULL, LK_SIGV4_ERR_CRYPTO);
    S_ENSURE(data_len_bytes == 0 || EVP_MAC_update(ctx, data, data_len_bytes) == 1,
             LK_SIGV4_ERR_CRYPTO);
    S_ENSURE(EVP_MAC_final(ctx, out, &out_len_bytes, LK_SHA256_BYTES) == 1, LK_SIGV4_ERR_CRYPTO);
    S_ENSURE(out_len_bytes == LK_SHA256_BYTES, LK_SIGV4_ERR_CRYPTO);

cleanup:
    EVP_MAC_CTX_free(ctx); /* frees (and OpenSSL cleanses) the keyed state */
    return rc;
}

static int s_hmac_sha256(const unsigned char *key, size_t key_len_bytes, const void *data,
                         size_t data_len_bytes, unsigned char out[LK_SHA256_BYTES])
{
    int rc = LK_SIGV4_OK;
    EVP_MAC_CTX *ctx = s_hmac_new(key, key_len_bytes);

    S_ENSURE(ctx != NULL, LK_SIGV4_ERR_CRYPTO);
    S_GUARD(s_hmac_with(ctx, data, data_len_bytes, out));

cleanup:
    EVP_MAC_CTX_free(ctx);
    return rc;
}

int lk_sigv4_derive_signing_key(const char *secret_access_key,
                                const struct lk_sigv4_signing_params *params,
                                struct lk_sigv4_signing_key **out_key)
{
    int rc = LK_SIGV4_OK;
    unsigned char *prefixed_secret = NULL; /* "AWS4" + secret: key material */
    size_t prefixed_len_bytes = 0;
    unsigned char k_date[LK_SHA256_BYTES];
    unsigned char k_region[LK_SHA256_BYTES];
    unsigned char k_service[LK_SHA256_BYTES];
    struct lk_sigv4_signing_key *key = NULL;
    char amz_date[S_AMZ_DATE_LEN + 1];

    S_ENSURE(out_key != NULL, LK_SIGV4_ERR_INVALID_ARGUMENT);
    *out_key = NULL;
    S_ENSURE(secret_access_key != NULL && secret_access_key[0] != '\0',
             LK_SIGV4_ERR_INVALID_ARGUMENT);
    S_GUARD(s_check_params(params));
    S_GUARD(s_amz_date(params->time_epoch_s, amz_date));

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
    S_GUARD(s_hmac_sha256(prefixed_secret, prefixed_len_bytes, amz_date, S_SCOPE_DATE_LEN, k_date));
    S_GUARD(
        s_hmac_sha256(k_date, sizeof(k_date), params->region, strlen(params->region), k_region));
    S_GUARD(s_hmac_sha256(k_region, sizeof(k_region), params->service, strlen(params->service),
                          k_service));
    S_GUARD(s_hmac_sha256(k_service, sizeof(k_service), s_scope_terminator,
                          strlen(s_scope_terminator), key->bytes));
    key->mac_ctx = s_hmac_new(key->bytes, sizeof(key->bytes));
    S_ENSURE(key->mac_ctx != NULL, LK_SIGV4_ERR_CRYPTO);

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

int lk_sigv4_compute_signature(const struct lk_sigv4_signing_key *key, const char *string_to_sign,
                               char **out_signature_hex)
{
    int rc = LK_SIGV4_OK;
    unsigned char mac[LK_SHA256_BYTES];

    S_ENSURE(out_signature_hex != NULL, LK_SIGV4_ERR_INVALID_ARGUMENT);
    *out_signature_hex = NULL;
    S_ENSURE(key != NULL && string_to_sign != NULL, LK_SIGV4_ERR_INVALID_ARGUMENT);

    /* [IAM] signature = hex(HMAC-SHA256(kSigning, StringToSign)), lowercase. */
    if (key->mac_ctx != NULL)
        S_GUARD(s_hmac_with(key->mac_ctx, string_to_sign, strlen(string_to_sign), mac));
    else
        S_GUARD(s_hmac_sha256(key->bytes, sizeof(key->bytes), string_to_sign,
                              strlen(string_to_sign), mac));
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

int lk_sigv4_build_authorization(const char *access_key_id,
                                 const struct lk_sigv4_signing_params *params,
                                 const char *signed_headers, const char *signature_hex,
                                 char **out_authorization)
{
    int rc = LK_SIGV4_OK;
    char *scope = NULL;
    struct s_strbuf buf = {0};

    S_ENSURE(out_authorization != NULL, LK_SIGV4_ERR_INVALID_ARGUMENT);
    *out_authorization = NULL;
    S_ENSURE(s_is_valid_access_key_id(access_key_id), LK_SIGV4_ERR_INVALID_ARGUMENT);
    S_ENSURE(s_is_valid_signed_headers(signed_headers), LK_SIGV4_ERR_INVALID_ARGUMENT);
    S_ENSURE(signature_hex != NULL && s_is_lower_hex(signature_hex, LK_SHA256_HEX_LEN),
             LK_SIGV4_ERR_INVALID_ARGUMENT);
    S_GUARD(lk_sigv4_format_scope(params, &scope));

    /* [IAM] AWS4-HMAC-SHA256 Credential=AKID/scope, SignedHeaders=..., Signature=...: a comma
     * and one space between the parts. */
    s_strbuf_append_str(&buf, s_algorithm);
    s_strbuf_append_str(&buf, " Credential=");
    s_strbuf_append_str(&buf, access_key_id);
    s_strbuf_append_char(&buf, '/');
    s_strbuf_append_str(&buf, scope);
    s_strbuf_append_str(&buf, ", SignedHeaders=");
    s_strbuf_append_str(&buf, signed_headers);
    s_strbuf_append_str(&buf, ", Signature=");
    s_strbuf_append_str(&buf, signature_hex);
    *out_authorization = s_strbuf_take(&buf);

cleanup:
    free(scope);
    s_strbuf_release(&buf);
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
static int s_check_caller_headers(const struct lk_sigv4_request *request, unsigned int flags)
{
    int rc = LK_SIGV4_OK;
    bool has_host = false;

    S_ENSURE(request->headers != NULL || request->header_count == 0, LK_SIGV4_ERR_INVALID_ARGUMENT);
    for (size_t i = 0; i < request->header_count; ++i) {
        const char *name = request->headers[i].name;
        S_ENSURE(name != NULL && request->headers[i].value != NULL, LK_SIGV4_ERR_INVALID_ARGUMENT);
        S_ENSURE(!s_ascii_iequals(name, s_header_amz_date), LK_SIGV4_ERR_RESERVED_HEADER);
        S_ENSURE(!s_ascii_iequals(name, s_header_authorization), LK_SIGV4_ERR_RESERVED_HEADER);
        S_ENSURE(!s_ascii_iequals(name, s_header_security_token), LK_SIGV4_ERR_RESERVED_HEADER);
        S_ENSURE(!((flags & LK_SIGV4_FLAG_CONTENT_SHA256_HEADER) != 0 &&
                   s_ascii_iequals(name, s_header_content_sha256)),
                 LK_SIGV4_ERR_RESERVED_HEADER);
        has_host = has_host || s_ascii_iequals(name, "host");
    }
    /* [IAM] host is always a signed header; its value must be the one on the wire, port
     * included, which only the caller knows. */
    S_ENSURE(has_host, LK_SIGV4_ERR_MISSING_HOST);

cleanup:
    return rc;
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

int lk_sigv4_sign(const struct lk_sigv4_request *request,
                  const struct lk_sigv4_credentials *credentials,
                  const struct lk_sigv4_signing_params *params,
                  struct lk_sigv4_auth_headers **out_headers)
{
    int rc = LK_SIGV4_OK;
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

    S_ENSURE(out_headers != NULL, LK_SIGV4_ERR_INVALID_ARGUMENT);
    *out_headers = NULL;
    S_ENSURE(request != NULL && credentials != NULL && params != NULL,
             LK_SIGV4_ERR_INVALID_ARGUMENT);
    S_ENSURE((params->flags & ~(unsigned int)LK_SIGV4_FLAG_S3) == 0, LK_SIGV4_ERR_INVALID_ARGUMENT);
    S_ENSURE(s_is_valid_access_key_id(credentials->access_key_id), LK_SIGV4_ERR_INVALID_ARGUMENT);
    S_ENSURE(credentials->secret_access_key != NULL && credentials->secret_access_key[0] != '\0',
             LK_SIGV4_ERR_INVALID_ARGUMENT);
    S_ENSURE(s_is_valid_session_token(credentials->session_token), LK_SIGV4_ERR_INVALID_ARGUMENT);
    S_GUARD(s_check_params(params));
    S_GUARD(s_check_caller_headers(request, params->flags));

    S_GUARD(lk_sigv4_format_amz_date(params->time_epoch_s, &amz_date));
    S_GUARD(lk_sigv4_hash_payload(request, &payload_hash));

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

    S_GUARD(lk_sigv4_build_canonical_request(&to_sign, normalize_path, &canonical_request,
                                             &signed_headers));
    S_GUARD(lk_sigv4_build_string_to_sign(params, canonical_request, &string_to_sign));
    if (params->signing_key == NULL)
        S_GUARD(lk_sigv4_derive_signing_key(credentials->secret_access_key, params, &key));
    S_GUARD(lk_sigv4_compute_signature(params->signing_key ? params->signing_key : key,
                                       string_to_sign, &signature));
    S_GUARD(lk_sigv4_build_authorization(credentials->access_key_id, params, signed_headers,
                                         signature, &authorization));

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

const char *lk_sigv4_describe_error(int result)
{
    switch (result) {
    case LK_SIGV4_OK:
        return "success";
    case LK_SIGV4_ERR_INVALID_ARGUMENT:
        return "invalid argument";
    case LK_SIGV4_ERR_INVALID_HEADER:
        return "header name is not an HTTP token";
    case LK_SIGV4_ERR_RESERVED_HEADER:
        return "header is set by the signer and must not be passed in";
    case LK_SIGV4_ERR_MISSING_HOST:
        return "request has no Host header";
    case LK_SIGV4_ERR_TIME_RANGE:
        return "time outside 1970-01-01T00:00:00Z..9999-12-31T23:59:59Z or invalid";
    case LK_SIGV4_ERR_CRYPTO:
        return "OpenSSL digest or HMAC failed";
    default:
        return "unknown sigv4 result";
    }
}
