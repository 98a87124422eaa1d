/*
 * Integration tests: the AWS WAF logging client (runtime/services/wafv2.c) over real HTTP
 * against the local AWS endpoint (tests/aws-endpoint). Run by tests/services/run.
 */
#include "../unit/lk_test.h"

#include <check.h>

#include "runtime/services/wafv2.h"
#include "svc_sources_live.h"

#define REGION "eu-west-2"
#define ACCOUNT "111122223333"
#define DEST_ARN "arn:aws:logs:" REGION ":" ACCOUNT ":log-group:aws-waf-logs-acme"
#define CF_DEST_ARN "arn:aws:s3:::aws-waf-logs-acme-cf"

static struct lk_aws_client g_client;

static void s_setup(void)
{
    lk_svc_client_from_env(&g_client);
}

static void s_teardown(void)
{
    lk_aws_client_free(&g_client);
}

static const struct lk_wafv2_web_acl *s_find(const struct lk_wafv2_listing *l, const char *name)
{
    for (size_t i = 0; i < l->n_acls; i++)
        if (strcmp(l->acls[i].name, name) == 0)
            return &l->acls[i];
    ck_abort_msg("web ACL %s not listed", name);
    return NULL;
}

/* Five ACLs listed in pages of 2 (3 pages) and their logging configurations in one more page
 * per 2 configurations: never one GetLoggingConfiguration per ACL. */
START_TEST(test_wafv2_round_trip)
{
    struct lk_aws_error err = {0};
    struct lk_wafv2_listing l;
    cJSON_Delete(lk_src_seed(&g_client, "{\"region\": \"" REGION "\", \"web_acls\": "
                                        "{\"REGIONAL\": {\"prefix\": \"acl-\", \"count\": 5}}}"));
    lk_wafv2_listing_init(&l);
    OK(lk_wafv2_list(&g_client, REGION, LK_WAFV2_REGIONAL, 2, &l, &err), err);
    ck_assert_uint_eq(l.n_acls, 5);
    ck_assert_uint_eq(l.requests, 3 + 1);
    for (size_t i = 0; i < l.n_acls; i++)
        ck_assert(!l.acls[i].logging);
    char *arn1 = lk_xstrdup(s_find(&l, "acl-0001")->arn);
    char *arn3 = lk_xstrdup(s_find(&l, "acl-0003")->arn);
    lk_wafv2_listing_free(&l);

    /* Turn logging on for two ACLs, then read back through the listing and one Get. */
    OK(lk_wafv2_put_logging(&g_client, REGION, arn1, DEST_ARN, &err), err);
    OK(lk_wafv2_put_logging(&g_client, REGION, arn3, DEST_ARN, &err), err);
    lk_wafv2_listing_init(&l);
    OK(lk_wafv2_list(&g_client, REGION, LK_WAFV2_REGIONAL, 2, &l, &err), err);
    ck_assert_uint_eq(l.requests, 3 + 1);
    const struct lk_wafv2_web_acl *a1 = s_find(&l, "acl-0001");
    ck_assert(a1->logging);
    ck_assert_uint_eq(a1->n_destinations, 1);
    ck_assert_str_eq(a1->destinations[0], DEST_ARN);
    ck_assert(!a1->managed_by_firewall_manager);
    ck_assert(s_find(&l, "acl-0003")->logging);
    ck_assert(!s_find(&l, "acl-0002")->logging);
    struct lk_wafv2_web_acl one = {0};
    OK(lk_wafv2_get_logging(&g_client, REGION, arn3, &l, &one, &err), err);
    ck_assert(one.logging);
    ck_assert_str_eq(one.destinations[0], DEST_ARN);
    lk_wafv2_listing_free(&l);
    free(arn1);
    free(arn3);
}
END_TEST

/* CloudFront ACLs are listed in us-east-1 whatever Region the caller names. */
START_TEST(test_wafv2_cloudfront_scope)
{
    struct lk_aws_error err = {0};
    struct lk_wafv2_listing l;
    cJSON_Delete(lk_src_seed(&g_client, "{\"region\": \"us-east-1\", \"web_acls\": "
                                        "{\"CLOUDFRONT\": [\"cf-acme\"]}}"));
    lk_wafv2_listing_init(&l);
    OK(lk_wafv2_list(&g_client, REGION, LK_WAFV2_CLOUDFRONT, 0, &l, &err), err);
    const struct lk_wafv2_web_acl *a = s_find(&l, "cf-acme");
    ck_assert_int_eq(a->scope, LK_WAFV2_CLOUDFRONT);
    ck_assert_ptr_nonnull(strstr(a->arn, ":global/webacl/cf-acme/"));
    char *arn = lk_xstrdup(a->arn);
    lk_wafv2_listing_free(&l);
    OK(lk_wafv2_put_logging(&g_client, "us-east-1", arn, CF_DEST_ARN, &err), err);
    lk_wafv2_listing_init(&l);
    OK(lk_wafv2_list(&g_client, NULL, LK_WAFV2_CLOUDFRONT, 0, &l, &err), err);
    ck_assert_str_eq(s_find(&l, "cf-acme")->destinations[0], CF_DEST_ARN);
    lk_wafv2_listing_free(&l);
    free(arn);
}
END_TEST

/* AWS errors keep their code. */
START_TEST(test_wafv2_errors)
{
    struct lk_aws_error err = {0};
    struct lk_wafv2_listing l;
    struct lk_wafv2_web_acl one = {0};
    cJSON *made = lk_src_seed(&g_client, "{\"region\": \"" REGION "\", \"web_acls\": "
                                         "{\"REGIONAL\": [\"acl-errors\"]}}");
    const cJSON *acl = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(made, "web_acls"), 0);
    const char *arn = cJSON_GetObjectItemCaseSensitive(acl, "arn")->valuestring;
    lk_wafv2_listing_init(&l);
    LK_SRC_FAILS_WITH(lk_wafv2_get_logging(&g_client, REGION, arn, &l, &one, &err), err,
                      "WAFNonexistentItemException");
    /* A destination whose name does not start with aws-waf-logs- is refused. */
    LK_SRC_FAILS_WITH(
        lk_wafv2_put_logging(&g_client, REGION, arn, "arn:aws:s3:::acme-network-logs", &err), err,
        "WAFInvalidParameterException");
    lk_wafv2_listing_free(&l);
    cJSON_Delete(made);
}
END_TEST

START_TEST(test_wafv2_throttle_retried)
{
    struct lk_aws_error err = {0};
    struct lk_wafv2_listing l;
    int before = lk_src_logged(&g_client, "wafv2", "ListLoggingConfigurations", 400, "throttle");
    lk_src_throttle_once(&g_client, "wafv2", "ListLoggingConfigurations");
    lk_wafv2_listing_init(&l);
    OK(lk_wafv2_list(&g_client, REGION, LK_WAFV2_REGIONAL, 0, &l, &err), err);
    ck_assert_uint_ge(l.n_acls, 5);
    lk_wafv2_listing_free(&l);
    ck_assert_int_eq(
        lk_src_logged(&g_client, "wafv2", "ListLoggingConfigurations", 400, "throttle"),
        before + 1);
}
END_TEST

/* Parsing: a configuration of an ACL the listing lacks is counted, not attached; types
 * are strict. */
START_TEST(test_wafv2_parsers)
{
    struct lk_wafv2_listing l;
    struct lk_error why = {0};
    char *next = NULL;
    lk_wafv2_listing_init(&l);
    const char acls[] = "{\"WebACLs\":[{\"Name\":\"a\",\"Id\":\"1\",\"ARN\":\"arn:a\",\"X\":0}]}";
    ck_assert_int_eq(
        lk_wafv2_parse_web_acls(&l, LK_WAFV2_REGIONAL, acls, strlen(acls), &next, &why),
        LK_STATUS_OK);
    ck_assert_ptr_null(next);
    const char cfgs[] =
        "{\"LoggingConfigurations\":[{\"ResourceArn\":\"arn:b\","
        "\"LogDestinationConfigs\":[\"d\"]},{\"ResourceArn\":\"arn:a\","
        "\"LogDestinationConfigs\":[\"arn:d\"],\"ManagedByFirewallManager\":true}]}";
    ck_assert_int_eq(lk_wafv2_parse_logging_configurations(&l, cfgs, strlen(cfgs), &next, &why),
                     LK_STATUS_OK);
    ck_assert_uint_eq(l.n_orphan_configurations, 1);
    ck_assert(l.acls[0].logging);
    ck_assert(l.acls[0].managed_by_firewall_manager);
    ck_assert_str_eq(l.acls[0].destinations[0], "arn:d");
    const char bad[] = "{\"LoggingConfigurations\":[{\"ResourceArn\":\"arn:a\","
                       "\"LogDestinationConfigs\":\"arn:d\"}]}";
    ck_assert_int_eq(lk_wafv2_parse_logging_configurations(&l, bad, strlen(bad), &next, &why),
                     LK_STATUS_SCHEMA);
    const char no_arn[] = "{\"WebACLs\":[{\"Name\":\"a\"}]}";
    ck_assert_int_eq(
        lk_wafv2_parse_web_acls(&l, LK_WAFV2_REGIONAL, no_arn, strlen(no_arn), &next, &why),
        LK_STATUS_SCHEMA);
    lk_wafv2_listing_free(&l);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("wafv2_live");
    TCase *tc = tcase_create("endpoint");
    tcase_add_checked_fixture(tc, s_setup, s_teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_wafv2_round_trip);
    tcase_add_test(tc, test_wafv2_cloudfront_scope);
    tcase_add_test(tc, test_wafv2_errors);
    tcase_add_test(tc, test_wafv2_throttle_retried);
    tcase_add_test(tc, test_wafv2_parsers);
    suite_add_tcase(s, tc);
    int rc = lk_test_run(s);
    return rc;
}
