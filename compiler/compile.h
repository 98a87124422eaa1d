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
 * lk_compile() for a caller that writes the artifacts out and needs them one at a time: the
 * state is lowered and the artifacts planned (lk_emit_plan()), but only the bucket policies that
 * may pass S3's limit by validate's bound (lk_compile_check_limits()) are emitted, to report
 * those over it (LK206) before anything is written.
 * lk_compiled_each() then emits the others one by one, so their text is never all in memory.
 */
struct lk_compiled {
    struct lk_policy *policy;  /* the policy compiled (not owned) */
    struct lk_ir_state *state; /* the desired state (owned): lk_lower_artifacts() */
    struct lk_arena arena;     /* the plan and the bucket policies */
    struct lk_emit_item *items;
    size_t n_items;
    char **contents; /* by item: the bucket policies, emitted already; NULL for the others */
};

/**
 * Lowers @p policy and plans its artifacts.
 * @pre lk_policy_check() ran.
 * @param out always initialised: lk_compiled_free() it.
 * @return as lk_compile(): 0, 1 (policy errors, LK206 among them) or 2.
 */
LK_MUST_CHECK int lk_compile_plan(struct lk_policy *policy, struct lk_compiled *out);

/**
 * Emits the artifacts of a planned compilation (lk_compile_plan() returned 0) in path order and
 * hands each to @p put, then releases its content before the next.
 * @param out receives each artifact handed over, without its content
 *        (lk_artifacts_add_released()): what the manifest needs (lk_emit_manifest()).
 * @param put called once per artifact; the artifact, content included, is valid during the call
 *        only. @return 0 to go on; anything else stops.
 * @return 0 when every artifact was handed over; 1 when a bucket policy the bound let through is
 *         over S3's limit after all (LK206 is added to the policy's diagnostics; the ones before
 *         it were handed over); 2 when one would exceed LK_BUF_MAX_DOCUMENT (the ones before it
 *         were handed over); 3 when @p put stopped.
 */
LK_MUST_CHECK int lk_compiled_each(struct lk_compiled *c, struct lk_artifacts *out,
                                   int (*put)(void *ctx, const struct lk_artifact *x), void *ctx);

/**
 * The manifest of a compilation whose artifacts lk_compiled_each() handed over: lk_emit_manifest()
 * of its state and @p arts. Frees the state first (c->state becomes NULL): nothing after the
 * manifest needs it, and the manifest's buffer then reuses its memory.
 * @return a heap string the caller frees; NULL when it would exceed LK_BUF_MAX_DOCUMENT.
 */
LK_MUST_CHECK char *lk_compiled_manifest(struct lk_compiled *c, const struct lk_artifacts *arts);

/** Frees @p c (its state too). */
void lk_compiled_free(struct lk_compiled *c);

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
