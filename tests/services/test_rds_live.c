/*
 * Integration tests: the Amazon RDS client (DB instances and clusters and their log exports,
 * Query protocol) over real HTTP against the local AWS endpoint (tests/aws-endpoint).
 *
 * Run by tests/services/run. Each test seeds its own Region through /_admin/workloads.
 */
#include "../unit/lk_test.h"

#include <check.h>
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "query_live.h"
#include "runtime/services/rds.h"
#include "svc_live.h"

static struct lk_aws_client g_client;

static void s_setup(void)
{
    lk_svc_client_from_env(&g_client);
}

static void s_teardown(void)
{
    lk_aws_client_free(&g_client);
}

static const struct lk_rds_database *s_find(const struct lk_rds_list *l, const char *id)
{
    for (size_t i = 0; i < l->n; i++)
        if (strcmp(l->items[i].id, id) == 0)
            return &l->items[i];
    return NULL;
}

static bool s_exports(const struct lk_rds_database *d, const char *type)
{
    for (size_t i = 0; i < d->n_log_exports; i++)
        if (strcmp(d->log_exports[i], type) == 0)
            return true;
    return false;
}

/* 230 instances: three pages of 100 (MaxRecords' maximum); clusters in their own listing. */
START_TEST(test_describe_pages)
{
    lk_qlive_post(&g_client, "/_admin/workloads",
                  "{\"region\": \"eu-west-1\", \"db_instances\": {\"count\": 228, \"Engine\": "
                  "\"mysql\", \"EnabledCloudwatchLogsExports\": [\"error\"]}, "
                  "\"db_clusters\": [{\"DBClusterIdentifier\": \"orders\", \"Engine\": "
                  "\"aurora-mysql\", \"EnabledCloudwatchLogsExports\": [\"audit\", \"error\"]}]}");
    lk_qlive_post(&g_client, "/_admin/workloads",
                  "{\"region\": \"eu-west-1\", \"db_instances\": ["
                  "{\"DBInstanceIdentifier\": \"orders-1\", \"DBClusterIdentifier\": \"orders\"},"
                  "{\"DBInstanceIdentifier\": \"pg-quiet\", \"Engine\": \"postgres\"}]}");
    int before = lk_qlive_count(&g_client, "rds", "DescribeDBInstances");
    struct lk_rds_list dbs = {0};
    struct lk_aws_error err = {0};
    OK(lk_rds_describe_db_instances(&g_client, "eu-west-1", &dbs, &err), err);
    ck_assert_uint_eq(dbs.n, 230);
    ck_assert_int_eq(dbs.pages, 3);
    ck_assert_int_eq(lk_qlive_count(&g_client, "rds", "DescribeDBInstances") - before, 3);
    const struct lk_rds_database *mysql = s_find(&dbs, "db-00000");
    ck_assert_ptr_nonnull(mysql);
    ck_assert(!mysql->is_cluster);
    ck_assert_str_eq(mysql->engine, "mysql");
    ck_assert_str_eq(mysql->status, "available");
    ck_assert_str_eq(mysql->arn, "arn:aws:rds:eu-west-1:111122223333:db:db-00000");
    ck_assert_uint_eq(mysql->n_log_exports, 1);
    ck_assert_str_eq(mysql->log_exports[0], "error");
    const struct lk_rds_database *member = s_find(&dbs, "orders-1");
    ck_assert_ptr_nonnull(member);
    ck_assert_str_eq(member->cluster_id, "orders");
    const struct lk_rds_database *quiet = s_find(&dbs, "pg-quiet");
    ck_assert_ptr_nonnull(quiet);
    ck_assert_uint_eq(quiet->n_log_exports, 0);
    ck_assert_ptr_null(quiet->cluster_id);
    lk_rds_list_free(&dbs);

    OK(lk_rds_describe_db_clusters(&g_client, "eu-west-1", &dbs, &err), err);
    ck_assert_uint_eq(dbs.n, 1);
    ck_assert(dbs.items[0].is_cluster);
    ck_assert_str_eq(dbs.items[0].arn, "arn:aws:rds:eu-west-1:111122223333:cluster:orders");
    ck_assert_uint_eq(dbs.items[0].n_log_exports, 2);
    ck_assert(s_exports(&dbs.items[0], "audit") && s_exports(&dbs.items[0], "error"));
    lk_rds_list_free(&dbs);
}
END_TEST

/* ModifyDBInstance / ModifyDBCluster enable log exports; reading back shows them; the errors
 * RDS documents come back with their codes. */
START_TEST(test_enable_log_exports)
{
    lk_qlive_post(&g_client, "/_admin/workloads",
                  "{\"region\": \"us-west-2\", \"db_clusters\": [{\"DBClusterIdentifier\": "
                  "\"ledger\", \"Engine\": \"aurora-postgresql\"}], \"db_instances\": ["
                  "{\"DBInstanceIdentifier\": \"ledger-1\", \"DBClusterIdentifier\": \"ledger\"},"
                  "{\"DBInstanceIdentifier\": \"billing\", \"Engine\": \"postgres\", "
                  "\"EnabledCloudwatchLogsExports\": [\"upgrade\"]}]}");
    struct lk_aws_error err = {0};
    const char *pg[] = {"postgresql", "upgrade"};
    OK(lk_rds_enable_log_exports(&g_client, "us-west-2", false, "billing", pg, 2, &err), err);
    const char *aurora[] = {"postgresql"};
    OK(lk_rds_enable_log_exports(&g_client, "us-west-2", true, "ledger", aurora, 1, &err), err);

    struct lk_rds_list dbs = {0};
    OK(lk_rds_describe_db_instances(&g_client, "us-west-2", &dbs, &err), err);
    const struct lk_rds_database *billing = s_find(&dbs, "billing");
    ck_assert_ptr_nonnull(billing);
    ck_assert_uint_eq(billing->n_log_exports, 2);
    ck_assert(s_exports(billing, "postgresql") && s_exports(billing, "upgrade"));
    lk_rds_list_free(&dbs);
    OK(lk_rds_describe_db_clusters(&g_client, "us-west-2", &dbs, &err), err);
    ck_assert(s_exports(&dbs.items[0], "postgresql"));
    lk_rds_list_free(&dbs);

    /* A log type the engine does not have. */
    const char *wrong[] = {"audit"};
    ck_assert_int_eq(
        lk_rds_enable_log_exports(&g_client, "us-west-2", false, "billing", wrong, 1, &err),
        LK_STATUS_AWS);
    ck_assert_str_eq(err.code, "InvalidParameterCombination");
    lk_aws_error_clear(&err);
    /* An Aurora instance takes its exports from its cluster. */
    ck_assert_int_eq(
        lk_rds_enable_log_exports(&g_client, "us-west-2", false, "ledger-1", aurora, 1, &err),
        LK_STATUS_AWS);
    ck_assert_str_eq(err.code, "InvalidParameterCombination");
    lk_aws_error_clear(&err);
    /* Unknown databases: DBInstanceNotFound / DBClusterNotFoundFault, HTTP 404. */
    ck_assert_int_eq(lk_rds_enable_log_exports(&g_client, "us-west-2", false, "nope", pg, 1, &err),
                     LK_STATUS_AWS);
    ck_assert_str_eq(err.code, "DBInstanceNotFound");
    ck_assert_int_eq(err.http_status, 404);
    lk_aws_error_clear(&err);
    ck_assert_int_eq(
        lk_rds_enable_log_exports(&g_client, "us-west-2", true, "nope", aurora, 1, &err),
        LK_STATUS_AWS);
    ck_assert_str_eq(err.code, "DBClusterNotFoundFault");
    lk_aws_error_clear(&err);
}
END_TEST

/* A throttled DescribeDBClusters (400 Throttling) is retried. */
START_TEST(test_throttle_retried)
{
    lk_qlive_post(&g_client, "/_admin/workloads",
                  "{\"region\": \"ca-central-1\", \"db_clusters\": {\"count\": 3}}");
    lk_qlive_post(&g_client, "/_admin/faults",
                  "{\"kind\": \"throttle\", \"service\": \"rds\", \"operation\": "
                  "\"DescribeDBClusters\", \"count\": 1}");
    int before = lk_qlive_count(&g_client, "rds", "DescribeDBClusters");
    struct lk_rds_list dbs = {0};
    struct lk_aws_error err = {0};
    OK(lk_rds_describe_db_clusters(&g_client, "ca-central-1", &dbs, &err), err);
    ck_assert_uint_eq(dbs.n, 3);
    ck_assert_int_eq(lk_qlive_count(&g_client, "rds", "DescribeDBClusters") - before, 2);
    lk_rds_list_free(&dbs);
    lk_qlive_post(&g_client, "/_admin/faults/reset", "{}");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("rds_live");
    TCase *tc = tcase_create("endpoint");
    tcase_add_checked_fixture(tc, s_setup, s_teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_describe_pages);
    tcase_add_test(tc, test_enable_log_exports);
    tcase_add_test(tc, test_throttle_retried);
    suite_add_tcase(s, tc);
    return lk_test_run(s);
}
