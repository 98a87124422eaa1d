/*
 * logkeep: the compile pipeline: checked policy -> IR -> artifacts.
 */
#ifndef LK_COMPILE_H
#define LK_COMPILE_H

#include "common/result.h"
#include "compiler/emit.h"
#include "ir/ir.h"
#include "compiler/policy.h"

/**
 * Lowers and emits @p policy. Problems only visible in the output (a bucket policy over 20 KB:
 * LK206) are added to policy->diags.
 * @pre lk_policy_check() ran.
 * @param out_state receives the desired state (caller frees) unless the policy has errors.
 * @return 0 when artifacts were produced, 1 when the policy has errors (nothing produced), 2
 *         when an artifact would exceed LK_BUF_MAX_DOCUMENT (nothing usable produced; no
 *         diagnostic says so: the caller reports it).
 */
LK_MUST_CHECK int lk_compile(struct lk_policy *policy, struct lk_ir_state **out_state,
                             struct lk_artifacts *out);

/**
 * Lowers @p policy into the desired state without emitting the artifacts, for commands that
 * compare states only (drift, snapshot): the limits only the output shows are checked as
 * validate checks them (lk_compile_check_limits()).
 * @pre lk_policy_check() ran.
 * @return 0 with the state in @p out_state (caller frees), 1 when the policy has errors.
 */
LK_MUST_CHECK int lk_compile_state(struct lk_policy *policy, struct lk_ir_state **out_state);

/**
 * Lowers and emits @p policy into one desired state and one artifact list per (account, Region)
 * pair of its scope (ir.h, struct lk_ir_scope). A single-account policy gives one pair whose
 * state and artifacts are byte for byte lk_compile()'s.
 * @pre lk_policy_check() ran.
 * @return as lk_compile(); @p out_scope (caller frees) is set when 0 is returned.
 */
LK_MUST_CHECK int lk_compile_scope(struct lk_policy *policy, struct lk_ir_scope **out_scope);
/**
 * As lk_compile_scope() without emitting (pair artifacts NULL), for drift and snapshot.
 * @return as lk_compile_state().
 */
LK_MUST_CHECK int lk_compile_scope_state(struct lk_policy *policy,
                                         struct lk_ir_scope **out_scope);

/**
 * Checks the limits that only the compiled output shows (LK206: a bucket policy over 20 KB),
 * so that validate reports them too. Cheap: a store is lowered and measured only when a bound
 * on its policy size exceeds the limit. Does nothing when the policy already has errors.
 */
void lk_compile_check_limits(struct lk_policy *policy);

#endif
