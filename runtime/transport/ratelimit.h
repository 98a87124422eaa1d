/*
 * logkeep runtime: client-side rate limiting of the AWS SDKs' "adaptive" retry mode.
 *
 * AWS SDKs and Tools Reference Guide, "Retry behavior"
 * (https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html): retry_mode
 * (AWS_RETRY_MODE) "adaptive" "includes the functionality of standard mode as well as automatic
 * client-side rate limiting", and "can delay initial request" attempts; it assumes that the
 * clients sharing a rate limiter send to the resource that throttles them. Here one limiter
 * serves one (service, Region) of one account's read, shared by every worker of it.
 *
 * The limiter is the one of the SDKs' reference implementation (botocore retries/adaptive.py,
 * bucket.py, throttling.py): a token bucket that is not used until the first throttling answer;
 * its fill rate follows CUBIC (RFC 8312): on a throttle, the rate drops to beta = 0.7 times the
 * rate measured (or the bucket's, if lower) and that rate becomes W_max; on a success it grows
 * back as 0.4 (t - K)^3 + W_max, t the seconds since the last throttle and
 * K = cbrt(W_max (1 - beta) / 0.4); never above twice the measured send rate, never below
 * 0.5 requests a second. The measured rate is smoothed (0.8) over half-second buckets.
 *
 * Thread-safety: every function may be called from any thread; each limiter has its own lock.
 */
#ifndef LK_RATELIMIT_H
#define LK_RATELIMIT_H

#include <stdbool.h>
#include <stdint.h>

struct lk_rate_limiter;

/* The limiters of one read, by (service, Region). */
struct lk_rate_limits;

/** @return a new, empty set of limiters (never NULL; aborts when out of memory). */
struct lk_rate_limits *lk_rate_limits_new(void);

/** Frees @p limits and every limiter in it. NULL is allowed. */
void lk_rate_limits_free(struct lk_rate_limits *limits);

/**
 * @return the limiter of @p service in @p region (created at the first call), valid until
 *         lk_rate_limits_free().
 */
struct lk_rate_limiter *lk_rate_limits_get(struct lk_rate_limits *limits, const char *service,
                                           const char *region);

/**
 * Takes a token for one attempt at monotonic time @p now_ms.
 * @return how long the caller must wait before sending (0 while no throttle was seen).
 */
int64_t lk_rate_limiter_acquire(struct lk_rate_limiter *rl, int64_t now_ms);

/** Learns from one answer (received at @p now_ms): a throttling one, or any other. */
void lk_rate_limiter_update(struct lk_rate_limiter *rl, int64_t now_ms, bool throttled);

/** @return the send rate the bucket allows (requests a second), or 0 while it is not in use. */
double lk_rate_limiter_rate(struct lk_rate_limiter *rl);

/** @return the waits lk_rate_limiter_acquire() asked for, summed over every limiter (ms). */
int64_t lk_rate_limits_waited_ms(struct lk_rate_limits *limits);

#endif
