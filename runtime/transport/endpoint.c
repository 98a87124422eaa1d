/*
 * logkeep runtime: endpoint and region resolution (endpoint.h).
 *
 * Sources:
 *   [NOTES] docs/protocol-notes.md section 7 (botocore's resolver, checked with botocore).
 *   [SSE]   AWS SDKs and Tools Reference Guide, "Service-specific endpoints",
 *           https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html
 *   [REG]   AWS SDKs and Tools Reference Guide, "AWS Region",
 *           https://docs.aws.amazon.com/sdkref/latest/guide/feature-region.html
 *   [VH]    Amazon S3 User Guide, "Virtual hosting of general purpose buckets",
 *           https://docs.aws.amazon.com/AmazonS3/latest/userguide/VirtualHosting.html
 */
#include "runtime/transport/endpoint.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/arena.h"
#include "runtime/transport/http.h"
#include "runtime/transport/sigv4.h"

/* [SSE] "Identifiers for service-specific endpoints": the serviceId of each model uppercased
 * with spaces as underscores for the variable, lowercased for the shared config file's services
 * section (serviceIds from botocore's models: "CloudWatch Logs", "Route53Resolver", "WAFV2",
 * "Network Firewall", "Config Service", "Elastic Load Balancing v2", ...). */
static const struct {
    enum lk_aws_service svc;
    const char *env_id;
    const char *config_id;
    const char *env_var;
} s_services[] = {
    {LK_AWS_S3, "S3", "s3", "AWS_ENDPOINT_URL_S3"},
    {LK_AWS_LOGS, "CLOUDWATCH_LOGS", "cloudwatch_logs", "AWS_ENDPOINT_URL_CLOUDWATCH_LOGS"},
    {LK_AWS_CLOUDTRAIL, "CLOUDTRAIL", "cloudtrail", "AWS_ENDPOINT_URL_CLOUDTRAIL"},
    {LK_AWS_STS, "STS", "sts", "AWS_ENDPOINT_URL_STS"},
    {LK_AWS_KMS, "KMS", "kms", "AWS_ENDPOINT_URL_KMS"},
    {LK_AWS_ORGANIZATIONS, "ORGANIZATIONS", "organizations", "AWS_ENDPOINT_URL_ORGANIZATIONS"},
    {LK_AWS_ROUTE53RESOLVER, "ROUTE53RESOLVER", "route53resolver",
     "AWS_ENDPOINT_URL_ROUTE53RESOLVER"},
    {LK_AWS_WAFV2, "WAFV2", "wafv2", "AWS_ENDPOINT_URL_WAFV2"},
    {LK_AWS_NETWORK_FIREWALL, "NETWORK_FIREWALL", "network_firewall",
     "AWS_ENDPOINT_URL_NETWORK_FIREWALL"},
    {LK_AWS_CONFIG, "CONFIG_SERVICE", "config_service", "AWS_ENDPOINT_URL_CONFIG_SERVICE"},
    {LK_AWS_GUARDDUTY, "GUARDDUTY", "guardduty", "AWS_ENDPOINT_URL_GUARDDUTY"},
    {LK_AWS_EKS, "EKS", "eks", "AWS_ENDPOINT_URL_EKS"},
    {LK_AWS_EC2, "EC2", "ec2", "AWS_ENDPOINT_URL_EC2"},
    {LK_AWS_ELBV2, "ELASTIC_LOAD_BALANCING_V2", "elastic_load_balancing_v2",
     "AWS_ENDPOINT_URL_ELASTIC_LOAD_BALANCING_V2"},
    {LK_AWS_RDS, "RDS", "rds", "AWS_ENDPOINT_URL_RDS"},
};

static size_t s_service_index(enum lk_aws_service svc)
{
    for (size_t i = 0; i < sizeof(s_services) / sizeof(s_services[0]); i++)
        if (s_services[i].svc == svc)
            return i;
    return SIZE_MAX;
}

const char *lk_endpoint_env_id(enum lk_aws_service svc)
{
    size_t i = s_service_index(svc);
    return i == SIZE_MAX ? "UNKNOWN" : s_services[i].env_id;
}

const char *lk_endpoint_config_id(enum lk_aws_service svc)
{
    size_t i = s_service_index(svc);
    return i == SIZE_MAX ? "unknown" : s_services[i].config_id;
}

static const char *s_env(const char *name)
{
    const char *v = getenv(name);
    return v != NULL && v[0] != '\0' ? v : NULL;
}

static bool s_is_valid_url(const char *url)
{
    struct lk_http_url u;
    bool ok = lk_http_url_parse(url, &u) == LK_STATUS_OK && u.query == NULL;
    lk_http_url_free(&u);
    return ok;
}

enum lk_status lk_endpoint_configured_url(enum lk_aws_service svc,
                                          const struct lk_endpoint_overrides *o, char **out,
                                          const char **source)
{
    static const struct lk_endpoint_overrides s_none = {0};
    const char *value = NULL;
    const char *from = NULL;
    *out = NULL;
    if (source != NULL)
        *source = NULL;
    if (o == NULL)
        o = &s_none;
    if (o->cli_url != NULL && o->cli_url[0] != '\0') {
        /* [SSE] an endpoint given on the command line or to the client always applies, even with
         * ignore_configured_endpoint_urls. */
        value = o->cli_url;
        from = "--endpoint-url";
    } else {
        const char *ignore = s_env("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS");
        bool ignored = ignore != NULL ? strcasecmp(ignore, "true") == 0 : o->profile_ignore;
        if (ignored)
            return LK_STATUS_OK;
        /* [SSE] the service-specific variable overrides the global one; both beat the shared
         * config file; within the file the services section beats the profile's endpoint_url. */
        size_t i = s_service_index(svc);
        if (i != SIZE_MAX && (value = s_env(s_services[i].env_var)) != NULL) {
            from = s_services[i].env_var;
        } else if ((value = s_env("AWS_ENDPOINT_URL")) != NULL) {
            from = "AWS_ENDPOINT_URL";
        } else if (o->profile_service_url != NULL && o->profile_service_url[0] != '\0') {
            value = o->profile_service_url;
            from = "profile services section";
        } else if (o->profile_url != NULL && o->profile_url[0] != '\0') {
            value = o->profile_url;
            from = "profile endpoint_url";
        }
    }
    if (value == NULL)
        return LK_STATUS_OK;
    *out = lk_xstrdup(value);
    if (source != NULL)
        *source = from;
    return s_is_valid_url(value) ? LK_STATUS_OK : LK_STATUS_INVALID_ARGUMENT;
}

bool lk_endpoint_region_is_valid(const char *region)
{
    if (region == NULL || region[0] == '\0' || strlen(region) > 63)
        return false;
    char prev = '-';
    for (const char *p = region; *p; p++) {
        bool alnum = (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9');
        if (!alnum && !(*p == '-' && prev != '-'))
            return false;
        prev = *p;
    }
    return prev != '-';
}

enum lk_status lk_endpoint_resolve_region(const char *cli_region, const char *profile_region,
                                          const char *fallback, char **out, const char **source)
{
    /* [REG]; most SDKs read AWS_REGION before AWS_DEFAULT_REGION (botocore reads only the
     * latter) [NOTES]. The policy's own region comes last: an explicit choice of the operator
     * beats what the policy says. */
    struct {
        const char *value;
        const char *name;
    } order[] = {
        {cli_region, "--region"},
        {s_env("AWS_REGION"), "AWS_REGION"},
        {s_env("AWS_DEFAULT_REGION"), "AWS_DEFAULT_REGION"},
        {profile_region, "profile"},
        {fallback, "policy"},
    };
    *out = NULL;
    if (source != NULL)
        *source = NULL;
    for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
        if (order[i].value == NULL || order[i].value[0] == '\0')
            continue;
        *out = lk_xstrdup(order[i].value);
        if (source != NULL)
            *source = order[i].name;
        return lk_endpoint_region_is_valid(*out) ? LK_STATUS_OK : LK_STATUS_INVALID_ARGUMENT;
    }
    return LK_STATUS_OK;
}

const char *lk_endpoint_dns_suffix(const char *region)
{
    /* Partitions of botocore/data/endpoints.json: aws-cn (regionRegex ^cn\-\w+\-\d+$,
     * dnsSuffix amazonaws.com.cn), aws-us-gov (^us\-gov\-\w+\-\d+$, amazonaws.com), aws-iso
     * (^us\-iso\-\w+\-\d+$, c2s.ic.gov), aws-iso-b (^us\-isob\-\w+\-\d+$, sc2s.sgov.gov);
     * everything else is aws (amazonaws.com). */
    if (strncmp(region, "cn-", 3) == 0)
        return "amazonaws.com.cn";
    if (strncmp(region, "us-isob-", 8) == 0)
        return "sc2s.sgov.gov";
    if (strncmp(region, "us-iso-", 7) == 0)
        return "c2s.ic.gov";
    return "amazonaws.com";
}

bool lk_endpoint_bucket_is_virtual_hostable(const char *bucket)
{
    /* [VH]: a bucket becomes a host label only when it is a valid DNS label; with TLS, names
     * with dots do not match the *.s3.<region>.amazonaws.com wildcard certificate, so botocore
     * sends them path-style [NOTES, W: my.dotted.bucket]. Label rules: 3-63 characters of
     * a-z 0-9 '-', starting and ending with a letter or digit. */
    size_t n = bucket != NULL ? strlen(bucket) : 0;
    if (n < 3 || n > 63)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = bucket[i];
        bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
        if (!alnum && c != '-')
            return false;
        if ((i == 0 || i == n - 1) && !alnum)
            return false;
    }
    return true;
}

void lk_endpoint_free(struct lk_endpoint *ep)
{
    if (ep == NULL)
        return;
    free(ep->url);
    free(ep->host_header);
    free(ep->target);
    free(ep->signing_region);
    memset(ep, 0, sizeof(*ep));
}

/* Checks the caller's path: it must not smuggle a host, a fragment or control characters. */
static bool s_is_valid_path(const char *path)
{
    if (path[0] != '\0' && path[0] != '/' && path[0] != '?')
        return false;
    for (const char *p = path; *p; p++)
        if ((unsigned char)*p <= 0x20 || *p == 0x7f || *p == '#')
            return false;
    return true;
}

enum lk_status lk_endpoint_resolve(const struct lk_endpoint_request *req, struct lk_endpoint *out,
                                   struct lk_error *err)
{
    enum lk_status rc = LK_STATUS_INVALID_ARGUMENT;
    struct lk_http_url base;
    struct lk_buf target;
    struct lk_buf url;
    char *encoded_bucket = NULL;
    char *host = NULL;

    memset(out, 0, sizeof(*out));
    memset(&base, 0, sizeof(base));
    /* The target is a path and query that logkeep writes (an S3 key is at most 1,024 bytes:
     * S3 User Guide, "Naming Amazon S3 objects"), the URL that with a host: a line holds them. */
    lk_buf_init(&target, LK_BUF_MAX_LINE);
    lk_buf_init(&url, LK_BUF_MAX_LINE);

    const char *path = req->path != NULL ? req->path : "/";
    if (!lk_endpoint_region_is_valid(req->region)) {
        lk_error_set(err, rc, "invalid region \"%s\"", req->region ? req->region : "");
        goto cleanup;
    }
    if (!s_is_valid_path(path)) {
        lk_error_set(err, rc, "invalid request path");
        goto cleanup;
    }
    bool is_s3 = req->service == LK_AWS_S3;
    bool has_bucket = is_s3 && req->bucket != NULL && req->bucket[0] != '\0';
    if (has_bucket && strlen(req->bucket) > 255) {
        lk_error_set(err, rc, "bucket name too long");
        goto cleanup;
    }

    /* Path style: [NOTES] a custom endpoint (botocore does the same for LocalStack and MinIO),
     * GetBucketLocation (botocore always sends it path-style), or a bucket that is not a plain
     * DNS label. */
    out->path_style = has_bucket && (req->endpoint_url != NULL || req->force_path_style ||
                                     !lk_endpoint_bucket_is_virtual_hostable(req->bucket));

    const char *scheme = "https";
    const char *prefix = ""; /* a custom endpoint's own path, without a trailing '/' */
    size_t prefix_len = 0;
    if (req->endpoint_url != NULL) {
        const struct lk_http_url *b = req->endpoint_base;
        bool parsed = true;
        if (b == NULL) {
            parsed = lk_http_url_parse(req->endpoint_url, &base) == LK_STATUS_OK;
            b = &base;
        }
        if (!parsed || b->query != NULL) {
            lk_error_set(err, rc, "endpoint URL \"%s\" is not an http:// or https:// URL",
                         req->endpoint_url);
            goto cleanup;
        }
        scheme = b->scheme;
        prefix = b->path;
        prefix_len = strlen(prefix);
        while (prefix_len > 0 && prefix[prefix_len - 1] == '/')
            prefix_len--;
        host = lk_http_url_host_header(b);
    } else {
        const char *suffix = lk_endpoint_dns_suffix(req->region);
        struct lk_buf h;
        /* A bucket name of at most 255 bytes (checked above) and a region of at most 63. */
        lk_buf_init(&h, LK_BUF_MAX_LINE);
        if (has_bucket && !out->path_style)
            lk_buf_printf(&h, "%s.", req->bucket);
        /* S3 in us-east-1 uses the regional host s3.us-east-1.amazonaws.com, not the legacy
         * global s3.amazonaws.com that botocore 1.29 picks by default [NOTES; VH: both the
         * regional and the legacy global endpoint address us-east-1 buckets]. The regional
         * host serves only us-east-1 buckets, so a bucket in another region fails at once with
         * a 301 PermanentRedirect naming its region (x-amz-bucket-region), instead of being
         * answered through the global host's redirects; every region then has the same host
         * pattern. Both hosts sign with region us-east-1 (botocore's
         * us_east_1_regional_endpoint=regional gives the same URL). */
        lk_buf_printf(&h, "%s.%s.%s", lk_aws_service_name(req->service), req->region, suffix);
        host = lk_buf_take(&h, NULL);
        if (host == NULL) {
            lk_error_set(err, LK_STATUS_TOO_LARGE, "host name over %zu bytes", LK_BUF_MAX_LINE);
            rc = LK_STATUS_TOO_LARGE;
            goto cleanup;
        }
    }

    /* The request target: [prefix] [/bucket] path. */
    lk_buf_append(&target, prefix, prefix_len);
    if (out->path_style) {
        if (lk_sigv4_encode_uri(req->bucket, strlen(req->bucket), false, &encoded_bucket) !=
            LK_STATUS_OK) {
            lk_error_set(err, rc, "cannot encode the bucket name");
            goto cleanup;
        }
        lk_buf_putc(&target, '/');
        lk_buf_puts(&target, encoded_bucket);
        /* "/my-bucket?lifecycle", not "/my-bucket/?lifecycle" [NOTES, W]. */
        if (path[0] == '/' && (path[1] == '\0' || path[1] == '?'))
            path++;
        if (path[0] != '\0' && path[0] != '?' && path[0] != '/')
            lk_buf_putc(&target, '/');
        lk_buf_puts(&target, path);
    } else {
        if (path[0] != '/')
            lk_buf_putc(&target, '/');
        lk_buf_puts(&target, path);
    }
    if (target.len == 0)
        lk_buf_putc(&target, '/');

    const char *target_text = lk_buf_cstr(&target);
    if (target_text != NULL)
        lk_buf_printf(&url, "%s://%s%s", scheme, host, target_text);
    out->url = lk_buf_take(&url, NULL);
    out->target = lk_buf_take(&target, NULL);
    if (out->url == NULL || out->target == NULL) {
        rc = lk_error_set(err, LK_STATUS_TOO_LARGE, "request URL over %zu bytes", LK_BUF_MAX_LINE);
        goto cleanup;
    }
    out->host_header = host;
    host = NULL;
    out->signing_region = lk_xstrdup(req->region);
    rc = LK_STATUS_OK;

cleanup:
    free(host);
    lk_sigv4_free_string(encoded_bucket);
    lk_buf_free(&target);
    lk_buf_free(&url);
    lk_http_url_free(&base);
    if (rc != LK_STATUS_OK)
        lk_endpoint_free(out);
    return rc;
}
