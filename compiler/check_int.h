/*
 * logkeep: helpers shared by the check families.
 */
#ifndef LK_CHECK_INT_H
#define LK_CHECK_INT_H

#include <stdbool.h>

#include "compiler/policy.h"

/** The five fields of an ARN after "arn:"; views into the original string. */
struct lk_arn {
    struct lk_str partition;
    struct lk_str service;
    struct lk_str region;
    struct lk_str account;
    struct lk_str resource;
};

/** @return true when @p arn splits into arn:partition:service:region:account:resource. */
bool lk_arn_split(struct lk_str arn, struct lk_arn *out);

/** @return "aws", "aws-cn" or "aws-us-gov" for a known region, else NULL. */
const char *lk_region_partition(struct lk_str region);

/** Reports an unknown Region (LK025, with a suggestion). @return true when @p region is unset or
 *  known. */
bool lk_check_region(struct lk_policy *policy, const struct lk_text *region);

/** @return true for exactly 12 digits. */
bool lk_account_id_valid(struct lk_str s);

/** @return NULL for a valid general purpose bucket name, else the rule it breaks. */
const char *lk_bucket_name_problem(struct lk_str bucket);

/** @return NULL for a valid log group name (or pattern with '*'), else the rule it breaks. */
const char *lk_log_group_problem(struct lk_str name, bool pattern);

/** @return NULL for a valid trail name, else the rule it breaks. */
const char *lk_trail_name_problem(struct lk_str name);

/** Checks a KMS key ARN (LK023). @return true when valid. */
bool lk_check_kms_arn(struct lk_policy *policy, const struct lk_text *key);

/** @return the effective availability window of @p r in days (delete_after when unset), or -1
 *          when forever. */
int64_t lk_retention_available_days(const struct lk_retention *r);

#endif
