/*
 * logkeep: decoder internals shared by policy.c.
 */
#ifndef LK_DECODE_INT_H
#define LK_DECODE_INT_H

#include "compiler/policy.h"

/** Reads file @p file_id of policy->sources as YAML and decodes it into @p policy. */
void lk_decode_file(struct lk_policy *policy, uint32_t file_id);

/** Runs the semantic checks (check_*.c). */
/** Resolves the scope (check_scope.c); runs first: the other checks read what it fills. */
void lk_check_scope(struct lk_policy *policy);
void lk_check_refs(struct lk_policy *policy);
void lk_check_naming(struct lk_policy *policy);
void lk_check_retention(struct lk_policy *policy);
void lk_check_access(struct lk_policy *policy);
void lk_check_purpose(struct lk_policy *policy);
void lk_check_integrity(struct lk_policy *policy);
void lk_check_stores(struct lk_policy *policy);
void lk_check_baselines(struct lk_policy *policy);
/** The coverage settings of producing sources (check_coverage.c); after the scope. */
void lk_check_coverage(struct lk_policy *policy);


/** @return true when two retentions give the same S3 lifecycle (tiers and expiration): one
 *  lifecycle rule can serve sources of both. */
bool lk_retention_same_s3(const struct lk_retention *a, const struct lk_retention *b);

/** @return the retention days a source keeps in total, or -1 for forever / unknown. */
int64_t lk_source_delete_days(const struct lk_source *src);

#endif
