/*
 * logkeep runtime: the live-state reader. Reads, into the IR of ir/ir.h, every AWS
 * resource a desired state governs, so that the drift checker can diff the two.
 *
 *   account      STS GetCallerIdentity, first and alone: live->account (and the report), so a
 *                caller can refuse to go on against another account (opts->expected_account
 *                makes the reader refuse by itself, before any other request).
 *   buckets      each desired bucket, with all its configuration (lk_s3_read_bucket():
 *                HeadBucket, GetBucketLocation only when HeadBucket gave no
 *                x-amz-bucket-region, then one Get per configuration). A missing bucket is
 *                exists = false with every configuration absent, not an error.
 *   trails       each desired trail in its home region (GetTrail, GetTrailStatus,
 *                GetEventSelectors; a missing trail is one GetTrail and exists = false).
 *   log groups   DescribeLogGroups listings, paginated: the literal prefix of every desired
 *                pattern, each desired exact name, and with opts->discover_unmanaged the whole
 *                region. A listing whose prefix starts with another listing's prefix (in the
 *                same region) is not made: the shorter one returns its groups too. A listing
 *                made only for an exact name asks for one group (limit 1) and stops after that
 *                page: "The results are ASCII-sorted by log group name" (model doc of
 *                DescribeLogGroups), and a name sorts before every longer name it prefixes.
 *                The groups are then matched locally (lk_logs_pattern_match()). A long
 *                listing (more than 20 pages) splits by name prefix while workers are idle:
 *                partitions of it are read side by side, every group still listed once, at
 *                a bounded cost in requests (live.c s_split; report->partitions).
 *   stores       with opts->discover_stores: one DescribeTrails (shadow trails included, so
 *                multi-region trails homed elsewhere are listed too) per region, the policy's
 *                and every desired trail's home region; then, for every bucket a listed trail
 *                delivers to (S3BucketName) that no desired bucket names, HeadBucket
 *                (GetBucketLocation only when HeadBucket gave no region) and
 *                GetBucketLifecycleConfiguration. A bucket read is queued as soon as the listing
 *                that names it is read, so it overlaps the other items. A bucket that refuses
 *                the reads (403: another account's bucket, typically an organisation trail's)
 *                is kept with its error code, not a failure. These are the log-receiving
 *                sources the four services logkeep speaks to (S3, CloudWatch Logs, CloudTrail,
 *                STS) can name; VPC Flow Logs, ELB access logs, AWS Config and S3 server access
 *                logging are named by other APIs.
 *
 * What ends up in @c live:
 *   - every desired bucket and trail, in live form (exists = false when AWS has none);
 *   - every live log group that a desired exact name or pattern of its region governs, and for
 *     a desired exact name that AWS does not have, an entry with exists = false;
 *   - with opts->discover_unmanaged, also every other log group of the listed regions (the
 *     policy's region and every region a desired log group names). The IR has no flag for
 *     them, so the report lists them: report->unmanaged points at the live entries that no
 *     desired name or pattern covers. live->log_groups is then the "every live log group
 *     listed" that lk_diff_log_groups_unmanaged() expects.
 *   - with opts->discover_stores, live->unmanaged_stores: one entry per bucket found above,
 *     with its region, lifecycle and every listed trail that delivers to it (name, home region,
 *     key prefix), what lk_diff_stores_unmanaged() expects.
 *   The state is canonical at the end (lk_ir_canonicalize()). Fields only desired state has
 *   (bucket store, sources, wanted days) stay NULL/zero.
 *
 * Concurrency: the work items (one bucket, one trail, one log group listing) are read by a pool
 * of worker threads, at most opts->concurrency (default 8), each with its own lk_aws_client
 * (its own curl handle, credential provider and retry quota): worker 0 uses the caller's
 * client, the others get one from opts->new_client, created on the calling thread before any
 * worker starts (so libcurl's global initialisation never races). Workers pull items from a
 * mutex-protected queue in a fixed order: trail listings first (they add the bucket reads
 * behind them), then longest first (paginated listings, whose pages must follow one another;
 * buckets, 7 requests; trails, 3; one-page exact-name listings), and write each result into the
 * item's own scratch lk_ir_state; nothing is shared between workers but the queue. A worker
 * that finds the queue empty while a trail listing is still being read waits for the bucket
 * reads it may add. After every worker has stopped, the calling thread copies the results into
 * @c live in a fixed order (buckets and trails in the desired state's order, then the log
 * groups by region and name, the unmanaged stores by bucket) and canonicalises: the result
 * does not depend on timing.
 *
 * Throttling: each client's retry mode backs off and retries throttling errors. The read uses
 * the adaptive retry mode (AWS SDKs and Tools Reference Guide, "Retry behavior") unless the
 * caller's client is configured for another (retry_mode, AWS_RETRY_MODE: standard or legacy):
 * one client-side rate limiter per service and Region (runtime/transport/ratelimit.h), shared
 * by every worker, which delays requests after the first throttling answer so that throttling
 * is avoided rather than only retried. On top of that, every HTTP answer is inspected (the reader
 * wraps each client's transport while it runs); when a throttling answer arrives (the standard
 * mode's throttling codes, or an S3 503, S3's "slow down" status), the bound on items in flight is
 * halved, to a minimum of 1, for the rest of the read. Only a throttle on a request sent after the
 * last reduction halves it again, so one burst of throttles costs one halving, not one per request.
 * Items in flight finish; the lower bound applies to the items handed out next.
 *
 * Errors: the first item that fails with a hard error (anything but "not found" and "not
 * configured" answers, which are absent state) stops the handing out of new items; the items
 * in flight finish, then the call returns -1 with that error in @p err and the resource in
 * report->error_context ("reading bucket NAME"); lk_live_error_format() joins the two.
 *
 * Thread-safety: lk_live_read() itself may be called from any one thread at a time per client.
 */
#ifndef LK_LIVE_H
#define LK_LIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "runtime/transport/client.h"
#include "ir/ir.h"

/* Items read at once unless the options say otherwise. Eight connections per host is what
 * browsers and the AWS SDKs' default pools allow and far below the request rates that AWS
 * throttles control-plane reads at. */
#define LK_LIVE_DEFAULT_CONCURRENCY 8
/* Upper bound on opts->concurrency: each worker holds a connection and a client. */
#define LK_LIVE_MAX_CONCURRENCY 64

/* DescribeLogGroups returns at most 50 groups a page (model DescribeLimit, "limit" 1-50). */
#define LK_LIVE_LOG_GROUPS_PER_PAGE 50

/* Error code for opts->expected_account not matching the credentials' account. Not an AWS
 * code (those never contain a '.'). */
#define LK_LIVE_WRONG_ACCOUNT "logkeep.WrongAccount"

/* What a unit of work, and its requests, were about. */
enum lk_live_kind {
    LK_LIVE_ACCOUNT,    /* STS GetCallerIdentity */
    LK_LIVE_BUCKET,     /* one desired bucket */
    LK_LIVE_TRAIL,      /* one desired trail */
    LK_LIVE_LOG_GROUPS, /* one DescribeLogGroups listing: a prefix, or a whole region */
    LK_LIVE_TRAILS,     /* one DescribeTrails listing of a region (discover_stores) */
    LK_LIVE_STORE,      /* one bucket a listed trail delivers to, outside the policy */
    LK_LIVE_KEY,        /* one desired KMS key's policy (GetKeyPolicy, in the key's region) */
    LK_LIVE_KIND_COUNT,
};

/** @return "account", "bucket", "trail", "log groups", "trail listing", "unmanaged store" or
 *  "key policy". */
const char *lk_live_kind_name(enum lk_live_kind kind);

/* How far a read is (lk_live_options.progress). */
struct lk_live_progress {
    size_t done;      /* work items finished, non-decreasing */
    size_t total;     /* work items known: it grows when a trail listing names buckets to read
                         and when a long log group listing splits (live.c s_split) */
    size_t pages;     /* DescribeLogGroups pages read */
    size_t requests;  /* HTTP requests sent, retries included */
    size_t throttled; /* throttling answers */
    int64_t elapsed_ms;
};

/* How often, at least, lk_live_options.progress is called while a read runs, whether or not
 * anything finished: a caller can print a heartbeat on its own schedule from these calls. */
#define LK_LIVE_PROGRESS_TICK_MS 250

struct lk_live_options {
    int concurrency;              /* items read at once; 0: LK_LIVE_DEFAULT_CONCURRENCY; capped at
                                     LK_LIVE_MAX_CONCURRENCY; 1 without new_client */
    bool discover_unmanaged;      /* also list every log group of the regions (see above) */
    bool discover_stores;         /* also list the trails and read the buckets they deliver to
                                     that the policy does not govern (see above) */
    const char *expected_account; /* when set, a different caller account fails the read with
                                     LK_LIVE_WRONG_ACCOUNT before anything else is read */
    /* A desired key's policy must be read: GetKeyPolicy refused (AccessDeniedException,
     * KMSInvalidStateException, InvalidArnException) fails the read like any other request
     * instead of being kept in key.error. Apply sets it: it cannot leave a key policy it was asked
     * to keep unchecked and still succeed. NotFoundException stays the key's state (the diff
     * reports the missing key). */
    bool keys_required;
    /* Creates the client of workers 1..N-1 (worker 0 uses the caller's), or NULL. Called on
     * the calling thread, before any worker starts; each client is freed with
     * lk_aws_client_free() before lk_live_read() returns. Returns 0, or -1 with @p err set
     * (the read then fails with that error). lk_live_client_new() is one. */
    int (*new_client)(void *ctx, struct lk_aws_client *out, struct lk_aws_error *err);
    void *new_client_ctx;
    /* Progress, for a terminal indicator or a heartbeat: called on the calling thread only, first
     * with done 0, then whenever an item finishes and at least every LK_LIVE_PROGRESS_TICK_MS
     * while the read runs, and, after a successful read, with done == total. May be NULL. */
    void (*progress)(void *ctx, const struct lk_live_progress *p);
    void *progress_ctx;
    /* Also read the producers of the desired state's coverage requirements into
     * live->producers (runtime/coverage.h), after everything else, with the same concurrency
     * and client factory. Off by default: the readers that compare stores only are unchanged. */
    bool read_producers;
};

/* Requests of one kind. */
struct lk_live_counts {
    size_t items;     /* work items read */
    size_t requests;  /* HTTP requests sent, retries included */
    size_t minimum;   /* requests the APIs need at least for what was found: per bucket
                         HeadBucket (+ GetBucketLocation when HeadBucket gave no region) + 6
                         Gets, 1 when missing; per trail 3, 1 when missing; per listing
                         ceil(groups / 50) pages, at least 1 (1 for an exact-name listing);
                         per trail listing 1 (DescribeTrails has no pages); per unmanaged
                         store HeadBucket (+ GetBucketLocation when it gave no region) +
                         GetBucketLifecycleConfiguration, 1 when missing or refused at
                         HeadBucket; 1 GetCallerIdentity */
    size_t throttled; /* answers that were throttling errors (each was retried or failed) */
    size_t failed;    /* HTTP answers other than 2xx, and exchanges without an answer (all
                         retried ones included); "not found"/"not configured" answers count */
};

struct lk_live_report {
    char *account; /* owned (heap): the caller's account, from STS; NULL if that call failed */
    char *arn;     /* owned (heap): the caller's ARN */
    struct lk_live_counts counts[LK_LIVE_KIND_COUNT];
    size_t requests;          /* all kinds */
    size_t minimum;           /* all kinds */
    size_t throttled;         /* all kinds */
    size_t producer_requests; /* with read_producers: its calls (also in requests; a retried
                                 call counts once, lk_coverage_report.requests) */
    int concurrency;          /* worker threads started */
    int concurrency_final;    /* bound on items in flight at the end (lower after throttling) */
    unsigned reductions;      /* times throttling halved the bound */
    size_t log_groups_listed; /* distinct groups the listings returned */
    size_t partitions;        /* DescribeLogGroups listings split off long ones (live.c) */
    size_t partitions_hinted; /* of them, those under a prefix the desired state names groups
                                 under (live.c s_split: where the names branch) */
    /* With discover_unmanaged: the entries of live->log_groups that no desired exact name or
     * pattern covers, in live's (canonical) order. Owned array (heap) of borrowed pointers,
     * valid while @c live is not changed. */
    const struct lk_ir_log_group **unmanaged;
    size_t n_unmanaged;
    /* When the read failed: what was being read ("reading bucket NAME", "reading trail NAME",
     * "listing log groups \"PREFIX\" in REGION", "listing the trails of REGION", "reading the
     * lifecycle of bucket NAME", "reading the caller identity"). Owned (heap). */
    char *error_context;
    enum lk_live_kind error_kind;
    int64_t elapsed_ms;         /* wall-clock time of the read */
    bool adaptive;              /* the adaptive retry mode's rate limiters were used (see above) */
    int64_t rate_limit_wait_ms; /* waits they imposed, summed over the workers */
};

/**
 * Reads the live state of everything @p desired governs. See the top of this file.
 * @param client the caller's client: used for GetCallerIdentity and as worker 0's client. Its
 *        transport is wrapped while the call runs and restored before it returns.
 * @param desired the desired state (lk_lower()); only read.
 * @param opts options; NULL means the defaults without a client factory (one worker).
 * @param live a fresh state (lk_ir_state_new()) that receives the live state; on failure it
 *        holds at most account, region and partition.
 * @param report receives the counts and findings; release with lk_live_report_free() (also
 *        after a failure). Zeroed on entry.
 * @param err receives the first hard error (caller clears); must be empty on entry.
 * @return 0, or -1 with @p err and report->error_context set.
 */
int lk_live_read(struct lk_aws_client *client, const struct lk_ir_state *desired,
                 const struct lk_live_options *opts, struct lk_ir_state *live,
                 struct lk_live_report *report, struct lk_aws_error *err);

/** Frees what @p report owns and zeroes it. NULL is allowed. */
void lk_live_report_free(struct lk_live_report *report);

/**
 * Formats a failed read as one line: "reading bucket NAME: GetBucketPolicy failed:
 * AccessDenied: ... (HTTP 403, request id ...)". Without an error context, just the AWS error.
 */
void lk_live_error_format(const struct lk_live_report *report, const struct lk_aws_error *err,
                          char *buf, size_t len);

/**
 * A client factory for opts->new_client that builds each client the way `logkeep whoami`
 * does: lk_aws_config_load() from @p ctx (a const struct lk_aws_config_options *, or NULL),
 * the libcurl transport (AWS_CA_BUNDLE as extra CA bundle) and the standard credential chain.
 * Each worker resolves credentials on its own (an assume-role profile assumes the role once per
 * worker).
 */
int lk_live_client_new(void *ctx, struct lk_aws_client *out, struct lk_aws_error *err);

/**
 * When log group @p name of @p region was created (DescribeLogGroups "creationTime", in
 * milliseconds since 1970), for the data-loss judgement of apply: a group younger than a
 * retention holds nothing that retention would delete. Read only when that judgement needs it.
 * @param created_ms receives the time, or -1 when the group is not listed.
 * @return LK_STATUS_OK, or the call's status with @p err.
 */
LK_MUST_CHECK enum lk_status lk_live_log_group_created(struct lk_aws_client *client,
                                                       const char *name, const char *region,
                                                       int64_t *created_ms,
                                                       struct lk_aws_error *err);

#endif
