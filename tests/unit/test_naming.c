/*
 * Unit tests: AWS naming rules.
 */
#include "lk_test.h"

#include "compiler/check_int.h"

static bool s_bucket_ok(const char *b)
{
    return lk_bucket_name_problem(lk_str_c(b)) == NULL;
}

START_TEST(test_buckets)
{
    ck_assert(s_bucket_ok("acme-security-logs-111122223333"));
    ck_assert(s_bucket_ok("abc"));
    ck_assert(s_bucket_ok("a.b-c"));
    ck_assert(s_bucket_ok("aws-waf-logs-x"));
    ck_assert(!s_bucket_ok("ab"));
    ck_assert(!s_bucket_ok("Acme"));
    ck_assert(!s_bucket_ok("acme_logs"));
    ck_assert(!s_bucket_ok("-acme"));
    ck_assert(!s_bucket_ok("acme-"));
    ck_assert(!s_bucket_ok("a..b"));
    ck_assert(!s_bucket_ok("192.168.5.4"));
    ck_assert(!s_bucket_ok("xn--acme"));
    ck_assert(!s_bucket_ok("sthree-logs"));
    ck_assert(!s_bucket_ok("amzn-s3-demo-bucket"));
    ck_assert(!s_bucket_ok("logs-s3alias"));
    ck_assert(!s_bucket_ok("logs--ol-s3"));
    ck_assert(!s_bucket_ok("logs.mrap"));
    char long_name[65];
    memset(long_name, 'a', 64);
    long_name[64] = '\0';
    ck_assert(!s_bucket_ok(long_name));
    long_name[63] = '\0';
    ck_assert(s_bucket_ok(long_name));
}
END_TEST

START_TEST(test_log_groups_and_trails)
{
    ck_assert_ptr_null(lk_log_group_problem(lk_str_c("/aws/lambda/fn-1"), false));
    ck_assert_ptr_null(lk_log_group_problem(lk_str_c("app#1.x_y"), false));
    ck_assert_ptr_nonnull(lk_log_group_problem(lk_str_c("/app/*"), false));
    ck_assert_ptr_null(lk_log_group_problem(lk_str_c("/app/*"), true));
    ck_assert_ptr_nonnull(lk_log_group_problem(lk_str_c("/app/a b"), true));
    ck_assert_ptr_nonnull(lk_log_group_problem(lk_str_c(""), true));
    ck_assert_ptr_null(lk_trail_name_problem(lk_str_c("org-trail")));
    ck_assert_ptr_null(lk_trail_name_problem(lk_str_c("a.b_c-d")));
    ck_assert_ptr_nonnull(lk_trail_name_problem(lk_str_c("ab")));
    ck_assert_ptr_nonnull(lk_trail_name_problem(lk_str_c("my-_trail")));
    ck_assert_ptr_nonnull(lk_trail_name_problem(lk_str_c("my--trail")));
    ck_assert_ptr_nonnull(lk_trail_name_problem(lk_str_c("-trail")));
    ck_assert_ptr_nonnull(lk_trail_name_problem(lk_str_c("trail!")));
    /* "Not be in IP address format (for example, 192.168.5.4)" */
    ck_assert_ptr_nonnull(lk_trail_name_problem(lk_str_c("192.168.5.4")));
    ck_assert_ptr_nonnull(lk_trail_name_problem(lk_str_c("10.0.0.1")));
    ck_assert_ptr_null(lk_trail_name_problem(lk_str_c("10.0.0.1a")));
    ck_assert_ptr_null(lk_trail_name_problem(lk_str_c("10.0.0")));
    ck_assert_ptr_null(lk_trail_name_problem(lk_str_c("1.2.3.4.5")));
    ck_assert_ptr_null(lk_trail_name_problem(lk_str_c("1000.2.3.4")));
}
END_TEST

START_TEST(test_arns_accounts_regions)
{
    struct lk_arn a;
    ck_assert(lk_arn_split(lk_str_c("arn:aws:iam::111122223333:role/Admin"), &a));
    ck_assert(lk_str_eq_c(a.partition, "aws"));
    ck_assert(lk_str_eq_c(a.service, "iam"));
    ck_assert_uint_eq(a.region.len, 0);
    ck_assert(lk_str_eq_c(a.account, "111122223333"));
    ck_assert(lk_str_eq_c(a.resource, "role/Admin"));
    ck_assert(lk_arn_split(lk_str_c("arn:aws:kms:us-east-1:111122223333:key/a:b"), &a));
    ck_assert(lk_str_eq_c(a.resource, "key/a:b"));
    ck_assert(!lk_arn_split(lk_str_c("arn:aws:iam::111122223333"), &a));
    ck_assert(!lk_arn_split(lk_str_c("aws:iam::111122223333:role/x"), &a));
    ck_assert(lk_account_id_valid(lk_str_c("012345678901")));
    ck_assert(!lk_account_id_valid(lk_str_c("12345678901")));
    ck_assert(!lk_account_id_valid(lk_str_c("1234567890123")));
    ck_assert(!lk_account_id_valid(lk_str_c("12345678901a")));
    ck_assert_str_eq(lk_region_partition(lk_str_c("eu-west-2")), "aws");
    ck_assert_str_eq(lk_region_partition(lk_str_c("cn-north-1")), "aws-cn");
    ck_assert_str_eq(lk_region_partition(lk_str_c("us-gov-west-1")), "aws-us-gov");
    ck_assert_ptr_null(lk_region_partition(lk_str_c("us-east-9")));
}
END_TEST

START_TEST(test_policy_level)
{
    struct lk_policy *p = lk_test_policy(
        "logkeep: 1\naccount: \"11112222333\"\nregion: us-est-1\n"
        "roles:\n  r:\n    principals: [\"arn:aws-cn:iam::111122223333:role/x\", "
        "\"arn:aws:s3:::bucket\"]\n    access: admin\n");
    ck_assert_uint_eq(lk_test_count(p, "LK024"), 1);
    const struct lk_diag *d = lk_test_find(p, "LK025");
    ck_assert_ptr_nonnull(d);
    ck_assert_str_eq(d->help, "did you mean \"us-east-1\"?");
    ck_assert_uint_eq(lk_test_count(p, "LK023"), 1); /* s3 is not iam */
    lk_policy_free(p);
    p = lk_test_policy("logkeep: 1\naccount: 111122223333\nregion: us-east-1\n");
    d = lk_test_find(p, "LK024");
    ck_assert_ptr_nonnull(d);
    ck_assert_str_eq(d->message, "the account ID must be a quoted string");
    lk_policy_free(p);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("naming");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_buckets);
    tcase_add_test(tc, test_log_groups_and_trails);
    tcase_add_test(tc, test_arns_accounts_regions);
    tcase_add_test(tc, test_policy_level);
    suite_add_tcase(s, tc);
    return lk_test_run(s);
}
