/*
 * logkeep runtime: HTTP transport.
 *
 * Only runtime/transport/ includes libcurl. Everything above talks to a struct lk_http_vtable, so
 * unit tests can swap in a fake transport and clock, while integration tests use the real one
 * against the local AWS endpoint.
 */
#ifndef LK_HTTP_H
#define LK_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"
#include "common/result.h"

/* Largest response body accepted by default: the bounded buffer's cap for one HTTP body
 * (common/buf.h, LK_BUF_MAX_HTTP_BODY, 8 MiB). AWS responses for the operations logkeep uses are
 * kilobytes (a DescribeLogGroups page of 50 groups is about 15 KB); the cap stops a hostile or
 * broken endpoint from growing the process without bound. */
#define LK_HTTP_DEFAULT_MAX_RESPONSE_BYTES LK_BUF_MAX_HTTP_BODY
#define LK_HTTP_DEFAULT_CONNECT_TIMEOUT_MS 5000
#define LK_HTTP_DEFAULT_TOTAL_TIMEOUT_MS 60000

/*
 * Outcome of one HTTP exchange, independent of the HTTP status code: an enum lk_status
 * (common/result.h).
 *   LK_STATUS_OK                a complete response arrived (any status code)
 *   LK_STATUS_NETWORK           name resolution or connection failed or was reset, the connection
 *                               closed before the body was complete, the TLS handshake failed,
 *                               the server's certificate could not be verified, another libcurl
 *                               failure
 *   LK_STATUS_TIMEOUT           connect or total timeout
 *   LK_STATUS_TOO_LARGE         the response body exceeded the cap
 *   LK_STATUS_INVALID_ARGUMENT  a malformed URL, plain http:// to a host that is not loopback
 *                               (refused), an invalid request or request header
 * The response says more: its error message starts with a summary of the failure ("timed out",
 * "TLS handshake failed") followed by libcurl's detail, and @c retryable tells a failure that
 * another attempt may not meet (a dropped connection) from one that would recur (a certificate
 * that cannot be verified, a refused URL).
 */

struct lk_http_header {
    char *name; /* owned (in responses); borrowed in requests */
    char *value;
};

struct lk_http_request {
    const char *method;                   /* "GET", "PUT", "POST", "DELETE", "HEAD" */
    const char *url;                      /* scheme://host[:port]/path?query, already encoded */
    const struct lk_http_header *headers; /* borrowed; sent as given (Host is set by the URL) */
    size_t n_headers;
    const unsigned char *body; /* borrowed; may be NULL */
    size_t body_len;
    /* Added for the credential providers (all zero = the behaviour above): */
    long timeout_ms;          /* total and connect timeout of this request; 0: the transport's */
    bool allow_metadata_http; /* also allow plain http:// to the AWS metadata addresses (see
                                 lk_http_url_is_metadata()): instance and container credentials */
};

struct lk_http_response {
    long status;                    /* HTTP status code, 0 when no response */
    struct lk_http_header *headers; /* owned */
    size_t n_headers;
    unsigned char *body; /* owned, NUL-terminated (body_len excludes the NUL) */
    size_t body_len;
    struct lk_error error; /* why no usable response arrived, when perform() failed: the same
                              status, and "summary: detail" ("timed out: Operation timed out
                              after 500 milliseconds ...") */
    bool retryable;        /* when perform() failed: another attempt may succeed (connection
                              failed, reset or cut short, timeout, TLS handshake failure) */
};

struct lk_http_options {
    long connect_timeout_ms;   /* 0: default */
    long total_timeout_ms;     /* 0: default */
    size_t max_response_bytes; /* 0: default */
    const char *ca_file;       /* extra CA bundle (tests with TLS); NULL: system store */
};

/**
 * The transport interface. @c perform returns an enum lk_status (see above), records a failure in
 * resp->error and resp->retryable, and fills @p resp (which the caller releases with
 * lk_http_response_free(), whatever the result). @c now_ms is wall-clock time in milliseconds
 * since the epoch (request signing); @c sleep_ms waits (retry backoff).
 */
struct lk_http_vtable {
    enum lk_status (*perform)(void *impl, const struct lk_http_request *req,
                              struct lk_http_response *resp);
    int64_t (*now_ms)(void *impl);
    void (*sleep_ms)(void *impl, int64_t ms);
    void (*destroy)(void *impl);
    void *impl;
};

/**
 * Creates the libcurl transport: TLS peer and host verification always on (there is no switch),
 * connection reuse across calls, timeouts and a response size cap; plain http:// only to
 * loopback addresses (the local endpoint of the tests).
 * @param err receives the message when libcurl cannot be set up (may be NULL)
 * @return LK_STATUS_OK, or LK_STATUS_NETWORK when libcurl cannot be initialised
 */
LK_MUST_CHECK enum lk_status lk_http_curl_new(const struct lk_http_options *opts,
                                              struct lk_http_vtable *out, struct lk_error *err);

/** Releases what a response owns and zeroes it. The body is wiped first: it may hold
 *  credentials (STS AssumeRole, container and instance metadata answers). */
void lk_http_response_free(struct lk_http_response *resp);

/** @return the value of response header @p name (case-insensitive), or NULL. */
const char *lk_http_header_get(const struct lk_http_response *resp, const char *name);

/** @return true when @p url's host is a loopback address (127.0.0.0/8, ::1, localhost). */
bool lk_http_url_is_loopback(const char *url);

/*
 * Additions to the interface above (all implemented in http.c).
 */

/**
 * @return true when @p url's host is one of the link-local AWS metadata addresses that are only
 *         served over plain HTTP: 169.254.169.254 and fd00:ec2::254 (EC2 instance metadata),
 *         169.254.170.2 (ECS container credentials), 169.254.170.23 and fd00:ec2::23 (EKS Pod
 *         Identity). Requests must also set allow_metadata_http to reach them.
 */
bool lk_http_url_is_metadata(const char *url);

/** A URL split into its parts (curl's URL parser; nothing is decoded or normalised). */
struct lk_http_url {
    char *scheme; /* owned, lowercase: "http" or "https" */
    char *host;   /* owned, as written; an IPv6 address keeps its brackets */
    long port;    /* the explicit port, 0 when the URL has none */
    char *path;   /* owned, "/" when the URL has no path; without the query */
    char *query;  /* owned, without the '?'; NULL when the URL has none */
};

/**
 * Parses an absolute http:// or https:// URL.
 * @param url the URL
 * @param out receives the parts; release with lk_http_url_free() (also after a failure)
 * @return LK_STATUS_OK, or LK_STATUS_INVALID_ARGUMENT for anything else (no scheme, another
 *         scheme, no host, user info, a fragment)
 */
LK_MUST_CHECK enum lk_status lk_http_url_parse(const char *url, struct lk_http_url *out);

/** Releases what lk_http_url_parse() allocated and zeroes @p url. */
void lk_http_url_free(struct lk_http_url *url);

/**
 * @return the Host header value for @p url, as libcurl sends it: the host, plus ":port" when
 *         the URL names a port other than the scheme's default (heap string, caller frees)
 */
char *lk_http_url_host_header(const struct lk_http_url *url);

/** Wipes @p len bytes at @p ptr (OPENSSL_cleanse: not optimised away). NULL is allowed. */
void lk_http_secure_zero(void *ptr, size_t len);

/** Wipes a NUL-terminated secret and frees it. NULL is allowed. */
void lk_http_free_secret(char *secret);

/** Size of the Content-MD5 value: 24 base64 characters and the NUL. */
#define LK_HTTP_MD5_BASE64_SIZE 25

/**
 * Computes the Content-MD5 header value: the base64 of the raw 16-byte MD5 of the body
 * (RFC 1864; the form S3 requires on the configuration PUTs).
 * @param body the bytes; may be NULL when @p len is 0
 * @param len number of bytes
 * @param out receives the NUL-terminated value
 * @return LK_STATUS_OK, or LK_STATUS_CRYPTO when OpenSSL fails
 */
LK_MUST_CHECK enum lk_status lk_http_content_md5(const void *body, size_t len,
                                                 char out[LK_HTTP_MD5_BASE64_SIZE]);

#endif
