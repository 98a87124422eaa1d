/*
 * logkeep service client tests against the local endpoint: what the log-source suites
 * (test_resolver_live.c ... test_eks_live.c) share: the admin calls that seed resources
 * (POST /_admin/sources), inject a throttle and read the request log.
 *
 * Each suite works in a Region of its own, so the suites (which share one endpoint, started by
 * tests/services/run) never see each other's resources.
 */
#ifndef LK_SVC_SOURCES_LIVE_H
#define LK_SVC_SOURCES_LIVE_H

#include <check.h>
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "svc_live.h"

/* Seeds resources (see tests/aws-endpoint/awsendpoint/restjson.py); @return what was made. */
static inline cJSON *lk_src_seed(struct lk_aws_client *client, const char *json)
{
    cJSON *made = NULL;
    long status = lk_svc_admin(client, "POST", "/_admin/sources", json, &made);
    ck_assert_msg(status == 200, "seed %s: HTTP %ld", json, status);
    return made;
}

/* Throttles the next call of @p service's @p operation once. */
static inline void lk_src_throttle_once(struct lk_aws_client *client, const char *service,
                                        const char *operation)
{
    char rule[256];
    snprintf(rule, sizeof(rule),
             "{\"kind\": \"throttle\", \"service\": \"%s\", \"operation\": \"%s\", \"count\": 1}",
             service, operation);
    ck_assert_int_eq(lk_svc_admin(client, "POST", "/_admin/faults", rule, NULL), 200);
}

/* Counts the logged calls of @p service's @p operation with HTTP @p status and (when not NULL)
 * fault kind @p fault. */
static inline int lk_src_logged(struct lk_aws_client *client, const char *service,
                                const char *operation, long status, const char *fault)
{
    char path[256];
    cJSON *log = NULL, *e;
    snprintf(path, sizeof(path), "/_admin/log?service=%s&operation=%s", service, operation);
    ck_assert_int_eq(lk_svc_admin(client, "GET", path, NULL, &log), 200);
    int n = 0;
    cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(log, "entries"))
    {
        const cJSON *s = cJSON_GetObjectItemCaseSensitive(e, "status");
        const cJSON *f = cJSON_GetObjectItemCaseSensitive(e, "fault");
        if (!cJSON_IsNumber(s) || (long)s->valuedouble != status)
            continue;
        if (fault != NULL && !(cJSON_IsString(f) && strcmp(f->valuestring, fault) == 0))
            continue;
        n++;
    }
    cJSON_Delete(log);
    return n;
}

/* Asserts that a call failed with the AWS error @p code, and clears @p err. */
#define LK_SRC_FAILS_WITH(call, err, want)                                                         \
    do {                                                                                           \
        ck_assert_int_ne((call), 0);                                                               \
        ck_assert_ptr_nonnull((err).code);                                                         \
        ck_assert_str_eq((err).code, (want));                                                      \
        lk_aws_error_clear(&(err));                                                                \
    } while (0)

#endif
