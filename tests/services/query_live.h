/*
 * logkeep service client tests against the local endpoint: what the EC2, ELBv2 and RDS live
 * suites share (the endpoint's admin API: seeding /_admin/workloads, faults, request counts).
 */
#ifndef LK_QUERY_LIVE_H
#define LK_QUERY_LIVE_H

#include <check.h>
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/transport/client.h"
#include "runtime/transport/http.h"
#include "svc_live.h"

/* Sends @p json (or nothing) to the admin API path @p path. @return the answer parsed (the
 * caller deletes it); the test fails unless the status is 200. */
static inline cJSON *lk_qlive_admin(struct lk_aws_client *client, const char *method,
                                    const char *path, const char *json)
{
    cJSON *doc = NULL;
    long status = lk_svc_admin(client, method, path, json, &doc);
    ck_assert_msg(status == 200, "admin %s %s: HTTP %ld", method, path, status);
    return doc;
}

/* POSTs and discards the answer. */
static inline void lk_qlive_post(struct lk_aws_client *client, const char *path, const char *json)
{
    cJSON_Delete(lk_qlive_admin(client, "POST", path, json));
}

/* @return how many requests the endpoint has logged for @p service's @p op so far (faulted ones
 * included: a throttled attempt is a request). */
static inline int lk_qlive_count(struct lk_aws_client *client, const char *service, const char *op)
{
    cJSON *log = lk_qlive_admin(client, "GET", "/_admin/log?limit=0", NULL);
    const cJSON *svc = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(log, "counts_by_service"), service);
    const cJSON *n = cJSON_GetObjectItemCaseSensitive(svc, op);
    int count = cJSON_IsNumber(n) ? n->valueint : 0;
    cJSON_Delete(log);
    return count;
}

/* The ids the seeding answer lists under @p kind, as a NULL-terminated strdup'd array. */
static inline char **lk_qlive_ids(const cJSON *seeded, const char *kind, size_t *n)
{
    const cJSON *arr = cJSON_GetObjectItemCaseSensitive(seeded, kind);
    ck_assert(cJSON_IsArray(arr));
    *n = (size_t)cJSON_GetArraySize(arr);
    char **ids = calloc(*n + 1, sizeof(*ids));
    ck_assert_ptr_nonnull(ids);
    for (size_t i = 0; i < *n; i++)
        ids[i] = strdup(cJSON_GetArrayItem(arr, (int)i)->valuestring);
    return ids;
}

static inline void lk_qlive_ids_free(char **ids)
{
    for (size_t i = 0; ids && ids[i]; i++)
        free(ids[i]);
    free(ids);
}

#endif
