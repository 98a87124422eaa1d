/*
 * Integration tests: the Route 53 Resolver query-logging client (runtime/services/resolver.c)
 * over real HTTP against the local AWS endpoint (tests/aws-endpoint), which verifies every SigV4
 * signature and answers with botocore's route53resolver shapes. Run by tests/services/run.
 */
#include "../unit/lk_test.h"

#include <check.h>

#include "runtime/services/resolver.h"
#include "runtime/services/restjson.h"
#include "svc_sources_live.h"

#define REGION "eu-north-1"
#define BUCKET_ARN "arn:aws:s3:::acme-dns-logs"

static struct lk_aws_client g_client;

static void s_setup(void)
{
    lk_svc_client_from_env(&g_client);
}

static void s_teardown(void)
{
    lk_aws_client_free(&g_client);
}

/* Seeds VPCs, creates a configuration, associates three VPCs, and lists across pages. */
START_TEST(test_resolver_round_trip)
{
    struct lk_aws_error err = {0};
    struct lk_resolver_listing l;
    struct lk_resolver_config cfg, again;
    struct lk_resolver_association assoc;
    cJSON_Delete(lk_src_seed(&g_client, "{\"region\": \"" REGION "\", \"vpcs\": "
                                        "{\"prefix\": \"vpc-r\", \"count\": 5}}"));
    lk_resolver_listing_init(&l);
    OK(lk_resolver_create_config(&g_client, REGION, "all-vpcs", BUCKET_ARN, "lk-req-1", &l, &cfg,
                                 &err),
       err);
    ck_assert_str_eq(cfg.destination_arn, BUCKET_ARN);
    ck_assert_str_eq(cfg.name, "all-vpcs");
    ck_assert_ptr_nonnull(cfg.arn);
    /* The same CreatorRequestId answers the same configuration (a retried create). */
    OK(lk_resolver_create_config(&g_client, REGION, "all-vpcs", BUCKET_ARN, "lk-req-1", &l, &again,
                                 &err),
       err);
    ck_assert_str_eq(again.id, cfg.id);
    const char *vpcs[] = {"vpc-r0001", "vpc-r0002", "vpc-r0003"};
    for (int i = 0; i < 3; i++) {
        OK(lk_resolver_associate(&g_client, REGION, cfg.id, vpcs[i], &l, &assoc, &err), err);
        ck_assert_str_eq(assoc.resource_id, vpcs[i]);
        ck_assert_str_eq(assoc.config_id, cfg.id);
    }
    /* The configuration's strings live in the listing's arena, freed below. */
    char *id = lk_xstrdup(cfg.id);
    lk_resolver_listing_free(&l);

    /* Pages of 2: 1 page of configurations, 2 of associations. */
    lk_resolver_listing_init(&l);
    OK(lk_resolver_list(&g_client, REGION, 2, &l, &err), err);
    ck_assert_uint_eq(l.n_configs, 1);
    ck_assert_uint_eq(l.n_associations, 3);
    ck_assert_uint_eq(l.requests, 3);
    ck_assert_str_eq(l.configs[0].id, id);
    ck_assert_int_eq(l.configs[0].association_count, 3);
    ck_assert_str_eq(l.configs[0].status, "CREATED");
    for (size_t i = 0; i < l.n_associations; i++) {
        ck_assert_str_eq(l.associations[i].config_id, id);
        ck_assert_str_eq(l.associations[i].resource_id, vpcs[i]);
        ck_assert_str_eq(l.associations[i].status, "ACTIVE");
    }
    lk_resolver_listing_free(&l);
    free(id);
}
END_TEST

/* AWS errors keep their code: an unknown configuration, a VPC associated twice. */
START_TEST(test_resolver_errors)
{
    struct lk_aws_error err = {0};
    struct lk_resolver_listing l;
    struct lk_resolver_config cfg;
    cJSON_Delete(lk_src_seed(&g_client, "{\"region\": \"" REGION "\", \"vpcs\": [\"vpc-err1\"]}"));
    lk_resolver_listing_init(&l);
    LK_SRC_FAILS_WITH(
        lk_resolver_associate(&g_client, REGION, "rqlc-0000", "vpc-err1", &l, NULL, &err), err,
        "ResourceNotFoundException");
    OK(lk_resolver_create_config(&g_client, REGION, "twice", BUCKET_ARN, "lk-req-2", &l, &cfg,
                                 &err),
       err);
    OK(lk_resolver_associate(&g_client, REGION, cfg.id, "vpc-err1", &l, NULL, &err), err);
    LK_SRC_FAILS_WITH(lk_resolver_associate(&g_client, REGION, cfg.id, "vpc-err1", &l, NULL, &err),
                      err, "InvalidRequestException");
    LK_SRC_FAILS_WITH(lk_resolver_create_config(&g_client, REGION, "bad", "not-an-arn", "lk-req-3",
                                                &l, NULL, &err),
                      err, "InvalidParameterException");
    lk_resolver_listing_free(&l);
}
END_TEST

/* A throttled page is retried by the client, and the listing completes. */
START_TEST(test_resolver_throttle_retried)
{
    struct lk_aws_error err = {0};
    struct lk_resolver_listing l;
    int before = lk_src_logged(&g_client, "route53resolver",
                               "ListResolverQueryLogConfigAssociations", 400, "throttle");
    lk_src_throttle_once(&g_client, "route53resolver", "ListResolverQueryLogConfigAssociations");
    lk_resolver_listing_init(&l);
    OK(lk_resolver_list(&g_client, REGION, 0, &l, &err), err);
    ck_assert_uint_ge(l.n_associations, 3);
    lk_resolver_listing_free(&l);
    ck_assert_int_eq(lk_src_logged(&g_client, "route53resolver",
                                   "ListResolverQueryLogConfigAssociations", 400, "throttle"),
                     before + 1);
}
END_TEST

/* Parsing as the SDKs do: unknown members ignored, types strict, sizes capped. */
START_TEST(test_resolver_parsers)
{
    struct lk_resolver_listing l;
    struct lk_error why = {0};
    char *next = NULL;
    lk_resolver_listing_init(&l);
    const char ok[] = "{\"ResolverQueryLogConfigs\":[{\"Id\":\"rqlc-1\",\"NewMember\":{\"x\":1},"
                      "\"AssociationCount\":2}],\"NextToken\":\"t\",\"Other\":[1]}";
    ck_assert_int_eq(lk_resolver_parse_configs(&l, ok, strlen(ok), &next, &why), LK_STATUS_OK);
    ck_assert_uint_eq(l.n_configs, 1);
    ck_assert_str_eq(l.configs[0].id, "rqlc-1");
    ck_assert_int_eq(l.configs[0].association_count, 2);
    ck_assert_str_eq(next, "t");
    const char bad_type[] = "{\"ResolverQueryLogConfigs\":[{\"Id\":7}]}";
    ck_assert_int_eq(lk_resolver_parse_configs(&l, bad_type, strlen(bad_type), &next, &why),
                     LK_STATUS_SCHEMA);
    const char bad_count[] =
        "{\"ResolverQueryLogConfigs\":[{\"Id\":\"a\",\"AssociationCount\":1.5}]}";
    ck_assert_int_eq(lk_resolver_parse_configs(&l, bad_count, strlen(bad_count), &next, &why),
                     LK_STATUS_SCHEMA);
    const char no_vpc[] = "{\"ResolverQueryLogConfigAssociations\":[{\"Id\":\"a\"}]}";
    ck_assert_int_eq(lk_resolver_parse_associations(&l, no_vpc, strlen(no_vpc), &next, &why),
                     LK_STATUS_SCHEMA);
    ck_assert_int_eq(lk_resolver_parse_configs(&l, "[1]", 3, &next, &why), LK_STATUS_SCHEMA);
    ck_assert_int_eq(lk_resolver_parse_configs(&l, "{", 1, &next, &why), LK_STATUS_MALFORMED);
    /* A string over its cap is refused, not truncated. */
    size_t n = LK_RESTJSON_MAX_STRING + 64;
    char *big = malloc(n + 64);
    int at = snprintf(big, n + 64, "{\"NextToken\":\"");
    memset(big + at, 'a', n);
    strcpy(big + at + n, "\"}");
    ck_assert_int_eq(lk_resolver_parse_configs(&l, big, strlen(big), &next, &why),
                     LK_STATUS_TOO_LARGE);
    free(big);
    lk_resolver_listing_free(&l);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("resolver_live");
    TCase *tc = tcase_create("endpoint");
    tcase_add_checked_fixture(tc, s_setup, s_teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_resolver_round_trip);
    tcase_add_test(tc, test_resolver_errors);
    tcase_add_test(tc, test_resolver_throttle_retried);
    tcase_add_test(tc, test_resolver_parsers);
    suite_add_tcase(s, tc);
    int rc = lk_test_run(s);
    return rc;
}
