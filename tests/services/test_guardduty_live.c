/*
 * Integration tests: the Amazon GuardDuty findings-export client (runtime/services/guardduty.c,
 * REST-JSON through runtime/services/restjson.c) over real HTTP against the local AWS endpoint
 * (tests/aws-endpoint). Run by tests/services/run.
 */
#include "../unit/lk_test.h"

#include <check.h>

#include "runtime/services/guardduty.h"
#include "runtime/services/restjson.h"
#include "svc_sources_live.h"

#define REGION "ap-southeast-2"
#define BUCKET_ARN "arn:aws:s3:::acme-findings/guardduty"
#define KEY_ARN "arn:aws:kms:" REGION ":111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"

static struct lk_aws_client g_client;

static void s_setup(void)
{
    lk_svc_client_from_env(&g_client);
}

static void s_teardown(void)
{
    lk_aws_client_free(&g_client);
}

/* Three detectors in pages of 2; an export created on one and read back. */
START_TEST(test_guardduty_round_trip)
{
    struct lk_aws_error err = {0};
    struct lk_guardduty_listing l;
    cJSON_Delete(lk_src_seed(&g_client, "{\"region\": \"" REGION "\", \"detectors\": 3}"));
    lk_guardduty_listing_init(&l);
    OK(lk_guardduty_list(&g_client, REGION, 2, &l, &err), err);
    ck_assert_uint_eq(l.n_detectors, 3);
    /* 2 pages of detectors, then one (empty) destination listing per detector. */
    ck_assert_uint_eq(l.requests, 2 + 3);
    char *det = lk_xstrdup(l.detectors[1].id);
    char *dest = NULL;
    OK(lk_guardduty_create_destination(&g_client, REGION, det, BUCKET_ARN, KEY_ARN, &l, &dest,
                                       &err),
       err);
    ck_assert_ptr_nonnull(dest);
    char *dest_id = lk_xstrdup(dest);
    lk_guardduty_listing_free(&l);

    lk_guardduty_listing_init(&l);
    OK(lk_guardduty_list(&g_client, REGION, 0, &l, &err), err);
    /* 1 page of detectors, 3 destination listings, 1 DescribePublishingDestination. */
    ck_assert_uint_eq(l.requests, 1 + 3 + 1);
    const struct lk_guardduty_detector *d = NULL;
    for (size_t i = 0; i < l.n_detectors; i++)
        if (strcmp(l.detectors[i].id, det) == 0)
            d = &l.detectors[i];
    ck_assert_ptr_nonnull(d);
    ck_assert_uint_eq(d->n_destinations, 1);
    ck_assert_str_eq(d->destinations[0].id, dest_id);
    ck_assert_str_eq(d->destinations[0].type, "S3");
    ck_assert_str_eq(d->destinations[0].status, "PUBLISHING");
    ck_assert_str_eq(d->destinations[0].destination_arn, BUCKET_ARN);
    ck_assert_str_eq(d->destinations[0].kms_key_arn, KEY_ARN);
    lk_guardduty_listing_free(&l);
    free(det);
    free(dest_id);
}
END_TEST

/* A detector that is not ours: GuardDuty's BadRequestException, read from the REST-JSON error
 * (X-Amzn-ErrorType first). */
START_TEST(test_guardduty_errors)
{
    struct lk_aws_error err = {0};
    struct lk_guardduty_listing l;
    lk_guardduty_listing_init(&l);
    LK_SRC_FAILS_WITH(lk_guardduty_create_destination(&g_client, REGION,
                                                      "00000000000000000000000000000000",
                                                      BUCKET_ARN, KEY_ARN, &l, NULL, &err),
                      err, "BadRequestException");
    /* An empty label is refused before anything is sent. */
    ck_assert_int_eq(
        lk_guardduty_create_destination(&g_client, REGION, "", BUCKET_ARN, KEY_ARN, &l, NULL, &err),
        LK_STATUS_INVALID_ARGUMENT);
    lk_aws_error_clear(&err);
    lk_guardduty_listing_free(&l);
}
END_TEST

START_TEST(test_guardduty_throttle_retried)
{
    struct lk_aws_error err = {0};
    struct lk_guardduty_listing l;
    int before = lk_src_logged(&g_client, "guardduty", "ListDetectors", 400, "throttle");
    lk_src_throttle_once(&g_client, "guardduty", "ListDetectors");
    lk_guardduty_listing_init(&l);
    OK(lk_guardduty_list(&g_client, REGION, 0, &l, &err), err);
    ck_assert_uint_eq(l.n_detectors, 3);
    lk_guardduty_listing_free(&l);
    ck_assert_int_eq(lk_src_logged(&g_client, "guardduty", "ListDetectors", 400, "throttle"),
                     before + 1);
}
END_TEST

/* Labels and query values are percent-encoded; the error type is taken as the SDKs take it. */
START_TEST(test_restjson_encoding)
{
    struct lk_buf b;
    lk_buf_init(&b, LK_BUF_MAX_LINE);
    const char *labels[2] = {"a b/c", "~x-y_z.1%"};
    ck_assert_int_eq(lk_restjson_path(&b, "/d/{one}/p/{two}", labels, 2), LK_STATUS_OK);
    lk_restjson_query(&b, "nextToken", "a+b=");
    lk_restjson_query(&b, "maxResults", "2");
    ck_assert_str_eq(lk_buf_cstr(&b), "/d/a%20b%2Fc/p/~x-y_z.1%25?nextToken=a%2Bb%3D&maxResults=2");
    ck_assert_int_eq(lk_restjson_path(&b, "/d/{one}", labels, 2), LK_STATUS_INVALID_ARGUMENT);
    lk_buf_free(&b);

    char h_name[] = "x-amzn-ErrorType", h_value[] = "ResourceNotFoundException:http://internal/";
    struct lk_http_header h = {h_name, h_value};
    char body[] = "{\"__type\":\"com.amazon#BadRequestException\",\"message\":\"m\"}";
    struct lk_http_response resp = {.status = 404,
                                    .headers = &h,
                                    .n_headers = 1,
                                    .body = (unsigned char *)body,
                                    .body_len = strlen(body)};
    struct lk_aws_error err = {0};
    lk_restjson_error_type(&resp, &err);
    ck_assert_str_eq(err.code, "ResourceNotFoundException");
    resp.n_headers = 0;
    lk_restjson_error_type(&resp, &err);
    ck_assert_str_eq(err.code, "BadRequestException");
    lk_aws_error_clear(&err);
}
END_TEST

/* Parsing: detectorIds is required; ids must be strings. */
START_TEST(test_guardduty_parsers)
{
    struct lk_guardduty_listing l;
    struct lk_error why = {0};
    char *next = NULL;
    lk_guardduty_listing_init(&l);
    const char ok[] = "{\"detectorIds\":[\"d1\"],\"nextToken\":\"\"}";
    ck_assert_int_eq(lk_guardduty_parse_detectors(&l, ok, strlen(ok), &next, &why), LK_STATUS_OK);
    ck_assert_ptr_null(next); /* an empty token ends the listing */
    ck_assert_int_eq(lk_guardduty_parse_detectors(&l, "{}", 2, &next, &why), LK_STATUS_SCHEMA);
    const char bad[] = "{\"detectorIds\":[1]}";
    ck_assert_int_eq(lk_guardduty_parse_detectors(&l, bad, strlen(bad), &next, &why),
                     LK_STATUS_SCHEMA);
    struct lk_guardduty_destination d = {0};
    const char desc[] = "{\"status\":\"PUBLISHING\",\"destinationProperties\":{\"destinationArn\":"
                        "\"arn:aws:s3:::b\",\"kmsKeyArn\":null}}";
    ck_assert_int_eq(lk_guardduty_parse_destination(&l, &d, desc, strlen(desc), &why),
                     LK_STATUS_OK);
    ck_assert_str_eq(d.destination_arn, "arn:aws:s3:::b");
    ck_assert_ptr_null(d.kms_key_arn);
    /* GetAdministratorAccount: no content (an administrator, an account in no organisation),
     * an object without administrator, a member's administrator. */
    struct lk_guardduty_administrator a;
    ck_assert_int_eq(lk_guardduty_parse_administrator(&l, &a, "", 0, &why), LK_STATUS_OK);
    ck_assert_ptr_null(a.account_id);
    ck_assert_int_eq(lk_guardduty_parse_administrator(&l, &a, "{}", 2, &why), LK_STATUS_OK);
    ck_assert_ptr_null(a.account_id);
    const char adm[] = "{\"administrator\":{\"accountId\":\"111122223333\",\"invitationId\":"
                       "\"i\",\"invitedAt\":\"2026-01-01T00:00:00Z\",\"relationshipStatus\":"
                       "\"Enabled\"}}";
    ck_assert_int_eq(lk_guardduty_parse_administrator(&l, &a, adm, strlen(adm), &why),
                     LK_STATUS_OK);
    ck_assert_str_eq(a.account_id, "111122223333");
    ck_assert_str_eq(a.relationship_status, "Enabled");
    ck_assert_int_eq(lk_guardduty_parse_administrator(&l, &a, "[]", 2, &why), LK_STATUS_SCHEMA);
    lk_guardduty_listing_free(&l);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("guardduty_live");
    TCase *tc = tcase_create("endpoint");
    tcase_add_checked_fixture(tc, s_setup, s_teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_guardduty_round_trip);
    tcase_add_test(tc, test_guardduty_errors);
    tcase_add_test(tc, test_guardduty_throttle_retried);
    tcase_add_test(tc, test_restjson_encoding);
    tcase_add_test(tc, test_guardduty_parsers);
    suite_add_tcase(s, tc);
    int rc = lk_test_run(s);
    return rc;
}
