/*
 * logkeep: lowering a checked policy to the IR of desired AWS state.
 */
#ifndef LK_LOWER_H
#define LK_LOWER_H

#include "ir/ir.h"
#include "compiler/policy.h"

/**
 * Lowers @p policy into the desired AWS state.
 * @pre lk_policy_check() ran and reported no errors.
 * @return the state, in canonical order; free with lk_ir_state_free().
 */
struct lk_ir_state *lk_lower(struct lk_policy *policy);

/**
 * lk_lower() with only what the artifacts of compile show: no coverage requirements
 * (struct lk_ir_state.coverages stays empty), no origins (every struct lk_ir_origin is "none")
 * and no lifecycle rule sources, which plan, apply and drift read. In about half the memory for a
 * policy of many producing sources; the artifacts emitted from it are lk_lower()'s.
 * @pre lk_policy_check() ran and reported no errors.
 * @return the state, in canonical order; free with lk_ir_state_free().
 */
struct lk_ir_state *lk_lower_artifacts(struct lk_policy *policy);

/**
 * Lowers @p policy into one desired state per (account, Region) pair of its scope (compile.h,
 * lk_compile_scope()). A policy of one account gives one pair holding lk_lower()'s state.
 * @pre lk_policy_check() ran and reported no errors.
 * @return the scope, pairs sorted, each state in canonical order; free with lk_ir_scope_free().
 */
struct lk_ir_scope *lk_lower_scope(struct lk_policy *policy);

/**
 * Lowers the buckets of some stores only, as lk_lower_scope() lowers them (in canonical order),
 * for measuring their policies: no other bucket, and no log group, trail or key.
 * @param stores flags, indexed as policy->stores, the stores whose buckets are lowered.
 * @pre lk_policy_check() ran and reported no errors.
 * @return the scope, pairs sorted (every pair, some without buckets); free with
 *         lk_ir_scope_free().
 */
struct lk_ir_scope *lk_lower_scope_buckets(struct lk_policy *policy, const bool *stores);

/** Appends a statement to a bucket's policy (arena-backed). @return it, zeroed but for the
 *  given fields. */
struct lk_ir_statement *lk_lower_add_statement(struct lk_ir_state *st, struct lk_ir_bucket *b,
                                               const char *sid, bool allow,
                                               enum lk_ir_principal_kind kind);

/** @return the statement of @p b with this Sid, or NULL. */
struct lk_ir_statement *lk_lower_find_statement(struct lk_ir_bucket *b, const char *sid);

/** Adds @p value to the condition {op: {key: [...]}} of a statement, creating it if needed. */
void lk_lower_add_condition(struct lk_ir_state *st, struct lk_ir_statement *s, const char *op,
                            const char *key, const char *value);

/* The accounts and Regions whose services write a source's logs (its writers): the source's
 * resolved scope (scope_accounts x scope_regions), or, before the scope is resolved, the state's
 * own account and Region. A cloudtrail source's accounts own a trail each, in the first Region.
 * The arrays are borrowed from the source or the state. */
struct lk_writers {
    const char *const *accounts;
    size_t n_accounts;
    const char *const *regions;
    size_t n_regions;
};

/** Fills @p out with the writers of @p src (struct lk_writers). */
void lk_delivery_source_writers(const struct lk_ir_state *st, const struct lk_source *src,
                                struct lk_writers *out);

/**
 * Adds the statements that let @p src's service deliver logs into bucket @p b (delivery.c, from
 * the source-type catalogue), for every writer of the source. Sources of the same service share
 * statements.
 * @param org_id NULL for statements that list each writer account (aws:SourceAccount, one
 *        AWSLogs/<account>/ resource each, aws:SourceArn per account and Region); an organisation
 *        ID for the organisation-wide form (aws:SourceOrgID and AWSLogs/ with a wildcard) where AWS
 * documents the key for the service.
 */
void lk_delivery_statements(struct lk_ir_state *st, struct lk_policy *policy, struct lk_source *src,
                            struct lk_ir_bucket *b, const char *org_id);

/**
 * The principals that deliver @p src's logs into bucket @p b: the service principal names (as
 * aws:PrincipalServiceName holds them) added to @p services, or, for load balancers in Regions
 * where an Elastic Load Balancing account writes, that account's ID added to @p accounts.
 * Sources no AWS service delivers add nothing.
 */
void lk_delivery_writers(struct lk_ir_state *st, const struct lk_policy *policy,
                         const struct lk_source *src, const struct lk_ir_bucket *b,
                         struct lk_ir_string_list *services, struct lk_ir_string_list *accounts);

/** @return the GuardDuty service principal that exports findings from @p region (Regional in
 *  opt-in Regions). */
const char *lk_delivery_guardduty_principal(struct lk_ir_state *st, const char *region);

/** @return the service principal that delivers sources of @p type into an S3 bucket of
 *  @p region, or NULL when none does (or, for load balancers, an account does). */
const char *lk_delivery_service(struct lk_ir_state *st, enum lk_source_type type,
                                const char *region);

/** @return the Regional Elastic Load Balancing account ID that writes access logs in @p region,
 *  or NULL where the service principal does. */
const char *lk_elb_account_for_region(const char *region);

/**
 * Whether @p arn names a role that IAM Identity Center may replace (a permission set's role,
 * under role/aws-reserved/sso.amazonaws.com/), which policies grant through an aws:PrincipalArn
 * condition rather than in a Principal element.
 * @param account receives the role's account ID (NUL-terminated) when it does.
 */
bool lk_lower_recreatable_role(const char *arn, char *account, size_t account_size);

/** Appends a statement to a policy document (a bucket's or a key's; arena-backed). */
struct lk_ir_statement *lk_lower_policy_add_statement(struct lk_ir_state *st,
                                                      struct lk_ir_bucket_policy *pol,
                                                      const char *sid, bool allow,
                                                      enum lk_ir_principal_kind kind);

/**
 * Adds to @p state the KMS keys the policy names (stores' encryption.kms_key, trails' kms_key)
 * with the key policy statements that the services delivering with them and the readers of the
 * logs they encrypt need (keys.c).
 * @pre the buckets, trails and log groups of @p state are lowered.
 */
void lk_keys_lower(struct lk_ir_state *state, struct lk_policy *policy);

/**
 * lk_keys_lower() over every pair of a policy of several accounts: each key goes to the pair of
 * its ARN's account and Region (else to the pair of its first user), and its statements cover
 * every writer and user, whichever pair they are in.
 * @pre every pair's buckets, trails and log groups are lowered.
 */
void lk_keys_lower_scope(struct lk_ir_scope *scope, struct lk_policy *policy);

#endif
