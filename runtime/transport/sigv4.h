/*
 * AWS Signature Version 4 (header signing, algorithm AWS4-HMAC-SHA256).
 *
 * Each stage of the algorithm is a public function so that tests can check it on its own
 * against the published vectors (tests/data/sigv4):
 *
 *   1. canonical request   lk_sigv4_build_canonical_request() and its parts
 *                          (lk_sigv4_canonicalize_uri/_query/_headers, lk_sigv4_hash_payload)
 *   2. string to sign      lk_sigv4_build_string_to_sign()
 *   3. signature           lk_sigv4_derive_signing_key(), lk_sigv4_compute_signature(),
 *                          lk_sigv4_build_authorization()
 *   4. all of the above    lk_sigv4_sign()
 *
 * Specifications:
 *   IAM User Guide, "Create a signed AWS API request",
 *   https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html
 *   Amazon S3 API Reference, "Signature Calculations for the Authorization Header:
 *   Transferring Payload in a Single Chunk (AWS Signature Version 4)",
 *   https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html
 *   docs/protocol-notes.md section 2
 *
 * Conventions: every function that can fail returns an enum lk_status (common/result.h):
 * LK_STATUS_OK, LK_STATUS_INVALID_ARGUMENT (a required pointer is NULL, a field is empty or
 * malformed, a header name is not an HTTP token (RFC 9110 section 5.6.2), a header the signer
 * sets itself, no Host header, a time outside 1970-01-01T00:00:00Z..9999-12-31T23:59:59Z),
 * LK_STATUS_CRYPTO (OpenSSL failed to compute a digest or an HMAC) or LK_STATUS_TOO_LARGE (a
 * string over LK_BUF_MAX_REQUEST). lk_sigv4_sign() also says which in a struct lk_error.
 * Strings returned through `char **` are heap-allocated, NUL-terminated and released with
 * lk_sigv4_free_string(); on failure the output pointer is set to NULL. The module never reads
 * the clock: the signing time is always passed in. It keeps no global state and is safe to
 * call from several threads at once.
 */
#ifndef LK_RUNTIME_TRANSPORT_SIGV4_H
#define LK_RUNTIME_TRANSPORT_SIGV4_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/result.h"

struct tm;

/** Flags for struct lk_sigv4_signing_params.flags, read only by lk_sigv4_sign(). */
enum lk_sigv4_flag {
    /** Sign the path encoded once and without normalisation (S3 rule). */
    LK_SIGV4_FLAG_UNNORMALIZED_PATH = 1 << 0,
    /** Add the x-amz-content-sha256 header (value: the payload hash) and sign it (S3 rule). */
    LK_SIGV4_FLAG_CONTENT_SHA256_HEADER = 1 << 1,
    /** Everything S3 needs. */
    LK_SIGV4_FLAG_S3 = LK_SIGV4_FLAG_UNNORMALIZED_PATH | LK_SIGV4_FLAG_CONTENT_SHA256_HEADER,
};

/** How the last line of the canonical request (the payload hash) is obtained. */
enum lk_sigv4_payload_kind {
    /** Lowercase hex SHA-256 of body[0, body_len_bytes). */
    LK_SIGV4_PAYLOAD_BODY = 0,
    /** payload_sha256_hex, already computed by the caller (64 lowercase hex digits). */
    LK_SIGV4_PAYLOAD_PRECOMPUTED = 1,
    /** The literal string UNSIGNED-PAYLOAD (S3 only). */
    LK_SIGV4_PAYLOAD_UNSIGNED = 2,
};

/** The literal payload hash for LK_SIGV4_PAYLOAD_UNSIGNED. */
#define LK_SIGV4_UNSIGNED_PAYLOAD "UNSIGNED-PAYLOAD"

/** Size of a derived signing key (an HMAC-SHA256 output). */
#define LK_SIGV4_SIGNING_KEY_SIZE_BYTES 32

/** Most headers lk_sigv4_sign() can return: X-Amz-Date, x-amz-content-sha256,
 *  X-Amz-Security-Token, Authorization. */
#define LK_SIGV4_AUTH_HEADERS_MAX 4

/** One request header, borrowed from the caller. */
struct lk_sigv4_header {
    const char *name;  /* any case; repeated names are allowed and keep their order */
    const char *value; /* raw value; it is trimmed and its whitespace runs collapsed for signing */
};

/** The request to sign. All pointers are borrowed. */
struct lk_sigv4_request {
    /** HTTP method as sent, e.g. "GET". */
    const char *method;
    /** Request target as sent on the wire: an absolute path ("" means "/"), optionally followed
     *  by "?" and the query string, e.g. "/my-bucket?lifecycle". */
    const char *path;
    /** The headers that will be sent, Host included; NULL when header_count is 0. */
    const struct lk_sigv4_header *headers;
    size_t header_count;
    enum lk_sigv4_payload_kind payload_kind;
    /** LK_SIGV4_PAYLOAD_BODY: the body; may be NULL when body_len_bytes is 0. */
    const unsigned char *body;
    size_t body_len_bytes;
    /** LK_SIGV4_PAYLOAD_PRECOMPUTED: 64 lowercase hex digits. */
    const char *payload_sha256_hex;
};

/** Credentials, borrowed. The module copies none of the secret into its outputs. */
struct lk_sigv4_credentials {
    const char *access_key_id;
    const char *secret_access_key;
    /** Session token of temporary credentials, or NULL. */
    const char *session_token;
};

/** Where and when the request is signed. */
struct lk_sigv4_signing_params {
    /** Signing region, e.g. "eu-west-1" (for S3, the bucket's region); [A-Za-z0-9._-] only. */
    const char *region;
    /** Signing name of the service, e.g. "s3", "logs", "cloudtrail", "sts". Same characters. */
    const char *service;
    /** Request time in seconds since 1970-01-01T00:00:00Z. */
    int64_t time_epoch_s;
    /** Bitwise OR of enum lk_sigv4_flag. */
    unsigned int flags;
    /** Optional: the signing key for this date, region, service and secret, derived earlier
     *  with lk_sigv4_derive_signing_key() (it changes once a day); NULL derives it. */
    const struct lk_sigv4_signing_key *signing_key;
};

/** A derived signing key (kSigning). Secret: release it with lk_sigv4_free_signing_key(),
 *  which wipes it. */
struct lk_sigv4_signing_key {
    unsigned char bytes[LK_SIGV4_SIGNING_KEY_SIZE_BYTES];
    /* An HMAC-SHA256 context already keyed with bytes (an EVP_MAC_CTX), set by
     * lk_sigv4_derive_signing_key(): each signature copies it instead of setting HMAC up again.
     * NULL in a key filled in by hand; the signature is then computed from bytes. */
    void *mac_ctx;
};

/** Lowercase hex SHA-256 of the empty string (the payload hash of a request without a body). */
extern const char lk_sigv4_empty_sha256_hex[];

/** One header returned by lk_sigv4_sign(). */
struct lk_sigv4_auth_header {
    char *name;  /* owned */
    char *value; /* owned */
};

/** The headers lk_sigv4_sign() asks the caller to add to the request, in this order:
 *  X-Amz-Date; x-amz-content-sha256 (LK_SIGV4_FLAG_CONTENT_SHA256_HEADER); X-Amz-Security-Token
 *  (credentials with a session token); Authorization. */
struct lk_sigv4_auth_headers {
    struct lk_sigv4_auth_header headers[LK_SIGV4_AUTH_HEADERS_MAX];
    size_t header_count;
};

/**
 * Percent-encode bytes with the SigV4 rules: every byte outside A-Z a-z 0-9 - . _ ~ becomes
 * %XY with uppercase hex; a space is %20, never +.
 * @param in bytes to encode; may be NULL when in_len_bytes is 0
 * @param in_len_bytes number of bytes in `in`
 * @param keep_slash true to leave '/' as is (paths), false to encode it (query names and values)
 * @param out_encoded receives the encoded string
 * @return LK_STATUS_OK, or LK_STATUS_INVALID_ARGUMENT
 */
LK_MUST_CHECK enum lk_status lk_sigv4_encode_uri(const void *in, size_t in_len_bytes,
                                                 bool keep_slash, char **out_encoded);

/**
 * Build the CanonicalURI line from the path part of a request target (anything from the first
 * '?' on is ignored). An empty path gives "/".
 * - normalize_path true (every service but S3): remove "." and ".." segments and empty segments
 *   ("//"), then encode the result, '%' included, so escapes already on the wire are encoded a
 *   second time ("%3A" becomes "%253A").
 * - normalize_path false (S3): keep the path as is, but encode it exactly once: escapes already
 *   present are decoded first, so "/test%24file.text" and "/test$file.text" both give
 *   "/test%24file.text".
 * @param path request target; a non-empty path must start with '/'
 * @param normalize_path see above
 * @param out_uri receives the canonical URI
 * @return LK_STATUS_OK, or LK_STATUS_INVALID_ARGUMENT (NULL argument, path without leading '/')
 */
LK_MUST_CHECK enum lk_status lk_sigv4_canonicalize_uri(const char *path, bool normalize_path,
                                                       char **out_uri);

/**
 * Build the CanonicalQueryString line from the query part of a request target (after the first
 * '?'; none gives ""). Each name and value is percent-decoded, then encoded with
 * lk_sigv4_encode_uri() (a '+' is a literal plus and becomes %2B; send spaces as %20). Pairs are
 * sorted by encoded name, then encoded value, and joined with '&'. A parameter without '=' gets
 * an empty value ("lifecycle" gives "lifecycle="). Empty parameters ("a=1&&b=2") are skipped.
 * @param path request target, e.g. "/?max-keys=2&prefix=J"
 * @param out_query receives the canonical query string
 * @return LK_STATUS_OK, or LK_STATUS_INVALID_ARGUMENT
 */
LK_MUST_CHECK enum lk_status lk_sigv4_canonicalize_query(const char *path, char **out_query);

/**
 * Build the CanonicalHeaders block and the SignedHeaders line. Names are lowercased; values are
 * trimmed and each run of spaces, tabs, CR and LF inside them becomes one space (so a folded
 * multi-line value joins into one line); repeated names are joined with ',' in their given
 * order; entries are sorted by name. Each line is "name:value\n". These headers are left
 * unsigned, as botocore does, because proxies and HTTP stacks change them: expect,
 * transfer-encoding, user-agent, x-amzn-trace-id.
 * @param headers the headers; may be NULL when header_count is 0
 * @param header_count number of headers
 * @param out_canonical_headers receives the block (every line ends in '\n')
 * @param out_signed_headers receives the ';'-joined sorted names
 * @return LK_STATUS_OK or LK_STATUS_INVALID_ARGUMENT
 */
LK_MUST_CHECK enum lk_status lk_sigv4_canonicalize_headers(const struct lk_sigv4_header *headers,
                                                           size_t header_count,
                                                           char **out_canonical_headers,
                                                           char **out_signed_headers);

/**
 * Compute the payload hash line of the canonical request from request->payload_kind.
 * @param request the request (only the payload fields are read)
 * @param out_payload_hash receives 64 lowercase hex digits or "UNSIGNED-PAYLOAD"
 * @return LK_STATUS_OK, LK_STATUS_INVALID_ARGUMENT (e.g. a precomputed hash that is not 64
 *         lowercase hex digits), or LK_STATUS_CRYPTO
 */
LK_MUST_CHECK enum lk_status lk_sigv4_hash_payload(const struct lk_sigv4_request *request,
                                                   char **out_payload_hash);

/**
 * Stage 1: build the canonical request
 * "METHOD\nCanonicalURI\nCanonicalQuery\nCanonicalHeaders\nSignedHeaders\nPayloadHash".
 * request->headers must already hold every header to sign, X-Amz-Date included (lk_sigv4_sign()
 * adds it before calling this).
 * @param request the request
 * @param normalize_path see lk_sigv4_canonicalize_uri()
 * @param out_canonical_request receives the canonical request (no trailing newline)
 * @param out_signed_headers receives the SignedHeaders line; may be NULL if not wanted
 * @return LK_STATUS_OK, LK_STATUS_INVALID_ARGUMENT, or
 *         LK_STATUS_CRYPTO
 */
LK_MUST_CHECK enum lk_status
lk_sigv4_build_canonical_request(const struct lk_sigv4_request *request, bool normalize_path,
                                 char **out_canonical_request, char **out_signed_headers);

/**
 * Convert a broken-down UTC time (as from gmtime_r) to seconds since the epoch. Only tm_year,
 * tm_mon, tm_mday, tm_hour, tm_min and tm_sec are read; they must be in their normal ranges
 * (tm_sec 0..60, where 60 counts as the next minute's second 0).
 * @param utc_time the time, in UTC
 * @param out_time_epoch_s receives the seconds since 1970-01-01T00:00:00Z
 * @return LK_STATUS_OK or LK_STATUS_INVALID_ARGUMENT
 */
LK_MUST_CHECK enum lk_status lk_sigv4_convert_tm(const struct tm *utc_time,
                                                 int64_t *out_time_epoch_s);

/**
 * Format the X-Amz-Date value, YYYYMMDDTHHMMSSZ in UTC.
 * @param time_epoch_s seconds since the epoch, from 0 to 253402300799 (9999-12-31T23:59:59Z)
 * @param out_amz_date receives the 16-character date
 * @return LK_STATUS_OK or LK_STATUS_INVALID_ARGUMENT
 */
LK_MUST_CHECK enum lk_status lk_sigv4_format_amz_date(int64_t time_epoch_s, char **out_amz_date);

/**
 * Format the credential scope "YYYYMMDD/region/service/aws4_request".
 * @param params region, service and time (flags are ignored)
 * @param out_scope receives the scope
 * @return LK_STATUS_OK or LK_STATUS_INVALID_ARGUMENT
 */
LK_MUST_CHECK enum lk_status lk_sigv4_format_scope(const struct lk_sigv4_signing_params *params,
                                                   char **out_scope);

/**
 * Stage 2: build "AWS4-HMAC-SHA256\n<amz date>\n<scope>\n<hex SHA-256 of canonical request>".
 * @param params region, service and time (flags are ignored)
 * @param canonical_request the canonical request, hashed exactly as given
 * @param out_string_to_sign receives the string to sign (no trailing newline)
 * @return LK_STATUS_OK, LK_STATUS_INVALID_ARGUMENT, or
 *         LK_STATUS_CRYPTO
 */
LK_MUST_CHECK enum lk_status
lk_sigv4_build_string_to_sign(const struct lk_sigv4_signing_params *params,
                              const char *canonical_request, char **out_string_to_sign);

/**
 * Stage 3a: derive kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, YYYYMMDD), region), service),
 * "aws4_request"). Every intermediate key is wiped before this returns.
 * @param secret_access_key the secret key (non-empty)
 * @param params region, service and time (flags are ignored)
 * @param out_key receives the key; release it with lk_sigv4_free_signing_key()
 * @return LK_STATUS_OK, LK_STATUS_INVALID_ARGUMENT, or
 *         LK_STATUS_CRYPTO
 */
LK_MUST_CHECK enum lk_status
lk_sigv4_derive_signing_key(const char *secret_access_key,
                            const struct lk_sigv4_signing_params *params,
                            struct lk_sigv4_signing_key **out_key);

/**
 * Stage 3b: signature = lowercase hex HMAC-SHA256(kSigning, string to sign).
 * @param key the derived signing key
 * @param string_to_sign the string to sign
 * @param out_signature_hex receives 64 lowercase hex digits
 * @return LK_STATUS_OK, LK_STATUS_INVALID_ARGUMENT, or LK_STATUS_CRYPTO
 */
LK_MUST_CHECK enum lk_status lk_sigv4_compute_signature(const struct lk_sigv4_signing_key *key,
                                                        const char *string_to_sign,
                                                        char **out_signature_hex);

/**
 * Stage 3c: build the Authorization header value
 * "AWS4-HMAC-SHA256 Credential=<akid>/<scope>, SignedHeaders=<list>, Signature=<hex>".
 * @param access_key_id the access key id (no spaces, control characters, ',' or '/')
 * @param params region, service and time (flags are ignored)
 * @param signed_headers the SignedHeaders line (lowercase names joined with ';')
 * @param signature_hex 64 lowercase hex digits
 * @param out_authorization receives the header value
 * @return LK_STATUS_OK or LK_STATUS_INVALID_ARGUMENT
 */
LK_MUST_CHECK enum lk_status lk_sigv4_build_authorization(
    const char *access_key_id, const struct lk_sigv4_signing_params *params,
    const char *signed_headers, const char *signature_hex, char **out_authorization);

/**
 * Sign a request: add X-Amz-Date, x-amz-content-sha256 (with LK_SIGV4_FLAG_CONTENT_SHA256_HEADER)
 * and X-Amz-Security-Token (when credentials->session_token is set) to the headers to sign, run
 * stages 1 to 3, and return those headers plus Authorization for the caller to send.
 * The caller must not pass the headers the signer sets: X-Amz-Date, Authorization,
 * X-Amz-Security-Token, and x-amz-content-sha256 when the flag asks for it (any case).
 * The caller must pass Host, with the value sent on the wire (including a non-default port).
 * @param request the request to sign
 * @param credentials access key id, secret, optional session token
 * @param params region, service, time and flags (LK_SIGV4_FLAG_S3 for S3)
 * @param out_headers receives the headers to add; release with lk_sigv4_free_auth_headers()
 * @param err receives what was wrong (may be NULL): "header name is not an HTTP token",
 *        "header is set by the signer and must not be passed in", "request has no Host header",
 *        "time outside ...", "OpenSSL digest or HMAC failed", "invalid argument"
 * @return LK_STATUS_OK, LK_STATUS_INVALID_ARGUMENT, or
 *         LK_STATUS_CRYPTO
 */
LK_MUST_CHECK enum lk_status lk_sigv4_sign(const struct lk_sigv4_request *request,
                                           const struct lk_sigv4_credentials *credentials,
                                           const struct lk_sigv4_signing_params *params,
                                           struct lk_sigv4_auth_headers **out_headers,
                                           struct lk_error *err);

/**
 * Release a string returned by this module.
 * @param str the string, or NULL
 */
void lk_sigv4_free_string(char *str);

/**
 * Wipe and release a signing key.
 * @param key the key, or NULL
 */
void lk_sigv4_free_signing_key(struct lk_sigv4_signing_key *key);

/**
 * Wipe and release the headers returned by lk_sigv4_sign() (they may hold a session token).
 * @param headers the headers, or NULL
 */
void lk_sigv4_free_auth_headers(struct lk_sigv4_auth_headers *headers);

#endif /* LK_RUNTIME_TRANSPORT_SIGV4_H */
