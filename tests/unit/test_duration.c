/*
 * Unit tests: durations, year arithmetic and CloudWatch Logs rounding at every boundary.
 */
#include "lk_test.h"

#include "compiler/duration.h"

static enum lk_duration_status s_parse(const char *s, int64_t *days)
{
    *days = -1;
    return lk_duration_parse(lk_str_c(s), days);
}

START_TEST(test_units)
{
    int64_t d;
    ck_assert_int_eq(s_parse("90d", &d), LK_DUR_OK);
    ck_assert_int_eq(d, 90);
    ck_assert_int_eq(s_parse("1d", &d), LK_DUR_OK);
    ck_assert_int_eq(d, 1);
    ck_assert_int_eq(s_parse("12w", &d), LK_DUR_OK);
    ck_assert_int_eq(d, 84);
    ck_assert_int_eq(s_parse("1y", &d), LK_DUR_OK);
    ck_assert_int_eq(d, 365);
    ck_assert_int_eq(s_parse("7y", &d), LK_DUR_OK);
    ck_assert_int_eq(d, 2557);
    ck_assert_int_eq(s_parse("forever", &d), LK_DUR_FOREVER);
}
END_TEST

START_TEST(test_errors)
{
    int64_t d;
    ck_assert_int_eq(s_parse("", &d), LK_DUR_EMPTY);
    ck_assert_int_eq(s_parse("90", &d), LK_DUR_NO_UNIT);
    ck_assert_int_eq(s_parse("3m", &d), LK_DUR_BAD_UNIT);
    ck_assert_int_eq(s_parse("90dd", &d), LK_DUR_BAD_UNIT);
    ck_assert_int_eq(s_parse("90 d", &d), LK_DUR_BAD_UNIT);
    ck_assert_int_eq(s_parse("-5d", &d), LK_DUR_NOT_NUMBER);
    ck_assert_int_eq(s_parse("d", &d), LK_DUR_NOT_NUMBER);
    ck_assert_int_eq(s_parse("Forever", &d), LK_DUR_NOT_NUMBER);
    ck_assert_int_eq(s_parse("0d", &d), LK_DUR_ZERO);
    ck_assert_int_eq(s_parse("0y", &d), LK_DUR_ZERO);
    /* 100 years is the bound; 101 years and absurd numbers are refused without overflow. */
    ck_assert_int_eq(s_parse("100y", &d), LK_DUR_OK);
    ck_assert_int_eq(d, 36525);
    ck_assert_int_eq(s_parse("36525d", &d), LK_DUR_OK);
    ck_assert_int_eq(s_parse("36526d", &d), LK_DUR_TOO_LONG);
    ck_assert_int_eq(s_parse("101y", &d), LK_DUR_TOO_LONG);
    ck_assert_int_eq(s_parse("99999999999999999999999999d", &d), LK_DUR_TOO_LONG);
}
END_TEST

/* CloudWatch Logs' year values (PutRetentionPolicy): 2y=731 ... 10y=3653. */
START_TEST(test_years_match_cloudwatch)
{
    static const int64_t aws[][2] = {{1, 365},  {2, 731},  {3, 1096}, {5, 1827}, {6, 2192},
                                     {7, 2557}, {8, 2922}, {9, 3288}, {10, 3653}};
    for (size_t i = 0; i < sizeof(aws) / sizeof(aws[0]); i++) {
        ck_assert_int_eq(lk_years_to_days(aws[i][0]), aws[i][1]);
        ck_assert(lk_cwl_allowed(aws[i][1]));
    }
    ck_assert_int_eq(lk_years_to_days(4), 1461);
}
END_TEST

/* n >= 2 years always cover n calendar years, whatever the start date. */
START_TEST(test_years_calendar_safe)
{
    for (int64_t n = 2; n <= 100; n++) {
        int64_t worst = 0;
        for (int start = 1900; start < 2300; start++) {
            int64_t days = 0;
            for (int y = start; y < start + n; y++) {
                bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
                days += leap ? 366 : 365;
            }
            if (days > worst)
                worst = days;
        }
        ck_assert_msg(lk_years_to_days(n) >= worst, "%lld years: %lld < %lld", (long long)n,
                      (long long)lk_years_to_days(n), (long long)worst);
    }
}
END_TEST

START_TEST(test_cwl_round_up_every_boundary)
{
    size_t n;
    const int *v = lk_cwl_values(&n);
    ck_assert_int_eq(n, 22);
    int prev = 0;
    for (size_t i = 0; i < n; i++) {
        int out = -1;
        ck_assert(lk_cwl_round_up(v[i], &out));
        ck_assert_int_eq(out, v[i]);
        ck_assert(lk_cwl_allowed(v[i]));
        if (v[i] - 1 > prev) {
            ck_assert(lk_cwl_round_up(v[i] - 1, &out));
            ck_assert_int_eq(out, v[i]); /* never rounds down */
            ck_assert(!lk_cwl_allowed(v[i] - 1));
        }
        if (i > 0) {
            ck_assert(lk_cwl_round_up(prev + 1, &out));
            ck_assert_int_eq(out, v[i]);
        }
        prev = v[i];
    }
    int out;
    ck_assert(!lk_cwl_round_up(3654, &out));
    ck_assert(lk_cwl_round_up(3653, &out));
    ck_assert_int_eq(out, 3653);
    ck_assert(lk_cwl_round_up(1096, &out));
    ck_assert_int_eq(out, 1096);
    ck_assert(lk_cwl_round_up(366, &out));
    ck_assert_int_eq(out, 400);
}
END_TEST

static bool s_suggest(const char *text, struct lk_duration_suggestion *sg)
{
    return lk_duration_suggest((struct lk_str){text, strlen(text)}, sg);
}

/* What a duration written in words or with months means: exact without months, months at
 * their longest, and the CloudWatch Logs value nearest to the average length. */
START_TEST(test_suggest)
{
    struct lk_duration_suggestion sg;
    ck_assert(s_suggest("90 days", &sg));
    ck_assert_int_eq(sg.days, 90);
    ck_assert_str_eq(sg.unit, "d");
    ck_assert(!sg.months);
    ck_assert(s_suggest("2 Weeks", &sg));
    ck_assert_str_eq(sg.unit, "w");
    ck_assert_int_eq(sg.count, 2);
    ck_assert_int_eq(sg.days, 14);
    ck_assert(s_suggest("7 years", &sg));
    ck_assert_str_eq(sg.unit, "y");
    ck_assert_int_eq(sg.days, 2557);
    ck_assert(s_suggest("1 year 30 days", &sg));
    ck_assert_str_eq(sg.unit, "d");
    ck_assert_int_eq(sg.days, 395);
    /* Three consecutive months are at most 92 days (July to September); CloudWatch Logs' value
     * nearest to three average months is 90. */
    ck_assert(s_suggest("3 months", &sg));
    ck_assert(sg.months);
    ck_assert_int_eq(sg.days, 92);
    ck_assert_int_eq(sg.cwl_nearest, 90);
    ck_assert(s_suggest("3m", &sg));
    ck_assert_int_eq(sg.days, 92);
    /* 1y6m: one year as logkeep counts it (365) and six months at their longest (184). */
    ck_assert(s_suggest("1y6m", &sg));
    ck_assert_int_eq(sg.days, 365 + 184);
    ck_assert_int_eq(sg.cwl_nearest, 545);
    ck_assert(s_suggest("1 year and 6 months", &sg));
    ck_assert_int_eq(sg.days, 549);
    ck_assert(s_suggest("18 months", &sg));
    ck_assert_int_eq(sg.days, 549);
    ck_assert(s_suggest("1 month", &sg));
    ck_assert_int_eq(sg.days, 31);
    ck_assert_int_eq(sg.cwl_nearest, 30);
    ck_assert(s_suggest("12 months", &sg));
    ck_assert_int_eq(sg.days, 365);
    ck_assert_int_eq(sg.cwl_nearest, 0); /* 365 is itself a CloudWatch Logs value */
    /* Nothing clear: no number, an unknown word, a unit twice, empty, past 100 years. */
    ck_assert(!s_suggest("ninety days", &sg));
    ck_assert(!s_suggest("90 dayz", &sg));
    ck_assert(!s_suggest("1y 2y", &sg));
    ck_assert(!s_suggest("", &sg));
    ck_assert(!s_suggest("   ", &sg));
    ck_assert(!s_suggest("0 days", &sg));
    ck_assert(!s_suggest("200 years", &sg));
    ck_assert(!s_suggest("99999999999999999999 days", &sg));
}
END_TEST

START_TEST(test_describe)
{
    struct lk_arena a;
    lk_arena_init(&a);
    ck_assert_str_eq(lk_days_describe(&a, 2557), "2557 days (7y)");
    ck_assert_str_eq(lk_days_describe(&a, 90), "90 days");
    ck_assert_str_eq(lk_days_describe(&a, 1), "1 day");
    lk_arena_destroy(&a);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("duration");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_units);
    tcase_add_test(tc, test_errors);
    tcase_add_test(tc, test_years_match_cloudwatch);
    tcase_add_test(tc, test_years_calendar_safe);
    tcase_add_test(tc, test_cwl_round_up_every_boundary);
    tcase_add_test(tc, test_describe);
    tcase_add_test(tc, test_suggest);
    suite_add_tcase(s, tc);
    return lk_test_run(s);
}
