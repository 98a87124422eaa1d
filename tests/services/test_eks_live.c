/*
 * Integration tests: the Amazon EKS control-plane logging client (runtime/services/eks.c,
 * REST-JSON) over real HTTP against the local AWS endpoint (tests/aws-endpoint). Run by
 * tests/services/run.
 */
#include "../unit/lk_test.h"

#include <check.h>

#include "runtime/services/eks.h"
#include "svc_sources_live.h"

#define REGION "ca-central-1"

static struct lk_aws_client g_client;

static void s_setup(void)
{
    lk_svc_client_from_env(&g_client);
}

static void s_teardown(void)
{
    lk_aws_client_free(&g_client);
}

/* Three clusters in pages of 2 (2 pages + 3 DescribeCluster); audit and authenticator turned
 * on for one, read back. */
START_TEST(test_eks_round_trip)
{
    struct lk_aws_error err = {0};
    struct lk_eks_listing l;
    cJSON_Delete(lk_src_seed(&g_client, "{\"region\": \"" REGION "\", \"clusters\": "
                                        "{\"prefix\": \"prod-\", \"count\": 3}, "
                                        "\"cluster_log_types\": [\"api\"]}"));
    lk_eks_listing_init(&l);
    OK(lk_eks_list(&g_client, REGION, 2, &l, &err), err);
    ck_assert_uint_eq(l.n_clusters, 3);
    ck_assert_uint_eq(l.requests, 2 + 3);
    ck_assert_str_eq(l.clusters[0].name, "prod-0001");
    ck_assert_str_eq(l.clusters[0].arn, "arn:aws:eks:" REGION ":111122223333:cluster/prod-0001");
    ck_assert_str_eq(l.clusters[0].status, "ACTIVE");
    ck_assert_uint_eq(l.clusters[0].enabled_types, LK_EKS_LOG_API);
    char *update = NULL;
    OK(lk_eks_enable_logging(&g_client, REGION, "prod-0002",
                             LK_EKS_LOG_AUDIT | LK_EKS_LOG_AUTHENTICATOR, &l, &update, &err),
       err);
    ck_assert_ptr_nonnull(update);
    lk_eks_listing_free(&l);

    lk_eks_listing_init(&l);
    OK(lk_eks_list(&g_client, REGION, 0, &l, &err), err);
    ck_assert_uint_eq(l.requests, 1 + 3);
    ck_assert_uint_eq(l.clusters[1].enabled_types,
                      LK_EKS_LOG_API | LK_EKS_LOG_AUDIT | LK_EKS_LOG_AUTHENTICATOR);
    ck_assert_uint_eq(l.clusters[2].enabled_types, LK_EKS_LOG_API);
    lk_eks_listing_free(&l);
    ck_assert_str_eq(lk_eks_log_type_name(LK_EKS_LOG_CONTROLLER_MANAGER), "controllerManager");
    ck_assert_uint_eq(lk_eks_log_type_parse("scheduler"), LK_EKS_LOG_SCHEDULER);
    ck_assert_uint_eq(lk_eks_log_type_parse("kubelet"), 0);
}
END_TEST

/* An unknown cluster is ResourceNotFoundException (404, from X-Amzn-ErrorType); a change that
 * changes nothing is InvalidParameterException. */
START_TEST(test_eks_errors)
{
    struct lk_aws_error err = {0};
    struct lk_eks_listing l;
    lk_eks_listing_init(&l);
    ck_assert_int_ne(lk_eks_enable_logging(&g_client, REGION, "no-such-cluster", LK_EKS_LOG_AUDIT,
                                           &l, NULL, &err),
                     0);
    ck_assert_str_eq(err.code, "ResourceNotFoundException");
    ck_assert_int_eq(err.http_status, 404);
    lk_aws_error_clear(&err);
    LK_SRC_FAILS_WITH(
        lk_eks_enable_logging(&g_client, REGION, "prod-0003", LK_EKS_LOG_API, &l, NULL, &err), err,
        "InvalidParameterException");
    lk_eks_listing_free(&l);
}
END_TEST

START_TEST(test_eks_throttle_retried)
{
    struct lk_aws_error err = {0};
    struct lk_eks_listing l;
    int before = lk_src_logged(&g_client, "eks", "DescribeCluster", 400, "throttle");
    lk_src_throttle_once(&g_client, "eks", "DescribeCluster");
    lk_eks_listing_init(&l);
    OK(lk_eks_list(&g_client, REGION, 0, &l, &err), err);
    ck_assert_uint_eq(l.n_clusters, 3);
    lk_eks_listing_free(&l);
    ck_assert_int_eq(lk_src_logged(&g_client, "eks", "DescribeCluster", 400, "throttle"),
                     before + 1);
}
END_TEST

/* Parsing: types of a newer API are ignored; enabled must be a boolean. */
START_TEST(test_eks_parsers)
{
    struct lk_eks_listing l;
    struct lk_eks_cluster c = {0};
    struct lk_error why = {0};
    lk_eks_listing_init(&l);
    const char ok[] = "{\"cluster\":{\"arn\":\"arn:c\",\"logging\":{\"clusterLogging\":["
                      "{\"types\":[\"audit\",\"kubelet\"],\"enabled\":true},"
                      "{\"types\":[\"api\"],\"enabled\":false}]}}}";
    ck_assert_int_eq(lk_eks_parse_cluster(&l, ok, strlen(ok), &c, &why), LK_STATUS_OK);
    ck_assert_uint_eq(c.enabled_types, LK_EKS_LOG_AUDIT);
    const char bad[] = "{\"cluster\":{\"logging\":{\"clusterLogging\":[{\"types\":[\"api\"],"
                       "\"enabled\":\"true\"}]}}}";
    ck_assert_int_eq(lk_eks_parse_cluster(&l, bad, strlen(bad), &c, &why), LK_STATUS_SCHEMA);
    ck_assert_int_eq(lk_eks_parse_cluster(&l, "{}", 2, &c, &why), LK_STATUS_SCHEMA);
    lk_eks_listing_free(&l);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("eks_live");
    TCase *tc = tcase_create("endpoint");
    tcase_add_checked_fixture(tc, s_setup, s_teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_eks_round_trip);
    tcase_add_test(tc, test_eks_errors);
    tcase_add_test(tc, test_eks_throttle_retried);
    tcase_add_test(tc, test_eks_parsers);
    suite_add_tcase(s, tc);
    int rc = lk_test_run(s);
    return rc;
}
