/*
 * logkeep runtime: the semantic diff of desired against live AWS state, for `logkeep plan`,
 * `apply` and `drift`.
 *
 * Both sides are the IR of ir/ir.h: the compiler lowers a policy into the desired state,
 * the runtime reads AWS into the live state. The diff compares meaning, not spelling: a bucket
 * policy is a set of statements whatever their order, Sids or list spellings; "not configured"
 * answers compare equal to the defaults AWS applies in their place; lifecycle rules match by ID.
 *
 * Each change names a resource, an attribute path, what kind of change it is, and two verdicts:
 *
 *  direction  whether the LIVE state is weaker or stronger than the policy for the logs. WEAKER:
 *             logs are deleted earlier, archived colder earlier, readable or writable by more
 *             principals, less protected (versioning, Object Lock, Block Public Access,
 *             encryption), less validated, or not recorded or delivered. STRONGER: the reverse
 *             (logs kept longer than the policy says is stronger; a deletion the policy asks for
 *             that has not happened yet is drift, but not a weakness). NEUTRAL: different, with
 *             no order (an S3 key prefix, a region, housekeeping).
 *
 *  data_loss  whether APPLYING the desired value could destroy logs that exist, or irreversibly
 *             reduce what is recorded or protected from then on. `apply` refuses such a change
 *             unless its @c allow_name is given (--allow). Allow names are "<verb>:<target>":
 *
 *               shorten-retention:<log group>      CloudWatch Logs retention lowered, or a
 *                                                  never-expire group given a finite one
 *               unmanaged-retention                the same for log groups that only the
 *                                                  policy's unmanaged rule governs: one
 *                                                  allowance for all of them, since services
 *                                                  create such groups unannounced (each
 *                                                  /aws/lambda/<function>, ...)
 *               expire-earlier:<bucket>/<rule ID>  a lifecycle rule expires current or
 *                                                  noncurrent versions earlier, is enabled, or
 *                                                  covers more keys (also a missing rule that
 *                                                  expires)
 *               replace-lifecycle:<bucket>         the live lifecycle holds rules logkeep cannot
 *                                                  fully read (tag/size filters, dates,
 *                                                  NewerNoncurrentVersions), which apply replaces
 *               suspend-versioning:<bucket>        versioning enabled live, not desired
 *               remove-object-lock:<bucket>        a default retention live, none desired
 *               weaken-object-lock:<bucket>        a weaker mode or shorter default retention
 *               lock:<bucket>                      a default retention turned on, GOVERNANCE ->
 *                                                  COMPLIANCE, or a longer period: binds what is
 *                                                  written from then on, irreversibly
 *               stop-delivery:<bucket>/<Sid>       a bucket policy statement that lets a service
 *                                                  write logs is removed or narrowed ("#<n>" for
 *                                                  a statement without Sid)
 *               stop-logging:<trail>               IsLogging true live, false desired
 *               reduce-logging:<trail>             fewer events recorded or delivered:
 *                                                  multi-Region, organization, global service
 *                                                  events, event selectors, CloudWatch Logs
 *                                                  delivery
 *               disable-validation:<trail>         log file validation turned off
 *               key-policy:<key-id>                logkeep's statements of a KMS key policy
 *                                                  added, changed or removed (a key policy can
 *                                                  lock its owner out of the key)
 *               log-group-key:<log group>          a log group's KMS key replaced by another
 *
 *             Names contain no region: one allowance covers the resource in every region of
 *             the plan. Deleting a trail, bucket or log group is never planned.
 *
 * Memory: a struct lk_diff owns its changes; every string of every change lives in its arena.
 */
#ifndef LK_DIFF_H
#define LK_DIFF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "common/arena.h"
#include "common/result.h"
#include "ir/ir.h"

struct lk_buf;

/* What a change is about. The order is the order of a rendered plan. */
enum lk_diff_resource {
    LK_DIFF_BUCKET,
    LK_DIFF_LOG_GROUP, /* a log group a desired name or pattern governs */
    LK_DIFF_TRAIL,
    LK_DIFF_UNMANAGED_LOG_GROUP, /* a log group only the policy's unmanaged rule governs */
    LK_DIFF_UNMANAGED_STORE,     /* a bucket that receives logs but that no store names */
    LK_DIFF_KEY,                 /* a KMS key's policy (name: the key ARN) */
    LK_DIFF_PRODUCER, /* a producer of logs (name: its ID; attribute "<type>[<source>]") */
};

enum lk_diff_kind {
    LK_DIFF_MISSING, /* desired, absent live: apply adds it */
    LK_DIFF_CHANGED, /* both, different meaning: apply changes it */
    LK_DIFF_EXTRA,   /* live, not desired: apply removes it (an unmanaged store: reported only,
                        apply never acts on a bucket the policy does not name) */
    LK_DIFF_NOTE,    /* information, not drift (a pattern that matches no log group; a bucket
                        policy statement logkeep does not own, which apply keeps: WEAKER when it
                        weakens the store, bucket_policy.c) */
};

enum lk_diff_direction {
    LK_DIFF_NEUTRAL,
    LK_DIFF_WEAKER,   /* live is weaker than the policy */
    LK_DIFF_STRONGER, /* live is stronger than the policy */
};

struct lk_diff_change {
    enum lk_diff_resource resource;
    char *name;      /* arena: bucket, log group (or pattern, for a note) or trail name */
    char *region;    /* arena: the resource's region, or NULL when no state says */
    char *attribute; /* arena: "versioning", "lifecycle.rule[ID].expiration_days", ...; "" is
                      * the resource as a whole */
    enum lk_diff_kind kind;
    enum lk_diff_direction direction;
    char *desired;    /* arena: the desired value, rendered short; NULL for EXTRA and notes */
    char *live;       /* arena: the live value, rendered short; NULL for MISSING and notes */
    bool data_loss;   /* applying the desired value needs --allow <allow_name> */
    char *allow_name; /* arena: set exactly when data_loss */
    char *note;       /* arena: a short explanation, or NULL */
    char *arn;        /* arena: the resource's ARN where the diff knows it (a producer's: its
                       * own, or made from its ID, account and Region), else NULL */
    size_t seq;       /* order of discovery: the last sort key, so order is total */
    /* Where the policy says what is desired (strings in the arena): the origin of the desired
     * node behind the change, that of the single setting where the policy writes it (a lifecycle
     * rule's retention, the store's encryption, a trail's multi_region, ...), else that of the
     * resource. A live rule or statement the policy lacks takes the bucket's; an
     * unmanaged log group the unmanaged rule's (none without one); an unmanaged store none
     * (file NULL). */
    struct lk_ir_origin origin;
};

struct lk_diff {
    struct lk_arena arena;          /* owns every string of every change */
    struct lk_diff_change *changes; /* owned (heap): sorted by resource, name, region,
                                     * attribute */
    size_t n;
    size_t cap;
};

/** Counts of a diff, as the summary line states them. */
struct lk_diff_summary {
    size_t to_add;           /* MISSING */
    size_t to_change;        /* CHANGED */
    size_t to_remove;        /* EXTRA */
    size_t unmanaged_stores; /* of to_remove: unmanaged stores, reported only (apply keeps them) */
    size_t notes;            /* NOTE (in no other count) */
    size_t weaker;           /* drift (not notes) where live is weaker than the policy */
    size_t stronger;         /* drift where live is stronger */
    size_t need_allow;       /* changes with data_loss */
};

/** Initialises an empty diff. Free it with lk_diff_free(). */
void lk_diff_init(struct lk_diff *diff);

/** Frees every change and string of @p diff; it may be initialised again. NULL is allowed. */
void lk_diff_free(struct lk_diff *diff);

/**
 * Appends the changes that turn @p live into @p desired to @p out, then sorts @p out.
 *
 * Only what @p desired names is compared: live buckets, trails and log groups it does not name
 * are ignored (see lk_diff_log_groups_unmanaged() and lk_diff_stores_unmanaged()). A desired
 * bucket or trail with no live entry, or one with exists = false, is MISSING. Desired log group
 * patterns ('*' = any run) are matched against the live log groups of their region; each match
 * is compared with the pattern's retention (an exact desired name wins over patterns; among
 * patterns, the one with the most literal characters); a pattern matching nothing is a NOTE.
 *
 * @param desired the lowered policy (canonical, lk_ir_canonicalize()).
 * What the live reader saw but the IR cannot hold (the unmodelled bits and filter rule IDs of
 * live buckets and trails, ir.h) is reported too: live configuration that applying would
 * replace unseen.
 *
 * @param live the live state read from AWS, in the same IR (order does not matter).
 * @param out an initialised diff (lk_diff_init()); changes are appended.
 * @return LK_STATUS_OK, or LK_STATUS_INVALID_ARGUMENT when an argument is NULL (nothing
 *         appended).
 */
LK_MUST_CHECK enum lk_status lk_diff_states(const struct lk_ir_state *desired,
                                            const struct lk_ir_state *live, struct lk_diff *out);

/** The allow name of every data-loss change of an unmanaged log group. */
#define LK_DIFF_ALLOW_UNMANAGED_RETENTION "unmanaged-retention"

/**
 * Appends the log groups of @p groups that no desired name or pattern covers and whose retention
 * breaks the policy's unmanaged rule (LK_DIFF_UNMANAGED_LOG_GROUP): a retention other than
 * desired->unmanaged_retention_days is CHANGED (in the policy's region); one that keeps logs
 * longer than the rule, never-expire included, needs LK_DIFF_ALLOW_UNMANAGED_RETENTION. Without
 * a rule, and in other regions, a never-expire group is a NOTE. Sorts @p out.
 * @param groups every live log group listed (DescribeLogGroups), any order; entries with
 *        exists = false are skipped (live state from lk_live_read() with discover_unmanaged:
 *        live->log_groups).
 * @return LK_STATUS_OK, or LK_STATUS_INVALID_ARGUMENT when an argument is NULL.
 */
LK_MUST_CHECK enum lk_status lk_diff_log_groups_unmanaged(const struct lk_ir_state *desired,
                                                          const struct lk_ir_log_group *groups,
                                                          size_t n, struct lk_diff *out);

/**
 * Appends the buckets of @p stores that receive logs, that no desired bucket names, and where
 * nothing deletes those logs (LK_DIFF_UNMANAGED_STORE): no lifecycle configuration (attribute
 * "lifecycle"), or no enabled rule with an expiration of current objects whose prefix reaches
 * where a delivery writes ("<key prefix>/AWSLogs/", or "AWSLogs/"; attribute
 * "lifecycle.expiration"). With an unmanaged rule in the policy such a bucket is EXTRA and
 * STRONGER (logs kept longer than the policy's finite retentions; apply never acts on it),
 * without one a NOTE, as never-expire log groups are. A bucket that could not be read, does not
 * exist, or whose lifecycle holds rules the IR cannot hold (dates, tag or size filters) and
 * nothing modelled covers the logs, is a NOTE. Sorts @p out.
 * @param stores live->unmanaged_stores of lk_live_read() with discover_stores.
 * @return LK_STATUS_OK, or LK_STATUS_INVALID_ARGUMENT when an argument is NULL.
 */
LK_MUST_CHECK enum lk_status lk_diff_stores_unmanaged(const struct lk_ir_state *desired,
                                                      const struct lk_ir_unmanaged_store *stores,
                                                      size_t n, struct lk_diff *out);

/**
 * Appends how each producer of @p live stands against each coverage requirement of @p desired
 * (LK_DIFF_PRODUCER; runtime/diff/coverage.c): missing, delivering elsewhere (needs
 * --allow redirect:<id>) or partly, and notes for excluded and unreadable producers. Call it
 * only with producers read (lk_live_options.read_producers): without, every requirement is
 * missing. Sorts @p out.
 * @return LK_STATUS_OK, or LK_STATUS_INVALID_ARGUMENT when an argument is NULL.
 */
LK_MUST_CHECK enum lk_status lk_diff_coverage(const struct lk_ir_state *desired,
                                              const struct lk_ir_state *live,
                                              struct lk_diff *out);

/**
 * Appends a NOTE (LK_DIFF_PRODUCER, region NULL, attribute "<type>[<source>].exclude" or
 * ".ids") for each exclusion and `ids` entry of a source that names no producer read in any of
 * the @p n pairs (desired[i], live[i]): a stale exclusion, or an ID that selects nothing (an ID
 * is lowered into every pair of its source, so this is decided over all of them). A source with
 * a requirement in a pair whose type could not be read (listing refused, or a Region the live
 * state does not hold) is not decided. Sorts @p out.
 * @return LK_STATUS_OK, or LK_STATUS_INVALID_ARGUMENT when an argument is NULL.
 */
LK_MUST_CHECK enum lk_status lk_diff_coverage_stale(const struct lk_ir_state *const *desired,
                                                    const struct lk_ir_state *const *live,
                                                    size_t n, struct lk_diff *out);

/**
 * lk_diff_coverage_stale(), each finding appended to @p outs[i] of the first pair i whose
 * desired state names the exclusion or ID (an organisation run reports it with that pair).
 * Sorts every diff of @p outs.
 * @param outs n diffs
 * @return LK_STATUS_OK, or LK_STATUS_INVALID_ARGUMENT when an argument is NULL.
 */
LK_MUST_CHECK enum lk_status lk_diff_coverage_stale_pairs(const struct lk_ir_state *const *desired,
                                                          const struct lk_ir_state *const *live,
                                                          size_t n, struct lk_diff *const *outs);

/** Fills @p out with the counts of @p diff. */
void lk_diff_summarize(const struct lk_diff *diff, struct lk_diff_summary *out);

/**
 * @return the first change of @p diff for this resource and attribute (name compared exactly),
 *         or NULL.
 */
const struct lk_diff_change *lk_diff_find(const struct lk_diff *diff,
                                          enum lk_diff_resource resource, const char *name,
                                          const char *attribute);

/**
 * Appends to @p b the sentence a report shows for @p count producer changes (LK_DIFF_PRODUCER)
 * alike but for their producer, @p first one of them: "14 VPCs in account 111122223333,
 * eu-west-1, have no flow log to s3://acme-network-logs/vpcflow/" (issue wording: grouped by
 * pair, type and source, destination and kind), without the IDs.
 * @param account the pair's account, or NULL
 */
void lk_diff_producer_sentence(struct lk_buf *b, const struct lk_diff_change *first, size_t count,
                               const char *account);

/** @return whether producer changes @p a and @p b are one group of lk_diff_producer_sentence():
 *  the same pair Region, type and source, kind, direction, destination, live value, note and
 *  --allow verb. */
bool lk_diff_producer_alike(const struct lk_diff_change *a, const struct lk_diff_change *b);

/**
 * lk_diff_render_text(), with the account of the pair (@p account, or NULL) in the grouped lines
 * of producers: the producer changes alike (lk_diff_producer_alike()) are one block of one line
 * (lk_diff_producer_sentence() and their IDs) instead of a block per producer.
 */
LK_MUST_CHECK enum lk_status lk_diff_render_text_for(const struct lk_diff *diff,
                                                     const char *account, FILE *f, bool color);

/**
 * Renders @p diff in the style of `terraform plan`: a header per resource, then a line per
 * change ("+ attr = desired", "~ attr: live -> desired", "- attr = live", "# attr: note") with
 * [weaker]/[stronger] markers and the --allow name a change needs, and a final summary line:
 * "N to add, N to change, N to remove (K weaker than policy; J need --allow)".
 * Under a change with an origin come its location and source line, as a diagnostic shows them
 * (compiler/diag.c):
 *
 *       policy.yaml:40:16
 *    40 |     retention: security-evidence
 *       |                ^~~~~~~~~~~~~~~~~
 *
 * once for each run of consecutive changes of a resource that share the origin, under the
 * run's last line (the changes of one lifecycle rule, or of a bucket's Block Public Access,
 * usually come from one key).
 * @param color use ANSI colours (for a terminal).
 * @return LK_STATUS_OK; LK_STATUS_INVALID_ARGUMENT when an argument is NULL;
 *         LK_STATUS_TOO_LARGE when the rendering passes LK_BUF_MAX_REPORT (nothing written);
 *         LK_STATUS_IO when writing to @p f failed.
 */
LK_MUST_CHECK enum lk_status lk_diff_render_text(const struct lk_diff *diff, FILE *f, bool color);

/**
 * @return the diff as JSON (for --out plan.json and --format json):
 *         {"format_version": 1, "changes": [{"resource", "name", "region", "attribute",
 *         "action" ("add", "change", "remove", "note"), "direction" ("weaker", "stronger",
 *         "neutral"), "desired", "live", "data_loss", "allow_name", "note", "origin"
 *         ({"file", "line", "column"}: the policy file as given and the one-based line and
 *         column)}], "summary": {"add", "change", "remove", "unmanaged_stores", "notes",
 *         "weaker", "stronger", "need_allow"}}, absent values as null. "origin" was added
 *         without a new format_version: readers of version 1 ignore members they do not know.
 *         A heap string (free()); NULL only when @p diff is NULL.
 */
char *lk_diff_to_json(const struct lk_diff *diff);

/** @return "bucket", "log_group", "trail", "unmanaged_log_group", "unmanaged_store", "key"
 *  or "producer". */
const char *lk_diff_resource_name(enum lk_diff_resource resource);
/** @return "add", "change", "remove" or "note". */
const char *lk_diff_kind_name(enum lk_diff_kind kind);
/** @return "weaker", "stronger" or "neutral". */
const char *lk_diff_direction_name(enum lk_diff_direction direction);

#endif
