/*
 * Integration tests: the Elastic Load Balancing v2 client (load balancers and their access-log
 * attributes, Query protocol) over real HTTP against the local AWS endpoint
 * (tests/aws-endpoint).
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
#include "runtime/services/elbv2.h"
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

static const struct lk_elbv2_load_balancer *s_find(const struct lk_elbv2_list *l, const char *name)
{
    for (size_t i = 0; i < l->n; i++)
        if (l->items[i].name && strcmp(l->items[i].name, name) == 0)
            return &l->items[i];
    return NULL;
}

/* 850 balancers: three pages of 400; then one DescribeLoadBalancerAttributes per balancer (the
 * API has no list of attributes). */
START_TEST(test_describe_pages_and_attributes)
{
    lk_qlive_post(&g_client, "/_admin/workloads",
                  "{\"region\": \"eu-west-1\", \"load_balancers\": {\"count\": 848, "
                  "\"prefix\": \"app-\"}}");
    lk_qlive_post(&g_client, "/_admin/workloads",
                  "{\"region\": \"eu-west-1\", \"load_balancers\": ["
                  "{\"LoadBalancerName\": \"nlb-logging\", \"Type\": \"network\", \"attributes\": "
                  "{\"access_logs.s3.enabled\": true, \"access_logs.s3.bucket\": \"acme-elb\", "
                  "\"access_logs.s3.prefix\": \"nlb\"}},"
                  "{\"LoadBalancerName\": \"zz-internal\", \"Scheme\": \"internal\"}]}");
    int pages_before = lk_qlive_count(&g_client, "elbv2", "DescribeLoadBalancers");
    int attrs_before = lk_qlive_count(&g_client, "elbv2", "DescribeLoadBalancerAttributes");

    struct lk_elbv2_list lbs = {0};
    struct lk_aws_error err = {0};
    OK(lk_elbv2_describe_load_balancers(&g_client, "eu-west-1", true, &lbs, &err), err);
    ck_assert_uint_eq(lbs.n, 850);
    ck_assert_int_eq(lbs.pages, 3);
    ck_assert_int_eq(lbs.attribute_reads, 850);
    ck_assert_int_eq(lk_qlive_count(&g_client, "elbv2", "DescribeLoadBalancers") - pages_before, 3);
    ck_assert_int_eq(
        lk_qlive_count(&g_client, "elbv2", "DescribeLoadBalancerAttributes") - attrs_before, 850);

    const struct lk_elbv2_load_balancer *nlb = s_find(&lbs, "nlb-logging");
    ck_assert_ptr_nonnull(nlb);
    ck_assert_str_eq(nlb->type, "network");
    ck_assert(nlb->attributes_read);
    ck_assert(nlb->access_logs_enabled);
    ck_assert_str_eq(nlb->access_logs_bucket, "acme-elb");
    ck_assert_str_eq(nlb->access_logs_prefix, "nlb");
    ck_assert(strncmp(nlb->arn,
                      "arn:aws:elasticloadbalancing:eu-west-1:111122223333:"
                      "loadbalancer/net/nlb-logging/",
                      strlen("arn:aws:elasticloadbalancing:eu-west-1:111122223333:"
                             "loadbalancer/net/nlb-logging/")) == 0);
    const struct lk_elbv2_load_balancer *app = s_find(&lbs, "app-00000");
    ck_assert_ptr_nonnull(app);
    ck_assert_str_eq(app->type, "application");
    ck_assert_str_eq(app->state, "active");
    ck_assert(!app->access_logs_enabled);
    ck_assert_str_eq(app->access_logs_bucket, "");
    const struct lk_elbv2_load_balancer *internal = s_find(&lbs, "zz-internal");
    ck_assert_ptr_nonnull(internal);
    ck_assert_str_eq(internal->scheme, "internal");
    lk_elbv2_list_free(&lbs);

    /* Without attributes: the pages only. */
    OK(lk_elbv2_describe_load_balancers(&g_client, "eu-west-1", false, &lbs, &err), err);
    ck_assert_uint_eq(lbs.n, 850);
    ck_assert_int_eq(lbs.attribute_reads, 0);
    ck_assert(!lbs.items[0].attributes_read);
    lk_elbv2_list_free(&lbs);
}
END_TEST

/* ModifyLoadBalancerAttributes turns access logs on; reading back shows them; a bucket the
 * service cannot write to is InvalidConfigurationRequest; an unknown balancer is
 * LoadBalancerNotFound. */
START_TEST(test_enable_access_logs)
{
    cJSON *seeded = lk_qlive_admin(&g_client, "POST", "/_admin/workloads",
                                   "{\"region\": \"us-west-2\", \"load_balancers\": ["
                                   "{\"LoadBalancerName\": \"web\"}]}");
    size_t n = 0;
    char **arns = lk_qlive_ids(seeded, "load_balancers", &n);
    cJSON_Delete(seeded);
    struct lk_aws_error err = {0};

    ck_assert_int_eq(lk_elbv2_enable_access_logs(&g_client, "us-west-2", arns[0],
                                                 "lk-live-no-such-bucket", "alb", &err),
                     LK_STATUS_AWS);
    ck_assert_str_eq(err.code, "InvalidConfigurationRequest");
    ck_assert_int_eq(err.http_status, 400);
    lk_aws_error_clear(&err);

    lk_qlive_post(&g_client, "/_admin/state?mode=merge",
                  "{\"buckets\": {\"lk-live-elb-logs\": {\"region\": \"us-west-2\"}}}");
    OK(lk_elbv2_enable_access_logs(&g_client, "us-west-2", arns[0], "lk-live-elb-logs", "alb/web",
                                   &err),
       err);
    struct lk_elbv2_list lbs = {0};
    OK(lk_elbv2_describe_load_balancers(&g_client, "us-west-2", true, &lbs, &err), err);
    ck_assert_uint_eq(lbs.n, 1);
    ck_assert(lbs.items[0].access_logs_enabled);
    ck_assert_str_eq(lbs.items[0].access_logs_bucket, "lk-live-elb-logs");
    ck_assert_str_eq(lbs.items[0].access_logs_prefix, "alb/web");
    lk_elbv2_list_free(&lbs);

    struct lk_arena arena;
    lk_arena_init(&arena);
    char missing[512];
    snprintf(missing, sizeof(missing), "%s0", arns[0]);
    struct lk_elbv2_load_balancer ghost = {.arn = missing};
    ck_assert_int_eq(lk_elbv2_read_attributes(&g_client, "us-west-2", &arena, &ghost, &err),
                     LK_STATUS_AWS);
    ck_assert_str_eq(err.code, "LoadBalancerNotFound");
    lk_aws_error_clear(&err);
    lk_arena_destroy(&arena);
    lk_qlive_ids_free(arns);
}
END_TEST

/* A throttled DescribeLoadBalancers (400 Throttling) is retried. */
START_TEST(test_throttle_retried)
{
    lk_qlive_post(&g_client, "/_admin/workloads",
                  "{\"region\": \"ca-central-1\", \"load_balancers\": {\"count\": 2}}");
    lk_qlive_post(&g_client, "/_admin/faults",
                  "{\"kind\": \"throttle\", \"service\": \"elbv2\", \"operation\": "
                  "\"DescribeLoadBalancerAttributes\", \"count\": 1}");
    int before = lk_qlive_count(&g_client, "elbv2", "DescribeLoadBalancerAttributes");
    struct lk_elbv2_list lbs = {0};
    struct lk_aws_error err = {0};
    OK(lk_elbv2_describe_load_balancers(&g_client, "ca-central-1", true, &lbs, &err), err);
    ck_assert_uint_eq(lbs.n, 2);
    ck_assert(lbs.items[0].attributes_read && lbs.items[1].attributes_read);
    ck_assert_int_eq(lk_qlive_count(&g_client, "elbv2", "DescribeLoadBalancerAttributes") - before,
                     3);
    lk_elbv2_list_free(&lbs);
    lk_qlive_post(&g_client, "/_admin/faults/reset", "{}");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("elbv2_live");
    TCase *tc = tcase_create("endpoint");
    tcase_add_checked_fixture(tc, s_setup, s_teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_describe_pages_and_attributes);
    tcase_add_test(tc, test_enable_access_logs);
    tcase_add_test(tc, test_throttle_retried);
    suite_add_tcase(s, tc);
    return lk_test_run(s);
}
