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

/* The most days @p months consecutive calendar months can have (@p months < 12): the longest
 * run of month lengths, February at 29. Consecutive months from July: 31, 31, 30, 31, 30, 31;
 * the longest runs start in July (or December for runs over January and July). */
static int64_t s_longest_months(int64_t months)
{
    static const int len[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int64_t best = 0;
    for (int start = 0; start < 12; start++) {
        int64_t sum = 0;
        for (int64_t k = 0; k < months; k++)
            sum += len[(start + k) % 12];
        if (sum > best)
            best = sum;
    }
    return best;
}

/* The unit a word names: 'd', 'w', 'm' (months) or 'y'; 0 for none. */
static char s_unit_word(struct lk_str w)
{
    static const struct {
        const char *word;
        char unit;
    } words[] = {{"d", 'd'},     {"day", 'd'},    {"days", 'd'},   {"w", 'w'},
                 {"wk", 'w'},    {"wks", 'w'},    {"week", 'w'},   {"weeks", 'w'},
                 {"m", 'm'},     {"mo", 'm'},     {"mos", 'm'},    {"mon", 'm'},
                 {"month", 'm'}, {"months", 'm'}, {"y", 'y'},      {"yr", 'y'},
                 {"yrs", 'y'},   {"year", 'y'},   {"years", 'y'}};
    for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
        size_t n = strlen(words[i].word);
        if (w.len != n)
            continue;
        size_t k = 0;
        while (k < n && (w.ptr[k] | 0x20) == words[i].word[k])
            k++;
        if (k == n)
            return words[i].unit;
    }
    return 0;
}

bool lk_duration_suggest(struct lk_str text, struct lk_duration_suggestion *out)
{
    int64_t part[4] = {0, 0, 0, 0}; /* days, weeks, months, years */
    const char units[] = "dwmy";
    bool seen[4] = {false, false, false, false};
    size_t i = 0, parts = 0;
    for (;;) {
        while (i < text.len && (text.ptr[i] == ' ' || text.ptr[i] == ',' || text.ptr[i] == '\t'))
            i++;
        if (i == text.len)
            break;
        /* "and" between parts: "1 year and 6 months". */
        if (parts && text.len - i > 4 && !memcmp(text.ptr + i, "and ", 4)) {
            i += 4;
            continue;
        }
        int64_t n = 0;
        size_t digits = 0;
        while (i < text.len && text.ptr[i] >= '0' && text.ptr[i] <= '9') {
            if (n > LK_DURATION_MAX_DAYS)
                return false;
            n = n * 10 + (text.ptr[i++] - '0');
            digits++;
        }
        if (!digits)
            return false;
        while (i < text.len && text.ptr[i] == ' ')
            i++;
        size_t w0 = i;
        while (i < text.len && ((text.ptr[i] | 0x20) >= 'a' && (text.ptr[i] | 0x20) <= 'z'))
            i++;
        char u = s_unit_word((struct lk_str){text.ptr + w0, i - w0});
        if (!u)
            return false;
        int k = (int)(strchr(units, u) - units);
        if (seen[k])
            return false;
        seen[k] = true;
        part[k] = n;
        parts++;
    }
    if (!parts)
        return false;
    int64_t years = part[3] + part[2] / 12, months = part[2] % 12;
    if (years > 100)
        return false;
    int64_t days = lk_years_to_days(years) + s_longest_months(months) + 7 * part[1] + part[0];
    if (days == 0 || days > LK_DURATION_MAX_DAYS)
        return false;
    memset(out, 0, sizeof(*out));
    out->days = days;
    out->unit = "d";
    out->count = days;
    out->months = seen[2];
    if (!seen[2] && !part[0] && !part[2] && !part[1] && years) {
        out->unit = "y";
        out->count = years;
    } else if (!seen[2] && !part[0] && !years && part[1]) {
        out->unit = "w";
        out->count = part[1];
    }
    if (seen[2]) {
        /* The average month: 365.2425 / 12 days (the Gregorian year). */
        double avg = (double)(part[3] * 12 + part[2]) * 365.2425 / 12.0 + 7.0 * (double)part[1] +
                     (double)part[0];
        size_t n_cwl;
        const int *cwl = lk_cwl_values(&n_cwl);
        int nearest = 0;
        double best = 0;
        for (size_t c = 0; c < n_cwl; c++) {
            double dist = (double)cwl[c] > avg ? (double)cwl[c] - avg : avg - (double)cwl[c];
            if (!nearest || dist < best) {
                nearest = cwl[c];
                best = dist;
            }
        }
        if (nearest && best <= avg * 0.05 && nearest != days)
            out->cwl_nearest = nearest;
    }
    return true;
}

const char *lk_days_describe(struct lk_arena *arena, int64_t days)
{
    for (int64_t y = 1; y <= 100; y++)
        if (lk_years_to_days(y) == days)
            return lk_arena_printf(arena, "%lld days (%lldy)", (long long)days, (long long)y);
    return lk_arena_printf(arena, "%lld day%s", (long long)days, days == 1 ? "" : "s");
}
