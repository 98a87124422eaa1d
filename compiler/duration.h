/*
 * logkeep: durations and day arithmetic.
 */
#ifndef LK_DURATION_H
#define LK_DURATION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/result.h"
#include "common/arena.h"

/* Longest finite duration accepted: 100 years. Longer is "forever" in all but name. */
#define LK_DURATION_MAX_DAYS 36525

/* CloudWatch Logs' largest retention, in days (10 years). */
#define LK_CWL_MAX_RETENTION_DAYS 3653

enum lk_duration_status {
    LK_DUR_OK,
    LK_DUR_FOREVER,
    LK_DUR_EMPTY,
    LK_DUR_NO_UNIT,      /* "90": a number without a unit */
    LK_DUR_BAD_UNIT,     /* "90x", "3m" */
    LK_DUR_NOT_NUMBER,   /* "ninety days" */
    LK_DUR_ZERO,         /* "0d" */
    LK_DUR_TOO_LONG,     /* past LK_DURATION_MAX_DAYS */
};

/* What a duration written in words or with months most likely means, in days (for a "help"
 * line): lk_duration_suggest(). */
struct lk_duration_suggestion {
    int64_t days;      /* the suggested day count: exact without months; with months, months at
                        * their longest (3 months: 92 days), so that logs are never kept less */
    const char *unit;  /* "d", or "w"/"y" when the text was whole weeks or years only */
    int64_t count;     /* days, weeks or years, in that unit */
    bool months;       /* the text had months */
    int cwl_nearest;   /* with months: the CloudWatch Logs retention value nearest to the
                        * average length (0 when none is within 5%, or it equals days) */
};

/**
 * Reads a duration that lk_duration_parse() refuses but whose meaning is clear: a number and a
 * unit word apart or spelled out ("90 days", "2 weeks", "1 year"), months ("3 months", "6m",
 * "18mo"), or several parts ("1y6m", "1 year 6 months", "2y 30d").
 * @return true and @p out when @p text is such a duration; false for anything else.
 */
bool lk_duration_suggest(struct lk_str text, struct lk_duration_suggestion *out);

/**
 * Parses "<n>d", "<n>w", "<n>y" or "forever".
 * @param out_days the duration in days when LK_DUR_OK.
 * @return the outcome; see enum lk_duration_status.
 */
LK_MUST_CHECK enum lk_duration_status lk_duration_parse(struct lk_str text, int64_t *out_days);

/**
 * Days in @p years years as AWS counts them, so that n years always cover n calendar years
 * except for 1y = 365 (CloudWatch Logs' allowed values: 731, 1096, 1827, 2192, 2557, 2922, 3288,
 * 3653 for 2, 3, 5, 6, 7, 8, 9, 10 years). Any span of n consecutive years holds at most
 * ceil(n / 4) leap days; AWS counts exactly that for every n >= 2.
 * @return the day count.
 */
int64_t lk_years_to_days(int64_t years);

/**
 * Rounds @p days up to the nearest value CloudWatch Logs' PutRetentionPolicy accepts.
 * @param out the allowed value (>= days).
 * @return false when @p days exceeds the largest allowed value (3653).
 */
bool lk_cwl_round_up(int64_t days, int *out);

/** @return true when @p days is one of CloudWatch Logs' allowed retention values. */
bool lk_cwl_allowed(int64_t days);

/** @return the allowed CloudWatch Logs retention values, ascending. */
const int *lk_cwl_values(size_t *n);

/** Formats @p days readably: "2557 days (7y)", "90 days", "1 day". Returns an arena string. */
const char *lk_days_describe(struct lk_arena *arena, int64_t days);

#endif
