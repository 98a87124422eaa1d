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

/**
 * Adds the statements that let @p src's service deliver logs into bucket @p b (delivery.c, from
 * the source-type catalogue). Sources of the same service share statements.
 */
void lk_delivery_statements(struct lk_ir_state *st, struct lk_policy *policy,
                            struct lk_source *src, struct lk_ir_bucket *b);

#endif
