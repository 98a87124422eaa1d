/*
 * logkeep runtime: the Amazon EKS control-plane logging client (see eks.h).
 */
#include "runtime/services/eks.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/escape.h"
#include "runtime/services/policy_json.h"
#include "runtime/services/restjson.h"

#define MAXS LK_RESTJSON_MAX_STRING

static const char *const s_type_names[5] = {"api", "audit", "authenticator", "controllerManager",
                                            "scheduler"};

const char *lk_eks_log_type_name(unsigned type)
{
    for (unsigned i = 0; i < 5; i++)
        if (type == 1u << i)
            return s_type_names[i];
    return NULL;
}

unsigned lk_eks_log_type_parse(const char *name)
{
    for (unsigned i = 0; i < 5; i++)
        if (strcmp(name, s_type_names[i]) == 0)
            return 1u << i;
    return 0;
}

void lk_eks_listing_init(struct lk_eks_listing *l)
{
    memset(l, 0, sizeof(*l));
    lk_arena_init(&l->arena);
}

void lk_eks_listing_free(struct lk_eks_listing *l)
{
    free(l->clusters);
    lk_arena_destroy(&l->arena);
    memset(l, 0, sizeof(*l));
}

enum lk_status lk_eks_parse_clusters(struct lk_eks_listing *l, const char *json, size_t len,
                                     char **next_token, struct lk_error *err)
{
    return lk_restjson_parse_names(&l->arena, json, len, "ListClusters", "clusters", false,
                                   "a cluster name", (void **)&l->clusters, &l->n_clusters,
                                   sizeof(*l->clusters), next_token, err);
}

/* Reads logging.clusterLogging: the enabled entries' types, as bits. */
static enum lk_status s_logging(const cJSON *cluster, unsigned *enabled, struct lk_error *err)
{
    const cJSON *logging = NULL, *setups = NULL, *setup, *t;
    *enabled = 0;
    LK_GUARD(lk_restjson_get_object(cluster, "logging", &logging, err));
    if (logging == NULL)
        return LK_STATUS_OK;
    LK_GUARD(lk_restjson_get_array(logging, "clusterLogging", false, &setups, err));
    cJSON_ArrayForEach(setup, setups)
    {
        const cJSON *types = NULL;
        bool on = false;
        if (!cJSON_IsObject(setup))
            return lk_error_set(err, LK_STATUS_SCHEMA, "a LogSetup is not an object");
        LK_GUARD(lk_restjson_get_bool(setup, "enabled", &on, err));
        LK_GUARD(lk_restjson_get_array(setup, "types", false, &types, err));
        cJSON_ArrayForEach(t, types)
        {
            if (!cJSON_IsString(t))
                return lk_error_set(err, LK_STATUS_SCHEMA, "a log type is not a string");
            /* A type newer than this client is ignored, as unknown members are. */
            unsigned bit = lk_eks_log_type_parse(t->valuestring);
            if (on)
                *enabled |= bit;
            else
                *enabled &= ~bit;
        }
    }
    return LK_STATUS_OK;
}

/* Reads the cluster's "tags": an object of string values (the EKS API Reference,
 * API_Cluster.html: tags, "String to string map", at most 50 pairs). */
static enum lk_status s_tags(struct lk_eks_listing *l, const cJSON *cluster,
                             struct lk_eks_cluster *c, struct lk_error *err)
{
    const cJSON *tags = NULL, *t;
    LK_GUARD(lk_restjson_get_object(cluster, "tags", &tags, err));
    c->n_tags = 0;
    if (tags == NULL)
        return LK_STATUS_OK;
    size_t n = 0;
    cJSON_ArrayForEach(t, tags)
    {
        n++;
    }
    if (n == 0)
        return LK_STATUS_OK;
    c->tag_keys = lk_arena_alloc(&l->arena, n * sizeof(*c->tag_keys));
    c->tag_values = lk_arena_alloc(&l->arena, n * sizeof(*c->tag_values));
    cJSON_ArrayForEach(t, tags)
    {
        LK_ENSURE(cJSON_IsString(t) && t->string != NULL,
                  lk_error_set(err, LK_STATUS_SCHEMA, "a tag of the cluster is not a string"));
        c->tag_keys[c->n_tags] = lk_arena_strdup(&l->arena, t->string);
        c->tag_values[c->n_tags++] = lk_arena_strdup(&l->arena, t->valuestring);
    }
    return LK_STATUS_OK;
}

enum lk_status lk_eks_parse_cluster(struct lk_eks_listing *l, const char *json, size_t len,
                                    struct lk_eks_cluster *c, struct lk_error *err)
{
    enum lk_status rc;
    struct lk_json_doc doc;
    const cJSON *cluster = NULL;
    LK_GUARD_GOTO(rc, lk_restjson_parse_object(&doc, json, len, "DescribeCluster", err), cleanup);
    LK_GUARD_GOTO(rc, lk_restjson_get_object(doc.root, "cluster", &cluster, err), cleanup);
    LK_ENSURE_GOTO(rc, cluster != NULL, lk_error_set(err, LK_STATUS_SCHEMA, "cluster is missing"),
                   cleanup);
    LK_GUARD_GOTO(rc, lk_restjson_get_str(&l->arena, cluster, "arn", MAXS, &c->arn, err), cleanup);
    LK_GUARD_GOTO(rc, lk_restjson_get_str(&l->arena, cluster, "status", MAXS, &c->status, err),
                  cleanup);
    LK_GUARD_GOTO(rc, s_logging(cluster, &c->enabled_types, err), cleanup);
    LK_GUARD_GOTO(rc, s_tags(l, cluster, c, err), cleanup);
cleanup:
    lk_json_doc_free(&doc);
    return rc;
}

enum lk_status lk_eks_list_names(struct lk_aws_client *client, const char *region, int page_size,
                                 struct lk_eks_listing *l, struct lk_aws_error *err)
{
    enum lk_status rc = LK_STATUS_OK;
    char *token = NULL, *prev = NULL;
    unsigned pages = 0;
    if (page_size <= 0 || page_size > LK_EKS_PAGE_MAX)
        page_size = LK_EKS_PAGE_MAX;
    do {
        static const char op[] = "ListClusters";
        struct lk_buf path;
        struct lk_http_response resp = {0};
        struct lk_error why = {0};
        char n[16];
        snprintf(n, sizeof(n), "%d", page_size);
        lk_buf_init(&path, LK_BUF_MAX_LINE);
        lk_buf_puts(&path, "/clusters");
        lk_restjson_query(&path, "maxResults", n);
        if (token != NULL)
            lk_restjson_query(&path, "nextToken", token);
        rc = lk_restjson_call(client, LK_AWS_EKS, op, "GET", &path, region, NULL, &resp, err);
        lk_buf_free(&path);
        l->requests++;
        pages++;
        if (rc == LK_STATUS_OK && lk_eks_parse_clusters(l, (const char *)resp.body, resp.body_len,
                                                        &token, &why) != LK_STATUS_OK)
            rc = lk_svc_result(lk_aws_error_malformed(err, op, &resp, why.message), err);
        if (rc == LK_STATUS_OK && token != NULL && !lk_restjson_next_page(&prev, token, pages))
            rc = lk_svc_result(
                lk_aws_error_malformed(err, op, &resp, "the listing does not end (nextToken)"),
                err);
        lk_http_response_free(&resp);
    } while (rc == LK_STATUS_OK && token != NULL);
    free(prev);
    return rc;
}

enum lk_status lk_eks_describe(struct lk_aws_client *client, const char *region,
                               struct lk_eks_listing *l, struct lk_eks_cluster *c,
                               struct lk_aws_error *err)
{
    static const char op[] = "DescribeCluster";
    struct lk_buf path;
    struct lk_http_response resp = {0};
    struct lk_error why = {0};
    const char *labels[1] = {c->name};
    lk_buf_init(&path, LK_BUF_MAX_LINE);
    if (lk_restjson_path(&path, "/clusters/{name}", labels, 1) != LK_STATUS_OK)
        lk_buf_fail(&path);
    enum lk_status rc =
        lk_restjson_call(client, LK_AWS_EKS, op, "GET", &path, region, NULL, &resp, err);
    lk_buf_free(&path);
    l->requests++;
    if (rc == LK_STATUS_OK &&
        lk_eks_parse_cluster(l, (const char *)resp.body, resp.body_len, c, &why) != LK_STATUS_OK)
        rc = lk_svc_result(lk_aws_error_malformed(err, op, &resp, why.message), err);
    lk_http_response_free(&resp);
    return rc;
}

enum lk_status lk_eks_list(struct lk_aws_client *client, const char *region, int page_size,
                           struct lk_eks_listing *l, struct lk_aws_error *err)
{
    size_t first = l->n_clusters;
    enum lk_status rc = lk_eks_list_names(client, region, page_size, l, err);
    for (size_t i = first; rc == LK_STATUS_OK && i < l->n_clusters; i++)
        rc = lk_eks_describe(client, region, l, &l->clusters[i], err);
    return rc;
}

enum lk_status lk_eks_enable_logging(struct lk_aws_client *client, const char *region,
                                     const char *name, unsigned types, struct lk_eks_listing *l,
                                     char **update_id, struct lk_aws_error *err)
{
    static const char op[] = "UpdateClusterConfig";
    struct lk_buf path, body;
    struct lk_http_response resp = {0};
    const char *labels[1] = {name};
    lk_buf_init(&path, LK_BUF_MAX_LINE);
    if (lk_restjson_path(&path, "/clusters/{name}/update-config", labels, 1) != LK_STATUS_OK)
        lk_buf_fail(&path);
    lk_buf_init(&body, LK_BUF_MAX_REQUEST);
    lk_buf_puts(&body, "{\"logging\":{\"clusterLogging\":[{\"types\":[");
    bool first = true;
    for (unsigned i = 0; i < 5; i++) {
        if (!(types & (1u << i)))
            continue;
        lk_buf_printf(&body, "%s\"%s\"", first ? "" : ",", s_type_names[i]);
        first = false;
    }
    lk_buf_puts(&body, "],\"enabled\":true}]}}");
    enum lk_status rc = LK_STATUS_OK;
    if (first) {
        rc = lk_svc_result(lk_aws_error_invalid(err, op, "no log type to enable"), err);
    } else {
        rc = lk_restjson_call(client, LK_AWS_EKS, op, "POST", &path, region, &body, &resp, err);
    }
    lk_buf_free(&path);
    lk_buf_free(&body);
    if (rc == LK_STATUS_OK && update_id != NULL) {
        struct lk_error why = {0};
        struct lk_json_doc doc;
        const cJSON *update = NULL;
        *update_id = NULL;
        enum lk_status prc =
            lk_restjson_parse_object(&doc, (const char *)resp.body, resp.body_len, op, &why);
        if (prc == LK_STATUS_OK)
            prc = lk_restjson_get_object(doc.root, "update", &update, &why);
        if (prc == LK_STATUS_OK && update == NULL)
            prc = lk_error_set(&why, LK_STATUS_SCHEMA, "update is missing");
        if (prc == LK_STATUS_OK)
            prc = lk_restjson_get_str(&l->arena, update, "id", MAXS, update_id, &why);
        lk_json_doc_free(&doc);
        if (prc != LK_STATUS_OK)
            rc = lk_svc_result(lk_aws_error_malformed(err, op, &resp, why.message), err);
    }
    lk_http_response_free(&resp);
    return rc;
}
