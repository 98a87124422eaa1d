/*
 * logkeep runtime: the libcurl implementation of the HTTP transport (http.h).
 *
 * One easy handle per transport, kept with its options between requests: the options that never
 * change (the security rules below, the callbacks, the body cap) are set once when the transport
 * is made, and each request sets only the URL, proxy, timeouts, method and headers, undoing the
 * previous request's method (s_set_method). The handle keeps its connection cache, so consecutive
 * calls to the same endpoint reuse the TCP and TLS session
 * (https://curl.se/libcurl/c/curl_easy_perform.html: "you can do any amount of calls to
 * curl_easy_perform while using the same easy_handle"; options are sticky). A transport is not
 * for concurrent use.
 *
 * Security rules, none of which can be switched off:
 *   - TLS peer and host verification (CURLOPT_SSL_VERIFYPEER/VERIFYHOST);
 *   - plain http:// only to loopback, or to the AWS metadata addresses when the request asks;
 *   - redirects are never followed (AWS answers a wrong region with 301 and an error body);
 *   - only http and https, so a URL from the environment cannot make curl speak another protocol;
 *   - the response body has a hard cap, checked against Content-Length up front and against the
 *     bytes received.
 */
#include "runtime/transport/http.h"

#include <curl/curl.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "common/arena.h"
#include "common/array.h"
#include "common/hash.h"

/* A response may carry at most this many header lines and header bytes. AWS answers carry about
 * ten; the cap only stops a hostile server from growing the list without bound (libcurl itself
 * refuses header lines over 100 KB). */
#define S_MAX_HEADERS 200
#define S_MAX_HEADER_BYTES ((size_t)64 * 1024)

/* What the callbacks collect during one request. */
struct s_exchange {
    struct lk_buf body; /* owned until handed to the response; secret (it may hold credentials:
                           STS, container and instance metadata answers), capped at the
                           transport's max_response_bytes */
    struct lk_http_header *headers; /* owned until handed to the response */
    size_t n_headers;
    size_t cap_headers;
    size_t header_bytes;
};

struct s_transport {
    CURL *easy; /* owned; keeps the connection cache and the fixed options between requests */
    struct s_exchange ex;         /* the current request's; the callbacks' user data */
    char errbuf[CURL_ERROR_SIZE]; /* CURLOPT_ERRORBUFFER */
    long connect_timeout_ms;
    long total_timeout_ms;
    size_t max_response_bytes;
    char *ca_file; /* owned, or NULL */
    /* "scheme://authority" of the last URL that passed s_perform()'s checks, owned, or NULL: a
     * later URL made of it and a path needs no parse (an API client sends every request to a
     * few origins). origin_no_proxy: the host is loopback or a metadata address. */
    char *origin;
    size_t origin_len;
    bool origin_no_proxy;
};

/* ---------------------------------------------------------------------------------------------
 * Global initialisation
 * ------------------------------------------------------------------------------------------- */

static pthread_once_t s_global_once = PTHREAD_ONCE_INIT;
static CURLcode s_global_rc = CURLE_FAILED_INIT;

static void s_global_init(void)
{
    /* curl_global_init is not thread-safe and must run once per process
     * (https://curl.se/libcurl/c/curl_global_init.html). */
    s_global_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

/* ---------------------------------------------------------------------------------------------
 * Small helpers (also public: see http.h)
 * ------------------------------------------------------------------------------------------- */

void lk_http_secure_zero(void *ptr, size_t len)
{
    if (ptr != NULL && len > 0)
        OPENSSL_cleanse(ptr, len);
}

void lk_http_free_secret(char *secret)
{
    if (secret == NULL)
        return;
    OPENSSL_cleanse(secret, strlen(secret));
    free(secret);
}

enum lk_status lk_http_content_md5(const void *body, size_t len, char out[LK_HTTP_MD5_BASE64_SIZE])
{
    enum lk_status rc = LK_STATUS_CRYPTO;
    unsigned char digest[LK_MD5_BYTES];

    out[0] = '\0';
    if (lk_md5(body, len, digest) != 0)
        goto cleanup;
    /* RFC 1864: the value is the base64 of the 128-bit digest itself, not of its hex form. */
    if (EVP_EncodeBlock((unsigned char *)out, digest, (int)sizeof(digest)) != 24)
        goto cleanup;
    rc = LK_STATUS_OK;

cleanup:
    OPENSSL_cleanse(digest, sizeof(digest));
    return rc;
}

/* The first words of the message of each kind of failure; users and the --debug trace see
 * them. */
static const char s_sum_connect[] = "could not connect, or the connection was reset";
static const char s_sum_timeout[] = "timed out";
static const char s_sum_too_large[] = "response larger than the limit";
static const char s_sum_truncated[] = "connection closed before the response was complete";
static const char s_sum_tls[] = "TLS handshake failed";
static const char s_sum_tls_verify[] =
    "the server's TLS certificate could not be verified (AWS_CA_BUNDLE names an extra CA bundle "
    "to trust)";
static const char s_sum_insecure[] = "plain http:// is only allowed to loopback addresses";
static const char s_sum_url[] = "malformed or unsupported URL";
static const char s_sum_other[] = "transport error";

/* Records why perform() got no usable response: the status, whether another attempt may
 * succeed, and the message "summary: detail". @return @p status. */
static enum lk_status s_fail(struct lk_http_response *resp, enum lk_status status, bool retryable,
                             const char *summary, const char *detail)
{
    resp->retryable = retryable;
    if (detail == NULL || detail[0] == '\0')
        return lk_error_set(&resp->error, status, "%s", summary);
    return lk_error_set(&resp->error, status, "%s: %s", summary, detail);
}

/* ---------------------------------------------------------------------------------------------
 * URLs
 * ------------------------------------------------------------------------------------------- */

void lk_http_url_free(struct lk_http_url *url)
{
    if (url == NULL)
        return;
    free(url->scheme);
    free(url->host);
    free(url->path);
    free(url->query);
    memset(url, 0, sizeof(*url));
}

/* Copies a string that libcurl allocated into our heap (so one free() works for both). */
static char *s_take_curl_string(char *s)
{
    char *copy = lk_xstrdup(s);
    curl_free(s);
    return copy;
}

enum lk_status lk_http_url_parse(const char *url, struct lk_http_url *out)
{
    enum lk_status rc = LK_STATUS_INVALID_ARGUMENT;
    CURLU *h = NULL;
    char *part = NULL;

    memset(out, 0, sizeof(*out));
    if (url == NULL || url[0] == '\0')
        goto cleanup;
    /* CR, LF, spaces and other controls would end up in the request line or a header. */
    for (const char *p = url; *p; p++)
        if ((unsigned char)*p <= 0x20 || *p == 0x7f)
            goto cleanup;
    h = curl_url();
    if (h == NULL)
        lk_oom();
    /* PATH_AS_IS: the S3 signature covers the path exactly as sent, so "." and ".." segments
     * must not be resolved on the way. */
    if (curl_url_set(h, CURLUPART_URL, url, CURLU_PATH_AS_IS) != CURLUE_OK)
        goto cleanup;

    if (curl_url_get(h, CURLUPART_SCHEME, &part, 0) != CURLUE_OK)
        goto cleanup;
    out->scheme = s_take_curl_string(part);
    part = NULL;
    for (char *p = out->scheme; *p; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');
    if (strcmp(out->scheme, "http") != 0 && strcmp(out->scheme, "https") != 0)
        goto cleanup;

    /* Credentials in the URL or a fragment have no place in an AWS endpoint. */
    if (curl_url_get(h, CURLUPART_USER, &part, 0) == CURLUE_OK)
        goto cleanup;
    if (curl_url_get(h, CURLUPART_FRAGMENT, &part, 0) == CURLUE_OK)
        goto cleanup;

    if (curl_url_get(h, CURLUPART_HOST, &part, 0) != CURLUE_OK)
        goto cleanup;
    out->host = s_take_curl_string(part);
    part = NULL;
    if (out->host[0] == '\0')
        goto cleanup;

    if (curl_url_get(h, CURLUPART_PORT, &part, 0) == CURLUE_OK) {
        char *end = NULL;
        errno = 0;
        long port = strtol(part, &end, 10);
        bool bad = errno != 0 || end == NULL || *end != '\0' || port <= 0 || port > 65535;
        curl_free(part);
        part = NULL;
        if (bad)
            goto cleanup;
        out->port = port;
    }

    if (curl_url_get(h, CURLUPART_PATH, &part, 0) != CURLUE_OK)
        goto cleanup;
    out->path = s_take_curl_string(part);
    part = NULL;
    if (out->path[0] == '\0') {
        free(out->path);
        out->path = lk_xstrdup("/");
    }

    if (curl_url_get(h, CURLUPART_QUERY, &part, 0) == CURLUE_OK) {
        out->query = s_take_curl_string(part);
        part = NULL;
    }
    rc = LK_STATUS_OK;

cleanup:
    if (part != NULL)
        curl_free(part);
    if (h != NULL)
        curl_url_cleanup(h);
    if (rc != LK_STATUS_OK)
        lk_http_url_free(out);
    return rc;
}

char *lk_http_url_host_header(const struct lk_http_url *url)
{
    long default_port = strcmp(url->scheme, "https") == 0 ? 443 : 80;
    struct lk_buf b;
    /* A host name is at most 253 characters (RFC 1035 section 2.3.4), a URL's host as parsed
     * can only be longer when it is malformed: a line holds it. */
    lk_buf_init(&b, LK_BUF_MAX_LINE);
    lk_buf_puts(&b, url->host);
    /* libcurl omits the port when it is the scheme's default; the signed Host must match. */
    if (url->port != 0 && url->port != default_port)
        lk_buf_printf(&b, ":%ld", url->port);
    char *host = lk_buf_take(&b, NULL);
    if (host == NULL)
        lk_oom(); /* a host of 64 KiB cannot come out of lk_http_url_parse() */
    return host;
}

/* The host without IPv6 brackets. */
static void s_bare_host(const char *host, char *out, size_t len)
{
    size_t n = strlen(host);
    if (n >= 2 && host[0] == '[' && host[n - 1] == ']') {
        host++;
        n -= 2;
    }
    /* Drop an IPv6 zone id ("fe80::1%25eth0"). */
    const char *pct = memchr(host, '%', n);
    if (pct != NULL)
        n = (size_t)(pct - host);
    if (n >= len)
        n = len - 1;
    memcpy(out, host, n);
    out[n] = '\0';
}

static bool s_host_is_loopback(const char *host)
{
    char bare[256];
    s_bare_host(host, bare, sizeof(bare));
    if (strcasecmp(bare, "localhost") == 0)
        return true;
    unsigned char addr[16];
    if (inet_pton(AF_INET, bare, addr) == 1)
        return addr[0] == 127; /* RFC 1122: 127.0.0.0/8 */
    if (inet_pton(AF_INET6, bare, addr) == 1) {
        static const unsigned char s_v6_loopback[16] = {0, 0, 0, 0, 0, 0, 0, 0,
                                                        0, 0, 0, 0, 0, 0, 0, 1};
        return memcmp(addr, s_v6_loopback, 16) == 0;
    }
    return false;
}

static bool s_host_is_metadata(const char *host)
{
    /* EC2 IMDS: 169.254.169.254 / fd00:ec2::254 (AWS SDKs and Tools Reference Guide, "IMDS
     * credential provider",
     * https://docs.aws.amazon.com/sdkref/latest/guide/feature-imds-credentials.html);
     * ECS: 169.254.170.2; EKS Pod Identity: 169.254.170.23 / fd00:ec2::23 (the same guide,
     * "Container credential provider",
     * https://docs.aws.amazon.com/sdkref/latest/guide/feature-container-credentials.html).
     * Compared as addresses, so "fd00:ec2:0::23" matches too. */
    static const char *const s_addresses[] = {"169.254.169.254", "169.254.170.2", "169.254.170.23",
                                              "fd00:ec2::23", "fd00:ec2::254"};
    char bare[256];
    unsigned char addr[16], want[16];
    s_bare_host(host, bare, sizeof(bare));
    int family = strchr(bare, ':') != NULL ? AF_INET6 : AF_INET;
    if (inet_pton(family, bare, addr) != 1)
        return false;
    for (size_t i = 0; i < sizeof(s_addresses) / sizeof(s_addresses[0]); i++) {
        int want_family = strchr(s_addresses[i], ':') != NULL ? AF_INET6 : AF_INET;
        if (want_family != family || inet_pton(want_family, s_addresses[i], want) != 1)
            continue;
        if (memcmp(addr, want, family == AF_INET ? 4 : 16) == 0)
            return true;
    }
    return false;
}

bool lk_http_url_is_loopback(const char *url)
{
    struct lk_http_url u;
    bool yes = false;
    if (lk_http_url_parse(url, &u) == LK_STATUS_OK)
        yes = s_host_is_loopback(u.host);
    lk_http_url_free(&u);
    return yes;
}

bool lk_http_url_is_metadata(const char *url)
{
    struct lk_http_url u;
    bool yes = false;
    if (lk_http_url_parse(url, &u) == LK_STATUS_OK)
        yes = s_host_is_metadata(u.host);
    lk_http_url_free(&u);
    return yes;
}

/* ---------------------------------------------------------------------------------------------
 * Responses
 * ------------------------------------------------------------------------------------------- */

void lk_http_response_free(struct lk_http_response *resp)
{
    if (resp == NULL)
        return;
    for (size_t i = 0; i < resp->n_headers; i++) {
        free(resp->headers[i].name);
        free(resp->headers[i].value);
    }
    free(resp->headers);
    if (resp->body != NULL) {
        OPENSSL_cleanse(resp->body, resp->body_len);
        free(resp->body);
    }
    memset(resp, 0, sizeof(*resp));
}

const char *lk_http_header_get(const struct lk_http_response *resp, const char *name)
{
    if (resp == NULL || name == NULL)
        return NULL;
    for (size_t i = 0; i < resp->n_headers; i++)
        if (strcasecmp(resp->headers[i].name, name) == 0)
            return resp->headers[i].value;
    return NULL;
}

static void s_exchange_free(struct s_exchange *ex)
{
    for (size_t i = 0; i < ex->n_headers; i++) {
        free(ex->headers[i].name);
        free(ex->headers[i].value);
    }
    free(ex->headers);
    lk_buf_free(&ex->body);
    memset(ex, 0, sizeof(*ex));
}

static void s_headers_reset(struct s_exchange *ex)
{
    for (size_t i = 0; i < ex->n_headers; i++) {
        free(ex->headers[i].name);
        free(ex->headers[i].value);
    }
    ex->n_headers = 0;
    ex->header_bytes = 0;
}

/* Body bytes as they arrive, into a secret buffer (growing it wipes the old block: the body may
 * hold credentials). Past the cap the buffer fails, and returning less than asked aborts the
 * transfer (CURLE_WRITE_ERROR, reported as LK_STATUS_TOO_LARGE). */
static size_t s_on_body(char *data, size_t size, size_t nmemb, void *user)
{
    struct s_exchange *ex = user;
    size_t n = size * nmemb;
    lk_buf_append(&ex->body, data, n);
    return lk_buf_failed(&ex->body) ? 0 : n;
}

static char *s_trimmed_dup(const char *s, size_t len)
{
    while (len > 0 && (*s == ' ' || *s == '\t')) {
        s++;
        len--;
    }
    while (len > 0 &&
           (s[len - 1] == ' ' || s[len - 1] == '\t' || s[len - 1] == '\r' || s[len - 1] == '\n'))
        len--;
    return lk_xstrndup(s, len);
}

/* Sizes the body buffer once from the announced Content-Length, so that a body of a few
 * kilobytes is not copied (and, the buffer being secret, wiped) at every doubling on its way.
 * A length over the buffer's cap is left to the cap: the transfer fails on it anyway
 * (CURLOPT_MAXFILESIZE_LARGE), and the buffer then fails on the bytes received. */
static void s_reserve_body(struct s_exchange *ex, const char *value)
{
    char *end = NULL;
    errno = 0;
    unsigned long long announced = strtoull(value, &end, 10);
    if (errno != 0 || end == value || *end != '\0' || value[0] == '-' ||
        announced > ex->body.max_len || announced <= ex->body.len)
        return;
    (void)lk_buf_reserve(&ex->body, (size_t)announced - ex->body.len);
}

/* One header line at a time, the status line and the final empty line included. */
static size_t s_on_header(char *data, size_t size, size_t nmemb, void *user)
{
    struct s_exchange *ex = user;
    size_t n = size * nmemb;

    /* A new status line starts a new response (after "100 Continue" or an informational
     * answer): keep only the final response's headers. */
    if (n >= 5 && memcmp(data, "HTTP/", 5) == 0) {
        s_headers_reset(ex);
        return n;
    }
    size_t len = n;
    while (len > 0 && (data[len - 1] == '\r' || data[len - 1] == '\n'))
        len--;
    if (len == 0)
        return n;
    ex->header_bytes += len;
    if (ex->header_bytes > S_MAX_HEADER_BYTES)
        return n; /* ignore the excess rather than fail: the body decides the outcome */
    if ((data[0] == ' ' || data[0] == '\t') && ex->n_headers > 0) {
        /* obs-fold (RFC 9110 section 5.5): a continuation of the previous value. */
        struct lk_http_header *h = &ex->headers[ex->n_headers - 1];
        char *more = s_trimmed_dup(data, len);
        struct lk_buf b;
        /* Within S_MAX_HEADER_BYTES, checked above. */
        lk_buf_init(&b, S_MAX_HEADER_BYTES);
        lk_buf_puts(&b, h->value);
        lk_buf_putc(&b, ' ');
        lk_buf_puts(&b, more);
        free(more);
        char *joined = lk_buf_take(&b, NULL);
        if (joined == NULL)
            return n; /* cannot happen (see above); keep the value as it was */
        free(h->value);
        h->value = joined;
        return n;
    }
    const char *colon = memchr(data, ':', len);
    if (colon == NULL || colon == data || ex->n_headers >= S_MAX_HEADERS)
        return n;
    LK_ARRAY_GROW(ex->headers, ex->n_headers, ex->cap_headers);
    struct lk_http_header *h = &ex->headers[ex->n_headers++];
    h->name = s_trimmed_dup(data, (size_t)(colon - data));
    h->value = s_trimmed_dup(colon + 1, len - (size_t)(colon - data) - 1);
    if (strcasecmp(h->name, "Content-Length") == 0)
        s_reserve_body(ex, h->value);
    return n;
}

/* ---------------------------------------------------------------------------------------------
 * perform
 * ------------------------------------------------------------------------------------------- */

/* Records the failure of curl_easy_perform(). @p detail is libcurl's message. */
static enum lk_status s_curl_failure(CURLcode cc, const struct s_transport *t,
                                     const struct s_exchange *ex, const char *detail,
                                     struct lk_http_response *resp)
{
    switch (cc) {
    case CURLE_WRITE_ERROR:
    case CURLE_FILESIZE_EXCEEDED: {
        /* A write error is ours only when the body passed its cap. */
        if (cc == CURLE_WRITE_ERROR && !lk_buf_failed(&ex->body))
            return s_fail(resp, LK_STATUS_NETWORK, false, s_sum_other, detail);
        char why[96];
        snprintf(why, sizeof(why), "response body larger than %zu bytes", t->max_response_bytes);
        return s_fail(resp, LK_STATUS_TOO_LARGE, false, s_sum_too_large, why);
    }
    case CURLE_PARTIAL_FILE:
        return s_fail(resp, LK_STATUS_NETWORK, true, s_sum_truncated, detail);
    case CURLE_OPERATION_TIMEDOUT:
        return s_fail(resp, LK_STATUS_TIMEOUT, true, s_sum_timeout, detail);
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_CONNECT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
        return s_fail(resp, LK_STATUS_NETWORK, true, s_sum_connect, detail);
    /* Verification failures and unreadable CA files are not transient: a retry would fail the
     * same way, so they are not retried. */
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_CRL_BADFILE:
        return s_fail(resp, LK_STATUS_NETWORK, false, s_sum_tls_verify, detail);
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_USE_SSL_FAILED:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
    case CURLE_SSL_ENGINE_INITFAILED:
        return s_fail(resp, LK_STATUS_NETWORK, true, s_sum_tls, detail);
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL:
        return s_fail(resp, LK_STATUS_INVALID_ARGUMENT, false, s_sum_url, detail);
    default:
        return s_fail(resp, LK_STATUS_NETWORK, false, s_sum_other, detail);
    }
}

/* Frees a header list after wiping it: it holds the signature and possibly a session token. */
static void s_slist_free_wiped(struct curl_slist *list)
{
    for (struct curl_slist *p = list; p != NULL; p = p->next)
        if (p->data != NULL)
            OPENSSL_cleanse(p->data, strlen(p->data));
    curl_slist_free_all(list);
}

static struct curl_slist *s_slist_add(struct curl_slist *list, const char *line)
{
    struct curl_slist *grown = curl_slist_append(list, line);
    if (grown == NULL)
        lk_oom();
    return grown;
}

static bool s_valid_header(const struct lk_http_header *h)
{
    if (h->name == NULL || h->value == NULL || h->name[0] == '\0')
        return false;
    for (const char *p = h->name; *p; p++)
        if ((unsigned char)*p <= 0x20 || *p == ':' || *p == 0x7f)
            return false;
    /* A CR or LF in a value would split it into a second header (request smuggling). */
    return strpbrk(h->value, "\r\n") == NULL;
}

#define S_SETOPT(opt, val)                                                                         \
    do {                                                                                           \
        if (curl_easy_setopt(t->easy, (opt), (val)) != CURLE_OK) {                                 \
            rc = s_fail(resp, LK_STATUS_NETWORK, false, s_sum_other,                               \
                        "libcurl rejected option " #opt);                                          \
            goto cleanup;                                                                          \
        }                                                                                          \
    } while (0)

/* The length of "scheme://authority" at the start of url when a '/' follows it, else 0. */
static size_t s_origin_len(const char *url)
{
    const char *sep = strstr(url, "://");
    if (sep == NULL)
        return 0;
    size_t at = (size_t)(sep - url) + 3 + strcspn(sep + 3, "/?#");
    return url[at] == '/' ? at : 0;
}

/* url is the remembered origin followed by a path (and no fragment, which the parse refuses). */
static bool s_same_origin(const struct s_transport *t, const char *url)
{
    return t->origin != NULL && strncmp(url, t->origin, t->origin_len) == 0 &&
           url[t->origin_len] == '/' && strchr(url + t->origin_len, '#') == NULL;
}

static void s_remember_origin(struct s_transport *t, const char *url, bool no_proxy)
{
    size_t len = s_origin_len(url);
    if (len == 0)
        return;
    free(t->origin);
    t->origin = lk_xstrndup(url, len);
    t->origin_len = len;
    t->origin_no_proxy = no_proxy;
}

/* Sets the request's method, undoing whatever the previous request on the handle set: the
 * body fields first (setting CURLOPT_POSTFIELDS makes the request a POST), then
 * CURLOPT_HTTPGET, which makes it a plain GET again with CURLOPT_NOBODY off
 * (https://curl.se/libcurl/c/CURLOPT_HTTPGET.html), and no custom method. HEAD then sets
 * CURLOPT_NOBODY; any other method is CURLOPT_CUSTOMREQUEST, with the body (an empty one for
 * POST and PUT) as POSTFIELDS. @param sends_body set when a body goes out. */
static enum lk_status s_set_method(struct s_transport *t, const struct lk_http_request *req,
                                   bool *sends_body, struct lk_http_response *resp)
{
    enum lk_status rc = LK_STATUS_OK;

    *sends_body = false;
    S_SETOPT(CURLOPT_POSTFIELDS, (const void *)NULL);
    S_SETOPT(CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)-1);
    S_SETOPT(CURLOPT_CUSTOMREQUEST, (const char *)NULL);
    S_SETOPT(CURLOPT_HTTPGET, 1L);
    if (strcmp(req->method, "GET") == 0)
        return LK_STATUS_OK;
    if (strcmp(req->method, "HEAD") == 0) {
        S_SETOPT(CURLOPT_NOBODY, 1L);
        return LK_STATUS_OK;
    }
    S_SETOPT(CURLOPT_CUSTOMREQUEST, req->method);
    if (req->body != NULL || strcmp(req->method, "POST") == 0 || strcmp(req->method, "PUT") == 0) {
        static const char s_empty[1] = "";
        S_SETOPT(CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body_len);
        S_SETOPT(CURLOPT_POSTFIELDS, req->body != NULL ? (const void *)req->body : s_empty);
        *sends_body = true;
    }

cleanup:
    return rc;
}

/* The options that hold for every request of the transport, set once on its handle. */
static enum lk_status s_set_fixed_options(struct s_transport *t, struct lk_http_response *resp)
{
    enum lk_status rc = LK_STATUS_OK;

    S_SETOPT(CURLOPT_PATH_AS_IS, 1L);
    S_SETOPT(CURLOPT_PROTOCOLS_STR, "http,https");
    S_SETOPT(CURLOPT_FOLLOWLOCATION, 0L);
    S_SETOPT(CURLOPT_NOSIGNAL, 1L);
    /* HTTP/1.1, as botocore speaks it: S3 serves nothing else, and the signed Host header then
     * goes on the wire exactly as signed. */
    S_SETOPT(CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
    S_SETOPT(CURLOPT_ERRORBUFFER, t->errbuf);
    S_SETOPT(CURLOPT_SSL_VERIFYPEER, 1L);
    S_SETOPT(CURLOPT_SSL_VERIFYHOST, 2L);
    if (t->ca_file != NULL)
        S_SETOPT(CURLOPT_CAINFO, t->ca_file);
    /* Refuse early when Content-Length already announces too much. */
    S_SETOPT(CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)t->max_response_bytes);
    S_SETOPT(CURLOPT_WRITEFUNCTION, s_on_body);
    S_SETOPT(CURLOPT_WRITEDATA, &t->ex);
    S_SETOPT(CURLOPT_HEADERFUNCTION, s_on_header);
    S_SETOPT(CURLOPT_HEADERDATA, &t->ex);

cleanup:
    return rc;
}

static enum lk_status s_perform(void *impl, const struct lk_http_request *req,
                                struct lk_http_response *resp)
{
    struct s_transport *t = impl;
    enum lk_status rc = LK_STATUS_OK;
    struct s_exchange *ex = &t->ex;
    struct lk_http_url url;
    struct curl_slist *headers = NULL;
    bool has_content_type = false;

    memset(resp, 0, sizeof(*resp));
    s_exchange_free(ex);
    memset(&url, 0, sizeof(url));
    t->errbuf[0] = '\0';

    if (req == NULL || req->method == NULL || req->url == NULL ||
        (req->body == NULL && req->body_len != 0) || (req->headers == NULL && req->n_headers)) {
        rc = s_fail(resp, LK_STATUS_INVALID_ARGUMENT, false, s_sum_other, "invalid request");
        goto cleanup;
    }
    bool no_proxy;
    if (s_same_origin(t, req->url)) {
        no_proxy = t->origin_no_proxy;
    } else {
        if (lk_http_url_parse(req->url, &url) != LK_STATUS_OK) {
            rc = s_fail(resp, LK_STATUS_INVALID_ARGUMENT, false, s_sum_url,
                        "malformed or unsupported URL");
            goto cleanup;
        }
        /* Decided before any connection is made: plain HTTP would expose the signed request
         * and the credentials in the answers. */
        bool is_http = strcmp(url.scheme, "http") == 0;
        bool loopback = s_host_is_loopback(url.host);
        bool metadata = s_host_is_metadata(url.host);
        if (is_http && !loopback && !(req->allow_metadata_http && metadata)) {
            char why[320];
            snprintf(why, sizeof(why), "refused for %s; use https://", url.host);
            rc = s_fail(resp, LK_STATUS_INVALID_ARGUMENT, false, s_sum_insecure, why);
            goto cleanup;
        }
        no_proxy = loopback || metadata;
        /* Remembered only when the decision did not depend on allow_metadata_http. */
        if (!is_http || loopback)
            s_remember_origin(t, req->url, no_proxy);
    }

    lk_buf_init_secret(&ex->body, t->max_response_bytes);

    S_SETOPT(CURLOPT_URL, req->url);
    /* Loopback and the metadata addresses are never reached through a proxy from the
     * environment: a proxy would see instance or container credentials in the clear. Other
     * hosts follow libcurl's http_proxy/https_proxy/no_proxy handling (NULL: the default, which
     * reads the environment; https://curl.se/libcurl/c/CURLOPT_PROXY.html). */
    S_SETOPT(CURLOPT_PROXY, no_proxy ? "" : (const char *)NULL);
    long total_ms = req->timeout_ms > 0 ? req->timeout_ms : t->total_timeout_ms;
    long connect_ms = t->connect_timeout_ms;
    if (req->timeout_ms > 0 && req->timeout_ms < connect_ms)
        connect_ms = req->timeout_ms;
    S_SETOPT(CURLOPT_CONNECTTIMEOUT_MS, connect_ms);
    S_SETOPT(CURLOPT_TIMEOUT_MS, total_ms);

    for (size_t i = 0; i < req->n_headers; i++) {
        const struct lk_http_header *h = &req->headers[i];
        if (!s_valid_header(h)) {
            rc = s_fail(resp, LK_STATUS_INVALID_ARGUMENT, false, s_sum_other,
                        "invalid request header");
            goto cleanup;
        }
        if (strcasecmp(h->name, "Content-Type") == 0)
            has_content_type = true;
        /* Sized up front (no growth): the line may hold the signature or a session token,
         * and a reallocation would leave an unwiped copy. Most lines fit the stack buffer
         * (a session token is about a kilobyte; longer lines take the heap). */
        char small[1536];
        size_t need = strlen(h->name) + strlen(h->value) + 3;
        char *text = need <= sizeof(small) ? small : lk_xmalloc(need);
        /* "Name;" is libcurl's way to send a header with an empty value; "Name:" would
         * remove it. */
        if (h->value[0] == '\0')
            snprintf(text, need, "%s;", h->name);
        else
            snprintf(text, need, "%s: %s", h->name, h->value);
        headers = s_slist_add(headers, text);
        lk_http_secure_zero(text, need);
        if (text != small)
            free(text);
    }
    /* No "Expect: 100-continue": it adds a round trip, and the header is not signed. */
    headers = s_slist_add(headers, "Expect:");

    bool sends_body = false;
    rc = s_set_method(t, req, &sends_body, resp);
    if (rc != LK_STATUS_OK)
        goto cleanup;
    /* With POSTFIELDS libcurl adds "Content-Type: application/x-www-form-urlencoded"; botocore
     * sends no Content-Type on the S3 configuration PUTs (docs/protocol-notes.md section 3), so
     * remove it unless one was given. */
    if (sends_body && !has_content_type)
        headers = s_slist_add(headers, "Content-Type:");
    S_SETOPT(CURLOPT_HTTPHEADER, headers);

    CURLcode cc = curl_easy_perform(t->easy);
    /* The list is freed below: the handle must not keep a dangling pointer to it. */
    (void)curl_easy_setopt(t->easy, CURLOPT_HTTPHEADER, (struct curl_slist *)NULL);
    long status = 0;
    if (curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &status) != CURLE_OK)
        status = 0;
    if (cc != CURLE_OK) {
        rc = s_curl_failure(cc, t, ex, t->errbuf[0] ? t->errbuf : curl_easy_strerror(cc), resp);
        resp->status = status;
        goto cleanup;
    }
    resp->status = status;
    resp->headers = ex->headers;
    resp->n_headers = ex->n_headers;
    ex->headers = NULL;
    ex->n_headers = 0;
    /* Not failed: the transfer would have stopped with CURLE_WRITE_ERROR. An empty body is
     * "" (the take allocates it). */
    resp->body = (unsigned char *)lk_buf_take(&ex->body, &resp->body_len);
    if (resp->body == NULL) {
        rc = s_curl_failure(CURLE_FILESIZE_EXCEEDED, t, ex, NULL, resp);
        goto cleanup;
    }

cleanup:
    s_slist_free_wiped(headers);
    lk_http_url_free(&url);
    s_exchange_free(ex);
    return rc;
}

#undef S_SETOPT

static int64_t s_now_ms(void *impl)
{
    (void)impl;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void s_sleep_ms(void *impl, int64_t ms)
{
    (void)impl;
    if (ms <= 0)
        return;
    struct timespec req = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};
    struct timespec rem;
    /* A signal must not cut a backoff short. */
    while (nanosleep(&req, &rem) != 0 && errno == EINTR)
        req = rem;
}

static void s_destroy(void *impl)
{
    struct s_transport *t = impl;
    if (t == NULL)
        return;
    if (t->easy != NULL)
        curl_easy_cleanup(t->easy);
    s_exchange_free(&t->ex);
    free(t->ca_file);
    free(t->origin);
    free(t);
}

enum lk_status lk_http_curl_new(const struct lk_http_options *opts, struct lk_http_vtable *out,
                                struct lk_error *err)
{
    memset(out, 0, sizeof(*out));
    pthread_once(&s_global_once, s_global_init);
    if (s_global_rc != CURLE_OK)
        return lk_error_set(err, LK_STATUS_NETWORK, "%s", s_sum_other);
    struct s_transport *t = lk_xcalloc(1, sizeof(*t));
    t->easy = curl_easy_init();
    if (t->easy == NULL) {
        free(t);
        return lk_error_set(err, LK_STATUS_NETWORK, "%s", s_sum_other);
    }
    t->connect_timeout_ms = LK_HTTP_DEFAULT_CONNECT_TIMEOUT_MS;
    t->total_timeout_ms = LK_HTTP_DEFAULT_TOTAL_TIMEOUT_MS;
    t->max_response_bytes = LK_HTTP_DEFAULT_MAX_RESPONSE_BYTES;
    if (opts != NULL) {
        if (opts->connect_timeout_ms > 0)
            t->connect_timeout_ms = opts->connect_timeout_ms;
        if (opts->total_timeout_ms > 0)
            t->total_timeout_ms = opts->total_timeout_ms;
        if (opts->max_response_bytes > 0)
            t->max_response_bytes = opts->max_response_bytes;
        if (opts->ca_file != NULL)
            t->ca_file = lk_xstrdup(opts->ca_file);
    }
    struct lk_http_response unused;
    memset(&unused, 0, sizeof(unused));
    if (s_set_fixed_options(t, &unused) != LK_STATUS_OK) {
        enum lk_status rc = lk_error_set(err, LK_STATUS_NETWORK, "%s", unused.error.message);
        lk_http_response_free(&unused);
        s_destroy(t);
        return rc;
    }
    out->perform = s_perform;
    out->now_ms = s_now_ms;
    out->sleep_ms = s_sleep_ms;
    out->destroy = s_destroy;
    out->impl = t;
    return LK_STATUS_OK;
}
