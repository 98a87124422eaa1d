/*
 * logkeep unit tests: a little shared scaffolding for the Check suites.
 */
#ifndef LK_TEST_H
#define LK_TEST_H

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compiler/lower.h"
#include "compiler/policy.h"

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

/* The quickstart example's directory: $LK_SRCDIR when make check sets it, else found from this
 * header's own path. */
static inline const char *lk_test_quickstart_dir(void)
{
    static char path[4096];
    const char *src = getenv("LK_SRCDIR");
    if (src) {
        snprintf(path, sizeof(path), "%s/examples/quickstart", src);
    } else {
        const char *file = __FILE__;
        const char *tail = strstr(file, "tests/unit/lk_test.h");
        int n = tail ? (int)(tail - file) : 0;
        snprintf(path, sizeof(path), "%.*sexamples/quickstart", n, file);
    }
    return path;
}

/* The quickstart example, loaded, checked (no errors allowed) and lowered: the desired IR the
 * runtime suites start from. The caller frees it with lk_ir_state_free(). */
static inline struct lk_ir_state *lk_test_lower_quickstart(void)
{
    struct lk_policy *p = lk_policy_new();
    const char *paths[1] = {lk_test_quickstart_dir()};
    const char *err_path = NULL;
    ck_assert_msg(lk_policy_load_paths(p, paths, 1, &err_path) == 0, "cannot read %s",
                  err_path ? err_path : paths[0]);
    lk_policy_check(p);
    for (size_t i = 0; i < p->diags.n; i++)
        ck_assert_msg(p->diags.items[i].severity != LK_SEV_ERROR, "%s: %s",
                      p->diags.items[i].rule->id, p->diags.items[i].message);
    struct lk_ir_state *st = lk_lower(p);
    lk_policy_free(p);
    return st;
}

/* A minimal valid policy header, for tests that append their own sections. */
#define LK_TEST_HEADER "logkeep: 1\naccount: \"111122223333\"\nregion: us-east-1\n"

#endif
