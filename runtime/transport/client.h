/*
 * logkeep runtime: the AWS client core shared by the service clients.
 *
 * One call = resolve the endpoint, get credentials, sign (SigV4), send over the transport, retry
 * in the SDKs' "standard" mode, and map errors. Service clients (s3.c, logs.c, cloudtrail.c,
 * sts.c) build the request for an operation and parse its response into the IR types.
 *
 * Facts: docs/protocol-notes.md (protocols §1-6, endpoints §7, credentials §8, retries §9).
 */
#ifndef LK_AWS_H
#define LK_AWS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "common/result.h"
#include "runtime/transport/http.h"

struct lk_sigv4_signing_key;

enum lk_aws_service {
    LK_AWS_S3,
    LK_AWS_LOGS,
    LK_AWS_CLOUDTRAIL,
    LK_AWS_STS,
    LK_AWS_KMS,
    LK_AWS_ORGANIZATIONS,
    /* Log-source services (runtime/services/resolver.c ... eks.c). */
    LK_AWS_ROUTE53RESOLVER,
    LK_AWS_WAFV2,
    LK_AWS_NETWORK_FIREWALL,
    LK_AWS_CONFIG,
    LK_AWS_GUARDDUTY,
    LK_AWS_EKS,
    LK_AWS_EC2,   /* EC2 Query protocol (runtime/services/ec2.c) */
    LK_AWS_ELBV2, /* Query protocol (runtime/services/elbv2.c) */
    LK_AWS_RDS,   /* Query protocol (runtime/services/rds.c) */
    LK_AWS_SERVICE_COUNT,
};

/** @return the signing name / endpoint prefix: "s3", "logs", "cloudtrail", "sts", "kms",
 *          "organizations", "route53resolver", "wafv2", "network-firewall", "config",
 *          "guardduty", "eks", "ec2", "elasticloadbalancing", "rds". */
const char *lk_aws_service_name(enum lk_aws_service svc);

/**
 * An AWS error, kept as AWS reported it. Every string is owned (heap) and may be NULL; free with
 * lk_aws_error_clear(). A zeroed struct means "no error".
 *
 * @c status classifies the failure, as every enum lk_status of logkeep does (common/result.h),
 * and is what the functions that fill the struct return:
 *   LK_STATUS_AWS               AWS answered with an error (code, message, HTTP status, request id)
 *   LK_STATUS_MALFORMED         a 2xx answer that cannot be parsed (lk_aws_error_malformed())
 *   LK_STATUS_INVALID_ARGUMENT  refused before sending (lk_aws_error_invalid(), no region, a
 *                               malformed configuration or endpoint, a refused URL)
 *   LK_STATUS_NETWORK, LK_STATUS_TIMEOUT, LK_STATUS_TOO_LARGE
 *                               no usable HTTP response arrived: @c no_response is set, @c code
 *                               is NULL and @c message says why ("timed out: ...")
 * and others for failures before sending (LK_STATUS_CRYPTO when signing fails, the status of a
 * credential provider).
 */
struct lk_aws_error {
    char *operation; /* "GetBucketLifecycleConfiguration" */
    char *code;      /* AWS error code: "NoSuchBucket", "ThrottlingException", ... */
    char *message;
    char *request_id; /* x-amz-request-id / x-amzn-RequestId / <RequestId> */
    long http_status;
    enum lk_status status;      /* the class of the failure (above); LK_STATUS_OK when none */
    bool no_response;           /* the transport got no usable response (see status) */
    bool retryable;             /* with no_response: another attempt may get one (the transport's
                                   struct lk_http_response retryable) */
    int attempts;               /* attempts made, retries included */
    bool retry_quota_exhausted; /* added: a retry was due but the retry quota was empty */
};

void lk_aws_error_clear(struct lk_aws_error *err);

#ifndef LK_SVC_MALFORMED_RESPONSE
#define LK_SVC_MALFORMED_RESPONSE "logkeep.MalformedResponse"
#endif

/**
 * Replaces @p err (keeping its attempt count) with a "response could not be parsed" error for a
 * 2xx answer: code LK_SVC_MALFORMED_RESPONSE, @p why as the message, the answer's status and
 * request id; status LK_STATUS_MALFORMED.
 * @return LK_STATUS_MALFORMED, so callers can `return lk_aws_error_malformed(...)`.
 */
enum lk_status lk_aws_error_malformed(struct lk_aws_error *err, const char *op,
                                      const struct lk_http_response *resp, const char *why);

/**
 * Replaces @p err with a "refused before sending" error: code "logkeep.InvalidArgument" and
 * @p why as the message, for an argument AWS would refuse; status LK_STATUS_INVALID_ARGUMENT.
 * @return LK_STATUS_INVALID_ARGUMENT.
 */
enum lk_status lk_aws_error_invalid(struct lk_aws_error *err, const char *op, const char *why);

/** Formats "Operation failed: Code: message (HTTP 403, request id ...)" into @p buf. */
void lk_aws_error_format(const struct lk_aws_error *err, char *buf, size_t len);

/** Credentials. Secrets are wiped (OPENSSL_cleanse) by lk_aws_credentials_clear(). */
struct lk_aws_credentials {
    char *access_key_id;     /* owned */
    char *secret_access_key; /* owned, secret */
    char *session_token;     /* owned, secret, NULL for long-term keys */
    int64_t expiration_s;    /* epoch seconds; 0 = does not expire */
    char *source;            /* owned: "environment", "profile ops (assume role)", ... */
};

void lk_aws_credentials_clear(struct lk_aws_credentials *creds);

/**
 * A source of credentials (credentials.c implements the standard chain). @c get fills @p out
 * with a copy the caller clears, refreshing temporary credentials before they expire.
 * @return LK_STATUS_OK, or a failure with @p err (err->status the same) describing why no
 *         credentials could be had.
 */
struct lk_aws_credential_provider {
    enum lk_status (*get)(void *impl, struct lk_aws_credentials *out, struct lk_aws_error *err);
    void (*destroy)(void *impl);
    void *impl;
};

/* Retry settings and the retry quota of the "standard" mode (docs/protocol-notes.md §9; three
 * attempts by default: AWS SDKs and Tools Reference Guide, "Retry behavior"). */
#define LK_AWS_DEFAULT_MAX_ATTEMPTS 3
#define LK_AWS_RETRY_QUOTA_INITIAL 500
#define LK_AWS_RETRY_COST 5
#define LK_AWS_RETRY_TIMEOUT_COST 10
#define LK_AWS_BACKOFF_CAP_MS 20000

/* retry_mode (AWS SDKs and Tools Reference Guide, "Retry behavior"): AWS_RETRY_MODE, else the
 * profile's retry_mode. "legacy" is read as standard (logkeep has no legacy mode). */
enum lk_aws_retry_mode {
    LK_AWS_RETRY_UNSET,    /* neither is set: the caller's default */
    LK_AWS_RETRY_STANDARD, /* "standard" or "legacy" */
    LK_AWS_RETRY_ADAPTIVE, /* "adaptive": standard + client-side rate limiting (ratelimit.h) */
};

struct lk_rate_limits;

struct lk_aws_config {
    char *region;       /* owned: resolved region */
    char *endpoint_url; /* owned: --endpoint-url or AWS_ENDPOINT_URL */
    char *service_endpoint_url[LK_AWS_SERVICE_COUNT]; /* owned: AWS_ENDPOINT_URL_<SERVICE>; filled
                                                         by lk_aws_config_load() with each
                                                         service's endpoint from every source
                                                         in order; used before endpoint_url */
    int max_attempts;                                 /* AWS_MAX_ATTEMPTS, default 3 */
    enum lk_aws_retry_mode retry_mode;                /* AWS_RETRY_MODE, profile retry_mode */
    FILE *debug;                                      /* --debug trace (redacted), or NULL */
};

/* Signing keys depend only on the day, region, service and secret: derived once, not per request
 * (four HMACs each). One slot per service. */
struct lk_aws_key_cache {
    int64_t day;                      /* UTC days since 1970-01-01 */
    char *region;                     /* owned */
    char *access_key_id;              /* owned */
    char *secret;                     /* owned, secret: wiped when replaced or freed */
    struct lk_sigv4_signing_key *key; /* owned, secret */
};

struct lk_sigv4_signing_key;

struct lk_aws_client {
    struct lk_http_vtable http; /* owned */
    struct lk_aws_key_cache key_cache[LK_AWS_SERVICE_COUNT];
    struct lk_aws_credential_provider creds; /* owned */
    struct lk_aws_config cfg;
    int retry_quota;       /* tokens left */
    int64_t clock_skew_ms; /* server time minus local time, learned from Date */
    uint64_t rng_state;    /* jitter; seedable for tests */
    /* The adaptive retry mode's rate limiters, by service and Region (ratelimit.h), shared by
     * the clients of one read; NULL: none (standard mode). Borrowed: set by the caller for as
     * long as the limiters live. */
    struct lk_rate_limits *rate_limits;
    /* Each service's configured endpoint URL, parsed once (endpoint_base_of: the URL it was
     * parsed from, owned, NULL when not parsed). */
    struct lk_http_url endpoint_base[LK_AWS_SERVICE_COUNT];
    char *endpoint_base_of[LK_AWS_SERVICE_COUNT];
};

/** One API request, before signing. Every pointer is borrowed. */
struct lk_aws_request {
    enum lk_aws_service service;
    const char *operation;    /* for errors and traces */
    const char *method;       /* "GET", "PUT", "POST", "DELETE", "HEAD" */
    const char *bucket;       /* S3: the bucket, or NULL for service-level calls */
    const char *path;         /* path after the bucket (S3) or "/" ; may hold "?query" */
    const char *target;       /* JSON 1.1: X-Amz-Target value, or NULL */
    const char *content_type; /* or NULL */
    const unsigned char *body;
    size_t body_len;
    bool content_md5;      /* S3 PUTs that require a checksum: send Content-MD5 */
    bool unsigned_request; /* STS AssumeRoleWithWebIdentity is sent unsigned */
    const struct lk_http_header *extra_headers;
    size_t n_extra_headers;
    /* Added (zero = the behaviour without them): */
    const char *region;    /* signing region for this call (an S3 bucket's), or NULL for
                              cfg.region */
    bool force_path_style; /* S3: bucket in the path even on AWS (implied for the operation
                              "GetBucketLocation", which botocore always sends path-style) */
};

/**
 * Sends @p req with signing, retries and error mapping.
 * @param resp receives the final response (2xx, or the last error response); free it with
 *        lk_http_response_free().
 * @param err receives the error when the call failed (caller clears).
 * @return LK_STATUS_OK on a 2xx response, else the failure (err->status).
 */
LK_MUST_CHECK enum lk_status lk_aws_call(struct lk_aws_client *client,
                                         const struct lk_aws_request *req,
                                         struct lk_http_response *resp, struct lk_aws_error *err);

/**
 * Sends one AWS JSON 1.1 call (CloudWatch Logs, CloudTrail): POST / with
 * X-Amz-Target: <target_prefix><op> and Content-Type application/x-amz-json-1.1.
 * On success @p err is left empty. @return as lk_aws_call().
 */
LK_MUST_CHECK enum lk_status
lk_aws_json_call(struct lk_aws_client *client, enum lk_aws_service service,
                 const char *target_prefix, const char *op, const char *region, const char *body,
                 size_t len, struct lk_http_response *resp, struct lk_aws_error *err);

/*
 * Additions to the interface above: client and configuration life cycle, and the parsers that
 * lk_aws_call() uses, exposed for the service clients, the tests and the fuzzers.
 */

/**
 * Sets up a client. Takes ownership of @p http (destroyed by lk_aws_client_free()), of
 * @p creds, and of the strings in @p cfg (which is zeroed). The retry quota starts full and the
 * jitter generator is seeded from the clock; tests may overwrite rng_state afterwards.
 * @return LK_STATUS_OK, or LK_STATUS_INVALID_ARGUMENT when an argument is missing (nothing is
 *         taken then)
 */
LK_MUST_CHECK enum lk_status lk_aws_client_init(struct lk_aws_client *client,
                                                const struct lk_http_vtable *http,
                                                const struct lk_aws_credential_provider *creds,
                                                struct lk_aws_config *cfg);

/** Destroys the credential provider, then the transport, and frees the configuration. */
void lk_aws_client_free(struct lk_aws_client *client);

/** What the command line says; every pointer is borrowed, NULL means not given. */
struct lk_aws_config_options {
    const char *region;          /* --region */
    const char *endpoint_url;    /* --endpoint-url */
    const char *profile;         /* --profile */
    const char *fallback_region; /* the policy's region, used when nothing else names one */
    FILE *debug;                 /* --debug: where traces go */
};

/**
 * Builds the client configuration from the options, the environment and the shared config file
 * (AWS_CONFIG_FILE): the region (lk_endpoint_resolve_region() order), each service's endpoint
 * (lk_endpoint_configured_url() order, written to service_endpoint_url[]; endpoint_url keeps
 * --endpoint-url), max_attempts (AWS_MAX_ATTEMPTS, else the profile's max_attempts, else 3),
 * retry_mode (AWS_RETRY_MODE, else the profile's retry_mode; an unknown value is an error).
 * A missing region is not an error here (cfg->region stays NULL); a call then fails.
 * @param opts the command-line options; may be NULL
 * @param cfg receives the configuration; release with lk_aws_config_free()
 * @param err receives the problem: unreadable or malformed config file, bad region, endpoint
 *        URL or AWS_MAX_ATTEMPTS (code "InvalidConfiguration")
 * @return LK_STATUS_OK, or the failure with @p err set: LK_STATUS_IO (unreadable file),
 *         LK_STATUS_TOO_LARGE, LK_STATUS_MALFORMED (config file syntax),
 *         LK_STATUS_INVALID_ARGUMENT (a bad value)
 */
LK_MUST_CHECK enum lk_status lk_aws_config_load(const struct lk_aws_config_options *opts,
                                                struct lk_aws_config *cfg,
                                                struct lk_aws_error *err);

/** Frees the strings of @p cfg and zeroes it (the debug stream is not closed). */
void lk_aws_config_free(struct lk_aws_config *cfg);

/** @return the profile to use: @p cli_profile, AWS_PROFILE, AWS_DEFAULT_PROFILE, "default". */
const char *lk_aws_profile_name(const char *cli_profile);

/**
 * Reads an error response the way the service's protocol writes it, into @p err (code, message,
 * request id, HTTP status): S3 <Error><Code>, JSON {"__type", "message"} then x-amzn-ErrorType,
 * STS <ErrorResponse><Error><Code>. Bodiless answers (HEAD) get a code from the status.
 * @param svc the service (decides the protocol)
 * @param method the request method ("HEAD" answers have no body)
 * @param bucket_level true for S3 bucket calls (a bodiless 404 is then NoSuchBucket)
 * @param resp the response; any status
 * @param err receives the fields; previous contents are cleared
 */
void lk_aws_parse_error(enum lk_aws_service svc, const char *method, bool bucket_level,
                        const struct lk_http_response *resp, struct lk_aws_error *err);

/** @return the request id of a response: x-amz-request-id, x-amzn-RequestId, or NULL. */
const char *lk_aws_response_request_id(const struct lk_http_response *resp);

/** One value to pull out of an XML document. */
struct lk_aws_xml_field {
    const char
        *path;  /* element local names from the root, '/'-joined: "ErrorResponse/Error/Code" */
    char **out; /* receives the text of the first such element (heap; wiped when freed
                   with lk_http_free_secret() by callers that hold secrets) */
};

/**
 * Parses @p xml with libexpat and extracts the fields. Namespaces are resolved (the path uses
 * local names); a DOCTYPE, nesting deeper than 32 elements or a field over 64 KiB are refused.
 * @param xml the document; @param len its length
 * @param fields the paths and outputs (outputs must be NULL on entry and stay NULL if absent)
 * @param n number of fields
 * @param root_ns receives the root element's namespace URI (heap, "" for none); may be NULL
 * @return LK_STATUS_OK, LK_STATUS_MALFORMED for a malformed or refused document, or
 *         LK_STATUS_TOO_LARGE for a field over 64 KiB (outputs are freed and NULL then)
 */
LK_MUST_CHECK enum lk_status lk_aws_xml_find(const char *xml, size_t len,
                                             const struct lk_aws_xml_field *fields, size_t n,
                                             char **root_ns);

/**
 * Parses an ISO 8601 UTC timestamp as AWS writes it: "2026-11-26T14:00:00Z", with optional
 * fractional seconds and a "Z" or "+hh:mm"/"-hh:mm" offset.
 * @return LK_STATUS_OK with @p epoch_s set, or LK_STATUS_MALFORMED
 */
LK_MUST_CHECK enum lk_status lk_aws_parse_iso8601(const char *text, int64_t *epoch_s);

/** Parses an HTTP Date (IMF-fixdate, "Thu, 01 Jan 2026 00:00:01 GMT").
 *  @return LK_STATUS_OK, or LK_STATUS_MALFORMED. */
LK_MUST_CHECK enum lk_status lk_aws_parse_http_date(const char *text, int64_t *epoch_s);

/** Deep-copies @p src into @p dst (which must be empty). */
void lk_aws_credentials_copy(struct lk_aws_credentials *dst, const struct lk_aws_credentials *src);

/**
 * Writes one --debug trace line "logkeep: debug: ..." for an HTTP exchange made outside
 * lk_aws_call() (credential providers): method, URL and headers with secrets redacted, then
 * the outcome. Does nothing when @p out is NULL.
 * @param result what perform() returned (read only when @p resp is not NULL)
 * @param resp the response, or NULL before the request is sent
 */
void lk_aws_trace_exchange(FILE *out, const char *label, const struct lk_http_request *req,
                           enum lk_status result, const struct lk_http_response *resp,
                           int64_t elapsed_ms);

/** @return true for header names whose values are never printed (Authorization, tokens, ...). */
bool lk_aws_header_is_secret(const char *name);

/** @return true when @p err is one of the "throttling" codes of the standard retry mode. */
bool lk_aws_error_is_throttling(const struct lk_aws_error *err);
/** @return true when @p err is transient: no response, 500/502/503/504, or a timeout code. */
bool lk_aws_error_is_transient(const struct lk_aws_error *err);

#endif
