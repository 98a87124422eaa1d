/*
 * Unit tests of the grouping of log groups into patterns (runtime/import.h, lk_import_group()):
 * hand-picked cases of each rule, then generated trees of names checked against what plan relies
 * on: every group is named by exactly one entry (its exact name, or else the longest pattern
 * that matches it, as common/pattern_index.h picks), that entry carries the group's settings,
 * and no pattern reaches a group outside the caller's prefix.
 */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/arena.h"
#include "common/glob.h"
#include "ir/ir.h"
#include "runtime/import.h"

/* The strings of the hand-picked states (the IR's strings are not const). */
static struct lk_arena s_strings;
static bool s_strings_ready;

static char *s_str(const char *s)
{
    if (!s_strings_ready) {
        lk_arena_init(&s_strings);
        s_strings_ready = true;
    }
    return lk_arena_strdup(&s_strings, s);
}

static struct lk_ir_log_group s_g(const char *name, int32_t days)
{
    return (struct lk_ir_log_group){
        .name = s_str(name), .region = s_str("us-east-1"), .retention_days = days, .exists = true};
}

/* Groups @p v and checks that the entries are exactly @p want ("name=days", sorted by name). */
static void s_expect(const struct lk_ir_log_group *v, size_t n, const char *prefix,
                     const char *const *want, size_t n_want)
{
    struct lk_arena arena;
    lk_arena_init(&arena);
    struct lk_import_group *g = NULL;
    size_t got = lk_import_group(&arena, v, n, "us-east-1", prefix, &g);
    char text[4096] = "";
    for (size_t i = 0; i < got; i++)
        snprintf(text + strlen(text), sizeof(text) - strlen(text), "%s=%d%s ", g[i].name,
                 (int)g[i].retention_days, g[i].deletion_protection ? "p" : "");
    ck_assert_msg(got == n_want, "got %zu entries, want %zu: %s", got, n_want, text);
    for (size_t i = 0; i < got; i++) {
        char one[512];
        snprintf(one, sizeof(one), "%s=%d%s", g[i].name, (int)g[i].retention_days,
                 g[i].deletion_protection ? "p" : "");
        ck_assert_msg(!strcmp(one, want[i]), "entry %zu is %s, want %s (all: %s)", i, one, want[i],
                      text);
    }
    free(g);
    lk_arena_destroy(&arena);
}

#define S_N(a) (sizeof(a) / sizeof((a)[0]))

START_TEST(test_uniform_prefix_is_one_pattern)
{
    const struct lk_ir_log_group v[] = {s_g("/aws/lambda/b", 14), s_g("/aws/lambda/a", 14),
                                        s_g("/aws/lambda/c", 14)};
    /* All of /aws/ agrees: the highest prefix with more than slashes wins. */
    const char *want[] = {"/aws/*=14"};
    s_expect(v, S_N(v), NULL, want, S_N(want));
}
END_TEST

START_TEST(test_children_split_by_retention)
{
    const struct lk_ir_log_group v[] = {
        s_g("/aws/lambda/a", 14),      s_g("/aws/lambda/b", 14), s_g("/aws/eks/x/cluster", 30),
        s_g("/aws/eks/y/cluster", 30), s_g("/aws/rds/one", 90),
    };
    const char *want[] = {"/aws/eks/*=30", "/aws/lambda/*=14", "/aws/rds/one=90"};
    s_expect(v, S_N(v), NULL, want, S_N(want));
}
END_TEST

START_TEST(test_mixed_prefix_keeps_names_and_uniform_children)
{
    const struct lk_ir_log_group v[] = {
        s_g("/app/a/x1", 30), s_g("/app/a/x2", 30), s_g("/app/b/y", 60),
        s_g("/app/c", 60),    s_g("/app/d", 30),
    };
    const char *want[] = {"/app/a/*=30", "/app/b/y=60", "/app/c=60", "/app/d=30"};
    s_expect(v, S_N(v), NULL, want, S_N(want));
}
END_TEST

START_TEST(test_deletion_protection_splits)
{
    struct lk_ir_log_group v[] = {s_g("/x/a", 30), s_g("/x/b", 30), s_g("/y/a", 30),
                                  s_g("/y/b", 30)};
    v[0].deletion_protection = v[1].deletion_protection = true;
    const char *want[] = {"/x/*=30p", "/y/*=30"};
    s_expect(v, S_N(v), NULL, want, S_N(want));
}
END_TEST

START_TEST(test_never_expire_and_names_without_slash)
{
    const struct lk_ir_log_group v[] = {s_g("plain1", 0), s_g("plain2", 0), s_g("/old/a", 0),
                                        s_g("/old/b", 0)};
    /* No pattern without a '/' boundary: names without one stay exact. */
    const char *want[] = {"/old/*=0", "plain1=0", "plain2=0"};
    s_expect(v, S_N(v), NULL, want, S_N(want));
}
END_TEST

START_TEST(test_caller_prefix_bounds_patterns)
{
    const struct lk_ir_log_group v[] = {s_g("/aws/lambda/a", 14), s_g("/aws/lambda/b", 14),
                                        s_g("/aws/eks/c", 14), s_g("/aws/eks/d", 14)};
    /* Without the prefix this is the pattern of /aws/; with it, the pattern must not reach
     * /aws/eks/. */
    const char *want[] = {"/aws/lambda/*=14"};
    s_expect(v, S_N(v), "/aws/lam", want, S_N(want));
}
END_TEST

START_TEST(test_skips_missing_patterns_and_other_regions)
{
    struct lk_ir_log_group v[] = {s_g("/a/1", 7), s_g("/a/2", 7), s_g("/a/3", 7), s_g("/a/*", 7),
                                  s_g("/a/4", 1)};
    v[2].region = s_str("eu-west-1"); /* another Region */
    v[3].pattern = true;              /* a desired pattern, not a group */
    v[4].exists = false;              /* a name AWS does not have */
    const char *want[] = {"/a/*=7"};
    s_expect(v, S_N(v), NULL, want, S_N(want));
    ck_assert_uint_eq(
        lk_import_group(NULL, v, 0, "us-east-1", NULL, &(struct lk_import_group *){0}), 0);
}
END_TEST

START_TEST(test_counts_members_and_keys)
{
    struct lk_ir_log_group v[] = {s_g("/k/a", 30), s_g("/k/b", 30), s_g("/k/c", 30), s_g("/z", 30)};
    v[1].kms_key_id = s_str("arn:aws:kms:us-east-1:111122223333:key/k");
    struct lk_arena arena;
    lk_arena_init(&arena);
    struct lk_import_group *g = NULL;
    size_t n = lk_import_group(&arena, v, S_N(v), "us-east-1", NULL, &g);
    ck_assert_uint_eq(n, 2);
    ck_assert_str_eq(g[0].name, "/k/*");
    ck_assert_uint_eq(g[0].members, 3);
    ck_assert_uint_eq(g[0].with_kms, 1);
    ck_assert_str_eq(g[1].name, "/z");
    ck_assert_uint_eq(g[1].members, 1);
    ck_assert_uint_eq(g[1].with_kms, 0);
    free(g);
    lk_arena_destroy(&arena);
}
END_TEST

START_TEST(test_hostile_characters)
{
    const struct lk_ir_log_group v[] = {s_g("/odd#x/a", 5), s_g("/odd#x/b", 5), s_g("/odd#y", 7)};
    const char *want[] = {"/odd#x/*=5", "/odd#y=7"};
    s_expect(v, S_N(v), NULL, want, S_N(want));
}
END_TEST

/* ------------------------------------------------------------------------------ generated */

static uint64_t s_rng = 0x9e3779b97f4a7c15u;

static uint32_t s_next(void)
{
    s_rng ^= s_rng << 13;
    s_rng ^= s_rng >> 7;
    s_rng ^= s_rng << 17;
    return (uint32_t)(s_rng >> 16);
}

START_TEST(test_generated_trees)
{
    static const char *const seg[] = {"aws", "app", "eks", "lambda", "a", "b", "x-1", "#"};
    static const int32_t days[] = {0, 14, 30};
    enum { ROUNDS = 300, MAX = 60 };
    size_t patterns = 0;
    for (int round = 0; round < ROUNDS; round++) {
        struct lk_arena arena;
        lk_arena_init(&arena);
        size_t n = 1 + s_next() % MAX;
        struct lk_ir_log_group *v = calloc(n, sizeof(*v));
        /* Settings follow the first segment mostly, so that uniform subtrees occur. */
        for (size_t i = 0; i < n; i++) {
            char name[128] = "";
            size_t depth = 1 + s_next() % 4;
            for (size_t d = 0; d < depth; d++)
                snprintf(name + strlen(name), sizeof(name) - strlen(name), "/%s",
                         seg[s_next() % S_N(seg)]);
            snprintf(name + strlen(name), sizeof(name) - strlen(name), "-%zu", i);
            v[i] = s_g(lk_arena_strdup(&arena, name),
                       days[s_next() % 8 < 6 ? (uint32_t)name[1] % 3 : s_next() % 3]);
            v[i].deletion_protection = s_next() % 10 == 0;
        }
        const char *prefix = s_next() % 3 == 0 ? "/a" : NULL;
        struct lk_import_group *g = NULL;
        size_t m = lk_import_group(&arena, v, n, "us-east-1", prefix, &g);
        for (size_t i = 0; i < n; i++) {
            bool in = !prefix || !strncmp(v[i].name, prefix, strlen(prefix));
            /* The entry that governs the group: its exact name, else the longest pattern. */
            const struct lk_import_group *gov = NULL;
            size_t hits = 0;
            for (size_t k = 0; k < m; k++) {
                bool match = g[k].pattern ? lk_glob_match_c(g[k].name, v[i].name, 0)
                                          : !strcmp(g[k].name, v[i].name);
                if (!match)
                    continue;
                hits++;
                if (!gov || (!g[k].pattern && gov->pattern) ||
                    (g[k].pattern == gov->pattern && strlen(g[k].name) > strlen(gov->name)))
                    gov = &g[k];
            }
            if (!in) {
                ck_assert_msg(hits == 0, "round %d: %s is outside the prefix but matched", round,
                              v[i].name);
                continue;
            }
            ck_assert_msg(hits == 1, "round %d: %s is named by %zu entries", round, v[i].name,
                          hits);
            ck_assert_msg(gov->retention_days == v[i].retention_days &&
                              gov->deletion_protection == v[i].deletion_protection,
                          "round %d: %s governed by %s with other settings", round, v[i].name,
                          gov->name);
        }
        for (size_t k = 0; k < m; k++) {
            patterns += g[k].pattern;
            if (k)
                ck_assert_int_lt(strcmp(g[k - 1].name, g[k].name), 0);
            if (g[k].pattern)
                ck_assert_uint_ge(g[k].members, LK_IMPORT_MIN_PATTERN);
        }
        free(g);
        free(v);
        lk_arena_destroy(&arena);
    }
    /* The generated trees exercise patterns, not only exact names. */
    ck_assert_uint_gt(patterns, ROUNDS / 2);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("import");
    TCase *tc = tcase_create("grouping");
    tcase_add_test(tc, test_uniform_prefix_is_one_pattern);
    tcase_add_test(tc, test_children_split_by_retention);
    tcase_add_test(tc, test_mixed_prefix_keeps_names_and_uniform_children);
    tcase_add_test(tc, test_deletion_protection_splits);
    tcase_add_test(tc, test_never_expire_and_names_without_slash);
    tcase_add_test(tc, test_caller_prefix_bounds_patterns);
    tcase_add_test(tc, test_skips_missing_patterns_and_other_regions);
    tcase_add_test(tc, test_counts_members_and_keys);
    tcase_add_test(tc, test_hostile_characters);
    tcase_add_test(tc, test_generated_trees);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
