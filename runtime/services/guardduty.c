/*
 * logkeep runtime: the Amazon GuardDuty findings-export client (see guardduty.h).
 */
#include "runtime/services/guardduty.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/escape.h"
#include "runtime/services/policy_json.h"
#include "runtime/services/restjson.h"

#define MAXS LK_RESTJSON_MAX_STRING

void lk_guardduty_listing_init(struct lk_guardduty_listing *l)
{
    memset(l, 0, sizeof(*l));
    lk_arena_init(&l->arena);
}

void lk_guardduty_listing_free(struct lk_guardduty_listing *l)
{
    for (size_t i = 0; i < l->n_detectors; i++)
        free(l->detectors[i].destinations);
    free(l->detectors);
    lk_arena_destroy(&l->arena);
    memset(l, 0, sizeof(*l));
}

enum lk_status lk_guardduty_parse_detectors(struct lk_guardduty_listing *l, const char *json,
                                            size_t len, char **next_token, struct lk_error *err)
{
    /* detectorIds is required in the model. */
    return lk_restjson_parse_names(&l->arena, json, len, "ListDetectors", "detectorIds", true,
                                   "a detector id", (void **)&l->detectors, &l->n_detectors,
                                   sizeof(*l->detectors), next_token, err);
}

enum lk_status lk_guardduty_parse_destinations(struct lk_guardduty_listing *l,
                                               struct lk_guardduty_detector *det, const char *json,
                                               size_t len, char **next_token, struct lk_error *err)
{
    enum lk_status rc;
    struct lk_json_doc doc;
    const cJSON *arr = NULL, *item;
    *next_token = NULL;
    LK_GUARD_GOTO(rc, lk_restjson_parse_object(&doc, json, len, "ListPublishingDestinations", err),
                  cleanup);
    LK_GUARD_GOTO(rc, lk_restjson_get_array(doc.root, "destinations", true, &arr, err), cleanup);
    cJSON_ArrayForEach(item, arr)
    {
        LK_ENSURE_GOTO(rc, cJSON_IsObject(item),
                       lk_error_set(err, LK_STATUS_SCHEMA, "a destination is not an object"),
                       cleanup);
        struct lk_guardduty_destination *d =
            lk_restjson_push((void **)&det->destinations, &det->n_destinations, sizeof(*d));
        LK_ENSURE_GOTO(rc, d != NULL,
                       lk_error_set(err, LK_STATUS_TOO_LARGE, "too many destinations"), cleanup);
        LK_GUARD_GOTO(rc, lk_restjson_get_str(&l->arena, item, "destinationId", MAXS, &d->id, err),
                      cleanup);
        LK_GUARD_GOTO(rc,
                      lk_restjson_get_str(&l->arena, item, "destinationType", MAXS, &d->type, err),
                      cleanup);
        LK_GUARD_GOTO(rc, lk_restjson_get_str(&l->arena, item, "status", MAXS, &d->status, err),
                      cleanup);
        LK_ENSURE_GOTO(rc, d->id != NULL,
                       lk_error_set(err, LK_STATUS_SCHEMA, "a destination has no destinationId"),
                       cleanup);
    }
    LK_GUARD_GOTO(rc, lk_restjson_get_str(&l->arena, doc.root, "nextToken", MAXS, next_token, err),
                  cleanup);
    if (*next_token != NULL && (*next_token)[0] == '\0')
        *next_token = NULL;
cleanup:
    lk_json_doc_free(&doc);
    return rc;
}

enum lk_status lk_guardduty_parse_destination(struct lk_guardduty_listing *l,
                                              struct lk_guardduty_destination *d, const char *json,
                                              size_t len, struct lk_error *err)
{
    enum lk_status rc;
    struct lk_json_doc doc;
    const cJSON *props = NULL;
    LK_GUARD_GOTO(rc,
                  lk_restjson_parse_object(&doc, json, len, "DescribePublishingDestination", err),
                  cleanup);
    LK_GUARD_GOTO(rc, lk_restjson_get_str(&l->arena, doc.root, "status", MAXS, &d->status, err),
                  cleanup);
    LK_GUARD_GOTO(rc, lk_restjson_get_object(doc.root, "destinationProperties", &props, err),
                  cleanup);
    LK_ENSURE_GOTO(rc, props != NULL,
                   lk_error_set(err, LK_STATUS_SCHEMA, "destinationProperties is missing"),
                   cleanup);
    LK_GUARD_GOTO(
        rc, lk_restjson_get_str(&l->arena, props, "destinationArn", MAXS, &d->destination_arn, err),
        cleanup);
    LK_GUARD_GOTO(rc,
                  lk_restjson_get_str(&l->arena, props, "kmsKeyArn", MAXS, &d->kms_key_arn, err),
                  cleanup);
cleanup:
    lk_json_doc_free(&doc);
    return rc;
}

/* One GET of @p path; the answer parsed by the caller from @p resp. */
static enum lk_status s_get(struct lk_aws_client *client, const char *region, const char *op,
                            struct lk_buf *path, struct lk_guardduty_listing *l,
                            struct lk_http_response *resp, struct lk_aws_error *err)
{
    enum lk_status rc =
        lk_restjson_call(client, LK_AWS_GUARDDUTY, op, "GET", path, region, NULL, resp, err);
    lk_buf_free(path);
    l->requests++;
    return rc;
}

static void s_page_query(struct lk_buf *path, int page_size, const char *token)
{
    char n[16];
    snprintf(n, sizeof(n), "%d", page_size);
    lk_restjson_query(path, "maxResults", n);
    if (token != NULL)
        lk_restjson_query(path, "nextToken", token);
}

static enum lk_status s_destinations(struct lk_aws_client *client, const char *region,
                                     int page_size, struct lk_guardduty_listing *l,
                                     struct lk_guardduty_detector *det, struct lk_aws_error *err)
{
    static const char op[] = "ListPublishingDestinations";
    enum lk_status rc = LK_STATUS_OK;
    char *token = NULL, *prev = NULL;
    unsigned pages = 0;
    do {
        struct lk_buf path;
        struct lk_http_response resp = {0};
        struct lk_error why = {0};
        const char *labels[1] = {det->id};
        lk_buf_init(&path, LK_BUF_MAX_LINE);
        if (lk_restjson_path(&path, "/detector/{detectorId}/publishingDestination", labels, 1) !=
            LK_STATUS_OK)
            lk_buf_fail(&path);
        s_page_query(&path, page_size, token);
        rc = s_get(client, region, op, &path, l, &resp, err);
        pages++;
        if (rc == LK_STATUS_OK &&
            lk_guardduty_parse_destinations(l, det, (const char *)resp.body, resp.body_len, &token,
                                            &why) != LK_STATUS_OK)
            rc = lk_svc_result(lk_aws_error_malformed(err, op, &resp, why.message), err);
        if (rc == LK_STATUS_OK && token != NULL && !lk_restjson_next_page(&prev, token, pages))
            rc = lk_svc_result(
                lk_aws_error_malformed(err, op, &resp, "the listing does not end (nextToken)"),
                err);
        lk_http_response_free(&resp);
    } while (rc == LK_STATUS_OK && token != NULL);
    free(prev);
    for (size_t i = 0; rc == LK_STATUS_OK && i < det->n_destinations; i++) {
        static const char dop[] = "DescribePublishingDestination";
        struct lk_guardduty_destination *d = &det->destinations[i];
        struct lk_buf path;
        struct lk_http_response resp = {0};
        struct lk_error why = {0};
        const char *labels[2] = {det->id, d->id};
        lk_buf_init(&path, LK_BUF_MAX_LINE);
        if (lk_restjson_path(&path, "/detector/{detectorId}/publishingDestination/{destinationId}",
                             labels, 2) != LK_STATUS_OK)
            lk_buf_fail(&path);
        rc = s_get(client, region, dop, &path, l, &resp, err);
        if (rc == LK_STATUS_OK &&
            lk_guardduty_parse_destination(l, d, (const char *)resp.body, resp.body_len, &why) !=
                LK_STATUS_OK)
            rc = lk_svc_result(lk_aws_error_malformed(err, dop, &resp, why.message), err);
        lk_http_response_free(&resp);
    }
    return rc;
}

enum lk_status lk_guardduty_list(struct lk_aws_client *client, const char *region, int page_size,
                                 struct lk_guardduty_listing *l, struct lk_aws_error *err)
{
    static const char op[] = "ListDetectors";
    enum lk_status rc = LK_STATUS_OK;
    char *token = NULL, *prev = NULL;
    unsigned pages = 0;
    size_t first = l->n_detectors;
    if (page_size <= 0 || page_size > LK_GUARDDUTY_PAGE_MAX)
        page_size = LK_GUARDDUTY_PAGE_MAX;
    do {
        struct lk_buf path;
        struct lk_http_response resp = {0};
        struct lk_error why = {0};
        lk_buf_init(&path, LK_BUF_MAX_LINE);
        lk_buf_puts(&path, "/detector");
        s_page_query(&path, page_size, token);
        rc = s_get(client, region, op, &path, l, &resp, err);
        pages++;
        if (rc == LK_STATUS_OK &&
            lk_guardduty_parse_detectors(l, (const char *)resp.body, resp.body_len, &token, &why) !=
                LK_STATUS_OK)
            rc = lk_svc_result(lk_aws_error_malformed(err, op, &resp, why.message), err);
        if (rc == LK_STATUS_OK && token != NULL && !lk_restjson_next_page(&prev, token, pages))
            rc = lk_svc_result(
                lk_aws_error_malformed(err, op, &resp, "the listing does not end (nextToken)"),
                err);
        lk_http_response_free(&resp);
    } while (rc == LK_STATUS_OK && token != NULL);
    free(prev);
    for (size_t i = first; rc == LK_STATUS_OK && i < l->n_detectors; i++)
        rc = s_destinations(client, region, page_size, l, &l->detectors[i], err);
    return rc;
}

enum lk_status lk_guardduty_parse_administrator(struct lk_guardduty_listing *l,
                                                struct lk_guardduty_administrator *a,
                                                const char *json, size_t len, struct lk_error *err)
{
    enum lk_status rc;
    struct lk_json_doc doc;
    const cJSON *adm = NULL;
    memset(a, 0, sizeof(*a));
    /* "When the GuardDuty administrator account runs this API, it will return success (HTTP 200)
     * but no content", as for an account in no organisation (API Reference,
     * GetAdministratorAccount): no body at all, or an object without administrator. */
    size_t i = 0;
    while (i < len && (json[i] == ' ' || json[i] == '\n' || json[i] == '\r' || json[i] == '\t'))
        i++;
    if (i == len)
        return LK_STATUS_OK;
    LK_GUARD_GOTO(rc, lk_restjson_parse_object(&doc, json, len, "GetAdministratorAccount", err),
                  cleanup);
    LK_GUARD_GOTO(rc, lk_restjson_get_object(doc.root, "administrator", &adm, err), cleanup);
    if (adm != NULL) {
        LK_GUARD_GOTO(rc,
                      lk_restjson_get_str(&l->arena, adm, "accountId", MAXS, &a->account_id, err),
                      cleanup);
        LK_GUARD_GOTO(rc,
                      lk_restjson_get_str(&l->arena, adm, "relationshipStatus", MAXS,
                                          &a->relationship_status, err),
                      cleanup);
        if (a->account_id != NULL && a->account_id[0] == '\0')
            a->account_id = NULL;
    }
cleanup:
    lk_json_doc_free(&doc);
    return rc;
}

enum lk_status lk_guardduty_get_administrator(struct lk_aws_client *client, const char *region,
                                              const char *detector_id,
                                              struct lk_guardduty_listing *l,
                                              struct lk_guardduty_administrator *out,
                                              struct lk_aws_error *err)
{
    static const char op[] = "GetAdministratorAccount";
    struct lk_buf path;
    struct lk_http_response resp = {0};
    struct lk_error why = {0};
    const char *labels[1] = {detector_id};
    memset(out, 0, sizeof(*out));
    lk_buf_init(&path, LK_BUF_MAX_LINE);
    if (lk_restjson_path(&path, "/detector/{detectorId}/administrator", labels, 1) != LK_STATUS_OK)
        lk_buf_fail(&path);
    enum lk_status rc = s_get(client, region, op, &path, l, &resp, err);
    if (rc == LK_STATUS_OK && lk_guardduty_parse_administrator(l, out, (const char *)resp.body,
                                                               resp.body_len, &why) != LK_STATUS_OK)
        rc = lk_svc_result(lk_aws_error_malformed(err, op, &resp, why.message), err);
    lk_http_response_free(&resp);
    return rc;
}

/* The request body's `"destinationProperties":{...}}` (the object closed with the body). */
static void s_destination_properties(struct lk_buf *body, const char *destination_arn,
                                     const char *kms_key_arn)
{
    lk_buf_puts(body, "\"destinationProperties\":{\"destinationArn\":");
    lk_json_escape(body, destination_arn ? destination_arn : "");
    lk_buf_puts(body, ",\"kmsKeyArn\":");
    lk_json_escape(body, kms_key_arn ? kms_key_arn : "");
    lk_buf_puts(body, "}}");
}

enum lk_status lk_guardduty_create_destination(struct lk_aws_client *client, const char *region,
                                               const char *detector_id, const char *destination_arn,
                                               const char *kms_key_arn,
                                               struct lk_guardduty_listing *l,
                                               char **destination_id, struct lk_aws_error *err)
{
    static const char op[] = "CreatePublishingDestination";
    struct lk_buf path, body;
    struct lk_http_response resp = {0};
    const char *labels[1] = {detector_id};
    lk_buf_init(&path, LK_BUF_MAX_LINE);
    if (lk_restjson_path(&path, "/detector/{detectorId}/publishingDestination", labels, 1) !=
        LK_STATUS_OK)
        lk_buf_fail(&path);
    lk_buf_init(&body, LK_BUF_MAX_REQUEST);
    lk_buf_puts(&body, "{\"destinationType\":\"S3\",");
    s_destination_properties(&body, destination_arn, kms_key_arn);
    enum lk_status rc =
        lk_restjson_call(client, LK_AWS_GUARDDUTY, op, "POST", &path, region, &body, &resp, err);
    lk_buf_free(&path);
    lk_buf_free(&body);
    if (rc == LK_STATUS_OK && destination_id != NULL) {
        struct lk_error why = {0};
        struct lk_json_doc doc;
        *destination_id = NULL;
        enum lk_status prc =
            lk_restjson_parse_object(&doc, (const char *)resp.body, resp.body_len, op, &why);
        if (prc == LK_STATUS_OK)
            prc = lk_restjson_get_str(&l->arena, doc.root, "destinationId", MAXS, destination_id,
                                      &why);
        if (prc == LK_STATUS_OK && *destination_id == NULL)
            prc = lk_error_set(&why, LK_STATUS_SCHEMA, "destinationId is missing");
        lk_json_doc_free(&doc);
        if (prc != LK_STATUS_OK)
            rc = lk_svc_result(lk_aws_error_malformed(err, op, &resp, why.message), err);
    }
    lk_http_response_free(&resp);
    return rc;
}

enum lk_status lk_guardduty_update_destination(struct lk_aws_client *client, const char *region,
                                               const char *detector_id, const char *destination_id,
                                               const char *destination_arn, const char *kms_key_arn,
                                               struct lk_aws_error *err)
{
    static const char op[] = "UpdatePublishingDestination";
    struct lk_buf path, body;
    struct lk_http_response resp = {0};
    const char *labels[2] = {detector_id, destination_id};
    lk_buf_init(&path, LK_BUF_MAX_LINE);
    if (lk_restjson_path(&path, "/detector/{detectorId}/publishingDestination/{destinationId}",
                         labels, 2) != LK_STATUS_OK)
        lk_buf_fail(&path);
    lk_buf_init(&body, LK_BUF_MAX_REQUEST);
    lk_buf_puts(&body, "{");
    s_destination_properties(&body, destination_arn, kms_key_arn);
    enum lk_status rc =
        lk_restjson_call(client, LK_AWS_GUARDDUTY, op, "POST", &path, region, &body, &resp, err);
    lk_buf_free(&path);
    lk_buf_free(&body);
    lk_http_response_free(&resp);
    return rc;
}
