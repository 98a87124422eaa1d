/*
 * logkeep service client tests against the local endpoint: what the live suites share.
 */
#ifndef LK_SVC_LIVE_H
#define LK_SVC_LIVE_H

#include <check.h>
#include <cjson/cJSON.h>

#include <stdio.h>
#include <string.h>

#include "runtime/transport/client.h"
#include "runtime/transport/config_file.h"
#include "runtime/transport/credentials.h"
#include "runtime/transport/http.h"

/* Fails the test with @p what and the AWS error @p err describes. */
static inline void lk_svc_fail_err(const char *what, const struct lk_aws_error *err)
{
    char buf[512];
    lk_aws_error_format(err, buf, sizeof(buf));
    ck_abort_msg("%s: %s", what, buf);
}

/* Asserts success, printing the AWS error otherwise, and leaves @p err empty. */
#define OK(call, err)                                                                              \
    do {                                                                                           \
        if ((call) != 0)                                                                           \
            lk_svc_fail_err(#call, &(err));                                                        \
        ck_assert_ptr_null((err).code);                                                            \
    } while (0)

/* Sets up @p client as every live suite does: the shared config and the standard credential
 * chain from the environment tests/services/run sets (AWS_ENDPOINT_URL, AWS_REGION, keys). */
static inline void lk_svc_client_from_env(struct lk_aws_client *client)
{
    struct lk_aws_error err = {0};
    struct lk_aws_config cfg;
    memset(&cfg, 0, sizeof(cfg));
    if (lk_aws_config_load(NULL, &cfg, &err) != 0)
        lk_svc_fail_err("lk_aws_config_load", &err);
    ck_assert_msg(cfg.region != NULL, "AWS_REGION is not set");
    struct lk_http_options hopts = {0};
    struct lk_http_vtable http;
    ck_assert_int_eq(lk_http_curl_new(&hopts, &http, NULL), 0);
    struct lk_credentials_options copts = {NULL, &http, &cfg, NULL};
    struct lk_aws_credential_provider prov;
    ck_assert_int_eq(lk_credentials_chain_new(&copts, &prov), 0);
    ck_assert_int_eq(lk_aws_client_init(client, &http, &prov, &cfg), 0);
}

/* Calls the admin API (unsigned JSON on loopback). @return the HTTP status; @p answer receives
 * the parsed answer (cJSON_Delete() it) when not NULL. */
static inline long lk_svc_admin(struct lk_aws_client *client, const char *method, const char *path,
                                const char *json, cJSON **answer)
{
    const char *base = getenv("AWS_ENDPOINT_URL");
    ck_assert_ptr_nonnull(base);
    char url[512];
    snprintf(url, sizeof(url), "%s%s", base, path);
    char ct_name[] = "Content-Type", ct_value[] = "application/json";
    struct lk_http_header h = {ct_name, ct_value};
    struct lk_http_request req = {0};
    req.method = method;
    req.url = url;
    req.headers = &h;
    req.n_headers = 1;
    req.body = (const unsigned char *)(json ? json : "");
    req.body_len = json ? strlen(json) : 0;
    struct lk_http_response resp = {0};
    int rc = client->http.perform(client->http.impl, &req, &resp);
    ck_assert_msg(rc == LK_STATUS_OK, "admin %s: %s", path, resp.error.message);
    long status = resp.status;
    if (answer != NULL) {
        *answer = cJSON_ParseWithLength((const char *)resp.body, resp.body_len);
        ck_assert_ptr_nonnull(*answer);
    }
    lk_http_response_free(&resp);
    return status;
}

#endif
