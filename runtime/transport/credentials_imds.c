/*
 * logkeep runtime: the EC2 instance metadata credential provider (credentials.h, provider 8):
 * an IMDSv2 session token, the instance role's name, then its credentials; IMDSv1 (no token)
 * when the token request is refused, unless AWS_EC2_METADATA_V1_DISABLED is true.
 *
 * Sources:
 *   [NOTES] docs/protocol-notes.md section 8 (botocore utils.py IMDSFetcher,
 *           InstanceMetadataFetcher).
 *   [IMDS]  AWS SDKs and Tools Reference Guide, "IMDS credential provider",
 *           https://docs.aws.amazon.com/sdkref/latest/guide/feature-imds-credentials.html
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/arena.h"
#include "runtime/transport/credentials_int.h"
#include "runtime/transport/http.h"

/* The summary of a transport failure without libcurl's detail: the message up to its first
 * ": " ("timed out"; http.h). */
static const char *s_summary(const struct lk_http_response *resp, char *out, size_t len)
{
    const char *msg = resp->error.message;
    const char *sep = strstr(msg, ": ");
    size_t n = sep != NULL ? (size_t)(sep - msg) : strlen(msg);
    snprintf(out, len, "%.*s", (int)n, msg);
    return out;
}

int lk_credentials_imds(const struct lk_credentials_chain *c, bool required,
                        struct lk_aws_credentials *out, struct lk_aws_error *err)
{
    int rc = LK_CREDENTIALS_ERROR;
    bool found = false;
    char *base = NULL;
    char *url = NULL;
    char *token = NULL;
    char *role = NULL;
    char reason[512] = "";
    char errbuf[512];
    char what[128]; /* a summary (http.c): under 128 characters */
    struct lk_http_response resp;

    memset(&resp, 0, sizeof(resp));
    /* [IMDS] AWS_EC2_METADATA_DISABLED=true turns the provider off. */
    if (lk_credentials_env_true("AWS_EC2_METADATA_DISABLED")) {
        if (required)
            return lk_credentials_fail(err, "InvalidConfiguration",
                                       "credential_source Ec2InstanceMetadata, but "
                                       "AWS_EC2_METADATA_DISABLED is true");
        return LK_CREDENTIALS_NOT_FOUND;
    }
    const char *endpoint = lk_credentials_env("AWS_EC2_METADATA_SERVICE_ENDPOINT");
    const char *mode = lk_credentials_env("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE");
    if (endpoint == NULL)
        endpoint = mode != NULL && strcasecmp(mode, "IPv6") == 0 ? "http://[fd00:ec2::254]"
                                                                 : "http://169.254.169.254";
    base = lk_xstrdup(endpoint);
    for (size_t n = strlen(base); n > 0 && base[n - 1] == '/'; n--)
        base[n - 1] = '\0';
    long timeout_ms = LK_CREDENTIALS_IMDS_TIMEOUT_MS;
    const char *timeout_env = lk_credentials_env("AWS_METADATA_SERVICE_TIMEOUT");
    if (timeout_env != NULL && atoi(timeout_env) > 0)
        timeout_ms = (long)atoi(timeout_env) * 1000;

    /* Step 1: the IMDSv2 session token, asked for 21600 s [NOTES section 8]. */
    char ttl_name[] = "x-aws-ec2-metadata-token-ttl-seconds";
    char ttl_value[16];
    snprintf(ttl_value, sizeof(ttl_value), "%d", LK_CREDENTIALS_IMDS_TOKEN_TTL_S);
    struct lk_http_header ttl_header = {ttl_name, ttl_value};
    url = lk_credentials_printf("%s/latest/api/token", base);
    enum lk_status result = lk_credentials_metadata_request(c, "instance metadata token", "PUT",
                                                            url, &ttl_header, 1, timeout_ms, &resp);
    bool v1_disabled = lk_credentials_env_true("AWS_EC2_METADATA_V1_DISABLED");
    if (result == LK_STATUS_OK && resp.status == 200 && resp.body_len > 0) {
        token = lk_xstrndup((const char *)resp.body, strcspn((const char *)resp.body, "\r\n"));
    } else if (result == LK_STATUS_OK && resp.status == 400) {
        snprintf(reason, sizeof(reason), "the token request was refused (HTTP 400)");
        goto cleanup;
    } else if (result == LK_STATUS_OK && resp.status != 403 && resp.status != 404 &&
               resp.status != 405) {
        snprintf(reason, sizeof(reason), "the token request answered HTTP %ld", resp.status);
        goto cleanup;
    } else if (result != LK_STATUS_OK && result != LK_STATUS_TIMEOUT) {
        /* Nothing listens: not on EC2. */
        snprintf(reason, sizeof(reason), "%s", resp.error.message);
        goto cleanup;
    }
    if (token == NULL && v1_disabled) {
        /* [IMDS]: 403/404/405 (or a timeout) fall back to IMDSv1 unless it is disabled. */
        snprintf(reason, sizeof(reason),
                 "no IMDSv2 token and AWS_EC2_METADATA_V1_DISABLED is true");
        goto cleanup;
    }
    char tok_name[] = "x-aws-ec2-metadata-token";
    struct lk_http_header tok_header = {tok_name, token};
    size_t n_tok = token != NULL ? 1 : 0;

    /* Step 2: the role name [NOTES section 8]. */
    free(url);
    url = lk_credentials_printf("%s/latest/meta-data/iam/security-credentials/", base);
    lk_http_response_free(&resp);
    result = lk_credentials_metadata_request(c, "instance metadata role", "GET", url, &tok_header,
                                             n_tok, timeout_ms, &resp);
    if (result != LK_STATUS_OK || resp.status != 200 || resp.body_len == 0) {
        snprintf(reason, sizeof(reason), "no instance role (%s)",
                 result != LK_STATUS_OK ? s_summary(&resp, what, sizeof(what))
                                        : "HTTP status or empty");
        goto cleanup;
    }
    role = lk_xstrndup((const char *)resp.body, strcspn((const char *)resp.body, "\r\n"));
    for (const char *p = role; *p; p++)
        if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
              strchr("+=,.@_-", *p) != NULL)) {
            snprintf(reason, sizeof(reason), "the role name is not an IAM role name");
            goto cleanup;
        }
    if (role[0] == '\0') {
        snprintf(reason, sizeof(reason), "the instance has no role");
        goto cleanup;
    }

    /* Step 3: the role's credentials. */
    free(url);
    url = lk_credentials_printf("%s/latest/meta-data/iam/security-credentials/%s", base, role);
    lk_http_response_free(&resp);
    result = lk_credentials_metadata_request(c, "instance metadata credentials", "GET", url,
                                             &tok_header, n_tok, timeout_ms, &resp);
    if (result != LK_STATUS_OK || resp.status != 200) {
        snprintf(reason, sizeof(reason), "the credentials request failed (%s)",
                 result != LK_STATUS_OK ? s_summary(&resp, what, sizeof(what)) : "HTTP status");
        goto cleanup;
    }
    if (lk_credentials_parse_metadata_json((const char *)resp.body, resp.body_len, out, errbuf,
                                           sizeof(errbuf)) != 0) {
        snprintf(reason, sizeof(reason), "%s", errbuf);
        goto cleanup;
    }
    out->source = lk_xstrdup("instance metadata");
    found = true;

cleanup:
    if (found) {
        rc = LK_CREDENTIALS_FOUND;
    } else {
        /* Not on EC2 (or no role) is not an error for the chain, only when required. */
        lk_credentials_debug(c, "instance metadata: %s", reason);
        if (required)
            lk_credentials_fail(err, "InstanceMetadataError", "instance metadata at %s: %s", base,
                                reason);
        rc = required ? LK_CREDENTIALS_ERROR : LK_CREDENTIALS_NOT_FOUND;
    }
    lk_http_response_free(&resp);
    lk_http_free_secret(token);
    free(role);
    free(url);
    free(base);
    return rc;
}
