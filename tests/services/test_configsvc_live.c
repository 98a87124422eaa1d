/*
 * Integration tests: the AWS Config recording client (runtime/services/configsvc.c) over real
 * HTTP against the local AWS endpoint (tests/aws-endpoint). Run by tests/services/run.
 */
#include "../unit/lk_test.h"

#include <check.h>

#include "runtime/services/configsvc.h"
#include "svc_sources_live.h"

#define REGION "eu-central-1"
#define BUCKET "acme-config-live"

static struct lk_aws_client g_client;

static void s_setup(void)
{
    lk_svc_client_from_env(&g_client);
}

static void s_teardown(void)
{
    lk_aws_client_free(&g_client);
}

static char s_default[] = "default", s_bucket[] = BUCKET, s_prefix[] = "config",
            s_daily[] = "TwentyFour_Hours", s_other[] = "other";

/* A recorder that is not recording and no channel; the channel put and the recorder started;
 * read back (3 requests, none paginated). */
START_TEST(test_config_round_trip)
{
    struct lk_aws_error err = {0};
    struct lk_config_listing l;
    lk_config_listing_init(&l);
    /* Before any recorder: nothing, and a channel cannot be put. */
    OK(lk_config_list(&g_client, REGION, &l, &err), err);
    ck_assert_uint_eq(l.n_recorders, 0);
    ck_assert_uint_eq(l.n_channels, 0);
    ck_assert_uint_eq(l.requests, 3);
    lk_config_listing_free(&l);
    struct lk_config_channel ch = {.name = s_default,
                                   .s3_bucket_name = s_bucket,
                                   .s3_key_prefix = s_prefix,
                                   .delivery_frequency = s_daily};
    LK_SRC_FAILS_WITH(lk_config_put_channel(&g_client, REGION, &ch, &err), err,
                      "NoAvailableConfigurationRecorderException");

    cJSON_Delete(lk_src_seed(&g_client, "{\"region\": \"" REGION "\", \"recorders\": "
                                        "[{\"name\": \"default\", \"recording\": false}]}"));
    LK_SRC_FAILS_WITH(lk_config_start_recorder(&g_client, REGION, "default", &err), err,
                      "NoAvailableDeliveryChannelException");
    /* The bucket must exist (NoSuchBucketException until then). */
    LK_SRC_FAILS_WITH(lk_config_put_channel(&g_client, REGION, &ch, &err), err,
                      "NoSuchBucketException");
    ck_assert_int_eq(lk_svc_admin(&g_client, "POST", "/_admin/state?mode=merge",
                                  "{\"buckets\": {\"" BUCKET "\": {}}}", NULL),
                     200);
    OK(lk_config_put_channel(&g_client, REGION, &ch, &err), err);
    OK(lk_config_start_recorder(&g_client, REGION, "default", &err), err);

    lk_config_listing_init(&l);
    OK(lk_config_list(&g_client, REGION, &l, &err), err);
    ck_assert_uint_eq(l.n_recorders, 1);
    ck_assert_str_eq(l.recorders[0].name, "default");
    ck_assert(l.recorders[0].has_status);
    ck_assert(l.recorders[0].recording);
    ck_assert(l.recorders[0].all_supported);
    ck_assert_uint_eq(l.n_channels, 1);
    ck_assert_str_eq(l.channels[0].s3_bucket_name, BUCKET);
    ck_assert_str_eq(l.channels[0].s3_key_prefix, "config");
    ck_assert_str_eq(l.channels[0].delivery_frequency, "TwentyFour_Hours");
    ck_assert_ptr_null(l.channels[0].s3_kms_key_arn);
    lk_config_listing_free(&l);

    /* One channel per Region. */
    struct lk_config_channel second = {.name = s_other, .s3_bucket_name = s_bucket};
    LK_SRC_FAILS_WITH(lk_config_put_channel(&g_client, REGION, &second, &err), err,
                      "MaxNumberOfDeliveryChannelsExceededException");
    LK_SRC_FAILS_WITH(lk_config_start_recorder(&g_client, REGION, "nope", &err), err,
                      "NoSuchConfigurationRecorderException");
}
END_TEST

START_TEST(test_config_throttle_retried)
{
    struct lk_aws_error err = {0};
    struct lk_config_listing l;
    int before =
        lk_src_logged(&g_client, "config", "DescribeConfigurationRecorderStatus", 400, "throttle");
    lk_src_throttle_once(&g_client, "config", "DescribeConfigurationRecorderStatus");
    lk_config_listing_init(&l);
    OK(lk_config_list(&g_client, REGION, &l, &err), err);
    ck_assert_uint_eq(l.n_recorders, 1);
    ck_assert(l.recorders[0].recording);
    lk_config_listing_free(&l);
    ck_assert_int_eq(
        lk_src_logged(&g_client, "config", "DescribeConfigurationRecorderStatus", 400, "throttle"),
        before + 1);
}
END_TEST

/* Parsing: types strict, a status without its recorder ignored, entries capped. */
START_TEST(test_config_parsers)
{
    struct lk_config_listing l;
    struct lk_error why = {0};
    lk_config_listing_init(&l);
    const char recs[] = "{\"ConfigurationRecorders\":[{\"name\":\"default\",\"recordingGroup\":"
                        "{\"allSupported\":true,\"recordingStrategy\":{\"useOnly\":\"ALL\"}}}]}";
    ck_assert_int_eq(lk_config_parse_recorders(&l, recs, strlen(recs), &why), LK_STATUS_OK);
    const char status[] =
        "{\"ConfigurationRecordersStatus\":[{\"name\":\"other\",\"recording\":true},"
        "{\"name\":\"default\",\"recording\":false,\"lastStatus\":\"Failure\"}]}";
    ck_assert_int_eq(lk_config_parse_status(&l, status, strlen(status), &why), LK_STATUS_OK);
    ck_assert(l.recorders[0].has_status);
    ck_assert(!l.recorders[0].recording);
    ck_assert_str_eq(l.recorders[0].last_status, "Failure");
    const char bad[] =
        "{\"ConfigurationRecordersStatus\":[{\"name\":\"default\",\"recording\":\"yes\"}]}";
    ck_assert_int_eq(lk_config_parse_status(&l, bad, strlen(bad), &why), LK_STATUS_SCHEMA);
    char many[2048];
    int at = snprintf(many, sizeof(many), "{\"DeliveryChannels\":[");
    for (int i = 0; i <= LK_CONFIG_MAX_ENTRIES; i++)
        at +=
            snprintf(many + at, sizeof(many) - (size_t)at, "%s{\"name\":\"c%d\"}", i ? "," : "", i);
    snprintf(many + at, sizeof(many) - (size_t)at, "]}");
    ck_assert_int_eq(lk_config_parse_channels(&l, many, strlen(many), &why), LK_STATUS_TOO_LARGE);
    lk_config_listing_free(&l);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("configsvc_live");
    TCase *tc = tcase_create("endpoint");
    tcase_add_checked_fixture(tc, s_setup, s_teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_config_round_trip);
    tcase_add_test(tc, test_config_throttle_retried);
    tcase_add_test(tc, test_config_parsers);
    suite_add_tcase(s, tc);
    int rc = lk_test_run(s);
    return rc;
}
