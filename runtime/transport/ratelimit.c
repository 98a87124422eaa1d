/*
 * logkeep runtime: the adaptive retry mode's client-side rate limiter (ratelimit.h).
 */
#include "runtime/transport/ratelimit.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "common/arena.h"

/* botocore retries/throttling.py and adaptive.py: CUBIC's constants, the cap on the rate relative
 * to the measured one, and the measured rate's smoothing over half-second buckets. */
#define S_BETA 0.7
#define S_SCALE 0.4
#define S_MAX_RATE_ADJUST 2.0
#define S_SMOOTHING 0.8
#define S_BUCKET_S 0.5
/* bucket.py: the bucket never fills slower than this (requests a second). */
#define S_MIN_RATE 0.5

struct lk_rate_limiter {
    pthread_mutex_t mu;
    bool enabled; /* a throttle was seen: the bucket applies */
    /* The token bucket. */
    double fill_rate; /* tokens a second */
    double capacity;  /* at most max(fill_rate, 1) */
    double tokens;    /* may go negative: tokens reserved by waiting callers */
    double last_fill_s;
    bool filled_once;
    /* CUBIC. */
    double w_max;
    double k;
    double last_fail_s;
    /* The measured send rate. */
    double measured;
    double bucket_start_s;
    double bucket_count;
    double first_s;     /* the first answer recorded */
    double total_count; /* answers recorded */
    int64_t waited_ms;  /* the waits asked for */
};

struct s_entry {
    char *key; /* "service/region" */
    struct lk_rate_limiter *rl;
};

struct lk_rate_limits {
    pthread_mutex_t mu;
    struct s_entry *entries;
    size_t n, cap;
};

/* The cube root of @p x >= 0, by Newton's method (the library links no libm). */
static double s_cbrt(double x)
{
    if (x <= 0)
        return 0;
    double y = x > 1 ? x / 3 : 1;
    for (int i = 0; i < 100; i++) {
        double next = y - (y * y * y - x) / (3 * y * y);
        if (next == y)
            break;
        y = next;
    }
    return y;
}

static double s_zero_point(double w_max)
{
    return s_cbrt(w_max * (1.0 - S_BETA) / S_SCALE);
}

static struct lk_rate_limiter *s_limiter_new(void)
{
    struct lk_rate_limiter *rl = lk_xcalloc(1, sizeof(*rl));
    pthread_mutex_init(&rl->mu, NULL);
    /* adaptive.py: TokenBucket(max_rate=1); CubicCalculator(starting_max_rate=0.5). */
    rl->fill_rate = 1.0;
    rl->capacity = 1.0;
    rl->w_max = S_MIN_RATE;
    rl->k = s_zero_point(rl->w_max);
    return rl;
}

/* Adds the tokens earned since the last fill (lock held). */
static void s_refill(struct lk_rate_limiter *rl, double now_s)
{
    if (!rl->filled_once) {
        rl->filled_once = true;
        rl->last_fill_s = now_s;
        return;
    }
    double add = (now_s - rl->last_fill_s) * rl->fill_rate;
    if (add > 0) {
        rl->tokens += add;
        if (rl->tokens > rl->capacity)
            rl->tokens = rl->capacity;
    }
    rl->last_fill_s = now_s;
}

/* bucket.py max_rate setter (lock held). */
static void s_set_rate(struct lk_rate_limiter *rl, double rate, double now_s)
{
    if (rate < S_MIN_RATE)
        rate = S_MIN_RATE;
    s_refill(rl, now_s);
    rl->fill_rate = rate;
    rl->capacity = rate > 1.0 ? rate : 1.0;
    if (rl->tokens > rl->capacity)
        rl->tokens = rl->capacity;
}

/* adaptive.py RateClocker.record(): the smoothed send rate (lock held). Until the first
 * half-second has passed, the reference implementation's rate is 0, which makes a throttle in
 * the first half-second drop the rate to the minimum (0.5 requests a second) whatever the rate
 * was: here the rate is then the answers so far over the time since the first one. */
static double s_record(struct lk_rate_limiter *rl, double now_s)
{
    double bucket = (double)(int64_t)(now_s / S_BUCKET_S) * S_BUCKET_S; /* now_s >= 0 */
    rl->bucket_count += 1.0;
    rl->total_count += 1.0;
    if (rl->total_count == 1.0)
        rl->first_s = now_s;
    if (rl->bucket_start_s == 0) {
        rl->bucket_start_s = bucket;
    } else if (bucket > rl->bucket_start_s) {
        double current = rl->bucket_count / (bucket - rl->bucket_start_s);
        rl->measured = current * S_SMOOTHING + rl->measured * (1.0 - S_SMOOTHING);
        rl->bucket_count = 0;
        rl->bucket_start_s = bucket;
    }
    if (rl->measured == 0 && now_s > rl->first_s)
        return rl->total_count / (now_s - rl->first_s);
    return rl->measured;
}

int64_t lk_rate_limiter_acquire(struct lk_rate_limiter *rl, int64_t now_ms)
{
    double now_s = (double)now_ms / 1000.0;
    int64_t wait_ms = 0;
    pthread_mutex_lock(&rl->mu);
    if (rl->enabled) {
        s_refill(rl, now_s);
        /* One token per attempt; a caller that finds none reserves the next one and waits for
         * it, so that callers sharing the bucket are served in turn. */
        rl->tokens -= 1.0;
        if (rl->tokens < 0)
            wait_ms = (int64_t)(-rl->tokens / rl->fill_rate * 1000.0) + 1;
        rl->waited_ms += wait_ms;
    }
    pthread_mutex_unlock(&rl->mu);
    return wait_ms;
}

void lk_rate_limiter_update(struct lk_rate_limiter *rl, int64_t now_ms, bool throttled)
{
    double now_s = (double)now_ms / 1000.0;
    pthread_mutex_lock(&rl->mu);
    double measured = s_record(rl, now_s);
    double rate;
    if (throttled && measured <= 0 && !rl->enabled) {
        /* A throttle before any rate could be measured (the first answers, at one instant):
         * the reference implementation would take the rate to be 0 and send 0.5 requests a
         * second from then on. The retry's backoff covers this one; the bucket starts with the
         * next throttle, once a rate is known. */
        pthread_mutex_unlock(&rl->mu);
        return;
    }
    if (throttled) {
        double current = measured;
        if (rl->enabled && rl->fill_rate < current)
            current = rl->fill_rate;
        if (current <= 0)
            current = rl->fill_rate;
        rl->w_max = current;
        rl->k = s_zero_point(current);
        rl->last_fail_s = now_s;
        rate = current * S_BETA;
        rl->enabled = true;
    } else {
        double t = now_s - rl->last_fail_s - rl->k;
        rate = S_SCALE * t * t * t + rl->w_max;
    }
    if (measured > 0 && rate > S_MAX_RATE_ADJUST * measured)
        rate = S_MAX_RATE_ADJUST * measured;
    if (rl->enabled)
        s_set_rate(rl, rate, now_s);
    pthread_mutex_unlock(&rl->mu);
}

double lk_rate_limiter_rate(struct lk_rate_limiter *rl)
{
    pthread_mutex_lock(&rl->mu);
    double rate = rl->enabled ? rl->fill_rate : 0;
    pthread_mutex_unlock(&rl->mu);
    return rate;
}

int64_t lk_rate_limits_waited_ms(struct lk_rate_limits *limits)
{
    int64_t sum = 0;
    pthread_mutex_lock(&limits->mu);
    for (size_t i = 0; i < limits->n; i++) {
        struct lk_rate_limiter *rl = limits->entries[i].rl;
        pthread_mutex_lock(&rl->mu);
        sum += rl->waited_ms;
        pthread_mutex_unlock(&rl->mu);
    }
    pthread_mutex_unlock(&limits->mu);
    return sum;
}

struct lk_rate_limits *lk_rate_limits_new(void)
{
    struct lk_rate_limits *l = lk_xcalloc(1, sizeof(*l));
    pthread_mutex_init(&l->mu, NULL);
    return l;
}

void lk_rate_limits_free(struct lk_rate_limits *limits)
{
    if (limits == NULL)
        return;
    for (size_t i = 0; i < limits->n; i++) {
        pthread_mutex_destroy(&limits->entries[i].rl->mu);
        free(limits->entries[i].rl);
        free(limits->entries[i].key);
    }
    free(limits->entries);
    pthread_mutex_destroy(&limits->mu);
    free(limits);
}

struct lk_rate_limiter *lk_rate_limits_get(struct lk_rate_limits *limits, const char *service,
                                           const char *region)
{
    size_t n = strlen(service) + 1 + (region ? strlen(region) : 0) + 1;
    char *key = lk_xmalloc(n);
    strcpy(key, service);
    strcat(key, "/");
    if (region)
        strcat(key, region);
    struct lk_rate_limiter *rl = NULL;
    pthread_mutex_lock(&limits->mu);
    for (size_t i = 0; i < limits->n && rl == NULL; i++)
        if (strcmp(limits->entries[i].key, key) == 0)
            rl = limits->entries[i].rl;
    if (rl == NULL) {
        if (limits->n == limits->cap) {
            limits->cap = limits->cap ? limits->cap * 2 : 4;
            limits->entries = lk_xrealloc(limits->entries, limits->cap * sizeof(*limits->entries));
        }
        rl = s_limiter_new();
        limits->entries[limits->n].key = key;
        limits->entries[limits->n++].rl = rl;
        key = NULL;
    }
    pthread_mutex_unlock(&limits->mu);
    free(key);
    return rl;
}
