/*
 * logkeep runtime: the live-state reader (live.h): plan the work items, read them on a pool of
 * worker threads with one AWS client each, then merge the results into the live IR.
 */
#include "runtime/live.h"

#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "common/array.h"
#include "common/pattern_index.h"
#include "runtime/coverage.h"
#include "runtime/services/cloudtrail.h"
#include "runtime/transport/credentials.h"
#include "runtime/transport/ratelimit.h"
#include "runtime/services/policy_json.h"
#include "runtime/services/kms.h"
#include "runtime/services/logs.h"
#include "runtime/services/s3.h"
#include "runtime/services/sts.h"

/* Requests an existing bucket needs at least: HeadBucket, then GetBucketLifecycleConfiguration,
 * GetBucketPolicy, GetBucketVersioning, GetObjectLockConfiguration, GetPublicAccessBlock and
 * GetBucketEncryption (one Get per configuration; S3 has no call that returns several). */
#define S_BUCKET_MIN_REQUESTS 7
/* GetTrail, GetTrailStatus (IsLogging), GetEventSelectors. */
#define S_TRAIL_MIN_REQUESTS 3

/* ---------------------------------------------------------------------------------------------
 * Small helpers
 * ------------------------------------------------------------------------------------------- */

static int64_t s_mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static char *s_vprintf_heap(const char *fmt, va_list ap)
{
    va_list cp;
    va_copy(cp, ap);
    int n = vsnprintf(NULL, 0, fmt, cp);
    va_end(cp);
    if (n < 0)
        return lk_xstrdup("");
    char *s = lk_xmalloc((size_t)n + 1);
    vsnprintf(s, (size_t)n + 1, fmt, ap);
    return s;
}

static char *s_printf_heap(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *s_printf_heap(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = s_vprintf_heap(fmt, ap);
    va_end(ap);
    return s;
}

/* Fills @p err with a logkeep-side error (no HTTP exchange). */
static void s_set_error(struct lk_aws_error *err, const char *operation, const char *code,
                        const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void s_set_error(struct lk_aws_error *err, const char *operation, const char *code,
                        const char *fmt, ...)
{
    lk_aws_error_clear(err);
    err->operation = operation ? lk_xstrdup(operation) : NULL;
    err->code = lk_xstrdup(code);
    va_list ap;
    va_start(ap, fmt);
    err->message = s_vprintf_heap(fmt, ap);
    va_end(ap);
}

static bool s_streq(const char *a, const char *b)
{
    if (a == NULL || b == NULL)
        return a == b;
    return strcmp(a, b) == 0;
}

const char *lk_live_kind_name(enum lk_live_kind kind)
{
    switch (kind) {
    case LK_LIVE_ACCOUNT:
        return "account";
    case LK_LIVE_BUCKET:
        return "bucket";
    case LK_LIVE_TRAIL:
        return "trail";
    case LK_LIVE_LOG_GROUPS:
        return "log groups";
    case LK_LIVE_TRAILS:
        return "trail listing";
    case LK_LIVE_STORE:
        return "unmanaged store";
    case LK_LIVE_KEY:
        return "key policy";
    case LK_LIVE_KIND_COUNT:
        break;
    }
    return "?";
}

/* ---------------------------------------------------------------------------------------------
 * Deep copies of IR values from a worker's scratch state into the live state
 *
 * Every pointer field of the IR types is copied; a field added to ir/ir.h that points
 * into the arena needs a line here.
 * ------------------------------------------------------------------------------------------- */

static void *s_alloc(struct lk_ir_state *st, size_t n, size_t size)
{
    return n ? lk_arena_alloc(&st->arena, n * size) : NULL;
}

static void s_copy_list(struct lk_ir_state *st, struct lk_ir_string_list *dst,
                        const struct lk_ir_string_list *src)
{
    dst->items = NULL;
    dst->n = 0;
    if (src->n == 0)
        return;
    /* lk_ir_list_add() takes the capacity to be the next power of two at or above n: allocate
     * that much, so the copy can still grow. */
    size_t cap = 1;
    while (cap < src->n)
        cap *= 2;
    dst->items = s_alloc(st, cap, sizeof(*dst->items));
    for (size_t i = 0; i < src->n; i++)
        dst->items[i] = lk_ir_strdup(st, src->items[i]);
    dst->n = src->n;
}

/* Copies the rules of @p s into @p d (the rest of @p d already a copy of @p s). */
static void s_copy_lifecycle(struct lk_ir_state *st, struct lk_ir_lifecycle *d,
                             const struct lk_ir_lifecycle *s)
{
    d->rules = s_alloc(st, s->n_rules, sizeof(*d->rules));
    for (size_t i = 0; i < s->n_rules; i++) {
        struct lk_ir_lifecycle_rule *dr = &d->rules[i];
        const struct lk_ir_lifecycle_rule *sr = &s->rules[i];
        *dr = *sr;
        dr->id = lk_ir_strdup(st, sr->id);
        dr->prefix = lk_ir_strdup(st, sr->prefix);
        dr->transitions = s_alloc(st, sr->n_transitions, sizeof(*dr->transitions));
        if (sr->n_transitions)
            memcpy(dr->transitions, sr->transitions, sr->n_transitions * sizeof(*dr->transitions));
        s_copy_list(st, &dr->sources, &sr->sources);
    }
}

/* A policy document (bucket or key policy) into @p st. */
static void s_copy_policy(struct lk_ir_state *st, struct lk_ir_bucket_policy *d,
                          const struct lk_ir_bucket_policy *s)
{
    *d = *s;
    d->version = lk_ir_strdup(st, s->version);
    d->statements = s_alloc(st, s->n_statements, sizeof(*d->statements));
    for (size_t i = 0; i < s->n_statements; i++) {
        struct lk_ir_statement *ds = &d->statements[i];
        const struct lk_ir_statement *ss = &s->statements[i];
        *ds = *ss;
        ds->sid = lk_ir_strdup(st, ss->sid);
        s_copy_list(st, &ds->principals, &ss->principals);
        s_copy_list(st, &ds->actions, &ss->actions);
        s_copy_list(st, &ds->resources, &ss->resources);
        ds->conditions = s_alloc(st, ss->n_conditions, sizeof(*ds->conditions));
        for (size_t k = 0; k < ss->n_conditions; k++) {
            ds->conditions[k].op = lk_ir_strdup(st, ss->conditions[k].op);
            ds->conditions[k].key = lk_ir_strdup(st, ss->conditions[k].key);
            s_copy_list(st, &ds->conditions[k].values, &ss->conditions[k].values);
        }
    }
}

static void s_copy_bucket(struct lk_ir_state *st, struct lk_ir_bucket *d,
                          const struct lk_ir_bucket *s)
{
    *d = *s;
    d->name = lk_ir_strdup(st, s->name);
    d->region = lk_ir_strdup(st, s->region);
    d->store = lk_ir_strdup(st, s->store);
    s_copy_lifecycle(st, &d->lifecycle, &s->lifecycle);

    s_copy_policy(st, &d->policy, &s->policy);
    d->encryption.algorithm = lk_ir_strdup(st, s->encryption.algorithm);
    d->encryption.kms_key_id = lk_ir_strdup(st, s->encryption.kms_key_id);
    s_copy_list(st, &d->unmodelled_filter_rule_ids, &s->unmodelled_filter_rule_ids);
}

static void s_copy_trail(struct lk_ir_state *st, struct lk_ir_trail *d, const struct lk_ir_trail *s)
{
    *d = *s;
    d->name = lk_ir_strdup(st, s->name);
    d->home_region = lk_ir_strdup(st, s->home_region);
    d->source = lk_ir_strdup(st, s->source);
    d->s3_bucket_name = lk_ir_strdup(st, s->s3_bucket_name);
    d->s3_key_prefix = lk_ir_strdup(st, s->s3_key_prefix);
    d->cloud_watch_logs_log_group_arn = lk_ir_strdup(st, s->cloud_watch_logs_log_group_arn);
    d->cloud_watch_logs_role_arn = lk_ir_strdup(st, s->cloud_watch_logs_role_arn);
    d->kms_key_id = lk_ir_strdup(st, s->kms_key_id);
    d->event_selectors = s_alloc(st, s->n_event_selectors, sizeof(*d->event_selectors));
    for (size_t i = 0; i < s->n_event_selectors; i++) {
        struct lk_ir_event_selector *de = &d->event_selectors[i];
        const struct lk_ir_event_selector *se = &s->event_selectors[i];
        *de = *se;
        de->read_write_type = lk_ir_strdup(st, se->read_write_type);
        de->data_resources = s_alloc(st, se->n_data_resources, sizeof(*de->data_resources));
        for (size_t k = 0; k < se->n_data_resources; k++) {
            de->data_resources[k].type = lk_ir_strdup(st, se->data_resources[k].type);
            s_copy_list(st, &de->data_resources[k].values, &se->data_resources[k].values);
        }
        s_copy_list(st, &de->exclude_management_event_sources,
                    &se->exclude_management_event_sources);
    }
}

static void s_copy_log_group(struct lk_ir_state *st, struct lk_ir_log_group *d,
                             const struct lk_ir_log_group *s)
{
    *d = *s;
    d->name = lk_ir_strdup(st, s->name);
    d->region = lk_ir_strdup(st, s->region);
    d->kms_key_id = lk_ir_strdup(st, s->kms_key_id);
    d->source = lk_ir_strdup(st, s->source);
}

static void s_copy_key(struct lk_ir_state *st, struct lk_ir_key *d, const struct lk_ir_key *s)
{
    *d = *s;
    d->arn = lk_ir_strdup(st, s->arn);
    d->region = lk_ir_strdup(st, s->region);
    d->error = lk_ir_strdup(st, s->error);
    s_copy_policy(st, &d->policy, &s->policy);
    s_copy_list(st, &d->users, &s->users);
}

static void s_copy_store(struct lk_ir_state *st, struct lk_ir_unmanaged_store *d,
                         const struct lk_ir_unmanaged_store *s)
{
    *d = *s;
    d->bucket = lk_ir_strdup(st, s->bucket);
    d->region = lk_ir_strdup(st, s->region);
    d->error = lk_ir_strdup(st, s->error);
    s_copy_lifecycle(st, &d->lifecycle, &s->lifecycle);
    d->deliveries = NULL;
    d->n_deliveries = 0; /* added by the merge, from the trail listings */
}

/* ---------------------------------------------------------------------------------------------
 * Work items, workers and the transport tap
 * ------------------------------------------------------------------------------------------- */

struct s_item {
    enum lk_live_kind kind;
    const char *name;     /* bucket or trail (borrowed from the desired state, or owned_name) */
    const char *region;   /* trail home region or listing region (borrowed), or NULL */
    char *prefix;         /* owned (heap): listing prefix, NULL = the whole region */
    bool first_page_only; /* a listing made only for exact names */
    /* Partitioned listings (see s_split): every name this listing still has to return starts
     * with @c covers and sorts before @c stop_before; the names from @c stop_before on are
     * other listings' (its partitions). @c root is the planned listing a partition was split
     * from (NULL for a planned one). Only the reading worker touches covers and stop_before. */
    char *covers;        /* owned (heap), NULL = the prefix */
    char *stop_before;   /* owned (heap), or NULL */
    struct s_item *root; /* borrowed */
    size_t pages;        /* pages read */
    size_t tree_groups;  /* a planned listing: groups it and its partitions returned */
    char *owned_name;    /* owned (heap): an unmanaged store's bucket */
    bool heap;           /* the item itself was allocated alone (an unmanaged store) */

    /* Results, written only by the worker reading the item, read after every worker stopped. */
    struct lk_ir_state *st;         /* owned: scratch for the strings of the results */
    struct lk_ir_bucket bucket;     /* in st */
    struct lk_ir_trail trail;       /* in st */
    struct lk_ir_log_group *groups; /* owned (heap) array; strings in st */
    size_t n_groups, cap_groups;
    struct lk_ir_trail *listed; /* a trail listing's trails, in st */
    size_t n_listed;
    struct lk_ir_unmanaged_store store; /* in st */
    struct lk_ir_key key;               /* in st */
    bool key_required;                  /* a key: lk_live_options.keys_required */
    size_t store_minimum;               /* requests an unmanaged store needed */
    size_t location_calls;              /* GetBucketLocation requests made for the bucket */
    int rc;
    struct lk_aws_error err; /* owned */
};

/* A name prefix the desired state names log groups under (s_reader.hints). */
struct s_hint {
    const char *region; /* borrowed; "" when none */
    const char *prefix; /* borrowed: its first len bytes */
    size_t len;
};

struct s_reader;

struct s_worker {
    struct s_reader *r;
    struct lk_aws_client *client; /* the caller's (worker 0) or &own */
    struct lk_aws_client own;     /* owned when has_own */
    bool has_own;
    struct lk_http_vtable inner;         /* the client's own transport while the tap is in place */
    struct lk_rate_limits *saved_limits; /* the client's own while the tap is in place */
    bool tapped;
    pthread_t thread;
    bool started;
    /* Only the worker's thread touches these while it runs. */
    enum lk_live_kind kind; /* of the item being read */
    struct s_item *item;
    size_t requests[LK_LIVE_KIND_COUNT];
    size_t throttled[LK_LIVE_KIND_COUNT];
    size_t failed[LK_LIVE_KIND_COUNT];
};

struct s_reader {
    pthread_mutex_t mu;
    pthread_cond_t work_cv; /* an item finished, or the read stops */
    pthread_cond_t main_cv; /* progress, or a worker exited */
    const struct lk_ir_state *desired;
    struct s_item **queue; /* owned (heap) array of the items, in the order handed out */
    size_t n_items;
    size_t cap_items;
    size_t producers;         /* items not finished that may queue more: trail listings (the buckets
                                 they name) and paginated log group listings (partitions) */
    size_t next;              /* next item to hand out */
    size_t active;            /* items in flight */
    size_t done;              /* items finished */
    int limit;                /* bound on items in flight; halved on throttling */
    size_t partitions;        /* listings added by splitting (s_split) */
    size_t partitions_end;    /* the queue's index after the last partition queued */
    size_t hinted_end;        /* the queue's index after the last hinted partition queued */
    size_t partitions_hinted; /* partitions where the desired state names log groups */
    /* The prefixes the desired state names log groups under (its patterns' literal prefixes),
     * by region: where a region's names are known to branch (s_split). Sorted by
     * region, then name; owned (heap) array of borrowed strings. */
    struct s_hint *hints;
    size_t n_hints;
    size_t pages_per_hint; /* the most pages a listing read per hint it passed (s_split) */
    /* For lk_live_options.progress, updated by the workers without the lock. */
    atomic_size_t n_requests, n_throttled, n_pages;
    size_t split_pages;  /* pages read by the paginated log group listings (s_split) */
    size_t split_budget; /* at most this many partitions (s_split) */
    unsigned reductions;
    int64_t last_reduction_ms;     /* monotonic time of the last halving */
    bool stop;                     /* a hard error: hand out nothing more */
    struct lk_rate_limits *limits; /* owned: the adaptive mode's limiters, or NULL */
    struct s_item *failed;         /* the first item that failed */
    int running;                   /* worker threads not yet finished */
};

static enum lk_aws_service s_service_of(enum lk_live_kind kind)
{
    switch (kind) {
    case LK_LIVE_BUCKET:
    case LK_LIVE_STORE:
        return LK_AWS_S3;
    case LK_LIVE_TRAIL:
    case LK_LIVE_TRAILS:
        return LK_AWS_CLOUDTRAIL;
    case LK_LIVE_LOG_GROUPS:
        return LK_AWS_LOGS;
    case LK_LIVE_KEY:
        return LK_AWS_KMS;
    case LK_LIVE_ACCOUNT:
    case LK_LIVE_KIND_COUNT:
        break;
    }
    return LK_AWS_STS;
}

/* @return true when an answer tells the client to slow down. */
static bool s_is_throttle(enum lk_aws_service svc, const struct lk_http_request *req,
                          const struct lk_http_response *resp)
{
    /* S3 answers "503 Slow Down" when the request rate is too high (S3 API Reference, Error
     * responses: SlowDown); a HEAD carries no body to name the code, so the status decides. */
    if (svc == LK_AWS_S3 && resp->status == 503)
        return true;
    /* The other services throttle with 400 (ThrottlingException, Throttling) or 429. */
    if (resp->status != 400 && resp->status != 429 && resp->status != 503)
        return false;
    struct lk_aws_error e;
    memset(&e, 0, sizeof(e));
    lk_aws_parse_error(svc, req->method, false, resp, &e);
    bool throttle = lk_aws_error_is_throttling(&e);
    lk_aws_error_clear(&e);
    return throttle;
}

/* Halves the bound on items in flight, once per burst: a throttle on a request sent before the
 * last halving is part of the burst that caused it. */
static void s_on_throttle(struct s_reader *r, int64_t request_start_ms)
{
    pthread_mutex_lock(&r->mu);
    if (request_start_ms >= r->last_reduction_ms) {
        if (r->limit > 1) {
            r->limit /= 2;
            r->reductions++;
        }
        r->last_reduction_ms = s_mono_ms();
    }
    pthread_mutex_unlock(&r->mu);
}

/* @return true for a GetBucketLocation request ("GET /bucket?location"). */
static bool s_is_location_request(const struct lk_http_request *req)
{
    const char *q = strchr(req->url, '?');
    return q != NULL && strcmp(req->method, "GET") == 0 && strncmp(q + 1, "location", 8) == 0 &&
           (q[9] == '\0' || q[9] == '=' || q[9] == '&');
}

static enum lk_status s_tap_perform(void *impl, const struct lk_http_request *req,
                                    struct lk_http_response *resp)
{
    struct s_worker *w = impl;
    enum lk_live_kind kind = w->kind;
    int64_t start_ms = s_mono_ms();
    enum lk_status rc = w->inner.perform(w->inner.impl, req, resp);
    w->requests[kind]++;
    atomic_fetch_add_explicit(&w->r->n_requests, 1, memory_order_relaxed);
    if (kind == LK_LIVE_BUCKET && w->item != NULL && s_is_location_request(req))
        w->item->location_calls++;
    if (rc != LK_STATUS_OK || resp->status < 200 || resp->status >= 300) {
        w->failed[kind]++;
        if (rc == LK_STATUS_OK && s_is_throttle(s_service_of(kind), req, resp)) {
            w->throttled[kind]++;
            atomic_fetch_add_explicit(&w->r->n_throttled, 1, memory_order_relaxed);
            s_on_throttle(w->r, start_ms);
        }
    }
    return rc;
}

static int64_t s_tap_now_ms(void *impl)
{
    struct s_worker *w = impl;
    return w->inner.now_ms(w->inner.impl);
}

static void s_tap_sleep_ms(void *impl, int64_t ms)
{
    struct s_worker *w = impl;
    w->inner.sleep_ms(w->inner.impl, ms);
}

static void s_tap_destroy(void *impl)
{
    struct s_worker *w = impl;
    if (w->inner.destroy != NULL)
        w->inner.destroy(w->inner.impl);
    w->tapped = false;
}

/* Puts the tap between the worker's client and its transport. */
static void s_tap_install(struct s_worker *w)
{
    w->inner = w->client->http;
    w->client->http.perform = s_tap_perform;
    w->client->http.now_ms = s_tap_now_ms;
    w->client->http.sleep_ms = s_tap_sleep_ms;
    w->client->http.destroy = s_tap_destroy;
    w->client->http.impl = w;
    w->saved_limits = w->client->rate_limits;
    if (w->r->limits != NULL)
        w->client->rate_limits = w->r->limits;
    w->tapped = true;
}

static void s_tap_remove(struct s_worker *w)
{
    if (!w->tapped)
        return;
    w->client->http = w->inner;
    w->client->rate_limits = w->saved_limits;
    w->tapped = false;
}

/* ---------------------------------------------------------------------------------------------
 * Reading one item (on a worker thread)
 * ------------------------------------------------------------------------------------------- */

/* The characters of a log group name, in ASCII order: "[\.\-_/#A-Za-z0-9]+" (CloudWatch Logs
 * API Reference, CreateLogGroup, logGroupName pattern). DescribeLogGroups lists in ASCII order
 * ("The results are ASCII-sorted by log group name"), so a listing of prefix P is at name L
 * when every name of P up to L is read, and the rest of P is the names after L. */
static const char s_name_chars[] =
    "#-./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz";
#define S_NAME_CHARS (sizeof(s_name_chars) - 1)
/* A listing is split only after this many pages: short listings (the usual prefix of a
 * policy's pattern) stay one chain, and a split, which can cost up to S_NAME_CHARS listings that
 * turn out empty, is only paid for listings long enough for it to matter. */
#define S_SPLIT_MIN_PAGES 20
/* Partitions may number at most S_NAME_CHARS more than this many times the pages read by the
 * paginated listings (and at most S_NAME_CHARS per worker). */
#define S_SPLIT_PER_PAGE 8

struct s_page_ctx {
    struct s_reader *r;
    struct s_item *it;
    bool stop; /* the listing has nothing more to read: its partitions have the rest */
};

/* A new listing of prefix @p covers (heap, taken), split from @p from (lock held); @p hinted:
 * the desired state names log groups under it (queued before the other partitions). */
static void s_add_partition(struct s_reader *r, struct s_item *from, char *covers, bool hinted);

/* Orders hints by region, then prefix (as strings of their own length). */
static int s_hint_cmp(const char *region, const char *prefix, size_t len, const struct s_hint *h)
{
    int c = strcmp(region, h->region);
    if (c)
        return c;
    size_t n = len < h->len ? len : h->len;
    c = memcmp(prefix, h->prefix, n);
    if (c)
        return c;
    return len == h->len ? 0 : len < h->len ? -1 : 1;
}

static int s_hint_qsort(const void *a, const void *b)
{
    const struct s_hint *x = a;
    return s_hint_cmp(x->region, x->prefix, x->len, b);
}

/* @return the index of the first hint of @p region not before @p prefix (@p len bytes), or of
 * the first after it when @p strict. */
static size_t s_hint_lower(const struct s_reader *r, const char *region, const char *prefix,
                           size_t len, bool strict)
{
    size_t lo = 0, hi = r->n_hints;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = s_hint_cmp(region, prefix, len, &r->hints[mid]);
        if (c > 0 || (strict && c == 0))
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* @return true when a hint of @p region lies under prefix @p p, or @p p under a hint. */
static bool s_hint_inside(const struct s_reader *r, const char *region, const char *p)
{
    size_t len = strlen(p);
    size_t at = s_hint_lower(r, region, p, len, false);
    if (at < r->n_hints && !strcmp(r->hints[at].region, region) && r->hints[at].len >= len &&
        memcmp(r->hints[at].prefix, p, len) == 0)
        return true;
    for (size_t k = 1; k < len; k++) {
        at = s_hint_lower(r, region, p, k, false);
        if (at < r->n_hints && s_hint_cmp(region, p, k, &r->hints[at]) == 0)
            return true;
    }
    return false;
}

/* @return true when hint @p h sorts at or after @p stop_before (not NULL). */
static bool s_hint_from(const struct s_hint *h, const char *stop_before)
{
    if (stop_before == NULL)
        return false;
    size_t sl = strlen(stop_before);
    int c = memcmp(h->prefix, stop_before, h->len < sl ? h->len : sl);
    return c > 0 || (c == 0 && h->len >= sl);
}

/*
 * The depth at which a listing at @p last splits where the desired state shows the names
 * branching: with h the first hint after @p last that the listing still has to return (it
 * starts with @p covers and sorts before @p stop_before), 1 + the length of the prefix @p last
 * and h share (h's names and @p last's differ at that character, so the split keeps @p last's
 * branch and hands h's to a partition). Hints that sort after h share less with @p last
 * (sorted order), so h alone decides. @return 0 when no hint is left to the listing.
 */
static size_t s_hint_depth(const struct s_reader *r, const char *region, const char *covers,
                           const char *stop_before, const char *last)
{
    size_t at = s_hint_lower(r, region, last, strlen(last), true);
    if (at >= r->n_hints)
        return 0;
    const struct s_hint *h = &r->hints[at];
    size_t d = strlen(covers);
    if (strcmp(h->region, region) != 0 || h->len < d || memcmp(h->prefix, covers, d) != 0)
        return 0;
    if (s_hint_from(h, stop_before))
        return 0; /* from stop_before on: another listing's */
    size_t lcp = 0;
    while (lcp < h->len && last[lcp] != '\0' && last[lcp] == h->prefix[lcp])
        lcp++;
    size_t depth = lcp + 1;
    size_t last_len = strlen(last);
    return depth > last_len ? last_len : depth;
}

/* The requests a queued item takes, roughly (a listing: its first page). */
static size_t s_item_weight(const struct s_item *it)
{
    switch (it->kind) {
    case LK_LIVE_BUCKET:
        return 7; /* HeadBucket + 6 Gets (lk_s3_read_bucket) */
    case LK_LIVE_TRAIL:
    case LK_LIVE_STORE:
        return 3;
    default:
        return 1;
    }
}

/*
 * Whether splitting a listing of the plan where its hints show the names branching, at the price
 * of @p n_new new listings (most of them empty prefixes on the way), shortens the read: whether
 * it would otherwise still be read after the other workers ran out of work. Its remaining pages are
 * estimated from the hints it has still to pass, at the most pages per hint any listing has read so
 * far; the rest of the work from the requests the queued items take, shared by the workers (lock
 * held).
 */
static bool s_worth_splitting(struct s_reader *r, const struct s_item *it, const char *region,
                              const char *covers, const char *last, size_t n_new)
{
    const char *start = it->prefix ? it->prefix : "";
    size_t from = s_hint_lower(r, region, start, strlen(start), false);
    size_t after = s_hint_lower(r, region, last, strlen(last), true);
    size_t passed = after > from ? after - from : 1;
    size_t pph = it->pages / passed;
    if (pph > r->pages_per_hint)
        r->pages_per_hint = pph;
    size_t d = strlen(covers), ahead = 0;
    for (size_t i = after; i < r->n_hints; i++) {
        const struct s_hint *h = &r->hints[i];
        if (strcmp(h->region, region) != 0 || h->len < d || memcmp(h->prefix, covers, d) != 0)
            break;
        if (s_hint_from(h, it->stop_before))
            break;
        ahead++;
    }
    size_t queued = 0;
    for (size_t i = r->next; i < r->n_items; i++)
        queued += s_item_weight(r->queue[i]);
    if (r->limit < 2)
        return false;
    /* Unsplit, the read lasts about max(R, Q / (L - 1)) requests' time (R the listing's
     * remaining pages, Q the queued requests, L the workers); split, about (R + Q + n_new) / L
     * (the new listings' first requests included, most of them empty prefixes). */
    size_t rest = ahead * r->pages_per_hint, limit = (size_t)r->limit;
    size_t others = queued / (limit - 1);
    return rest + queued + n_new < limit * (rest > others ? rest : others);
}

/*
 * Splits a long listing so that one large region is not one chain of pages. The listing @p it
 * has read up to @p last (the last name of a full page, another page following); every name it
 * has still to return starts with C = it->covers (and sorts before it->stop_before).
 *
 * One level: let c be the character of @p last after C. The names of C after @p last are those
 * of C+c after @p last, and those of C+d for every name character d after c: each C+d becomes a
 * listing of its own (a partition, handed to the workers), and this listing keeps C+c: it stops
 * at the first name from C+d on (d the first one). Names sort before every longer name they
 * prefix, so the partitions are disjoint and, with what this listing keeps, cover the rest of
 * C: every group is listed once. A partition that is long splits again the same way.
 *
 * Several levels at once, where the desired state shows the names branching (s_hint_depth(),
 * depth D): the same at every level k from |C| to D - 1 along @p last (the prefix P_k of its
 * first k characters, each P_k+d for d after @p last's character k is a partition), and this
 * listing keeps P_D. The partitions under which the desired state names groups are queued first
 * and split again after their first page, the same way, where their own hints branch; so the
 * read reaches the prefixes that hold the names at once instead of one character a page.
 *
 * When: a listing of the plan splits only after S_SPLIT_MIN_PAGES pages, so that a short one
 * stays one chain (a split can cost up to S_NAME_CHARS requests a level for listings that
 * turn out empty). Without hints, a listing splits only while a worker would otherwise be idle;
 * where hints show the names branching it splits whatever the others do (its partitions are
 * queued before the other items), as the long items are best started first. The budget bounds
 * the overhead: at most S_NAME_CHARS partitions per worker, and at most S_NAME_CHARS +
 * S_SPLIT_PER_PAGE x the pages read so far by paginated listings. Each partition costs at most
 * two requests more than one chain would: its own (empty, or a last page that is not full) and
 * the page at which the listing it was split from stops.
 */
static void s_split(struct s_page_ctx *pc, const char *last)
{
    struct s_reader *r = pc->r;
    struct s_item *it = pc->it;
    const char *covers = it->covers ? it->covers : it->prefix ? it->prefix : "";
    const char *region = it->region ? it->region : "";
    size_t d = strlen(covers);
    if (strncmp(last, covers, d) != 0)
        return; /* not a name of this listing: nothing to split safely */
    size_t depth = last[d] != '\0' ? s_hint_depth(r, region, covers, it->stop_before, last) : 0;
    bool hinted = depth > d;
    if (it->pages < S_SPLIT_MIN_PAGES && !(hinted && it->root != NULL))
        return;
    if (!hinted)
        depth = d + 1;
    size_t n_one = 0; /* the partitions of a split at one level only */
    /* The first character after @p last's at each level; S_NAME_CHARS: none. */
    size_t *first = lk_xcalloc(depth - d, sizeof(*first));
    size_t n_new = 0;
    for (size_t k = d; k < depth; k++) {
        size_t f = 0;
        if (last[k] != '\0') {
            const char *at = strchr(s_name_chars, last[k]);
            if (at == NULL) {
                free(first);
                return; /* a character outside the names' alphabet: keep one chain */
            }
            f = (size_t)(at - s_name_chars) + 1;
        }
        first[k - d] = f;
        n_new += S_NAME_CHARS - f;
        if (k == d)
            n_one = n_new;
    }
    pthread_mutex_lock(&r->mu);
    /* Unless the hints show where the names branch, split only when a worker would otherwise
     * have nothing to read. */
    size_t queued = r->n_items - r->next;
    bool idle = !r->stop && r->active + queued < (size_t)r->limit;
    size_t budget = S_NAME_CHARS + S_SPLIT_PER_PAGE * r->split_pages;
    if (budget > r->split_budget)
        budget = r->split_budget;
    /* A partition the hints show branching splits at once (the listing it comes from was long
     * enough to split); a listing of the plan when that shortens the read; otherwise (or over
     * the budget) the split is the one-level split of an idle worker. */
    if (hinted && (r->partitions + n_new > budget ||
                   (it->root == NULL && !s_worth_splitting(r, it, region, covers, last, n_new)))) {
        hinted = false;
        depth = d + 1;
        n_new = n_one;
    }
    if (!hinted && it->pages < S_SPLIT_MIN_PAGES)
        n_new = 0;
    if (r->stop || !(idle || hinted) || n_new == 0 || r->partitions + n_new > budget) {
        pthread_mutex_unlock(&r->mu);
        free(first);
        return;
    }
    /* In name order: the deepest level's partitions sort first. */
    char *smallest = NULL;
    for (size_t k = depth; k-- > d;) {
        for (size_t c = first[k - d]; c < S_NAME_CHARS; c++) {
            char *child = lk_xmalloc(k + 2);
            memcpy(child, last, k);
            child[k] = s_name_chars[c];
            child[k + 1] = '\0';
            if (smallest == NULL)
                smallest = lk_xstrdup(child);
            s_add_partition(r, it, child, s_hint_inside(r, region, child));
        }
    }
    pthread_cond_broadcast(&r->work_cv);
    pthread_cond_signal(&r->main_cv); /* it may start workers for them */
    pthread_mutex_unlock(&r->mu);
    free(first);

    if (last[d] == '\0') {
        /* @p last is C itself: every name after it is in a partition. */
        free(smallest);
        pc->stop = true;
        return;
    }
    free(it->covers);
    free(it->stop_before);
    it->covers = lk_xstrndup(last, depth);
    it->stop_before = smallest;
}

static bool s_on_page(void *ctx, const struct lk_ir_log_group *groups, size_t n, bool more)
{
    struct s_page_ctx *pc = ctx;
    struct s_item *it = pc->it;
    it->pages++;
    atomic_fetch_add_explicit(&pc->r->n_pages, 1, memory_order_relaxed);
    /* Names from stop_before on are the partitions': keep the ones before, and stop there. */
    size_t keep = n;
    if (it->stop_before != NULL)
        for (size_t i = 0; i < n && keep == n; i++)
            if (strcmp(groups[i].name, it->stop_before) >= 0) {
                keep = i;
                pc->stop = true;
            }
    /* A whole page at once: the function behind LK_ARRAY_GROW, for keep more elements. */
    if (it->n_groups + keep > it->cap_groups)
        it->groups = lk_array_grow(NULL, it->groups, it->n_groups, &it->cap_groups,
                                   it->n_groups + keep, sizeof(*it->groups), 64);
    if (keep)
        memcpy(it->groups + it->n_groups, groups, keep * sizeof(*groups));
    it->n_groups += keep;
    if (it->first_page_only || pc->stop)
        return false;
    if (more && n > 0) {
        pthread_mutex_lock(&pc->r->mu);
        pc->r->split_pages++;
        pthread_mutex_unlock(&pc->r->mu);
        s_split(pc, groups[n - 1].name);
    }
    return !pc->stop;
}

/* @return true for an answer that refuses the caller (403: AccessDenied, or no code at all on
 * a HEAD), which for a bucket outside the policy is a finding, not a failure. */
static bool s_refused(const struct lk_aws_error *err)
{
    return !err->no_response && err->http_status == 403;
}

/* Keeps a refusal as the store's error code and clears @p err. */
static void s_store_refused(struct s_item *it, struct lk_aws_error *err)
{
    it->store.error = lk_ir_strdup(it->st, err->code ? err->code : "AccessDenied");
    lk_aws_error_clear(err);
}

/* An unmanaged store: HeadBucket (+ GetBucketLocation), GetBucketLifecycleConfiguration. */
static int s_read_store(struct lk_aws_client *client, struct s_item *it)
{
    struct lk_ir_unmanaged_store *u = &it->store;
    memset(u, 0, sizeof(*u));
    u->bucket = lk_ir_strdup(it->st, it->name);
    bool exists = false;
    char *region = NULL;
    it->store_minimum = 1;
    if (lk_s3_head_bucket(client, it->name, NULL, it->st, &exists, &region, &it->err) != 0) {
        if (!s_refused(&it->err))
            return -1;
        /* Another account's bucket still names its region (S3 API Reference, HeadBucket). */
        u->exists = true;
        s_store_refused(it, &it->err);
        return 0;
    }
    if (!exists)
        return 0;
    u->exists = true;
    if (!region) {
        it->store_minimum++;
        if (lk_s3_get_bucket_location(client, it->name, NULL, it->st, &region, &it->err) != 0) {
            if (!s_refused(&it->err))
                return -1;
            s_store_refused(it, &it->err);
            return 0;
        }
    }
    u->region = region;
    it->store_minimum++;
    /* The lifecycle reader fills a bucket: its lifecycle and what the IR cannot hold of it. */
    struct lk_ir_bucket read = {0};
    if (lk_s3_get_lifecycle(client, it->name, region, it->st, &read, &it->err) != 0) {
        if (it->err.code && !strcmp(it->err.code, "NoSuchBucket")) {
            /* Deleted since HeadBucket: missing, as lk_s3_read_bucket() says. */
            lk_aws_error_clear(&it->err);
            memset(&u->lifecycle, 0, sizeof(u->lifecycle));
            u->exists = false;
            u->region = NULL;
            return 0;
        }
        if (!s_refused(&it->err))
            return -1;
        s_store_refused(it, &it->err);
        return 0;
    }
    u->lifecycle = read.lifecycle;
    /* Rules the IR holds only in part may expire the logs in ways the diff cannot see. */
    u->lifecycle_unmodelled =
        (read.unmodelled & (LK_IR_UNMODELLED_FILTER | LK_IR_UNMODELLED_DATE)) != 0;
    return 0;
}

/* A desired key's policy: GetKeyPolicy in the key's region. An answer that refuses or does not
 * know the key is a finding kept in key.error (drift reports it), not a failure of the read;
 * a policy that cannot be parsed likewise. With it->key_required (apply) only NotFoundException
 * is kept: a refusal fails the read. Any other failure (a server error, throttling the retries
 * did not outlast, no answer) always fails the read. */
static int s_read_key(struct lk_aws_client *client, struct s_item *it)
{
    struct lk_ir_key *k = &it->key;
    char region[64];
    memset(k, 0, sizeof(*k));
    k->arn = lk_ir_strdup(it->st, it->name);
    if (lk_kms_parse_key_arn(it->name, region, sizeof(region), NULL))
        k->region = lk_ir_strdup(it->st, region);
    char *text = NULL;
    if (lk_kms_get_key_policy(client, it->name, it->st, &text, &it->err) != LK_STATUS_OK) {
        /* AccessDeniedException, NotFoundException, KMSInvalidStateException (a key pending
         * deletion), InvalidArnException: the KMS API Reference's GetKeyPolicy errors that
         * describe the key or the caller's rights, not the request's transport. The first two
         * of the list, NotFoundException and a key ARN logkeep cannot send, are kept even when
         * the key is required. */
        static const char *const findings[] = {"NotFoundException", "logkeep.InvalidArgument",
                                               "AccessDeniedException", "KMSInvalidStateException",
                                               "InvalidArnException"};
        const size_t n_findings = it->key_required ? 2 : sizeof(findings) / sizeof(findings[0]);
        const char *code = it->err.code;
        for (size_t i = 0; code && i < n_findings; i++)
            if (!strcmp(code, findings[i])) {
                k->error = lk_ir_strdup(it->st, code);
                lk_aws_error_clear(&it->err);
                return 0;
            }
        return -1;
    }
    struct lk_ir_bucket parsed;
    struct lk_error why = {0};
    memset(&parsed, 0, sizeof(parsed));
    const char *partition = strncmp(it->name, "arn:", 4) == 0 ? it->name + 4 : "aws";
    char part[32];
    size_t plen = strcspn(partition, ":");
    snprintf(part, sizeof(part), "%.*s", (int)(plen < sizeof(part) ? plen : 0), partition);
    if (lk_policy_json_parse(it->st, text, strlen(text), part[0] ? part : "aws", &parsed, &why) !=
        LK_STATUS_OK) {
        k->error = lk_ir_strdup(it->st, "logkeep.UnreadableKeyPolicy");
        return 0;
    }
    k->exists = true;
    k->policy = parsed.policy;
    return 0;
}

static void s_read_item(struct s_worker *w, struct s_item *it)
{
    w->item = it;
    w->kind = it->kind;
    it->st = lk_ir_state_new();
    switch (it->kind) {
    case LK_LIVE_BUCKET:
        it->rc = lk_s3_read_bucket(w->client, it->name, it->st, &it->bucket, &it->err);
        break;
    case LK_LIVE_TRAIL:
        memset(&it->trail, 0, sizeof(it->trail));
        it->rc =
            lk_cloudtrail_read_trail(w->client, it->name, it->region, it->st, &it->trail, &it->err);
        break;
    case LK_LIVE_LOG_GROUPS: {
        struct lk_logs_query q = {0};
        q.prefix = it->prefix;
        q.region = it->region;
        /* "The results are ASCII-sorted by log group name" (model doc of DescribeLogGroups):
         * the first group of a prefix listing is the exact name when it exists, so one group
         * is all an exact-name listing needs. */
        q.limit = it->first_page_only ? 1 : LK_LIVE_LOG_GROUPS_PER_PAGE;
        struct s_page_ctx pc = {w->r, it, false};
        it->rc =
            lk_logs_describe_log_groups_pages_more(w->client, &q, it->st, s_on_page, &pc, &it->err);
        break;
    }
    case LK_LIVE_TRAILS:
        /* No names: every trail of the region, and with includeShadowTrails the multi-region
         * and organisation trails replicated from their home region (CloudTrail API
         * Reference, DescribeTrails). */
        it->rc = lk_cloudtrail_describe_trails(w->client, it->region, NULL, 0, true, it->st,
                                               &it->listed, &it->n_listed, &it->err);
        break;
    case LK_LIVE_STORE:
        it->rc = s_read_store(w->client, it);
        break;
    case LK_LIVE_KEY:
        it->rc = s_read_key(w->client, it);
        break;
    case LK_LIVE_ACCOUNT:
    case LK_LIVE_KIND_COUNT:
        it->rc = -1;
        s_set_error(&it->err, NULL, "logkeep.InvalidArgument", "not a work item");
        break;
    }
    w->item = NULL;
}

/* @return true when a desired bucket is named @p name. */
static bool s_desired_bucket(const struct lk_ir_state *d, const char *name)
{
    for (size_t i = 0; i < d->n_buckets; i++)
        if (!strcmp(d->buckets[i].name, name))
            return true;
    return false;
}

/* Appends @p it to the queue (lock held, or before any worker runs). */
static void s_enqueue(struct s_reader *r, struct s_item *it)
{
    LK_ARRAY_GROW(r->queue, r->n_items, r->cap_items);
    r->queue[r->n_items++] = it;
}

/* Queues partition @p it before the other items not handed out yet, after the partitions queued
 * before it (lock held): partitions are read before the rest, as the long listing they come from
 * would have been, and in the order they were made, so that the wider ones (split off first,
 * nearer the root of the names) start first and have the time to split in turn. A @p hinted
 * one (the desired state names groups under it: s_split) goes before the others, which are
 * mostly empty. */
static void s_enqueue_partition(struct s_reader *r, struct s_item *it, bool hinted)
{
    LK_ARRAY_GROW(r->queue, r->n_items, r->cap_items);
    size_t end = hinted ? r->hinted_end : r->partitions_end;
    size_t at = end > r->next ? end : r->next;
    memmove(r->queue + at + 1, r->queue + at, (r->n_items - at) * sizeof(*r->queue));
    r->queue[at] = it;
    r->n_items++;
    if (hinted) {
        r->hinted_end = at + 1;
        r->partitions_end = r->partitions_end >= at ? r->partitions_end + 1 : at + 1;
    } else {
        r->partitions_end = at + 1;
    }
}

static void s_add_partition(struct s_reader *r, struct s_item *from, char *covers, bool hinted)
{
    struct s_item *p = lk_xcalloc(1, sizeof(*p));
    p->kind = LK_LIVE_LOG_GROUPS;
    p->heap = true;
    p->region = from->region;
    p->prefix = covers;
    p->root = from->root ? from->root : from;
    r->partitions++;
    r->partitions_hinted += hinted;
    r->producers++; /* it may split in turn */
    s_enqueue_partition(r, p, hinted);
}

/* Queues a read of every bucket the trails of listing @p it deliver to that no desired bucket
 * names and no earlier listing queued (lock held). */
static void s_queue_stores(struct s_reader *r, const struct s_item *it)
{
    for (size_t i = 0; i < it->n_listed; i++) {
        const char *bucket = it->listed[i].s3_bucket_name;
        if (!bucket || !*bucket || s_desired_bucket(r->desired, bucket))
            continue;
        bool queued = false;
        for (size_t k = 0; k < r->n_items && !queued; k++)
            queued = r->queue[k]->kind == LK_LIVE_STORE && !strcmp(r->queue[k]->name, bucket);
        if (queued)
            continue;
        struct s_item *s = lk_xcalloc(1, sizeof(*s));
        s->kind = LK_LIVE_STORE;
        s->heap = true;
        s->owned_name = lk_xstrdup(bucket);
        s->name = s->owned_name;
        s_enqueue(r, s);
    }
}

static void *s_worker_main(void *arg)
{
    struct s_worker *w = arg;
    struct s_reader *r = w->r;
    /* Responses are parsed one after another on this thread: one scratch arena serves them all. */
    struct lk_arena scratch;
    lk_arena_init(&scratch);
    lk_json_use_scratch(&scratch);
    pthread_mutex_lock(&r->mu);
    for (;;) {
        /* Wait for a free slot, or, with the queue empty, for a trail listing in flight to
         * queue the buckets it names or a long log group listing to split (s_split). */
        while (!r->stop && ((r->next < r->n_items && r->active >= (size_t)r->limit) ||
                            (r->next >= r->n_items && r->producers > 0)))
            pthread_cond_wait(&r->work_cv, &r->mu);
        if (r->stop || r->next >= r->n_items)
            break;
        struct s_item *it = r->queue[r->next++];
        r->active++;
        pthread_mutex_unlock(&r->mu);

        s_read_item(w, it);

        pthread_mutex_lock(&r->mu);
        r->active--;
        r->done++;
        if (it->kind == LK_LIVE_LOG_GROUPS && !it->first_page_only)
            r->producers--;
        if (it->kind == LK_LIVE_TRAILS) {
            r->producers--;
            if (it->rc == 0)
                s_queue_stores(r, it);
        }
        if (it->rc != 0 && !r->stop) {
            r->stop = true;
            r->failed = it;
        }
        pthread_cond_broadcast(&r->work_cv);
        pthread_cond_signal(&r->main_cv);
    }
    r->running--;
    pthread_cond_signal(&r->main_cv);
    pthread_mutex_unlock(&r->mu);
    lk_json_use_scratch(NULL);
    lk_arena_destroy(&scratch);
    return NULL;
}

/* ---------------------------------------------------------------------------------------------
 * Planning
 * ------------------------------------------------------------------------------------------- */

struct s_plan {
    const struct lk_ir_state *desired;
    const char *default_region; /* the policy's region, else the client's */
};

/* @return the region of a desired log group (its own, else the policy's, else the client's). */
static const char *s_group_region(const struct s_plan *p, const struct lk_ir_log_group *g)
{
    return g->region != NULL ? g->region : p->default_region;
}

struct s_listing {
    const char *region; /* borrowed */
    const char *prefix; /* borrowed, "" = the whole region */
    size_t prefix_len;
    bool exact; /* made only for an exact name */
};

static int s_cmp_listing(const void *a, const void *b)
{
    const struct s_listing *x = a, *y = b;
    int c = strcmp(x->region ? x->region : "", y->region ? y->region : "");
    if (c)
        return c;
    /* Prefixes compare as their first prefix_len bytes. */
    size_t n = x->prefix_len < y->prefix_len ? x->prefix_len : y->prefix_len;
    c = memcmp(x->prefix, y->prefix, n);
    if (c)
        return c;
    if (x->prefix_len != y->prefix_len)
        return x->prefix_len < y->prefix_len ? -1 : 1;
    /* A full listing before an exact-only one of the same prefix, which it then covers. */
    return (int)x->exact - (int)y->exact;
}

static bool s_listing_covers(const struct s_listing *full, const struct s_listing *c)
{
    return s_streq(full->region, c->region) && full->prefix_len <= c->prefix_len &&
           memcmp(full->prefix, c->prefix, full->prefix_len) == 0;
}

/* Adds the listings to make: see live.h. @return the number added to @p items. */
static size_t s_plan_listings(const struct s_plan *p, bool discover, struct s_item *items)
{
    const struct lk_ir_state *d = p->desired;
    size_t cap = d->n_log_groups * 2 + 2, n = 0;
    struct s_listing *cands = lk_xcalloc(cap, sizeof(*cands));
    for (size_t i = 0; i < d->n_log_groups; i++) {
        const struct lk_ir_log_group *g = &d->log_groups[i];
        struct s_listing *c = &cands[n++];
        c->region = s_group_region(p, g);
        c->prefix = g->name;
        c->prefix_len = g->pattern ? lk_logs_pattern_prefix_len(g->name) : strlen(g->name);
        c->exact = !g->pattern;
    }
    if (discover) {
        /* The policy's region, and every region a desired log group names. */
        struct s_listing *c = &cands[n++];
        c->region = p->default_region;
        c->prefix = "";
        for (size_t i = 0; i < d->n_log_groups; i++) {
            const char *region = s_group_region(p, &d->log_groups[i]);
            bool seen = false;
            for (size_t k = 0; k < n && !seen; k++)
                seen =
                    cands[k].prefix_len == 0 && !cands[k].exact && s_streq(cands[k].region, region);
            if (!seen) {
                c = &cands[n++];
                c->region = region;
                c->prefix = "";
            }
        }
    }
    qsort(cands, n, sizeof(*cands), s_cmp_listing);

    /* In sorted order, a listing that covers a later one (its prefix starts the later one's)
     * comes first, and every listing between the two is covered too: comparing with the last
     * full listing kept is enough. Exact-only listings cover only the same exact name. */
    size_t out = 0;
    const struct s_listing *last_full = NULL, *last_exact = NULL;
    for (size_t i = 0; i < n; i++) {
        const struct s_listing *c = &cands[i];
        if (last_full && s_listing_covers(last_full, c))
            continue;
        if (c->exact && last_exact && s_streq(last_exact->region, c->region) &&
            last_exact->prefix_len == c->prefix_len &&
            memcmp(last_exact->prefix, c->prefix, c->prefix_len) == 0)
            continue;
        struct s_item *it = &items[out++];
        it->kind = LK_LIVE_LOG_GROUPS;
        it->region = c->region;
        /* An empty prefix is not a valid logGroupNamePrefix (minimum length 1): list all. */
        it->prefix = c->prefix_len ? lk_xstrndup(c->prefix, c->prefix_len) : NULL;
        it->first_page_only = c->exact;
        if (c->exact)
            last_exact = c;
        else
            last_full = c;
    }
    free(cands);
    return out;
}

/* The hints of s_split: the literal prefix of every desired pattern, by region, sorted, each
 * once. Exact names are left out: one group each, they say where a name is, not where many
 * branch. */
static void s_hints_make(struct s_reader *r, const struct s_plan *p)
{
    const struct lk_ir_state *d = p->desired;
    r->hints = lk_xcalloc(d->n_log_groups ? d->n_log_groups : 1, sizeof(*r->hints));
    size_t n = 0;
    for (size_t i = 0; i < d->n_log_groups; i++) {
        const struct lk_ir_log_group *g = &d->log_groups[i];
        size_t len = g->pattern ? lk_logs_pattern_prefix_len(g->name) : 0;
        if (len == 0)
            continue;
        const char *region = s_group_region(p, g);
        r->hints[n++] = (struct s_hint){region ? region : "", g->name, len};
    }
    qsort(r->hints, n, sizeof(*r->hints), s_hint_qsort);
    size_t u = 0;
    for (size_t i = 0; i < n; i++)
        if (u == 0 || s_hint_cmp(r->hints[i].region, r->hints[i].prefix, r->hints[i].len,
                                 &r->hints[u - 1]) != 0)
            r->hints[u++] = r->hints[i];
    r->n_hints = u;
}

/* ---------------------------------------------------------------------------------------------
 * Merging (on the calling thread, after the workers stopped)
 * ------------------------------------------------------------------------------------------- */

static int s_cmp_group_ref(const void *a, const void *b)
{
    const struct lk_ir_log_group *x = *(const struct lk_ir_log_group *const *)a;
    const struct lk_ir_log_group *y = *(const struct lk_ir_log_group *const *)b;
    int c = strcmp(x->region ? x->region : "", y->region ? y->region : "");
    return c ? c : strcmp(x->name, y->name);
}

/* @return true when @p refs (sorted by s_cmp_group_ref) holds the group @p name of @p region. */
static bool s_find_group(const struct lk_ir_log_group *const *refs, size_t n, const char *region,
                         const char *name)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const struct lk_ir_log_group *g = refs[mid];
        int c = strcmp(g->region ? g->region : "", region ? region : "");
        if (c == 0)
            c = strcmp(g->name, name);
        if (c == 0)
            return true;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return false;
}

/* The desired exact names and patterns, by region (s_group_region()): a group is governed when
 * one of its region matches it (an exact name only itself). Free with
 * lk_pattern_index_destroy(). */
static void s_governing_index(const struct s_plan *p, struct lk_pattern_index *idx)
{
    const struct lk_ir_state *d = p->desired;
    struct lk_pattern_entry *e = lk_xcalloc(d->n_log_groups ? d->n_log_groups : 1, sizeof(*e));
    for (size_t i = 0; i < d->n_log_groups; i++) {
        e[i].region = s_group_region(p, &d->log_groups[i]);
        e[i].pattern = d->log_groups[i].name;
        e[i].exact = !d->log_groups[i].pattern;
        e[i].id = i;
    }
    lk_pattern_index_init(idx, e, d->n_log_groups);
    free(e);
}

/* @return true when a desired exact name or pattern of the group's region covers it. */
static bool s_governed(const struct lk_pattern_index *idx, const struct lk_ir_log_group *g)
{
    return lk_pattern_index_any(idx, g->region, g->name);
}

static void s_merge_log_groups(const struct s_plan *p, const struct lk_pattern_index *governing,
                               bool discover, struct s_item *const *items, size_t n_items,
                               struct lk_ir_state *live, struct lk_live_report *report)
{
    const struct lk_ir_state *d = p->desired;
    size_t total = 0;
    for (size_t i = 0; i < n_items; i++)
        if (items[i]->kind == LK_LIVE_LOG_GROUPS)
            total += items[i]->n_groups;

    /* Every listed group once (an exact-name listing may repeat a group a prefix listing
     * returned), by region and name. */
    const struct lk_ir_log_group **refs = lk_xcalloc(total ? total : 1, sizeof(*refs));
    size_t n = 0;
    for (size_t i = 0; i < n_items; i++)
        for (size_t k = 0; items[i]->kind == LK_LIVE_LOG_GROUPS && k < items[i]->n_groups; k++)
            refs[n++] = &items[i]->groups[k];
    qsort(refs, n, sizeof(*refs), s_cmp_group_ref);
    size_t u = 0;
    for (size_t i = 0; i < n; i++)
        if (u == 0 || s_cmp_group_ref(&refs[u - 1], &refs[i]) != 0)
            refs[u++] = refs[i];
    n = u;
    report->log_groups_listed = n;

    /* Desired exact names AWS does not have: an entry with exists = false. */
    struct s_name {
        const char *name, *region;
    } *missing = lk_xcalloc(d->n_log_groups ? d->n_log_groups : 1, sizeof(*missing));
    size_t n_missing = 0;
    for (size_t i = 0; i < d->n_log_groups; i++) {
        const struct lk_ir_log_group *w = &d->log_groups[i];
        const char *region = s_group_region(p, w);
        if (w->pattern || s_find_group(refs, n, region, w->name))
            continue;
        bool dup = false;
        for (size_t k = 0; k < n_missing && !dup; k++)
            dup = !strcmp(missing[k].name, w->name) && s_streq(missing[k].region, region);
        if (!dup) {
            missing[n_missing].name = w->name;
            missing[n_missing++].region = region;
        }
    }

    size_t keep = 0;
    for (size_t i = 0; i < n; i++)
        if (discover || s_governed(governing, refs[i]))
            refs[keep++] = refs[i];
    live->log_groups = s_alloc(live, keep + n_missing, sizeof(*live->log_groups));
    for (size_t i = 0; i < keep; i++)
        s_copy_log_group(live, &live->log_groups[i], refs[i]);
    for (size_t i = 0; i < n_missing; i++) {
        struct lk_ir_log_group *g = &live->log_groups[keep + i];
        memset(g, 0, sizeof(*g));
        g->name = lk_ir_strdup(live, missing[i].name);
        g->region = lk_ir_strdup(live, missing[i].region);
        g->exists = false;
    }
    live->n_log_groups = keep + n_missing;
    free(missing);
    free(refs);
}

/* Each unmanaged store with the listed trails that deliver to it (a multi-region trail listed
 * in several regions once). */
static void s_merge_stores(struct s_item *const *items, size_t n_items, struct lk_ir_state *live)
{
    size_t n_stores = 0, n_listed = 0;
    for (size_t i = 0; i < n_items; i++) {
        n_stores += items[i]->kind == LK_LIVE_STORE;
        if (items[i]->kind == LK_LIVE_TRAILS)
            n_listed += items[i]->n_listed;
    }
    live->unmanaged_stores = s_alloc(live, n_stores, sizeof(*live->unmanaged_stores));
    for (size_t i = 0; i < n_items; i++) {
        if (items[i]->kind != LK_LIVE_STORE)
            continue;
        struct lk_ir_unmanaged_store *u = &live->unmanaged_stores[live->n_unmanaged_stores++];
        s_copy_store(live, u, &items[i]->store);
        u->deliveries = s_alloc(live, n_listed, sizeof(*u->deliveries));
        for (size_t k = 0; k < n_items; k++) {
            for (size_t t = 0; items[k]->kind == LK_LIVE_TRAILS && t < items[k]->n_listed; t++) {
                const struct lk_ir_trail *tr = &items[k]->listed[t];
                if (!tr->s3_bucket_name || strcmp(tr->s3_bucket_name, u->bucket) != 0)
                    continue;
                bool dup = false;
                for (size_t j = 0; j < u->n_deliveries && !dup; j++)
                    dup = !strcmp(u->deliveries[j].name, tr->name) &&
                          s_streq(u->deliveries[j].region, tr->home_region) &&
                          s_streq(u->deliveries[j].key_prefix, tr->s3_key_prefix);
                if (dup)
                    continue;
                struct lk_ir_delivery *dl = &u->deliveries[u->n_deliveries++];
                dl->service = lk_ir_strdup(live, "cloudtrail");
                dl->name = lk_ir_strdup(live, tr->name);
                dl->region = lk_ir_strdup(live, tr->home_region);
                dl->key_prefix = lk_ir_strdup(live, tr->s3_key_prefix);
            }
        }
    }
}

/* The desired keys' policies, by ARN (lk_ir_canonicalize() sorts them). */
static void s_merge_keys(struct s_item *const *items, size_t n_items, struct lk_ir_state *live)
{
    size_t n = 0;
    for (size_t i = 0; i < n_items; i++)
        n += items[i]->kind == LK_LIVE_KEY;
    live->keys = s_alloc(live, n, sizeof(*live->keys));
    for (size_t i = 0; i < n_items; i++)
        if (items[i]->kind == LK_LIVE_KEY)
            s_copy_key(live, &live->keys[live->n_keys++], &items[i]->key);
}

/* Copies the items' results into @p live, canonicalises it and fills the report's findings. */
static void s_merge(const struct s_plan *p, const struct lk_live_options *opts,
                    struct s_item *const *items, size_t n_items, struct lk_ir_state *live,
                    struct lk_live_report *report)
{
    const struct lk_ir_state *d = p->desired;
    live->buckets = s_alloc(live, d->n_buckets, sizeof(*live->buckets));
    live->trails = s_alloc(live, d->n_trails, sizeof(*live->trails));
    for (size_t i = 0; i < n_items; i++) {
        struct s_item *it = items[i];
        if (it->kind == LK_LIVE_BUCKET)
            s_copy_bucket(live, &live->buckets[live->n_buckets++], &it->bucket);
        else if (it->kind == LK_LIVE_TRAIL)
            s_copy_trail(live, &live->trails[live->n_trails++], &it->trail);
    }
    /* Built once: every listed group is matched against the policy's names (and again below). */
    struct lk_pattern_index governing;
    s_governing_index(p, &governing);
    s_merge_log_groups(p, &governing, opts->discover_unmanaged, items, n_items, live, report);
    s_merge_stores(items, n_items, live);
    s_merge_keys(items, n_items, live);
    lk_ir_canonicalize(live);

    if (opts->discover_unmanaged) {
        report->unmanaged =
            lk_xcalloc(live->n_log_groups ? live->n_log_groups : 1, sizeof(*report->unmanaged));
        for (size_t i = 0; i < live->n_log_groups; i++)
            if (live->log_groups[i].exists && !s_governed(&governing, &live->log_groups[i]))
                report->unmanaged[report->n_unmanaged++] = &live->log_groups[i];
    }
    lk_pattern_index_destroy(&governing);
}

/* The fewest requests the APIs allow for what an item found (see struct lk_live_counts). */
static size_t s_item_minimum(const struct s_item *it)
{
    switch (it->kind) {
    case LK_LIVE_BUCKET:
        if (!it->bucket.exists)
            return 1;
        /* GetBucketLocation is needed only when HeadBucket named no region. */
        return S_BUCKET_MIN_REQUESTS + (it->location_calls ? 1 : 0);
    case LK_LIVE_TRAIL:
        return it->trail.exists ? S_TRAIL_MIN_REQUESTS : 1;
    case LK_LIVE_LOG_GROUPS:
        /* A planned listing and its partitions: the pages one chain would have read. */
        if (it->root != NULL)
            return 0;
        if (it->first_page_only || it->tree_groups == 0)
            return 1;
        return (it->tree_groups + LK_LIVE_LOG_GROUPS_PER_PAGE - 1) / LK_LIVE_LOG_GROUPS_PER_PAGE;
    case LK_LIVE_TRAILS:
        return 1; /* DescribeTrails answers every trail at once (no NextToken in its model) */
    case LK_LIVE_STORE:
        return it->store_minimum;
    case LK_LIVE_KEY:
        return 1;
    case LK_LIVE_ACCOUNT:
    case LK_LIVE_KIND_COUNT:
        break;
    }
    return 0;
}

static char *s_item_context(const struct s_item *it)
{
    switch (it->kind) {
    case LK_LIVE_BUCKET:
        return s_printf_heap("reading bucket %s", it->name);
    case LK_LIVE_TRAIL:
        if (it->region)
            return s_printf_heap("reading trail %s in %s", it->name, it->region);
        return s_printf_heap("reading trail %s", it->name);
    case LK_LIVE_LOG_GROUPS:
        if (it->prefix)
            return s_printf_heap("listing log groups \"%s\" in %s", it->prefix,
                                 it->region ? it->region : "the default region");
        return s_printf_heap("listing the log groups of %s",
                             it->region ? it->region : "the default region");
    case LK_LIVE_TRAILS:
        return s_printf_heap("listing the trails of %s",
                             it->region ? it->region : "the default region");
    case LK_LIVE_STORE:
        return s_printf_heap("reading the lifecycle of bucket %s", it->name);
    case LK_LIVE_KEY:
        return s_printf_heap("reading the policy of key %s", it->name);
    case LK_LIVE_ACCOUNT:
    case LK_LIVE_KIND_COUNT:
        break;
    }
    return lk_xstrdup("reading the caller identity");
}

/* Calls opts->progress (no lock held). */
static void s_progress(struct s_reader *r, const struct lk_live_options *opts, size_t done,
                       size_t total, int64_t started_ms)
{
    struct lk_live_progress p = {
        .done = done,
        .total = total,
        .pages = atomic_load_explicit(&r->n_pages, memory_order_relaxed),
        .requests = atomic_load_explicit(&r->n_requests, memory_order_relaxed),
        .throttled = atomic_load_explicit(&r->n_throttled, memory_order_relaxed),
        .elapsed_ms = s_mono_ms() - started_ms,
    };
    opts->progress(opts->progress_ctx, &p);
}

/* Waits on @p cv for at most @p ms (CLOCK_MONOTONIC: see lk_live_read()). */
static void s_wait_ms(pthread_cond_t *cv, pthread_mutex_t *mu, int64_t ms)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    ts.tv_sec += (time_t)(ms / 1000);
    ts.tv_nsec += (long)(ms % 1000) * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    pthread_cond_timedwait(cv, mu, &ts);
}

/* "arn:PARTITION:..." -> PARTITION (heap), or NULL. */
static char *s_arn_partition(const char *arn)
{
    if (arn == NULL || strncmp(arn, "arn:", 4) != 0)
        return NULL;
    const char *end = strchr(arn + 4, ':');
    if (end == NULL || end == arn + 4)
        return NULL;
    return lk_xstrndup(arn + 4, (size_t)(end - (arn + 4)));
}

/* ---------------------------------------------------------------------------------------------
 * lk_live_read
 * ------------------------------------------------------------------------------------------- */

int lk_live_read(struct lk_aws_client *client, const struct lk_ir_state *desired,
                 const struct lk_live_options *opts, struct lk_ir_state *live,
                 struct lk_live_report *report, struct lk_aws_error *err)
{
    static const struct lk_live_options s_defaults = {0};
    int rc = -1;
    struct s_reader r;
    struct s_worker *workers = NULL;
    int n_workers = 0;
    struct s_item *items = NULL;
    size_t n_items = 0;
    struct lk_sts_identity id;
    bool sync_ready = false;
    memset(&r, 0, sizeof(r));
    memset(&id, 0, sizeof(id));
    if (report != NULL)
        memset(report, 0, sizeof(*report));
    if (err == NULL)
        return -1;
    if (client == NULL || desired == NULL || live == NULL || report == NULL) {
        s_set_error(err, NULL, "logkeep.InvalidArgument",
                    "lk_live_read: a required argument is NULL");
        if (report != NULL)
            report->error_context = lk_xstrdup("reading live state");
        return -1;
    }
    if (opts == NULL)
        opts = &s_defaults;
    int64_t started_ms = s_mono_ms();

    int concurrency = opts->concurrency > 0 ? opts->concurrency : LK_LIVE_DEFAULT_CONCURRENCY;
    if (concurrency > LK_LIVE_MAX_CONCURRENCY)
        concurrency = LK_LIVE_MAX_CONCURRENCY;
    if (opts->new_client == NULL)
        concurrency = 1;

    /* Ready before the first request: the tap takes the lock when an answer is a throttle. */
    pthread_mutex_init(&r.mu, NULL);
    pthread_cond_init(&r.work_cv, NULL);
    /* The main thread's waits time out on the monotonic clock (progress ticks). */
    pthread_condattr_t main_attr;
    pthread_condattr_init(&main_attr);
    pthread_condattr_setclock(&main_attr, CLOCK_MONOTONIC);
    pthread_cond_init(&r.main_cv, &main_attr);
    pthread_condattr_destroy(&main_attr);
    atomic_init(&r.n_requests, 0);
    atomic_init(&r.n_throttled, 0);
    atomic_init(&r.n_pages, 0);
    sync_ready = true;
    r.limit = concurrency;
    /* The adaptive retry mode unless the caller's client says otherwise (live.h). */
    if (client->cfg.retry_mode != LK_AWS_RETRY_STANDARD)
        r.limits = lk_rate_limits_new();
    report->adaptive = r.limits != NULL;
    r.split_budget = S_NAME_CHARS * (size_t)concurrency;
    r.last_reduction_ms = INT64_MIN;

    /* Worker 0 is the caller's client; it also makes the identity call, through the tap. */
    workers = lk_xcalloc((size_t)concurrency, sizeof(*workers));
    workers[0].r = &r;
    workers[0].client = client;
    workers[0].kind = LK_LIVE_ACCOUNT;
    s_tap_install(&workers[0]);
    n_workers = 1;

    /* The account first, alone: nothing else is read for the wrong account. */
    if (lk_sts_get_caller_identity(client, &id, err) != 0) {
        report->error_kind = LK_LIVE_ACCOUNT;
        report->error_context = lk_xstrdup("reading the caller identity");
        goto cleanup;
    }
    report->account = lk_xstrdup(id.account);
    report->arn = lk_xstrdup(id.arn);
    if (opts->expected_account != NULL && strcmp(opts->expected_account, id.account) != 0) {
        s_set_error(err, "GetCallerIdentity", LK_LIVE_WRONG_ACCOUNT,
                    "the credentials belong to account %s (%s), not %s", id.account, id.arn,
                    opts->expected_account);
        report->error_kind = LK_LIVE_ACCOUNT;
        report->error_context = lk_xstrdup("checking the account");
        goto cleanup;
    }
    live->account = lk_ir_strdup(live, id.account);
    live->region = lk_ir_strdup(live, desired->region ? desired->region : client->cfg.region);
    char *partition = s_arn_partition(id.arn);
    live->partition = lk_ir_strdup(live, partition ? partition : desired->partition);
    free(partition);

    /* The work items, in the order they are handed out (and merged: buckets and trails in the
     * desired state's order). The trail listings first: the buckets they name are read after
     * them. Then longest first, so that no long item starts last and keeps one worker busy
     * after the others are done: paginated listings (whose pages follow one another), buckets
     * (7 requests), trails (3), then the one-page exact-name listings. */
    struct s_plan plan = {desired, desired->region ? desired->region : client->cfg.region};
    size_t n_listing_cap = desired->n_log_groups * 2 + 2;
    struct s_item *listings = lk_xcalloc(n_listing_cap, sizeof(*listings));
    size_t n_listings = s_plan_listings(&plan, opts->discover_unmanaged, listings);
    items =
        lk_xcalloc(desired->n_buckets + 2 * desired->n_trails + n_listings + desired->n_keys + 2,
                   sizeof(*items));
    if (opts->discover_stores) {
        /* The policy's region and every desired trail's home region, each once. */
        for (size_t i = 0; i <= desired->n_trails; i++) {
            const char *region = plan.default_region;
            if (i > 0 && desired->trails[i - 1].home_region)
                region = desired->trails[i - 1].home_region;
            bool seen = false;
            for (size_t k = 0; k < n_items && !seen; k++)
                seen = s_streq(items[k].region, region);
            if (seen)
                continue;
            items[n_items].kind = LK_LIVE_TRAILS;
            items[n_items++].region = region;
            r.producers++;
        }
    }
    for (size_t i = 0; i < n_listings; i++)
        if (!listings[i].first_page_only) {
            items[n_items++] = listings[i];
            r.producers++;
        }
    for (size_t i = 0; i < desired->n_buckets; i++) {
        items[n_items].kind = LK_LIVE_BUCKET;
        items[n_items++].name = desired->buckets[i].name;
    }
    for (size_t i = 0; i < desired->n_trails; i++) {
        items[n_items].kind = LK_LIVE_TRAIL;
        items[n_items].name = desired->trails[i].name;
        items[n_items++].region = desired->trails[i].home_region;
    }
    for (size_t i = 0; i < desired->n_keys; i++) {
        items[n_items].kind = LK_LIVE_KEY;
        items[n_items].key_required = opts->keys_required;
        items[n_items++].name = desired->keys[i].arn;
    }
    for (size_t i = 0; i < n_listings; i++)
        if (listings[i].first_page_only)
            items[n_items++] = listings[i];
    free(listings); /* the items own the prefixes now */
    r.desired = desired;
    s_hints_make(&r, &plan);
    for (size_t i = 0; i < n_items; i++)
        s_enqueue(&r, &items[i]);

    /* The other workers' clients, here on the calling thread before any worker runs (libcurl's
     * global initialisation is done by the first transport, never concurrently). */
    int wanted = (size_t)concurrency < n_items ? concurrency : (int)n_items;
    for (int i = 1; i < wanted; i++) {
        struct s_worker *w = &workers[i];
        w->r = &r;
        if (opts->new_client(opts->new_client_ctx, &w->own, err) != 0) {
            report->error_kind = LK_LIVE_ACCOUNT;
            report->error_context = s_printf_heap("creating the AWS client of worker %d", i);
            goto cleanup;
        }
        w->has_own = true;
        w->client = &w->own;
        s_tap_install(w);
        n_workers++;
    }

    /* A long log group listing splits into partitions while workers are idle (s_split): the
     * bound stays at the concurrency, and the wait below starts the workers they need. */
    bool may_split = false;
    for (size_t i = 0; i < n_items && !may_split; i++)
        may_split = items[i].kind == LK_LIVE_LOG_GROUPS && !items[i].first_page_only;
    if (wanted > 0 && r.limit > wanted && !may_split)
        r.limit = wanted;

    if (opts->progress)
        s_progress(&r, opts, 0, n_items, started_ms);
    int started = 0;
    pthread_mutex_lock(&r.mu);
    for (int i = 0; i < wanted; i++) {
        if (pthread_create(&workers[i].thread, NULL, s_worker_main, &workers[i]) != 0)
            break; /* fewer workers: the ones started read everything */
        workers[i].started = true;
        started++;
        r.running++;
    }
    if (started > 0 && r.limit > started && !may_split)
        r.limit = started;
    pthread_mutex_unlock(&r.mu);
    if (started == 0 && n_items > 0) {
        s_set_error(err, NULL, "logkeep.ThreadError", "cannot start a worker thread");
        report->error_context = lk_xstrdup("reading live state");
        goto cleanup;
    }

    /* Wait, reporting progress from this thread only, and starting a worker (with its client,
     * created here as above) when partitions wait that no worker is free to read. */
    size_t reported = 0;
    int64_t reported_ms = s_mono_ms();
    bool can_grow = may_split && started == wanted;
    pthread_mutex_lock(&r.mu);
    while (r.running > 0) {
        size_t idle_workers = (size_t)r.running - r.active;
        if (can_grow && !r.stop && started < concurrency && started < r.limit &&
            r.n_items - r.next > idle_workers) {
            struct s_worker *w = &workers[started];
            pthread_mutex_unlock(&r.mu);
            struct lk_aws_error werr = {0};
            int made = opts->new_client(opts->new_client_ctx, &w->own, &werr);
            lk_aws_error_clear(&werr);
            pthread_mutex_lock(&r.mu);
            if (made != 0) {
                /* The workers running read the partitions too, only fewer at once. */
                can_grow = false;
                continue;
            }
            w->r = &r;
            w->has_own = true;
            w->client = &w->own;
            s_tap_install(w);
            n_workers++;
            if (pthread_create(&w->thread, NULL, s_worker_main, w) != 0) {
                can_grow = false;
                continue;
            }
            w->started = true;
            started++;
            r.running++;
            continue;
        }
        int64_t now_ms = s_mono_ms();
        if (opts->progress &&
            (r.done != reported || now_ms - reported_ms >= LK_LIVE_PROGRESS_TICK_MS)) {
            reported = r.done;
            reported_ms = now_ms;
            size_t total = r.n_items; /* grows: buckets named by trail listings, partitions */
            pthread_mutex_unlock(&r.mu);
            s_progress(&r, opts, reported, total, started_ms);
            pthread_mutex_lock(&r.mu);
            continue;
        }
        if (opts->progress)
            s_wait_ms(&r.main_cv, &r.mu, LK_LIVE_PROGRESS_TICK_MS - (now_ms - reported_ms));
        else
            pthread_cond_wait(&r.main_cv, &r.mu);
    }
    pthread_mutex_unlock(&r.mu);
    for (int i = 0; i < n_workers; i++)
        if (workers[i].started) {
            pthread_join(workers[i].thread, NULL);
            workers[i].started = false;
        }
    if (opts->progress && r.done != reported)
        s_progress(&r, opts, r.done, r.n_items, started_ms);
    report->concurrency = started;
    report->concurrency_final = r.limit < started ? r.limit : started;
    report->reductions = r.reductions;

    if (r.failed != NULL) {
        *err = r.failed->err;
        memset(&r.failed->err, 0, sizeof(r.failed->err));
        report->error_kind = r.failed->kind;
        report->error_context = s_item_context(r.failed);
        goto cleanup;
    }

    report->counts[LK_LIVE_ACCOUNT].items = 1;
    report->counts[LK_LIVE_ACCOUNT].minimum = 1;
    for (size_t i = 0; i < r.n_items; i++)
        if (r.queue[i]->kind == LK_LIVE_LOG_GROUPS)
            (r.queue[i]->root ? r.queue[i]->root : r.queue[i])->tree_groups += r.queue[i]->n_groups;
    report->partitions = r.partitions;
    report->partitions_hinted = r.partitions_hinted;
    for (size_t i = 0; i < r.n_items; i++) {
        report->counts[r.queue[i]->kind].items++;
        report->counts[r.queue[i]->kind].minimum += s_item_minimum(r.queue[i]);
    }
    s_merge(&plan, opts, r.queue, r.n_items, live, report);
    rc = 0;

cleanup:
    /* Requests are counted also when the read failed. */
    for (int i = 0; i < n_workers; i++)
        for (int k = 0; k < LK_LIVE_KIND_COUNT; k++) {
            report->counts[k].requests += workers[i].requests[k];
            report->counts[k].throttled += workers[i].throttled[k];
            report->counts[k].failed += workers[i].failed[k];
        }
    for (int k = 0; k < LK_LIVE_KIND_COUNT; k++) {
        report->requests += report->counts[k].requests;
        report->minimum += report->counts[k].minimum;
        report->throttled += report->counts[k].throttled;
    }
    if (r.limits != NULL) {
        report->rate_limit_wait_ms = lk_rate_limits_waited_ms(r.limits);
    }
    for (int i = 0; i < n_workers; i++) {
        s_tap_remove(&workers[i]);
        if (workers[i].has_own)
            lk_aws_client_free(&workers[i].own);
    }
    free(workers);
    free(r.hints);
    lk_rate_limits_free(r.limits);
    if (sync_ready) {
        pthread_cond_destroy(&r.main_cv);
        pthread_cond_destroy(&r.work_cv);
        pthread_mutex_destroy(&r.mu);
    }
    /* The queue holds every item: the planned ones (queued as soon as planned) and the stores
     * the trail listings added. */
    for (size_t i = 0; i < r.n_items; i++) {
        struct s_item *it = r.queue[i];
        free(it->prefix);
        free(it->covers);
        free(it->stop_before);
        free(it->groups);
        free(it->owned_name);
        lk_aws_error_clear(&it->err);
        lk_ir_state_free(it->st);
        if (it->heap)
            free(it);
    }
    free(r.queue);
    free(items);
    lk_sts_identity_clear(&id);
    /* The producers, once the taps are off the caller's client (runtime/coverage.c counts its
     * own requests). */
    if (rc == 0 && opts->read_producers && desired->n_coverages > 0) {
        struct lk_coverage_options co = {
            .concurrency = concurrency,
            .new_client = opts->new_client,
            .new_client_ctx = opts->new_client_ctx,
        };
        struct lk_coverage_report cr;
        if (lk_coverage_read(client, desired, &co, live, &cr, err) != 0) {
            rc = -1;
            report->error_context = lk_xstrdup("reading the producers of coverage requirements");
        }
        report->producer_requests = cr.requests;
        report->requests += cr.requests;
    }
    report->elapsed_ms = s_mono_ms() - started_ms;
    return rc;
}

void lk_live_report_free(struct lk_live_report *report)
{
    if (report == NULL)
        return;
    free(report->account);
    free(report->arn);
    free(report->unmanaged);
    free(report->error_context);
    memset(report, 0, sizeof(*report));
}

void lk_live_error_format(const struct lk_live_report *report, const struct lk_aws_error *err,
                          char *buf, size_t len)
{
    char text[1024];
    if (buf == NULL || len == 0)
        return;
    lk_aws_error_format(err, text, sizeof(text));
    if (report != NULL && report->error_context != NULL)
        snprintf(buf, len, "%s: %s", report->error_context, text);
    else
        snprintf(buf, len, "%s", text);
}

/* ---------------------------------------------------------------------------------------------
 * The default client factory
 * ------------------------------------------------------------------------------------------- */

int lk_live_client_new(void *ctx, struct lk_aws_client *out, struct lk_aws_error *err)
{
    const struct lk_aws_config_options *o = ctx;
    struct lk_aws_config cfg;
    struct lk_http_vtable http;
    struct lk_aws_credential_provider prov;
    memset(&cfg, 0, sizeof(cfg));
    memset(out, 0, sizeof(*out));
    if (lk_aws_config_load(o, &cfg, err) != 0)
        return -1;
    /* AWS_CA_BUNDLE: an extra CA bundle for TLS, as the AWS SDKs read it
     * (https://docs.aws.amazon.com/sdkref/latest/guide/feature-gen-config.html). */
    struct lk_http_options hopts = {0};
    const char *ca_bundle = getenv("AWS_CA_BUNDLE");
    if (ca_bundle != NULL && ca_bundle[0] != '\0')
        hopts.ca_file = ca_bundle;
    struct lk_error herr = {0};
    if (lk_http_curl_new(&hopts, &http, &herr) != LK_STATUS_OK) {
        s_set_error(err, NULL, "logkeep.HttpClient", "cannot start the HTTP client: %s",
                    herr.message);
        lk_aws_config_free(&cfg);
        return -1;
    }
    struct lk_credentials_options copts = {.profile = o ? o->profile : NULL,
                                           .http = &http,
                                           .cfg = &cfg,
                                           .sts = lk_sts_credentials_provider()};
    if (lk_credentials_chain_new(&copts, &prov) != 0) {
        s_set_error(err, NULL, "logkeep.Credentials", "cannot set up the credential chain");
        http.destroy(http.impl);
        lk_aws_config_free(&cfg);
        return -1;
    }
    if (lk_aws_client_init(out, &http, &prov, &cfg) != 0) {
        s_set_error(err, NULL, "logkeep.InvalidArgument", "cannot set up the AWS client");
        prov.destroy(prov.impl);
        http.destroy(http.impl);
        lk_aws_config_free(&cfg);
        return -1;
    }
    return 0;
}

/* ------------------------------------------------------------------------------ data loss */

enum lk_status lk_live_log_group_created(struct lk_aws_client *client, const char *name,
                                         const char *region, int64_t *created_ms,
                                         struct lk_aws_error *err)
{
    *created_ms = -1;
    /* Groups are listed in name order, so the exact name is the first one with it as prefix
     * (CloudWatch Logs API Reference, DescribeLogGroups). */
    cJSON *req = cJSON_CreateObject();
    if (!req || !cJSON_AddStringToObject(req, "logGroupNamePrefix", name) ||
        !cJSON_AddNumberToObject(req, "limit", 1))
        lk_oom();
    char *body = cJSON_PrintUnformatted(req);
    cJSON_Delete(req);
    if (!body)
        lk_oom();
    struct lk_http_response resp = {0};
    enum lk_status rc = lk_aws_json_call(client, LK_AWS_LOGS, "Logs_20140328.", "DescribeLogGroups",
                                         region, body, strlen(body), &resp, err);
    free(body);
    if (rc != LK_STATUS_OK) {
        lk_http_response_free(&resp);
        return err->status != LK_STATUS_OK ? err->status : rc;
    }
    cJSON *doc = cJSON_ParseWithLength((const char *)resp.body, resp.body_len);
    const cJSON *groups = cJSON_GetObjectItemCaseSensitive(doc, "logGroups");
    const cJSON *g = cJSON_IsArray(groups) ? cJSON_GetArrayItem(groups, 0) : NULL;
    const cJSON *n = cJSON_GetObjectItemCaseSensitive(g, "logGroupName");
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(g, "creationTime");
    if (cJSON_IsString(n) && !strcmp(n->valuestring, name) && cJSON_IsNumber(t) &&
        t->valuedouble >= 0)
        *created_ms = (int64_t)t->valuedouble;
    cJSON_Delete(doc);
    lk_http_response_free(&resp);
    return LK_STATUS_OK;
}
