/*
 * logkeep runtime: the Amazon RDS client for log exports (rds.h).
 *
 * Sources (RDS API Reference, https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/):
 *   [DDBI] "DescribeDBInstances", API_DescribeDBInstances.html: Marker, MaxRecords (20-100);
 *          response DBInstances/DBInstance, Marker.
 *   [DDBC] "DescribeDBClusters", API_DescribeDBClusters.html: the same for DBClusters/DBCluster.
 *   [MDBI] "ModifyDBInstance", API_ModifyDBInstance.html: CloudwatchLogsExportConfiguration
 *          "A change to the CloudwatchLogsExportConfiguration parameter is always applied to
 *          the DB instance immediately. Therefore, the ApplyImmediately parameter has no
 *          effect."; response DBInstance.
 *   [MDBC] "ModifyDBCluster", API_ModifyDBCluster.html: CloudwatchLogsExportConfiguration;
 *          response DBCluster.
 *   [CLEC] "CloudwatchLogsExportConfiguration", API_CloudwatchLogsExportConfiguration.html:
 *          EnableLogTypes, DisableLogTypes (lists of strings: EnableLogTypes.member.N).
 *   [TAG]  "DBInstance" / "DBCluster", API_DBInstance.html / API_DBCluster.html: TagList, "A
 *          list of tags." (Tag: Key, Value; API_Tag.html); botocore's rds model names the
 *          items <Tag>.
 */
#include "runtime/services/rds.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/services/query.h"

#define RDS_OP_INSTANCES "DescribeDBInstances"
#define RDS_OP_CLUSTERS "DescribeDBClusters"
#define RDS_OP_MODIFY_INSTANCE "ModifyDBInstance"
#define RDS_OP_MODIFY_CLUSTER "ModifyDBCluster"

void lk_rds_list_free(struct lk_rds_list *list)
{
    if (list == NULL)
        return;
    free(list->items);
    lk_arena_destroy(&list->arena);
    memset(list, 0, sizeof(*list));
}

static const char *s_dup(struct lk_arena *a, const char *s)
{
    return s ? lk_arena_strdup(a, s) : NULL;
}

/* One <DBInstance> or <DBCluster> into the list. */
static enum lk_status s_database(struct lk_rds_list *out, const struct lk_query_node *it,
                                 bool cluster, struct lk_error *err)
{
    struct lk_arena *a = &out->arena;
    const char *id = lk_query_text(it, cluster ? "DBClusterIdentifier" : "DBInstanceIdentifier");
    LK_ENSURE(id && id[0], lk_error_set(err, LK_STATUS_SCHEMA, "a %s has no identifier",
                                        cluster ? "DB cluster" : "DB instance"));
    struct lk_rds_database d = {
        .is_cluster = cluster,
        .id = lk_arena_strdup(a, id),
        .arn = s_dup(a, lk_query_text(it, cluster ? "DBClusterArn" : "DBInstanceArn")),
        .engine = s_dup(a, lk_query_text(it, "Engine")),
        .engine_version = s_dup(a, lk_query_text(it, "EngineVersion")),
        .status = s_dup(a, lk_query_text(it, cluster ? "Status" : "DBInstanceStatus")),
        .cluster_id = cluster ? NULL : s_dup(a, lk_query_text(it, "DBClusterIdentifier")),
    };
    /* EnabledCloudwatchLogsExports: a LogTypeList, <member> items (botocore's rds model). */
    const struct lk_query_node *list = lk_query_child(it, "EnabledCloudwatchLogsExports");
    size_t n = 0;
    for (const struct lk_query_node *m = lk_query_child(list, "member"); m; m = lk_query_next(m))
        n++;
    if (n > 0) {
        d.log_exports = lk_arena_alloc(a, n * sizeof(*d.log_exports));
        for (const struct lk_query_node *m = lk_query_child(list, "member"); m;
             m = lk_query_next(m)) {
            LK_ENSURE(m->text[0],
                      lk_error_set(err, LK_STATUS_SCHEMA, "an empty log type of %s", d.id));
            d.log_exports[d.n_log_exports++] = lk_arena_strdup(a, m->text);
        }
    }
    /* [TAG] TagList/Tag: the tags come with the listing (tags selectors). */
    const struct lk_query_node *tags = lk_query_child(it, "TagList");
    n = 0;
    for (const struct lk_query_node *t = lk_query_child(tags, "Tag"); t; t = lk_query_next(t))
        n++;
    if (n > 0) {
        d.tag_keys = lk_arena_alloc(a, n * sizeof(*d.tag_keys));
        d.tag_values = lk_arena_alloc(a, n * sizeof(*d.tag_values));
        for (const struct lk_query_node *t = lk_query_child(tags, "Tag"); t; t = lk_query_next(t)) {
            const char *key = lk_query_text(t, "Key");
            const char *value = lk_query_text(t, "Value");
            LK_ENSURE(key && key[0],
                      lk_error_set(err, LK_STATUS_SCHEMA, "a tag of %s has no <Key>", d.id));
            d.tag_keys[d.n_tags] = lk_arena_strdup(a, key);
            d.tag_values[d.n_tags++] = lk_arena_strdup(a, value ? value : "");
        }
    }
    if (out->n == out->cap) {
        out->cap = out->cap ? out->cap * 2 : 16;
        out->items = lk_xrealloc(out->items, out->cap * sizeof(*out->items));
    }
    out->items[out->n++] = d;
    return LK_STATUS_OK;
}

enum lk_status lk_rds_parse(struct lk_rds_list *out, const char *op, const char *xml, size_t len,
                            const char **next_marker, struct lk_error *err)
{
    struct lk_query_doc doc;
    const struct lk_query_node *result = NULL;
    enum lk_status rc;
    bool cluster = strcmp(op, RDS_OP_CLUSTERS) == 0 || strcmp(op, RDS_OP_MODIFY_CLUSTER) == 0;
    bool listing = strcmp(op, RDS_OP_CLUSTERS) == 0 || strcmp(op, RDS_OP_INSTANCES) == 0;
    const char *item = cluster ? "DBCluster" : "DBInstance";
    if (next_marker != NULL)
        *next_marker = NULL;
    LK_GUARD_GOTO(rc, lk_query_parse(&doc, xml, len, err), cleanup);
    LK_GUARD_GOTO(rc, lk_query_result(&doc, op, false, &result, err), cleanup);
    if (listing) {
        /* [DDBI][DDBC] DBInstances/DBInstance, DBClusters/DBCluster. */
        const struct lk_query_node *items =
            lk_query_child(result, cluster ? "DBClusters" : "DBInstances");
        for (const struct lk_query_node *it = lk_query_child(items, item); it;
             it = lk_query_next(it))
            LK_GUARD_GOTO(rc, s_database(out, it, cluster, err), cleanup);
        const char *marker = lk_query_text(result, "Marker");
        if (next_marker != NULL)
            *next_marker = marker && marker[0] ? lk_arena_strdup(&out->arena, marker) : NULL;
    } else {
        const struct lk_query_node *one = lk_query_child(result, item);
        LK_ENSURE_GOTO(rc, one, lk_error_set(err, LK_STATUS_SCHEMA, "the answer has no <%s>", item),
                       cleanup);
        LK_GUARD_GOTO(rc, s_database(out, one, cluster, err), cleanup);
    }
cleanup:
    lk_query_doc_free(&doc);
    return rc;
}

/* ------------------------------------------------------------------------------ calls */

struct s_ctx {
    struct lk_rds_list *list;
    const char *op;
    const char **next;
};

static enum lk_status s_read(void *ctx, const char *xml, size_t len, struct lk_error *why)
{
    struct s_ctx *c = ctx;
    return lk_rds_parse(c->list, c->op, xml, len, c->next, why);
}

static enum lk_status s_list(struct lk_aws_client *client, const char *region, const char *op,
                             struct lk_rds_list *out, struct lk_aws_error *err)
{
    const char *marker = NULL;
    char size[16];
    snprintf(size, sizeof(size), "%d", LK_RDS_PAGE_MAX);
    for (int page = 0;; page++) {
        if (page >= LK_QUERY_MAX_PAGES)
            return lk_svc_result(lk_aws_error_invalid(err, op, "the listing did not end"), err);
        struct lk_buf form;
        lk_query_form_init(&form, op, LK_RDS_API_VERSION);
        lk_query_form_add(&form, "MaxRecords", size);
        if (marker != NULL)
            lk_query_form_add(&form, "Marker", marker);
        const char *next = NULL;
        struct s_ctx ctx = {out, op, &next};
        struct lk_query_reader reader = {s_read, &ctx};
        enum lk_status rc = lk_query_call(client, LK_AWS_RDS, op, region, &form, &reader, err);
        lk_buf_free(&form);
        if (rc != LK_STATUS_OK)
            return rc;
        out->pages++;
        /* [DDBI] "If this parameter is specified, the response includes only records beyond
         * the marker": no Marker in the answer means the last page. */
        if (next == NULL || (marker != NULL && strcmp(next, marker) == 0))
            return LK_STATUS_OK;
        marker = next;
    }
}

enum lk_status lk_rds_describe_db_instances(struct lk_aws_client *client, const char *region,
                                            struct lk_rds_list *out, struct lk_aws_error *err)
{
    return s_list(client, region, RDS_OP_INSTANCES, out, err);
}

enum lk_status lk_rds_describe_db_clusters(struct lk_aws_client *client, const char *region,
                                           struct lk_rds_list *out, struct lk_aws_error *err)
{
    return s_list(client, region, RDS_OP_CLUSTERS, out, err);
}

enum lk_status lk_rds_enable_log_exports(struct lk_aws_client *client, const char *region,
                                         bool cluster, const char *id, const char *const *log_types,
                                         size_t n_types, struct lk_aws_error *err)
{
    const char *op = cluster ? RDS_OP_MODIFY_CLUSTER : RDS_OP_MODIFY_INSTANCE;
    if (id == NULL || id[0] == '\0' || n_types == 0 || n_types > LK_RDS_MAX_LOG_TYPES)
        return lk_svc_result(lk_aws_error_invalid(err, op, "no database or no log types given"),
                             err);
    struct lk_buf form;
    lk_query_form_init(&form, op, LK_RDS_API_VERSION);
    lk_query_form_add(&form, cluster ? "DBClusterIdentifier" : "DBInstanceIdentifier", id);
    /* [CLEC] EnableLogTypes.member.N; nothing is disabled: logkeep never turns logging off. */
    for (size_t i = 0; i < n_types; i++)
        lk_query_form_addf(&form, log_types[i],
                           "CloudwatchLogsExportConfiguration.EnableLogTypes.member.%zu", i + 1);
    struct lk_rds_list answer = {0};
    struct s_ctx ctx = {&answer, op, NULL};
    struct lk_query_reader reader = {s_read, &ctx};
    enum lk_status rc = lk_query_call(client, LK_AWS_RDS, op, region, &form, &reader, err);
    lk_buf_free(&form);
    /* The answer is parsed (a 2xx that is not a DBInstance/DBCluster is refused) but its
     * EnabledCloudwatchLogsExports is not required to list the new types: AWS may show them
     * under PendingModifiedValues/PendingCloudwatchLogsExports while the instance is
     * "modifying" [MDBI]. Reading the database back is what confirms the change. */
    lk_rds_list_free(&answer);
    return rc;
}
