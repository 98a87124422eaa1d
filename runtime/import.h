/*
 * logkeep runtime: `logkeep import`, a draft policy from live state (docs/import.md).
 *
 *   lk_import_read()          reads what a draft needs from AWS into one IR state: the trails
 *                             of the Region (DescribeTrails) and everything about them, the
 *                             flow logs (DescribeFlowLogs), load balancers (DescribeLoadBalancers
 *                             and each one's attributes) and Config delivery channels
 *                             (DescribeDeliveryChannels) that write to S3, the buckets all these
 *                             deliver to and the buckets named by the caller (all their
 *                             configuration), the KMS key policies those use, and the log groups
 *                             of the Region (or those under a prefix);
 *   lk_import_group()         groups log groups into patterns (the algorithm is below);
 *   lk_import_draft()         writes the policy document as YAML text.
 *
 * The state lk_import_draft() reads may as well come from a snapshot (`logkeep snapshot`, read
 * back with lk_ir_state_from_json()): a draft depends on the state only, never on how it was
 * read, so a snapshot of the same resources gives the same bytes. The deliveries other than
 * trails are kept in the state as live->unmanaged_stores[].deliveries, whose service is the
 * source type ("vpc-flow-logs", "elb-access-logs", "nlb-access-logs", "config") and whose name
 * is the flow log, load balancer or delivery channel.
 *
 * Grouping (lk_import_group()): the log groups are sorted by name and seen as a tree of path
 * prefixes ending in '/' ("/aws/", "/aws/eks/", ...). Walking from the top, the first prefix
 * under which every group shares the same retention and deletion protection, and which holds
 * at least LK_IMPORT_MIN_PATTERN groups, becomes the pattern "<prefix>*"; below a prefix whose
 * groups differ, each child prefix is tried in turn, and a group under no such prefix keeps its
 * exact name. A prefix must start with the caller's name prefix (so a pattern never reaches a
 * group that was not imported) and hold more than '/' characters (no pattern of "/" alone catching
 * everything). Because a pattern is made only where every group it matches has its settings, plan
 * of the draft sees each group with the retention it has.
 */
#ifndef LK_RUNTIME_IMPORT_H
#define LK_RUNTIME_IMPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"
#include "ir/ir.h"
#include "runtime/diff/diff.h"
#include "runtime/live.h"
#include "runtime/transport/client.h"

/* The fewest log groups a pattern stands for: one group keeps its exact name. */
#define LK_IMPORT_MIN_PATTERN 2

/* What lk_import_read() could not discover without failing: one line per service whose
 * listing was denied (the caller has the permissions of an earlier version). */
struct lk_import_warnings {
    char **lines; /* heap */
    size_t n;
};

/** Frees @p w's lines and zeroes it. */
void lk_import_warnings_free(struct lk_import_warnings *w);

/* What to import besides the trails and their buckets. Pointers are borrowed. */
struct lk_import_options {
    const char *const *buckets; /* --bucket: more buckets to draft stores for */
    size_t n_buckets;
    const char *log_group_prefix; /* --log-group-prefix: only groups starting with it; NULL all */
    const struct lk_import_warnings *warnings; /* lk_import_read()'s, for the header; or NULL */
};

/* One entry of a source's log_groups: an exact name or a pattern, with the settings of every
 * group it stands for. */
struct lk_import_group {
    char *name; /* arena */
    bool pattern;
    int32_t retention_days; /* 0: never expire */
    bool deletion_protection;
    size_t members;  /* live groups it stands for */
    size_t with_kms; /* of them, those encrypted with a KMS key (kmsKeyId) */
};

/**
 * Groups the log groups of @p region in @p groups (those that exist and start with
 * @p prefix) into patterns and exact names (see the top of this file).
 * @param arena owns the names written to @p out.
 * @param out receives an array (lk_xmalloc; caller frees) sorted by name; NULL when none.
 * @return the number of entries in @p out.
 */
size_t lk_import_group(struct lk_arena *arena, const struct lk_ir_log_group *groups, size_t n,
                       const char *region, const char *prefix, struct lk_import_group **out);

/**
 * Reads what a draft needs (see the top of this file) with clients built from @p client_opts
 * (lk_live_client_new()).
 * @param concurrency items read at once (lk_live_options); 0 the default.
 * @param progress called as lk_live_options.progress says, in each of the three reads; may be
 *        NULL.
 * @param out receives the state (lk_ir_state_free()) on success.
 * @param warnings receives a line for each discovery listing that was denied (AccessDenied,
 *        AccessDeniedException, UnauthorizedOperation): not a failure; the caller frees it with
 *        lk_import_warnings_free(), whatever the result.
 * @param message receives why the read failed (heap, free()), with the resource and the AWS
 *        error: "reading bucket NAME: GetBucketPolicy failed: AccessDenied: ... (HTTP 403)".
 * @return LK_STATUS_OK, or the status of the failed call with @p message.
 */
LK_MUST_CHECK enum lk_status
lk_import_read(const struct lk_aws_config_options *client_opts, int concurrency,
               const struct lk_import_options *o,
               void (*progress)(void *ctx, const struct lk_live_progress *p), void *progress_ctx,
               struct lk_ir_state **out, struct lk_import_warnings *warnings, char **message);

/**
 * Writes the draft policy of @p live to @p out: the schema modeline, a header (with
 * @p o->warnings), the plan list,
 * then `logkeep`, `account`, `region`, roles, stores and sources, every list sorted, every
 * scalar that needs it quoted, and a comment "logkeep cannot express: ..." next to what the
 * language has no key for.
 * @param plan the changes plan of this draft would show against @p live (lk_diff_states() of
 *        the draft compiled), listed in the header; NULL before it is known.
 * @return the number of "cannot express" comments written.
 */
size_t lk_import_draft(const struct lk_ir_state *live, const struct lk_import_options *o,
                       const struct lk_diff *plan, struct lk_buf *out);

#endif
