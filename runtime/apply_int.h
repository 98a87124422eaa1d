/*
 * logkeep runtime: what apply.c and apply_coverage.c share (see apply.h).
 */
#ifndef LK_APPLY_INT_H
#define LK_APPLY_INT_H

#include "runtime/apply.h"

/** Whether @p op is a producer step's (runtime/apply_coverage.c). */
bool lk_apply_op_is_producer(enum lk_apply_op op);

/**
 * Makes the call(s) of one producer step of @p plan (step @p s), as lk_apply_execute() does for
 * the others.
 * @return LK_STATUS_OK, or the failed call's status with @p err set.
 */
LK_MUST_CHECK enum lk_status lk_apply_run_producer(struct lk_aws_client *client,
                                                   struct lk_apply_plan *plan,
                                                   struct lk_apply_step *s,
                                                   struct lk_aws_error *err);

#endif
