/*
 * logkeep runtime: the container credential provider (credentials.h, provider 7): Amazon ECS
 * task roles (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI) and Amazon EKS Pod Identity
 * (AWS_CONTAINER_CREDENTIALS_FULL_URI with an authorization token file), and the parser of the
 * credentials document the container and instance metadata endpoints both answer.
 *
 * Sources:
 *   [NOTES] docs/protocol-notes.md section 8 (botocore utils.py ContainerMetadataFetcher).
 *   [CONT]  AWS SDKs and Tools Reference Guide, "Container credential provider",
 *           https://docs.aws.amazon.com/sdkref/latest/guide/feature-container-credentials.html
 */
#include <cjson/cJSON.h>

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/arena.h"
#include "runtime/transport/credentials_int.h"
#include "runtime/transport/http.h"

int lk_credentials_parse_metadata_json(const char *json, size_t len, struct lk_aws_credentials *out,
                                       char *errbuf, size_t errlen)
{
    int rc = -1;
    cJSON *doc = NULL;

    memset(out, 0, sizeof(*out));
    if (json == NULL || len == 0) {
        snprintf(errbuf, errlen, "empty answer");
        goto cleanup;
    }
    doc = cJSON_ParseWithLength(json, len);
    if (!cJSON_IsObject(doc)) {
        snprintf(errbuf, errlen, "the answer is not a JSON object");
        goto cleanup;
    }
    /* IMDS answers carry "Code": "Success" [NOTES section 8]; anything else is a failure. */
    const char *code = lk_credentials_json_string(doc, "Code");
    if (code != NULL && strcmp(code, "Success") != 0) {
        snprintf(errbuf, errlen, "the answer's Code is \"%.64s\"", code);
        goto cleanup;
    }
    /* botocore requires all four members (utils.py _contains_all_credential_fields). */
    static const char *const s_required[] = {"AccessKeyId", "SecretAccessKey", "Token",
                                             "Expiration"};
    for (size_t i = 0; i < 4; i++) {
        const char *v = lk_credentials_json_string(doc, s_required[i]);
        if (v == NULL || v[0] == '\0') {
            snprintf(errbuf, errlen, "the answer has no \"%s\"", s_required[i]);
            goto cleanup;
        }
    }
    if (lk_aws_parse_iso8601(lk_credentials_json_string(doc, "Expiration"), &out->expiration_s) !=
        0) {
        snprintf(errbuf, errlen, "\"Expiration\" is not an ISO 8601 timestamp");
        goto cleanup;
    }
    out->access_key_id = lk_xstrdup(lk_credentials_json_string(doc, "AccessKeyId"));
    out->secret_access_key = lk_xstrdup(lk_credentials_json_string(doc, "SecretAccessKey"));
    out->session_token = lk_xstrdup(lk_credentials_json_string(doc, "Token"));
    rc = 0;

cleanup:
    lk_credentials_json_delete(doc);
    if (rc != 0)
        lk_aws_credentials_clear(out);
    return rc;
}

bool lk_credentials_container_url_allowed(const char *url)
{
    struct lk_http_url u;
    bool ok = false;
    if (lk_http_url_parse(url, &u) != 0)
        goto cleanup;
    if (strcmp(u.scheme, "https") == 0) {
        ok = true;
        goto cleanup;
    }
    /* [CONT]: http only to loopback, the ECS address 169.254.170.2 or the EKS Pod Identity
     * addresses 169.254.170.23 and fd00:ec2::23. Host names are not resolved here, so only
     * "localhost" is accepted by name. */
    if (lk_http_url_is_loopback(url)) {
        ok = true;
        goto cleanup;
    }
    char bare[64];
    size_t n = strlen(u.host);
    const char *h = u.host;
    if (n >= 2 && h[0] == '[' && h[n - 1] == ']') {
        h++;
        n -= 2;
    }
    if (n >= sizeof(bare))
        goto cleanup;
    memcpy(bare, h, n);
    bare[n] = '\0';
    unsigned char addr[16], want[16];
    if (inet_pton(AF_INET, bare, addr) == 1) {
        static const char *const s_v4[] = {"169.254.170.2", "169.254.170.23"};
        for (size_t i = 0; i < 2; i++)
            if (inet_pton(AF_INET, s_v4[i], want) == 1 && memcmp(addr, want, 4) == 0)
                ok = true;
    } else if (inet_pton(AF_INET6, bare, addr) == 1) {
        if (inet_pton(AF_INET6, "fd00:ec2::23", want) == 1 && memcmp(addr, want, 16) == 0)
            ok = true;
    }

cleanup:
    lk_http_url_free(&u);
    return ok;
}

int lk_credentials_container(const struct lk_credentials_chain *c, bool required,
                             struct lk_aws_credentials *out, struct lk_aws_error *err)
{
    int rc = LK_CREDENTIALS_ERROR;
    char *url = NULL;
    char *auth = NULL;
    char errbuf[512];
    struct lk_http_response resp;

    memset(&resp, 0, sizeof(resp));
    const char *relative = lk_credentials_env("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
    const char *full = lk_credentials_env("AWS_CONTAINER_CREDENTIALS_FULL_URI");
    if (relative != NULL) {
        /* [CONT] ECS: rooted at http://169.254.170.2. */
        url = lk_credentials_printf("http://169.254.170.2%s%s", relative[0] == '/' ? "" : "/",
                                    relative);
    } else if (full != NULL) {
        if (!lk_credentials_container_url_allowed(full)) {
            lk_credentials_fail(
                err, "InvalidConfiguration",
                "AWS_CONTAINER_CREDENTIALS_FULL_URI must be https://, or http:// to a "
                "loopback address, 169.254.170.2, 169.254.170.23 or fd00:ec2::23");
            goto cleanup;
        }
        url = lk_xstrdup(full);
    } else {
        if (required)
            lk_credentials_fail(err, "InvalidConfiguration",
                                "credential_source EcsContainer, but neither "
                                "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI nor _FULL_URI is set");
        rc = required ? LK_CREDENTIALS_ERROR : LK_CREDENTIALS_NOT_FOUND;
        goto cleanup;
    }

    /* [CONT] Authorization: the token file's contents (read on every request, EKS rotates
     * it), else AWS_CONTAINER_AUTHORIZATION_TOKEN. */
    const char *token_file = lk_credentials_env("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
    if (token_file != NULL) {
        if (lk_credentials_read_token_file(token_file, &auth, errbuf, sizeof(errbuf)) != 0) {
            lk_credentials_fail(err, "ContainerCredentialsError", "%s", errbuf);
            goto cleanup;
        }
    } else if (lk_credentials_env("AWS_CONTAINER_AUTHORIZATION_TOKEN") != NULL) {
        auth = lk_xstrdup(lk_credentials_env("AWS_CONTAINER_AUTHORIZATION_TOKEN"));
        if (strpbrk(auth, "\r\n") != NULL) {
            lk_credentials_fail(err, "InvalidConfiguration",
                                "AWS_CONTAINER_AUTHORIZATION_TOKEN holds a line break");
            goto cleanup;
        }
    }
    char auth_name[] = "Authorization";
    char accept_name[] = "Accept";
    char accept_value[] = "application/json";
    struct lk_http_header headers[2] = {{accept_name, accept_value}, {auth_name, auth}};
    size_t n_headers = auth != NULL ? 2 : 1;

    /* botocore ContainerMetadataFetcher: 2 s timeout, 3 attempts, 1 s apart [NOTES]. */
    char last[512] = "no attempt";
    for (int attempt = 1; attempt <= LK_CREDENTIALS_CONTAINER_ATTEMPTS; attempt++) {
        lk_http_response_free(&resp);
        enum lk_status result =
            lk_credentials_metadata_request(c, "container credentials", "GET", url, headers,
                                            n_headers, LK_CREDENTIALS_CONTAINER_TIMEOUT_MS, &resp);
        if (result != LK_STATUS_OK) {
            snprintf(last, sizeof(last), "%s", resp.error.message);
        } else if (resp.status != 200) {
            snprintf(last, sizeof(last), "HTTP %ld", resp.status);
        } else if (lk_credentials_parse_metadata_json((const char *)resp.body, resp.body_len, out,
                                                      errbuf, sizeof(errbuf)) != 0) {
            snprintf(last, sizeof(last), "%s", errbuf);
        } else {
            out->source = lk_xstrdup("container");
            rc = LK_CREDENTIALS_FOUND;
            goto cleanup;
        }
        if (attempt < LK_CREDENTIALS_CONTAINER_ATTEMPTS)
            c->http.sleep_ms(c->http.impl, LK_CREDENTIALS_CONTAINER_RETRY_SLEEP_MS);
    }
    lk_credentials_fail(err, "ContainerCredentialsError", "container credentials from %s: %s", url,
                        last);

cleanup:
    lk_http_response_free(&resp);
    lk_http_free_secret(auth);
    free(url);
    return rc;
}
