/*
 * logkeep service client tests: comparing desired and live IR values.
 *
 * Each function compares the fields both sides carry with the IR's comparison
 * (lk_ir_*_equal(), LK_IR_EQ_CONFIGURATION) and returns NULL when they are equal, or a message
 * naming the first difference (in a static buffer). Fields only desired state has (rule
 * sources, bucket store, trail and log group source, wanted days) are not compared, nor are
 * those only live state has (exists).
 */
#ifndef LK_SVC_TEST_H
#define LK_SVC_TEST_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compiler/compile.h"
#include "ir/ir.h"
#include "compiler/policy.h"

/* The first difference found by the last comparison. */
static struct lk_ir_mismatch s_svc_why;

static inline const char *lk_svc_cmp_policy(const struct lk_ir_bucket_policy *a,
                                            const struct lk_ir_bucket_policy *b)
{
    return lk_ir_policy_equal(a, b, LK_IR_EQ_CONFIGURATION, &s_svc_why) ? NULL : s_svc_why.text;
}

/* Compares the configuration of two buckets (not name, region, store or exists: a bucket read
 * back from artifacts has none of them). */
static inline const char *lk_svc_cmp_bucket(const struct lk_ir_bucket *a,
                                            const struct lk_ir_bucket *b)
{
    struct lk_ir_bucket same = *b;
    same.name = a->name;
    same.region = a->region;
    return lk_ir_bucket_equal(a, &same, LK_IR_EQ_CONFIGURATION, &s_svc_why) ? NULL : s_svc_why.text;
}

/* Compares trail settings, event selectors and logging state (not source or exists). */
static inline const char *lk_svc_cmp_trail(const struct lk_ir_trail *a, const struct lk_ir_trail *b)
{
    return lk_ir_trail_equal(a, b, LK_IR_EQ_CONFIGURATION, &s_svc_why) ? NULL : s_svc_why.text;
}

/* Loads, checks and compiles a policy directory; aborts the test on errors. */
static inline struct lk_policy *lk_svc_compile(const char *dir, struct lk_ir_state **st,
                                               struct lk_artifacts *arts)
{
    struct lk_policy *p = lk_policy_new();
    const char *paths[1] = {dir};
    const char *bad = NULL;
    if (lk_policy_load_paths(p, paths, 1, &bad) != 0) {
        fprintf(stderr, "cannot read policy %s\n", bad ? bad : dir);
        abort();
    }
    lk_policy_check(p);
    lk_artifacts_init(arts);
    if (lk_compile(p, st, arts) != 0) {
        fprintf(stderr, "policy %s has errors\n", dir);
        abort();
    }
    return p;
}

/* $LK_SRCDIR/<rel>, or <rel> relative to the current directory's source tree guess. */
static inline char *lk_svc_srcpath(const char *rel)
{
    const char *src = getenv("LK_SRCDIR");
    size_t n = strlen(src ? src : ".") + strlen(rel) + 2;
    char *p = malloc(n);
    if (!p)
        abort();
    snprintf(p, n, "%s/%s", src ? src : ".", rel);
    return p;
}

#endif
