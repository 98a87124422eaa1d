/*
 * Integration tests: the AWS Network Firewall logging client (runtime/services/netfw.c) over
 * real HTTP against the local AWS endpoint (tests/aws-endpoint). Run by tests/services/run.
 */
#include "../unit/lk_test.h"

#include <check.h>

#include "runtime/services/netfw.h"
#include "svc_sources_live.h"

#define REGION "eu-west-3"

static struct lk_aws_client g_client;

static void s_setup(void)
{
    lk_svc_client_from_env(&g_client);
}

static void s_teardown(void)
{
    lk_aws_client_free(&g_client);
}

static char s_alert[] = "ALERT", s_flow[] = "FLOW", s_s3[] = "S3", s_bucket[] = "acme-nfw-logs",
            s_prefix[] = "nfw";

/* Three firewalls in pages of 2, each one's logging read (2 + 3 requests); ALERT and FLOW
 * turned on one change per call, as UpdateLoggingConfiguration requires. */
START_TEST(test_netfw_round_trip)
{
    struct lk_aws_error err = {0};
    struct lk_netfw_listing l;
    cJSON_Delete(lk_src_seed(&g_client, "{\"region\": \"" REGION "\", \"firewalls\": "
                                        "{\"prefix\": \"fw-\", \"count\": 3}}"));
    lk_netfw_listing_init(&l);
    OK(lk_netfw_list(&g_client, REGION, 2, &l, &err), err);
    ck_assert_uint_eq(l.n_firewalls, 3);
    ck_assert_uint_eq(l.requests, 2 + 3);
    ck_assert_str_eq(l.firewalls[0].name, "fw-0001");
    ck_assert_uint_eq(l.firewalls[0].n_destinations, 0);
    char *arn = lk_xstrdup(l.firewalls[0].arn);

    struct lk_netfw_destination wanted[2] = {{.log_type = s_alert,
                                              .destination_type = s_s3,
                                              .bucket_name = s_bucket,
                                              .prefix = s_prefix},
                                             {.log_type = s_flow,
                                              .destination_type = s_s3,
                                              .bucket_name = s_bucket,
                                              .prefix = s_prefix}};
    /* Both at once is two changes: AWS refuses it. */
    LK_SRC_FAILS_WITH(lk_netfw_update_logging(&g_client, REGION, arn, wanted, 2, &err), err,
                      "InvalidRequestException");
    /* Step by step: ALERT, then FLOW, then nothing left. */
    struct lk_netfw_destination step[3];
    size_t n = lk_netfw_next_step(l.firewalls[0].destinations, 0, wanted, 2, step);
    ck_assert_uint_eq(n, 1);
    ck_assert_str_eq(step[0].log_type, "ALERT");
    OK(lk_netfw_update_logging(&g_client, REGION, arn, step, n, &err), err);
    n = lk_netfw_next_step(step, 1, wanted, 2, step);
    ck_assert_uint_eq(n, 2);
    OK(lk_netfw_update_logging(&g_client, REGION, arn, step, n, &err), err);
    lk_netfw_listing_free(&l);

    lk_netfw_listing_init(&l);
    OK(lk_netfw_list(&g_client, REGION, 0, &l, &err), err);
    ck_assert_uint_eq(l.requests, 1 + 3);
    const struct lk_netfw_firewall *fw = &l.firewalls[0];
    ck_assert_str_eq(fw->arn, arn);
    ck_assert_uint_eq(fw->n_destinations, 2);
    ck_assert_str_eq(fw->destinations[0].log_type, "ALERT");
    ck_assert_str_eq(fw->destinations[1].log_type, "FLOW");
    ck_assert_str_eq(fw->destinations[1].destination_type, "S3");
    ck_assert_str_eq(fw->destinations[1].bucket_name, "acme-nfw-logs");
    ck_assert_str_eq(fw->destinations[1].prefix, "nfw");
    ck_assert_ptr_null(fw->destinations[1].log_group);
    ck_assert_uint_eq(lk_netfw_next_step(fw->destinations, fw->n_destinations, wanted, 2, step), 0);
    lk_netfw_listing_free(&l);
    free(arn);
}
END_TEST

START_TEST(test_netfw_errors)
{
    struct lk_aws_error err = {0};
    struct lk_netfw_destination d = {
        .log_type = s_flow, .destination_type = s_s3, .bucket_name = s_bucket};
    LK_SRC_FAILS_WITH(lk_netfw_update_logging(&g_client, REGION,
                                              "arn:aws:network-firewall:" REGION
                                              ":111122223333:firewall/no-such-firewall",
                                              &d, 1, &err),
                      err, "ResourceNotFoundException");
}
END_TEST

START_TEST(test_netfw_throttle_retried)
{
    struct lk_aws_error err = {0};
    struct lk_netfw_listing l;
    int before = lk_src_logged(&g_client, "network-firewall", "DescribeLoggingConfiguration", 400,
                               "throttle");
    lk_src_throttle_once(&g_client, "network-firewall", "DescribeLoggingConfiguration");
    lk_netfw_listing_init(&l);
    OK(lk_netfw_list(&g_client, REGION, 0, &l, &err), err);
    ck_assert_uint_ge(l.n_firewalls, 3);
    lk_netfw_listing_free(&l);
    ck_assert_int_eq(lk_src_logged(&g_client, "network-firewall", "DescribeLoggingConfiguration",
                                   400, "throttle"),
                     before + 1);
}
END_TEST

/* Parsing: LogDestination values must be strings; unknown keys are ignored. */
START_TEST(test_netfw_parsers)
{
    struct lk_netfw_listing l;
    struct lk_netfw_firewall fw = {0};
    struct lk_error why = {0};
    lk_netfw_listing_init(&l);
    const char ok[] =
        "{\"FirewallArn\":\"arn:f\",\"LoggingConfiguration\":{\"LogDestinationConfigs\":"
        "[{\"LogType\":\"FLOW\",\"LogDestinationType\":\"CloudWatchLogs\","
        "\"LogDestination\":{\"logGroup\":\"/nfw\",\"future\":\"x\"}}]}}";
    ck_assert_int_eq(lk_netfw_parse_logging(&l, ok, strlen(ok), &fw, &why), LK_STATUS_OK);
    ck_assert_uint_eq(fw.n_destinations, 1);
    ck_assert_str_eq(fw.destinations[0].log_group, "/nfw");
    ck_assert_ptr_null(fw.destinations[0].bucket_name);
    const char bad[] = "{\"LoggingConfiguration\":{\"LogDestinationConfigs\":"
                       "[{\"LogType\":\"FLOW\",\"LogDestinationType\":\"S3\","
                       "\"LogDestination\":{\"bucketName\":5}}]}}";
    ck_assert_int_eq(lk_netfw_parse_logging(&l, bad, strlen(bad), &fw, &why), LK_STATUS_SCHEMA);
    const char none[] = "{\"FirewallArn\":\"arn:f\"}";
    ck_assert_int_eq(lk_netfw_parse_logging(&l, none, strlen(none), &fw, &why), LK_STATUS_OK);
    ck_assert_uint_eq(fw.n_destinations, 0);
    lk_netfw_listing_free(&l);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("netfw_live");
    TCase *tc = tcase_create("endpoint");
    tcase_add_checked_fixture(tc, s_setup, s_teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_netfw_round_trip);
    tcase_add_test(tc, test_netfw_errors);
    tcase_add_test(tc, test_netfw_throttle_retried);
    tcase_add_test(tc, test_netfw_parsers);
    suite_add_tcase(s, tc);
    int rc = lk_test_run(s);
    return rc;
}
