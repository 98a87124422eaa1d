/*
 * Integration tests: the Amazon EC2 client (VPCs and flow logs, EC2 Query protocol) over real
 * HTTP against the local AWS endpoint (tests/aws-endpoint), which checks every SigV4 signature
 * and answers with EC2's XML shapes, pagination and errors.
 *
 * Run by tests/services/run (AWS_ENDPOINT_URL, AWS_REGION and the credentials are set there).
 * Each test seeds its own Region through /_admin/workloads, so the tests are independent.
 */
#include "../unit/lk_test.h"

#include <check.h>
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "query_live.h"
#include "runtime/services/ec2.h"
#include "svc_live.h"

static struct lk_aws_client g_client;

#define ACCOUNT "111122223333"

static void s_setup(void)
{
    lk_svc_client_from_env(&g_client);
}

static void s_teardown(void)
{
    lk_aws_client_free(&g_client);
}

/* 2,300 VPCs: three pages of DescribeVpcs (1,000 a page); every one read once, in order. */
START_TEST(test_describe_vpcs_pages)
{
    cJSON *seeded = lk_qlive_admin(&g_client, "POST", "/_admin/workloads",
                                   "{\"region\": \"eu-west-1\", \"vpcs\": {\"count\": 2300}}");
    size_t n_ids = 0;
    char **ids = lk_qlive_ids(seeded, "vpcs", &n_ids);
    cJSON_Delete(seeded);
    ck_assert_uint_eq(n_ids, 2300);

    int before = lk_qlive_count(&g_client, "ec2", "DescribeVpcs");
    struct lk_ec2_vpc_list vpcs = {0};
    struct lk_aws_error err = {0};
    OK(lk_ec2_describe_vpcs(&g_client, "eu-west-1", &vpcs, &err), err);
    ck_assert_uint_eq(vpcs.n, 2300);
    ck_assert_int_eq(vpcs.pages, 3);
    ck_assert_int_eq(lk_qlive_count(&g_client, "ec2", "DescribeVpcs") - before, 3);
    for (size_t i = 0; i < n_ids; i++)
        ck_assert_str_eq(vpcs.items[i].vpc_id, ids[i]);
    ck_assert_str_eq(vpcs.items[0].owner_id, ACCOUNT);
    ck_assert_str_eq(vpcs.items[0].state, "available");
    ck_assert(!vpcs.items[0].is_default);
    ck_assert_ptr_nonnull(vpcs.items[0].cidr_block);
    lk_ec2_vpc_list_free(&vpcs);

    /* Another Region holds none of them. */
    OK(lk_ec2_describe_vpcs(&g_client, "eu-north-1", &vpcs, &err), err);
    ck_assert_uint_eq(vpcs.n, 0);
    ck_assert_int_eq(vpcs.pages, 1);
    lk_ec2_vpc_list_free(&vpcs);
    lk_qlive_ids_free(ids);
}
END_TEST

/* CreateFlowLogs for some VPCs, then DescribeFlowLogs with a resource-id filter reads them back;
 * an unknown VPC is in the answer's unsuccessful list. */
START_TEST(test_create_and_read_flow_logs)
{
    cJSON *seeded = lk_qlive_admin(&g_client, "POST", "/_admin/workloads",
                                   "{\"region\": \"eu-west-2\", \"vpcs\": {\"count\": 5}}");
    size_t n = 0;
    char **ids = lk_qlive_ids(seeded, "vpcs", &n);
    cJSON_Delete(seeded);

    struct lk_ec2_flow_log_spec spec = {
        .traffic_type = "ALL",
        .log_destination_type = "s3",
        .log_destination = "arn:aws:s3:::acme-network-logs/vpc-flow/",
        .max_aggregation_interval_s = 60,
    };
    const char *targets[] = {ids[0], ids[2], "vpc-0000000000000dead"};
    struct lk_ec2_create_result made = {0};
    struct lk_aws_error err = {0};
    OK(lk_ec2_create_flow_logs(&g_client, "eu-west-2", &spec, targets, 3, &made, &err), err);
    ck_assert_uint_eq(made.n_flow_log_ids, 2);
    ck_assert_uint_eq(made.n_unsuccessful, 1);
    ck_assert_str_eq(made.unsuccessful[0].resource_id, "vpc-0000000000000dead");
    ck_assert_str_eq(made.unsuccessful[0].code, "InvalidVpcID.NotFound");
    lk_ec2_create_result_free(&made);

    /* A CloudWatch Logs flow log for a third VPC, rejected traffic only. */
    struct lk_ec2_flow_log_spec cw = {
        .traffic_type = "REJECT",
        .log_destination_type = "cloud-watch-logs",
        .log_group_name = "/vpc/flow",
        .deliver_logs_permission_arn = "arn:aws:iam::" ACCOUNT ":role/flow-logs",
    };
    OK(lk_ec2_create_flow_logs(&g_client, "eu-west-2", &cw, (const char *const *)&ids[4], 1, &made,
                               &err),
       err);
    ck_assert_uint_eq(made.n_flow_log_ids, 1);
    lk_ec2_create_result_free(&made);

    struct lk_ec2_flow_log_list flows = {0};
    const char *const wanted[] = {ids[0], ids[1], ids[4]};
    OK(lk_ec2_describe_flow_logs(&g_client, "eu-west-2", wanted, 3, &flows, &err), err);
    ck_assert_uint_eq(flows.n, 2);
    ck_assert_int_eq(flows.pages, 1);
    const struct lk_ec2_flow_log *s3 = NULL, *logs = NULL;
    for (size_t i = 0; i < flows.n; i++) {
        if (strcmp(flows.items[i].resource_id, ids[0]) == 0)
            s3 = &flows.items[i];
        else if (strcmp(flows.items[i].resource_id, ids[4]) == 0)
            logs = &flows.items[i];
    }
    ck_assert_ptr_nonnull(s3);
    ck_assert_ptr_nonnull(logs);
    ck_assert_str_eq(s3->traffic_type, "ALL");
    ck_assert_str_eq(s3->log_destination_type, "s3");
    ck_assert_str_eq(s3->log_destination, "arn:aws:s3:::acme-network-logs/vpc-flow/");
    ck_assert_ptr_null(s3->log_group_name);
    ck_assert_int_eq(s3->max_aggregation_interval_s, 60);
    ck_assert_str_eq(s3->flow_log_status, "ACTIVE");
    ck_assert_str_eq(logs->traffic_type, "REJECT");
    ck_assert_str_eq(logs->log_destination_type, "cloud-watch-logs");
    ck_assert_str_eq(logs->log_group_name, "/vpc/flow");
    ck_assert_str_eq(logs->deliver_logs_permission_arn, "arn:aws:iam::" ACCOUNT ":role/flow-logs");
    lk_ec2_flow_log_list_free(&flows);

    /* The same flow log again: FlowLogAlreadyExists, in the unsuccessful list. */
    OK(lk_ec2_create_flow_logs(&g_client, "eu-west-2", &spec, (const char *const *)ids, 1, &made,
                               &err),
       err);
    ck_assert_uint_eq(made.n_flow_log_ids, 0);
    ck_assert_uint_eq(made.n_unsuccessful, 1);
    ck_assert_str_eq(made.unsuccessful[0].code, "FlowLogAlreadyExists");
    lk_ec2_create_result_free(&made);
    lk_qlive_ids_free(ids);
}
END_TEST

/* 1,200 flow logs read by pages, not per resource: with no filter two pages; with a filter of
 * 450 VPC ids three listings of at most 200 values, each one page. */
START_TEST(test_flow_logs_pages)
{
    cJSON *seeded = lk_qlive_admin(&g_client, "POST", "/_admin/workloads",
                                   "{\"region\": \"ap-south-1\", \"vpcs\": {\"count\": 1200}}");
    size_t n = 0;
    char **ids = lk_qlive_ids(seeded, "vpcs", &n);
    cJSON_Delete(seeded);
    struct lk_ec2_flow_log_spec spec = {
        .traffic_type = "ALL",
        .log_destination_type = "s3",
        .log_destination = "arn:aws:s3:::acme-network-logs",
    };
    struct lk_ec2_create_result made = {0};
    struct lk_aws_error err = {0};
    OK(lk_ec2_create_flow_logs(&g_client, "ap-south-1", &spec, (const char *const *)ids, n, &made,
                               &err),
       err);
    ck_assert_uint_eq(made.n_flow_log_ids, 1200);
    lk_ec2_create_result_free(&made);

    int before = lk_qlive_count(&g_client, "ec2", "DescribeFlowLogs");
    struct lk_ec2_flow_log_list flows = {0};
    OK(lk_ec2_describe_flow_logs(&g_client, "ap-south-1", NULL, 0, &flows, &err), err);
    ck_assert_uint_eq(flows.n, 1200);
    ck_assert_int_eq(flows.pages, 2);
    lk_ec2_flow_log_list_free(&flows);

    OK(lk_ec2_describe_flow_logs(&g_client, "ap-south-1", (const char *const *)ids + 100, 450,
                                 &flows, &err),
       err);
    ck_assert_uint_eq(flows.n, 450);
    ck_assert_int_eq(flows.pages, 3);
    for (size_t i = 0; i < flows.n; i++)
        ck_assert_str_eq(flows.items[i].resource_id, ids[100 + i]);
    lk_ec2_flow_log_list_free(&flows);
    ck_assert_int_eq(lk_qlive_count(&g_client, "ec2", "DescribeFlowLogs") - before, 5);
    lk_qlive_ids_free(ids);
}
END_TEST

/* An AWS error comes back as EC2 wrote it; a throttled request is retried. */
START_TEST(test_errors_and_throttle)
{
    struct lk_ec2_flow_log_spec bad = {
        .traffic_type = "ALL",
        .log_destination_type = "s3",
        .log_destination = "not-an-arn",
    };
    const char *vpc[] = {"vpc-00000000000000001"};
    struct lk_ec2_create_result made = {0};
    struct lk_aws_error err = {0};
    ck_assert_int_eq(lk_ec2_create_flow_logs(&g_client, "sa-east-1", &bad, vpc, 1, &made, &err),
                     LK_STATUS_AWS);
    ck_assert_str_eq(err.code, "InvalidParameterValue");
    ck_assert_int_eq(err.http_status, 400);
    ck_assert_ptr_nonnull(err.message);
    ck_assert_ptr_nonnull(err.request_id);
    lk_aws_error_clear(&err);
    lk_ec2_create_result_free(&made);

    lk_qlive_post(&g_client, "/_admin/workloads",
                  "{\"region\": \"sa-east-1\", \"vpcs\": {\"count\": 3}}");
    lk_qlive_post(&g_client, "/_admin/faults",
                  "{\"kind\": \"throttle\", \"service\": \"ec2\", \"operation\": "
                  "\"DescribeVpcs\", \"count\": 2}");
    int before = lk_qlive_count(&g_client, "ec2", "DescribeVpcs");
    struct lk_ec2_vpc_list vpcs = {0};
    OK(lk_ec2_describe_vpcs(&g_client, "sa-east-1", &vpcs, &err), err);
    ck_assert_uint_eq(vpcs.n, 3);
    /* Two RequestLimitExceeded answers (503), then the page: three requests for one page. */
    ck_assert_int_eq(lk_qlive_count(&g_client, "ec2", "DescribeVpcs") - before, 3);
    lk_ec2_vpc_list_free(&vpcs);
    lk_qlive_post(&g_client, "/_admin/faults/reset", "{}");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("ec2_live");
    TCase *tc = tcase_create("endpoint");
    tcase_add_checked_fixture(tc, s_setup, s_teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_describe_vpcs_pages);
    tcase_add_test(tc, test_create_and_read_flow_logs);
    tcase_add_test(tc, test_flow_logs_pages);
    tcase_add_test(tc, test_errors_and_throttle);
    suite_add_tcase(s, tc);
    return lk_test_run(s);
}
