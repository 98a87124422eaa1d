/*
 * logkeep: durations and day arithmetic.
 */
#include "compiler/duration.h"

#include <string.h>

/* CloudWatch Logs retentionInDays, from the PutRetentionPolicy API reference:
 * "Possible values are: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096,
 * 1827, 2192, 2557, 2922, 3288, and 3653."
 * https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutRetentionPolicy.html
 * (1096 is missing from service models older than 2022; the API accepts it.) */
static const int s_cwl_values[] = {1,   3,   5,   7,   14,   30,   60,   90,   120,  150,  180,
                                   365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653};

const int *lk_cwl_values(size_t *n)
{
    *n = sizeof(s_cwl_values) / sizeof(s_cwl_values[0]);
    return s_cwl_values;
}

bool lk_cwl_allowed(int64_t days)
{
    for (size_t i = 0; i < sizeof(s_cwl_values) / sizeof(s_cwl_values[0]); i++)
        if (s_cwl_values[i] == days)
            return true;
    return false;
}

bool lk_cwl_round_up(int64_t days, int *out)
{
    for (size_t i = 0; i < sizeof(s_cwl_values) / sizeof(s_cwl_values[0]); i++) {
        if (s_cwl_values[i] >= days) {
            *out = s_cwl_values[i];
            return true;
        }
    }
    return false;
}

int64_t lk_years_to_days(int64_t years)
{
    if (years <= 0)
        return 0;
    if (years == 1)
        return 365;
    return 365 * years + (years + 3) / 4;
}

enum lk_duration_status lk_duration_parse(struct lk_str text, int64_t *out_days)
{
    if (text.len == 0)
        return LK_DUR_EMPTY;
    if (lk_str_eq_c(text, "forever"))
        return LK_DUR_FOREVER;
    size_t i = 0;
    int64_t n = 0;
    while (i < text.len && text.ptr[i] >= '0' && text.ptr[i] <= '9') {
        if (n > LK_DURATION_MAX_DAYS * 10)
            return LK_DUR_TOO_LONG; /* stop before overflow; far past any limit anyway */
        n = n * 10 + (text.ptr[i] - '0');
        i++;
    }
    if (i == 0)
        return LK_DUR_NOT_NUMBER;
    if (i == text.len)
        return LK_DUR_NO_UNIT;
    if (i + 1 != text.len)
        return LK_DUR_BAD_UNIT;
    int64_t days;
    switch (text.ptr[i]) {
    case 'd': days = n; break;
    case 'w': days = n * 7; break;
    case 'y': days = lk_years_to_days(n); break;
    default: return LK_DUR_BAD_UNIT;
    }
    if (n == 0)
        return LK_DUR_ZERO;
    if (days > LK_DURATION_MAX_DAYS)
        return LK_DUR_TOO_LONG;
    *out_days = days;
    return LK_DUR_OK;
}

const char *lk_days_describe(struct lk_arena *arena, int64_t days)
{
    for (int64_t y = 1; y <= 100; y++)
        if (lk_years_to_days(y) == days)
            return lk_arena_printf(arena, "%lld days (%lldy)", (long long)days, (long long)y);
    return lk_arena_printf(arena, "%lld day%s", (long long)days, days == 1 ? "" : "s");
}
