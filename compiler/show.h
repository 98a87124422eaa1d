/*
 * logkeep: what `logkeep show` says about a source, computed from the checked policy and its
 * desired state: the timeline of its logs in days (readily available, each storage class from,
 * the end of the availability window, deleted or kept forever), and what CloudWatch Logs keeps
 * of each of its log groups.
 */
#ifndef LK_SHOW_H
#define LK_SHOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "compiler/policy.h"
#include "ir/ir.h"

enum lk_show_event_kind {
    LK_SHOW_AVAILABLE,  /* day 0: written, readily available (S3 Standard or CloudWatch Logs) */
    LK_SHOW_WINDOW_END, /* the end of the availability window (`available`) */
    LK_SHOW_TIER,       /* the logs move to a storage class (S3 only) */
    LK_SHOW_DELETED,    /* the logs are deleted (delete_after) */
    LK_SHOW_FOREVER,    /* the logs are never deleted; day is -1 */
};

struct lk_show_event {
    enum lk_show_event_kind kind;
    int64_t day;
    enum lk_storage_class storage_class; /* LK_SHOW_TIER */
};

/* A source's timeline: its events in the order they happen, the last one LK_SHOW_DELETED or
 * LK_SHOW_FOREVER. */
struct lk_show_timeline {
    struct lk_show_event *events; /* owned (heap) */
    size_t n;
    bool in_s3;           /* the logs live in a store's bucket, else in CloudWatch Logs only */
    int64_t delete_years; /* DELETED: the whole number of years (1 to 100) whose days are the
                             deletion day, as the policy may have said it; 0 when none */
    bool versioned;       /* DELETED in a versioned bucket: replaced, deleted or expired
                             versions are kept delete_after days more as noncurrent versions
                             (the noncurrent expiration the lifecycle adds) */
};

/**
 * Computes the timeline of @p src.
 * @param src a source of a checked policy without errors.
 * @param out receives the timeline; release it with lk_show_timeline_free() when this returns
 *        true.
 * @return false (nothing allocated) when the source has no retention.
 */
bool lk_show_timeline(const struct lk_source *src, struct lk_show_timeline *out);

/** Frees the events of @p t and zeroes it. */
void lk_show_timeline_free(struct lk_show_timeline *t);

/**
 * @return the log group or pattern named @p name in the desired state @p st (what CloudWatch
 *         Logs keeps: retention_days, and the wanted_days it was rounded up from), or NULL when
 *         the state has none (the group is then never expired).
 */
const struct lk_ir_log_group *lk_show_log_group(const struct lk_ir_state *st, struct lk_str name);

/**
 * Whether a principal (an IAM ARN or an account ID) belongs to another account than the
 * policy's (LK208 says so of readers).
 * @param account receives the principal's account when this returns true
 * @return true for a principal of another account; false for the policy's own account, a
 *         principal whose account cannot be read, or a policy without an account
 */
bool lk_show_other_account(const struct lk_policy *p, struct lk_str principal,
                           struct lk_str *account);

#endif
