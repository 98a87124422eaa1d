/*
 * logkeep runtime: where a request goes.
 *
 *   - the region (--region, AWS_REGION, AWS_DEFAULT_REGION, the profile's region, the policy's);
 *   - a configured endpoint URL (--endpoint-url, AWS_ENDPOINT_URL_<SERVICE>, AWS_ENDPOINT_URL,
 *     the profile's services section, the profile's endpoint_url);
 *   - the URL, Host header, request target and signing region of one request, with the S3
 *     addressing rules (virtual-hosted or path style).
 *
 * Facts: docs/protocol-notes.md section 7; the AWS pages endpoint.c cites (AWS SDKs and Tools
 * Reference Guide, "Service-specific endpoints" and "AWS Region"; Amazon S3 User Guide, "Virtual
 * hosting of general purpose buckets").
 */
#ifndef LK_ENDPOINT_H
#define LK_ENDPOINT_H

#include <stdbool.h>
#include <stddef.h>

#include "runtime/transport/client.h"

struct lk_http_url;

/** @return the <SERVICE> of AWS_ENDPOINT_URL_<SERVICE>: "S3", "CLOUDWATCH_LOGS", "CLOUDTRAIL",
 *          "STS" (the model's serviceId, uppercased, spaces turned into '_'). */
const char *lk_endpoint_env_id(enum lk_aws_service svc);

/** @return the key of the service in a [services NAME] section: "s3", "cloudwatch_logs",
 *          "cloudtrail", "sts" (the serviceId in snake_case). */
const char *lk_endpoint_config_id(enum lk_aws_service svc);

/** Configured endpoint URLs from outside the environment. Every pointer is borrowed; NULL: unset.
 */
struct lk_endpoint_overrides {
    const char *cli_url;             /* --endpoint-url: always wins */
    const char *profile_service_url; /* [services NAME] <service> = endpoint_url = ... */
    const char *profile_url;         /* the profile's endpoint_url */
    bool profile_ignore;             /* the profile's ignore_configured_endpoint_urls = true */
};

/**
 * Chooses the configured endpoint of a service: --endpoint-url, then AWS_ENDPOINT_URL_<SERVICE>,
 * then AWS_ENDPOINT_URL, then the profile's services section, then the profile's endpoint_url.
 * AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true (or the profile setting) disables all but
 * --endpoint-url.
 * @param svc the service
 * @param o the values from the command line and the profile; may be NULL
 * @param out receives the URL (heap, caller frees), or NULL when none is configured
 * @param source receives where it came from ("--endpoint-url", "AWS_ENDPOINT_URL_S3", ...), or
 *        NULL; may be NULL
 * @return LK_STATUS_OK, or LK_STATUS_INVALID_ARGUMENT when the chosen value is not an http:// or
 *         https:// URL (*out names it then)
 */
LK_MUST_CHECK enum lk_status lk_endpoint_configured_url(enum lk_aws_service svc,
                                                        const struct lk_endpoint_overrides *o,
                                                        char **out, const char **source);

/**
 * Resolves the region: @p cli_region, AWS_REGION, AWS_DEFAULT_REGION, @p profile_region, then
 * @p fallback (the policy's region). Empty values count as unset.
 * @param out receives the region (heap, caller frees), or NULL when none is set anywhere
 * @param source receives "--region", "AWS_REGION", "AWS_DEFAULT_REGION", "profile", "policy"
 *        or NULL; may be NULL
 * @return LK_STATUS_OK, or LK_STATUS_INVALID_ARGUMENT when the chosen region is malformed (*out
 *         names it then)
 */
LK_MUST_CHECK enum lk_status lk_endpoint_resolve_region(const char *cli_region,
                                                        const char *profile_region,
                                                        const char *fallback, char **out,
                                                        const char **source);

/** @return true for a region name that can go into a host name: [a-z0-9] runs joined by '-'. */
bool lk_endpoint_region_is_valid(const char *region);

/** @return the DNS suffix of the region's partition: "amazonaws.com", "amazonaws.com.cn", ... */
const char *lk_endpoint_dns_suffix(const char *region);

/** @return true when @p bucket can be the first label of a virtual-hosted S3 host name. */
bool lk_endpoint_bucket_is_virtual_hostable(const char *bucket);

/** One request to place. Every pointer is borrowed. */
struct lk_endpoint_request {
    enum lk_aws_service service;
    const char *region;       /* signing region; required */
    const char *bucket;       /* S3: the bucket, or NULL for service-level calls */
    const char *path;         /* "/", "/?lifecycle", "?lifecycle", "/key"; NULL means "/" */
    const char *endpoint_url; /* a configured endpoint, or NULL for the AWS one */
    bool force_path_style;    /* GetBucketLocation */
    /* endpoint_url already parsed by lk_http_url_parse() (a client parses it once instead of
     * once per request), or NULL to parse it here. */
    const struct lk_http_url *endpoint_base;
};

/** Where one request goes. */
struct lk_endpoint {
    char *url;            /* owned: the full URL to send */
    char *host_header;    /* owned: the Host value, port included when not the default */
    char *target;         /* owned: path and query as sent, the input of signing */
    char *signing_region; /* owned */
    bool path_style;      /* S3: the bucket is in the path */
};

/**
 * Builds the URL of a request.
 *   - Regional hosts: <prefix>.<region>.<suffix> ("logs.eu-west-1.amazonaws.com").
 *   - S3: virtual-hosted "<bucket>.s3.<region>.<suffix>/" unless the bucket is not a DNS label
 *     without dots, or a configured endpoint is used, or @c force_path_style: then
 *     path style "s3.<region>.<suffix>/<bucket>".
 * @param req the request
 * @param out receives the result; release with lk_endpoint_free() (also after a failure)
 * @param err receives the message on failure (may be NULL)
 * @return LK_STATUS_OK, LK_STATUS_INVALID_ARGUMENT (invalid region, malformed endpoint URL, bad
 *         path), or LK_STATUS_TOO_LARGE (a URL over LK_BUF_MAX_LINE)
 */
LK_MUST_CHECK enum lk_status lk_endpoint_resolve(const struct lk_endpoint_request *req,
                                                 struct lk_endpoint *out, struct lk_error *err);

/** Frees what @p ep owns and zeroes it. */
void lk_endpoint_free(struct lk_endpoint *ep);

#endif
