/*
 * logkeep service client tests against the local endpoint: what the live suites share.
 */
#ifndef LK_SVC_LIVE_H
#define LK_SVC_LIVE_H

#include <check.h>

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

#endif
