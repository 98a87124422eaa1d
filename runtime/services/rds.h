/*
 * logkeep runtime: the Amazon RDS client (Query protocol, API 2014-10-31) for database log
 * exports to CloudWatch Logs: DescribeDBInstances and DescribeDBClusters (paginated), and
 * ModifyDBInstance / ModifyDBCluster with CloudwatchLogsExportConfiguration.
 *
 * Facts: the RDS API Reference, https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/
 * (API_DescribeDBInstances.html, API_DescribeDBClusters.html, API_ModifyDBInstance.html,
 * API_ModifyDBCluster.html, API_CloudwatchLogsExportConfiguration.html); botocore's rds model.
 * Wire: runtime/services/query.h.
 *
 * Conventions: those of runtime/services/service.h; strings live in the list's arena; @c region
 * NULL means the client's Region.
 */
#ifndef LK_RUNTIME_SERVICES_RDS_H
#define LK_RUNTIME_SERVICES_RDS_H

#include <stdbool.h>
#include <stddef.h>

#include "common/arena.h"
#include "common/result.h"
#include "runtime/services/service.h"
#include "runtime/transport/client.h"

#define LK_RDS_API_VERSION "2014-10-31"

/* MaxRecords: "Default: 100. Constraints: Minimum 20, maximum 100." (API_DescribeDBInstances). */
#define LK_RDS_PAGE_MAX 100

/* Log types one request may enable: more than any engine has (Oracle has five). */
#define LK_RDS_MAX_LOG_TYPES 16

/** A DB instance or a DB cluster. */
struct lk_rds_database {
    bool is_cluster;
    const char *id;  /* DBInstanceIdentifier / DBClusterIdentifier */
    const char *arn; /* DBInstanceArn / DBClusterArn */
    const char *engine;
    const char *engine_version;
    const char *status;       /* DBInstanceStatus / Status: "available", ... */
    const char *cluster_id;   /* an instance's DBClusterIdentifier (Aurora), else NULL */
    const char **log_exports; /* EnabledCloudwatchLogsExports: "audit", "error", "postgresql" */
    size_t n_log_exports;
    const char **tag_keys; /* TagList (in the Describe answers: no call of its own) */
    const char **tag_values;
    size_t n_tags;
};

/** The databases of a listing; free with lk_rds_list_free(). Zero-initialise before use. */
struct lk_rds_list {
    struct lk_arena arena;
    struct lk_rds_database *items;
    size_t n, cap;
    int pages;
};

void lk_rds_list_free(struct lk_rds_list *list);

/** Every DB instance of the Region (DescribeDBInstances, pages of LK_RDS_PAGE_MAX).
 *  @param out appended to */
LK_MUST_CHECK enum lk_status lk_rds_describe_db_instances(struct lk_aws_client *client,
                                                          const char *region,
                                                          struct lk_rds_list *out,
                                                          struct lk_aws_error *err);

/** Every DB cluster of the Region (DescribeDBClusters, pages of LK_RDS_PAGE_MAX).
 *  @param out appended to */
LK_MUST_CHECK enum lk_status lk_rds_describe_db_clusters(struct lk_aws_client *client,
                                                         const char *region,
                                                         struct lk_rds_list *out,
                                                         struct lk_aws_error *err);

/**
 * Enables the export of @p log_types to CloudWatch Logs: ModifyDBCluster (@p cluster) or
 * ModifyDBInstance with CloudwatchLogsExportConfiguration.EnableLogTypes, one request. The
 * change applies at once whatever ApplyImmediately says (API_ModifyDBInstance.html,
 * CloudwatchLogsExportConfiguration) and does not restart the database; other settings are
 * left alone. The answer is parsed but need not list the types yet (AWS may report them as
 * pending while the database is "modifying"): read it back to confirm.
 * @param n_types 1 to LK_RDS_MAX_LOG_TYPES
 */
LK_MUST_CHECK enum lk_status lk_rds_enable_log_exports(struct lk_aws_client *client,
                                                       const char *region, bool cluster,
                                                       const char *id, const char *const *log_types,
                                                       size_t n_types, struct lk_aws_error *err);

/* Response parsers (tests, fuzzers). @p op is the operation whose answer @p xml is:
 * DescribeDBInstances / DescribeDBClusters append each member and give the Marker (or NULL);
 * ModifyDBInstance / ModifyDBCluster append the one database (next_marker may be NULL). */
LK_MUST_CHECK enum lk_status lk_rds_parse(struct lk_rds_list *out, const char *op, const char *xml,
                                          size_t len, const char **next_marker,
                                          struct lk_error *err);

#endif
