/*
 * logkeep unit tests: a little shared scaffolding for the Check suites.
 */
#ifndef LK_TEST_H
#define LK_TEST_H

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "policy.h"

/* Runs one suite and returns the process exit status. */
static inline int lk_test_run(Suite *s)
{
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

/* Loads one in-memory policy file, checks it, and returns the policy (caller frees). */
static inline struct lk_policy *lk_test_policy(const char *yaml)
{
    struct lk_policy *p = lk_policy_new();
    lk_policy_load_buffer(p, "test.yaml", yaml, strlen(yaml));
    lk_policy_check(p);
    return p;
}

/* Counts diagnostics of a rule. */
static inline size_t lk_test_count(const struct lk_policy *p, const char *rule)
{
    size_t n = 0;
    for (size_t i = 0; i < p->diags.n; i++)
        if (!strcmp(p->diags.items[i].rule->id, rule))
            n++;
    return n;
}

/* Finds the first diagnostic of a rule, or NULL. */
static inline const struct lk_diag *lk_test_find(const struct lk_policy *p, const char *rule)
{
    for (size_t i = 0; i < p->diags.n; i++)
        if (!strcmp(p->diags.items[i].rule->id, rule))
            return &p->diags.items[i];
    return NULL;
}

/* A minimal valid policy header, for tests that append their own sections. */
#define LK_TEST_HEADER "logkeep: 1\naccount: \"111122223333\"\nregion: us-east-1\n"

#endif
