/*
 * logkeep runtime: the least-privilege IAM identity policies a policy's runs need.
 *
 * Each document allows exactly the operations runtime/live.c, runtime/session.c and
 * runtime/apply.c call (through runtime/services/) on the resources of one account's pairs:
 * the buckets, log groups, trails and KMS keys of the compiled desired state. The table of
 * operations and IAM actions lives in iam_policy.c, next to the services that call them.
 */
#ifndef LK_RUNTIME_IAM_POLICY_H
#define LK_RUNTIME_IAM_POLICY_H

#include <stdbool.h>
#include <stddef.h>

struct lk_ir_scope;

/** Which identity the document is for. */
enum lk_iam_purpose {
    LK_IAM_FOR_APPLY = 0, /* the deployer: every read (plan, drift, snapshot) and apply's writes */
    LK_IAM_FOR_DRIFT,     /* the read-only role of plan, drift and snapshot */
};

struct lk_iam_policy_options {
    enum lk_iam_purpose purpose;
    /* Add the AWS Organizations reads of `logkeep resolve` (the document of the management
     * account, when the policy has dynamic account groups). */
    bool organizations_reader;
    const char *organization_id; /* "o-...", or NULL: scopes the Organizations listings */
};

/**
 * The identity policy (JSON, "Version" "2012-10-17", one Sid per statement, byte-identical for
 * the same desired state) that the runs of @p scope need in account @p account: every pair of
 * that account contributes its resources.
 * @param scope the compiled scope (lk_compile_scope_state()); pairs carry their states.
 * @param account the twelve-digit account ID; NULL means every pair (a single-account policy).
 * @return the document, heap-allocated (caller frees), ending in a newline.
 */
char *lk_iam_policy_account_json(const struct lk_ir_scope *scope, const char *account,
                                 const struct lk_iam_policy_options *opts);

/**
 * The identity policy of the caller of an organisation run: sts:AssumeRole on @p role_arns
 * (sorted and deduplicated here).
 * @return the document, heap-allocated (caller frees), ending in a newline.
 */
char *lk_iam_policy_caller_json(const char *const *role_arns, size_t n_role_arns);

#endif
